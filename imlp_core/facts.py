"""What the reading side needs to know of our models and datasets, as plain values: nothing here imports torch.

Each fact is stated once. The training side imports the ones it shares (``BLOCKS``, the dataset sizes, the layer
selection, the notebooks); what it computes for itself (a prior's layer and parameter counts, its names) is held
equal to :data:`PRIOR_FACTS` by ``tests/test_facts.py``, so a changed model fails a test until this table follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

# The hidden-layer blocks an I-MLP can be built with (``models.normalized_layers``; ``options.CHOICES["block"]``).
BLOCKS = ("every-layer", "s-mlp")

# Images in each named dataset's splits (the synthetic sets' sizes; the plan's time and memory estimates).
TRAIN_IMAGES = {"cifar10": 50_000, "cifar100": 50_000, "synthetic": 5_000, "synthetic100": 5_000}
TEST_IMAGES = {"cifar10": 10_000, "cifar100": 10_000, "synthetic": 1_000, "synthetic100": 1_000}

# The paper's dataset roles (``paper.PaperNumber.dataset``), and the role each of our datasets plays: a profile's
# dataset is found by its role, not its position, so a dataset of another role (a third one) has a place.
DATASET_ROLES = ("CIFAR-10", "CIFAR-100")
ROLE_OF_DATASET = {"cifar10": "CIFAR-10", "cifar100": "CIFAR-100", "synthetic": "CIFAR-10",
                   "synthetic100": "CIFAR-100"}

# The notebooks of `make reproduce`, in order, each with the experiments (``profiles.EXPERIMENTS``) whose runs it
# reads: what ``--executor`` trains for ``--only``.
NOTEBOOK_READS: dict[str, tuple[str, ...]] = {
    "01_conv_to_dense": (),
    "02_mixer_to_dense": (),
    "03_alpha_sweep_cnn": ("cnn",),
    "04_alpha_sweep_mixer": ("mixer",),
    "05_schedules": ("schedules",),
    "06_first_layer": ("first_layer",),
    "07_paper_comparison": ("cnn", "mixer", "schedules", "first_layer", "open_choices", "held_out"),
    "08_open_choices": ("open_choices",),
    "09_where_the_v_sits": ("intervals",),
}
NOTEBOOKS = tuple(NOTEBOOK_READS)

LayerSelection = str | Sequence[int]  # which of an I-MLP's layers: "all", "first" or indices (see select_layers)


def select_layers(layers: LayerSelection, num_layers: int) -> list[int]:
    """Indices of the interpolated layers: "all", "first", or an explicit list (negative indices allowed)."""
    if isinstance(layers, str):
        if layers == "all":
            return list(range(num_layers))
        if layers == "first":
            return [0]
        raise ValueError(f"unknown layer selection {layers!r}; use 'all', 'first' or a list of layer indices")
    indices = list(layers)
    if not indices:
        raise ValueError("empty layer selection; use 'all', 'first' or a non-empty list of layer indices")
    for i in indices:
        if isinstance(i, bool) or not isinstance(i, int) or not -num_layers <= i < num_layers:
            raise ValueError(f"layer index {i!r} is out of range: this I-MLP has {num_layers} interpolated layers (0..{num_layers - 1})")
    return sorted({i % num_layers for i in indices})


@dataclass(frozen=True)
class PriorFacts:
    """A prior of ``models.PRIORS`` as the reading side sees it: its names and its I-MLP's sizes (10 classes,
    the default block), which ``models`` computes (``mlp_spec``, ``parameter_counts``)."""

    display_name: str  # as the paper names it
    legend_name: str  # short form for figure legends
    layers: int  # the I-MLP's dense layers, hidden ones and the head: what Algorithm 1 can interpolate
    total_params: int  # the I-MLP's trainable parameters
    interpolated_params: int  # weights + biases of the layers the prior's ``interpolated`` selects
    interpolated_layers: int  # how many layers those are


PRIOR_FACTS = {
    "cnn": PriorFacts("S-CNN", "S-CNN", 7, 8_405_002, 8_405_002, 7),
    "mixer": PriorFacts("MLP-Mixer", "Mixer", 10, 39_865_610, 39_865_610, 10),
    "table5-mlp1": PriorFacts("MLP-1", "MLP-1 (six layers)", 13, 16_930_826, 9_440_256, 6),
    "table5-mlp2": PriorFacts("MLP-2", "MLP-2 (wide first layer)", 7, 16_795_658, 9_440_256, 1),
}


def prior_facts(prior: str) -> PriorFacts:
    """The facts of ``prior``, or a ValueError naming the known priors."""
    if prior not in PRIOR_FACTS:
        raise ValueError(f"unknown prior {prior!r}; choose one of {sorted(PRIOR_FACTS)} (a new prior of "
                         f"models.PRIORS needs its row in facts.PRIOR_FACTS)")
    return PRIOR_FACTS[prior]


def parameter_counts(prior: str) -> dict[str, str | int]:
    """Table 5's parameter columns for ``prior``: its I-MLP's total parameters, the weights + biases of the layers
    it interpolates, and how many layers those are (``models.parameter_counts`` computes them from the models)."""
    facts = prior_facts(prior)
    return {"model": facts.display_name, "total_params": facts.total_params,
            "interpolated_params": facts.interpolated_params, "interpolated_layers": facts.interpolated_layers}
