"""Notebook 08's verdicts (imlp_core.verdicts), figures and findings, and notebook 07's claims per option, on hand-made runs."""

from __future__ import annotations

import pandas as pd
import pytest

from imlp_core import figures, findings, verdicts
from imlp_core.profiles import PROFILES
from imlp_core.results import FRAME_COLUMNS


def runs_from(curve: dict[float, float | list[float]], prior: float = 0.6, option: str = "default", seeds=(0, 1, 2),
              **schedules) -> pd.DataFrame:
    """Runs with the given accuracy (fractions) per constant alpha, plus optional Table 4 schedules; a list gives
    one value per seed, a number the same value for every seed."""
    value = lambda acc, i: acc[i] if isinstance(acc, list) else acc
    rows = [{"schedule": "constant", "alpha": a, "k": 0.0, "test_acc": value(acc, i), "prior_test_acc": prior, "seed": s,
             "option": option} for i, s in enumerate(seeds) for a, acc in curve.items()]
    for name, (kind, alpha, k, acc) in schedules.items():
        rows += [{"schedule": kind, "alpha": alpha, "k": k, "test_acc": value(acc, i), "prior_test_acc": prior, "seed": s,
                  "option": option} for i, s in enumerate(seeds)]
    return pd.DataFrame(rows)


def test_a_dip_below_both_ends_in_every_seed_is_a_v_and_where():
    runs = runs_from({0.0: [0.584, 0.580, 0.588], 1e-3: 0.58, 5e-3: [0.515, 0.52, 0.51], 0.1: 0.57, 1.0: 0.621})
    alpha, drop = verdicts.find_v(runs)
    assert alpha == 5e-3 and drop.mean == pytest.approx(-6.9) and drop.high < 0 and drop.n == 3


@pytest.mark.parametrize("curve, seeds", [
    ({0.0: 0.584, 5e-3: [0.57, 0.60, 0.58], 1.0: 0.621}, (0, 1, 2)),  # one seed above an end: within noise
    ({0.0: 0.584, 5e-3: 0.55, 0.5: 0.60}, (0, 1, 2)),  # no alpha = 1 end
    ({0.0: 0.50, 0.1: 0.55, 1.0: 0.60}, (0, 1, 2)),  # monotone
    ({0.0: 0.584, 5e-3: 0.50, 1.0: 0.621}, (0,)),  # one seed: no interval, no verdict beyond noise
])
def test_dips_within_noise_or_endless_or_monotone_curves_are_not_a_v(curve, seeds):
    assert verdicts.find_v(runs_from(curve, seeds=seeds)) is None


def test_verdicts_read_table4_ordering_and_the_test_time_gap_per_seed():
    runs = runs_from({0.0: [0.584, 0.580, 0.588], 0.5: 0.61, 1.0: 0.62}, linear=("decay", 0.5, 1.0, [0.48, 0.47, 0.49]),
                     k4=("decay", 0.5, 4.0, 0.60), test_time=("test-time", 0.5, 0.0, [0.49, 0.48, 0.50]))
    verdict = verdicts.option_verdicts(runs)
    assert verdict["Table 4 ordering"].startswith("reproduced (constant − k = 1: +13.00 [")
    assert verdict["test-time gap"].startswith("-9.40 [") and ": reproduced (the paper: -9.73 ± 3.47)" in verdict["test-time gap"]
    assert verdict["V"].startswith("no interior α") and verdict["α = 1 − prior"] == "+2.00 [+2.00, +2.00] (3 seeds)"
    assert verdict["seeds"] == 3


def test_a_gap_far_from_the_papers_is_not_reproduced():
    runs = runs_from({0.0: [0.584, 0.580, 0.588], 1.0: 0.62}, test_time=("test-time", 0.5, 0.0, [0.57, 0.56, 0.58]))
    assert "not reproduced" in verdicts.option_verdicts(runs)["test-time gap"]


def test_options_without_schedules_say_not_run():
    verdict = verdicts.option_verdicts(runs_from({0.0: [0.50, 0.51, 0.49], 0.01: 0.45, 1e-3: 0.47, 0.1: 0.48, 1.0: 0.6}))
    assert verdict["Table 4 ordering"] == "not run" and verdict["test-time gap"] == "not run"
    assert verdict["V"].startswith("yes, at α = 0.01")
    assert verdict["minimum over resamples at α ∈"] == "{0.01}"


def test_predicted_balance_is_the_smlps_drift_over_gap_at_the_last_epoch():
    rows = [{"schedule": "constant", "alpha": 0.0, "seed": seed, "epoch": epoch, "layer": layer,
             "balance α": 0.01 * (1 + seed) * (layer + 1) if epoch == 2 else 1.0}
            for seed in (0, 1) for epoch in (1, 2) for layer in range(3)]
    rows.append({"schedule": "constant", "alpha": 0.1, "seed": 0, "epoch": 2, "layer": 0, "balance α": 5.0})
    # per seed the median over layers is 0.02 and 0.04; their mean 0.03
    assert verdicts.predicted_balance(pd.DataFrame(rows)) == pytest.approx(0.03)
    assert verdicts.predicted_balance(pd.DataFrame(rows[-1:])) is None


