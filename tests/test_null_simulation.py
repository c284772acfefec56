"""The verdict rules under the null, simulated: how often they find what is not there (issue 36, item 7).

- :func:`imlp_core.reading.inference.v_scan` (a V beyond noise: every interior α tested for lying below both ends, Holm
  over the α scanned, one-sided 2.5 %): the README states a family-wise false-V rate of at most 2.5 %. Simulated on an
  independent null (unit noise per seed and α) and on a correlated one: the arms near α = 0 nearly duplicate it (each
  arm is α = 0's accuracy plus a Brownian motion in α, sd 0.5 √α points, shared per seed), rounded to whole test
  images, so that drops without spread are common.
- :func:`imlp_core.reading.inference.judge_family` (Holm over a family, two-sided 5 %): the family-wise rate of a decided
  verdict (*reproduced* or *opposite*) on a null family, independent and with near-duplicate arms, is at most 5 %,
  and of a false *reproduced* at most 2.5 %; at the paper's scale, where every true effect lies at the edge of the
  paper's tolerance, the family-wise rate of a false *excludes the paper's effect* is at most 5 % (Bonferroni).

Each rate is asserted with its Monte Carlo error: a one-sided binomial test at 1 % must not reject "the rate is at
most the stated one". Every repetition the rules could call a finding is judged by the code itself; the others
cannot be (Holm's first step needs the smallest p-value below level / m), which the test checks on a sample. The
repetitions come from one seeded generator and are drawn as arrays, so the file runs in well under a minute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from imlp_core.reading import inference as st
from imlp_core.reading.claims import Arm, Claim, Contrast, Diff, Effect, Role
from imlp_core.profiles import INTERVAL_ALPHAS, OPEN_CHOICE_ALPHAS
from imlp_core.reading.inference import Kind

REPETITIONS = 2000  # null sweeps per scan test
FAMILIES = 1000  # null families per judge_family test (each family is judged by the code: slower)
SAMPLE = 15  # repetitions that cannot hold a finding, judged anyway to check that they hold none
ONE_IMAGE = st.RESOLUTION


def at_most(found: int, nominal: float, repetitions: int = REPETITIONS) -> tuple[bool, str]:
    """Whether ``found`` findings in ``repetitions`` are compatible with a rate of at most ``nominal`` (a one-sided
    binomial test at 1 %, scipy), and a message with the rate and its one-sided 99 % lower bound."""
    test = stats.binomtest(found, repetitions, nominal, alternative="greater")
    low = test.proportion_ci(0.99).low
    return test.pvalue >= 0.01, f"{found / repetitions:.2%} (at least {low:.2%}) against at most {nominal:.1%}"


def holm_rows(p: np.ndarray) -> np.ndarray:
    """Holm's adjusted p-values of each row (the reference: by hand, vectorised)."""
    m = p.shape[-1]
    order = np.argsort(p, axis=-1)
    steps = np.maximum.accumulate(np.take_along_axis(p, order, -1) * (m - np.arange(m)), axis=-1)
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, np.minimum(steps, 1.0), -1)
    return adjusted


def t_p(values: np.ndarray, side: str, resolution: float = ONE_IMAGE) -> np.ndarray:
    """The t-test's p-values over axis 1 (seeds), the standard error at least ``resolution`` (the reference: scipy's
    t distribution); ``side`` "less", "greater" or "two-sided"."""
    n = values.shape[1]
    error = np.maximum(values.std(axis=1, ddof=1) / np.sqrt(n), resolution)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = values.mean(axis=1) / error
    t = np.where(np.isnan(t), 0.0, t)  # 0 / 0 (no spread, no mean, resolution 0): no evidence either way
    if side == "less":
        return stats.t.cdf(t, n - 1)
    if side == "greater":
        return stats.t.sf(t, n - 1)
    return 2 * stats.t.sf(np.abs(t), n - 1)


# ---------------------------------------------------------------------------------------------
# The V: v_scan on null sweeps


def sweep_frame(acc: np.ndarray, alphas: np.ndarray) -> pd.DataFrame:
    """One repetition as a constant-α sweep: ``acc`` is seeds × α in %."""
    seeds, m = acc.shape
    return pd.DataFrame({"schedule": "constant", "seed": np.repeat(np.arange(seeds), m),
                         "alpha": np.tile(alphas, seeds), "test_acc": acc.ravel() / 100})


