"""Figures and tables of notebooks 03–07: seaborn plots readable in print, saved as PNG + PDF / CSV + Markdown.

Runs come in as ``experiments`` DataFrames (one row per I-MLP; accuracies as fractions, shown here in %).
Every saved file goes to ``paths.figures_dir()`` / ``paths.results_dir()``, named after its notebook.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Iterable

import matplotlib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from imlp_core.paper import PaperNumber, dataset_for_role, format_mean_std, select_runs
from imlp_core.paths import committed_profile, figures_dir, output_root, repo_root, results_dir, shown

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


def save_table(table: pd.DataFrame, name: str, index: bool = True) -> list[Path]:
    """``results/<name>.csv`` and ``.md`` (a GitHub Markdown table)."""
    csv, md = results_dir() / f"{name}.csv", results_dir() / f"{name}.md"
    table.to_csv(csv, index=index)
    md.write_text(markdown(table, index=index) + "\n")
    return [csv, md]


def markdown(table: pd.DataFrame, index: bool = True) -> str:
    """A GitHub Markdown table with integers written out (16,930,826, not 1.69308e+07)."""
    return table.astype(object).to_markdown(index=index, intfmt=",")


def percent(values: pd.Series) -> pd.Series:
    return values.astype(float) * 100


def mean_std(values: Iterable[float]) -> tuple[float, float, int]:
    """Mean, sample std (NaN for one value) and count of ``values`` (NaNs dropped)."""
    array = np.asarray([v for v in values if not (isinstance(v, float) and math.isnan(v))], dtype=float)
    if array.size == 0:
        return math.nan, math.nan, 0
    return float(array.mean()), float(array.std(ddof=1)) if array.size > 1 else math.nan, int(array.size)


def prior_accuracy(runs: pd.DataFrame) -> tuple[float, float, int]:
    """The prior's final test accuracy in %, over seeds (every row of a sweep carries the same prior)."""
    return mean_std(percent(runs.drop_duplicates("seed")["prior_test_acc"]))


def mlp_accuracy(runs: pd.DataFrame, **selector) -> tuple[float, float, int]:
    """Final I-MLP test accuracy in % over seeds of the rows matching ``selector`` (column=value)."""
    mask = np.ones(len(runs), dtype=bool)
    for column, value in selector.items():
        mask &= (runs[column] == value).to_numpy()
    return mean_std(percent(runs.loc[mask, "test_acc"]))


# ---------------------------------------------------------------------------------------------
# Sentences computed from the data, so that the narrative is true for whichever profile ran


def comparison_sentence(name_a: str, a: float, name_b: str, b: float, tie: float = 0.5) -> str:
    """'the S-CNN (62.1 %) is ahead of the S-MLP (58.4 %)', with ties within ``tie`` points said as such."""
    if math.isnan(a) or math.isnan(b):
        return f"{name_a} and {name_b} could not both be measured"
    if abs(a - b) <= tie:
        return f"{name_a} ({a:.1f} %) and {name_b} ({b:.1f} %) are level (within {tie} points)"
    verb = "is ahead of" if a > b else "is behind"
    return f"{name_a} ({a:.1f} %) {verb} {name_b} ({b:.1f} %)"


def budget_sentence(runs: pd.DataFrame) -> str:
    """'2 epochs on 600 training images of synthetic (synthetic(...)), 1 seed'."""
    first = runs.iloc[0]
    images = "all" if pd.isna(first["train_subset"]) else f"{int(first['train_subset']):,}"
    seeds = runs["seed"].nunique()
    return (f"{int(first['epochs'])} epochs on {images} training images of `{first['dataset']}` "
            f"(source: {first['source']}), Adam lr {first['lr']:g}, {seeds} seed{'s' if seeds > 1 else ''}")


# ---------------------------------------------------------------------------------------------
# Figure 2: accuracy against alpha


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


def _zero_position(alphas: Iterable[float]) -> float:
    """Where α = 0 is drawn on a log axis: a quarter of the smallest positive α shown (the break is at half)."""
    positive = [a for a in alphas if a > 0]
    return (min(positive) if positive else 1e-4) / 4


