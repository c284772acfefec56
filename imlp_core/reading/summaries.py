"""Written findings: the Markdown statements notebooks 03–08 print under their figures, computed from the runs
(so that they are true for whichever profile ran), and tables saved as CSV + Markdown under ``results/``.

The sentences word values: every interval and verdict they state is returned by :mod:`imlp_core.reading.verdicts`
(``sweep_differences``, ``schedule_differences``, ``first_layer_differences``) or :mod:`imlp_core.judged`, computed
there with :mod:`imlp_core.reading.inference`; none is computed here (an ``ast`` check in tests/test_prose.py).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from imlp_core.facts import PRIOR_FACTS, parameter_counts
from imlp_core.reading.paper import TABLE_5, TABLE_5_PARAMS
from imlp_core.reading import prose
from imlp_core.reading.inference import Interval, Verdict, format_interval
from imlp_core.reading.claims import claim as registered_claim
from imlp_core.reading.paper import DATASET_ROLES, dataset_for_role
from imlp_core.profiles import resolve_profile
from imlp_core.reading.verdicts import (
    NOTEBOOK_CLAIMS, JudgedStore, first_layer_differences, ours_table, schedule_differences, sweep_differences,
)


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


def difference_sentence(name_a: str, name_b: str, difference: Interval) -> str:
    """'the S-CNN is ahead of the S-MLP: +6.90 [+4.10, +9.70] (3 seeds) points, beyond noise' from the per-seed
    differences a − b; a difference whose interval reaches across zero is said to be within noise, one that does not
    beyond noise *uncorrected* (the registry's verdicts carry Holm's correction)."""
    if difference.n == 0:
        return f"{name_a} and {name_b} could not both be measured"
    verb = "ahead of" if difference.mean > 0 else "behind" if difference.mean < 0 else "level with"
    noise = "beyond noise, uncorrected" if difference.low > 0 or difference.high < 0 else "within noise"
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


def dataset_role(runs: pd.DataFrame) -> str:
    """The paper's dataset role ("CIFAR-10", "CIFAR-100") that ``runs`` (one dataset's, of one profile) play."""
    profile = resolve_profile(runs["profile"].iloc[0])
    return next(role for role in DATASET_ROLES if dataset_for_role(profile, role) == runs["dataset"].iloc[0])


def claim_bullets(runs: pd.DataFrame, experiment: str, registry: dict[str, Verdict]) -> list[str]:
    """One bullet per registered claim of ``experiment``'s notebook (:data:`imlp_core.reading.verdicts.NOTEBOOK_CLAIMS`; a
    prior added later has none) whose dataset role ``runs`` play: the registry's verdict, as notebook 07 gives it
    (``registry``: ``judged.registry_verdicts``), with its intervals uncorrected and Holm-adjusted."""
    role = dataset_role(runs)
    return [f"- {claim.source}, `{claim.id}`: {claim.statement}: {prose.registry_sentence(registry[claim.id])}."
            for claim in map(registered_claim, NOTEBOOK_CLAIMS.get(experiment, ())) if claim.dataset == role]


def sweep_findings(runs: pd.DataFrame, registry: dict[str, Verdict]) -> str:
    """Markdown bullets on one dataset's α sweep: ends, α = 1 against the prior (premises), then the registered
    claims (:data:`NOTEBOOK_CLAIMS`), each a paired per-seed difference with its 95 % interval."""
    prior_label = PRIOR_FACTS[runs["prior"].iloc[0]].display_name
    differences = sweep_differences(runs)
    lines = [f"- Budget: {budget_sentence(runs)}.",
             f"- Ends (a premise of the laptop regime): at this budget "
             f"{difference_sentence(f'the {prior_label}', 'the S-MLP (α = 0)', differences.prior_minus_mlp)}; "
             f"the paper (100 epochs) has the prior ahead."]
    if differences.one_minus_prior is not None:
        lines.append(f"- Equivalence at α = 1 (a premise): the I-MLP minus its prior is "
                     f"{format_interval(differences.one_minus_prior, signed=True)} points (Algorithm 1 "
                     f"with every layer pulled at α = 1 copies the prior: 0 exactly).")
    return "\n".join(lines + claim_bullets(runs, runs["experiment"].iloc[0], registry))


def schedule_findings(runs: pd.DataFrame, registry: dict[str, Verdict]) -> str:
    """Markdown bullets on one dataset's schedule sweep (Table 4's claims), as paired per-seed differences."""
    d = schedule_differences(runs)
    a = d.alpha
    lines = [f"- Budget: {budget_sentence(runs)}.",
             f"- Test-time only: {difference_sentence(f'α_test = {a:g}', 'no interpolation', d.test_time_minus_none)}, "
             f"and {difference_sentence('it', 'the CNN', d.test_time_minus_prior)}. The paper: "
             "test-time only is far worse than both.",
             f"- Constant: {difference_sentence(f'constant α = {a:g}', 'no interpolation', d.constant_minus_none)} "
             "(the paper: ahead, 60.98 % against 58.36 %)."]
    if d.decays:
        lines.append("- Decay exponents run: " + ", ".join(f"k = {k:g}: {format_interval(v)}" for k, v in d.decays.items())
                     + ". The paper has linear decay (k = 1) the lowest of them.")
    return "\n".join(lines + claim_bullets(runs, "schedules", registry))


def first_layer_findings(runs: pd.DataFrame, alpha: float, registry: dict[str, Verdict]) -> str:
    """Markdown bullets on one dataset's Table 5 runs: MLP-1 (six interpolated layers) against MLP-2 (one wide),
    each gain a paired per-seed difference with its interval."""
    one, two = dict.fromkeys(number.prior for number in TABLE_5)
    name = {prior: PRIOR_FACTS[prior].display_name for prior in (one, two)}
    d = first_layer_differences(runs, (one, two), alpha)
    base, gain = d.baseline, d.gain
    paper = {(n.prior, n.alpha): n.mean for n in TABLE_5 if n.dataset == "CIFAR-10"}
    paper_gain = {prior: paper[prior, alpha] - paper[prior, 0.0] for prior in (one, two)}
    return "\n".join([
        f"- Budget: {budget_sentence(runs)}; interpolated with constant α = {alpha:g}.",
        f"- Baselines: {name[one]} {format_interval(base[one])} %, {name[two]} "
        f"{format_interval(base[two])} % (the paper: close, {paper[one, 0.0]:.1f} % and {paper[two, 0.0]:.1f} %).",
        f"- Interpolation changes {name[one]} by {format_interval(gain[one], signed=True)} points and "
        f"{name[two]} by {format_interval(gain[two], signed=True)} points (the paper: "
        f"{paper_gain[one]:+.1f} and {paper_gain[two]:+.1f} on CIFAR-10).",
        *claim_bullets(runs.assign(experiment="first_layer"), "first_layer", registry),
    ])


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
                         {scale: s.budget for scale, s in stores.items()},
                         prose.data_text(sorted({source for s in stores.values() for source in s.sources})),
                         sum(s.records for s in stores.values()), glossary, figure)