def independent_null(rng: np.random.Generator, alphas: np.ndarray, seeds: int = 3) -> np.ndarray:
    """Repetitions × seeds × α: every α at 50 % but α = 1 (6 σ above), unit noise per seed and α."""
    return 50.0 + np.where(alphas == 1.0, 6.0, 0.0) + rng.standard_normal((REPETITIONS, seeds, len(alphas)))


def correlated_null(rng: np.random.Generator, alphas: np.ndarray, seeds: int = 3, spread: float = 0.5) -> np.ndarray:
    """Repetitions × seeds × α: α = 0 at 50 % plus per-seed noise; each interior α is α = 0's accuracy plus a Brownian
    motion in α (sd ``spread`` √α points, so that α = 10⁻⁴ nearly duplicates α = 0); α = 1 at 56 % with its own
    noise; every accuracy rounded to whole test images. No interior α lies below α = 0 on average."""
    interior = alphas[(alphas > 0) & (alphas < 1)]
    base = 50.0 + rng.standard_normal((REPETITIONS, seeds, 1))
    steps = np.sqrt(np.diff(np.concatenate([[0.0], interior]))) * spread
    walk = np.cumsum(rng.standard_normal((REPETITIONS, seeds, len(interior))) * steps, axis=2)
    end = 56.0 + rng.standard_normal((REPETITIONS, seeds, 1))
    return np.round(np.concatenate([base, base + walk, end], axis=2) / ONE_IMAGE) * ONE_IMAGE


def drops(acc: np.ndarray) -> np.ndarray:
    """Per repetition, seed and interior α: the accuracy minus the lower end of its seed."""
    return acc[:, :, 1:-1] - np.minimum(acc[:, :, :1], acc[:, :, -1:])


def false_v_count(acc: np.ndarray, alphas: np.ndarray) -> int:
    """How many repetitions v_scan finds a V in. It judges every one whose smallest one-sided p-value lies below
    2 × 2.5 % / k (Holm's first step needs 2.5 % / k; twice that leaves room for rounding), and a sample of the
    others, which must hold none; the reference (Holm by hand on scipy's p-values) must agree on each."""
    p = t_p(drops(acc), "less")
    k = p.shape[1]
    reference = (holm_rows(p) < 0.025).any(axis=1)
    candidates = np.flatnonzero(p.min(axis=1) < 2 * 0.025 / k)
    rng = np.random.default_rng(0)
    others = rng.choice(np.setdiff1d(np.arange(len(acc)), candidates), size=SAMPLE, replace=False)
    assert not reference[others].any()
    found = 0
    for r in (*candidates, *others):
        v = bool(st.v_scan(sweep_frame(acc[r], alphas)).v_alphas)
        assert v == reference[r], r
        found += v
    return found


@pytest.mark.parametrize("grid", [OPEN_CHOICE_ALPHAS, INTERVAL_ALPHAS])
def test_the_scan_finds_a_false_v_in_at_most_2_5_percent_of_independent_null_sweeps(grid):
    """Three seeds, unit noise per seed and α (notebook 08's grid of 5 interior α, notebook 09's of 12). The rule
    without Holm (any α's 95 % interval below zero) exceeds 10 % on 12 α: the test can fail."""
    alphas = np.asarray(grid)
    acc = independent_null(np.random.default_rng(36), alphas)
    ok, message = at_most(false_v_count(acc, alphas), 0.025)
    assert ok, message
    if len(alphas) > 10:
        uncorrected = (t_p(drops(acc), "less", resolution=0.0) < 0.025).any(axis=1).mean()
        assert uncorrected > 0.10, uncorrected


