"""benchmarks/precision_check.py, the float32-against-bf16 comparison: its pairing by seed, on hand-made runs."""

from __future__ import annotations

import importlib.util
import math

import pandas as pd
import pytest
from scipy import stats

from conftest import REPO_ROOT

spec = importlib.util.spec_from_file_location("precision_check", REPO_ROOT / "benchmarks" / "precision_check.py")
precision_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(precision_check)


def runs(accuracies: dict[tuple[str, int], float], seconds: dict[int, float]) -> pd.DataFrame:
    """Runs of one cnn sweep per seed: ``accuracies[label, seed]`` and each seed's sweep time."""
    return pd.DataFrame([{"experiment": "cnn", "prior": "cnn", "label": label, "seed": seed, "test_acc": acc,
                          "wall_time_s": seconds[seed]} for (label, seed), acc in accuracies.items()])


BASE = runs({("α = 0", 0): 0.30, ("α = 0", 1): 0.28, ("α = 0", 2): 0.29,
             ("α = 0.1", 0): 0.35, ("α = 0.1", 1): 0.33, ("α = 0.1", 2): 0.34}, {0: 300.0, 1: 310.0, 2: 290.0})


def test_differences_are_paired_by_seed_with_a_t_interval():
    # bf16 is 1 point above float32 in every seed at α = 0; at α = 0.1 it is +2, −2, +0.5 (an interval across 0).
    fast = runs({("α = 0", 0): 0.31, ("α = 0", 1): 0.29, ("α = 0", 2): 0.30,
                 ("α = 0.1", 0): 0.37, ("α = 0.1", 1): 0.31, ("α = 0.1", 2): 0.345}, {0: 200.0, 1: 155.0, 2: 290.0})
    table = precision_check.accuracy_differences(fast, BASE).set_index("run")
    assert table.loc["α = 0", "bf16 − float32 (points)"] == pytest.approx(1.0)
    assert table.loc["α = 0", "low"] == pytest.approx(1.0) and not table.loc["α = 0", "interval holds 0"]
    differences = [2.0, -2.0, 0.5]
    half = stats.t.ppf(0.975, 2) * stats.sem(differences)
    assert table.loc["α = 0.1", "low"] == pytest.approx(0.5 / 3 - half)
    assert table.loc["α = 0.1", "high"] == pytest.approx(0.5 / 3 + half)
    assert table.loc["α = 0.1", "interval holds 0"] and (table["seeds"] == 3).all()
    times = precision_check.sweep_times(fast, BASE)
    assert times["float32 / bf16"].tolist() == [1.5, 2.0, 1.0]


def test_a_seed_with_one_precision_only_is_left_out():
    fast = runs({("α = 0", 0): 0.31, ("α = 0", 1): 0.29}, {0: 200.0, 1: 155.0})
    [row] = precision_check.accuracy_differences(fast, BASE).to_dict("records")
    assert row["seeds"] == 2 and row["bf16 − float32 (points)"] == pytest.approx(1.0)
    assert precision_check.sweep_times(fast, BASE).index.get_level_values("seed").tolist() == [0, 1]
    [alone] = precision_check.accuracy_differences(runs({("α = 0", 0): 0.31}, {0: 1.0}), BASE).to_dict("records")
    assert alone["seeds"] == 1 and math.isnan(alone["low"]) and not alone["interval holds 0"]


def test_two_sweeps_of_one_experiment_are_paired_and_timed_apart():
    # Table 5 has two sweeps per seed (MLP-1 and MLP-2) under the same labels: they are never pooled.
    def table5(shift: float, seconds: dict[str, float]) -> pd.DataFrame:
        return pd.DataFrame([{"experiment": "first_layer", "prior": prior, "label": label, "seed": seed,
                              "test_acc": base + shift * (prior == "table5-mlp2"), "wall_time_s": seconds[prior]}
                             for prior in ("table5-mlp1", "table5-mlp2") for seed in (0, 1, 2)
                             for label, base in (("α = 0", 0.30 + seed / 100), ("α = 0.5", 0.25))])
    base, fast = table5(0.0, {"table5-mlp1": 110.0, "table5-mlp2": 68.0}), table5(0.02, {"table5-mlp1": 55.0,
                                                                                        "table5-mlp2": 34.0})
    table = precision_check.accuracy_differences(fast, base).set_index(["prior", "run"])
    assert (table["seeds"] == 3).all() and len(table) == 4
    assert table.loc[("table5-mlp1", "α = 0"), "bf16 − float32 (points)"] == pytest.approx(0.0)
    assert table.loc[("table5-mlp2", "α = 0.5"), "bf16 − float32 (points)"] == pytest.approx(2.0)
    times = precision_check.sweep_times(fast, base)
    assert times.loc[("table5-mlp2", 1), "float32 s"] == 68.0 and (times["float32 / bf16"] == 2.0).all()
    assert len(times) == 6


def test_sweeps_trained_apart_add_up_against_one_merged_sweep():
    # float32 trained cnn and schedules as one merged sweep (300 s); bf16 as two sweeps, 60 s and 40 s.
    base = pd.DataFrame([{"experiment": experiment, "prior": "cnn", "label": label, "seed": 0, "test_acc": 0.3,
                          "wall_time_s": 300.0} for experiment, label in (("cnn", "α = 0"), ("cnn", "α = 0.5"),
                                                                          ("schedules", "α = 0.5"),
                                                                          ("schedules", "test-time α = 0.5"))])
    fast = base.assign(wall_time_s=[60.0, 60.0, 60.0, 40.0])
    times = precision_check.sweep_times(fast, base)
    assert times.loc[("cnn", 0)].tolist() == [300.0, 100.0, 3.0]


def test_the_committed_comparison_gives_what_the_profiles_page_says(monkeypatch, capsys):
    """The script, end to end on the committed float32 and bf16 stores, prints the figures docs/profiles.md quotes."""
    stores = REPO_ROOT / "results" / "precision-check-cpu"
    monkeypatch.setattr("sys.argv", ["precision_check.py", str(stores / "float32"), str(stores / "bf16")])
    precision_check.main()
    printed = capsys.readouterr().out
    page = (REPO_ROOT / "docs" / "profiles.md").read_text()
    for figure in ("float32 54.1 min, bf16 22.0 min, ratio 2.46", "41 of 41 intervals hold 0", "mean |difference| 0.26",
                   "14 of 19 claims keep their verdict"):
        assert figure in printed
    assert "54.1 min | 22.0 min | 2.46" in page and "all 41 paired intervals" in page and "0.26 points" in page
    assert "14 of the\n  19 registered claims of the paper keep their verdict" in page
