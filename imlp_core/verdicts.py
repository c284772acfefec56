"""Our runs beside the paper: the verdict on every printed number and claim (notebook 07), and on the V under each
of Algorithm 1's open choices (notebook 08). Every verdict is judged with its noise (:mod:`imlp_core.statistics`):
paired per-seed differences and their 95 % t-interval, never a mean alone.

Runs come in as ``experiments`` DataFrames (one row per I-MLP, accuracies as fractions); every accuracy here is
in %. Notebook 08's verdicts for one option value's runs:

* **the V**: an interior alpha (0 < alpha < 1) whose per-seed drop below *both* ends, acc(alpha) minus the lower
  of acc(0) and acc(1) of the same seed, has an interval below zero; reported at the deepest such alpha;
* **where the curve turns**: the set of interior alpha that is the minimum in most bootstrap resamples of the
  seeds (:func:`imlp_core.statistics.minimum_set`), not the argmin of a mean;
* **Table 4's ordering**: linear decay (k = 1) below constant alpha = 0.5 and below k = 4, per seed;
* **the test-time gap**: test-time-only interpolation (alpha_test = 0.5) minus no interpolation, per seed, against
  the paper's 48.63 - 58.36 = -9.73 points.

The balance diagnostic needs no extra training: every record holds, per epoch and interpolated layer, how far
Adam moved W since the previous interpolation (``drift``) and how far W was from W_P (``gap``), measured just
before the epoch's last interpolation. A pull of alpha moves W by alpha * gap, so ``drift / gap`` is the alpha
at which pull and drift would balance if the drift pointed away from the prior (a norm, not a direction).
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from imlp_core.interpolate import select_layers
from imlp_core.models import PRIORS, build_prior

from imlp_core.paper import (
    DATASET_ROLES, FIGURE_2_EXTREMA, PAPER_NUMBERS, PAPER_TEST_TIME_GAP, TABLE_4, TABLE_5, PaperNumber,
    dataset_for_role, format_mean_std,
)
from imlp_core.statistics import (
    CONFIDENCE, NOT_RUN, OPPOSITE, REPRODUCED, SAME_WITHIN_NOISE, WITHIN_NOISE, Interval, alpha_curves,
    combine_verdicts, direction_verdict, format_interval, mlp_per_seed, minimum_set, number_verdict,
    paired_differences, prior_accuracy, prior_per_seed, t_interval,
)

# ---------------------------------------------------------------------------------------------
# Notebook 07: every printed number and claim


NUMBER_TOLERANCE_SIGMAS = 2.0
NUMBER_TOLERANCE_FLOOR = 1.0  # percentage points: the smallest tolerance (Table 5 prints no deviation)

VERDICT_RULE = (
    f"Every verdict is judged with its noise: {CONFIDENCE:.0%} Student-t intervals over seeds, on paired per-seed "
    "differences (a seed fixes the shared initialisation and data order, so the models of one seed are paired). "
    "A qualitative **claim** (an ordering) is *reproduced* when the interval of each difference it states lies on "
    "the paper's side of zero, *same direction, within noise* when the means have the paper's sign but an interval "
    "reaches across zero, *opposite direction, within noise* when a mean has the other sign but its interval reaches "
    "across zero, and *opposite* when an interval lies wholly on the other side. A **turn** of Figure 2 is where our "
    "curve's minimum sits in most bootstrap resamples of the seeds: *reproduced* when those α lie within a factor of "
    "2 of the paper's and the drop there below both ends (α = 0 and α = 1) has an interval below zero; *opposite* "
    "when they all lie outside, or when the point lies significantly above an end. A printed **number** is "
    f"*reproduced* when our interval lies inside the paper's mean ± {NUMBER_TOLERANCE_SIGMAS:g} σ_paper (at least "
    f"± {NUMBER_TOLERANCE_FLOOR:g} point), *not reproduced* when it lies wholly outside, and *within noise* "
    "otherwise (one seed has no interval: never reproduced). Any verdict is *not run* when the profile did not "
    "train those runs on the paper's dataset (the smoke profile's synthetic data stands in for CIFAR only to "
    "exercise the code). Our budget is stated beside every verdict: a claim made at 100 epochs need not hold after "
    "a few."
)

NOT_REPRODUCED = "not reproduced"
NUMBER_WITHIN_NOISE = "within noise"


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


def judge_number(ours: Interval, paper: float, tolerance: float) -> str:
    """The verdict on one printed number (see :data:`VERDICT_RULE`), named for numbers rather than directions."""
    verdict = number_verdict(ours, paper, tolerance)
    return {OPPOSITE: NOT_REPRODUCED, REPRODUCED: REPRODUCED, NOT_RUN: NOT_RUN}.get(verdict, NUMBER_WITHIN_NOISE)


def runs_on_paper_data(runs: pd.DataFrame, dataset: str) -> bool:
    """Whether ``dataset`` is the paper's data (CIFAR under any source), not a synthetic stand-in."""
    return not runs.empty and not str(dataset).startswith("synthetic")


