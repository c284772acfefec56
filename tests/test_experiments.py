"""imlp_core.experiments and the engine's settings: stored-runs-only sweeps, the experiments CLI, precision, the CPU heap."""

from __future__ import annotations

import dataclasses

import platform
from dataclasses import replace

import pytest
import torch

from conftest import CNN_ALPHAS, CNN_SWEEP, copy_store
from imlp_core import cli, devices, executors, experiments, notebook, trainer
from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import IMLP, build_prior
from imlp_core.profiles import PROFILES, Budget
from imlp_core.records import record_path
from imlp_core.settings import Settings
from imlp_core.sweep import SweepConfig
from imlp_core.trainer import stacked_cross_entropy

# A profile whose "cnn" experiment is exactly the session's stored S-CNN sweep (conftest), with seeds 0 and 1.
PROFILE = replace(PROFILES["smoke"], datasets=("synthetic",), seeds=(0, 1), alphas=CNN_ALPHAS,
                  budgets={**PROFILES["smoke"].budgets, "cnn": Budget(CNN_SWEEP.epochs, CNN_SWEEP.train_subset,
                                                                       CNN_SWEEP.test_subset)})


def refuse(what: str):
    def refused(*args, **kwargs):
        raise AssertionError(what)

    return refused


@pytest.fixture
def no_training(monkeypatch):
    monkeypatch.setattr(trainer.Trainer, "run", refuse("trained although stored_only=True"))
    monkeypatch.setattr(experiments, "run_sweep", refuse("trained although stored_only=True"))


def test_planning_trains_and_reads_nothing(monkeypatch):
    """The plan is the experiments' list of sweeps: building it trains nothing and reads no record."""
    from imlp_core import plan

    monkeypatch.setattr(experiments, "run_sweep", refuse("planning trained"))
    monkeypatch.setattr(experiments, "stored_records", refuse("planning read the store"))
    cpu = PROFILES["cpu"]
    planned = plan.profile_plan(cpu)
    needed = [group for name in cpu.experiments for group in experiments.experiment_needs(name, cpu, "cifar10")]
    assert planned == plan.plan_of(needed)
    assert sum(len(p.schedules) for p in planned) == 967  # what `imlp plan --profile cpu` lists
    assert {group.experiment for group in needed} == set(cpu.budgets)  # the held-out seeds' sweeps are named so too


def test_needs_are_data_alike_on_every_call():
    first, again = (experiments.experiment_needs("open_choices", PROFILES["cpu"], "cifar10") for _ in range(2))
    assert first == again and all(isinstance(group, experiments.Sweeps) for group in first)
    assert {group.option for group in first} >= {"default", "interpolate_every = 1"}
    assert experiments.experiment_needs("open_choices", PROFILES["paper"], "cifar100") == []


def test_training_reads_nothing_it_was_not_asked_to_and_trains_every_seed(monkeypatch, tmp_path):
    """train_runs trains each seed's sweep (in the store it is given) and never takes the stored-only path."""
    trained = []
    monkeypatch.setattr(experiments, "stored_records", refuse("training read stored records only"))
    monkeypatch.setattr(experiments, "run_sweep", lambda sweep, schedules, results, **kwargs:
                        trained.append((sweep.seed, results)) or [])
    runs = experiments.alpha_sweep(PROFILE, "cnn", "synthetic", results=tmp_path, stored_only=False, progress=False)
    assert runs.empty and trained == [(0, tmp_path), (1, tmp_path)]


def test_stored_only_reads_every_stored_run_and_trains_nothing(cnn_sweep_store, tmp_path, monkeypatch, no_training, capsys):
    store = copy_store(cnn_sweep_store[0], tmp_path / "store")
    # The conftest sweep uses batches of 64; the profile's sweeps use the default 128, so key them alike.
    monkeypatch.setattr(experiments, "SweepConfig", lambda *a, **k: SweepConfig(*a, batch_size=CNN_SWEEP.batch_size, **k))
    seed1 = replace(CNN_SWEEP, seed=1)
    partial = record_path(store, seed1.run_key(AlphaSchedule("constant", 0.0)))
    partial.write_bytes(next(store.glob("*.json")).read_bytes())  # seed 1: one run of three stored
    runs = experiments.alpha_sweep(PROFILE, "cnn", "synthetic", results=store, stored_only=True)
    assert len(runs) == len(CNN_ALPHAS) + 1  # seed 0's sweep, and the one run of seed 1's that is stored
    out = capsys.readouterr().out
    assert f"{len(CNN_ALPHAS) - 1} of {len(CNN_ALPHAS)} runs not in the result store, left out" in out
    assert "seed 1" in out and "seed 0" not in out


def test_stored_only_with_an_empty_store_gives_an_empty_frame_with_every_column(tmp_path, no_training):
    runs = experiments.alpha_sweep(PROFILE, "cnn", "synthetic", results=tmp_path, stored_only=True)
    assert runs.empty and {"dataset", "seed", "label", "test_acc", "prior_test_acc", "status"} <= set(runs.columns)
    roles = notebook.roles_with_runs([("CIFAR-10", "synthetic"), ("CIFAR-100", None)], runs)
    assert roles == [("CIFAR-10", None), ("CIFAR-100", None)]
    assert "Stored runs only" in notebook.profile_note(PROFILE, "cnn", stored_only=True)
    assert "Stored runs only" not in notebook.profile_note(PROFILE, "cnn")


