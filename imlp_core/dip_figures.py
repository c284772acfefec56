"""Notebook 09's figures: the dip under each pull interval and learning rate, the law for where it sits, the
directional balance of settled models, and the last pull's own effect (``imlp_core.reading.dip`` computes them)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from imlp_core.reading.dip import balance_frame, interval_label, steps_between_pulls
from imlp_core.figures import (
    LOG_TICKS, draw_band, label_zero_on_log_axis, no_runs_figure, on_log_axis, seed_intervals, seeds_note,
    set_figure_title, use_style, zero_position,
)
from imlp_core.models import PRIORS
from imlp_core.reading.inference import alpha_curves

INTERVAL_ORDER = ("every step", "every 2 steps", "every 5 steps", "every 10 steps", "every 20 steps", "every epoch")


def interval_colours(labels) -> dict[str, tuple]:
    """One colour per pull interval, from frequent (dark) to rare (light) pulls."""
    ordered = sorted(set(labels), key=lambda label: INTERVAL_ORDER.index(label) if label in INTERVAL_ORDER else 99)
    return dict(zip(ordered, sns.color_palette("viridis", len(ordered))))


def drops(frame: pd.DataFrame) -> pd.DataFrame:
    """Per seed and alpha: accuracy minus the lower of the two ends (alpha = 0 and 1) of that seed, in points."""
    curves = alpha_curves(frame)
    if not {0.0, 1.0} <= set(curves.columns):
        return pd.DataFrame(columns=["seed", "alpha", "drop"])
    drop = curves.sub(curves[[0.0, 1.0]].min(axis=1), axis=0)
    return drop.rename_axis(index="seed", columns="alpha").stack().rename("drop").reset_index()


def dip_curves_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """One panel per (prior, lr): each pull interval's curve of accuracy minus the lower end (per seed, then the
    mean with its 95 % interval), alpha on a log axis with 0 left of the // break; the deepest point of each
    interval's mean marked. Below zero: worse than both the S-MLP and the I-MLP at alpha = 1 (a V)."""
    constant = runs[runs["schedule"] == "constant"]
    if constant.empty:
        return no_runs_figure(title)
    use_style()
    panels = list(constant.groupby(["prior", "lr"], sort=True).groups)
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.8), squeeze=False)
    counts = []
    for ax, (prior, lr) in zip(axes.flat, panels):
        frame = constant[(constant["prior"] == prior) & (constant["lr"] == lr)]
        zero_at = zero_position(frame["alpha"])
        colours = interval_colours(frame["interpolate_every"].map(interval_label))
        for every, setting in sorted(frame.groupby("interpolate_every"), key=lambda g: steps_between_pulls(g[1].iloc[0])):
            label = interval_label(every)
            curve = seed_intervals(drops(setting), "alpha", "drop")
            if curve.empty:
                continue
            counts += list(curve["n"])
            x = on_log_axis(curve["alpha"], zero_at)
            draw_band(ax, x, curve, colours[label], f"{prior} lr {lr:g} {label}", label=label, marker="o",
                      markersize=3.5)
            inner = curve[(curve["alpha"] > 0) & (curve["alpha"] < 1)]
            if len(inner):
                deepest = inner.loc[inner["mean"].idxmin()]
                ax.plot(deepest["alpha"], deepest["mean"], marker="v", markersize=11, color=colours[label],
                        markeredgecolor="black", linestyle="none")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xscale("log")
        label_zero_on_log_axis(ax, zero_at, [t for t in LOG_TICKS if t > 2 * zero_at])
        ax.set_xlabel("α (log scale; 0 left of the // break)")
        ax.set_ylabel("accuracy − lower end (points)")
        ax.set_title(f"{PRIORS[prior].display_name if prior in PRIORS else prior} prior, Adam lr {lr:g}", fontsize=11)
        ax.legend(fontsize=8, title="pulls", title_fontsize=8, loc="lower left")
    set_figure_title(fig, title, constant, f"▼ the deepest mean · {seeds_note(counts)}")
    return fig


