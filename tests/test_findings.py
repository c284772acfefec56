"""What the written findings and notebook 08's tables say, read back: each statement's numbers, its direction and
its verdict (a finding that swaps two models, flips "ahead" and "behind", or calls a gain a loss fails here)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from imlp_core import findings, verdicts
from imlp_core.profiles import PROFILES

SEEDS = (0, 1, 2)


def frame(rows: list[dict], **columns) -> pd.DataFrame:
    base = {"dataset": "cifar10", "epochs": 5, "train_subset": 5000, "lr": 1e-3, "source": "ImageFolder data/x",
            "status": "ok", "k": 0.0, "schedule": "constant", "option": "default"}
    return pd.DataFrame([{**base, **columns, **row} for row in rows])


def schedule_runs(none, constant, test_time, decays: dict[float, list[float]], prior) -> pd.DataFrame:
    rows = []
    for i, seed in enumerate(SEEDS):
        common = {"seed": seed, "prior_test_acc": prior[i], "prior": "cnn"}
        rows += [{**common, "alpha": 0.0, "test_acc": none[i]}, {**common, "alpha": 0.5, "test_acc": constant[i]},
                 {**common, "schedule": "test-time", "alpha": 0.5, "test_acc": test_time[i]}]
        rows += [{**common, "schedule": "decay", "alpha": 0.5, "k": k, "test_acc": values[i]} for k, values in decays.items()]
    return frame(rows, experiment="schedules")


def test_schedule_findings_state_each_paired_difference_and_table4s_verdict():
    runs = schedule_runs(none=[0.30, 0.31, 0.29], constant=[0.32, 0.33, 0.31], test_time=[0.25, 0.26, 0.24],
                         decays={1.0: [0.28, 0.29, 0.27], 4.0: [0.31, 0.32, 0.30]}, prior=[0.37, 0.38, 0.36])
    text = findings.schedule_findings(runs)
    assert "α_test = 0.5 is behind no interpolation: -5.00 [-5.00, -5.00] (3 seeds) points, beyond noise" in text
    assert "it is behind the CNN: -12.00" in text
    assert "constant α = 0.5 is ahead of no interpolation: +2.00" in text
    assert "k = 1: 28.00 [" in text and "k = 4: 31.00 [" in text
    assert "constant − k = 1: +4.00" in text and "k = 4 − k = 1: +3.00" in text and "— **reproduced**." in text
    assert "3 seeds" in text


def test_schedule_findings_say_when_k_1_is_not_run():
    runs = schedule_runs(none=[0.30, 0.31, 0.29], constant=[0.32, 0.33, 0.31], test_time=[0.25, 0.26, 0.24],
                         decays={2.0: [0.28, 0.29, 0.27]}, prior=[0.37, 0.38, 0.36])
    assert "k = 1, the paper's sharp minimum, is not in this profile's grid." in findings.schedule_findings(runs)


def first_layer_runs(base1, gain1, base2, gain2) -> pd.DataFrame:
    rows = []
    for i, seed in enumerate(SEEDS):
        for prior, base, gain in (("table5-mlp1", base1, gain1), ("table5-mlp2", base2, gain2)):
            rows += [{"seed": seed, "prior": prior, "alpha": 0.0, "test_acc": base[i], "prior_test_acc": 0.2},
                     {"seed": seed, "prior": prior, "alpha": 0.5, "test_acc": base[i] + gain[i], "prior_test_acc": 0.2}]
    return frame(rows, experiment="first_layer")


def test_first_layer_findings_give_each_gain_and_the_claims_verdict():
    runs = first_layer_runs(base1=[0.27, 0.28, 0.26], gain1=[-0.06, -0.05, -0.07],
                            base2=[0.35, 0.36, 0.34], gain2=[0.019, 0.02, 0.021])
    text = findings.first_layer_findings(runs, 0.5)
    assert "MLP-1 27.00 [" in text and "MLP-2 35.00 [" in text
    assert "changes MLP-1 by -6.00 [" in text and "and MLP-2 by +2.00 [" in text
    assert "(the paper: +3.9 and +18.9 on CIFAR-10)" in text
    assert "MLP-2's gain: +2.00 [" in text and "MLP-2's gain − MLP-1's: +8.00 [" in text and "**reproduced**" in text
    losing = first_layer_runs(base1=[0.27, 0.28, 0.26], gain1=[0.06, 0.05, 0.07],
                              base2=[0.35, 0.36, 0.34], gain2=[-0.01, -0.02, -0.03])
    assert "**opposite**" in findings.first_layer_findings(losing, 0.5)


def test_comparison_summary_counts_verdicts_and_lists_the_reproduced_claims():
    numbers = pd.DataFrame({"verdict": [verdicts.REPRODUCED, verdicts.NOT_RUN, verdicts.NOT_RUN]})
    claims = pd.DataFrame({"source": ["Table 4", "Table 5"], "claim": ["a", "b"],
                           "verdict": [verdicts.REPRODUCED, verdicts.SAME_WITHIN_NOISE]})
    text = findings.comparison_summary(numbers, claims, PROFILES["cpu"])
    assert "- Printed numbers (3): 1 reproduced, 0 within noise, 0 opposite, 2 not run" in text
    assert "- Claims (2): 1 reproduced, 1 within noise, 0 opposite, 0 not run." in text
    assert "Claims reproduced at this budget: Table 4: a." in text and "no verdict is possible" not in text
    assert "no verdict is possible" in findings.comparison_summary(numbers.iloc[1:], claims, PROFILES["cpu"])


def test_budget_sentence_says_epochs_images_source_lr_and_seeds():
    runs = frame([{"seed": s} for s in SEEDS], dataset="cifar10")
    assert findings.budget_sentence(runs) == ("5 epochs on 5,000 training images of `cifar10` (source: ImageFolder "
                                              "data/x), Adam lr 0.001, 3 seeds")
    assert findings.budget_sentence(runs.iloc[:1].assign(train_subset=math.nan)).startswith("5 epochs on all training")
    assert findings.budget_sentence(runs.iloc[:1]).endswith(", 1 seed")


def test_difference_sentence_with_one_seed_says_there_is_no_interval():
    text = findings.difference_sentence("a", "b", verdicts.t_interval([2.0]))
    assert text == "a is ahead of b: +2.00 (1 seed) points, one seed: no interval, so within noise"
    assert findings.difference_sentence("a", "b", verdicts.t_interval([])) == "a and b could not both be measured"


def option_runs(option: str, curve: dict[float, list[float]], prior: list[float], **schedules) -> pd.DataFrame:
    rows = [{"seed": s, "alpha": a, "test_acc": values[i], "prior_test_acc": prior[i], "option": option,
             "history": [{"epoch": 1, "drift": [0.2, 0.4], "gap": [2.0, 4.0]}]}
            for a, values in curve.items() for i, s in enumerate(SEEDS)]
    rows += [{"seed": s, "schedule": kind, "alpha": a, "k": k, "test_acc": values[i], "prior_test_acc": prior[i],
              "option": option, "history": []}
             for kind, a, k, values in schedules.values() for i, s in enumerate(SEEDS)]
    return frame(rows, experiment="open_choices", prior="cnn")


V_CURVE = {0.0: [0.30, 0.31, 0.29], 1e-3: [0.30, 0.31, 0.29], 0.01: [0.25, 0.26, 0.24], 0.1: [0.28, 0.29, 0.27],
           1.0: [0.37, 0.38, 0.36]}


def test_verdict_table_puts_the_default_first_and_reads_each_option():
    runs = pd.concat([option_runs("head = own", {**V_CURVE, 1.0: [0.20, 0.21, 0.19]}, [0.37, 0.38, 0.36]),
                      option_runs("default", V_CURVE, [0.37, 0.38, 0.36],
                                  t=("test-time", 0.5, 0.0, [0.20, 0.22, 0.18]))], ignore_index=True)
    table = verdicts.verdict_table(runs)
    assert list(table.index) == ["default", "head = own"] and table.index.name == "option"
    default = table.loc["default"]
    assert default["seeds"] == 3
    assert default["S-MLP (α = 0)"].startswith("30.00 [") and default["prior"].startswith("37.00 [")
    assert default["α = 1 − prior"] == "+0.00 [+0.00, +0.00] (3 seeds)"
    assert default["minimum over resamples at α ∈"] == "{0.01}"
    assert default["V"].startswith("yes, at α = 0.01: -5.00 [") and default["V"].endswith("below both ends")
    assert default["test-time gap"].startswith("-10.00 [") and ": reproduced (the paper: -9.73 ± 3.47)" in default["test-time gap"]
    assert table.loc["head = own", "α = 1 − prior"].startswith("-17.00 [")
    assert table.loc["head = own", "test-time gap"] == "not run"
    text = findings.option_findings(table, {"default": 0.1})
    assert "`default` (at α = 0.01: -5.00 [" in text
    assert "`head = own` -17.00 [" in text and "`default` +0.00 [" in text
    assert "Balance under `default`: one pull of α ≈ 0.1 matches the norm of" in text
    assert "the curve's minimum sits at α ∈ {0.01}" in text
    assert "`default` -10.00 [" in text and "`head = own`" not in text.split("Test-time-only")[1].split("\n")[0]


def test_balance_frame_has_one_row_per_run_epoch_and_layer_with_drift_over_gap():
    balance = verdicts.balance_frame(option_runs("default", {0.0: [0.3, 0.3, 0.3]}, [0.4, 0.4, 0.4]))
    assert len(balance) == 3 * 2 and set(balance["layer"]) == {"layer 1", "layer 2"}
    first = balance[(balance.seed == 1) & (balance.layer == "layer 2")].iloc[0]
    assert (first.drift, first.gap, first["balance α"], first.epoch, first.option) == (0.4, 4.0, pytest.approx(0.1), 1, "default")
