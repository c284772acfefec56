"""Statistics over seeds: the one place where noise is measured and a claim of :mod:`imlp_core.reading.claims` is judged.

A seed fixes the I-MLPs' shared initialisation and data order, so the models of one seed are *paired*: a claim is
judged on its per-seed contrasts (``claims.Contrast``: > 0 on the paper's side), each with its 95 % Student-t
interval over seeds (``scipy.stats``). An accuracy moves in steps of one test image (:data:`RESOLUTION`), so a
judged mean's standard error is never taken below that step: values without spread are judged against it, never as
certain (:func:`standard_error`). Within a family of confirmatory claims (one scale's paper claims, or the held-out
findings) every contrast's two-sided p-value is Holm-corrected (``statsmodels``), and the **adjusted interval** is
the t-interval at the level Holm spends on that contrast (it excludes zero exactly when Holm rejects); the
**simultaneous interval** is Bonferroni's over the family (the t-interval at 1 − 0.05 / m for m contrasts).
:func:`judge_family` gives each claim a :class:`Verdict` whose :class:`Kind` says what the intervals show
(:func:`contrast_kind`, :func:`judge_turn`). The rule in words is stated once, as ``prose.VERDICT_RULE`` (docs/claims.md
and notebook 07 print it), and each class's meaning as ``prose.KIND_MEANINGS`` (the glossary, the site's legend).

Beside an undecided claim, the seeds that would decide it at the observed effect and spread (a t-test's power,
``scipy.stats.nct``, checked against statsmodels): :func:`seeds_needed`, at Holm's strictest level in its family
(0.05 / m, the level that decides it whatever the other contrasts show).
"""

from __future__ import annotations

import gc
import itertools
import math
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from imlp_core.reading.claims import Arm, Claim, Diff, Effect, Min, Role, Term

CONFIDENCE = 0.95
FAMILY_LEVEL = 1 - CONFIDENCE  # two-sided, per family (Holm); one-sided 2.5 % on each side
POWER = 0.8  # seeds_needed: the power at which a claim would be decided
MOST_SEEDS = 1000  # seeds_needed's ceiling (beyond it: "more than 1000")
# Points: one test image of the 10,000 that every record is tested on (CIFAR's test split, ``test_subset`` None).
RESOLUTION = 0.01


class Kind(Enum):
    REPRODUCED = "reproduced"
    SAME_SIGN = "same direction, cannot tell"
    OTHER_SIGN = "other direction, cannot tell"
    EXCLUDES_EFFECT = "excludes the paper's effect"
    CANNOT_TELL = "cannot tell"  # a printed number whose interval reaches both inside and outside its tolerance
    OPPOSITE = "opposite"
    NOT_LOCATED = "not located"
    LOCATED_ELSEWHERE = "located elsewhere"
    ONE_SEED = "one seed: no verdict"
    NOT_COMPARED = "not compared (another budget)"  # a printed number, at the laptop scale
    NOT_RUN = "not run"


# The headline's classes, in order: every Kind falls in exactly one (a test sums them to the total).
COUNTED = {"reproduced": (Kind.REPRODUCED,),
           "cannot tell": (Kind.SAME_SIGN, Kind.OTHER_SIGN, Kind.CANNOT_TELL, Kind.NOT_LOCATED, Kind.ONE_SEED),
           "excludes the paper's effect": (Kind.EXCLUDES_EFFECT, Kind.LOCATED_ELSEWHERE),
           "opposite": (Kind.OPPOSITE,),
           "not run": (Kind.NOT_RUN, Kind.NOT_COMPARED)}


@dataclass(frozen=True)
class Interval:
    """A mean over ``n`` seeds with its two-sided ``CONFIDENCE`` t-interval (NaN bounds for n < 2)."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def __str__(self) -> str:
        return format_interval(self)


def clean(values: Iterable[float]) -> np.ndarray:
    """``values`` as a float array with NaN and None dropped."""
    array = np.asarray([math.nan if v is None else v for v in values], dtype=float)
    return array[~np.isnan(array)]


def percent(values: pd.Series) -> pd.Series:
    """Accuracies stored as fractions, in %."""
    return values.astype(float) * 100


def select(runs: pd.DataFrame, **selector) -> pd.DataFrame:
    """The rows of ``runs`` whose columns equal ``selector``'s values (column=value)."""
    mask = np.ones(len(runs), dtype=bool)
    for column, value in selector.items():
        mask &= (runs[column] == value).to_numpy()
    return runs[mask]


