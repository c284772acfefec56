"""The paper's printed numbers as data: Tables 1, 4 and 5, the turns of Figure 2, Table 4's test-time gap.

Every number carries the table or figure it comes from. Accuracies are top-1 test accuracy in %
(mean ± standard deviation over the paper's seeds; Table 5 prints no deviation). Datasets are named by
their *role*: ``"CIFAR-10"`` is the profile's dataset whose role (``facts.ROLE_OF_DATASET``) it is.

A printed number is matched to our runs by a selector: the experiment, the prior, the schedule, and
whether the number is the I-MLP's (``test_acc``) or the prior's (``prior_test_acc``). How our runs are
compared with them is :mod:`imlp_core.reading.verdicts`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd

from imlp_core.facts import DATASET_ROLES, ROLE_OF_DATASET

PAPER_EPOCHS = 100


@dataclass(frozen=True)
class PaperNumber:
    """One accuracy the paper prints, and which of our runs it corresponds to."""

    source: str  # "Table 1(a)", ...
    row: str  # the paper's row label
    dataset: str  # "CIFAR-10" or "CIFAR-100" (role)
    mean: float  # %
    std: float | None  # %, None where the paper prints none
    experiment: str  # "cnn", "mixer", "schedules", "first_layer" (profiles.EXPERIMENTS)
    prior: str  # models.PRIORS key
    schedule: str  # "constant", "decay", "test-time"
    alpha: float
    k: float = 0.0
    metric: str = "test_acc"  # or "prior_test_acc" for the prior's own accuracy


def _table1(source: str, experiment: str, prior_row: str, cifar10: list, cifar100: list) -> list[PaperNumber]:
    rows = [("I-MLP (α = 0.0)", 0.0, "test_acc"), ("I-MLP (α = 0.01)", 0.01, "test_acc"),
            ("I-MLP (α = 1.0)", 1.0, "test_acc"), (prior_row, 1.0, "prior_test_acc")]
    return [PaperNumber(source, row, dataset, mean, std, experiment, experiment, "constant", alpha, metric=metric)
            for dataset, numbers in (("CIFAR-10", cifar10), ("CIFAR-100", cifar100))
            for (row, alpha, metric), (mean, std) in zip(rows, numbers)]


TABLE_1A = _table1("Table 1(a)", "cnn", "S-CNN",
                   [(58.36, 0.44), (51.50, 0.86), (62.14, 1.02), (62.60, 1.20)],
                   [(29.06, 0.21), (21.67, 1.75), (29.82, 0.99), (32.15, 0.57)])

# Table 1(b)'s row labels are lost in the arXiv text; its caption and Sec. 4.1 give them as Table 1(a)'s.
TABLE_1B = _table1("Table 1(b)", "mixer", "MLP-Mixer",
                   [(59.35, 0.22), (52.34, 0.80), (63.51, 0.11), (63.42, 0.48)],
                   [(31.00, 0.21), (23.96, 0.22), (33.89, 0.20), (33.71, 0.13)])


def _table4(row: str, mean: float, std: float, schedule: str, alpha: float, k: float = 0.0,
            metric: str = "test_acc") -> PaperNumber:
    return PaperNumber("Table 4", row, "CIFAR-10", mean, std, "schedules", "cnn", schedule, alpha, k, metric)


TABLE_4 = [
    _table4("CNN", 62.60, 1.20, "constant", 0.0, metric="prior_test_acc"),
    _table4("I-MLP no interpolation α[t] = 0", 58.36, 0.44, "constant", 0.0),
    _table4("I-MLP constant interpolation α[t] = 0.5", 60.98, 1.97, "constant", 0.5),
    _table4("I-MLP test-time interpolation α_test = 0.5", 48.63, 1.68, "test-time", 0.5),
    _table4("I-MLP linear decay a = 0.5, k = 1", 48.34, 2.31, "decay", 0.5, 1.0),
    _table4("I-MLP exponential decay a = 0.5, k = 2", 53.88, 0.21, "decay", 0.5, 2.0),
    _table4("I-MLP exponential decay a = 0.5, k = 4", 59.96, 0.62, "decay", 0.5, 4.0),
]
PAPER_TEST_TIME_GAP = 48.63 - 58.36  # Table 4: test-time-only minus no interpolation (notebook 08)

# Table 5 (Appendix H). "CNN-interpolated" does not say its alpha; we use Table 4's a = 0.5 (a guess).
FIRST_LAYER_ALPHA = 0.5

TABLE_5_PARAMS = pd.DataFrame({
    "model": ["MLP-1", "MLP-2"],
    "total_params": [16_922_724, 16_812_024],
    "interpolated_params": [9_440_256, 9_440_256],  # printed "944,0256"
}).set_index("model")

TABLE_5 = [
    PaperNumber("Table 5", f"{model} {column}", dataset, mean, None, "first_layer", prior, "constant", alpha)
    for model, prior, numbers in (("MLP-1", "table5-mlp1", (56.4, 60.3, 25.6, 27.3)),
                                  ("MLP-2", "table5-mlp2", (54.8, 73.7, 24.4, 40.6)))
    for (dataset, column, alpha), mean in zip(
        (("CIFAR-10", "baseline", 0.0), ("CIFAR-10", "CNN-interpolated", FIRST_LAYER_ALPHA),
         ("CIFAR-100", "baseline", 0.0), ("CIFAR-100", "CNN-interpolated", FIRST_LAYER_ALPHA)), numbers)
]

PAPER_NUMBERS = [*TABLE_1A, *TABLE_1B, *TABLE_4, *TABLE_5]


@dataclass(frozen=True)
class PaperExtremum:
    """An alpha where Figure 2's curve turns, as Sec. 4.1 states it (the figure itself prints no numbers)."""

    source: str
    experiment: str
    kind: str  # "minimum" or "local maximum"
    alpha: float