def describe_runs(runs: pd.DataFrame, dataset: str | None, experiment: str) -> tuple[str, str]:
    """(budget, data source) of our runs of ``experiment`` on ``dataset``, for the comparison tables."""
    chosen = (runs[(runs["dataset"] == dataset) & (runs["experiment"] == experiment)]
              if dataset is not None and not runs.empty else runs.iloc[:0])
    if chosen.empty:
        return "—", "—"
    budget = "; ".join(sorted({f"{e} epochs, {'all' if pd.isna(n) else int(n)} train images"
                               for e, n in zip(chosen["epochs"], chosen["train_subset"])}))
    return budget, "; ".join(sorted(set(chosen["source"].astype(str))))


def compare_numbers(runs: pd.DataFrame, profile) -> pd.DataFrame:
    """Every printed number beside ours: the paper's mean ± std, ours as mean [95 % interval] (seeds), the
    difference, the tolerance, budget, source and verdict."""
    rows = []
    for number in PAPER_NUMBERS:
        dataset = dataset_for_role(profile, number.dataset)
        ours = t_interval(select_runs(runs, number, dataset) if dataset is not None else [])
        verdict = judge_number(ours, number.mean, number_tolerance(number)) if runs_on_paper_data(runs, dataset) else NOT_RUN
        budget, source = describe_runs(runs, dataset, number.experiment)
        rows.append({"source": number.source, "model": number.row, "dataset": number.dataset,
                     "paper": format_mean_std(number.mean, number.std), "ours": format_interval(ours),
                     "difference": round(ours.mean - number.mean, 2) if ours.n else math.nan, "seeds": ours.n,
                     "tolerance": f"± {number_tolerance(number):.2f}", "profile": profile.name,
                     "our dataset": dataset or "skipped", "budget": budget, "data source": source,
                     "verdict": verdict})
    return pd.DataFrame(rows)


def _find(source: str, row: str, dataset: str = "CIFAR-10") -> PaperNumber:
    return next(n for n in PAPER_NUMBERS if n.source == source and n.row == row and n.dataset == dataset)


def _ordering_claims() -> list[tuple[str, str, list[tuple[PaperNumber, PaperNumber]]]]:
    """(source, claim, pairs (a, b) that must all satisfy a < b) for the orderings the paper states."""
    claims = []
    for source, prior in (("Table 1(a)", "S-CNN"), ("Table 1(b)", "MLP-Mixer")):
        for dataset in DATASET_ROLES:
            a0, a01, a1 = (_find(source, f"I-MLP (α = {a})", dataset) for a in ("0.0", "0.01", "1.0"))
            claims.append((f"{source}, {dataset}",
                           "α = 0.01 is worse than both ends, α = 0 and α = 1 (the V of Figure 2)",
                           [(a01, a0), (a01, a1)]))
            claims.append((f"{source}, {dataset}", f"the {prior} prior beats the S-MLP (I-MLP α = 0)",
                           [(a0, _find(source, prior, dataset))]))
    t4 = lambda row: _find("Table 4", row)
    test_time, none = t4("I-MLP test-time interpolation α_test = 0.5"), t4("I-MLP no interpolation α[t] = 0")
    linear, constant = t4("I-MLP linear decay a = 0.5, k = 1"), t4("I-MLP constant interpolation α[t] = 0.5")
    claims.append(("Table 4 / App. F", "test-time-only interpolation is worse than no interpolation and than the CNN",
                   [(test_time, none), (test_time, t4("CNN"))]))
    claims.append(("Table 4 / Fig. 3", "linear decay (k = 1) is worse than constant (k = 0) and than k = 4",
                   [(linear, constant), (linear, t4("I-MLP exponential decay a = 0.5, k = 4"))]))
    claims.append(("Table 4", "constant interpolation α = 0.5 beats no interpolation", [(none, constant)]))
    return claims