def mlp_per_seed(runs: pd.DataFrame, **selector) -> pd.Series:
    """Final I-MLP test accuracy in % of the rows matching ``selector``, indexed by seed (one row per seed)."""
    chosen = select(runs, **selector)
    return percent(chosen.drop_duplicates("seed").set_index("seed")["test_acc"]).sort_index()


def prior_per_seed(runs: pd.DataFrame) -> pd.Series:
    """The prior's final test accuracy in %, indexed by seed (every row of a sweep carries the same prior)."""
    return percent(runs.drop_duplicates("seed").set_index("seed")["prior_test_acc"]).sort_index()


def mlp_accuracy(runs: pd.DataFrame, **selector) -> "Interval":
    """Final I-MLP test accuracy in % over seeds of the rows matching ``selector``, with its t-interval."""
    return t_interval(mlp_per_seed(runs, **selector))


def prior_accuracy(runs: pd.DataFrame) -> "Interval":
    """The prior's final test accuracy in % over seeds, with its t-interval."""
    return t_interval(prior_per_seed(runs))


def alpha_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """Final test accuracy (%) of each constant α: one row per seed, one column per α (sorted)."""
    constant = runs[runs["schedule"] == "constant"].drop_duplicates(["seed", "alpha"])
    return percent(constant.pivot(index="seed", columns="alpha", values="test_acc")).sort_index(axis=1)


def alpha_curve(runs: pd.DataFrame) -> pd.Series:
    """Mean test accuracy (%) over seeds of each constant alpha, indexed by alpha."""
    return alpha_curves(runs).mean()


def standard_error(array: np.ndarray, resolution: float) -> float:
    """The standard error of the mean of two or more values (sd / √n, ``scipy.stats.sem``), never below
    ``resolution``: values counted in steps of ``resolution`` (test images) cannot show a mean more finely, so values
    without spread are judged against one step, never as certain."""
    return max(float(stats.sem(array)), resolution)


def interval_widths(seeds: Iterable[int], confidence: float = CONFIDENCE) -> dict[int, float]:
    """How many standard errors wide a t-interval over each number of ``seeds`` is: 2 t(1 − (1 − confidence) / 2,
    n − 1); over two seeds at 95 %, 25.4."""
    return {n: float(2 * stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) for n in seeds}


def t_interval(values: Iterable[float], confidence: float = CONFIDENCE, resolution: float = 0.0) -> Interval:
    """Mean of ``values`` with its Student-t confidence interval (``scipy.stats.t``) on :func:`standard_error`; NaN
    bounds below two values. Verdicts pass :data:`RESOLUTION` (accuracies in %); at ``resolution`` 0, values all
    equal give a zero-width interval at the mean (no spread was seen: a measurement, never a verdict)."""
    array = clean(values)
    if array.size == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(array.mean())
    if array.size < 2:
        return Interval(mean, math.nan, math.nan, 1)
    error = standard_error(array, resolution)
    if error == 0:
        return Interval(mean, mean, mean, int(array.size))
    low, high = stats.t.interval(confidence, array.size - 1, loc=mean, scale=error)
    return Interval(mean, float(low), float(high), int(array.size))


def paired_differences(a: pd.Series, b: pd.Series) -> pd.Series:
    """Per-seed ``a − b`` over the seeds both hold (each Series indexed by seed); unpaired seeds are left out."""
    joined = pd.concat({"a": a, "b": b}, axis=1).dropna()
    return joined["a"] - joined["b"]



def paired_interval(a: pd.Series, b: pd.Series, resolution: float = 0.0) -> Interval:
    """Per-seed ``a − b`` (:func:`paired_differences`) with its t-interval (:func:`t_interval` at ``resolution``)."""
    return t_interval(paired_differences(a, b), resolution=resolution)

