"""What a sweep is: ONE prior and K I-MLPs (one per alpha schedule) trained side by side, and the keys of its runs.

A :class:`SweepConfig` holds what the K I-MLPs share (Appendix E's settings and Algorithm 1's open choices),
checked when it is made, before any data is read or a model is built (its dataset's name is checked against the
datasets the settings provide by :func:`check_dataset_name`, which ``train.run_sweep`` calls first). Every I-MLP of a sweep is identified by
the hash of its full config (:meth:`SweepConfig.run_key`), which names its record in the store (``results.py``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence

from imlp_core.data import DATASET_NAMES, dataset_env_var
from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import PRIORS, build_prior, select_layers
from imlp_core.options import CHOICES, DEFAULTS, check_choice, check_interval
from imlp_core.results import config_key

PRECISIONS = ("float32", "bf16")


@dataclass(frozen=True)
class SweepConfig:
    """What the K I-MLPs of one sweep share (defaults: Appendix E)."""

    prior: str
    dataset: str
    epochs: int = 100
    batch_size: int = 128
    lr: float = 1e-4
    train_subset: int | None = None
    test_subset: int | None = None
    seed: int = 0
    layers: str | tuple[int, ...] | None = None  # which layers are interpolated; None: the prior's ``interpolated``
    precision: str = "float32"  # or "bf16": autocast (pays on CPUs with bf16 arithmetic; CUDA float32 is TF32)
    # Algorithm 1's open choices (``options.py``, notebook 08); each default is the companion's first reading.
    interpolate_every: str | int = "epoch"  # or N: after every N optimizer steps
    head: str = "interpolated"
    block: str = "every-layer"
    ln: str = "plain"
    optimizer_state: str = "keep"
    bias: str = "interpolated"
    lr_schedule: str = "constant"
    # Test images for the accuracy of every epoch but the last (the curves); the last epoch's accuracy, the one
    # every claim reads, is always on the whole test split of the sweep. None: every epoch on the whole split.
    curve_test_subset: int | None = None

    def __post_init__(self) -> None:
        if self.prior not in PRIORS:
            raise ValueError(f"unknown prior {self.prior!r}; choose one of {', '.join(PRIORS)}")
        if not isinstance(self.dataset, str) or not self.dataset:
            raise ValueError(f"dataset must be a non-empty name, got {self.dataset!r}")
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("train_subset", "test_subset", "curve_test_subset"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be None (the whole split) or an integer >= 1, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        if isinstance(self.lr, bool) or not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {self.lr!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")
        check_interval(self.interpolate_every)
        for name in CHOICES:
            check_choice(name, getattr(self, name))
        if self.layers is None:
            object.__setattr__(self, "layers", PRIORS[self.prior].interpolated)
        if not isinstance(self.layers, str):
            object.__setattr__(self, "layers", tuple(self.layers))
        select_layers(self.layers, len(build_prior(self.prior).mlp_spec().widths))  # hidden layers + head

    def config(self) -> dict[str, Any]:
        """The sweep's settings as JSON data; defaults of settings added later stay out (``options.DEFAULTS``),
        so that records made before a setting existed keep their keys."""
        config = asdict(self)
        config["layers"] = self.layers if isinstance(self.layers, str) else list(self.layers)
        return {name: value for name, value in config.items() if DEFAULTS.get(name, ...) != value}

    def run_config(self, schedule: AlphaSchedule) -> dict[str, Any]:
        """The full config of one I-MLP of the sweep: what its record's key hashes."""
        return {**self.config(), "schedule": asdict(schedule)}

    @property
    def key(self) -> str:
        """The sweep's key (whichever runs it trains): names its checkpoint and lock in the store."""
        return config_key(self.config())

    def run_key(self, schedule: AlphaSchedule) -> str:
        """The key of the record of the I-MLP of ``schedule`` in this sweep."""
        return config_key(self.run_config(schedule))

    def interpolation_kwargs(self, num_layers: int) -> dict[str, Any]:
        """What :func:`interpolate_` needs under this sweep's options: the layers (the head left out when it is
        the I-MLP's own), and whether the biases and the affine LN's gamma, beta are pulled too."""
        layers = select_layers(self.layers, num_layers)
        if self.head == "own":
            layers = [i for i in layers if i != num_layers - 1]
        return {"layers": layers, "bias": self.bias == "interpolated", "norms": self.ln == "affine-interpolated"}


def check_dataset_name(name: str, dataset_dirs: Mapping[str, str]) -> str:
    """``name`` if :func:`imlp_core.data.load_dataset` knows it, itself or through ``dataset_dirs``
    (``IMLP_DATASET_<NAME>``: a directory), else a ValueError (before any data is read)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"dataset must be a non-empty name, got {name!r}")
    if name not in DATASET_NAMES and not dataset_dirs.get(dataset_env_var(name)):
        raise ValueError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}, or point "
            f"{dataset_env_var(name)} at an ImageFolder directory with train/ and test/"
        )
    return name


def check_schedules(schedules: Sequence[AlphaSchedule]) -> list[AlphaSchedule]:
    """The distinct ``schedules`` in their order, or a ValueError when there is none."""
    if not schedules:
        raise ValueError("no alpha given: a sweep needs at least one alpha or schedule (e.g. --alphas 0 0.01 1)")
    return list(dict.fromkeys(schedules))  # one model per distinct schedule