def judge_differences(differences: list[tuple[str, pd.Series]]) -> tuple[str, str]:
    """(what ours shows, verdict) for named per-seed differences that the paper says are all > 0."""
    intervals = [(name, t_interval(values)) for name, values in differences]
    if any(interval.n == 0 for _, interval in intervals):
        return "—", NOT_RUN
    ours = "; ".join(f"{name}: {format_interval(interval, signed=True)}" for name, interval in intervals)
    return ours, combine_verdicts([direction_verdict(interval) for _, interval in intervals])


def _gain(runs: pd.DataFrame, model: str, dataset_role: str, dataset: str) -> pd.Series:
    """Per seed: the interpolated ``model``'s accuracy minus its baseline's (Table 5)."""
    base = next(n for n in TABLE_5 if n.row == f"{model} baseline" and n.dataset == dataset_role)
    interp = next(n for n in TABLE_5 if n.row == f"{model} CNN-interpolated" and n.dataset == dataset_role)
    return paired_differences(select_runs(runs, interp, dataset), select_runs(runs, base, dataset))


def compare_claims(runs: pd.DataFrame, profile) -> pd.DataFrame:
    """Each qualitative claim: what the paper says, our paired differences with their intervals, and the verdict."""
    rows = []

    def add(source: str, claim: str, dataset_role: str, experiment: str, ours: str, verdict: str) -> None:
        dataset = dataset_for_role(profile, dataset_role)
        if dataset is None or not runs_on_paper_data(runs, dataset):
            ours, verdict = "—", NOT_RUN
        rows.append({"source": source, "claim": claim, "ours (paired difference, 95 % interval)": ours,
                     "profile": profile.name, "our dataset": dataset or "skipped",
                     "budget": describe_runs(runs, dataset, experiment)[0], "verdict": verdict})

    for source, claim, pairs in _ordering_claims():
        role = pairs[0][0].dataset
        dataset = dataset_for_role(profile, role)
        differences = [(f"{b.row} − {a.row}", paired_differences(select_runs(runs, b, dataset),
                                                                 select_runs(runs, a, dataset)) if dataset else
                        pd.Series(dtype=float)) for a, b in pairs]
        add(source, claim, role, pairs[0][0].experiment, *judge_differences(differences))

    for role in DATASET_ROLES:
        dataset = dataset_for_role(profile, role)
        empty = pd.Series(dtype=float)
        one, two = (_gain(runs, m, role, dataset) if dataset else empty for m in ("MLP-1", "MLP-2"))
        # The paper's claim is a gain: MLP-2 must improve on its baseline, and by more than MLP-1 does.
        differences = [("MLP-2's gain", two), ("MLP-2's gain − MLP-1's gain", paired_differences(two, one))]
        add(f"Table 5, {role}", "interpolating one wide first layer (MLP-2) helps, and more than six layers (MLP-1)",
            role, "first_layer", *judge_differences(differences))

    for extremum in FIGURE_2_EXTREMA:
        dataset = dataset_for_role(profile, "CIFAR-10")
        sweep = runs[(runs["experiment"] == extremum.experiment) & (runs["dataset"] == dataset)] if dataset else runs.iloc[:0]
        judge = judge_minimum if extremum.kind == "minimum" else judge_local_maximum
        add(f"{extremum.source}, CIFAR-10", f"{extremum.kind} of accuracy over α at α ≈ {extremum.alpha:g}",
            "CIFAR-10", extremum.experiment, *judge(sweep, extremum.alpha))
    return pd.DataFrame(rows)


def near(alpha: float, target: float) -> bool:
    """Within a factor of 2 of ``target``: how close a turn of our grid must be to the paper's."""
    return target / 2 <= alpha <= target * 2


def interior_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """Per-seed accuracy (%) of each constant 0 < α < 1 (rows: seeds, columns: α)."""
    curves = alpha_curves(runs) if not runs.empty else pd.DataFrame()
    return curves.loc[:, [a for a in curves.columns if 0 < a < 1]]


def drop_below_ends(runs: pd.DataFrame, alpha: float) -> Interval:
    """The V's depth at ``alpha``: per seed acc(alpha) minus the lower of acc(0) and acc(1), with its interval."""
    curves = alpha_curves(runs) if not runs.empty else pd.DataFrame()
    if not {0.0, 1.0, alpha} <= set(curves.columns):
        return t_interval([])
    return t_interval(curves[alpha] - curves[[0.0, 1.0]].min(axis=1))


