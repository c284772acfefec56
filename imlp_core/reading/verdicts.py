"""Our runs beside the paper, as :class:`imlp_core.reading.inference.Verdict` values: every registered claim
(:mod:`imlp_core.reading.claims`) at one scale (notebook 07, the README headline), every printed number, and notebook 08's
verdicts under each of Algorithm 1's open choices. Sentences about them are :mod:`imlp_core.reading.prose`'s.

Runs come in as ``experiments`` DataFrames (one row per I-MLP, accuracies as fractions); every accuracy here is
in %. Notebook 08's verdicts for one option value's runs:

* **the V**: :func:`imlp_core.reading.inference.v_scan`, every interior α tested for lying below both ends per seed, Holm
  over the α scanned (exploratory: a scan);
* **Table 4's ordering** and **the test-time gap**: the registered claims ``t4-linear`` and ``t4-test-time`` judged
  on that option's runs (exploratory: a scan over options).

The balance diagnostic needs no extra training: every record holds, per epoch and interpolated layer, how far
Adam moved W since the previous interpolation (``drift``) and how far W was from W_P (``gap``), measured just
before the epoch's last interpolation. A pull of alpha moves W by alpha * gap, so ``drift / gap`` is the alpha
at which pull and drift would balance if the drift pointed away from the prior (a norm, not a direction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from imlp_core.reading.claims import PAPER_CLAIMS, Claim, Role, arms, claim, claims_at
from imlp_core.facts import PRIOR_FACTS, select_layers
from imlp_core.reading.paper import DATASET_ROLES, PAPER_NUMBERS, PaperNumber, dataset_for_role
from imlp_core.profiles import resolve_profile
from imlp_core.reading.inference import (
    COUNTED, FAMILY_LEVEL, RESOLUTION, Interval, Kind, ScanResult, Verdict, alpha_curves, drops_below_ends,
    format_interval, judge, judge_family, mlp_accuracy, mlp_per_seed, number_kind, paired_interval, power_at,
    prior_accuracy, prior_per_seed, runs_of, t_interval, term_per_seed, v_scan,
)

NUMBER_TOLERANCE_SIGMAS = 2.0
NUMBER_TOLERANCE_FLOOR = 1.0  # percentage points: the smallest tolerance (Table 5 prints no deviation)


def scale_of(profile) -> str:
    """The scale a profile's runs judge claims at: the paper's (``paper``), else the laptop's."""
    return "paper" if profile.name == "paper" else "laptop"


def runs_on_paper_data(runs: pd.DataFrame, dataset: str | None) -> bool:
    """Whether ``dataset`` is the paper's data (CIFAR under any source), not a synthetic stand-in."""
    return dataset is not None and not runs.empty and not str(dataset).startswith("synthetic")


def dataset_role(runs: pd.DataFrame) -> str:
    """The paper's dataset role ("CIFAR-10", "CIFAR-100") that ``runs`` (one dataset's, of one profile) play."""
    profile = resolve_profile(runs["profile"].iloc[0])
    return next(role for role in DATASET_ROLES if dataset_for_role(profile, role) == runs["dataset"].iloc[0])


def runs_by_role(runs: pd.DataFrame, profile) -> dict[str, pd.DataFrame]:
    """``runs`` split by dataset role ("CIFAR-10", "CIFAR-100"); a role the profile skips, or trains on synthetic
    data only, is left out (its claims are not run)."""
    split = {}
    for role in DATASET_ROLES:
        dataset = dataset_for_role(profile, role)
        if runs_on_paper_data(runs, dataset):
            split[role] = runs[runs["dataset"] == dataset]
    return split


def claim_verdicts(runs: pd.DataFrame, profile, claims: tuple[Claim, ...] | None = None) -> list[Verdict]:
    """Every registered claim judged at the profile's scale (Holm within each family of confirmatory claims)."""
    scale = scale_of(profile)
    chosen = claims_at(scale) if claims is None else tuple(c for c in claims if c.role(scale) is not None)
    return judge_family(chosen, runs_by_role(runs, profile), scale)


