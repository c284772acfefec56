"""Notebook 08: which of Algorithm 1's open choices, if any, makes the V of Figure 2.

Runs come from :func:`imlp_core.experiments.open_choice_sweep` (one row per I-MLP, column ``option``). For
each option value the verdicts are:

* **the V**: an interior alpha (0 < alpha < 1) whose mean accuracy lies at least ``V_DEPTH`` points below
  both ends, alpha = 0 (the S-MLP) and alpha = 1; reported at the lowest such alpha;
* **Table 4's ordering**: linear decay (k = 1) below constant alpha = 0.5 and below k = 4;
* **the test-time gap**: test-time-only interpolation (alpha_test = 0.5) minus no interpolation, against the
  paper's 48.63 - 58.36 = -9.73 points; "near" within ``NEAR_GAP`` points.

The balance diagnostic needs no extra training: every record holds, per epoch and interpolated layer, how far
Adam moved W since the previous interpolation (``drift``) and how far W was from W_P (``gap``), measured just
before the epoch's last interpolation. A pull of alpha moves W by alpha * gap, so ``drift / gap`` is the alpha
at which pull and drift balance. A model trained with alpha well below its balance stays an MLP (Adam undoes
each pull); well above it, it follows the prior; the V can only sit where alpha meets its own balance.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from imlp_core.plots import ACCURACY, ZERO_LABEL, percent, prior_accuracy, use_style

V_DEPTH = 2.0  # points below both ends
NEAR_GAP = 3.0  # points from the paper's test-time gap
PAPER_TEST_TIME_GAP = 48.63 - 58.36  # Table 4: test-time-only minus no interpolation
DEFAULT = "default"
NO_RUNS = "No runs of the open choices in the result store (with stored runs only, nothing is trained)."


NO_BALANCE = "These runs record no drift or gap (they were made before the diagnostic existed)."


def no_runs_figure(title: str, message: str = NO_RUNS) -> plt.Figure:
    """A figure that says there is nothing to draw, so that a notebook run on an empty store still saves one."""
    use_style()
    fig, ax = plt.subplots(figsize=(7, 2))
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def alpha_curve(runs: pd.DataFrame) -> pd.Series:
    """Mean test accuracy (%) over seeds of each constant alpha, indexed by alpha."""
    constant = runs[runs["schedule"] == "constant"]
    return percent(constant.groupby("alpha")["test_acc"].mean()).sort_index()


def find_v(curve: pd.Series) -> tuple[float, float] | None:
    """(alpha, depth) of the lowest interior point lying ``V_DEPTH`` points below both ends; None if none does.

    ``depth`` is how far (points) it lies below the lower end.
    """
    if 0.0 not in curve.index or 1.0 not in curve.index:
        return None
    floor = min(curve[0.0], curve[1.0]) - V_DEPTH
    interior = curve[(curve.index > 0) & (curve.index < 1)]
    deep = interior[interior <= floor]
    if deep.empty:
        return None
    alpha = float(deep.idxmin())
    return alpha, min(curve[0.0], curve[1.0]) - float(deep.min())


def _schedule_mean(runs: pd.DataFrame, kind: str, alpha: float | None = None, k: float | None = None) -> float:
    rows = runs[runs["schedule"] == kind]
    if alpha is not None:
        rows = rows[np.isclose(rows["alpha"], alpha)]
    if k is not None:
        rows = rows[np.isclose(rows["k"], k)]
    return float(percent(rows["test_acc"]).mean()) if len(rows) else math.nan


def verdicts(runs: pd.DataFrame) -> dict[str, object]:
    """The three verdicts of one option value's runs (see the module docstring), with the numbers behind them."""
    curve = alpha_curve(runs)
    v = find_v(curve)
    prior = prior_accuracy(runs)[0]
    linear, constant, k4 = (_schedule_mean(runs, "decay", 0.5, 1.0), _schedule_mean(runs, "constant", 0.5),
                            _schedule_mean(runs, "decay", 0.5, 4.0))
    test_time, none = _schedule_mean(runs, "test-time", 0.5), curve.get(0.0, math.nan)
    ordering = None if any(map(math.isnan, (linear, constant, k4))) else linear < constant and linear < k4
    gap = test_time - none
    return {
        "seeds": runs["seed"].nunique(),
        "S-MLP (α = 0)": curve.get(0.0, math.nan), "α = 1": curve.get(1.0, math.nan), "prior": prior,
        "α = 1 − prior": curve.get(1.0, math.nan) - prior,
        "lowest interior α": float(curve[(curve.index > 0) & (curve.index < 1)].idxmin()) if len(curve) > 2 else math.nan,
        "V": f"yes, at α = {v[0]:g} ({v[1]:.1f} points below the lower end)" if v else "no",
        "Table 4 ordering": "not run" if ordering is None else
        f"{'yes' if ordering else 'no'} (k = 1: {linear:.1f}, constant: {constant:.1f}, k = 4: {k4:.1f})",
        "test-time gap": "not run" if math.isnan(gap) else
        f"{gap:+.1f} points ({'near' if abs(gap - PAPER_TEST_TIME_GAP) <= NEAR_GAP else 'not near'} the paper's "
        f"{PAPER_TEST_TIME_GAP:+.1f})",
    }