def test_the_scan_finds_a_false_v_in_at_most_2_5_percent_of_correlated_null_sweeps():
    """Arms near α = 0 nearly duplicate it and accuracies are whole test images: many drops have no spread. Read as
    certain (p = 0 for a drop without spread, as before issue 36), the same sweeps give a false V in more than 2.5 %
    beyond Monte Carlo error: the test can fail."""
    alphas = np.asarray(INTERVAL_ALPHAS)
    acc = correlated_null(np.random.default_rng(7), alphas)
    found = false_v_count(acc, alphas)
    ok, message = at_most(found, 0.025)
    assert ok, message
    d = drops(acc)
    no_spread = np.ptp(d, axis=1) == 0
    assert no_spread[:, 0].mean() > 0.2  # at α = 10⁻⁴, a drop without spread in more than one sweep in five
    as_certain = np.where(no_spread, np.where(d.mean(axis=1) < 0, 0.0, 1.0), t_p(d, "less", resolution=0.0))
    old = int((holm_rows(as_certain) < 0.025).any(axis=1).sum())
    assert not at_most(old, 0.025)[0], at_most(old, 0.025)[1]


# ---------------------------------------------------------------------------------------------
# judge_family on null families: many repetitions judged in one call, one Holm family per repetition

FAMILY_ALPHAS = (1e-4, 3e-4, 1e-3, 1e-2, 0.1, 0.3)  # six one-contrast claims: α minus α = 0, which they all share


def family_claims(repetitions: np.ndarray, effect: Effect | None = None) -> list[Claim]:
    """One family per repetition ("r17"), each of six confirmatory claims "α beats α = 0" on its own runs."""
    return [Claim(f"r{r}-{i}", "null", f"α = {a:g} beats α = 0",
                  (Contrast("α − 0", Diff(Arm(f"r{r}", "cnn", alpha=a), Arm(f"r{r}", "cnn", alpha=0.0)), effect),),
                  {"laptop": Role.CONFIRMATORY, "paper": Role.CONFIRMATORY}, family=f"r{r}")
            for r in repetitions for i, a in enumerate(FAMILY_ALPHAS)]


def family_runs(acc: np.ndarray, repetitions: np.ndarray) -> pd.DataFrame:
    """The runs of ``repetitions``: ``acc`` is repetitions × seeds × (α = 0, FAMILY_ALPHAS) in %."""
    chosen = acc[repetitions]
    r, seeds, m = chosen.shape
    return pd.DataFrame({"experiment": np.repeat([f"r{x}" for x in repetitions], seeds * m), "prior": "cnn",
                         "schedule": "constant", "k": 0.0, "seed": np.tile(np.repeat(np.arange(seeds), m), r),
                         "alpha": np.tile((0.0, *FAMILY_ALPHAS), r * seeds), "test_acc": chosen.ravel() / 100,
                         "prior_test_acc": 0.6})


def judged_families(acc: np.ndarray, scale: str, candidates: np.ndarray, effect: Effect | None = None,
                    chunk: int = 10) -> dict[int, list[Kind]]:
    """judge_family's kinds per repetition of ``candidates`` and of a sample of the others (``chunk`` families to a
    call, each its own Holm family)."""
    rng = np.random.default_rng(1)
    others = rng.choice(np.setdiff1d(np.arange(len(acc)), candidates), size=SAMPLE, replace=False)
    chosen = np.concatenate([candidates, others])
    kinds: dict[int, list[Kind]] = {}
    for start in range(0, len(chosen), chunk):
        part = chosen[start:start + chunk]
        for v in st.judge_family(family_claims(part, effect), family_runs(acc, part), scale):
            kinds.setdefault(int(v.claim.family[1:]), []).append(v.kind)
    return kinds


def null_family(rng: np.random.Generator, correlated: bool, seeds: int = 5) -> np.ndarray:
    """Repetitions × seeds × (α = 0, FAMILY_ALPHAS) in %: every arm's mean equal to α = 0's; independent unit noise,
    or (``correlated``) the correlated null's Brownian motion in α, rounded to whole test images."""
    alphas = np.asarray((0.0, *FAMILY_ALPHAS, 1.0))
    if correlated:
        return correlated_null(rng, alphas, seeds)[:FAMILIES, :, :-1]
    return 50.0 + rng.standard_normal((FAMILIES, seeds, len(FAMILY_ALPHAS) + 1))


