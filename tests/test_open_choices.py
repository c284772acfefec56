"""Notebook 08's verdicts (imlp_core.reading.verdicts: the V scan, Table 4's claims per option), figures and findings, and
notebook 07's claims per option, on hand-made runs. Every expected interval is worked out by hand in the comments
(three seeds: half-width = 4.303 × sd / √3)."""

from __future__ import annotations


import pandas as pd
import pytest

from imlp_core import figures
from imlp_core.reading import prose, verdicts
from imlp_core.reading.claims import Role
from imlp_core.facts import PRIOR_FACTS
from imlp_core.profiles import PROFILES
from imlp_core.records import FRAME_COLUMNS
from imlp_core.reading.inference import Kind


def runs_from(curve: dict[float, float | list[float]], prior: float = 0.6, option: str = "default", seeds=(0, 1, 2),
              **schedules) -> pd.DataFrame:
    """Runs with the given accuracy (fractions) per constant alpha, plus optional Table 4 schedules; a list gives
    one value per seed, a number the same value for every seed."""
    value = lambda acc, i: acc[i] if isinstance(acc, list) else acc
    rows = [{"schedule": "constant", "alpha": a, "k": 0.0, "test_acc": value(acc, i), "prior_test_acc": prior, "seed": s,
             "option": option, "prior": "cnn"} for i, s in enumerate(seeds) for a, acc in curve.items()]
    for name, (kind, alpha, k, acc) in schedules.items():
        rows += [{"schedule": kind, "alpha": alpha, "k": k, "test_acc": value(acc, i), "prior_test_acc": prior, "seed": s,
                  "option": option, "prior": "cnn"} for i, s in enumerate(seeds)]
    return pd.DataFrame(rows)


def test_a_dip_below_both_ends_in_every_seed_is_a_v_and_where():
    runs = runs_from({0.0: [0.584, 0.580, 0.588], 1e-3: 0.58, 5e-3: [0.515, 0.52, 0.51], 0.1: 0.57, 1.0: 0.621})
    alpha, drop = verdicts.find_v(runs)
    assert alpha == 5e-3 and drop.mean == pytest.approx(-6.9) and drop.high < 0 and drop.n == 3
    assert verdicts.drop_below_ends(runs, 5e-3) == drop


@pytest.mark.parametrize("curve, seeds", [
    ({0.0: 0.584, 5e-3: [0.57, 0.60, 0.58], 1.0: 0.621}, (0, 1, 2)),  # one seed above an end: within noise
    ({0.0: 0.584, 5e-3: 0.55, 0.5: 0.60}, (0, 1, 2)),  # no alpha = 1 end
    ({0.0: 0.50, 0.1: 0.55, 1.0: 0.60}, (0, 1, 2)),  # monotone
    ({0.0: 0.584, 5e-3: 0.50, 1.0: 0.621}, (0,)),  # one seed: no interval, no verdict beyond noise
])
def test_dips_within_noise_or_endless_or_monotone_curves_are_not_a_v(curve, seeds):
    assert verdicts.find_v(runs_from(curve, seeds=seeds)) is None