def alpha_sweep_figure(runs: pd.DataFrame, prior_label: str, title: str,
                       extrema: Iterable = ()) -> plt.Figure:
    """Figure 2: I-MLP test accuracy (%) against α on a log axis, α = 0 drawn left of a break.

    Lines: the I-MLP mean over seeds with a ±1 std band; dashed references for the S-MLP (α = 0) and for
    the prior (its own accuracy, trained alongside); dotted verticals where the paper's curve turns.
    """
    use_style()
    constant = runs[runs["schedule"] == "constant"].copy()
    extrema = list(extrema)
    zero_at = _zero_position([*constant["alpha"], *(e.alpha for e in extrema)])
    constant["α"] = constant["alpha"].where(constant["alpha"] > 0, zero_at)
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
    ticks = [zero_at] + sorted({a for a in grid["alpha"] if a in (1e-4, 1e-3, 1e-2, 0.1, 1.0)})
    ax.set_xticks(ticks, [ZERO_LABEL] + [f"{t:g}" for t in ticks[1:]])
    draw_axis_break(ax, zero_at * 2)
    return finish_accuracy_figure(fig, ax, "interpolation weight α (log scale; 0 drawn left of the // break)", title,
                                  runs)


# ---------------------------------------------------------------------------------------------
# Tables: ours in the paper's layout (one code path with notebook 07's comparison)


def ours_table(runs: pd.DataFrame, numbers: list[PaperNumber], profile) -> pd.DataFrame:
    """Our "mean ± std" for each of the paper's ``numbers``, in the paper's rows and dataset-role columns."""
    rows: dict[str, dict[str, str]] = {}
    for number in numbers:
        dataset = dataset_for_role(profile, number.dataset)
        column = f"{number.dataset} (ours: {dataset})" if dataset else f"{number.dataset} (ours: skipped)"
        if dataset is None:
            cell = "not run in this profile"
        else:
            mean, std, n = mean_std(select_runs(runs, number, dataset))
            cell = format_mean_std(mean, std) if n else "not run in this profile"
        rows.setdefault(number.row, {})[column] = cell
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table


def table5_parameter_counts() -> pd.DataFrame:
    """Table 5's parameter columns computed from our models: I-MLP total and interpolated weights + biases."""
    from imlp_core.experiments import FIRST_LAYER_PRIORS
    from imlp_core.interpolate import select_layers
    from imlp_core.models import IMLP, build_prior, count_parameters

    rows = []
    for name, model in zip(FIRST_LAYER_PRIORS, ("MLP-1", "MLP-2")):
        prior = build_prior(name)
        mlp = IMLP.matching(prior)
        layers = mlp.interpolated_layers()
        interpolated = sum(p.numel() for i in select_layers(prior.interpolated, len(layers)) for p in layers[i].parameters())
        rows.append({"model": model, "total_params": count_parameters(mlp), "interpolated_params": interpolated,
                     "interpolated_layers": len(select_layers(prior.interpolated, len(layers)))})
    return pd.DataFrame(rows).set_index("model")


# ---------------------------------------------------------------------------------------------
# Figure 3: decay schedules


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


# ---------------------------------------------------------------------------------------------
# Per-epoch curves and the accumulated share of the prior


def epoch_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, epoch): accuracy in %, the α used, and the prior's accumulated share 1 − Π(1 − α[t])."""
    rows = []
    for _, run in runs.iterrows():
        kept = 1.0
        for entry in run["history"]:
            kept *= 1.0 - float(entry["alpha"])
            rows.append({"experiment": run["experiment"], "prior": run["prior"], "dataset": run["dataset"],
                         "label": run["label"], "schedule": run["schedule"], "alpha": run["alpha"], "k": run["k"],
                         "seed": run["seed"], "epochs": run["epochs"], "epoch": entry["epoch"],
                         ACCURACY: 100 * entry["test_acc"], "prior " + ACCURACY: 100 * entry["prior_test_acc"],
                         "share": 1.0 - kept})
    return pd.DataFrame(rows)


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


def share_position(share: pd.Series, floor: float) -> pd.Series:
    """Shares on a log axis, 0 (no interpolation) drawn at ``floor``."""
    return share.where(share > 0, floor)


