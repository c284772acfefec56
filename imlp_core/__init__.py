"""imlp_core: the computations behind the Interpolated-MLP notebooks (arXiv 2410.09655).

The names a reader and the benchmarks use, importable from here; each is loaded from its module on first use
(PEP 562), so that ``import imlp_core`` (and a module as light as ``imlp_core.paper``) loads no torch:

    from imlp_core import SweepConfig, AlphaSchedule, run_sweep, load
    records = run_sweep(SweepConfig("cnn", "synthetic", epochs=2), [AlphaSchedule("constant", 0.5)], "build/runs")
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from imlp_core._version import __version__

# public name -> the module that holds it
_HOMES = {
    # a sweep and running it against the result store (Algorithm 1: imlp_core.trainer.Trainer)
    "SweepConfig": "sweep", "run_sweep": "train", "stored_records": "train", "Trainer": "trainer",
    # the result store
    "load": "results", "to_frame": "results", "config_key": "results",
    # the priors, the I-MLPs and Algorithm 1's interpolation
    "Prior": "models", "PRIORS": "models", "build_prior": "models", "IMLP": "models", "SCNN": "models",
    "MLPMixer": "models", "count_parameters": "models", "parameter_counts": "models",
    "AlphaSchedule": "interpolate", "interpolate_": "interpolate",
    # the conversions (Eq. 4-22)
    "conv2d_to_dense": "conversions", "patchify_matrix": "conversions", "transpose_matrix": "conversions",
    "shared_weight_matrix": "conversions", "shared_linear_to_dense": "conversions",
    # data, profiles, experiments
    "load_dataset": "data", "ImageDataset": "data", "PROFILES": "profiles", "resolve_profile": "profiles",
    "experiment_runs": "experiments",
}
__all__ = ["__version__", *_HOMES]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'imlp_core' has no attribute {name!r}")
    value = getattr(import_module(f"imlp_core.{_HOMES[name]}"), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
