"""Figures of notebooks 03–08 and the story in one figure (07): seaborn plots readable in print, saved as PNG + PDF
under ``figures/``.

Runs come in as ``experiments`` DataFrames (one row per I-MLP; accuracies as fractions, drawn in %). A figure
is named where its notebook saves it (:meth:`imlp_core.notebook.Notebook.save_figure`). Priors are named as
their class says (``models.Prior.display_name`` / ``legend_name``).

Every mean over seeds is drawn with its 95 % Student-t interval (:func:`imlp_core.reading.inference.t_interval`, one
call per point, through :func:`intervals`) as a band or as error bars, and the figure says over how many seeds
(:func:`seeds_note`; one seed has no interval and says so). Each interval artist carries the ``gid``
"<name> interval" and its mean line or points the ``gid`` "<name>", so that tests can read what a figure draws.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_pdf import PdfFile, RendererPdf
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import Bbox

from imlp_core.models import PRIORS
from imlp_core.reading.paper import PAPER_EPOCHS, PAPER_NUMBERS, PaperNumber
from imlp_core.reading.prose import NO_RUNS
from imlp_core.reading.inference import (
    CONFIDENCE, Interval, alpha_curves, clean, mlp_accuracy, percent, prior_accuracy, t_interval,
)
from imlp_core.reading.verdicts import (
    DEFAULT, find_v, hidden_layer_balance, interior_constant, predicted_balance,
)

ACCURACY = "test accuracy (%)"

ZERO_LABEL = "0"
ONE_LABEL = "1"

INTERVAL = f"{CONFIDENCE * 100:g} % interval"  # "95 % interval"


def use_style() -> None:
    """One look for every figure: seaborn's paper context, large enough to read in print."""
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.35)
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.bbox": "tight", "legend.frameon": True,
                                "axes.titleweight": "bold"})


PAGE_GRID_PT = 1 / 7  # the PDF page's corners lie on this grid (pdf_page)


def pdf_page(fig: plt.Figure) -> Bbox:
    """The area ``bbox_inches="tight"`` saves to PDF (the figure laid out at 72 dpi and measured with the PDF
    backend's font metrics, padded by ``savefig.pad_inches``; inches), its corners rounded to the nearest 1/7 pt.
    Left as they are, corners such as 792.4929625 pt are ties for the 6 digits the PDF writes, so the last bit of a
    float, which differs between machines, picks the digit; no decimal or binary fraction (what figure sizes, pads
    and font metrics are made of) lies on a midpoint of this grid or prints as a tie from it."""
    dpi = fig.dpi
    fig.dpi = 72  # as savefig lays a PDF out
    try:
        fig.draw_without_rendering()
        width, height = fig.get_size_inches() * 72
        tight = fig.get_tightbbox(RendererPdf(PdfFile(io.BytesIO()), 72, height, width))
        corners = tight.padded(matplotlib.rcParams["savefig.pad_inches"]).get_points()  # read while at 72 dpi
    finally:
        fig.dpi = dpi
    return Bbox(np.round(corners * 72 / PAGE_GRID_PT) * PAGE_GRID_PT / 72)


def save_figure(fig: plt.Figure, name: str, folder: Path) -> list[Path]:
    """``<folder>/<name>.png`` (150 dpi) and ``.pdf`` (``folder``: ``paths.figures_dir`` of an output root), without time stamps and on a page that does not depend on
    the last bit of a float (:func:`pdf_page`), so that reruns, here or on another machine, give equal files."""
    png, pdf = Path(folder) / f"{name}.png", Path(folder) / f"{name}.pdf"
    fig.savefig(png, dpi=150, metadata={"Software": None})
    fig.savefig(pdf, bbox_inches=pdf_page(fig), metadata={"CreationDate": None, "Producer": None, "Creator": None})
    return [png, pdf]


def dataset_title(role: str, dataset: str) -> str:
    """'CIFAR-10' where the profile trains the paper's dataset, else 'synthetic (in place of CIFAR-10)'."""
    same = dataset.replace("-", "").lower() == role.replace("-", "").lower()
    return role if same else f"{dataset} (in place of {role})"


def budget_caption(runs: pd.DataFrame) -> str:
    """'3 epochs · 8,000 training images · 1 seed': what a figure's numbers were trained with."""
    if runs.empty:
        return ""
    first, seeds = runs.iloc[0], runs["seed"].nunique()
    images = "all" if pd.isna(first["train_subset"]) else f"{int(first['train_subset']):,}"
    return f"{int(first['epochs'])} epochs · {images} training images · {seeds} seed{'s' if seeds > 1 else ''}"


# ---------------------------------------------------------------------------------------------
# Means over seeds and their intervals


def seeds_note(counts: Iterable[int]) -> str:
    """What a figure's means are over: 'mean and 95 % interval over 3 seeds' ('over 2–3 seeds' where points
    differ), '1 seed, no interval', or 'no runs'. ``counts``: the number of seeds behind each point."""
    counts = sorted({int(n) for n in counts if n and n > 0})
    if not counts:
        return "no runs"
    if counts[-1] == 1:
        return "1 seed, no interval"
    span = f"{counts[0]}–{counts[-1]}" if len(counts) > 1 else f"{counts[0]}"
    return f"mean and {INTERVAL} over {span} seeds"


def seeds_label(name: str, runs: pd.DataFrame) -> str:
    """'I-MLP (mean and 95 % interval over 3 seeds)', or 'I-MLP (1 seed, no interval)'."""
    return f"{name} ({seeds_note([runs['seed'].nunique()])})"