# Held-out findings whose contrast is the extreme of a scan over α on the seeds it was found on (reading/claims.py's notes):
# the effect seen there is a maximum picked among many, so the power computed at it is overstated.
PICKED_AS_EXTREME = ("held-per-step-v-deepest",)


@dataclass(frozen=True)
class JudgedStore:
    """One scale's registered claims judged on its committed store (as notebooks 07 and 09 judge them), and what
    that store's records trained on."""

    scale: str
    verdicts: tuple[Verdict, ...]
    epochs: tuple[int, ...]  # every training length of the runs its claims read, ascending
    images: tuple[int, ...]  # every training-set size of those runs, ascending
    sources: tuple[str, ...]  # every data source its records name
    records: int


@dataclass(frozen=True)
class FoundPower:
    """Post hoc: the power a held-out finding's test had on its held-out seeds, at Holm's strictest level in its
    family (``level``), were the effect and spread those of the seeds it was found on."""

    power: float
    level: float
    picked: bool  # the effect is a maximum picked among the α scanned on those seeds (overstated)


def held_out_power(findings: tuple[Claim, ...], earlier: pd.DataFrame, profile, seeds: tuple[int, ...] = (0, 1, 2)
                   ) -> dict[str, FoundPower]:
    """The power of each held-out finding's test, were the effect and spread what the seeds it was found on
    (``seeds``, in ``earlier``) showed: its weakest contrast, on its own held-out seeds, at Holm's first level
    (0.05 over the family's contrasts, the strictest any of them meets; as ``Verdict.level``). Post hoc: it was
    computed after the held-out records existed."""
    level = FAMILY_LEVEL / sum(len(c.contrasts) for c in findings)
    split = runs_by_role(earlier, profile)
    power = {}
    for finding in findings:
        found = replace(finding, seeds=seeds)
        weakest = min((power_at(term_per_seed(c.value, runs_of(found, split)), len(finding.seeds), level)
                       for c in finding.contrasts), default=math.nan)
        power[finding.id] = FoundPower(weakest, level, finding.id in PICKED_AS_EXTREME)
    return power


def verdict_counts(verdicts: list[Verdict], role: Role | None = Role.CONFIRMATORY) -> dict[str, int]:
    """How many of the verdicts (of ``role``; None: all) fall in each headline class (``inference.COUNTED``)."""
    kinds = [v.kind for v in verdicts if role is None or v.role is role]
    return {name: sum(k in members for k in kinds) for name, members in COUNTED.items()}


# ---------------------------------------------------------------------------------------------
# Printed numbers


def select_runs(runs: pd.DataFrame, number: PaperNumber, dataset: str) -> pd.Series:
    """``number.metric`` in % of the runs of ``dataset`` that ``number`` describes, indexed by seed."""
    if runs.empty:
        return pd.Series(dtype=float)
    sweep = runs[(runs["experiment"] == number.experiment) & (runs["prior"] == number.prior)
                 & (runs["dataset"] == dataset)]
    if number.metric == "prior_test_acc":  # one prior per sweep and seed: every row of the sweep carries it
        return prior_per_seed(sweep)
    return mlp_per_seed(sweep, schedule=number.schedule, alpha=number.alpha, k=number.k)


def number_tolerance(number: PaperNumber) -> float:
    """How far from the paper's mean ours may lie: 2 σ_paper, at least 1 point."""
    return max(NUMBER_TOLERANCE_SIGMAS * (number.std or 0.0), NUMBER_TOLERANCE_FLOOR)


@dataclass(frozen=True)
class NumberVerdict:
    """One printed number beside ours: compared at the paper's scale only (another budget cannot match it)."""

    number: PaperNumber
    ours: Interval
    kind: Kind
    tolerance: float
    dataset: str | None