def one_sided_p(values: Iterable[float], side: str = "greater") -> float:
    """The one-sided p-value of a one-sample t-test of accuracies (%) ``values`` against 0: t = mean / standard error
    (:func:`standard_error` at :data:`RESOLUTION`; ``scipy.stats.ttest_1samp`` wherever the values' own standard error
    is larger), on n − 1 degrees of freedom; NaN below two values."""
    if side not in ("greater", "less"):
        raise ValueError(f"side must be 'greater' or 'less', not {side!r}")
    array = clean(values)
    if array.size < 2:
        return math.nan
    t = float(array.mean()) / standard_error(array, RESOLUTION)
    return float(stats.t.sf(t, array.size - 1) if side == "greater" else stats.t.cdf(t, array.size - 1))


def two_sided_p(values: Iterable[float]) -> float:
    """Twice the smaller one-sided p-value (NaN below two values)."""
    greater, less = one_sided_p(values, "greater"), one_sided_p(values, "less")
    return math.nan if math.isnan(greater) else min(1.0, 2 * min(greater, less))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of ``p_values`` (``statsmodels``); NaN stays NaN and is not counted."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    known = ~np.isnan(p)
    if known.any():
        gc.freeze()  # statsmodels' Holm calls gc.collect(): 0.1-1 s with torch loaded, ~0 over a frozen heap
        try:
            adjusted[known] = multipletests(p[known], method="holm")[1]
        finally:
            gc.unfreeze()
    return adjusted


def adjusted_interval(values: Iterable[float], p: float, p_adjusted: float) -> Interval:
    """The t-interval (at :data:`RESOLUTION`) at the confidence Holm spends on this test: 1 − 0.05 p / p_adjusted,
    which excludes zero exactly when ``p_adjusted`` < 0.05 (the 95 % interval where nothing was adjusted)."""
    if math.isnan(p) or math.isnan(p_adjusted) or p_adjusted <= p or p == 0:
        return t_interval(values, resolution=RESOLUTION)
    return t_interval(values, confidence=1 - FAMILY_LEVEL * p / p_adjusted, resolution=RESOLUTION)


def simultaneous_interval(values: Iterable[float], family_size: int) -> Interval:
    """Bonferroni's simultaneous t-interval (at :data:`RESOLUTION`) over a family of ``family_size`` contrasts: the
    t-interval at 1 − 0.05 / ``family_size``, so that all of the family's intervals hold their true means together
    at least 95 % of the time (what *excludes the paper's effect* reads)."""
    return t_interval(values, confidence=1 - FAMILY_LEVEL / family_size, resolution=RESOLUTION)


def number_kind(ours: Interval, paper: float, tolerance: float) -> Kind:
    """A printed number: *reproduced* when our interval lies inside paper ± ``tolerance``, *excludes the paper's
    effect* when it lies wholly outside, else *cannot tell*; one seed has no interval."""
    if ours.n == 0 or math.isnan(ours.mean):
        return Kind.NOT_RUN
    if ours.n < 2:
        return Kind.ONE_SEED
    if paper - tolerance <= ours.low and ours.high <= paper + tolerance:
        return Kind.REPRODUCED
    if ours.low > paper + tolerance or ours.high < paper - tolerance:
        return Kind.EXCLUDES_EFFECT
    return Kind.CANNOT_TELL


def t_test_power(effect: float, seeds: int, level: float) -> float:
    """The power of a two-sided one-sample (paired) t-test at ``level`` on ``seeds`` seeds for a standardised effect
    (mean / sd): the noncentral t's mass beyond both critical values (``scipy.stats.nct``; what statsmodels'
    ``TTestPower.power`` computes, which returns NaN for large effects at small levels)."""
    df, shift = seeds - 1, abs(effect) * math.sqrt(seeds)
    critical = stats.t.ppf(1 - level / 2, df)
    # both tails as survival functions (the far tail by symmetry): nct.cdf gives NaN far in its tail
    return float(stats.nct.sf(critical, df, shift) + stats.nct.sf(critical, df, -shift))