def accumulated_share_figure(runs: pd.DataFrame, paper: pd.DataFrame, title: str) -> plt.Figure:
    """Accuracy (%) against the prior's accumulated share 1 − Π_t (1 − α[t]) (1 − (1 − α)^T for constant α).

    Every epoch of every run is one point (so different epoch counts share the axis); the paper's Table 1
    numbers sit at their T = 100 shares. ``paper`` has columns prior, alpha, dataset, mean (%).
    """
    use_style()
    points = epoch_frame(runs)
    points = points[points["schedule"].isin(["constant", "decay"])]
    positive = [s for s in points["share"] if s > 0] + [s for s in paper["share"] if s > 0]
    floor = (min(positive) if positive else 1e-4) / 4
    points = points.assign(x=share_position(points["share"], floor),
                           run=points["prior"].map({"cnn": "ours, S-CNN prior", "mixer": "ours, Mixer prior"})
                           .fillna("ours, other prior"))
    fig, ax = plt.subplots(figsize=(8, 4.8))
    sns.scatterplot(data=points, x="x", y=ACCURACY, hue="run", size="epoch", sizes=(15, 80), alpha=0.7, ax=ax)
    for prior, marker, label in (("cnn", "*", "paper, S-CNN prior (T = 100)"),
                                 ("mixer", "P", "paper, Mixer prior (T = 100)")):
        chosen = paper[paper["prior"] == prior]
        if len(chosen):
            ax.scatter(share_position(chosen["share"], floor), chosen["mean"], marker=marker, s=160,
                       color="black", label=label, zorder=5)
    ax.set_xscale("log")
    ticks = [floor] + [t for t in (1e-3, 1e-2, 1e-1, 1.0) if t > floor * 2]
    ax.set_xticks(ticks, [ZERO_LABEL] + [f"{t:g}" for t in ticks[1:]])
    draw_axis_break(ax, floor * 2)
    ax.set_xlabel("prior's accumulated share after T interpolations, 1 − (1 − α)^T  (log; 0 left of the // break)")
    ax.set_ylabel(ACCURACY)
    set_title(ax, title, runs)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# What every experiment notebook says first, and what its run shows


def dataset_roles(profile) -> list[tuple[str, str | None]]:
    """[("CIFAR-10", dataset), ("CIFAR-100", dataset or None when the profile skips it)]."""
    from imlp_core.paper import DATASET_ROLES

    return [(role, dataset_for_role(profile, role)) for role in DATASET_ROLES]


def roles_with_runs(roles: list[tuple[str, str | None]], runs: pd.DataFrame) -> list[tuple[str, str | None]]:
    """``roles`` with None for a dataset without runs (e.g. none stored, with ``IMLP_STORED_RUNS_ONLY=1``)."""
    present = set(runs["dataset"])
    return [(role, dataset if dataset in present else None) for role, dataset in roles]


def _budget_text(budget) -> str:
    images = "all" if budget.train_subset is None else f"{budget.train_subset:,}"
    tests = "all" if budget.test_subset is None else f"{budget.test_subset:,}"
    return f"{budget.epochs} epochs, {images} training and {tests} test images, lr {budget.lr:g}"


def profile_note(profile, experiment: str | None = None) -> str:
    """Markdown: the profile, its budgets (``experiment``'s first, or all), its grids, and what it skips."""
    if experiment is not None:
        lines = [f"**Profile `{profile.name}`** — {_budget_text(profile.budget(experiment))} per dataset, "
                 f"seeds {list(profile.seeds)}."]
    else:
        lines = [f"**Profile `{profile.name}`** — seeds {list(profile.seeds)}; budgets per dataset:"]
        lines += [f"- `{name}`: {_budget_text(budget)}" for name, budget in profile.budgets.items()]
    if profile.regime:
        lines.append(f"- **Regime:** {profile.regime}")
    lines += [f"- α grid: {', '.join(f'{a:g}' for a in profile.alphas)}; decay exponents k: "
              f"{', '.join(f'{k:g}' for k in profile.decay_ks)}.",
              "- The paper: 100 epochs on all 50,000 training images, Adam (lr 1e-4, batch 128), mean ± std over seeds."]
    for role, dataset in dataset_roles(profile):
        lines.append(f"- {role} role: `{dataset}`." if dataset else
                     f"- **{role} is skipped in this profile**: its columns below say “not run in this profile”.")
    if profile.skipped:
        lines.append(f"\n> **Note.** {profile.skipped}")
    lines.append(f"- {output_note()}")
    from imlp_core.experiments import STORED_ONLY, stored_runs_only

    if stored_runs_only():
        lines.append(f"\n> **Stored runs only** (`{STORED_ONLY}=1`): nothing is trained here; a seed's sweep "
                     "is shown when the result store holds all its runs, and what it lacks is marked not run.")
    return "\n".join(lines)