def number_verdicts(runs: pd.DataFrame, profile) -> list[NumberVerdict]:
    """Every printed number of the paper beside ours (mean and 95 % interval over seeds)."""
    verdicts = []
    for number in PAPER_NUMBERS:
        dataset = dataset_for_role(profile, number.dataset)
        ours = t_interval(select_runs(runs, number, dataset) if dataset is not None else [], resolution=RESOLUTION)
        tolerance = number_tolerance(number)
        if not runs_on_paper_data(runs, dataset) or ours.n == 0:
            kind = Kind.NOT_RUN
        elif scale_of(profile) != "paper":
            kind = Kind.NOT_COMPARED
        else:
            kind = number_kind(ours, number.mean, tolerance)
        verdicts.append(NumberVerdict(number, ours, kind, tolerance, dataset))
    return verdicts


def describe_runs(runs: pd.DataFrame, dataset: str | None, experiment: str) -> tuple[str, str]:
    """(budget, data source) of our runs of ``experiment`` on ``dataset``, for the comparison tables."""
    chosen = (runs[(runs["dataset"] == dataset) & (runs["experiment"] == experiment)]
              if dataset is not None and not runs.empty else runs.iloc[:0])
    if chosen.empty:
        return "—", "—"
    budget = "; ".join(sorted({f"{e} epochs, {'all' if pd.isna(n) else int(n)} train images"
                               for e, n in zip(chosen["epochs"], chosen["train_subset"])}))
    return budget, "; ".join(sorted(set(chosen["source"].astype(str))))


def ours_table(runs: pd.DataFrame, numbers: list[PaperNumber], profile) -> pd.DataFrame:
    """Our "mean [95 % interval] (seeds)" for each of the paper's ``numbers``, in the paper's rows and
    dataset-role columns."""
    rows: dict[str, dict[str, str]] = {}
    for number in numbers:
        dataset = dataset_for_role(profile, number.dataset)
        column = f"{number.dataset} (ours: {dataset})" if dataset else f"{number.dataset} (ours: skipped)"
        if dataset is None:
            cell = "not run in this profile"
        else:
            ours = t_interval(select_runs(runs, number, dataset))
            cell = format_interval(ours) if ours.n else "not run in this profile"
        rows.setdefault(number.row, {})[column] = cell
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table


# ---------------------------------------------------------------------------------------------
# Notebooks 03-06: the values their written findings (imlp_core.reading.prose) word

# The registered claims each notebook states under its figures (judged alone: notebook 07 applies Holm across them).
NOTEBOOK_CLAIMS = {"cnn": ("t1a-v-c10", "f2-cnn-min", "f2-cnn-turn"), "mixer": ("t1b-v-c10", "f2-mixer-max", "f2-mixer-turn"),
                   "schedules": ("t4-test-time", "t4-linear", "t4-constant"), "first_layer": ("t5-c10",)}


def scale_of_runs(runs: pd.DataFrame) -> str:
    """The scale ``runs`` judge claims at: the paper's where the paper profile trained them, else the laptop's."""
    return "paper" if "profile" in runs and (runs["profile"] == "paper").any() else "laptop"


def notebook_claim_verdicts(runs: pd.DataFrame, experiment: str) -> list[Verdict]:
    """Each registered claim of ``experiment``'s notebook (:data:`NOTEBOOK_CLAIMS`), judged on ``runs`` alone."""
    return [judge(claim(id), runs, scale_of_runs(runs)) for id in NOTEBOOK_CLAIMS.get(experiment, ())]


@dataclass(frozen=True)
class SweepDifferences:
    """One dataset's α sweep: its prior minus the S-MLP (α = 0), judged (at :data:`RESOLUTION`), and the I-MLP at
    α = 1 minus its prior as measured (None where α = 1 was not run), each over the seeds both hold, in points."""

    prior_minus_mlp: Interval
    one_minus_prior: Interval | None


def sweep_differences(runs: pd.DataFrame) -> SweepDifferences:
    mlp, one = (mlp_per_seed(runs, schedule="constant", alpha=a) for a in (0.0, 1.0))
    prior = prior_per_seed(runs)
    return SweepDifferences(paired_interval(prior, mlp, RESOLUTION), paired_interval(one, prior) if len(one) else None)


