"""Statistics over seeds: the one place where noise is measured, and the four-way verdict on a claim.

A seed fixes the I-MLPs' shared initialisation and data order, so the models of one seed are *paired*:
a claim "A beats B" is judged on the per-seed differences A − B, with a 95 % Student-t confidence
interval over seeds (``scipy.stats``). The verdict of one paired difference, whose paper-side sign is > 0:

* **reproduced**: the whole interval lies above zero (the paper's side);
* **same direction, within noise**: the mean is above zero but the interval reaches below it;
* **opposite direction, within noise**: the mean is at or below zero and the interval reaches above it;
* **opposite**: the whole interval lies below zero;
* **not run**: no paired seed (or one seed only, which has no interval, is *within noise* by its sign).

The two "within noise" verdicts are one class when counted (:data:`WITHIN_NOISE`): the seeds cannot tell.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95

REPRODUCED = "reproduced"
SAME_WITHIN_NOISE = "same direction, within noise"
OPPOSITE_WITHIN_NOISE = "opposite direction, within noise"
OPPOSITE = "opposite"
NOT_RUN = "not run"
WITHIN_NOISE = (SAME_WITHIN_NOISE, OPPOSITE_WITHIN_NOISE)
VERDICTS = (REPRODUCED, SAME_WITHIN_NOISE, OPPOSITE_WITHIN_NOISE, OPPOSITE, NOT_RUN)


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


def t_interval(values: Iterable[float], confidence: float = CONFIDENCE) -> Interval:
    """Mean of ``values`` with its Student-t confidence interval (``scipy.stats.t``); NaN bounds below two values.

    All values equal gives a zero-width interval at the mean (no spread was seen)."""
    array = clean(values)
    if array.size == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(array.mean())
    if array.size < 2:
        return Interval(mean, math.nan, math.nan, 1)
    sem = float(stats.sem(array))
    if sem == 0:
        return Interval(mean, mean, mean, int(array.size))
    low, high = stats.t.interval(confidence, array.size - 1, loc=mean, scale=sem)
    return Interval(mean, float(low), float(high), int(array.size))


def paired_differences(a: pd.Series, b: pd.Series) -> pd.Series:
    """Per-seed ``a − b`` over the seeds both hold (each Series indexed by seed); unpaired seeds are left out."""
    joined = pd.concat({"a": a, "b": b}, axis=1).dropna()
    return joined["a"] - joined["b"]


def direction_verdict(difference: Interval) -> str:
    """The verdict on a paired difference whose paper-side sign is positive (see the module docstring)."""
    if difference.n == 0 or math.isnan(difference.mean):
        return NOT_RUN
    if difference.n >= 2 and difference.low > 0:
        return REPRODUCED
    if difference.n >= 2 and difference.high < 0:
        return OPPOSITE
    return SAME_WITHIN_NOISE if difference.mean > 0 else OPPOSITE_WITHIN_NOISE


def combine_verdicts(verdicts: Sequence[str]) -> str:
    """One verdict for a claim made of several differences that must all hold: any not run → not run; any
    opposite → opposite; all reproduced → reproduced; else within noise, in the same direction when every
    difference's mean has the paper's sign."""
    if not verdicts or NOT_RUN in verdicts:
        return NOT_RUN
    if OPPOSITE in verdicts:
        return OPPOSITE
    if all(v == REPRODUCED for v in verdicts):
        return REPRODUCED
    return OPPOSITE_WITHIN_NOISE if OPPOSITE_WITHIN_NOISE in verdicts else SAME_WITHIN_NOISE


def number_verdict(ours: Interval, paper: float, tolerance: float) -> str:
    """A printed number: *reproduced* when our interval lies inside paper ± ``tolerance`` (compatible, and narrower
    than the tolerance), *opposite* (not reproduced) when it lies wholly outside, else within noise (the seeds
    cannot tell). One seed has no interval: within noise at best."""
    if ours.n == 0 or math.isnan(ours.mean):
        return NOT_RUN
    if ours.n < 2:
        return SAME_WITHIN_NOISE if abs(ours.mean - paper) <= tolerance else OPPOSITE_WITHIN_NOISE
    if paper - tolerance <= ours.low and ours.high <= paper + tolerance:
        return REPRODUCED
    if ours.low > paper + tolerance or ours.high < paper - tolerance:
        return OPPOSITE
    return SAME_WITHIN_NOISE if abs(ours.mean - paper) <= tolerance else OPPOSITE_WITHIN_NOISE


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