def seeds_needed(values: Iterable[float], level: float = FAMILY_LEVEL) -> int | None:
    """The fewest seeds at which a paired t-test (two-sided at ``level``) reaches power ``POWER`` at the observed mean
    and spread of ``values`` (:func:`t_test_power`, counted up seed by seed): None without spread or effect,
    ``MOST_SEEDS + 1`` beyond the ceiling."""
    array = clean(values)
    if array.size < 2 or array.std(ddof=1) == 0 or array.mean() == 0:
        return None
    effect = abs(array.mean()) / array.std(ddof=1)
    for n in range(2, MOST_SEEDS + 1):
        if t_test_power(effect, n, level) >= POWER:
            return n
    return MOST_SEEDS + 1


def power_at(values: Iterable[float], seeds: int, level: float) -> float:
    """The power of a two-sided paired t-test at ``level`` on ``seeds`` seeds, if the effect and spread are those of
    ``values`` (:func:`t_test_power`); NaN without spread."""
    array = clean(values)
    if array.size < 2 or array.std(ddof=1) == 0:
        return math.nan
    return t_test_power(abs(array.mean()) / array.std(ddof=1), seeds, level)


# ---------------------------------------------------------------------------------------------
# Claims: their contrasts per seed, and the verdict


def arm_per_seed(arm: Arm, runs: pd.DataFrame) -> pd.Series:
    """One arm's accuracy (%) per seed: the rows of its experiment, prior (and option) in ``runs``."""
    chosen = runs[(runs["experiment"] == arm.experiment) & (runs["prior"] == arm.prior)] if not runs.empty else runs
    if arm.option is not None and not chosen.empty:
        chosen = chosen[chosen["option"] == arm.option] if "option" in chosen else chosen.iloc[:0]
    if arm.every is not None and not chosen.empty:
        chosen = chosen[chosen["interpolate_every"].astype(str) == str(arm.every)]
    if chosen.empty:
        return pd.Series(dtype=float)
    if arm.metric == "prior_test_acc":
        return prior_per_seed(chosen)
    return mlp_per_seed(chosen, schedule=arm.schedule, alpha=arm.alpha, k=arm.k)


def term_per_seed(term: Term, runs: pd.DataFrame) -> pd.Series:
    """A claim's term per seed (``claims.Arm``, ``Min``, ``Max``, ``Diff``), over the seeds every arm holds."""
    if isinstance(term, Arm):
        return arm_per_seed(term, runs)
    if isinstance(term, Diff):
        return paired_differences(term_per_seed(term.a, runs), term_per_seed(term.b, runs))
    parts = pd.concat([term_per_seed(t, runs) for t in term.terms], axis=1).dropna()
    return parts.min(axis=1) if isinstance(term, Min) else parts.max(axis=1)


@dataclass(frozen=True)
class ContrastResult:
    """One contrast of a claim: its per-seed values' interval, the Holm-adjusted interval and p-values, Bonferroni's
    simultaneous interval over its family, and its test's power at its own effect (post hoc)."""

    name: str
    values: tuple[float, ...]  # per seed, > 0 on the paper's side
    seeds: tuple[int, ...]
    interval: Interval
    adjusted: Interval
    p: float  # two-sided
    p_adjusted: float
    effect: Effect | None  # the paper's, where compared
    simultaneous: Interval  # Bonferroni over the family: what the paper's effect is compared with
    family_size: int = 1  # the contrasts Holm corrects over in this contrast's family (1: not corrected)

    @property
    def level(self) -> float:
        """Holm's strictest two-sided level in the family, 0.05 / m (Bonferroni's): the level at which the contrast
        is decided whatever the others show, and at which its power and the seeds it needs are computed."""
        return FAMILY_LEVEL / self.family_size

    @property
    def power(self) -> float:
        """Post hoc: the power of this contrast's test on its own seeds at :attr:`level`, were the true effect and
        spread the ones seen (:func:`power_at`); NaN without spread."""
        return power_at(self.values, len(self.values), self.level)

    def side(self) -> int:
        """+1 where the adjusted interval lies on the paper's side of zero, −1 on the other, 0 across it."""
        return 1 if self.adjusted.low > 0 else -1 if self.adjusted.high < 0 else 0

    def excludes_effect(self) -> bool:
        """Whether the simultaneous interval lies wholly outside the paper's effect ± its tolerance."""
        if self.effect is None or math.isnan(self.simultaneous.low):
            return False
        tolerance = self.effect.tolerance
        return (self.simultaneous.high < self.effect.mean - tolerance
                or self.simultaneous.low > self.effect.mean + tolerance)