def judge_minimum(runs: pd.DataFrame, target: float) -> tuple[str, str]:
    """(ours, verdict) for "the curve's minimum sits at α ≈ ``target``" (see :data:`VERDICT_RULE`)."""
    curves = interior_curves(runs)
    if curves.shape[1] < 3:
        return "—", NOT_RUN
    where = minimum_set(curves)
    depths = {alpha: drop_below_ends(runs, alpha) for alpha in where}
    ours = ("minimum over resamples at α ∈ {" + ", ".join(f"{a:g}" for a in where) + "}; drop below both ends: "
            + "; ".join(f"α = {a:g}: {format_interval(d, signed=True)}" for a, d in depths.items()))
    inside = [a for a in where if near(a, target)]
    deep = [direction_verdict(Interval(-d.mean, -d.high, -d.low, d.n)) for d in depths.values()]
    if not inside or OPPOSITE in deep:
        return ours, OPPOSITE
    if len(inside) == len(where) and all(v == REPRODUCED for v in deep):
        return ours, REPRODUCED
    return ours, SAME_WITHIN_NOISE


def judge_local_maximum(runs: pd.DataFrame, target: float) -> tuple[str, str]:
    """(ours, verdict) for "a local maximum at α ≈ ``target``": some grid α near it stands above both of its
    neighbours (per seed: acc(α) minus the higher neighbour, with its interval)."""
    curves = alpha_curves(runs) if not runs.empty else pd.DataFrame()
    alphas = list(curves.columns)
    candidates = [i for i in range(1, len(alphas) - 1) if near(alphas[i], target) and 0 < alphas[i] < 1]
    if len(alphas) < 5 or not candidates:
        return "—", NOT_RUN
    bumps = {alphas[i]: t_interval(curves[alphas[i]] - curves[[alphas[i - 1], alphas[i + 1]]].max(axis=1))
             for i in candidates}
    ours = "height above both neighbours: " + "; ".join(f"α = {a:g}: {format_interval(b, signed=True)}"
                                                        for a, b in bumps.items())
    verdicts = [direction_verdict(b) for b in bumps.values()]
    if REPRODUCED in verdicts:
        return ours, REPRODUCED
    if all(v == OPPOSITE for v in verdicts):
        return ours, OPPOSITE
    return ours, SAME_WITHIN_NOISE if any(b.mean > 0 for b in bumps.values()) else combine_verdicts(verdicts)


def claims_by_option(open_runs: pd.DataFrame, profile) -> pd.DataFrame:
    """One row per claim of :func:`compare_claims`: the open-choice values of notebook 08 under which it is
    reproduced, within noise, and opposite.

    Each option value's runs (S-CNN prior: the alpha grid, and for some Table 4's schedules) stand in for
    notebooks 03 and 05's runs; claims about other priors, or runs an option value does not make, are not run.
    """
    columns = ["source", "claim", "reproduced under", "within noise under", "opposite under"]
    verdicts = {}
    for option, frame in open_runs.groupby("option", sort=False):
        as_sweeps = pd.concat([frame.assign(experiment="cnn"), frame.assign(experiment="schedules")], ignore_index=True)
        verdicts[option] = compare_claims(as_sweeps, profile).set_index(["source", "claim"])["verdict"]
    if not verdicts:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(verdicts)
    names = lambda row, chosen: ", ".join(o for o, v in row.items() if v in chosen) or "—"
    return pd.DataFrame({"reproduced under": table.apply(names, axis=1, chosen=(REPRODUCED,)),
                         "within noise under": table.apply(names, axis=1, chosen=WITHIN_NOISE),
                         "opposite under": table.apply(names, axis=1, chosen=(OPPOSITE,))}).reset_index()


def verdict_counts(claims: pd.DataFrame) -> dict[str, int]:
    """How many claims are reproduced, within noise (either direction), opposite, and not run: the headline."""
    verdicts = claims["verdict"]
    return {"reproduced": int((verdicts == REPRODUCED).sum()),
            "within noise": int(verdicts.isin(WITHIN_NOISE).sum()),
            "opposite": int((verdicts == OPPOSITE).sum()), "not run": int((verdicts == NOT_RUN).sum())}


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
# Notebook 08: the V under each open choice, and the balance of pull and drift


