"""imlp_core.memory: the memory model of a sweep against a measured peak, the cutting of sweeps into stacks that fit
a budget (with the records of the uncut sweep), and a finished sweep's memory given back."""

from __future__ import annotations

import gc
import importlib.util
import weakref
from dataclasses import replace

import pytest
from conftest import REPO_ROOT, stable

from imlp_core import executors, memory, trainer
from imlp_core.interpolate import AlphaSchedule
from imlp_core.plan import PlannedSweep, profile_plan
from imlp_core.profiles import PROFILES
from imlp_core.sweep import SweepConfig
from imlp_core.train import run_sweep

GB = 1e9


def planned(prior: str, models: int, **options) -> PlannedSweep:
    schedules = tuple(AlphaSchedule("constant", a / 100) for a in range(models))
    return PlannedSweep(SweepConfig(prior, "cifar10", train_subset=3000, **options), schedules, ("test",))


def test_the_estimate_is_within_20_percent_of_the_measured_peak_of_a_small_sweep(tmp_path):
    """8 stacked S-CNN I-MLPs (0.27 GB of weights), 2 epochs on synthetic images, in a fresh process: its peak RSS
    (VmHWM over every phase of ``Trainer.run``) against the model's total, as ``make bench`` item 7a measures it."""
    spec = importlib.util.spec_from_file_location("memory_table", REPO_ROOT / "benchmarks" / "memory_table.py")
    memory_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(memory_table)
    [row], [measured] = memory_table.peak_rows(["cnn"], ["float32"], models=8, train_images=256, test_images=200,
                                               dataset="synthetic", limit_gb=6, scratch=str(tmp_path))
    peak, estimate = max(measured["peaks"].values()), measured["components"]["total"]
    assert abs(estimate / peak - 1) < 0.2, (estimate, peak, measured)
    assert (row["sweep"], row["models"], row["estimate"], row["measured"]) == ("cnn", 8, f"{estimate / 1e9:.2f}",
                                                                               f"{peak / 1e9:.2f}")


def test_the_models_eval_batch_is_the_trainers():
    assert memory.EVAL_BATCH == trainer.EVAL_BATCH


def test_bf16_and_the_stack_size_change_the_estimate_as_their_tensors_do():
    f32, bf16 = planned("mixer", 13), planned("mixer", 13, precision="bf16")
    parts = memory.sweep_memory(f32)
    assert parts["weights"] == 13 * 39_865_610 * 4 and parts["adam"] == 2 * parts["weights"]
    assert memory.estimated_bytes(bf16) > memory.estimated_bytes(f32)  # the bf16 weight copies of the backward
    assert memory.estimated_bytes(planned("mixer", 6)) < memory.estimated_bytes(f32)


def test_a_sweep_is_cut_into_the_fewest_even_stacks_that_fit_in_order():
    mixer = planned("mixer", 13)
    assert memory.cut_to_budget(mixer, None) == [mixer]
    assert memory.cut_to_budget(mixer, memory.estimated_bytes(mixer)) == [mixer]
    stacks = memory.cut_to_budget(mixer, int(7 * GB))
    assert [s for stack in stacks for s in stack.schedules] == list(mixer.schedules)
    assert all(memory.estimated_bytes(stack) <= 7 * GB for stack in stacks)
    assert max(len(s.schedules) for s in stacks) - min(len(s.schedules) for s in stacks) <= 1
    fewer = len(stacks) - 1  # one stack fewer does not fit
    n = len(mixer.schedules)
    assert fewer < 1 or max(memory.estimated_bytes(replace(mixer, schedules=mixer.schedules[i * n // fewer:(i + 1) * n // fewer]))
                            for i in range(fewer)) > 7 * GB
    assert {stack.sweep for stack in stacks} == {mixer.sweep}  # the same record keys


def test_the_cpu_profile_fits_two_workers_on_a_16_gb_machine():
    """16 GB with about 14.5 GB available after the OS: 90 % of it shared by two workers, 6.5 GB each; every sweep of
    the cpu profile, in float32 and bf16, is cut into stacks that fit (and a Mixer I-MLP alone fits)."""
    budget = int(0.9 * 14.5 * GB / 2)
    for precision in ("float32", "bf16"):
        sweeps = [replace(p, sweep=replace(p.sweep, precision=precision)) for p in profile_plan(PROFILES["cpu"])]
        stacks = memory.cut_plan(sweeps, budget)
        assert max(map(memory.estimated_bytes, stacks)) <= budget
        assert sum(len(s.schedules) for s in stacks) == sum(len(p.schedules) for p in sweeps)


def test_the_default_budget_shares_the_available_memory(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: int(14.5 * GB))
    assert memory.default_budget(2) == int(0.9 * 14.5 * GB / 2)
    assert memory.parse_budget("5.5") == int(5.5 * GB)  # IMLP_MEMORY_BUDGET_GB, as the doors parse it
    assert memory.parse_budget("7") == memory.parse_budget("7GB") == int(7 * GB)
    with pytest.raises(ValueError):
        memory.parse_budget("-1")


def test_a_sweep_cut_to_a_budget_writes_the_records_of_the_uncut_sweep(tiny_prior, tmp_path, capsys):
    """Every path of the pull measurements (pulls every 2 steps, a decay schedule, a test-time one): the stacks'
    records equal the whole sweep's but for ``sweep_size`` (and timing)."""
    sweep = SweepConfig(tiny_prior, "synthetic", epochs=2, batch_size=64, train_subset=256, test_subset=128,
                        interpolate_every=2)
    schedules = (AlphaSchedule("constant", 0.0), AlphaSchedule("constant", 0.3), AlphaSchedule("decay", 0.5, k=1.0),
                 AlphaSchedule("test-time", 0.5), AlphaSchedule("constant", 1.0))
    whole = run_sweep(sweep, schedules, tmp_path / "whole", "cpu", progress=False)
    sweep_plan = PlannedSweep(sweep, schedules, ("test",))
    budget = memory.estimated_bytes(replace(sweep_plan, schedules=schedules[:3]))
    assert [len(s.schedules) for s in memory.cut_to_budget(sweep_plan, budget)] == [2, 3]
    executors.run_plan([sweep_plan], "local", tmp_path / "cut", "cpu", progress=False, memory_budget=budget)
    assert "cut into stacks of I-MLPs" in capsys.readouterr().out
    cut = run_sweep(sweep, schedules, tmp_path / "cut", "cpu", progress=False)  # reads the stored records
    assert [r["sweep_size"] for r in cut] == [2, 2, 3, 3, 3]
    assert [unsized(r) for r in cut] == [unsized(r) for r in whole]


def unsized(record: dict) -> dict:
    return {k: v for k, v in stable(record).items() if k != "sweep_size"}


def test_a_finished_sweep_leaves_no_tensor_behind(tiny_prior, tmp_path, monkeypatch):
    """The Trainer sits in reference cycles: before, its weights, moments and snapshots lived on until Python's cyclic
    collector ran, into the next sweep of the process."""
    made = []
    original = trainer.Trainer.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(weakref.ref(self.mlp))

    monkeypatch.setattr(trainer.Trainer, "__init__", init)
    sweep = SweepConfig(tiny_prior, "synthetic", epochs=1, batch_size=64, train_subset=128, test_subset=64)
    gc.disable()
    try:
        run_sweep(sweep, [AlphaSchedule("constant", 0.5)], tmp_path, "cpu", progress=False)
        assert made and made[0]() is None
    finally:
        gc.enable()