def verdict_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per option value (the default first), one column per verdict; accuracies in %, rounded."""
    if runs.empty:
        return pd.DataFrame(index=pd.Index([], name="option"))
    order = [DEFAULT] + sorted(set(runs["option"]) - {DEFAULT})
    table = pd.DataFrame({option: verdicts(runs[runs["option"] == option]) for option in order
                          if (runs["option"] == option).any()}).T
    table.index.name = "option"
    numeric = ["S-MLP (α = 0)", "α = 1", "prior", "α = 1 − prior"]
    return table.astype({c: float for c in numeric}).round({c: 2 for c in numeric})


def option_curves_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Figure 2 (left) under each open choice: one small panel per option value, the default's curve in each."""
    if runs.empty:
        return no_runs_figure(title)
    use_style()
    constant = runs[runs["schedule"] == "constant"].copy()
    zero_at = constant.loc[constant["alpha"] > 0, "alpha"].min() / 4
    constant["α"] = constant["alpha"].where(constant["alpha"] > 0, zero_at)
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
    ticks = [zero_at] + [t for t in (1e-4, 1e-3, 1e-2, 0.1, 1.0) if t >= zero_at * 4]
    for ax in axes[-1]:
        ax.set_xticks(ticks, [ZERO_LABEL] + [f"{t:g}" for t in ticks[1:]])
        ax.set_xlabel("α (log scale; 0 at the left)")
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig


def balance_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run, epoch and interpolated layer: drift, gap and their ratio, the balance alpha."""
    rows = []
    for run in runs.itertuples():
        for entry in run.history:
            if entry.get("drift") is None:
                continue
            for layer, (drift, gap) in enumerate(zip(entry["drift"], entry["gap"])):
                rows.append({"option": run.option, "seed": run.seed, "schedule": run.schedule, "alpha": run.alpha,
                             "epoch": entry["epoch"], "layer": f"layer {layer + 1}", "drift": drift, "gap": gap,
                             "balance α": drift / gap if gap and drift is not None else math.nan})
    return pd.DataFrame(rows, columns=["option", "seed", "schedule", "alpha", "epoch", "layer", "drift", "gap",
                                       "balance α"])


def interior_constant(balance: pd.DataFrame) -> pd.DataFrame:
    """The rows of constant 0 < alpha < 1 (at alpha = 1 drift / gap is 1 by construction: W was W_P one pull ago)."""
    return balance[(balance["schedule"] == "constant") & (balance["alpha"] > 0) & (balance["alpha"] < 1)]


def predicted_balance(balance: pd.DataFrame) -> float | None:
    """The S-MLP's drift / gap at the last epoch (median over layers, mean over seeds): the alpha at which one pull
    undoes one interval of Adam on an MLP that is not pulled, where the minimum can sit. None without such runs."""
    smlp = balance[(balance["schedule"] == "constant") & (balance["alpha"] == 0)]
    if smlp.empty:
        return None
    last = smlp[smlp["epoch"] == smlp["epoch"].max()]
    return float(last.groupby("seed")["balance α"].median().mean())


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


def findings(table: pd.DataFrame, predictions: dict[str, float | None]) -> str:
    """Markdown bullets: which option values make the V and where, Table 4's ordering, the test-time gap, the
    break of alpha = 1 under the ``own`` values, and the S-MLP's balance alpha against the minima."""
    if table.empty:
        return f"- {NO_RUNS}"
    with_v = [f"`{o}` ({v.removeprefix('yes, ')})" for o, v in table["V"].items() if v.startswith("yes")]
    ordering = [f"`{o}`" for o, v in table["Table 4 ordering"].items() if v.startswith("yes")]
    near = [f"`{o}`" for o, v in table["test-time gap"].items() if "(near" in v]
    lines = [f"- The V (an interior α at least {V_DEPTH:g} points below both ends): "
             + ("; ".join(with_v) if with_v else "under no option value") + ".",
             "- Table 4's ordering (linear decay below constant α = 0.5 and below k = 4): "
             + (", ".join(ordering) if ordering else "under no option value that runs the schedules") + ".",
             f"- Test-time-only interpolation near the paper's gap ({PAPER_TEST_TIME_GAP:+.1f} points, within "
             f"{NEAR_GAP:g}): " + (", ".join(near) if near else "under no option value that runs it") + "."]
    broken = table[table["α = 1 − prior"].abs() > 0.5]["α = 1 − prior"]
    if len(broken):
        lines.append("- α = 1 no longer copies the prior under " + ", ".join(
            f"`{o}` ({d:+.1f} points)" for o, d in broken.items()) + "; under every other value it does exactly.")
    for option, predicted in predictions.items():
        lowest = table.loc[option, "lowest interior α"] if option in table.index else math.nan
        lines.append(f"- Balance under `{option}`: " + (
            f"one pull of α ≈ {predicted:.2g} undoes the S-MLP's drift between two pulls" if predicted else
            "no S-MLP run to measure the drift on") + f"; the lowest interior accuracy is at α = {lowest:g}.")
    return "\n".join(lines)