@dataclass(frozen=True)
class Verdict:
    """What the seeds show about one claim at one scale."""

    claim: Claim
    scale: str
    kind: Kind
    contrasts: tuple[ContrastResult, ...]
    seeds: int  # the fewest seeds any contrast was judged on
    compares_effect: bool  # whether the paper's effect size was compared (at the paper's scale only)
    seeds_needed: int | None = None  # undecided: seeds that would decide it at the observed effect and spread, at
    # Holm's strictest level in its family (``level``)
    located: tuple[float, ...] = ()  # a turn: the α that lie below both ends beyond the scan's noise

    @property
    def role(self) -> Role | None:
        return self.claim.role(self.scale)

    @property
    def counted(self) -> bool:
        return self.role is Role.CONFIRMATORY

    @property
    def decided(self) -> bool:
        return self.kind in (Kind.REPRODUCED, Kind.EXCLUDES_EFFECT, Kind.OPPOSITE)

    @property
    def level(self) -> float:
        """The two-sided level of :attr:`seeds_needed` and of the contrasts' power: Holm's strictest in the claim's
        family (:attr:`ContrastResult.level`; 0.05 where nothing is corrected)."""
        return min((c.level for c in self.contrasts), default=FAMILY_LEVEL)

    @property
    def power(self) -> float:
        """Post hoc: the power of the claim's weakest contrast at its own effect (:attr:`ContrastResult.power`)."""
        return min((c.power for c in self.contrasts), default=math.nan)


def contrast_kind(contrasts: Sequence[ContrastResult], equal: bool = False) -> Kind:
    """The kind of a claim whose ``contrasts`` must all hold (see the module docstring); ``equal``: identities that
    hold when every seed's value is 0."""
    n = min((c.interval.n for c in contrasts), default=0)
    if n == 0:
        return Kind.NOT_RUN
    if equal:
        if all(v == 0 for c in contrasts for v in c.values):
            return Kind.REPRODUCED
        return Kind.ONE_SEED if n < 2 else Kind.EXCLUDES_EFFECT if any(c.side() for c in contrasts) else Kind.CANNOT_TELL
    if n < 2:
        return Kind.ONE_SEED
    if any(c.side() < 0 for c in contrasts):
        return Kind.OPPOSITE
    if any(c.excludes_effect() for c in contrasts):
        return Kind.EXCLUDES_EFFECT
    if all(c.side() > 0 for c in contrasts):
        return Kind.REPRODUCED
    return Kind.SAME_SIGN if all(c.interval.mean > 0 for c in contrasts) else Kind.OTHER_SIGN


Runs = "pd.DataFrame | dict[str, pd.DataFrame]"  # one scale's runs, or its runs per dataset role ("CIFAR-10")


def runs_of(claim: Claim, runs: Runs) -> pd.DataFrame:
    """The runs that judge ``claim``: those of its dataset role (where ``runs`` is split by role; a role missing is
    not run) and of its seeds."""
    if isinstance(runs, dict):
        runs = runs.get(claim.dataset, pd.DataFrame())
    return runs if claim.seeds is None or runs.empty else runs[runs["seed"].isin(claim.seeds)]