def test_claims_by_option_names_the_values_under_which_the_v_claim_is_reproduced():
    v = runs_from({0.0: [0.58, 0.59, 0.57], 0.01: [0.50, 0.51, 0.49], 1.0: 0.62}, option="interpolate_every = 1")
    flat = runs_from({0.0: [0.58, 0.59, 0.57], 0.01: [0.585, 0.58, 0.575], 1.0: 0.62})
    frame = pd.concat([flat, v], ignore_index=True).assign(dataset="cifar10", prior="cnn", lr=1e-3, epochs=5,
                                                           train_subset=5000, source="cifar10 (test)")
    table = verdicts.claims_by_option(frame, PROFILES["cpu"]).set_index("claim")
    row = table.loc[[c for c in table.index if "the V of Figure 2" in c]].iloc[0]
    assert row["reproduced under"] == "interpolate_every = 1" and row["within noise under"] == "default"
    assert row["opposite under"] == "—"
    mixer = table.loc[[c for c in table.index if "MLP-Mixer prior beats" in c]].iloc[0]
    assert mixer["reproduced under"] == mixer["within noise under"] == mixer["opposite under"] == "—"


def test_an_empty_store_gives_a_note_and_empty_figures_not_an_error():
    empty = pd.DataFrame(columns=[*FRAME_COLUMNS, "option"])  # what notebook 08 receives from an empty store
    table = verdicts.verdict_table(empty)
    assert table.empty and findings.option_findings(table, {}) == f"- {verdicts.NO_RUNS}"
    assert verdicts.balance_frame(empty).empty and "option" in verdicts.balance_frame(empty)
    for fig in (figures.option_curves_figure(empty, "t"), figures.balance_figure(empty, [], "t")):
        assert verdicts.NO_RUNS in [t.get_text() for t in fig.axes[0].texts]


def test_runs_without_drift_records_say_so_in_the_balance_figure():
    runs = runs_from({0.0: 0.5, 1.0: 0.6}, seeds=(0,)).assign(history=[[{"epoch": 1}]] * 2)
    fig = figures.balance_figure(runs, ["default"], "t")
    assert figures.NO_BALANCE in [t.get_text() for t in fig.axes[0].texts]


@pytest.mark.parametrize("drops, seeds, is_v", [
    ([-2.0, -2.1], (0, 1), True),  # two seeds whose interval lies below zero: a V
    ([0.0, 0.0, 0.0], (0, 1, 2), False),  # an interval that reaches zero: not below it
    ([0.5, 0.5, 0.5], (0, 1, 2), False),  # above the lower end in every seed
])
def test_find_v_at_the_boundaries_of_its_rule(drops, seeds, is_v):
    """The interior α lies ``drops`` points from the lower end (the S-MLP at 50 %, the α = 1 end at 60 %)."""
    runs = runs_from({0.0: 0.5, 0.01: [0.5 + d / 100 for d in drops], 1.0: 0.6}, seeds=seeds)
    found = verdicts.find_v(runs)
    assert (found is not None) == is_v
    if is_v:
        assert found[0] == 0.01 and found[1].mean == pytest.approx(-2.05) and found[1].n == 2


def test_claims_by_option_reads_the_schedules_and_keeps_the_order_the_values_were_run_in():
    schedules = dict(linear=("decay", 0.5, 1.0, [0.48, 0.47, 0.49]), k4=("decay", 0.5, 4.0, 0.60),
                     constant=("constant", 0.5, 0.0, 0.61))
    v = {0.0: [0.58, 0.59, 0.57], 0.01: [0.50, 0.51, 0.49], 1.0: 0.62}
    frame = pd.concat([runs_from(v, option="optimizer_state = reset", **schedules), runs_from(v, **schedules)],
                      ignore_index=True).assign(dataset="cifar10", prior="cnn", lr=1e-3, epochs=5, train_subset=5000,
                                                source="cifar10 (test)")
    table = verdicts.claims_by_option(frame, PROFILES["cpu"])
    assert list(table.columns) == ["source", "claim", "reproduced under", "within noise under", "opposite under"]
    by_claim = table.set_index("claim")
    v_claim = by_claim.loc[[c for c in by_claim.index if "the V of Figure 2" in c]].iloc[0]
    assert v_claim["reproduced under"] == "optimizer_state = reset, default"  # as run, not sorted
    table4 = table[table["source"].str.startswith("Table 4")]
    assert len(table4) and (table4["reproduced under"] == "optimizer_state = reset, default").any()
    empty = verdicts.claims_by_option(frame.iloc[:0], PROFILES["cpu"])
    assert empty.empty and list(empty.columns) == list(table.columns)