def intervals(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Mean, low, high and n over seeds (the rows) of each column of ``per_seed``, one
    :func:`imlp_core.reading.inference.t_interval` per column (NaN bounds for one seed); columns without a value left out."""
    found = [t_interval(per_seed[column]) for column in per_seed.columns]
    frame = pd.DataFrame([(i.mean, i.low, i.high, i.n) for i in found], index=per_seed.columns,
                         columns=["mean", "low", "high", "n"])
    return frame[frame["n"] > 0]


def seed_intervals(frame: pd.DataFrame, by: str | Sequence[str], value: str) -> pd.DataFrame:
    """One row per value of ``by``: the mean of ``value`` over seeds with its t-interval (:func:`intervals`).
    Rows of one seed and group are averaged first, so ``n`` counts seeds."""
    by = [by] if isinstance(by, str) else list(by)
    if frame.empty or frame[value].isna().all():
        return pd.DataFrame(columns=[*by, "mean", "low", "high", "n"])
    per_seed = frame.pivot_table(index="seed", columns=by, values=value, aggfunc="mean")
    return intervals(per_seed).reset_index()


def as_interval(row: pd.Series) -> Interval:
    return Interval(float(row["mean"]), float(row["low"]), float(row["high"]), int(row["n"]))


def short_interval(interval: Interval, unit: str = " %") -> str:
    """'58.4 % [57.1, 59.7]' (one seed: '58.4 %')."""
    if interval.n == 0 or math.isnan(interval.mean):
        return "—"
    if math.isnan(interval.low):
        return f"{interval.mean:.1f}{unit}"
    return f"{interval.mean:.1f}{unit} [{interval.low:.1f}, {interval.high:.1f}]"


def draw_band(ax: plt.Axes, x, summary: pd.DataFrame, color, name: str, label: str | None = None,
              **line_kwargs) -> None:
    """``summary``'s mean (a :func:`seed_intervals` frame) as a line at ``x``, its interval as a band."""
    x = np.asarray(x, dtype=float)
    line, = ax.plot(x, summary["mean"].to_numpy(float), color=color, label=name if label is None else label,
                    **line_kwargs)
    line.set_gid(name)
    band = ax.fill_between(x, summary["low"].to_numpy(float), summary["high"].to_numpy(float), color=color,
                           alpha=0.2, linewidth=0)
    band.set_gid(f"{name} interval")


def draw_errorbars(ax: plt.Axes, x, summary: pd.DataFrame, color, name: str, label: str | None = None,
                   **kwargs) -> None:
    """``summary``'s mean as points (and line, per ``kwargs``) at ``x``, its interval as error bars."""
    mean = summary["mean"].to_numpy(float)
    below = np.nan_to_num(mean - summary["low"].to_numpy(float), nan=0.0)
    above = np.nan_to_num(summary["high"].to_numpy(float) - mean, nan=0.0)
    kwargs = {"capsize": 3, "elinewidth": 1.2, **kwargs}
    container = ax.errorbar(np.asarray(x, dtype=float), mean, yerr=[below, above], color=color,
                            label=name if label is None else label, **kwargs)
    container.lines[0].set_gid(name)
    for bars in container.lines[2]:
        bars.set_gid(f"{name} interval")


def draw_reference(ax: plt.Axes, interval: Interval, color, label: str, name: str, linestyle: str = "--") -> None:
    """A horizontal line at ``interval``'s mean and a shaded span over its interval (none for one seed)."""
    if interval.n == 0 or math.isnan(interval.mean):
        return
    ax.axhline(interval.mean, color=color, linestyle=linestyle, label=label, gid=name)
    if not math.isnan(interval.low):
        ax.axhspan(interval.low, interval.high, color=color, alpha=0.12, linewidth=0, gid=f"{name} interval")


# ---------------------------------------------------------------------------------------------
# Axes, titles


def draw_axis_break(ax: plt.Axes, x: float) -> None:
    """A broken-axis mark (//) on the bottom spine at ``x``: where a log axis jumps to the value 0 on its left."""
    ax.annotate("//", (x, 0), xycoords=("data", "axes fraction"), ha="center", va="center", fontsize=13,
                fontweight="bold", annotation_clip=False, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})


def label_zero_on_log_axis(ax: plt.Axes, zero_at: float, ticks: Iterable[float], axis_break: bool = True) -> None:
    """Ticks at ``zero_at`` (labelled 0: where alpha = 0 is drawn on a log axis) and at ``ticks``; with
    ``axis_break``, the // mark between them, at ``2 zero_at``."""
    ticks = list(ticks)
    ax.set_xticks([zero_at, *ticks], [ZERO_LABEL] + [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    if axis_break:
        draw_axis_break(ax, zero_at * 2)


def set_title(ax: plt.Axes, title: str, runs: pd.DataFrame | None = None) -> None:
    """``title`` in bold, and under it in grey the budget the runs were trained with (:func:`budget_caption`)."""
    caption = budget_caption(runs) if runs is not None else ""
    ax.set_title(f"{title}\n" if caption else title)
    if caption:
        ax.text(0.5, 1.0, caption, transform=ax.transAxes, ha="center", va="bottom", fontsize=10, color="dimgrey")


def set_figure_title(fig: plt.Figure, title: str, runs: pd.DataFrame | None = None, note: str = "") -> None:
    """A many-panel figure's ``title`` in bold over all panels, and under it in grey the runs' budget
    (:func:`budget_caption`) and ``note`` (e.g. :func:`seeds_note`). Call after the layout: room is made on top."""
    caption = " · ".join(part for part in (budget_caption(runs) if runs is not None else "", note) if part)
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, 1 - (0.85 if caption else 0.5) / height))
    fig.suptitle(title, fontweight="bold", y=1 - 0.08 / height, va="top")
    if caption:
        fig.text(0.5, 1 - 0.5 / height, caption, ha="center", va="top", fontsize=11, color="dimgrey")


