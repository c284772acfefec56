"""Notebook 09's analysis (``imlp_core.dip``): the directional balance, where a curve turns, the law and its
out-of-sample check, on runs whose answers are known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from imlp_core import dip


def entry(gap_start, drift_along, prior_along, **more) -> dict:
    return {"gap_start": gap_start, "drift_along": drift_along, "prior_along": prior_along, **more}


def test_directional_balance_is_the_alpha_that_holds_the_gap_still():
    # gap 9 after a pull; Adam moves 0.5 away (-0.5 along u), the prior 0.5 further: G = 1, before the pull 10.
    (balance,) = dip.directional_balance(entry([9.0], [-0.5], [0.5]))
    assert balance == pytest.approx(0.1)
    assert (1 - balance) * (9.0 + 1.0) == pytest.approx(9.0)  # the pull takes it back to where it started
    # W_P reached (alpha = 1: no gap to measure along) and a gap that shrank by itself give no balance
    assert all(math.isnan(b) for b in dip.directional_balance(entry([None, 5.0], [0.1, 6.0], [0.0, 0.0])))
    assert dip.directional_balance({"drift": [1.0]}) == []  # a record made before the fields existed


def run(prior="cnn", lr=1e-3, every="epoch", seed=0, alpha=0.0, acc=0.5, before=None, last=None):
    return {"prior": prior, "lr": lr, "interpolate_every": every, "seed": seed, "alpha": alpha,
            "schedule": "constant", "test_acc": acc, "test_acc_before_pull": before, "prior_test_acc": 0.6,
            "train_subset": 5000, "batch_size": 128, "dataset": "cifar10", "head": "interpolated", "layers": "all",
            "epochs": 5,
            "history": [last or {}]}


def curve_runs(curve: dict[float, list[float]], **setting) -> list[dict]:
    return [run(seed=s, alpha=a, acc=accs[s], **setting) for a, accs in curve.items() for s in range(len(accs))]


def test_steps_between_pulls_reads_the_interval_or_one_epoch():
    assert dip.steps_between_pulls(pd.Series(run(every=5))) == 5
    assert dip.steps_between_pulls(pd.Series(run())) == 40  # 5,000 images in batches of 128
    assert dip.steps_between_pulls(pd.Series({**run(), "train_subset": float("nan")})) == 391
    assert [dip.interval_label(e) for e in (1, 5, "epoch")] == ["every step", "every 5 steps", "every epoch"]


V_CURVE = {0.0: [0.50, 0.52, 0.51], 0.01: [0.50, 0.52, 0.51], 0.1: [0.44, 0.46, 0.45], 0.3: [0.49, 0.51, 0.50],
           1.0: [0.56, 0.57, 0.58]}


def test_a_clear_dip_is_placed_and_called_a_v():
    table = dip.dip_table(pd.DataFrame(curve_runs(V_CURVE, every=1)))
    (row,) = table.to_dict("records")
    assert row["modal α_min"] == 0.1 and row["α_min"] == pytest.approx(0.1) and row["α_min sd (decades)"] == 0
    assert row["V"] and row["drop"].mean == pytest.approx(-6.0) and row["steps"] == 1 and row["lr × steps"] == 1e-3


def test_a_dip_within_noise_is_not_a_v_and_its_minimum_spreads_over_resamples():
    noisy = {0.0: [0.50, 0.52, 0.51], 0.01: [0.47, 0.55, 0.50], 0.1: [0.49, 0.50, 0.56], 1.0: [0.56, 0.57, 0.58]}
    (row,) = dip.dip_table(pd.DataFrame(curve_runs(noisy))).to_dict("records")
    assert not row["V"] and row["α_min sd (decades)"] > 0


def test_the_drop_before_the_last_pull_and_the_pulls_effect_are_paired_per_seed():
    rows = curve_runs(V_CURVE, every=1)
    for r in rows:
        if r["alpha"] == 0.1:
            r["test_acc_before_pull"] = r["test_acc"] + 0.02  # the pull itself costs 2 points
    (row,) = dip.dip_table(pd.DataFrame(rows)).to_dict("records")
    assert row["pull effect"].mean == pytest.approx(-2.0) and row["pull effect"].n == 3
    assert row["drop before pull"].mean == pytest.approx(-4.0)


def test_fit_law_recovers_a_known_line_and_its_prediction_interval_covers_it():
    x = np.log10([1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 4e-2])
    rng = np.random.default_rng(0)
    y = -0.5 + 0.4 * x + rng.normal(0, 0.05, len(x))
    law = dip.fit_law(x, y)
    assert law.slope_interval[0] < 0.4 < law.slope_interval[1] and law.n == 6
    centre, low, high = law.predict(-4.0)
    assert low < -0.5 + 0.4 * -4.0 < high and high - low > 2 * (law.predict(x.mean())[2] - law.predict(x.mean())[0]) / 2
    assert dip.fit_law(x[:2], y[:2]) is None and dip.fit_law(np.ones(4), y[:4]) is None


def law_table(alpha_min: dict[tuple[float, int], float], balance_factor: float = 3.0) -> pd.DataFrame:
    """A dip table whose every setting has a V at alpha_min[(lr, steps)], and an S-MLP balance alpha_min / factor."""
    from imlp_core.statistics import Interval
    rows = [{"prior": "cnn", "lr": lr, "interpolate_every": steps, "interval": dip.interval_label(steps),
             "lr × steps": lr * steps, "α_min": a, "α_min low": a / 2, "α_min high": a * 2, "V": True,
             "V at α": (a,), "drop": Interval(-5, -8, -2, 3),
             "S-MLP α*": Interval(a / balance_factor, math.nan, math.nan, 3)} for (lr, steps), a in alpha_min.items()]
    return pd.DataFrame(rows)


def test_out_of_sample_the_law_predicts_the_other_learning_rate_when_it_holds():
    law = lambda lr, steps: 10 ** (0.2 + 0.5 * math.log10(lr * steps))  # alpha_min = 1.58 (lr steps)^0.5
    table = law_table({(lr, steps): law(lr, steps) * (1.05 if steps % 2 else 0.95)
                       for lr in (1e-3, 3e-4) for steps in (1, 2, 5, 10, 40)})
    held_out = dip.out_of_sample(table, fit_lr=1e-3)
    errors = dip.prediction_errors(held_out)
    assert errors["held out"] == 5 and errors["law rmse"] < 0.05 < errors["constant rmse"]
    assert errors["balance rmse"] < 0.05  # alpha_min = 3 alpha* everywhere: the balance predicts it too
    loo = dip.prediction_errors(dip.out_of_sample(table))  # each of the 10 from the other 9
    assert loo["held out"] == 10 and loo["law rmse"] < 0.05 < loo["constant rmse"] and loo["law covers"] >= 9
    assert loo["law inside own"] == 10 and loo["constant inside own"] < 10  # own interval: a factor 2 either way
    prediction = dip.paper_prediction(table)
    per_step = prediction.set_index("pulls").loc["every step"]
    assert per_step["α_min low"] < law(1e-4, 1) < per_step["α_min high"] and per_step["extrapolated"]


def test_settled_ratios_are_per_seed_means():
    # two layers: a hidden one and the head, which is left out
    rows = [run(every=1, seed=s, alpha=a, last=entry([9.0, 1.0], [-0.5, 0.0], [0.5 + s * 0.1, 5.0], drift=[2.0, 9.0],
                                                     gap=[10.0, 1.0])) for s in range(3) for a in (0.1, 0.3)]
    ratios = dip.settled_ratios(pd.DataFrame(rows))
    assert ratios["directional α*"].n == 3 and ratios["drift / gap"].n == 3
    assert ratios["drift / gap"].mean == pytest.approx((0.2 / 0.1 + 0.2 / 0.3) / 2)


def test_the_findings_say_where_the_v_sits_and_that_the_prediction_is_untested_without_gpu_runs():
    law = lambda lr, steps: 10 ** (0.2 + 0.5 * math.log10(lr * steps))
    table = law_table({(1e-3, steps): law(1e-3, steps) * (1.05 if steps % 2 else 0.95) for steps in (1, 2, 5, 10, 40)})
    points = dip.law_points(table)
    fitted = dip.fit_law(points["x"], points["log α_min"])
    table["modal α_min"] = table["α_min"]
    from imlp_core.statistics import Interval
    table["pull effect"] = [Interval(math.nan, math.nan, math.nan, 0)] * len(table)
    prediction = dip.paper_prediction(table)
    text = dip.dip_findings(table, {"leaving one out": dip.out_of_sample(table)}, prediction, fitted, {},
                            pd.DataFrame())
    assert "in 5 of 5 S-CNN settings" in text and "fitted on all 5 settings as declared" in text
    assert "the minimum's α grows with lr × steps" in text
    assert "Paper scale, `paper-per-step-v`** (" in text and "not run yet (no GPU has run it): untested" in text
    per_step = prediction.set_index("pulls").loc["every step"]
    assert f"α_min ≈ {per_step['α_min']:.2g} [{per_step['α_min low']:.2g}, {per_step['α_min high']:.2g}]" in text


def test_the_law_stays_the_declared_line_whatever_its_slope_and_the_constant_is_flat():
    x = np.log10([1e-3, 2e-3, 5e-3, 2e-2, 4e-2])
    y = np.array([-0.5, -0.7, -1.3, -1.0, -0.5])
    flat = dip.fit_constant(y)
    assert flat.flat and flat.slope == 0 and flat.intercept == pytest.approx(-0.8)
    centre, low, high = flat.predict(-4.0)
    assert centre == pytest.approx(-0.8) and (low, high) == pytest.approx(flat.predict(0.0)[1:])  # the same at any x
    table = law_table({(1e-3, s): 10 ** v for s, v in zip((1, 2, 5, 20, 40), y)})
    assert dip.paper_prediction(table)["law"].str.startswith("slope").all()  # never silently flat


def test_the_law_and_its_intervals_are_ordinary_least_squares_as_statsmodels_computes_them():
    """Independent path: statsmodels' OLS on the same points gives the slope interval (t over n - 2 degrees of
    freedom, 95 %) and the prediction interval of a new point, widened away from the data (extrapolation)."""
    import statsmodels.api as sm

    x = np.log10([1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 4e-2, 8e-2])
    y = np.array([-1.2, -1.0, -1.1, -0.8, -0.9, -0.6, -0.7])
    law = dip.fit_law(x, y)
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    assert law.slope_interval == pytest.approx(tuple(ols.conf_int(0.05)[1]))
    assert law.residual_sd == pytest.approx(math.sqrt(ols.scale))  # residual spread over n - 2
    for new in (-4.0, x.mean(), -1.0):
        frame = ols.get_prediction(np.array([[1.0, new]])).summary_frame(alpha=0.05)
        assert law.predict(new) == pytest.approx((frame["mean"][0], frame["obs_ci_lower"][0], frame["obs_ci_upper"][0]))
    assert law.predict(-4.0)[2] - law.predict(-4.0)[1] > law.predict(x.mean())[2] - law.predict(x.mean())[1]


def test_out_of_sample_never_fits_on_the_setting_it_predicts():
    """Leakage: each held-out prediction equals the law fitted by hand on the other settings."""
    law = lambda lr, steps: 10 ** (0.2 + 0.5 * math.log10(lr * steps))
    alpha_min = {(1e-3, steps): law(1e-3, steps) for steps in (1, 2, 5, 10, 40)}
    alpha_min[(1e-3, 20)] = 0.9  # an outlier: a fit that saw it would move towards it
    table = law_table(alpha_min)
    held_out = dip.out_of_sample(table).set_index("interval")
    others = dip.law_points(table[table["interval"] != "every 20 steps"])
    by_hand = np.polyfit(others["x"], others["log α_min"], 1)
    assert held_out.loc["every 20 steps", "law"] == pytest.approx(np.polyval(by_hand, math.log10(2e-2)))
    assert held_out.loc["every 20 steps", "constant"] == pytest.approx(others["log α_min"].mean())


def test_prediction_errors_are_root_mean_square_and_count_each_own_interval():
    frame = pd.DataFrame({"measured": [0.0, 0.0], "own low": [-0.1, -0.1], "own high": [0.1, 0.1],
                          "law": [0.3, -0.4], "law low": [-1, -1], "law high": [1, 1], "constant": [0.05, 0.0],
                          "constant low": [-1, 0.5], "constant high": [1, 1], "balance": [0.0, 1.0]})
    errors = dip.prediction_errors(frame)
    assert errors["law rmse"] == pytest.approx(math.sqrt((0.09 + 0.16) / 2))  # not the mean absolute error, 0.35
    assert (errors["law inside own"], errors["constant inside own"], errors["balance inside own"]) == (0, 2, 1)
    assert (errors["law covers"], errors["constant covers"], errors["held out"]) == (2, 1, 2)


def test_a_settings_own_interval_is_the_range_of_its_argmin_over_resamples():
    # seed 0 turns at 0.01, seeds 1 and 2 at 0.1: of the 27 resamples, 1 has its minimum at 0.01 (all seed 0) ...
    curve = {0.0: [0.5, 0.5, 0.5], 0.01: [0.40, 0.47, 0.47], 0.1: [0.45, 0.45, 0.45], 1.0: [0.6, 0.6, 0.6]}
    (row,) = dip.dip_table(pd.DataFrame(curve_runs(curve))).to_dict("records")
    from imlp_core.statistics import argmin_shares, alpha_curves

    shares = argmin_shares(dip.interior(alpha_curves(pd.DataFrame(curve_runs(curve)))))
    assert shares[0.01] > 0.025 and shares[0.1] > 0.025  # both tails hold more than 2.5 %: the range spans both
    assert (row["α_min low"], row["α_min high"]) == (0.01, 0.1)
