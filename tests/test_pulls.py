"""Notebook 09's measurements of a pull (``pull_measurements.PullMeasurements``): the run ends on a pull whatever the interval,
the directional parts of Adam's drift, and the accuracy just before the last pull."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from imlp_core import trainer
from imlp_core.interpolate import AlphaSchedule
from imlp_core.sweep_runner import run_sweep


def test_training_ends_on_a_pull_whatever_the_interval(tiny_sweep, tmp_path, monkeypatch):
    """8 steps pulled every 3: the pulls fall after steps 2, 5 and 8 (counted back from the last), so alpha = 1 ends
    as the prior, not a few Adam steps past it."""
    steps = []
    original = trainer.Trainer.interpolate
    monkeypatch.setattr(trainer.Trainer, "interpolate",
                        lambda self, alphas, step=None: steps.append(step) or original(self, alphas, step))
    sweep = dataclasses.replace(tiny_sweep, interpolate_every=3)
    one, zero = run_sweep(sweep, [AlphaSchedule("constant", 1.0), AlphaSchedule("constant", 0.0)], tmp_path, "cpu",
                          progress=False)
    assert steps == [2, 5, 8]
    assert one["final"]["test_acc"] == one["final"]["prior_test_acc"]
    assert zero["final"]["test_acc_before_pull"] == zero["final"]["test_acc"]  # alpha = 0 is never moved


def test_the_pull_is_measured_along_the_gap_it_closes(tiny_sweep, tmp_path):
    """W moved a fraction f of the way to the prior, plus a move of norm r at right angles to the gap: the norm
    drift counts both, drift_along only the first (f * gap_start); the prior moved by c along the gap."""
    run = trainer.Trainer(tiny_sweep, [AlphaSchedule("constant", 0.0)], tmp_path / "checkpoint.pt",
                          torch.device("cpu"), progress=False)
    f, r, c = 0.25, 0.7, 0.05
    layer = run.interpolation["layers"][0]
    w0, p0 = run.pulls.last_pulled[0][0].double(), run.pulls.prior_at_last_pull[0].double()
    toward = p0 - w0
    gap_start = toward.norm().item()
    side = torch.randn_like(toward, generator=torch.Generator().manual_seed(0))
    side -= (side * toward).sum() / gap_start**2 * toward  # orthogonal to the gap
    side *= r / side.norm()
    dense = run.prior.dense_layers()
    with torch.no_grad():
        run.mlp.interpolated_layers()[layer].weight[0] = (w0 + f * toward + side).float()
        dense[layer] = ((p0 + c * toward).float(), dense[layer][1])
    run.pulls.measure(dense)
    measured = {name: run.pulls.epoch_fields[name][0][0] for name in ("drift", "drift_along", "prior_along", "gap_start")}
    assert measured["gap_start"] == pytest.approx(gap_start, rel=1e-5)
    assert measured["drift_along"] == pytest.approx(f * gap_start, rel=1e-4)
    assert measured["drift"] == pytest.approx(math.hypot(f * gap_start, r), rel=1e-4)
    assert measured["prior_along"] == pytest.approx(c * gap_start, rel=1e-4)


def test_first_step_along_is_the_whole_interval_when_pulling_every_step(tiny_sweep, tmp_path):
    sweep = dataclasses.replace(tiny_sweep, interpolate_every=1)
    (record,) = run_sweep(sweep, [AlphaSchedule("constant", 0.1)], tmp_path, "cpu", progress=False)
    for h in record["history"]:
        assert h["first_step_along"] == h["drift_along"]
    per_epoch = run_sweep(tiny_sweep, [AlphaSchedule("constant", 0.1)], tmp_path / "epoch", "cpu", progress=False)[0]
    for h in per_epoch["history"]:  # 4 Adam steps between pulls: the first is one of them
        assert h["first_step_along"] != h["drift_along"]


def test_the_accuracy_before_the_last_pull_is_the_model_training_left(tiny_sweep, tmp_path):
    """Test-time-only interpolation is the S-MLP until its one pull: before it, both score the same."""
    test_time, zero, one = run_sweep(tiny_sweep, [AlphaSchedule("test-time", 0.4), AlphaSchedule("constant", 0.0),
                                                  AlphaSchedule("constant", 1.0)], tmp_path, "cpu", progress=False)
    assert test_time["final"]["test_acc_before_pull"] == zero["final"]["test_acc"]
    assert one["final"]["test_acc"] == one["final"]["prior_test_acc"]
    assert "test_acc_before_pull" not in one["history"][0]  # only the last epoch has a last pull
