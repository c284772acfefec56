"""Tables saved as CSV + Markdown under ``results/``, and the README's blocks assembled from judged stores.

Nothing here is a sentence: every sentence about results is :mod:`imlp_core.reading.prose`'s; the tables here are
Table 5's layout, what a notebook shows after training, and the blocks the README and the site share.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from imlp_core.facts import parameter_counts
from imlp_core.reading import prose
from imlp_core.reading.paper import TABLE_5, TABLE_5_PARAMS
from imlp_core.reading.verdicts import JudgedStore, ours_table


def save_table(table: pd.DataFrame, name: str, folder: Path, index: bool = True, integers: bool = True) -> list[Path]:
    """``<folder>/<name>.csv`` and ``.md`` (``folder``: ``paths.results_dir`` of an output root; a GitHub Markdown
    table; ``integers=False``: pandas' own formatting)."""
    csv, md = Path(folder) / f"{name}.csv", Path(folder) / f"{name}.md"
    table.to_csv(csv, index=index)
    md.write_text((markdown(table, index=index) if integers else table.to_markdown(index=index)) + "\n")
    return [csv, md]


def markdown(table: pd.DataFrame, index: bool = True) -> str:
    """A GitHub Markdown table with integers written out (16,930,826, not 1.69308e+07)."""
    return table.astype(object).to_markdown(index=index, intfmt=",")


def table5_parameter_table() -> pd.DataFrame:
    """Table 5's parameter columns, ours (``facts.parameter_counts``, held equal to the models') beside the paper's,
    with our total's difference in %."""
    counts = pd.DataFrame([parameter_counts(prior) for prior in dict.fromkeys(n.prior for n in TABLE_5)])
    counts = counts.set_index("model").join(TABLE_5_PARAMS.add_prefix("paper_"))
    counts["total_difference_%"] = (100 * (counts.total_params / counts.paper_total_params - 1)).round(3)
    return counts


def table5_table(runs: pd.DataFrame, profile) -> pd.DataFrame:
    """Table 5 as the paper lays it out: per model, its parameters, then baseline and interpolated accuracy per
    dataset role (ours: mean [95 % interval] (seeds))."""
    table = ours_table(runs, TABLE_5, profile)
    table.index = pd.MultiIndex.from_tuples([tuple(i.split(" ", 1)) for i in table.index], names=["model", "training"])
    table = table.unstack("training")
    table.columns = [f"{dataset} {training}" for dataset, training in table.columns]
    counts = table5_parameter_table()[["total_params", "interpolated_params"]]
    return counts.rename(columns={"total_params": "# total params", "interpolated_params": "# interpolated params"}).join(table)


def runs_table(runs: pd.DataFrame, columns: tuple[str, ...] = ("dataset", "seed", "label")) -> pd.DataFrame:
    """What a notebook shows after training: each run's final accuracy and its prior's in % (rounded), and status."""
    return runs[[*columns, "test_acc", "prior_test_acc", "status"]].assign(
        test_acc=lambda f: (100 * f.test_acc).round(2), prior_test_acc=lambda f: (100 * f.prior_test_acc).round(2))


def held_out_markdown(judged: JudgedStore) -> str:
    """The README's held-out block: each finding registered before seeds 3–7, judged on those seeds alone."""
    held = [v for v in judged.verdicts if v.claim.family == "held-out"]
    return markdown(prose.claims_table(held)[["id", "claim", "ours (paired difference, 95 % interval)",
                                               "Holm-adjusted", "verdict", "counted"]], index=False)


def headline_markdown(stores: dict[str, JudgedStore]) -> str:
    """The headline block of the README and the site: the counted claims per scale and family, and every claim run
    at some scale with its verdict at each, beside the data it was judged on."""
    by_scale = {scale: list(s.verdicts) for scale, s in stores.items()}
    data = {scale: prose.data_text(s.sources, named=False) for scale, s in stores.items()}
    return (markdown(prose.headline_counts(by_scale)) + "\n\n"
            + markdown(prose.headline_verdicts(by_scale, data), index=False))


def summary_markdown(stores: dict[str, JudgedStore], glossary: str, figure: str) -> str:
    """The answer first (README, the site's landing page, notebook 07): :func:`prose.summary` of both stores, its
    links relative to where it is shown."""
    return prose.summary({scale: list(s.verdicts) for scale, s in stores.items()},
                         {scale: prose.budget_range_text(s.epochs, s.images) for scale, s in stores.items()},
                         prose.data_text(sorted({source for s in stores.values() for source in s.sources})),
                         sum(s.records for s in stores.values()), glossary, figure)