def finish_accuracy_figure(fig: plt.Figure, ax: plt.Axes, xlabel: str, title: str,
                           runs: pd.DataFrame | None = None) -> plt.Figure:
    """The labels, title (with the runs' budget under it), legend and layout every accuracy figure shares."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ACCURACY)
    set_title(ax, title, runs)
    ax.legend(loc="best", fontsize=9)
    fig.tight_layout()
    return fig


def zero_position(values: Iterable[float]) -> float:
    """Where 0 is drawn on a log axis of ``values`` (α, or the prior's share): a quarter of the smallest positive
    value shown (the // break is at half)."""
    positive = [v for v in values if v > 0]
    return (min(positive) if positive else 1e-4) / 4


def on_log_axis(values: pd.Series, zero_at: float) -> pd.Series:
    """``values`` as drawn on a log axis: 0 at ``zero_at`` (:func:`zero_position`)."""
    return values.where(values > 0, zero_at)


LOG_TICKS = (1e-4, 1e-3, 1e-2, 0.1, 1.0)


# ---------------------------------------------------------------------------------------------
# Notebooks 03–05: Figures 2 and 3, and the epochs


def alpha_sweep_figure(runs: pd.DataFrame, title: str, extrema: Iterable = ()) -> plt.Figure:
    """Figure 2: I-MLP test accuracy (%) against α on a log axis, α = 0 drawn left of a break.

    Lines: the I-MLP mean over seeds with its 95 % t-interval as a band (α = 0 as a point with error bars left of
    the break); dashed references, each with its interval shaded, for the S-MLP (α = 0) and for the prior (its own
    accuracy, trained alongside); dash-dotted verticals where the paper's curve turns.
    """
    use_style()
    prior_label = PRIORS[runs["prior"].iloc[0]].display_name
    constant = runs[runs["schedule"] == "constant"]
    extrema = list(extrema)
    zero_at = zero_position([*constant["alpha"], *(e.alpha for e in extrema)])
    curve = intervals(alpha_curves(runs))
    grid = curve[curve.index > 0]
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    draw_band(ax, grid.index, grid, "C0", "I-MLP", label=f"I-MLP ({seeds_note(curve['n'])})", marker="o")
    smlp = mlp_accuracy(constant, alpha=0.0)
    if smlp.n:
        draw_errorbars(ax, [zero_at], curve.loc[[0.0]], "C0", "I-MLP α = 0", label="_I-MLP α = 0", marker="s",
                       linestyle="none")
        draw_reference(ax, smlp, "C2", f"S-MLP (I-MLP α = 0): {short_interval(smlp)}", "S-MLP")
    prior = prior_accuracy(runs)
    draw_reference(ax, prior, "C3", f"{prior_label} (prior): {short_interval(prior)}", "prior")
    for extremum, colour in zip(extrema, ("C1", "C4", "C5")):  # in the legend, so that no line crosses a label
        ax.axvline(extremum.alpha, color=colour, linestyle="-.", linewidth=1.4,
                   label=f"paper's {extremum.kind} (Fig. 2): α ≈ {extremum.alpha:g}")
    ax.set_xscale("log")
    label_zero_on_log_axis(ax, zero_at, sorted({a for a in grid.index if a in LOG_TICKS}))
    return finish_accuracy_figure(fig, ax, "interpolation weight α (log scale; 0 drawn left of the // break)", title,
                                  runs)


def decay_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Figure 3: accuracy against the decay exponent k of α[t] = a (1 − t/t_max)^k, with Table 4's baselines.

    The decays' mean over seeds with its 95 % t-interval as a band; each baseline a dashed line with its interval
    shaded."""
    use_style()
    decay = runs[runs["schedule"] == "decay"].assign(**{ACCURACY: lambda frame: percent(frame["test_acc"])})
    a = float(decay["alpha"].iloc[0]) if len(decay) else 0.5
    curve = seed_intervals(decay, "k", ACCURACY)
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    draw_band(ax, curve["k"], curve, "C0", "I-MLP decay",
              label=f"I-MLP, decay a = {a:g} ({seeds_note(curve['n'])})", marker="o")
    prior_name = PRIORS[runs["prior"].iloc[0]].display_name if len(runs) else "CNN"
    references = [("no interpolation α[t] = 0", "no interpolation", mlp_accuracy(runs, schedule="constant", alpha=0.0),
                   "C2", "--"),
                  (f"test-time only α_test = {a:g}", "test-time", mlp_accuracy(runs, schedule="test-time"), "C1", "-."),
                  (f"{prior_name} (prior)", "prior", prior_accuracy(runs), "C3", "--")]
    for label, name, value, colour, style in references:
        draw_reference(ax, value, colour, f"{label}: {short_interval(value)}", name, style)
    return finish_accuracy_figure(fig, ax, "decay exponent k in α[t] = a (1 − t / t_max)^k  (k = 0: constant)", title,
                                  runs)


RUN_COLUMNS = ["experiment", "prior", "dataset", "label", "schedule", "alpha", "k", "seed", "epochs"]


def epoch_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, epoch): the run's :data:`RUN_COLUMNS` (those it has), its accuracy and its prior's in %
    (NaN where a stopped model has none), and the prior's accumulated share 1 − Π(1 − α[t])."""
    columns = [column for column in RUN_COLUMNS if column in runs]
    in_percent = lambda value: math.nan if value is None else 100 * value
    rows = []
    for _, run in runs.iterrows():
        kept = 1.0
        for entry in run["history"]:
            kept *= 1.0 - float(entry["alpha"])
            rows.append({**{column: run[column] for column in columns}, "epoch": entry["epoch"],
                         ACCURACY: in_percent(entry["test_acc"]),
                         "prior " + ACCURACY: in_percent(entry.get("prior_test_acc")), "share": 1.0 - kept})
    return pd.DataFrame(rows, columns=[*columns, "epoch", ACCURACY, "prior " + ACCURACY, "share"])


MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">", "*", "h", "p")
LINESTYLES = ("-", "--", "-.", ":")


def coinciding(curves: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each label whose mean curve (epoch, mean) equals an earlier label's, mapped to that earlier label."""
    same: dict[str, str] = {}
    for i, (label, curve) in enumerate(curves.items()):
        for other, earlier in list(curves.items())[:i]:
            if other in same:
                continue
            if (len(curve) == len(earlier) and np.array_equal(curve["epoch"].to_numpy(), earlier["epoch"].to_numpy())
                    and np.allclose(curve["mean"].to_numpy(float), earlier["mean"].to_numpy(float), rtol=0,
                                    atol=1e-9, equal_nan=True)):
                same[label] = other
                break
    return same


def epoch_offsets(count: int, spread: float = 0.5) -> np.ndarray:
    """Sideways offsets (in epochs) of ``count`` curves drawn at the same epochs, within ± ``spread`` / 2."""
    step = min(0.06, spread / max(count, 1))
    return (np.arange(count) - (count - 1) / 2) * step


def epoch_curves_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Test accuracy (%) after every epoch for each schedule, and the prior's.

    Each schedule is the mean over seeds with its 95 % t-interval as error bars. Schedules share epochs, and
    some share whole curves (constant a and decay with k = 0 are the same run rule; test-time-only interpolation
    trains as no interpolation), so that lines would hide each other: each schedule has its own marker and line
    style, is offset sideways by a few hundredths of an epoch, and a curve equal to an earlier one says so in the
    legend ("same curve as …")."""
    use_style()
    epochs = epoch_frame(runs)
    labels = list(dict.fromkeys(epochs["label"]))
    curves = {label: seed_intervals(epochs[epochs["label"] == label], "epoch", ACCURACY) for label in labels}
    twins = coinciding(curves)
    fig, ax = plt.subplots(figsize=(11, 5.4))
    palette = sns.color_palette("husl", max(len(labels), 1))
    for i, (label, offset) in enumerate(zip(labels, epoch_offsets(len(labels)))):
        curve = curves[label]
        shown = f"{label}  (same curve as {twins[label]})" if label in twins else label
        draw_errorbars(ax, curve["epoch"].to_numpy(float) + offset, curve, palette[i], label, label=shown,
                       marker=MARKERS[i % len(MARKERS)], linestyle=LINESTYLES[i % len(LINESTYLES)], markersize=5,
                       capsize=2, elinewidth=0.9, linewidth=1.4)
    prior = seed_intervals(epochs.drop_duplicates(["seed", "epoch"]), "epoch", "prior " + ACCURACY)
    prior_name = PRIORS[runs["prior"].iloc[0]].display_name if len(runs) else "CNN"
    if len(prior):
        draw_band(ax, prior["epoch"], prior, "black", "prior", label=f"{prior_name} (prior)", linestyle="--")
    counts = [*prior["n"], *(n for curve in curves.values() for n in curve["n"])]
    ax.set_xlabel("epoch (interpolation after each)\nschedules drawn slightly apart sideways, so that none hides another")
    ax.set_ylabel(ACCURACY)
    ax.set_xticks(sorted(epochs["epoch"].unique()))
    set_title(ax, title, runs)
    ax.legend(fontsize=8, ncol=1, loc="center left", bbox_to_anchor=(1.01, 0.5), title=seeds_note(counts),
              title_fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 07: accuracy against the prior's accumulated share


SHARE_EDGE = 1e-4  # shares within this of 1 are drawn at 1, beyond the right // break (positive ones below, at it)
SHARE_TICKS = (1e-3, 1e-2, 0.1, 0.5, 0.9, 0.99, 0.999)


def share_ends(shares: Iterable[float]) -> tuple[float, float]:
    """Where a share of 0 and a share of 1 are drawn on the logit axis: beyond the smallest and the largest share
    shown between :data:`SHARE_EDGE` and 1 − :data:`SHARE_EDGE`, by the same factor 4 in logit as
    :func:`zero_position` (the // breaks at factor 2)."""
    inner = [min(max(s, SHARE_EDGE), 1 - SHARE_EDGE) for s in shares if 0 < s < 1 - SHARE_EDGE] or [0.01, 0.99]
    low, high = min(inner), max(max(inner), 0.5)
    return min(low, 0.5) / 4, 1 - (1 - high) / 4


def on_share_axis(shares: pd.Series, ends: tuple[float, float]) -> pd.Series:
    """``shares`` as drawn on the logit axis (:func:`share_ends`): 0 at the left end, within
    :data:`SHARE_EDGE` of 1 at the right end, tiny positive shares at :data:`SHARE_EDGE`."""
    zero_at, one_at = ends
    drawn = shares.clip(lower=SHARE_EDGE).where(shares > 0, zero_at)
    return drawn.where(shares <= 1 - SHARE_EDGE, one_at)


def label_share_axis(ax: plt.Axes, ends: tuple[float, float]) -> None:
    """Logit x axis with ticks 0 and 1 at ``ends`` and // breaks between them and the shares shown."""
    zero_at, one_at = ends
    ax.set_xscale("logit")
    ticks = [t for t in SHARE_TICKS if zero_at * 2 < t < 1 - (1 - one_at) * 2]
    ax.set_xticks([zero_at, *ticks, one_at], [ZERO_LABEL, *(f"{t:g}" for t in ticks), ONE_LABEL])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(zero_at / 1.6, 1 - (1 - one_at) / 1.6)
    draw_axis_break(ax, zero_at * 2)
    draw_axis_break(ax, 1 - (1 - one_at) * 2)


def final_shares(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with ``share``, the prior's accumulated share after the run's last epoch, 1 − Π_t (1 − α[t]), and
    its final test accuracy in %."""
    share = [1.0 - float(np.prod([1.0 - float(entry["alpha"]) for entry in history])) for history in runs["history"]]
    return runs.assign(share=share, **{ACCURACY: percent(runs["test_acc"])})


def accumulated_share_figure(runs: pd.DataFrame, paper: pd.DataFrame, title: str) -> plt.Figure:
    """Final accuracy (%) against the prior's accumulated share 1 − Π_t (1 − α[t]) (1 − (1 − α)^T for constant α).

    One panel per prior (the paper's Table 1 priors first), so that no prior's points hide another's; only each
    run's final epoch (its final test accuracy, on the full test set), as the mean over seeds with its 95 %
    t-interval as error bars, one series per experiment and schedule with its T in the legend. The paper's
    Table 1 numbers sit at their T = 100 shares. ``paper`` has columns prior, alpha, dataset, mean (%).

    The x axis is a **logit** scale: it spreads both ends alike, so that the small shares where the paper's
    minimum sits (0.001–0.1, α ≈ 10⁻⁴–10⁻³ over 100 epochs) and the large ones (0.3–1, α ≥ 0.005, where most of
    Table 1's α lie and where the curves rise to the prior) are both readable; a log axis crushed 0.3–1 into its
    last fifth, a linear one would crush 0–0.1. Share 0 (α = 0) and shares within 10⁻⁴ of 1 (α ≥ 0.1 over 100
    epochs: the prior's weights, for every purpose) are drawn at the two ends beyond // breaks.
    """
    use_style()
    points = final_shares(runs[runs["schedule"].isin(["constant", "decay"])])
    priors = [p for p in dict.fromkeys([*paper["prior"], *points["prior"]]) if (points["prior"] == p).any()]
    if not priors:
        return no_runs_figure(title, "No constant or decaying α runs to draw.")
    ends = share_ends([*points["share"], *paper["share"]])
    columns = min(len(priors), 2)
    rows = math.ceil(len(priors) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(7 * columns, 4.6 * rows), sharey=True, squeeze=False)
    counts = []
    for ax, prior in zip(axes.flat, priors):
        ours = points[points["prior"] == prior]
        series = list(dict.fromkeys(zip(ours["experiment"], ours["schedule"], ours["epochs"])))
        for i, (experiment, schedule, epochs) in enumerate(series):
            chosen = ours[(ours["experiment"] == experiment) & (ours["schedule"] == schedule)
                          & (ours["epochs"] == epochs)]
            summary = seed_intervals(chosen, ["share", "alpha", "k"], ACCURACY).sort_values("share")
            counts += list(summary["n"])
            rule = "constant α" if schedule == "constant" else f"decaying α (a = {chosen['alpha'].iloc[0]:g}, k varied)"
            name = f"ours, {rule}, T = {int(epochs)} ({experiment} runs)"
            draw_errorbars(ax, on_share_axis(summary["share"], ends), summary, f"C{i}", name,
                           marker=MARKERS[i % len(MARKERS)], markersize=6,
                           linestyle="-" if schedule == "constant" else "none", linewidth=1.2)
        chosen = paper[paper["prior"] == prior]
        if len(chosen):
            ax.scatter(on_share_axis(chosen["share"], ends), chosen["mean"], marker="*", s=180, color="black",
                       label=f"paper, Table 1 (T = {PAPER_EPOCHS})", zorder=5, gid="paper")
        label_share_axis(ax, ends)
        ax.set_title(f"{PRIORS[prior].display_name} prior" if prior in PRIORS else str(prior), fontsize=12)
        ax.set_xlabel("prior's accumulated share 1 − Π(1 − α[t]), logit scale\n(0, and shares ≥ 1 − 10⁻⁴, drawn beyond the // breaks)")
        ax.set_ylabel(ACCURACY)
        ax.legend(fontsize=8, loc="best")
    for ax in axes.flat[len(priors):]:
        ax.set_visible(False)
    set_figure_title(fig, title, runs, f"final epoch; {seeds_note(counts)}")
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 06: Table 5


def first_layer_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Table 5 as bars: per model (MLP-1, MLP-2), the baseline (α = 0), the CNN-interpolated MLP and its CNN
    prior's own accuracy (trained alongside), each the mean over seeds with its 95 % t-interval as error bars."""
    use_style()
    models = list(dict.fromkeys(runs["prior"]))
    pulled = sorted(a for a in runs["alpha"].unique() if a > 0)
    bars = [("baseline (α = 0)", "baseline", lambda chosen: mlp_accuracy(chosen, schedule="constant", alpha=0.0), "C0"),
            (f"CNN-interpolated (α = {pulled[0]:g})" if pulled else "CNN-interpolated", "CNN-interpolated",
             lambda chosen: mlp_accuracy(chosen, schedule="constant", alpha=pulled[0]) if pulled else t_interval([]),
             "C1"),
            ("its CNN prior", "prior", prior_accuracy, "C3")]
    fig, ax = plt.subplots(figsize=(8, 4.6))
    width = 0.26
    counts = []
    for j, (label, name, measure, colour) in enumerate(bars):
        found = [measure(runs[runs["prior"] == model]) for model in models]
        counts += [i.n for i in found]
        means = np.array([i.mean for i in found], dtype=float)
        yerr = np.nan_to_num([[i.mean - i.low for i in found], [i.high - i.mean for i in found]], nan=0.0)
        container = ax.bar(np.arange(len(models)) + (j - 1) * width, means, width, yerr=yerr, capsize=4,
                           color=colour, label=label, gid=name, error_kw={"gid": f"{name} interval"})
        ax.bar_label(container, labels=["" if math.isnan(m) else f"{m:.1f}" for m in means], fontsize=9,
                     label_type="center", color="white", fontweight="bold")
    ax.set_xticks(np.arange(len(models)), [PRIORS[m].legend_name if m in PRIORS else str(m) for m in models])
    ax.set_ylabel(ACCURACY)
    set_title(ax, title, runs)
    ax.legend(title=seeds_note(counts), title_fontsize=9, fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 08: the open choices


NO_BALANCE = "These runs record no drift or gap (they were made before the diagnostic existed)."


def no_runs_figure(title: str, message: str = NO_RUNS) -> plt.Figure:
    """A figure that says there is nothing to draw, so that a notebook run on an empty store still saves one."""
    use_style()
    fig, ax = plt.subplots(figsize=(7, 2))
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def show_x_labels_of_lowest(axes: np.ndarray, count: int, xlabel: str) -> None:
    """On a grid of shared-x panels of which the first ``count`` are used: tick labels and ``xlabel`` on each
    column's lowest used panel (the grid's last row may have unused panels)."""
    rows, columns = axes.shape
    for column in range(columns):
        used = [row for row in range(rows) if row * columns + column < count]
        if used:
            ax = axes[used[-1], column]
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel(xlabel)


def option_curves_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Figure 2 (left) under each open choice: one small panel per option value, the default's curve in each.

    As in Figure 2: α on a log axis with α = 0 drawn at :func:`zero_position`, left of a // break; each curve the
    mean over seeds with its 95 % t-interval as a band (α = 0 as a point with error bars), the prior's accuracy
    dotted with its interval shaded, and the V (:func:`imlp_core.reading.verdicts.find_v`) where one lies below both ends
    beyond noise. The budget and the seeds are said under the title."""
    if runs.empty:
        return no_runs_figure(title)
    use_style()
    constant = runs[runs["schedule"] == "constant"]
    zero_at = zero_position(constant["alpha"])
    options = [o for o in [DEFAULT] + sorted(set(constant["option"]) - {DEFAULT}) if (constant["option"] == o).any()]
    columns = min(3, len(options))
    rows = math.ceil(len(options) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.8 * columns, 3.6 * rows), sharex=True, sharey=True,
                             squeeze=False)
    default = intervals(alpha_curves(runs[runs["option"] == DEFAULT]))
    counts = []
    ticks = [t for t in LOG_TICKS if t >= zero_at * 4]
    for ax, option in zip(axes.flat, options):
        chosen = runs[runs["option"] == option]
        curve = intervals(alpha_curves(chosen))
        counts += list(curve["n"])
        if option != DEFAULT and len(default):
            ax.plot(default.index[default.index > 0], default["mean"][default.index > 0], color="grey",
                    linestyle="--", label="default (mean)", gid="default")
        grid = curve[curve.index > 0]
        draw_band(ax, grid.index, grid, "C0", f"{option}", marker="o", markersize=4)
        if 0.0 in curve.index:
            draw_errorbars(ax, [zero_at], curve.loc[[0.0]], "C0", f"{option} α = 0", label="_α = 0", marker="s",
                           markersize=5, linestyle="none")
        prior = prior_accuracy(chosen)
        draw_reference(ax, prior, "C3", f"prior {short_interval(prior)}", f"{option} prior", linestyle=":")
        v = find_v(chosen)
        if v:
            ax.axvline(v[0], color="C1", linewidth=4, alpha=0.25, label=f"V at α = {v[0]:g}", gid=f"{option} V")
        ax.set_xscale("log")
        label_zero_on_log_axis(ax, zero_at, ticks)
        ax.set_title(option, fontsize=11)
        ax.legend(fontsize=7, loc="lower left")
    for ax in axes.flat[len(options):]:
        ax.set_visible(False)
    show_x_labels_of_lowest(axes, len(options), "α (log scale; 0 left of the // break)")
    set_figure_title(fig, title, runs, seeds_note(counts))
    return fig


HIDDEN = "hidden layers only: the head (classifier) is left out"


def balance_figure(runs: pd.DataFrame, options: list[str], title: str) -> plt.Figure:
    """Top: the S-MLP's balance alpha per hidden layer over epochs (mean over seeds with its 95 % t-interval).
    Bottom: each constant-alpha model's balance alpha (median over hidden layers, last epoch) against its own alpha,
    every seed as its own marker and their mean with its interval, with the diagonal, the S-MLP's balance and the V.

    The head (the classifier, the last interpolated layer) is left out everywhere: its drift / gap measures the
    readout, not the features the pull shapes. A model that has settled (its gap no longer changes) pulls back
    exactly what Adam moves, so its drift / gap equals its alpha: it lies on the diagonal. Above it, Adam still
    drives W away from W_P faster than the pulls bring it back."""
    if runs.empty or not options:
        return no_runs_figure(title)
    balance = hidden_layer_balance(runs[runs["option"].isin(options)])
    if balance.empty:
        return no_runs_figure(title, NO_BALANCE)
    use_style()
    fig, axes = plt.subplots(2, len(options), figsize=(5.6 * len(options), 8.6), squeeze=False)
    counts = []
    for column, option in enumerate(options):
        frame = balance[balance["option"] == option]
        smlp_counts = []
        top, bottom = axes[0, column], axes[1, column]
        smlp = frame[(frame["schedule"] == "constant") & (frame["alpha"] == 0)]
        layers = sorted(smlp["layer"].unique(), key=lambda name: int(name.split()[-1]))
        palette = sns.color_palette("husl", max(len(layers), 1))
        for layer, colour in zip(layers, palette):
            curve = seed_intervals(smlp[smlp["layer"] == layer], "epoch", "balance α")
            smlp_counts += list(curve["n"])
            draw_band(top, curve["epoch"], curve, colour, f"{option} {layer}", label=layer, marker="o", markersize=4)
        top.set_yscale("log")
        top.xaxis.set_major_locator(MaxNLocator(integer=True))
        top.set_xlabel("epoch")
        top.set_ylabel("balance α = drift / gap")
        top.set_title(f"{option}: S-MLP (α = 0), drift / gap per hidden layer", fontsize=11)

        constant = interior_constant(frame)
        constant = constant[constant["epoch"] == constant["epoch"].max()]
        per_seed = constant.groupby(["seed", "alpha"])["balance α"].median().reset_index()
        for i, (seed, points) in enumerate(per_seed.groupby("seed")):
            bottom.scatter(points["alpha"], points["balance α"], marker=MARKERS[(i + 1) % len(MARKERS)], s=28,
                           color="dimgrey", alpha=0.8, label=f"seed {seed}", gid=f"{option} seed {seed}", zorder=3)
        curve = seed_intervals(per_seed, "alpha", "balance α")
        counts += list(curve["n"])
        if len(curve):
            draw_band(bottom, curve["alpha"], curve, "C0", f"{option} balance",
                      label=f"mean ({seeds_note(curve['n'])})", linewidth=1.5)
            grid = curve["alpha"].to_numpy(float)
            bottom.plot(grid, grid, color="black", linewidth=0.8, linestyle="--", label="balance α = α")
        predicted = predicted_balance(frame)
        if predicted:
            for ax in (top, bottom):
                ax.axhline(predicted, color="C2", linestyle=":", label=f"S-MLP's balance α ≈ {predicted:.2g}")
        v = find_v(runs[runs["option"] == option])
        if v:
            bottom.axvline(v[0], color="C1", linewidth=4, alpha=0.25, label=f"V at α = {v[0]:g}")
        counts += smlp_counts
        top.legend(fontsize=7, ncol=2, title=seeds_note(smlp_counts), title_fontsize=7)
        bottom.set_xscale("log")
        bottom.set_yscale("log")
        bottom.set_xlabel("the model's own α")
        bottom.set_ylabel("balance α (median over hidden layers)")
        bottom.set_title(f"{option}: where pull and drift balance (last epoch)", fontsize=11)
        bottom.legend(fontsize=7)
    set_figure_title(fig, title, runs[runs["option"].isin(options)], f"{HIDDEN}; {seeds_note(counts)}")
    return fig


# ---------------------------------------------------------------------------------------------
# Notebook 07: the story in one figure


STORY_ALPHA = 0.01  # Table 1's interior α, where the paper's V is printed


def paper_alpha_points(numbers: Sequence[PaperNumber] = PAPER_NUMBERS, prior: str = "cnn",
                       role: str = "CIFAR-10") -> pd.DataFrame:
    """The I-MLP accuracies the paper prints for a constant α with ``prior`` on ``role`` (Table 1, and Table 4's
    constant schedules): one row per α with mean and std (%) and the sources (a number printed twice, once)."""
    rows = [{"alpha": n.alpha, "mean": n.mean, "std": n.std, "source": n.source} for n in numbers
            if n.prior == prior and n.dataset == role and n.schedule == "constant" and n.metric == "test_acc"
            and n.experiment in (prior, "schedules")]
    points = pd.DataFrame(rows, columns=["alpha", "mean", "std", "source"])
    return (points.groupby(["alpha", "mean", "std"], as_index=False)["source"]
            .agg(lambda sources: ", ".join(dict.fromkeys(sources))).sort_values("alpha", ignore_index=True))


def equal_points_note(accuracy: dict[str, pd.DataFrame], name: str) -> str:
    """'α = 0, 1 equal to <earlier name>'s, seed by seed' where curve ``name`` (an :func:`alpha_curves` frame of
    ``accuracy``) has, at those α, the very accuracies of an earlier curve on every seed both hold; else ''."""
    names, own = list(accuracy), accuracy[name]
    for earlier in names[:names.index(name)]:
        other = accuracy[earlier]
        seeds = own.index.intersection(other.index)
        same = [alpha for alpha in own.columns.intersection(other.columns)
                if own.loc[seeds, alpha].notna().any()
                and np.array_equal(own.loc[seeds, alpha], other.loc[seeds, alpha], equal_nan=True)]
        if same:
            return f"α = {', '.join(f'{a:g}' for a in same)} equal to {earlier}'s, seed by seed"
    return ""


def cut_at_edge(ax: plt.Axes, gid: str) -> bool:
    """Whether the band ``gid`` (:func:`draw_band`) reaches beyond ``ax``'s y limits."""
    low, high = ax.get_ylim()
    bands = [artist for artist in ax.findobj() if artist.get_gid() == gid]
    ys = np.concatenate([path.vertices[:, 1] for band in bands for path in band.get_paths()] or [np.zeros(0)])
    ys = ys[np.isfinite(ys)]
    return bool(ys.size) and (ys.min() < low or ys.max() > high)


def padded_limits(values: Iterable[float], pad: float) -> tuple[float, float]:
    """The range of ``values`` (NaN left out), widened by ``pad`` on each side."""
    finite = clean(values)
    return float(finite.min()) - pad, float(finite.max()) + pad


def story_figure(curves: dict[str, pd.DataFrame], paper: pd.DataFrame, title: str) -> plt.Figure:
    """Test accuracy against α for one prior: the paper's printed points and each of ``curves`` (legend name → its
    constant-α runs, one configuration, one row per seed and α), α = :data:`STORY_ALPHA` marked.

    (a) accuracy (%): each curve's mean over seeds with its 95 % t-interval as a band, the paper's mean ± std as
    printed. (b) change from α = 0 on the same seed (percentage points): the mean of the per-seed differences with
    their paired 95 % t-interval (every α of a seed shares its prior and mini-batches), the paper's difference of
    printed means without one (it prints no per-seed values). α on a log axis, 0 drawn left of a // break, 1 at
    the right end. The y axes show every mean and printed point; an interval that reaches beyond (few seeds) is
    cut there, and its legend entry says so. ``paper``: :func:`paper_alpha_points`. Artists carry the ``gid``
    "<name>" (accuracy) and "<name> change" (panel b), each also with " interval", and "<name> α = 0"; the
    paper's "paper" and "paper change".
    """
    use_style()
    accuracy = {name: alpha_curves(runs) for name, runs in curves.items()}
    summaries = {name: intervals(frame) for name, frame in accuracy.items()}
    changes = {name: intervals(frame.drop(columns=0.0).sub(frame[0.0], axis=0))
               for name, frame in accuracy.items() if 0.0 in frame.columns}
    zero_at = zero_position([*paper["alpha"], *(a for frame in accuracy.values() for a in frame.columns)])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 10.5), sharex=True, height_ratios=[1.2, 1],
                                      layout="constrained")
    offsets = zero_at * 1.3 ** (np.arange(len(curves) + 1) - len(curves) / 2)  # α = 0 points side by side
    std = paper["std"].fillna(0.0).to_numpy(float)
    sources = ", ".join(dict.fromkeys(part for source in paper["source"] for part in source.split(", ")))
    printed = top.errorbar(on_log_axis(paper["alpha"], offsets[0]), paper["mean"], yerr=std, color="black",
                           marker="*", markersize=14, linestyle="none", capsize=4, zorder=5,
                           label=f"paper ({sources}): {PAPER_EPOCHS} epochs, all training images; "
                                 "(a) mean ± std as printed,\n(b) printed mean − printed mean at α = 0, without "
                                 "interval (no per-seed values printed)")
    printed.lines[0].set_gid("paper")
    for bars in printed.lines[2]:
        bars.set_gid("paper interval")
    at_zero = paper.loc[paper["alpha"] == 0, "mean"]
    changed = paper[paper["alpha"] > 0]
    paper_change = changed["mean"] - at_zero.iloc[0] if len(at_zero) else changed["mean"] * math.nan
    bottom.scatter(changed["alpha"], paper_change, color="black", marker="*", s=196, zorder=5, gid="paper change")
    for i, (name, summary) in enumerate(summaries.items()):
        grid = summary[summary.index > 0]
        draw_band(top, grid.index, grid, f"C{i}", name, marker="o", markersize=4)
        if 0.0 in summary.index:
            draw_errorbars(top, [offsets[i + 1]], summary.loc[[0.0]], f"C{i}", f"{name} α = 0",
                           label=f"_{name} α = 0", marker="s", markersize=6, linestyle="none")
        if name in changes:
            draw_band(bottom, changes[name].index, changes[name], f"C{i}", f"{name} change", label=f"_{name}",
                      marker="o", markersize=4)
    top.set_ylim(*padded_limits([*paper["mean"] - std, *paper["mean"] + std,
                                 *(m for summary in summaries.values() for m in summary["mean"])], 5.0))
    bottom.set_ylim(*padded_limits([0.0, *paper_change, *(m for c in changes.values() for m in c["mean"])], 3.0))
    for name, runs in curves.items():
        notes = [budget_caption(runs), equal_points_note(accuracy, name)]
        cut = [panel for panel, ax, gid in (("a", top, name), ("b", bottom, f"{name} change"))
               if cut_at_edge(ax, f"{gid} interval")]
        if cut:
            notes.append(f"interval cut at the edge of ({'), ('.join(cut)})")
        (mean_line,) = [drawn for drawn in top.get_lines() if drawn.get_gid() == name]
        mean_line.set_label(f"{name}: " + "; ".join(note for note in notes if note))
    bottom.axhline(0.0, color="dimgrey", linewidth=1)
    for ax in (top, bottom):
        ax.axvline(STORY_ALPHA, color="dimgrey", linestyle=":", linewidth=2, zorder=1)
        ax.set_xscale("log")
        draw_axis_break(ax, zero_at * 2)
    top.annotate(f"α = {STORY_ALPHA:g}", (STORY_ALPHA, 1), xycoords=("data", "axes fraction"), xytext=(4, -4),
                 textcoords="offset points", ha="left", va="top", color="dimgrey", fontsize=12)
    label_zero_on_log_axis(bottom, zero_at, [t for t in LOG_TICKS if t >= zero_at * 4], axis_break=False)
    bottom.set_xlim(zero_at / 1.8, 1.6)
    top.set_ylabel(ACCURACY)
    top.set_title("(a) test accuracy: mean over seeds with its 95 % interval", fontsize=12)
    bottom.set_ylabel("change from α = 0, same seed\n(percentage points)")
    bottom.set_title("(b) change from α = 0: mean of per-seed differences with their paired 95 % interval",
                     fontsize=12)
    bottom.set_xlabel("interpolation weight α (log scale; 0 drawn left of the // break)")
    data = ", ".join(sorted({str(s) for runs in curves.values() for s in runs["source"].dropna()}))
    fig.legend(*top.get_legend_handles_labels(), loc="outside lower center", fontsize=10,
               title=f"ours trained on {data}; each colour is one curve in (a) and (b)", title_fontsize=10)
    fig.suptitle(title, fontweight="bold")
    return fig
