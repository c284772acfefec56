"""Figures of notebooks 03–08: seaborn plots readable in print, saved as PNG + PDF under ``figures/``.

Runs come in as ``experiments`` DataFrames (one row per I-MLP; accuracies as fractions, drawn in %). A figure
is named where its notebook saves it (:meth:`imlp_core.notebook.Notebook.save_figure`). Priors are named as
their class says (``models.Prior.display_name`` / ``legend_name``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from imlp_core.models import PRIORS
from imlp_core.paper import PAPER_EPOCHS
from imlp_core.paths import figures_dir
from imlp_core.statistics import alpha_curve, mlp_accuracy, percent, prior_accuracy
from imlp_core.verdicts import DEFAULT, NO_RUNS, balance_frame, find_v, interior_constant, predicted_balance

ACCURACY = "test accuracy (%)"

ZERO_LABEL = "0"


def use_style() -> None:
    """One look for every figure: seaborn's paper context, large enough to read in print."""
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.35)
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.bbox": "tight", "legend.frameon": True,
                                "axes.titleweight": "bold"})


def save_figure(fig: plt.Figure, name: str) -> list[Path]:
    """``figures/<name>.png`` (150 dpi) and ``.pdf``, without time stamps so that reruns give equal files."""
    png, pdf = figures_dir() / f"{name}.png", figures_dir() / f"{name}.pdf"
    fig.savefig(png, dpi=150, metadata={"Software": None})
    fig.savefig(pdf, metadata={"CreationDate": None, "Producer": None, "Creator": None})
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


def seeds_label(name: str, runs: pd.DataFrame) -> str:
    """'I-MLP (mean ± std over 3 seeds)', or 'I-MLP (1 seed)' where there is no spread to show."""
    seeds = runs["seed"].nunique()
    return f"{name} (mean ± std over {seeds} seeds)" if seeds > 1 else f"{name} (1 seed)"


def draw_axis_break(ax: plt.Axes, x: float) -> None:
    """A broken-axis mark (//) on the bottom spine at ``x``: where a log axis jumps to the value 0 on its left."""
    ax.annotate("//", (x, 0), xycoords=("data", "axes fraction"), ha="center", va="center", fontsize=13,
                fontweight="bold", annotation_clip=False, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})


def label_zero_on_log_axis(ax: plt.Axes, zero_at: float, ticks: Iterable[float], axis_break: bool = True) -> None:
    """Ticks at ``zero_at`` (labelled 0: where alpha = 0 is drawn on a log axis) and at ``ticks``; with
    ``axis_break``, the // mark between them, at ``2 zero_at``."""
    ticks = list(ticks)
    ax.set_xticks([zero_at, *ticks], [ZERO_LABEL] + [f"{t:g}" for t in ticks])
    if axis_break:
        draw_axis_break(ax, zero_at * 2)


def set_title(ax: plt.Axes, title: str, runs: pd.DataFrame | None = None) -> None:
    """``title`` in bold, and under it in grey the budget the runs were trained with (:func:`budget_caption`)."""
    caption = budget_caption(runs) if runs is not None else ""
    ax.set_title(f"{title}\n" if caption else title)
    if caption:
        ax.text(0.5, 1.0, caption, transform=ax.transAxes, ha="center", va="bottom", fontsize=10, color="dimgrey")


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


def alpha_sweep_figure(runs: pd.DataFrame, title: str, extrema: Iterable = ()) -> plt.Figure:
    """Figure 2: I-MLP test accuracy (%) against α on a log axis, α = 0 drawn left of a break.

    Lines: the I-MLP mean over seeds with a ±1 std band; dashed references for the S-MLP (α = 0) and for
    the prior (its own accuracy, trained alongside); dotted verticals where the paper's curve turns.
    """
    use_style()
    prior_label = PRIORS[runs["prior"].iloc[0]].display_name
    constant = runs[runs["schedule"] == "constant"].copy()
    extrema = list(extrema)
    zero_at = zero_position([*constant["alpha"], *(e.alpha for e in extrema)])
    constant["α"] = on_log_axis(constant["alpha"], zero_at)
    constant[ACCURACY] = percent(constant["test_acc"])
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    grid = constant[constant["alpha"] > 0]
    sns.lineplot(data=grid, x="α", y=ACCURACY, errorbar="sd", marker="o", color="C0", ax=ax,
                 label=seeds_label("I-MLP", grid))
    mlp, _, _ = mlp_accuracy(constant, alpha=0.0)
    prior, prior_std, _ = prior_accuracy(runs)
    if not math.isnan(mlp):
        ax.plot([zero_at], [mlp], marker="s", color="C0", linestyle="none")
        ax.axhline(mlp, color="C2", linestyle="--", label=f"S-MLP (I-MLP α = 0): {mlp:.1f} %")
    ax.axhline(prior, color="C3", linestyle="--", label=f"{prior_label} (prior): {prior:.1f} %")
    if not math.isnan(prior_std):
        ax.axhspan(prior - prior_std, prior + prior_std, color="C3", alpha=0.1)
    for extremum, colour in zip(extrema, ("C1", "C4", "C5")):  # in the legend, so that no line crosses a label
        ax.axvline(extremum.alpha, color=colour, linestyle="-.", linewidth=1.4,
                   label=f"paper's {extremum.kind} (Fig. 2): α ≈ {extremum.alpha:g}")
    ax.set_xscale("log")
    label_zero_on_log_axis(ax, zero_at, sorted({a for a in grid["alpha"] if a in (1e-4, 1e-3, 1e-2, 0.1, 1.0)}))
    return finish_accuracy_figure(fig, ax, "interpolation weight α (log scale; 0 drawn left of the // break)", title,
                                  runs)


