"""imlp_core.sweep_runner and .trainer: Algorithm 1 as recorded — determinism, batched = separate runs, alpha = 1, resume, CLI.

The S-CNN sweep alpha in {0, 0.5, 1} (``cnn_sweep_store``, conftest) is trained once per session and
shared by the tests that only read it.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from conftest import CNN_ALPHAS, CNN_SWEEP, REPO_ROOT, copy_store, stable
from imlp_core import data as datasets
from imlp_core import records as store
from imlp_core import trainer
from imlp_core.interpolate import AlphaSchedule
from imlp_core.settings import TrainingSettings
from imlp_core.sweep import SweepConfig
from imlp_core.sweep_runner import run_sweep


def test_same_config_and_seed_give_identical_records(cnn_sweep_store, tmp_path):
    """Everything but timing and environment is bit-identical (floats compared with ==)."""
    _, first = cnn_sweep_store
    again = run_sweep(CNN_SWEEP, [AlphaSchedule("constant", a) for a in CNN_ALPHAS], tmp_path, "cpu", progress=False)
    assert [stable(r) for r in again] == [stable(r) for r in first]
    assert [r["environment"] for r in again] == [r["environment"] for r in first]  # same process, same versions


def test_batched_sweep_matches_separate_runs_with_the_same_seed(cnn_sweep_store, tmp_path):
    """K = 3 stacked I-MLPs follow exactly the path of 3 separate runs (measured: bit-identical on this CPU).

    Each stacked model has its own slice of every batched matmul, LayerNorm, loss term and Adam update,
    and all K start from the same initial draw, so nothing couples them; equality is asserted exactly.
    """
    _, batched = cnn_sweep_store
    for alpha, together in zip(CNN_ALPHAS, batched):
        [alone] = run_sweep(CNN_SWEEP, [AlphaSchedule("constant", alpha)], tmp_path / f"alone-{alpha}", "cpu",
                            progress=False)
        assert alone["key"] == together["key"]  # a record's identity does not depend on its sweep
        for h_alone, h_together in zip(alone["history"], together["history"]):
            assert h_alone["test_acc"] == h_together["test_acc"]
            assert h_alone["prior_test_acc"] == h_together["prior_test_acc"]
            assert h_alone["prior_train_loss"] == h_together["prior_train_loss"]
            assert h_alone["train_loss"] == h_together["train_loss"]
        assert len(alone["history"]) == len(together["history"]) == CNN_SWEEP.epochs


def test_alpha_one_records_the_priors_test_accuracy_at_every_epoch(cnn_sweep_store):
    _, records = cnn_sweep_store
    [at_one] = [r for r in records if r["config"]["schedule"]["alpha"] == 1.0]
    assert at_one["status"] == "ok"
    assert [h["test_acc"] for h in at_one["history"]] == [h["prior_test_acc"] for h in at_one["history"]]
    assert at_one["final"]["test_acc"] == at_one["final"]["prior_test_acc"]


def test_every_epoch_records_loss_accuracy_and_the_alpha_applied(cnn_sweep_store):
    _, records = cnn_sweep_store
    for record, alpha in zip(records, CNN_ALPHAS):
        assert [h["epoch"] for h in record["history"]] == [1, 2]
        assert [h["alpha"] for h in record["history"]] == [alpha, alpha]
        for h in record["history"]:
            assert math.isfinite(h["train_loss"]) and 0 <= h["test_acc"] <= 1
            assert math.isfinite(h["prior_train_loss"]) and 0 <= h["prior_test_acc"] <= 1
        assert record["final"]["test_acc"] == record["history"][-1]["test_acc"]


def test_schedules_apply_their_alphas_per_epoch(tiny_prior, tmp_path):
    """Decay applies a (1 - t/T)^k after epoch t; test-time interpolates only before the final evaluation."""
    sweep = SweepConfig(tiny_prior, "synthetic", epochs=3, batch_size=64, train_subset=128, test_subset=64)
    schedules = [AlphaSchedule("decay", 0.5, 2.0), AlphaSchedule("test-time", 0.4), AlphaSchedule("constant", 0.0)]
    decay, test_time, zero = run_sweep(sweep, schedules, tmp_path, "cpu", progress=False)
    assert [h["alpha"] for h in decay["history"]] == [0.5 * (1 - t / 3) ** 2 for t in range(3)]
    assert [h["alpha"] for h in test_time["history"]] == [0.0, 0.0, 0.4]
    assert [h["alpha"] for h in zero["history"]] == [0.0, 0.0, 0.0]
    # before its one interpolation, the test-time model is an uninterpolated MLP, like the alpha = 0 one
    assert test_time["history"][:2] == [{**h, "alpha": 0.0} for h in zero["history"][:2]]


def test_the_interpolated_layers_default_to_the_priors_and_keep_the_record_keys():
    """No ``layers``: the prior's ``interpolated`` ("all" for the S-CNN, Table 5's indices), as the configs of the
    stored records hold them; an explicit selection overrides it."""
    assert CNN_SWEEP.layers == "all" and CNN_SWEEP.config()["layers"] == "all"
    mlp1 = SweepConfig("table5-mlp1", "synthetic")
    assert mlp1.config()["layers"] == [0, 1, 2, 3, 4, 5]
    assert mlp1 == SweepConfig("table5-mlp1", "synthetic", layers=[0, 1, 2, 3, 4, 5])
    assert SweepConfig("table5-mlp2", "synthetic", layers="first").config()["layers"] == "first"
    schedule = AlphaSchedule("constant", 0.5)
    assert CNN_SWEEP.run_key(schedule) == store.config_key(CNN_SWEEP.run_config(schedule))
    assert CNN_SWEEP.key == store.config_key(CNN_SWEEP.config())


def test_a_sweep_whose_records_exist_is_not_run_again(cnn_sweep_store, tmp_path, monkeypatch):
    source, records = cnn_sweep_store
    copy = copy_store(source, tmp_path / "runs")

    def must_not_train(*args, **kwargs):
        raise AssertionError("a stored sweep was trained again")

    monkeypatch.setattr(trainer.Trainer, "__init__", must_not_train)
    again = run_sweep(CNN_SWEEP, [AlphaSchedule("constant", a) for a in CNN_ALPHAS], copy, "cpu", progress=False)
    assert again == records


def test_results_load_returns_one_row_per_run(cnn_sweep_store):
    source, records = cnn_sweep_store
    frame = store.load(source)
    assert len(frame) == len(records) == 3
    assert sorted(frame["key"]) == sorted(r["key"] for r in records)
    assert sorted(frame["alpha"]) == list(CNN_ALPHAS)
    assert set(frame["schedule"]) == {"constant"} and set(frame["prior"]) == {"cnn"}
    for column in ("test_acc", "prior_test_acc", "history", "status", "source", "device", "images_per_s", "seed"):
        assert column in frame.columns


def test_cli_runs_end_to_end_and_prints_the_summary(tmp_path):
    runs = tmp_path / "runs"
    command = [sys.executable, "-m", "imlp_core", "train", "--prior", "cnn", "--dataset", "synthetic",
               "--alphas", "0", "1", "--epochs", "1", "--train-subset", "128", "--test-subset", "64",
               "--batch-size", "64", "--device", "cpu", "--results", str(runs)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if "I-MLP" in line]
    assert len(lines) == 2
    assert "α = 0" in lines[0] and "α = 1" in lines[1]
    assert all("seed 0" in line and "prior" in line and "[ok]" in line for line in lines)
    frame = store.load(runs)
    assert len(frame) == 2
    assert set(frame["train_subset"]) == {128} and set(frame["test_subset"]) == {64}


@pytest.mark.parametrize("module, command", [("sweep_runner", "train"), ("experiments", "experiments")])
def test_the_modules_old_spelling_fails_and_names_the_command(module, command, tmp_path):
    """``python -m imlp_core.sweep_runner ...`` (the spelling before the console command) no longer exits 0 having done
    nothing: it fails, naming the command to run with the same arguments."""
    arguments = ["--prior", "cnn", "--dataset", "synthetic", "--results", str(tmp_path / "runs")]
    done = subprocess.run([sys.executable, "-m", f"imlp_core.{module}", *arguments], cwd=REPO_ROOT,
                          env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"python -m imlp_core {command} {' '.join(arguments)}" in done.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_scnn_beats_smlp_on_cifar10_after_short_training(tmp_path):
    """Real data: after 5 epochs on 2,000 CIFAR-10 training images (1,000 test), S-CNN > S-MLP (alpha = 0 I-MLP).

    Regime: lr 1e-3 instead of the paper's 1e-4. At 1e-4 the S-CNN (1 to 4 channels in its first layers)
    learns too slowly for a short CPU budget: measured on 5,000 images x 3 epochs, S-CNN 24.1 % vs S-MLP
    40.2 % (the issue saw the same at 6 epochs on 50k). At 1e-3 the S-CNN's prior pays off quickly while
    the 8.4 M-parameter S-MLP overfits the few images: measured 31.7 % vs 25.8 % here (5,000 x 3 epochs:
    33.4 % vs 27.3 %). The prior and the S-MLP train side by side on the same batches (one sweep).
    """
    shared = datasets.find_shared_cifar10()
    if shared is None:
        pytest.skip("no CIFAR-10 JPEG copy: neither data/cifar10-jpeg nor ../shared/data/cifar10-jpeg.tar.gz exists")
    sweep = SweepConfig("cnn", "cifar10", epochs=5, batch_size=128, lr=1e-3, train_subset=2000, test_subset=1000)
    settings = TrainingSettings(dataset_dirs={"IMLP_DATASET_CIFAR10": str(shared)})
    [record] = run_sweep(sweep, [AlphaSchedule("constant", 0.0)], tmp_path, "cpu", progress=False, settings=settings)
    print(f"S-CNN {record['final']['prior_test_acc']:.1%}  S-MLP {record['final']['test_acc']:.1%}  "
          f"({record['images_per_s']:.0f} img/s)")
    assert record["dataset"]["source"].startswith("ImageFolder")
    assert record["final"]["prior_test_acc"] > record["final"]["test_acc"] + 0.02
