"""Written findings: the Markdown statements notebooks 03–08 print under their figures, computed from the runs
(so that they are true for whichever profile ran), and tables saved as CSV + Markdown under ``results/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from imlp_core.models import PRIORS, parameter_counts
from imlp_core.paper import PAPER_TEST_TIME_GAP, TABLE_5, TABLE_5_PARAMS
from imlp_core.paths import results_dir
from imlp_core.statistics import (
    NOT_RUN, OPPOSITE, REPRODUCED, WITHIN_NOISE, Interval, direction_verdict, format_interval, mlp_accuracy,
    mlp_per_seed, paired_differences, prior_per_seed, t_interval,
)
from imlp_core.verdicts import (
    NO_RUNS, drop_below_ends, judge_differences, judge_local_maximum, judge_minimum, ours_table, verdict_counts,
)

def save_table(table: pd.DataFrame, name: str, index: bool = True, integers: bool = True) -> list[Path]:
    """``results/<name>.csv`` and ``.md`` (a GitHub Markdown table; ``integers=False``: pandas' own formatting)."""
    csv, md = results_dir() / f"{name}.csv", results_dir() / f"{name}.md"
    table.to_csv(csv, index=index)
    md.write_text((markdown(table, index=index) if integers else table.to_markdown(index=index)) + "\n")
    return [csv, md]


def markdown(table: pd.DataFrame, index: bool = True) -> str:
    """A GitHub Markdown table with integers written out (16,930,826, not 1.69308e+07)."""
    return table.astype(object).to_markdown(index=index, intfmt=",")


def difference_sentence(name_a: str, name_b: str, difference: Interval) -> str:
    """'the S-CNN is ahead of the S-MLP: +6.90 [+4.10, +9.70] (3 seeds) points, beyond noise' from the per-seed
    differences a − b; a difference whose interval reaches across zero is said to be within noise."""
    if difference.n == 0:
        return f"{name_a} and {name_b} could not both be measured"
    verdict = direction_verdict(difference)
    verb = "ahead of" if difference.mean > 0 else "behind" if difference.mean < 0 else "level with"
    noise = {REPRODUCED: "beyond noise", OPPOSITE: "beyond noise"}.get(verdict, "within noise")
    if difference.n < 2:
        noise = "one seed: no interval, so within noise"
    return f"{name_a} is {verb} {name_b}: {format_interval(difference, signed=True)} points, {noise}"


def budget_sentence(runs: pd.DataFrame) -> str:
    """'2 epochs on 600 training images of synthetic (source: ...), Adam lr 0.001, 3 seeds, 10,000 test images'."""
    first = runs.iloc[0]
    images = "all" if pd.isna(first["train_subset"]) else f"{int(first['train_subset']):,}"
    seeds = runs["seed"].nunique()
    lrs = " and ".join(f"{lr:g}" for lr in sorted(set(runs["lr"]), reverse=True))  # notebook 09 runs two
    return (f"{int(first['epochs'])} epochs on {images} training images of `{first['dataset']}` "
            f"(source: {first['source']}), Adam lr {lrs}, {seeds} seed{'s' if seeds > 1 else ''}")


def sweep_findings(runs: pd.DataFrame, extrema: Iterable = ()) -> str:
    """Markdown bullets on one dataset's α sweep: ends, the dip, the turning points, α = 1 against the prior, each
    a paired per-seed difference with its 95 % interval."""
    prior_label = PRIORS[runs["prior"].iloc[0]].display_name
    mlp, one = (mlp_per_seed(runs, schedule="constant", alpha=a) for a in (0.0, 1.0))
    prior = prior_per_seed(runs)
    lines = [f"- Budget: {budget_sentence(runs)}.",
             f"- Ends: at this budget {difference_sentence(f'the {prior_label}', 'the S-MLP (α = 0)', t_interval(paired_differences(prior, mlp)))}; "
             f"the paper (100 epochs) has the prior ahead."]
    if 0.01 in set(runs["alpha"]):
        drop = drop_below_ends(runs, 0.01)
        below = direction_verdict(Interval(-drop.mean, -drop.high, -drop.low, drop.n))
        lines.append(f"- The dip: α = 0.01 lies {format_interval(drop, signed=True)} points from the lower of its two "
                     f"ends (per seed) — {DIP_WORDS.get(below, 'within noise of the ends')} (the paper: below both).")
    if len(one):
        lines.append(f"- Equivalence at α = 1: the I-MLP minus its prior is "
                     f"{format_interval(t_interval(paired_differences(one, prior)), signed=True)} points (Algorithm 1 "
                     f"with every layer pulled at α = 1 copies the prior: 0 exactly).")
    for extremum in extrema:
        judge = judge_minimum if extremum.kind == "minimum" else judge_local_maximum
        ours, verdict = judge(runs, extremum.alpha)
        lines.append(f"- The paper's {extremum.kind} at α ≈ {extremum.alpha:g}: " + (
            f"{ours} — **{verdict}**." if verdict != NOT_RUN else
            "cannot be located: this profile runs too few α strictly between 0 and 1."))
    return "\n".join(lines)


DIP_WORDS = {REPRODUCED: "below both ends beyond noise, as in the paper",
             OPPOSITE: "above an end beyond noise, unlike the paper"}


def schedule_findings(runs: pd.DataFrame) -> str:
    """Markdown bullets on one dataset's schedule sweep (Table 4's claims), as paired per-seed differences."""
    none = mlp_per_seed(runs, schedule="constant", alpha=0.0)
    a = float(runs.loc[runs["schedule"] == "test-time", "alpha"].iloc[0]) if (runs["schedule"] == "test-time").any() else 0.5
    constant = mlp_per_seed(runs, schedule="constant", alpha=a)
    test_time = mlp_per_seed(runs, schedule="test-time", alpha=a)
    prior = prior_per_seed(runs)
    decays = runs[runs["schedule"] == "decay"]
    lines = [f"- Budget: {budget_sentence(runs)}.",
             f"- Test-time only: {difference_sentence(f'α_test = {a:g}', 'no interpolation', t_interval(paired_differences(test_time, none)))}, "
             f"and {difference_sentence('it', 'the CNN', t_interval(paired_differences(test_time, prior)))}. The paper: "
             "test-time only is far worse than both.",
             f"- Constant: {difference_sentence(f'constant α = {a:g}', 'no interpolation', t_interval(paired_differences(constant, none)))} "
             "(the paper: ahead, 60.98 % against 58.36 %)."]
    if len(decays):
        ks = sorted(set(decays["k"]))
        means = {k: mlp_accuracy(decays, k=k) for k in ks}
        lines.append("- Decay exponents run: " + ", ".join(f"k = {k:g}: {format_interval(v)}" for k, v in means.items())
                     + ". The paper has linear decay (k = 1) the lowest of them.")
        if 1.0 in ks:
            linear = mlp_per_seed(decays, k=1.0)
            ours, verdict = judge_differences([("constant − k = 1", paired_differences(constant, linear)),
                                               ("k = 4 − k = 1", paired_differences(mlp_per_seed(decays, k=4.0), linear))])
            lines.append(f"- Linear decay below constant α = {a:g} and below k = 4 (Table 4): " + (
                f"{ours} — **{verdict}**." if verdict != NOT_RUN else
                f"**{verdict}** (constant α = {a:g}, k = 1 and k = 4 are not all in this sweep)."))
        else:
            lines.append("- k = 1, the paper's sharp minimum, is not in this profile's grid.")
    return "\n".join(lines)


def first_layer_findings(runs: pd.DataFrame, alpha: float) -> str:
    """Markdown bullets on one dataset's Table 5 runs: MLP-1 (six interpolated layers) against MLP-2 (one wide),
    each gain a paired per-seed difference with its interval."""
    one, two = dict.fromkeys(number.prior for number in TABLE_5)
    name = {prior: PRIORS[prior].display_name for prior in (one, two)}
    sweeps = {prior: runs[runs["prior"] == prior] for prior in (one, two)}
    base = {p: mlp_per_seed(sweeps[p], alpha=0.0) for p in (one, two)}
    gain = {p: paired_differences(mlp_per_seed(sweeps[p], alpha=alpha), base[p]) for p in (one, two)}
    paper = {(n.prior, n.alpha): n.mean for n in TABLE_5 if n.dataset == "CIFAR-10"}
    paper_gain = {prior: paper[prior, alpha] - paper[prior, 0.0] for prior in (one, two)}
    ours, verdict = judge_differences([(f"{name[two]}'s gain", gain[two]),
                                       (f"{name[two]}'s gain − {name[one]}'s", paired_differences(gain[two], gain[one]))])
    return "\n".join([
        f"- Budget: {budget_sentence(runs)}; interpolated with constant α = {alpha:g}.",
        f"- Baselines: {name[one]} {format_interval(t_interval(base[one]))} %, {name[two]} "
        f"{format_interval(t_interval(base[two]))} % (the paper: close, {paper[one, 0.0]:.1f} % and {paper[two, 0.0]:.1f} %).",
        f"- Interpolation changes {name[one]} by {format_interval(t_interval(gain[one]), signed=True)} points and "
        f"{name[two]} by {format_interval(t_interval(gain[two]), signed=True)} points (the paper: "
        f"{paper_gain[one]:+.1f} and {paper_gain[two]:+.1f} on CIFAR-10).",
        f"- The paper's claim, the wide first layer gains, and more than the six layers: {ours} — **{verdict}**.",
    ])


def comparison_summary(numbers: pd.DataFrame, claims: pd.DataFrame, profile) -> str:
    """Markdown: how many printed numbers and claims are reproduced, within noise, opposite (not reproduced) and
    not run, and the claims reproduced at this budget."""
    def counts(frame: pd.DataFrame) -> str:
        return ", ".join(f"{n} {verdict}" for verdict, n in verdict_counts(frame).items())

    held = claims[claims["verdict"] == REPRODUCED]
    lines = [f"Profile `{profile.name}`.",
             f"- Printed numbers ({len(numbers)}): {counts(numbers)} (for a number, *opposite* means not reproduced).",
             f"- Claims ({len(claims)}): {counts(claims)}."]
    if len(held):
        lines.append("- Claims reproduced at this budget: " + "; ".join(f"{s}: {c}" for s, c in zip(held["source"], held["claim"])) + ".")
    if (numbers["verdict"] == NOT_RUN).all():
        lines.append("- Nothing here was trained on the paper's data in this profile, so no verdict is possible; "
                     "run the `cpu` or `paper` profile.")
    return "\n".join(lines)


def option_findings(table: pd.DataFrame, predictions: dict[str, float | None]) -> str:
    """Markdown bullets: which option values make the V beyond noise and where, Table 4's ordering, the test-time
    gap, α = 1 against the prior, and the S-MLP's balance alpha against where the curve turns."""
    if table.empty:
        return f"- {NO_RUNS}"
    with_v = [f"`{o}` ({v.removeprefix('yes, ')})" for o, v in table["V"].items() if v.startswith("yes")]
    ordering = {verdict: [f"`{o}`" for o, v in table["Table 4 ordering"].items() if v.startswith(verdict + " (")]
                for verdict in (REPRODUCED, *WITHIN_NOISE, OPPOSITE)}
    lines = ["- The V (an interior α whose per-seed drop below both ends has a 95 % interval below zero): "
             + ("; ".join(with_v) if with_v else "under no option value") + ".",
             "- Table 4's ordering (linear decay below constant α = 0.5 and below k = 4): "
             + ("; ".join(f"{verdict} under {', '.join(options)}" for verdict, options in ordering.items() if options)
                or "no option value runs the schedules") + ".",
             f"- Test-time-only minus no interpolation (the paper: {PAPER_TEST_TIME_GAP:+.1f} points): "
             + "; ".join(f"`{o}` {v}" for o, v in table["test-time gap"].items() if v != "not run") + "."]
    lines.append("- α = 1 minus the prior, per seed: " + "; ".join(
        f"`{o}` {d}" for o, d in table["α = 1 − prior"].items()) + " (0 exactly where α = 1 copies the prior).")
    for option, predicted in predictions.items():
        where = table.loc[option, "minimum over resamples at α ∈"] if option in table.index else "—"
        lines.append(f"- Balance under `{option}`: " + (
            f"one pull of α ≈ {predicted:.2g} matches the norm of the S-MLP's drift between two pulls" if predicted else
            "no S-MLP run to measure the drift on") + f"; the curve's minimum sits at α ∈ {where}.")
    return "\n".join(lines)


def table5_parameter_table() -> pd.DataFrame:
    """Table 5's parameter columns, ours (``models.parameter_counts``) beside the paper's, with our total's difference
    in %."""
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


HEADLINE_SCALES = {"laptop (`cpu`, 3 seeds)": "results/07_claims.csv",
                   "H100 (`paper`, CIFAR-10, 1–2 seeds)": "results/paper-h100/results/07_claims.csv"}


def headline_tables(claims: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The README's headline from each scale's claim table (notebook 07): the verdict counts per scale, and every
    claim run at some scale with its verdict at each (CIFAR-100's claims, run at neither, left out)."""
    counts = pd.DataFrame({scale: verdict_counts(frame) for scale, frame in claims.items()}).T
    counts.index.name = "claims (16)"
    verdicts = pd.DataFrame({scale: frame.set_index(["source", "claim"])["verdict"] for scale, frame in claims.items()})
    verdicts = verdicts[(verdicts != NOT_RUN).any(axis=1)].reset_index()
    return counts, verdicts


def headline_markdown(root: Path) -> str:
    """The headline block of the README, from the committed claim tables under ``root`` (the repository)."""
    counts, verdicts = headline_tables({scale: pd.read_csv(root / path) for scale, path in HEADLINE_SCALES.items()})
    return markdown(counts) + "\n\n" + markdown(verdicts, index=False)