def decay_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Figure 3: accuracy against the decay exponent k of α[t] = a (1 − t/t_max)^k, with Table 4's baselines."""
    use_style()
    decay = runs[runs["schedule"] == "decay"].copy()
    decay[ACCURACY] = percent(decay["test_acc"])
    a = float(decay["alpha"].iloc[0]) if len(decay) else 0.5
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    sns.lineplot(data=decay, x="k", y=ACCURACY, errorbar="sd", marker="o", color="C0", ax=ax,
                 label=f"I-MLP, decay a = {a:g}")
    references = [("no interpolation α[t] = 0", mlp_accuracy(runs, schedule="constant", alpha=0.0)[0], "C2", "--"),
                  (f"test-time only α_test = {a:g}", mlp_accuracy(runs, schedule="test-time")[0], "C1", "-."),
                  ("CNN (prior)", prior_accuracy(runs)[0], "C3", "--")]
    for label, value, colour, style in references:
        if not math.isnan(value):
            ax.axhline(value, color=colour, linestyle=style, label=f"{label}: {value:.1f} %")
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


def epoch_curves_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Test accuracy (%) after every epoch for each schedule, and the prior's."""
    use_style()
    epochs = epoch_frame(runs)
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    sns.lineplot(data=epochs, x="epoch", y=ACCURACY, hue="label", errorbar="sd", marker="o", ax=ax)
    prior = epochs.drop_duplicates(["seed", "epoch"])
    sns.lineplot(data=prior, x="epoch", y="prior " + ACCURACY, color="black", linestyle="--", errorbar="sd",
                 ax=ax, label="CNN (prior)")
    ax.set_xlabel("epoch (interpolation after each)")
    ax.set_ylabel(ACCURACY)
    ax.set_xticks(sorted(epochs["epoch"].unique()))
    set_title(ax, title, runs)
    ax.legend(fontsize=8, ncol=2, loc="best")
    fig.tight_layout()
    return fig