FIGURE_2_EXTREMA = [
    PaperExtremum("Figure 2 (left), Sec. 4.1", "cnn", "minimum", 5e-3),
    PaperExtremum("Figure 2 (right), Sec. 4.1", "mixer", "minimum", 1e-2),
    PaperExtremum("Figure 2 (right), Sec. 4.1", "mixer", "local maximum", 5e-4),
]


def paper_table(numbers: list[PaperNumber]) -> pd.DataFrame:
    """``numbers`` as printed: one row per model, one "mean ± std" column per dataset role."""
    frame = pd.DataFrame([asdict(n) for n in numbers])
    frame["printed"] = [format_mean_std(n.mean, n.std) for n in numbers]
    table = frame.pivot_table(index="row", columns="dataset", values="printed", aggfunc="first", sort=False)
    table.columns.name = None
    table.index.name = "model"
    return table


def format_mean_std(mean: float, std: float | None, digits: int = 2) -> str:
    """'58.36 ± 0.44', or '58.36' where there is no deviation (one seed, or none printed)."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    if std is None or (isinstance(std, float) and math.isnan(std)):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def dataset_for_role(profile, role: str) -> str | None:
    """The profile's dataset playing ``role`` ("CIFAR-10" / "CIFAR-100"), or None when it skips it."""
    if role not in DATASET_ROLES:
        raise ValueError(f"unknown dataset role {role!r}; choose one of {', '.join(DATASET_ROLES)}")
    return next((dataset for dataset in profile.datasets if ROLE_OF_DATASET.get(dataset) == role), None)


def paper_share_points(numbers: list[PaperNumber] = PAPER_NUMBERS, role: str = "CIFAR-10") -> pd.DataFrame:
    """Table 1's I-MLP numbers of ``role`` at their accumulated prior share 1 − (1 − α)^100 (notebook 07)."""
    rows = [{"prior": n.prior, "alpha": n.alpha, "dataset": n.dataset, "mean": n.mean,
             "share": 1 - (1 - n.alpha) ** PAPER_EPOCHS}
            for n in numbers if n.source.startswith("Table 1") and n.metric == "test_acc" and n.dataset == role]
    return pd.DataFrame(rows)