def output_note() -> str:
    """Markdown: where this process writes its figures, tables and runs, and why there."""
    root, committed = output_root(), committed_profile()
    if os.environ.get("IMLP_OUTPUT_DIR"):
        return f"Outputs (figures, tables, runs) go under `{shown(root)}/` (set by `IMLP_OUTPUT_DIR`)."
    if root == repo_root():
        return ("Outputs (figures, tables, runs) go to the repository's `figures/` and `results/`"
                + (f": the committed `{committed}`-profile files are rewritten by this run." if committed else "."))
    return (f"Outputs (figures, tables, runs) go under `{shown(root)}/`, beside the committed "
            f"`{committed}`-profile files in `figures/` and `results/`, never over them.")


def files_written(written: Iterable[Path]) -> str:
    """Markdown: 'Files written: `results/smoke/figures/03_….png`, …', each path as a reader finds it."""
    return "Files written: " + ", ".join(f"`{shown(path)}`" for path in written)


def _interior(runs: pd.DataFrame) -> pd.Series:
    curve = runs[(runs["schedule"] == "constant") & (runs["alpha"] > 0) & (runs["alpha"] < 1)]
    return percent(curve.groupby("alpha")["test_acc"].mean()) if len(curve) else pd.Series(dtype=float)


def sweep_findings(runs: pd.DataFrame, prior_label: str, extrema: Iterable = ()) -> str:
    """Markdown bullets on one dataset's α sweep: ends, the dip, the turning points, α = 1 against the prior."""
    mlp = mlp_accuracy(runs, schedule="constant", alpha=0.0)[0]
    one = mlp_accuracy(runs, schedule="constant", alpha=1.0)[0]
    dip = mlp_accuracy(runs, schedule="constant", alpha=0.01)[0]
    prior = prior_accuracy(runs)[0]
    lines = [f"- Budget: {budget_sentence(runs)}.",
             f"- Ends: at this budget {comparison_sentence(f'the {prior_label}', prior, 'the S-MLP (α = 0)', mlp)}; "
             f"the paper (100 epochs) has the prior ahead."]
    if not math.isnan(dip):
        below = dip < min(mlp, one)
        lines.append(f"- The dip: α = 0.01 reaches {dip:.1f} % against {mlp:.1f} % at α = 0 and {one:.1f} % at "
                     f"α = 1 — {'below both ends, as in the paper' if below else 'not below both ends, unlike the paper'}.")
    if not math.isnan(one):
        lines.append(f"- Equivalence at α = 1: the I-MLP ({one:.1f} %) and its prior ({prior:.1f} %) differ by "
                     f"{abs(one - prior):.1f} points (the paper: they should agree within noise).")
    interior = _interior(runs)
    for extremum in extrema:
        if len(interior) < 3:
            lines.append(f"- The paper's {extremum.kind} at α ≈ {extremum.alpha:g} cannot be located: this profile "
                         f"runs only {len(interior)} α strictly between 0 and 1.")
            continue
        if extremum.kind == "minimum":
            found = interior.idxmin()
            lines.append(f"- Lowest accuracy over 0 < α < 1 at α = {found:g} ({interior.min():.1f} %); "
                         f"the paper's minimum is at α ≈ {extremum.alpha:g}.")
        else:
            near = interior.get(extremum.alpha, math.nan)
            lines.append(f"- At the paper's local maximum α = {extremum.alpha:g} we measure {near:.1f} % "
                         f"(highest interior point: α = {interior.idxmax():g}, {interior.max():.1f} %).")
    return "\n".join(lines)