def judge_family(claims: Sequence[Claim], runs: Runs, scale: str) -> list[Verdict]:
    """Each claim's :class:`Verdict` at ``scale``, with Holm over the contrasts of the confirmatory claims of each
    family (``Claim.family``); exploratory turns are scanned (:func:`v_scan`)."""
    values = {claim.id: [term_per_seed(c.value, runs_of(claim, runs)) for c in claim.contrasts] for claim in claims}
    adjusted: dict[tuple[str, int], tuple[float, float, int]] = {}
    for family in dict.fromkeys(c.family for c in claims):
        members = [(claim.id, i) for claim in claims if claim.family == family and not claim.equal
                   and claim.role(scale) is Role.CONFIRMATORY for i in range(len(claim.contrasts))]
        p = [two_sided_p(values[cid][i]) for cid, i in members]
        size = max(1, sum(not math.isnan(x) for x in p))  # Holm's m: the contrasts with a p-value
        adjusted.update(zip(members, ((raw, adj, size) for raw, adj in zip(p, holm(p)))))
    verdicts = []
    for claim in claims:
        if claim.turn is not None:
            verdicts.append(judge_turn(claim, runs_of(claim, runs), scale))
            continue
        compares = scale == "paper"
        results = []
        for i, (contrast, per_seed) in enumerate(zip(claim.contrasts, values[claim.id])):
            p, p_adj, size = adjusted.get((claim.id, i), (two_sided_p(per_seed),) * 2 + (1,))
            results.append(ContrastResult(contrast.name, tuple(per_seed.tolist()), tuple(int(s) for s in per_seed.index),
                                          t_interval(per_seed, resolution=RESOLUTION),
                                          adjusted_interval(per_seed, p, p_adj), p, p_adj,
                                          contrast.effect if compares else None,
                                          simultaneous_interval(per_seed, size), size))
        kind = contrast_kind(results, claim.equal)
        undecided = [seeds_needed(c.values, c.level) for c in results if c.side() == 0]
        decided = kind in (Kind.REPRODUCED, Kind.EXCLUDES_EFFECT, Kind.OPPOSITE, Kind.NOT_RUN)
        needed = None if claim.equal or decided or None in undecided else max(undecided, default=None)
        verdicts.append(Verdict(claim, scale, kind, tuple(results), min((c.interval.n for c in results), default=0),
                                compares, needed))
    return verdicts


def judge(claim: Claim, runs: Runs, scale: str) -> Verdict:
    """One claim's :class:`Verdict`, alone in its family (nothing adjusted)."""
    return judge_family([claim], runs, scale)[0]


# ---------------------------------------------------------------------------------------------
# Where a curve turns: an exploratory scan with Holm over the α scanned


def drops_below_ends(runs: pd.DataFrame) -> pd.DataFrame:
    """Per seed (rows) and interior α (columns): acc(α) minus the lower of acc(0) and acc(1) of the same seed."""
    curves = alpha_curves(runs) if not runs.empty else pd.DataFrame()
    if not {0.0, 1.0} <= set(curves.columns):
        return pd.DataFrame()
    interior = [a for a in curves.columns if 0 < a < 1]
    return curves[interior].sub(curves[[0.0, 1.0]].min(axis=1), axis=0)


@dataclass(frozen=True)
class ScanResult:
    """Every interior α's drop below both ends, one-sided p (below), Holm over the α scanned, simultaneous intervals."""

    drops: dict[float, Interval]
    adjusted: dict[float, Interval]
    p_adjusted: dict[float, float]

    @property
    def v_alphas(self) -> tuple[float, ...]:
        """The α that lie below both ends beyond the scan's noise (Holm, one-sided 2.5 % over the α scanned)."""
        return tuple(a for a, p in self.p_adjusted.items() if p < FAMILY_LEVEL / 2)

    @property
    def deepest(self) -> tuple[float, Interval] | None:
        """(α, drop) of the deepest of :attr:`v_alphas`; None where none is."""
        if not self.v_alphas:
            return None
        alpha = min(self.v_alphas, key=lambda a: self.drops[a].mean)
        return alpha, self.drops[alpha]


def v_scan(runs: pd.DataFrame) -> ScanResult:
    """The V beyond noise, one definition for notebooks 08 and 09: every interior α of a constant-α sweep tested for
    lying below both ends per seed, Holm-corrected over the α scanned (a family-wise false-V rate of 2.5 %)."""
    drops = drops_below_ends(runs).dropna()
    alphas = list(drops.columns)
    p = [one_sided_p(drops[a], "less") for a in alphas]
    p_adj = holm(p)
    adjusted = {a: adjusted_interval(drops[a], raw, adj) for a, raw, adj in zip(alphas, p, p_adj)}
    return ScanResult({a: t_interval(drops[a], resolution=RESOLUTION) for a in alphas}, adjusted,
                      {a: float(x) for a, x in zip(alphas, p_adj)})


