"""statistics.py: the t-interval, paired differences, the four-way verdict and where a curve turns, at their
boundaries (just inside and just outside each interval and tolerance)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from imlp_core import statistics as st
from imlp_core.statistics import Interval

EPS = 1e-9


def test_t_interval_is_scipys_student_t_interval():
    values = [30.55, 26.55, 28.10]
    ours = st.t_interval(values)
    expected = scipy_stats.ttest_1samp(values, 0).confidence_interval(0.95)
    assert (ours.mean, ours.low, ours.high, ours.n) == pytest.approx((np.mean(values), expected.low, expected.high, 3))
    assert ours.high - ours.mean == pytest.approx(scipy_stats.t.ppf(0.975, 2) * np.std(values, ddof=1) / math.sqrt(3))


def test_t_interval_of_one_value_has_no_bounds_and_nan_is_dropped():
    one = st.t_interval([31.0, math.nan, None])
    assert one.n == 1 and one.mean == 31.0 and math.isnan(one.low) and math.isnan(one.high)
    assert st.t_interval([]).n == 0
    same = st.t_interval([2.0, 2.0, 2.0])
    assert (same.low, same.high) == (2.0, 2.0)


def test_paired_differences_keep_only_seeds_both_sides_hold():
    a = pd.Series({0: 30.0, 1: 27.0, 2: 29.0})
    b = pd.Series({0: 28.0, 2: 30.0, 3: 10.0})
    assert st.paired_differences(a, b).to_dict() == {0: 2.0, 2: -1.0}


@pytest.mark.parametrize("interval, verdict", [
    (Interval(1.0, EPS, 2.0, 3), st.REPRODUCED),  # just above zero
    (Interval(1.0, -EPS, 2.0, 3), st.SAME_WITHIN_NOISE),  # just across it
    (Interval(-1.0, -2.0, -EPS, 3), st.OPPOSITE),
    (Interval(-1.0, -2.0, EPS, 3), st.OPPOSITE_WITHIN_NOISE),
    (Interval(0.0, -1.0, 1.0, 3), st.OPPOSITE_WITHIN_NOISE),  # a mean of zero is not the paper's direction
    (Interval(5.0, math.nan, math.nan, 1), st.SAME_WITHIN_NOISE),  # one seed: never reproduced
    (Interval(-5.0, math.nan, math.nan, 1), st.OPPOSITE_WITHIN_NOISE),  # ... and never opposite
    (Interval(math.nan, math.nan, math.nan, 0), st.NOT_RUN),
])
def test_direction_verdict_at_its_boundaries(interval, verdict):
    assert st.direction_verdict(interval) == verdict


@pytest.mark.parametrize("parts, verdict", [
    ([st.REPRODUCED, st.REPRODUCED], st.REPRODUCED),
    ([st.REPRODUCED, st.SAME_WITHIN_NOISE], st.SAME_WITHIN_NOISE),
    ([st.REPRODUCED, st.OPPOSITE_WITHIN_NOISE], st.OPPOSITE_WITHIN_NOISE),
    ([st.REPRODUCED, st.OPPOSITE], st.OPPOSITE),
    ([st.OPPOSITE, st.NOT_RUN], st.NOT_RUN),
    ([], st.NOT_RUN),
])
def test_a_claim_of_several_differences_holds_only_if_all_do(parts, verdict):
    assert st.combine_verdicts(parts) == verdict


@pytest.mark.parametrize("interval, verdict", [
    (Interval(58.0, 57.0 + EPS, 59.0, 3), st.REPRODUCED),  # inside 58 ± 1
    (Interval(58.0, 57.0 - 0.01, 59.0, 3), st.SAME_WITHIN_NOISE),  # reaches past the tolerance's edge
    (Interval(58.0, 50.0, 66.0, 3), st.SAME_WITHIN_NOISE),  # wider than the tolerance: the seeds cannot tell
    (Interval(62.0, 59.0 + EPS, 65.0, 3), st.OPPOSITE),  # wholly outside
    (Interval(62.0, 59.0 - EPS, 65.0, 3), st.OPPOSITE_WITHIN_NOISE),  # mean outside, interval reaches in
    (Interval(58.0, math.nan, math.nan, 1), st.SAME_WITHIN_NOISE),  # one seed on the spot: not reproduced
])
def test_number_verdict_needs_our_interval_inside_the_tolerance(interval, verdict):
    assert st.number_verdict(interval, paper=58.0, tolerance=1.0) == verdict


def test_seed_resamples_are_exact_for_few_seeds_and_seeded_for_many():
    assert len(st.seed_resamples([0, 1, 2])) == 27
    many = st.seed_resamples(range(6), limit=100)
    assert len(many) == 100 and many == st.seed_resamples(range(6), limit=100)


def curves(rows: list[dict[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.Index(range(len(rows)), name="seed"))


def test_a_clear_minimum_is_one_alpha_in_every_resample():
    frame = curves([{1e-3: 30.0, 5e-3: 25.0, 0.1: 31.0}, {1e-3: 29.0, 5e-3: 24.0, 0.1: 30.0},
                    {1e-3: 28.0, 5e-3: 26.0, 0.1: 29.0}])
    assert st.argmin_shares(frame)[5e-3] == pytest.approx(1.0)
    assert st.minimum_set(frame) == [5e-3]


def test_a_flat_curve_has_no_single_minimum():
    frame = curves([{1e-3: 30.0, 5e-3: 30.0, 0.1: 30.0, 0.3: 30.0}] * 3)
    assert st.argmin_shares(frame).tolist() == pytest.approx([0.25] * 4)
    assert len(st.minimum_set(frame)) == 3  # the fewest alphas that cover more than half


def test_a_monotone_curve_turns_at_its_end():
    frame = curves([{1e-3: 33.0, 5e-3: 32.0, 0.1: 31.0}, {1e-3: 34.0, 5e-3: 33.0, 0.1: 30.0},
                    {1e-3: 35.0, 5e-3: 31.5, 0.1: 31.0}])
    assert st.minimum_set(frame) == [0.1]


def test_where_seeds_disagree_the_minimum_is_a_set():
    frame = curves([{1e-3: 30.0, 5e-3: 20.0, 0.1: 30.0}, {1e-3: 30.0, 5e-3: 30.0, 0.1: 20.0},
                    {1e-3: 30.0, 5e-3: 25.0, 0.1: 26.0}])
    shares = st.argmin_shares(frame)
    assert shares.sum() == pytest.approx(1.0) and 0 < shares[5e-3] < 1 and 0 < shares[0.1] < 1
    assert st.minimum_set(frame) == sorted(shares.sort_values(ascending=False).index[:len(st.minimum_set(frame))])


def test_format_interval_says_the_seeds():
    assert st.format_interval(Interval(30.1, 28.4, 31.8, 3)) == "30.10 [28.40, 31.80] (3 seeds)"
    assert st.format_interval(Interval(1.5, 0.5, 2.5, 2), signed=True) == "+1.50 [+0.50, +2.50] (2 seeds)"
    assert st.format_interval(Interval(30.1, math.nan, math.nan, 1)) == "30.10 (1 seed)"
    assert st.format_interval(Interval(math.nan, math.nan, math.nan, 0)) == "—"


@pytest.mark.parametrize("interval, verdict", [
    (Interval(1.0, 0.5, 1.5, 2), st.REPRODUCED),  # two seeds are enough for an interval
    (Interval(-1.0, -1.5, -0.5, 2), st.OPPOSITE),
    (Interval(1.0, math.nan, math.nan, 1), st.SAME_WITHIN_NOISE),  # one seed: never beyond noise
    (Interval(math.nan, math.nan, math.nan, 3), st.NOT_RUN),
])
def test_direction_verdict_at_two_seeds_and_without_a_mean(interval, verdict):
    assert st.direction_verdict(interval) == verdict


@pytest.mark.parametrize("interval, verdict", [
    (Interval(10.0, 9.0, 11.0, 2), st.REPRODUCED),  # exactly paper ± tolerance: inside
    (Interval(10.0, 8.999, 11.0, 2), st.SAME_WITHIN_NOISE),
    (Interval(13.0, 11.0, 15.0, 2), st.OPPOSITE_WITHIN_NOISE),  # touches paper + tolerance: not wholly outside
    (Interval(6.0, 5.0, 7.0, 3), st.OPPOSITE),  # wholly below paper - tolerance
    (Interval(7.0, 5.0, 9.0, 3), st.OPPOSITE_WITHIN_NOISE),  # touches paper - tolerance: within noise, its mean outside
    (Interval(11.0, math.nan, math.nan, 1), st.SAME_WITHIN_NOISE),  # one seed, exactly at the tolerance
    (Interval(12.0, math.nan, math.nan, 1), st.OPPOSITE_WITHIN_NOISE),
    (Interval(math.nan, math.nan, math.nan, 2), st.NOT_RUN),
])
def test_number_verdict_at_its_boundaries(interval, verdict):
    """The paper prints 10 ± 1 (the tolerance)."""
    assert st.number_verdict(interval, 10.0, 1.0) == verdict