@dataclass(frozen=True)
class ScheduleDifferences:
    """One dataset's schedule sweep: at its α (the test-time runs', else 0.5), test-time only against no
    interpolation and against the prior, constant α against no interpolation (paired, in points, judged at
    :data:`RESOLUTION`), and each decay exponent k's accuracy (%)."""

    alpha: float
    test_time_minus_none: Interval
    test_time_minus_prior: Interval
    constant_minus_none: Interval
    decays: dict[float, Interval]


def schedule_differences(runs: pd.DataFrame) -> ScheduleDifferences:
    none = mlp_per_seed(runs, schedule="constant", alpha=0.0)
    test_time_runs = runs["schedule"] == "test-time"
    a = float(runs.loc[test_time_runs, "alpha"].iloc[0]) if test_time_runs.any() else 0.5
    constant = mlp_per_seed(runs, schedule="constant", alpha=a)
    test_time = mlp_per_seed(runs, schedule="test-time", alpha=a)
    decays = runs[runs["schedule"] == "decay"]
    return ScheduleDifferences(a, paired_interval(test_time, none, RESOLUTION),
                               paired_interval(test_time, prior_per_seed(runs), RESOLUTION),
                               paired_interval(constant, none, RESOLUTION),
                               {k: mlp_accuracy(decays, k=k) for k in sorted(set(decays["k"]))})


@dataclass(frozen=True)
class FirstLayerDifferences:
    """One dataset's Table 5 runs, per prior: the S-MLP's accuracy (α = 0, in %) and interpolation's gain at α
    (paired against it, in points, judged at :data:`RESOLUTION`)."""

    baseline: dict[str, Interval]
    gain: dict[str, Interval]


def first_layer_differences(runs: pd.DataFrame, priors: tuple[str, ...], alpha: float) -> FirstLayerDifferences:
    sweeps = {prior: runs[runs["prior"] == prior] for prior in priors}
    base = {p: mlp_per_seed(sweeps[p], alpha=0.0) for p in priors}
    return FirstLayerDifferences({p: t_interval(base[p]) for p in priors},
                                 {p: paired_interval(mlp_per_seed(sweeps[p], alpha=alpha), base[p], RESOLUTION)
                                  for p in priors})


# ---------------------------------------------------------------------------------------------
# Notebook 08: the V and Table 4 under each open choice, and the balance of pull and drift


DEFAULT = "default"
OPTION_CLAIMS = ("t4-linear", "t4-test-time")  # the registered claims notebook 08 judges under each option


def as_cnn_sweeps(frame: pd.DataFrame) -> pd.DataFrame:
    """One option value's runs as notebooks 03 and 05's S-CNN sweeps (experiments "cnn" and "schedules")."""
    return pd.concat([frame.assign(experiment="cnn"), frame.assign(experiment="schedules")], ignore_index=True)


def interior_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """Per-seed accuracy (%) of each constant 0 < α < 1 (rows: seeds, columns: α)."""
    curves = alpha_curves(runs) if not runs.empty else pd.DataFrame()
    return curves.loc[:, [a for a in curves.columns if 0 < a < 1]]


def drop_below_ends(runs: pd.DataFrame, alpha: float) -> Interval:
    """The V's depth at ``alpha``: per seed acc(alpha) minus the lower of acc(0) and acc(1), with its interval."""
    drops = drops_below_ends(runs) if not runs.empty else pd.DataFrame()
    return t_interval(drops[alpha] if alpha in drops else [])


def find_v(runs: pd.DataFrame) -> tuple[float, Interval] | None:
    """(alpha, drop) of the deepest interior alpha below both ends beyond the scan's noise (:func:`v_scan`, Holm over
    the α scanned); None where none is."""
    return v_scan(runs).deepest


@dataclass(frozen=True)
class OptionVerdicts:
    """Notebook 08's verdicts for one option value's runs, as values."""

    seeds: int
    smlp: Interval
    prior: Interval
    one_minus_prior: Interval
    scan: ScanResult
    claims: dict[str, Verdict]  # OPTION_CLAIMS, judged on this option's runs (exploratory)