@pytest.mark.parametrize("correlated, seeds", [(False, 5), (True, 3)])
def test_judge_family_decides_a_null_family_at_most_5_percent_of_the_time(correlated, seeds):
    """Holm over six contrasts that share α = 0 (so correlated): a decided verdict (reproduced or opposite) is a
    false one, and happens in at most 5 % of the families, a false *reproduced* in at most 2.5 %. On three seeds with
    near-duplicate arms read as certain (as before issue 36), the rate exceeds 5 %: the test can fail."""
    acc = null_family(np.random.default_rng(11 + correlated), correlated, seeds)
    differences = acc[:, :, 1:] - acc[:, :, :1]
    p = t_p(differences, "two-sided")
    candidates = np.flatnonzero(p.min(axis=1) < 1.01 * 0.05 / p.shape[1])  # Holm's first step, with room
    kinds = judged_families(acc, "laptop", candidates)
    for r in set(kinds) - set(candidates.tolist()):
        assert not {Kind.REPRODUCED, Kind.OPPOSITE} & set(kinds[r]), r
    decided = sum(bool({Kind.REPRODUCED, Kind.OPPOSITE} & set(k)) for k in kinds.values())
    reproduced = sum(Kind.REPRODUCED in k for k in kinds.values())
    for found, nominal in ((decided, 0.05), (reproduced, 0.025)):
        ok, message = at_most(found, nominal, FAMILIES)
        assert ok, message
    assert decided > 0  # Holm can decide a null claim: the rate is not zero by construction
    if correlated:
        no_spread = np.ptp(differences, axis=1) == 0
        as_certain = np.where(no_spread & (differences.mean(axis=1) != 0), 0.0, t_p(differences, "two-sided", 0.0))
        old = int((holm_rows(as_certain) < 0.05).any(axis=1).sum())
        assert not at_most(old, 0.05, FAMILIES)[0], at_most(old, 0.05, FAMILIES)[1]


EDGE = Effect(3.0, 0.0)  # printed +3.0: tolerance 1, compatible with [2, 4]


def test_judge_family_excludes_a_true_effect_in_at_most_5_percent_of_families():
    """Paper scale, five seeds: every contrast's true mean is 2, the lower edge of the paper's +3 ± 1, with sd 2, so
    that Holm leaves many undecided about zero and spends nearly 5 % on them. *Excludes the paper's effect* (or
    *opposite*) then rules out a true effect; read from Bonferroni's simultaneous intervals it happens in at most 5 %
    of the families. Read from the intervals matched to Holm's decision about zero (as before issue 36, each at up
    to 95 %), it exceeds 5 %: the test can fail."""
    rng = np.random.default_rng(6)
    n, m = 5, len(FAMILY_ALPHAS)
    base = 50.0 + rng.standard_normal((FAMILIES, n, 1))
    acc = np.concatenate([base, base + 2.0 + 2.0 * rng.standard_normal((FAMILIES, n, m))], axis=2)
    differences = acc[:, :, 1:] - acc[:, :, :1]
    mean, error = differences.mean(axis=1), differences.std(axis=1, ddof=1) / np.sqrt(n)
    p = t_p(differences, "two-sided", 0.0)
    holm_level = 0.05 * p / np.maximum(holm_rows(p), p)  # the level Holm spends on each contrast
    half = lambda level: stats.t.ppf(1 - level / 2, n - 1) * error
    outside = lambda level: (mean + half(level) < 2.0) | (mean - half(level) > 4.0)
    opposite = mean + half(holm_level) < 0
    bonferroni = (opposite | outside(0.05 / m)).any(axis=1)  # the reference, by hand
    candidates = np.flatnonzero((opposite | outside(2 * 0.05 / m)).any(axis=1))  # a narrower interval: with room
    kinds = judged_families(acc, "paper", candidates, EDGE)
    ruled_out = {r: bool({Kind.EXCLUDES_EFFECT, Kind.OPPOSITE} & set(k)) for r, k in kinds.items()}
    assert all(ruled_out[r] == bonferroni[r] for r in ruled_out)
    ok, message = at_most(sum(ruled_out.values()), 0.05, FAMILIES)
    assert ok, message
    matched = (opposite | outside(holm_level)).any(axis=1)
    assert not at_most(int(matched.sum()), 0.05, FAMILIES)[0], at_most(int(matched.sum()), 0.05, FAMILIES)[1]