DEFAULT = "default"
NO_RUNS = "No runs of the open choices in the result store (with stored runs only, nothing is trained)."


def find_v(runs: pd.DataFrame) -> tuple[float, Interval] | None:
    """(alpha, drop) of the deepest interior alpha whose per-seed drop below both ends has an interval below zero;
    None where no alpha has (too few seeds, no dip, or a dip within noise)."""
    deep = {alpha: drop for alpha in interior_curves(runs).columns
            if (drop := drop_below_ends(runs, alpha)).n >= 2 and drop.high < 0}
    if not deep:
        return None
    alpha = min(deep, key=lambda a: deep[a].mean)
    return alpha, deep[alpha]


def option_verdicts(runs: pd.DataFrame) -> dict[str, object]:
    """The verdicts of one option value's runs (see the module docstring), with the numbers behind them."""
    curves = alpha_curves(runs)
    v = find_v(runs)
    prior = prior_accuracy(runs)
    one_minus_prior = t_interval(paired_differences(curves[1.0], prior_per_seed(runs))) if 1.0 in curves else t_interval([])
    interior = interior_curves(runs)
    where = minimum_set(interior) if interior.shape[1] >= 3 else []
    linear, constant, k4 = (mlp_per_seed(runs, schedule="decay", alpha=0.5, k=1.0),
                            mlp_per_seed(runs, schedule="constant", alpha=0.5),
                            mlp_per_seed(runs, schedule="decay", alpha=0.5, k=4.0))
    ordering = judge_differences([("constant − k = 1", paired_differences(constant, linear)),
                                  ("k = 4 − k = 1", paired_differences(k4, linear))])
    gap = t_interval(paired_differences(mlp_per_seed(runs, schedule="test-time", alpha=0.5),
                                        curves[0.0] if 0.0 in curves else pd.Series(dtype=float)))
    gap_number = next(n for n in TABLE_4 if n.schedule == "test-time")
    gap_tolerance = NUMBER_TOLERANCE_SIGMAS * math.hypot(gap_number.std, TABLE_4[1].std)
    gap_verdict = judge_number(gap, PAPER_TEST_TIME_GAP, gap_tolerance)
    return {
        "seeds": runs["seed"].nunique(),
        "S-MLP (α = 0)": format_interval(t_interval(curves[0.0]) if 0.0 in curves else t_interval([])),
        "prior": format_interval(prior),
        "α = 1 − prior": format_interval(one_minus_prior, signed=True),
        "minimum over resamples at α ∈": "{" + ", ".join(f"{a:g}" for a in where) + "}" if where else "—",
        "V": (f"yes, at α = {v[0]:g}: {format_interval(v[1], signed=True)} below both ends" if v else
              "no interior α lies below both ends beyond noise"),
        "Table 4 ordering": "not run" if ordering[1] == NOT_RUN else f"{ordering[1]} ({ordering[0]})",
        "test-time gap": "not run" if gap.n == 0 else
        f"{format_interval(gap, signed=True)}: {gap_verdict} (the paper: {PAPER_TEST_TIME_GAP:+.2f} ± {gap_tolerance:.2f})",
    }


def verdict_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per option value (the default first), one column per verdict; accuracies in % with intervals."""
    if runs.empty:
        return pd.DataFrame(index=pd.Index([], name="option"))
    order = [DEFAULT] + sorted(set(runs["option"]) - {DEFAULT})
    table = pd.DataFrame({option: option_verdicts(runs[runs["option"] == option]) for option in order
                          if (runs["option"] == option).any()}).T
    table.index.name = "option"
    return table


@lru_cache(maxsize=None)
def layer_count(prior: str) -> int:
    """How many layers (hidden ones and the head) the I-MLP of ``prior`` can interpolate."""
    return len(build_prior(prior).mlp_spec().widths)


def interpolates_head(run: pd.Series) -> bool:
    """Whether ``run`` pulled its head (the classifier, the I-MLP's last layer) towards the prior's: unless
    ``head = own``, when its layer selection holds the last layer (always for "all")."""
    if run.get("head", "interpolated") == "own":
        return False
    layers = run.get("layers", "all")
    if layers is None or (isinstance(layers, float) and math.isnan(layers)) or layers == "all":
        return True
    prior = run.get("prior")
    if prior not in PRIORS:
        return layers != "first"
    total = layer_count(prior)
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