def option_verdicts(runs: pd.DataFrame, scale: str = "laptop") -> OptionVerdicts:
    """The verdicts of one option value's runs (see the module docstring)."""
    curves = alpha_curves(runs)
    one_minus_prior = (paired_interval(curves[1.0], prior_per_seed(runs)) if 1.0 in curves
                       else t_interval([]))
    explored = tuple(replace(claim(c), roles={scale: Role.EXPLORATORY}) for c in OPTION_CLAIMS)
    judged = judge_family(explored, as_cnn_sweeps(runs), scale)
    return OptionVerdicts(int(runs["seed"].nunique()), t_interval(curves[0.0] if 0.0 in curves else []),
                          prior_accuracy(runs), one_minus_prior, v_scan(runs), {v.claim.id: v for v in judged})


def option_table(runs: pd.DataFrame, scale: str = "laptop") -> dict[str, OptionVerdicts]:
    """:func:`option_verdicts` per option value, the default first."""
    if runs.empty:
        return {}
    order = [DEFAULT] + sorted(set(runs["option"]) - {DEFAULT})
    return {option: option_verdicts(runs[runs["option"] == option], scale) for option in order
            if (runs["option"] == option).any()}


def claims_by_option(open_runs: pd.DataFrame, profile) -> dict[str, list[Verdict]]:
    """Exploratory (a scan over options): every registered S-CNN claim of notebooks 03 and 05 judged on each option
    value's runs standing in for those notebooks' sweeps; option value -> verdicts, in the order run."""
    scale = scale_of(profile)
    explored = tuple(replace(c, roles={scale: Role.EXPLORATORY}) for c in PAPER_CLAIMS
                     if c.dataset == "CIFAR-10" and c.turn is None and not c.equal
                     and {a.experiment for k in c.contrasts for a in arms(k.value)} <= {"cnn", "schedules"})
    return {option: judge_family(explored, runs_by_role(as_cnn_sweeps(frame), profile), scale)
            for option, frame in open_runs.groupby("option", sort=False)}


def interpolates_head(run: pd.Series) -> bool:
    """Whether ``run`` pulled its head (the classifier, the I-MLP's last layer) towards the prior's: unless
    ``head = own``, when its layer selection holds the last layer (always for "all")."""
    if run.get("head", "interpolated") == "own":
        return False
    layers = run.get("layers", "all")
    if layers is None or (isinstance(layers, float) and math.isnan(layers)) or layers == "all":
        return True
    prior = run.get("prior")
    if prior not in PRIOR_FACTS:
        return layers != "first"
    total = PRIOR_FACTS[prior].layers
    return total - 1 in select_layers(layers if isinstance(layers, str) else list(layers), total)


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


def hidden_layer_balance(runs: pd.DataFrame) -> pd.DataFrame:
    """:func:`balance_frame` of ``runs`` without the head's rows: the head is the last of a
    run's measured layers where the run interpolates it (:func:`interpolates_head`)."""
    frames = []
    for i in range(len(runs)):
        balance = balance_frame(runs.iloc[[i]])
        if balance.empty:
            continue
        if interpolates_head(runs.iloc[i]):
            last = max(int(name.split()[-1]) for name in balance["layer"])
            balance = balance[balance["layer"] != f"layer {last}"]
        frames.append(balance)
    return pd.concat(frames, ignore_index=True) if frames else balance_frame(runs.iloc[:0])


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


def balance_predictions(runs: pd.DataFrame, options: list[str]) -> dict[str, float | None]:
    """Notebook 08's prediction of where the minimum sits under each of ``options``: the S-MLP's balance alpha
    (:func:`predicted_balance`) over the hidden layers, the head left out as 08's balance figure leaves it out."""
    balance = hidden_layer_balance(runs[runs["option"].isin(options)])
    return {option: predicted_balance(balance[balance["option"] == option]) for option in options}