def schedule_findings(runs: pd.DataFrame) -> str:
    """Markdown bullets on one dataset's schedule sweep (Table 4's claims)."""
    none = mlp_accuracy(runs, schedule="constant", alpha=0.0)[0]
    a = float(runs.loc[runs["schedule"] == "test-time", "alpha"].iloc[0]) if (runs["schedule"] == "test-time").any() else 0.5
    constant = mlp_accuracy(runs, schedule="constant", alpha=a)[0]
    test_time = mlp_accuracy(runs, schedule="test-time")[0]
    prior = prior_accuracy(runs)[0]
    decays = (runs[runs["schedule"] == "decay"].assign(acc=lambda f: percent(f["test_acc"]))
              .groupby("k")["acc"].mean())
    lines = [f"- Budget: {budget_sentence(runs)}.",
             f"- Test-time only: {comparison_sentence(f'α_test = {a:g}', test_time, 'no interpolation', none)}; "
             f"the CNN reaches {prior:.1f} %. The paper: test-time only is far worse than both.",
             f"- Constant: {comparison_sentence(f'constant α = {a:g}', constant, 'no interpolation', none)} "
             "(the paper: ahead, 60.98 % against 58.36 %)."]
    if len(decays):
        worst, best = decays.idxmin(), decays.idxmax()
        lines.append(f"- Decay exponents run: {', '.join(f'k = {k:g}: {v:.1f} %' for k, v in decays.items())}; "
                     f"the lowest at k = {worst:g}, the highest at k = {best:g} (the paper: lowest at k = 1).")
        if 1.0 not in decays.index:
            lines.append("- k = 1, the paper's sharp minimum, is not in this profile's grid.")
    return "\n".join(lines)


def first_layer_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Table 5 as bars: baseline and CNN-interpolated test accuracy (%) of MLP-1 and MLP-2 (± std over seeds)."""
    use_style()
    frame = runs.assign(model=runs["prior"].map({"table5-mlp1": "MLP-1 (six layers)", "table5-mlp2": "MLP-2 (wide first layer)"}),
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


def first_layer_findings(runs: pd.DataFrame, alpha: float) -> str:
    """Markdown bullets on one dataset's Table 5 runs."""
    acc = {(prior, a): mlp_accuracy(runs, prior=prior, alpha=a)[0]
           for prior in ("table5-mlp1", "table5-mlp2") for a in (0.0, alpha)}
    gain1 = acc[("table5-mlp1", alpha)] - acc[("table5-mlp1", 0.0)]
    gain2 = acc[("table5-mlp2", alpha)] - acc[("table5-mlp2", 0.0)]
    if max(gain1, gain2) <= 0:
        verdict = "interpolation helps neither network"
    else:
        verdict = f"the wide first layer gains {'more' if gain2 > gain1 else 'less'} than the six layers"
    return "\n".join([
        f"- Budget: {budget_sentence(runs)}; interpolated with constant α = {alpha:g}.",
        f"- Baselines: {comparison_sentence('MLP-1', acc[('table5-mlp1', 0.0)], 'MLP-2', acc[('table5-mlp2', 0.0)])} "
        "(the paper: close, 56.4 % and 54.8 %).",
        f"- Interpolation changes MLP-1 by {gain1:+.1f} points and MLP-2 by {gain2:+.1f} points: at this budget "
        f"{verdict} (the paper: +18.9 against +3.9 on CIFAR-10).",
    ])


def comparison_summary(numbers: pd.DataFrame, claims: pd.DataFrame, profile) -> str:
    """Markdown: verdict counts for numbers and claims, and the claims that hold at this budget."""
    def counts(frame: pd.DataFrame) -> str:
        tally = frame["verdict"].value_counts()
        return ", ".join(f"{n} {verdict}" for verdict, n in tally.items())

    held = claims[claims["verdict"] == "reproduced"]
    lines = [f"Profile `{profile.name}`.",
             f"- Printed numbers ({len(numbers)}): {counts(numbers)}.",
             f"- Claims ({len(claims)}): {counts(claims)}."]
    if len(held):
        lines.append("- Claims that hold at this budget: " + "; ".join(f"{s}: {c}" for s, c in zip(held["source"], held["claim"])) + ".")
    if (numbers["verdict"] == "not run in this profile").all():
        lines.append("- Nothing here was trained on the paper's data in this profile, so no verdict is possible; "
                     "run the `cpu` or `paper` profile.")
    return "\n".join(lines)