@pytest.mark.parametrize("drops, seeds, is_v", [
    ([-2.0, -2.1], (0, 1), True),  # two seeds whose interval lies below zero: a V (one α: nothing to adjust)
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


def test_a_v_needs_to_clear_holm_over_the_alphas_scanned():
    """α = 0.01 lies 2.0, 2.5, 1.5 below the lower end: alone, its one-sided p is 0.0126 (t = −6.93, 2 df) and the
    interval lies below 0; beside four flat α, Holm multiplies it by five (0.063 > 0.025): no V."""
    dip = [0.48, 0.475, 0.485]
    alone = runs_from({0.0: 0.5, 0.01: dip, 1.0: 0.6})
    assert verdicts.find_v(alone)[0] == 0.01
    crowded = runs_from({0.0: 0.5, 1e-3: [0.50, 0.51, 0.49], 5e-3: [0.50, 0.49, 0.51], 0.01: dip,
                         0.1: [0.51, 0.50, 0.49], 0.3: [0.49, 0.51, 0.50], 1.0: 0.6})
    assert verdicts.find_v(crowded) is None
    assert verdicts.drop_below_ends(crowded, 0.01).high < 0  # the unadjusted interval alone would have called it


def schedules_and(curve: dict, option: str = "default", **extra) -> pd.DataFrame:
    return runs_from(curve, option=option, linear=("decay", 0.5, 1.0, [0.48, 0.47, 0.49]), k4=("decay", 0.5, 4.0, 0.60),
                     test_time=("test-time", 0.5, 0.0, [0.49, 0.48, 0.50]), constant=("constant", 0.5, 0.0, 0.61),
                     **extra)


def test_option_verdicts_read_table4s_claims_per_seed():
    verdict = verdicts.option_verdicts(schedules_and({0.0: [0.584, 0.580, 0.588], 1.0: 0.62}))
    linear, test_time = verdict.claims["t4-linear"], verdict.claims["t4-test-time"]
    assert linear.kind is Kind.REPRODUCED and linear.role is Role.EXPLORATORY and not linear.counted
    # constant − k = 1: 61 − 48, 47, 49 = 13, 14, 12; k = 4 − k = 1: 12, 13, 11
    assert [c.values for c in linear.contrasts] == [pytest.approx((13.0, 14.0, 12.0)), pytest.approx((12.0, 13.0, 11.0))]
    # none − test-time: 58.4 − 49, 58.0 − 48, 58.8 − 50 = 9.4, 10.0, 8.8; CNN − test-time: 60 − 49, 48, 50
    assert test_time.kind is Kind.REPRODUCED
    assert [c.interval.mean for c in test_time.contrasts] == pytest.approx([9.4, 11.0])
    assert verdict.seeds == 3 and verdict.one_minus_prior.mean == pytest.approx(2.0)
    assert verdict.scan.deepest is None  # α = 0.5 (the constant schedule) lies above both ends


def test_a_gap_far_from_the_papers_excludes_its_effect_at_the_paper_scale_only():
    """none − test-time: 1.4, 2.0, 0.8 (straddles 0); CNN − test-time: 3, 4, 2 = +3.00 [+0.52, +5.48], below the
    paper's 62.60 − 48.63 = 13.97 less its tolerance 2 × √(1.20² + 3.44²) = 7.29."""
    runs = runs_from({0.0: [0.584, 0.580, 0.588], 1.0: 0.62}, test_time=("test-time", 0.5, 0.0, [0.57, 0.56, 0.58]))
    assert verdicts.option_verdicts(runs, "paper").claims["t4-test-time"].kind is Kind.EXCLUDES_EFFECT
    assert verdicts.option_verdicts(runs).claims["t4-test-time"].kind is Kind.SAME_SIGN


def test_options_without_schedules_say_not_run():
    """Drops below α = 0 (the lower end): 1e-3 −3, −4, −2 (one-sided p 0.018), 0.01 −5, −6, −4 (0.0065), 0.1 −2, −3,
    −1 (0.037); Holm over three: 0.0196 < 0.025 for 0.01 alone, 0.035 for 1e-3."""
    verdict = verdicts.option_verdicts(runs_from({0.0: [0.50, 0.51, 0.49], 0.01: 0.45, 1e-3: 0.47, 0.1: 0.48, 1.0: 0.6}))
    assert verdict.claims["t4-linear"].kind is Kind.NOT_RUN and verdict.claims["t4-test-time"].kind is Kind.NOT_RUN
    row = prose.option_table({"default": verdict}).loc["default"]
    assert row["Table 4 ordering"] == "not run" and row["test-time only below none and the CNN"] == "not run"
    assert row["V (exploratory scan)"] == ("yes, at α ∈ {0.01}; deepest α = 0.01: -5.00 [-7.48, -2.52] (3 seeds) "
                                           "below both ends")


def test_option_verdicts_read_in_full_and_pick_each_schedule_by_its_kind_alpha_and_k():
    """Decoys (a linear decay from a = 1, a test-time α of 0.3) and Table 4's schedules come before the constant-α
    runs, so a selection that drops its kind, α or k reads the wrong run. By hand: the S-MLP 58.4 ± 0.4 (half-width
    0.99); constant − k = 1 is 61 − 48, 47, 49 (sd 1: half-width 2.48); none − test-time 9.4, 10.0, 8.8 (sd 0.6:
    1.49); the dip at 0.01 is 50 − 58.4, 51 − 58.0, 49 − 58.8 = −8.4, −7.0, −9.8 (sd 1.4: 3.48)."""
    decoys = runs_from({}, other_linear=("decay", 1.0, 1.0, 0.30), other_test=("test-time", 0.3, 0.0, 0.31))
    runs = schedules_and({0.0: [0.584, 0.580, 0.588], 1e-3: 0.58, 0.01: [0.50, 0.51, 0.49], 0.1: 0.57, 1.0: 0.621})
    runs = pd.concat([decoys, runs[runs.schedule != "constant"], runs[runs.schedule == "constant"]], ignore_index=True)
    assert prose.option_table({"default": verdicts.option_verdicts(runs)}).loc["default"].to_dict() == {
        "seeds": 3, "S-MLP (α = 0)": "58.40 [57.41, 59.39] (3 seeds)", "prior": "60.00 [60.00, 60.00] (3 seeds)",
        "α = 1 − prior": "+2.10 [+2.10, +2.10] (3 seeds)",
        "V (exploratory scan)": "yes, at α ∈ {0.01}; deepest α = 0.01: -8.40 [-11.88, -4.92] (3 seeds) below both ends",
        "Table 4 ordering": "reproduced (constant − k = 1: +13.00 [+10.52, +15.48] (3 seeds); k = 4 − k = 1: +12.00 "
                            "[+9.52, +14.48] (3 seeds))",
        "test-time only below none and the CNN": "reproduced (none − test-time: +9.40 [+7.91, +10.89] (3 seeds); "
                                                 "CNN − test-time: +11.00 [+8.52, +13.48] (3 seeds))",
    }


def test_option_verdicts_without_the_alpha_1_end_say_so():
    verdict = verdicts.option_verdicts(runs_from({0.0: [0.584, 0.580, 0.588], 0.01: [0.50, 0.51, 0.49], 0.1: 0.57}))
    assert verdict.one_minus_prior.n == 0 and not verdict.scan.drops and verdict.scan.deepest is None
    row = prose.option_table({"default": verdict}).loc["default"]
    assert row["α = 1 − prior"] == "—"
    assert row["V (exploratory scan)"] == ("no interior α lies below both ends beyond the scan's noise (Holm over the α "
                                           "scanned)")


def test_option_table_puts_the_default_first():
    runs = pd.concat([runs_from({0.0: 0.5, 1.0: 0.6}, option="head = own"),
                      runs_from({0.0: 0.5, 1.0: 0.6}, option="a first"), runs_from({0.0: 0.5, 1.0: 0.6})])
    assert list(verdicts.option_table(runs)) == ["default", "a first", "head = own"]
    assert list(prose.option_table(verdicts.option_table(runs)).index) == ["default", "a first", "head = own"]


def test_predicted_balance_is_the_smlps_drift_over_gap_at_the_last_epoch():
    rows = [{"schedule": "constant", "alpha": 0.0, "seed": seed, "epoch": epoch, "layer": layer,
             "balance α": 0.01 * (1 + seed) * (layer + 1) if epoch == 2 else 1.0}
            for seed in (0, 1) for epoch in (1, 2) for layer in range(3)]
    rows.append({"schedule": "constant", "alpha": 0.1, "seed": 0, "epoch": 2, "layer": 0, "balance α": 5.0})
    # per seed the median over layers is 0.02 and 0.04; their mean 0.03
    assert verdicts.predicted_balance(pd.DataFrame(rows)) == pytest.approx(0.03)
    assert verdicts.predicted_balance(pd.DataFrame(rows[-1:])) is None


CPU_COLUMNS = dict(dataset="cifar10", lr=1e-3, epochs=5, train_subset=5000, source="cifar10 (test)")


def test_claims_by_option_names_the_values_under_which_the_v_claim_is_reproduced():
    v = runs_from({0.0: [0.58, 0.59, 0.57], 0.01: [0.50, 0.51, 0.49], 1.0: 0.62}, option="interpolate_every = 1")
    flat = runs_from({0.0: [0.58, 0.59, 0.57], 0.01: [0.585, 0.58, 0.575], 1.0: 0.62})  # +0.5, −1, −0.5 below
    frame = pd.concat([flat, v], ignore_index=True).assign(**CPU_COLUMNS)
    by_option = verdicts.claims_by_option(frame, PROFILES["cpu"])
    assert list(by_option) == ["default", "interpolate_every = 1"]
    assert all(v.role is Role.EXPLORATORY for vs in by_option.values() for v in vs)
    table = prose.claims_by_option_table(by_option).set_index("id")
    row = table.loc["t1a-v-c10"]
    assert row["reproduced under"] == "interpolate_every = 1" and row["cannot tell under"] == "default"
    assert row["opposite under"] == "—" and row["excludes the paper's effect under"] == "—"
    assert "t1b-v-c10" not in table.index  # the Mixer's claims are not the S-CNN's notebooks'
    schedules = table.loc["t4-linear"]  # no schedules run under either option
    assert schedules["reproduced under"] == schedules["cannot tell under"] == schedules["opposite under"] == "—"


def test_claims_by_option_reads_the_schedules_and_keeps_the_order_the_values_were_run_in():
    schedules = dict(linear=("decay", 0.5, 1.0, [0.48, 0.47, 0.49]), k4=("decay", 0.5, 4.0, 0.60),
                     constant=("constant", 0.5, 0.0, 0.61))
    v = {0.0: [0.58, 0.59, 0.57], 0.01: [0.50, 0.51, 0.49], 1.0: 0.62}
    frame = pd.concat([runs_from(v, option="optimizer_state = reset", **schedules), runs_from(v, **schedules)],
                      ignore_index=True).assign(**CPU_COLUMNS)
    table = prose.claims_by_option_table(verdicts.claims_by_option(frame, PROFILES["cpu"]))
    assert list(table.columns) == ["id", "source", "claim", "reproduced under", "cannot tell under",
                                   "excludes the paper's effect under", "opposite under"]
    by_id = table.set_index("id")
    assert by_id.loc["t1a-v-c10", "reproduced under"] == "optimizer_state = reset, default"  # as run, not sorted
    assert by_id.loc["t4-linear", "reproduced under"] == "optimizer_state = reset, default"
    empty = prose.claims_by_option_table(verdicts.claims_by_option(frame.iloc[:0], PROFILES["cpu"]))
    assert empty.empty and list(empty.columns) == list(table.columns)


def test_an_empty_store_gives_a_note_and_empty_figures_not_an_error():
    empty = pd.DataFrame(columns=[*FRAME_COLUMNS, "option"])  # what notebook 08 receives from an empty store
    table = verdicts.option_table(empty)
    assert table == {} and prose.option_findings(table, {}) == f"- {prose.NO_RUNS}"
    shown = prose.option_table(table)
    assert shown.empty and shown.index.name == "option"
    assert verdicts.balance_frame(empty).empty and "option" in verdicts.balance_frame(empty)
    for fig in (figures.option_curves_figure(empty, "t"), figures.balance_figure(empty, [], "t")):
        assert prose.NO_RUNS in [t.get_text() for t in fig.axes[0].texts]


def test_runs_without_drift_records_say_so_in_the_balance_figure():
    runs = runs_from({0.0: 0.5, 1.0: 0.6}, seeds=(0,)).assign(history=[[{"epoch": 1}]] * 2)
    fig = figures.balance_figure(runs, ["default"], "t")
    assert figures.NO_BALANCE in [t.get_text() for t in fig.axes[0].texts]


def test_balance_frame_skips_epochs_without_drift_and_leaves_a_zero_gap_undefined():
    history = [{"epoch": 1}, {"epoch": 2, "drift": [0.2, 0.1], "gap": [2.0, 0.0]}]
    runs = runs_from({0.1: 0.5}, seeds=(3,)).assign(history=[history])
    balance = verdicts.balance_frame(runs)
    assert list(balance.columns) == ["option", "seed", "schedule", "alpha", "epoch", "layer", "drift", "gap", "balance α"]
    assert balance[["seed", "schedule", "alpha", "epoch", "layer"]].values.tolist() == [
        [3, "constant", 0.1, 2, "layer 1"], [3, "constant", 0.1, 2, "layer 2"]]
    assert balance["balance α"].iloc[0] == pytest.approx(0.1) and pd.isna(balance["balance α"].iloc[1])


def test_hidden_layer_balance_leaves_the_head_out_only_where_it_is_pulled():
    history = [{"epoch": 1, "drift": [0.2, 0.1, 0.3], "gap": [2.0, 1.0, 3.0]}]
    pulled = runs_from({0.1: 0.5}, seeds=(0,)).assign(history=[history], layers="all")
    own = pulled.assign(head="own")
    assert list(verdicts.hidden_layer_balance(pulled)["layer"]) == ["layer 1", "layer 2"]
    assert list(verdicts.hidden_layer_balance(own)["layer"]) == ["layer 1", "layer 2", "layer 3"]


@pytest.mark.parametrize("run, pulled", [
    ({}, True),  # an older record without the fields: every layer, the head interpolated
    ({"head": "own"}, False),
    ({"head": "interpolated", "layers": "all"}, True),
    ({"layers": None}, True),
    ({"layers": float("nan")}, True),
    ({"prior": "cnn", "layers": "first"}, False),
    ({"prior": "cnn", "layers": [0, 1]}, False),
    ({"prior": "cnn", "layers": [0, -1]}, True),  # -1 is the head
    ({"prior": "cnn", "layers": [PRIOR_FACTS["cnn"].layers - 1]}, True),
    ({"prior": "synthetic", "layers": "first"}, False),  # a prior the package does not know: only "first" leaves it
    ({"prior": "synthetic", "layers": [0, 1]}, True),
])
def test_interpolates_head_reads_the_head_option_and_the_layer_selection(run, pulled):
    assert verdicts.interpolates_head(pd.Series(run, dtype=object)) is pulled


def test_the_s_cnns_i_mlp_interpolates_seven_layers():
    assert PRIOR_FACTS["cnn"].layers == 7  # six convolutions and the head (Table 2)