def test_an_empty_verdict_table_is_indexed_by_option():
    table = verdicts.verdict_table(pd.DataFrame(columns=[*FRAME_COLUMNS, "option"]))
    assert table.empty and table.index.name == "option"


def test_balance_frame_skips_epochs_without_drift_and_leaves_a_zero_gap_undefined():
    history = [{"epoch": 1}, {"epoch": 2, "drift": [0.2, 0.1], "gap": [2.0, 0.0]}]
    runs = runs_from({0.1: 0.5}, seeds=(3,)).assign(history=[history])
    balance = verdicts.balance_frame(runs)
    assert list(balance.columns) == ["option", "seed", "schedule", "alpha", "epoch", "layer", "drift", "gap", "balance α"]
    assert balance[["seed", "schedule", "alpha", "epoch", "layer"]].values.tolist() == [
        [3, "constant", 0.1, 2, "layer 1"], [3, "constant", 0.1, 2, "layer 2"]]
    assert balance["balance α"].iloc[0] == pytest.approx(0.1) and pd.isna(balance["balance α"].iloc[1])


def test_option_verdicts_read_in_full_and_pick_each_schedule_by_its_kind_alpha_and_k():
    """Decoys (a linear decay from a = 1, a test-time α of 0.3) and Table 4's schedules come before the constant-α
    runs, so a selection that drops its kind, α or k reads the wrong run. By hand: constant − k = 1 is 61 − 48, 47, 49;
    the test-time gap 49 − 58.4, 48 − 58.0, 50 − 58.8."""
    decoys = runs_from({}, other_linear=("decay", 1.0, 1.0, 0.30), other_test=("test-time", 0.3, 0.0, 0.31))
    runs = runs_from({0.0: [0.584, 0.580, 0.588], 1e-3: 0.58, 0.01: [0.50, 0.51, 0.49], 0.1: 0.57, 1.0: 0.621},
                     linear=("decay", 0.5, 1.0, [0.48, 0.47, 0.49]), k4=("decay", 0.5, 4.0, 0.60),
                     test_time=("test-time", 0.5, 0.0, [0.49, 0.48, 0.50]), constant=("constant", 0.5, 0.0, 0.61))
    runs = pd.concat([decoys, runs[runs.schedule != "constant"], runs[runs.schedule == "constant"]], ignore_index=True)
    assert verdicts.option_verdicts(runs) == {
        "seeds": 3, "S-MLP (α = 0)": "58.40 [57.41, 59.39] (3 seeds)", "prior": "60.00 [60.00, 60.00] (3 seeds)",
        "α = 1 − prior": "+2.10 [+2.10, +2.10] (3 seeds)", "minimum over resamples at α ∈": "{0.01}",
        "V": "yes, at α = 0.01: -8.40 [-11.88, -4.92] (3 seeds) below both ends",
        "Table 4 ordering": "reproduced (constant − k = 1: +13.00 [+10.52, +15.48] (3 seeds); k = 4 − k = 1: +12.00 "
                            "[+9.52, +14.48] (3 seeds))",
        "test-time gap": "-9.40 [-10.89, -7.91] (3 seeds): reproduced (the paper: -9.73 ± 3.47)",
    }


def test_option_verdicts_without_the_alpha_1_end_or_enough_interior_alphas_say_so():
    verdict = verdicts.option_verdicts(runs_from({0.0: [0.584, 0.580, 0.588], 0.01: [0.50, 0.51, 0.49], 0.1: 0.57}))
    assert verdict["α = 1 − prior"] == "—" and verdict["minimum over resamples at α ∈"] == "—"
    assert verdict["V"] == "no interior α lies below both ends beyond noise"


@pytest.mark.parametrize("run, pulled", [
    ({}, True),  # an older record without the fields: every layer, the head interpolated
    ({"head": "own"}, False),
    ({"head": "interpolated", "layers": "all"}, True),
    ({"layers": None}, True),
    ({"layers": float("nan")}, True),
    ({"prior": "cnn", "layers": "first"}, False),
    ({"prior": "cnn", "layers": [0, 1]}, False),
    ({"prior": "cnn", "layers": [0, -1]}, True),  # -1 is the head
    ({"prior": "cnn", "layers": [verdicts.layer_count("cnn") - 1]}, True),
    ({"prior": "synthetic", "layers": "first"}, False),  # a prior the package does not know: only "first" leaves it
    ({"prior": "synthetic", "layers": [0, 1]}, True),
])
def test_interpolates_head_reads_the_head_option_and_the_layer_selection(run, pulled):
    assert verdicts.interpolates_head(pd.Series(run, dtype=object)) is pulled


def test_the_s_cnns_i_mlp_interpolates_seven_layers():
    assert verdicts.layer_count("cnn") == 7  # six convolutions and the head (Table 2)