def accumulated_share_figure(runs: pd.DataFrame, paper: pd.DataFrame, title: str) -> plt.Figure:
    """Accuracy (%) against the prior's accumulated share 1 − Π_t (1 − α[t]) (1 − (1 − α)^T for constant α).

    Every epoch of every run is one point (so different epoch counts share the axis); the paper's Table 1
    numbers sit at their T = 100 shares. ``paper`` has columns prior, alpha, dataset, mean (%).
    """
    use_style()
    points = epoch_frame(runs)
    points = points[points["schedule"].isin(["constant", "decay"])]
    floor = zero_position([*points["share"], *paper["share"]])
    named = list(dict.fromkeys(paper["prior"]))  # the priors the paper has points for; ours of others are grouped
    points = points.assign(x=on_log_axis(points["share"], floor),
                           run=points["prior"].map({p: f"ours, {PRIORS[p].legend_name} prior" for p in named})
                           .fillna("ours, other prior"))
    fig, ax = plt.subplots(figsize=(8, 4.8))
    sns.scatterplot(data=points, x="x", y=ACCURACY, hue="run", size="epoch", sizes=(15, 80), alpha=0.7, ax=ax)
    for prior, marker in zip(named, ("*", "P", "X", "D")):
        chosen = paper[paper["prior"] == prior]
        ax.scatter(on_log_axis(chosen["share"], floor), chosen["mean"], marker=marker, s=160, color="black",
                   label=f"paper, {PRIORS[prior].legend_name} prior (T = {PAPER_EPOCHS})", zorder=5)
    ax.set_xscale("log")
    label_zero_on_log_axis(ax, floor, [t for t in (1e-3, 1e-2, 1e-1, 1.0) if t > floor * 2])
    ax.set_xlabel("prior's accumulated share after T interpolations, 1 − (1 − α)^T  (log; 0 left of the // break)")
    ax.set_ylabel(ACCURACY)
    set_title(ax, title, runs)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def first_layer_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Table 5 as bars: baseline and CNN-interpolated test accuracy (%) of MLP-1 and MLP-2 (± std over seeds)."""
    use_style()
    frame = runs.assign(model=runs["prior"].map(lambda prior: PRIORS[prior].legend_name),
                        training=np.where(runs["alpha"] > 0, "CNN-interpolated", "baseline"),
                        **{ACCURACY: percent(runs["test_acc"])})
    fig, ax = plt.subplots(figsize=(7, 4.4))
    sns.barplot(data=frame, x="model", y=ACCURACY, hue="training", errorbar="sd", ax=ax)
    for container in ax.containers:
        ax.bar_label(container, fmt="%.1f", fontsize=9)
    ax.set_xlabel("")
    set_title(ax, title, runs)
    ax.legend(title="", fontsize=9, loc="lower right")
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


def option_curves_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Figure 2 (left) under each open choice: one small panel per option value, the default's curve in each."""
    if runs.empty:
        return no_runs_figure(title)
    use_style()
    constant = runs[runs["schedule"] == "constant"].copy()
    zero_at = zero_position(constant["alpha"])
    constant["α"] = on_log_axis(constant["alpha"], zero_at)
    constant[ACCURACY] = percent(constant["test_acc"])
    options = [o for o in [DEFAULT] + sorted(set(constant["option"]) - {DEFAULT}) if (constant["option"] == o).any()]
    columns = 3
    rows = math.ceil(len(options) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.4 * rows), sharex=True, sharey=True,
                             squeeze=False)
    default = constant[constant["option"] == DEFAULT]
    for ax, option in zip(axes.flat, options):
        if option != DEFAULT and len(default):
            sns.lineplot(data=default, x="α", y=ACCURACY, errorbar=None, color="grey", linestyle="--", ax=ax,
                         label="default")
        frame = constant[constant["option"] == option]
        sns.lineplot(data=frame, x="α", y=ACCURACY, errorbar="sd", marker="o", color="C0", ax=ax, label=option)
        prior = prior_accuracy(frame)[0]
        ax.axhline(prior, color="C3", linestyle=":", linewidth=1.2, label=f"prior {prior:.1f} %")
        v = find_v(alpha_curve(frame))
        if v:
            ax.axvline(v[0], color="C1", linewidth=4, alpha=0.25, label=f"V at α = {v[0]:g}")
        ax.set_xscale("log")
        ax.set_title(option, fontsize=11)
        ax.legend(fontsize=7, loc="lower left")
    for ax in axes.flat[len(options):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        label_zero_on_log_axis(ax, zero_at, [t for t in (1e-4, 1e-3, 1e-2, 0.1, 1.0) if t >= zero_at * 4],
                               axis_break=False)
        ax.set_xlabel("α (log scale; 0 at the left)")
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig


def balance_figure(runs: pd.DataFrame, options: list[str], title: str) -> plt.Figure:
    """Top: the S-MLP's balance alpha per layer over epochs. Bottom: each constant-alpha model's balance alpha
    (median over layers, last epoch) against its own alpha, with the diagonal, the S-MLP's balance and the V.

    A model that has settled (its gap no longer changes) pulls back exactly what Adam moves, so its drift / gap
    equals its alpha: it lies on the diagonal. Above it, Adam still drives W away from W_P faster than the pulls
    bring it back."""
    if runs.empty or not options:
        return no_runs_figure(title)
    balance = balance_frame(runs[runs["option"].isin(options)])
    if balance.empty:
        return no_runs_figure(title, NO_BALANCE)
    use_style()
    fig, axes = plt.subplots(2, len(options), figsize=(5.2 * len(options), 8), squeeze=False)
    for column, option in enumerate(options):
        frame = balance[balance["option"] == option]
        top, bottom = axes[0, column], axes[1, column]
        smlp = frame[(frame["schedule"] == "constant") & (frame["alpha"] == 0)]
        sns.lineplot(data=smlp, x="epoch", y="balance α", hue="layer", marker="o", errorbar=None, ax=top)
        top.set_yscale("log")
        top.xaxis.set_major_locator(MaxNLocator(integer=True))
        top.set_title(f"{option}: S-MLP (α = 0), drift / gap per layer", fontsize=11)
        top.legend(fontsize=7, ncol=2)
        constant = interior_constant(frame)
        constant = constant[constant["epoch"] == constant["epoch"].max()]
        sns.lineplot(data=constant, x="alpha", y="balance α", estimator="median", errorbar=None, marker="o",
                     color="C0", ax=bottom, label="balance α (median over layers, last epoch)")
        grid = np.array(sorted(constant["alpha"].unique()))
        bottom.plot(grid, grid, color="black", linewidth=0.8, linestyle="--", label="balance α = α")
        predicted = predicted_balance(frame)
        if predicted:
            for ax in (top, bottom):
                ax.axhline(predicted, color="C2", linestyle=":", label=f"S-MLP's balance α ≈ {predicted:.2g}")
            top.legend(fontsize=7, ncol=2)
        v = find_v(alpha_curve(runs[runs["option"] == option]))
        if v:
            bottom.axvline(v[0], color="C1", linewidth=4, alpha=0.25, label=f"V at α = {v[0]:g}")
        bottom.set_xscale("log")
        bottom.set_yscale("log")
        bottom.set_xlabel("the model's own α")
        bottom.set_title(f"{option}: where pull and drift balance", fontsize=11)
        bottom.legend(fontsize=7)
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig
