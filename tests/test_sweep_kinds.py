"""`make bench`'s item 6 (``benchmarks/sweep_kinds.py``, issue 30 §3): the sweep kinds are the cpu profile's own, the
FLOPs are counted right, a phase is timed exclusive of the phases inside it, and the non-training share is extrapolated
to the budget's epochs as its docstring says."""

from __future__ import annotations

import sys

import pytest
import torch
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import sweep_kinds
from flops import forward_flops_per_sample, training_flops_per_step

from imlp_core.models import IMLP, StackedLinear, build_prior


def test_the_kinds_are_the_cpu_profiles_sweeps_with_their_k_and_options():
    kinds = sweep_kinds.sweep_kinds("cpu")
    assert {name: len(p.schedules) for name, p in kinds.items()} == {
        "S-CNN, per epoch (03, 05, 08)": 23, "S-CNN, per step (08)": 18, "Mixer (04)": 13,
        "Table 5 MLP-1 (06)": 2, "Table 5 MLP-2 (06)": 2}
    assert kinds["S-CNN, per step (08)"].sweep.interpolate_every == 1
    assert kinds["Mixer (04)"].sweep.epochs == 4 and kinds["Mixer (04)"].sweep.train_subset == 3000
    assert {p.sweep.seed for p in kinds.values()} == {0}


def test_an_i_mlp_costs_two_flops_per_weight_and_image_and_training_three_times_the_forward():
    prior = build_prior("cnn", 10)
    mlp = IMLP.matching(prior, num_models=3)
    weights = sum(m.weight.numel() for m in mlp.modules() if isinstance(m, StackedLinear))
    assert forward_flops_per_sample(mlp) == 2 * weights  # each weight multiplies and adds once per image
    assert training_flops_per_step(prior, mlp, 128) == 3 * 128 * (forward_flops_per_sample(prior) + 2 * weights)


def test_a_phase_is_timed_without_the_phases_called_inside_it(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(sweep_kinds.time, "perf_counter", lambda: now[0])
    clock = sweep_kinds.PhaseClock()

    def pull():
        now[0] += 3.0

    def epoch():
        now[0] += 10.0
        timed_pull()
        now[0] += 1.0

    timed_pull = clock.timed("pulls", pull)
    clock.timed("training steps", epoch)()
    assert clock.seconds == {"pulls": 3.0, "training steps": 11.0}
    assert clock.calls == {"pulls": 1, "training steps": 1}


def test_the_share_is_extrapolated_to_the_budgets_epochs():
    planned = sweep_kinds.sweep_kinds("cpu")["Table 5 MLP-2 (06)"]  # a budget of 5 epochs
    seconds = {"training steps": 20.0, "pulls": 2.0, "evaluation": 22.0, "checkpoints": 1.0,
               "decoding the images": 3.0, "records": 0.5}
    # two epochs: one curve evaluation of 2,000 images, the last epoch's two of 10,000 (1 ms per image)
    measured = {"seconds": seconds, "evaluated": [2000, 10000, 10000]}
    row = sweep_kinds.phase_row("MLP-2", planned, measured, wall_s=60.0, epochs=2)
    assert row["start-up, imports, the rest s"] == pytest.approx(60.0 - 48.5)
    training, pulls, evaluation = 20.0 * 5 / 2, 2.0 * 5 / 2, 0.001 * (20000 + 2000 * 4)
    total = training + pulls + evaluation + 1.0 + 3.0 + 0.5 + 11.5
    assert row["extrapolated_min"] == pytest.approx(total / 60)
    assert row["non_training_share"] == pytest.approx(1 - training / total)


def test_a_kinds_sweep_runs_end_to_end_with_every_phase_timed(tmp_path):
    planned = sweep_kinds.sweep_kinds("smoke")["Table 5 MLP-2 (06)"]
    torch.set_num_threads(1)
    measured = sweep_kinds.run_phases(planned, epochs=2)
    assert set(measured["seconds"]) == set(sweep_kinds.PHASES)
    assert measured["calls"]["training steps"] == 2 and measured["calls"]["pulls"] == 2
    assert measured["calls"]["decoding the images"] == 1 and measured["calls"]["records"] == len(planned.schedules)
    assert all(measured["seconds"][phase] > 0 for phase in ("training steps", "evaluation", "decoding the images"))
    assert sum(measured["seconds"].values()) <= measured["inside_s"]