def law_figure(table: pd.DataFrame, prediction: pd.DataFrame, law, title: str) -> plt.Figure:
    """alpha_min (resample geometric mean, bars: ± its sd in decades) against lr x steps between pulls, log-log:
    filled where a V is beyond noise (Holm over the α scanned), hollow where not, every one fitted; the law with its 95 %
    prediction band; the S-MLP's directional balance alpha* (x); the paper-scale predictions (stars)."""
    if table.empty:
        return no_runs_figure(title)
    use_style()
    fig, ax = plt.subplots(figsize=(8.2, 5.4))
    markers = dict(zip(sorted(table["lr"].unique(), reverse=True), ("o", "s", "D", "^")))
    for (prior, lr), rows in table.groupby(["prior", "lr"]):
        colour = "C3" if prior == "mixer" else "C0" if lr == max(table["lr"]) else "C1"
        name = f"{PRIORS[prior].display_name if prior in PRIORS else prior}, lr {lr:g}"
        for v, fill in ((True, colour), (False, "none")):
            part = rows[rows["V"] == v]
            if part.empty:
                continue
            x, y = part["lr × steps"].to_numpy(float), part["α_min"].to_numpy(float)
            spread = 10 ** part["α_min sd (decades)"].to_numpy(float)
            ax.errorbar(x, y, yerr=[y - y / spread, y * spread - y], marker=markers[lr], markersize=8, color=colour,
                        markerfacecolor=fill, linestyle="none", capsize=3,
                        label=f"{name}: α_min, {'V beyond noise' if v else 'no V beyond noise'}")
        balance = [b.mean for b in rows["S-MLP α*"]]
        if np.isfinite(balance).any():
            ax.plot(rows["lr × steps"], balance, marker="x", markersize=8, color=colour, linestyle="none",
                    label=f"{name}: S-MLP's directional α*")
    if law is not None:
        xs = np.logspace(math.log10(min(table["lr × steps"].min(), *prediction["lr × steps"])) - 0.2,
                         math.log10(max(table["lr × steps"].max(), *prediction["lr × steps"])) + 0.2, 100)
        fitted = np.array([law.predict(math.log10(x)) for x in xs])
        ax.plot(xs, 10 ** fitted[:, 0], color="black", linewidth=1.2,
                label=f"flat law: α_min ≈ {10 ** law.intercept:.2g} (no slope beyond noise)" if law.flat else
                f"law: α_min ∝ (lr · steps)^{law.slope:.2f} [{law.slope_interval[0]:.2f}, {law.slope_interval[1]:.2f}]")
        ax.fill_between(xs, 10 ** fitted[:, 1], 10 ** fitted[:, 2], color="black", alpha=0.08, linewidth=0,
                        label="95 % prediction band")
    for _, row in prediction.iterrows():
        if math.isfinite(row["α_min"]):
            ax.errorbar([row["lr × steps"]], [row["α_min"]],
                        yerr=[[row["α_min"] - row["α_min low"]], [row["α_min high"] - row["α_min"]]], marker="*",
                        markersize=15, color="C2", capsize=4, linestyle="none",
                        label=f"predicted at lr 1e-4, {row['pulls']}: α_min ≈ {row['α_min']:.2g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lr × optimizer steps between pulls")
    ax.set_ylabel("α of the minimum")
    ax.legend(fontsize=7, loc="best")
    set_figure_title(fig, title, note="points: the geometric mean of the argmin over bootstrap resamples of the seeds")
    return fig


def settled_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Each constant-alpha model's balance at its last pull against its own alpha (median over hidden layers,
    mean over seeds), one panel per (prior, lr): the directional alpha* in colour per interval, the norm ratio
    drift / gap (notebook 08's) in grey. A settled model lies on the diagonal; the directional balance must."""
    balance = balance_frame(runs[(runs["schedule"] == "constant") & (runs["alpha"] > 0) & (runs["alpha"] < 1)])
    if balance["directional α*"].notna().sum() == 0:
        return no_runs_figure(title, "These runs record no directional drift (made before notebook 09 measured it).")
    use_style()
    panels = list(balance.groupby(["prior", "lr"], sort=True).groups)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels), 5.0), squeeze=False)
    for ax, (prior, lr) in zip(axes.flat, panels):
        frame = balance[(balance["prior"] == prior) & (balance["lr"] == lr)]
        labels = frame["interpolate_every"].map(interval_label)
        colours = interval_colours(labels)
        for every, setting in frame.groupby("interpolate_every"):
            label = interval_label(every)
            for column, colour, style in (("directional α*", colours[label], "-"), ("drift / gap", "grey", ":")):
                curve = seed_intervals(setting, "alpha", column)
                if curve.empty:
                    continue
                ax.plot(curve["alpha"], curve["mean"], marker="o" if style == "-" else ".", markersize=4,
                        color=colour, linestyle=style, alpha=1 if style == "-" else 0.6,
                        label=label if style == "-" else None, gid=f"{prior} {lr:g} {label} {column}")
        grid = np.array(sorted(frame["alpha"].unique()))
        ax.plot(grid, grid, color="black", linestyle="--", linewidth=0.8, label="balance = α (settled)")
        ax.plot([], [], color="grey", linestyle=":", label="drift / gap (norms, as in 08)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("the model's own α")
        ax.set_ylabel("balance at the last pull")
        ax.set_title(f"{PRIORS[prior].display_name if prior in PRIORS else prior} prior, lr {lr:g}", fontsize=11)
        ax.legend(fontsize=7)
    set_figure_title(fig, title, note="hidden layers only (median), mean over seeds")
    return fig


def pull_effect_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Per interval: the last pull's own effect on accuracy (after it minus just before it, per seed, mean with
    its 95 % interval) against alpha, one panel per (prior, lr). Where it is large and negative, the dip is made by
    mixing two unaligned networks, not by training."""
    constant = runs[(runs["schedule"] == "constant") & runs["test_acc_before_pull"].notna() & (runs["alpha"] > 0)]
    if constant.empty:
        return no_runs_figure(title, "These runs record no accuracy before the last pull.")
    use_style()
    frame = constant.assign(effect=(constant["test_acc"] - constant["test_acc_before_pull"]).astype(float) * 100)
    panels = list(frame.groupby(["prior", "lr"], sort=True).groups)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels), 4.6), squeeze=False)
    for ax, (prior, lr) in zip(axes.flat, panels):
        part = frame[(frame["prior"] == prior) & (frame["lr"] == lr)]
        colours = interval_colours(part["interpolate_every"].map(interval_label))
        for every, setting in sorted(part.groupby("interpolate_every"), key=lambda g: steps_between_pulls(g[1].iloc[0])):
            label = interval_label(every)
            curve = seed_intervals(setting, "alpha", "effect")
            draw_band(ax, curve["alpha"], curve, colours[label], f"{prior} {lr:g} {label} effect", label=label,
                      marker="o", markersize=3.5)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("α")
        ax.set_ylabel("after − before the last pull (points)")
        ax.set_title(f"{PRIORS[prior].display_name if prior in PRIORS else prior} prior, lr {lr:g}", fontsize=11)
        ax.legend(fontsize=7, title="pulls", title_fontsize=7)
    set_figure_title(fig, title, note="mean and 95 % interval over seeds")
    return fig