def test_experiments_cli_refuses_seeds_outside_the_profile(capsys):
    with pytest.raises(SystemExit):
        cli.experiments_command(["cnn", "--profile", "smoke", "--seeds", "7"])
    assert "seeds [7] are not in profile 'smoke'" in capsys.readouterr().err


def test_experiments_cli_seeds_choose_the_interval_studys_seeds(monkeypatch, capsys):
    """--seeds picks notebook 09's seeds too (a seed that only its study has is accepted); the study runs its own
    pull intervals, so an option flag beside it is refused."""
    planned = []
    monkeypatch.setattr(executors, "run_plan", lambda sweeps, *args, **kwargs: planned.extend(sweeps))
    monkeypatch.setattr(experiments, "run_sweep", lambda *args, **kwargs: [])
    smoke = PROFILES["smoke"]
    study = dataclasses.replace(smoke.intervals, seeds=(0, 1))  # seed 1: the study's alone
    monkeypatch.setitem(PROFILES, "smoke", dataclasses.replace(smoke, intervals=study))
    assert 1 not in (*smoke.seeds, *smoke.open_choice_seeds)
    cli.experiments_command(["intervals", "--profile", "smoke", "--datasets", "synthetic", "--seeds", "1"])
    assert {p.sweep.seed for p in planned} == {1}
    assert len(planned) == len(study.intervals) * len(study.lrs) + len(study.mixer_intervals)
    with pytest.raises(SystemExit):
        cli.experiments_command(["intervals", "--profile", "smoke", "--interpolate-every", "1"])
    assert "intervals runs every pull interval of its study itself" in capsys.readouterr().err


def test_the_default_precision_keeps_the_record_keys_and_bf16_changes_them():
    schedule = AlphaSchedule("constant", 0.5)
    default = CNN_SWEEP.run_config(schedule)
    assert "precision" not in default  # records made before the setting existed keep their keys
    assert replace(CNN_SWEEP, precision="bf16").run_key(schedule) != CNN_SWEEP.run_key(schedule)
    with pytest.raises(ValueError, match="unknown precision 'fp8'; choose one of float32, bf16"):
        replace(CNN_SWEEP, precision="fp8")


def test_experiments_cli_precision_plans_bf16_sweeps_beside_the_float32_keys(monkeypatch):
    """`imlp experiments --precision bf16` trains the profile's own sweeps under autocast, under keys of their own."""
    planned = []
    monkeypatch.setattr(executors, "run_plan", lambda sweeps, *args, **kwargs: planned.extend(sweeps))
    monkeypatch.setattr(experiments, "run_sweep", lambda *args, **kwargs: [])
    cli.experiments_command(["cnn", "--profile", "smoke", "--datasets", "synthetic"])
    float32 = [p.sweep for p in planned]
    planned.clear()
    cli.experiments_command(["cnn", "--profile", "smoke", "--datasets", "synthetic", "--precision", "bf16"])
    assert [p.sweep for p in planned] == [replace(sweep, precision="bf16") for sweep in float32]
    assert {sweep.precision for sweep in float32} == {"float32"}


def test_bf16_autocast_backward_gives_float32_gradients_close_to_float32():
    """The stacked matmul's own backward runs under autocast (CPU here, CUDA in test_gpu.py)."""
    torch.manual_seed(0)
    mlp = IMLP.matching(build_prior("cnn"), num_models=2)
    x, y = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))
    stacked_cross_entropy(mlp(x), y).sum().backward()
    reference = [p.grad.clone() for p in mlp.parameters()]
    mlp.zero_grad()
    with torch.autocast("cpu", torch.bfloat16):
        logits = mlp(x)
        loss = stacked_cross_entropy(logits, y).sum()
    assert logits.dtype == torch.bfloat16
    loss.backward()
    for p, ref in zip(mlp.parameters(), reference):
        assert p.grad.dtype == torch.float32
        assert (p.grad - ref).norm() / ref.norm() < 0.05


def test_large_allocations_stay_in_the_heap_unless_turned_off():
    heap = {value: Settings.from_environment({"IMLP_CPU_HEAP": value}).training.cpu_heap for value in ("0", "1")}
    assert devices.keep_large_allocations_in_heap(heap["0"]) is False
    assert devices.keep_large_allocations_in_heap(heap["1"]) is (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")


def test_a_new_prior_needs_only_its_class_its_facts_and_a_budget(tiny_prior, tmp_path):
    """Issue 10's thought experiment: a prior registered in PRIORS, with its row in facts.PRIOR_FACTS (the fixture's),
    and given a budget in a profile is an experiment of that profile (planned, trained, read) and is named in figures
    and findings as its class says."""
    from imlp_core import figures, plan
    from imlp_core.reading import prose, verdicts
    from conftest import TinyCNN

    profile = replace(PROFILES["smoke"], datasets=("synthetic",), alphas=(0.0, 0.5, 1.0),
                      budgets={tiny_prior: Budget(epochs=1, train_subset=128, test_subset=64)})
    [planned] = plan.profile_plan(profile)
    assert planned.experiments == (tiny_prior,) and len(planned.schedules) == 3
    runs = experiments.experiment_runs(tiny_prior, profile, "synthetic", results=tmp_path, progress=False)
    assert set(runs["prior"]) == {tiny_prior} and runs["status"].eq("ok").all()
    fig = figures.alpha_sweep_figure(runs, "t")
    assert any(TinyCNN.display_name in text.get_text() for text in fig.axes[0].get_legend().get_texts())
    findings = prose.sweep_findings(runs, verdicts.sweep_differences(runs), {})  # a new prior has no registered claims
    assert f"the {TinyCNN.display_name}" in findings