def judge_turn(claim: Claim, runs: pd.DataFrame, scale: str) -> Verdict:
    """Where the curve of ``claim``'s prior turns (exploratory): *reproduced* when some α near the paper's lies below
    both ends beyond the scan's noise, *located elsewhere* when only others do, *not located* when none does."""
    sweep = runs[(runs["experiment"] == claim.turn.experiment)] if not runs.empty else runs
    if claim.turn.every is not None and not sweep.empty:
        sweep = sweep[sweep["interpolate_every"].astype(str) == str(claim.turn.every)]
    scan = v_scan(sweep)
    if not scan.drops:
        kind = Kind.NOT_RUN
    elif min(d.n for d in scan.drops.values()) < 2:
        kind = Kind.ONE_SEED
    elif not scan.v_alphas:
        kind = Kind.NOT_LOCATED
    else:
        kind = Kind.REPRODUCED if any(claim.turn.holds(a) for a in scan.v_alphas) else Kind.LOCATED_ELSEWHERE
    return Verdict(claim, scale, kind, (), min((d.n for d in scan.drops.values()), default=0), False,
                   located=scan.v_alphas)


def seed_resamples(seeds: Sequence, limit: int = 4096, rng_seed: int = 0) -> list[tuple]:
    """Bootstrap resamples of ``seeds`` (with replacement): all n^n ordered draws when there are at most ``limit``
    (exact and deterministic; 27 for three seeds), else ``limit`` draws from a seeded generator."""
    seeds = list(seeds)
    if len(seeds) ** len(seeds) <= limit:
        return list(itertools.product(seeds, repeat=len(seeds)))
    rng = np.random.default_rng(rng_seed)
    return [tuple(rng.choice(seeds, size=len(seeds))) for _ in range(limit)]


def argmin_shares(curves: pd.DataFrame) -> pd.Series:
    """How often each column (an α) is the lowest of the seed-mean curve over bootstrap resamples of the rows
    (seeds, each row one seed's curve; rows with a missing value are left out). Ties share a resample equally."""
    curves = curves.dropna()
    if curves.empty or curves.shape[1] == 0:
        return pd.Series(dtype=float)
    values = curves.to_numpy(dtype=float)
    counts = np.zeros(values.shape[1])
    resamples = seed_resamples(range(len(values)))
    for draw in resamples:
        mean = values[list(draw)].mean(0)
        lowest = np.flatnonzero(np.isclose(mean, mean.min(), rtol=0, atol=1e-12))
        counts[lowest] += 1 / len(lowest)
    return pd.Series(counts / len(resamples), index=curves.columns).sort_index()


def minimum_set(curves: pd.DataFrame) -> list[float]:
    """Where the curve turns: the fewest α (most frequent first) that together are the minimum in more than half
    of the bootstrap resamples (:func:`argmin_shares`). One α for a clear minimum; many for a flat curve."""
    shares = argmin_shares(curves).sort_values(ascending=False, kind="stable")
    chosen, total = [], 0.0
    for alpha, share in shares.items():
        if total > 0.5:
            break
        chosen.append(float(alpha))
        total += share
    return sorted(chosen)


def format_interval(interval: Interval, digits: int = 2, signed: bool = False) -> str:
    """'30.10 [28.40, 31.80] (3 seeds)', or '30.10 (1 seed)' without an interval, or '—'."""
    if interval.n == 0 or math.isnan(interval.mean):
        return "—"
    sign = "+" if signed else ""
    seeds = f"{interval.n} seed{'s' if interval.n != 1 else ''}"
    if math.isnan(interval.low):
        return f"{interval.mean:{sign}.{digits}f} ({seeds})"
    return f"{interval.mean:{sign}.{digits}f} [{interval.low:{sign}.{digits}f}, {interval.high:{sign}.{digits}f}] ({seeds})"
