"""Written findings: the Markdown statements notebooks 03–08 print under their figures, computed from the runs
(so that they are true for whichever profile ran), and tables saved as CSV + Markdown under ``results/``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

import pandas as pd

from imlp_core.models import PRIORS
from imlp_core.paper import PAPER_TEST_TIME_GAP, TABLE_5
from imlp_core.paths import results_dir
from imlp_core.verdicts import NEAR_GAP, NO_RUNS, V_DEPTH, alpha_curve, mlp_accuracy, percent, prior_accuracy

def save_table(table: pd.DataFrame, name: str, index: bool = True, integers: bool = True) -> list[Path]:
    """``results/<name>.csv`` and ``.md`` (a GitHub Markdown table; ``integers=False``: pandas' own formatting)."""
    csv, md = results_dir() / f"{name}.csv", results_dir() / f"{name}.md"
    table.to_csv(csv, index=index)
    md.write_text((markdown(table, index=index) if integers else table.to_markdown(index=index)) + "\n")
    return [csv, md]


def markdown(table: pd.DataFrame, index: bool = True) -> str:
    """A GitHub Markdown table with integers written out (16,930,826, not 1.69308e+07)."""
    return table.astype(object).to_markdown(index=index, intfmt=",")


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


def sweep_findings(runs: pd.DataFrame, extrema: Iterable = ()) -> str:
    """Markdown bullets on one dataset's α sweep: ends, the dip, the turning points, α = 1 against the prior."""
    prior_label = PRIORS[runs["prior"].iloc[0]].display_name
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
    curve = alpha_curve(runs)
    interior = curve[(curve.index > 0) & (curve.index < 1)]
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


def first_layer_findings(runs: pd.DataFrame, alpha: float) -> str:
    """Markdown bullets on one dataset's Table 5 runs: MLP-1 (six interpolated layers) against MLP-2 (one wide)."""
    one, two = dict.fromkeys(number.prior for number in TABLE_5)
    name = {prior: PRIORS[prior].display_name for prior in (one, two)}
    base = {prior: mlp_accuracy(runs, prior=prior, alpha=0.0)[0] for prior in (one, two)}
    gain = {prior: mlp_accuracy(runs, prior=prior, alpha=alpha)[0] - base[prior] for prior in (one, two)}
    paper = {(n.prior, n.alpha): n.mean for n in TABLE_5 if n.dataset == "CIFAR-10"}
    paper_gain = {prior: paper[prior, alpha] - paper[prior, 0.0] for prior in (one, two)}
    if max(gain.values()) <= 0:
        verdict = "interpolation helps neither network"
    else:
        verdict = f"the wide first layer gains {'more' if gain[two] > gain[one] else 'less'} than the six layers"
    return "\n".join([
        f"- Budget: {budget_sentence(runs)}; interpolated with constant α = {alpha:g}.",
        f"- Baselines: {comparison_sentence(name[one], base[one], name[two], base[two])} "
        f"(the paper: close, {paper[one, 0.0]:.1f} % and {paper[two, 0.0]:.1f} %).",
        f"- Interpolation changes {name[one]} by {gain[one]:+.1f} points and {name[two]} by {gain[two]:+.1f} points: "
        f"at this budget {verdict} (the paper: {paper_gain[one]:+.1f} and {paper_gain[two]:+.1f} on CIFAR-10).",
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


def option_findings(table: pd.DataFrame, predictions: dict[str, float | None]) -> str:
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


def runs_table(runs: pd.DataFrame, columns: tuple[str, ...] = ("dataset", "seed", "label")) -> pd.DataFrame:
    """What a notebook shows after training: each run's final accuracy and its prior's in % (rounded), and status."""
    return runs[[*columns, "test_acc", "prior_test_acc", "status"]].assign(
        test_acc=lambda f: (100 * f.test_acc).round(2), prior_test_acc=lambda f: (100 * f.prior_test_acc).round(2))
