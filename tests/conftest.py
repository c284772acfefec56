"""Shared fixtures for the engine tests: tiny sweeps on the synthetic set, small enough for a busy CPU.

Two priors are used. ``cnn`` (the paper's S-CNN, 8.4 M-parameter I-MLP) where a claim is about the
paper's model (same seed => same records, batched = separate runs, alpha = 1 accuracies); ``tiny-cnn``
(:class:`TinyCNN`, the S-CNN's own class with two convolutions, a 0.8 M-parameter I-MLP) where the
claim is about the machinery around training (interruption, locks, NaN handling), which does not
depend on the prior's size. ``tiny-cnn`` is registered in ``imlp_core.models.PRIORS`` only for the
test that asks for it (fixture ``tiny_prior``), or by the subprocess driver ``DRIVER``.
"""

from __future__ import annotations

import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import torch

from imlp_core import facts, models
from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import CNNPrior
from imlp_core.sweep import SweepConfig
from imlp_core.sweep_runner import run_sweep

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent
TINY_PRIOR = "tiny-cnn"
# One thread for the whole session: on the shared 2-core machine a tiny sweep runs ~4x faster than with
# two contending threads (measured 8.5 s vs 35 s), and every process of the tests rounds alike.
torch.set_num_threads(1)

# Test files (or single tests, ``file::name``) that start processes (workers, notebooks, a killed run, a graded
# exercise) or train many sweeps end to end: marked ``integration``, which `make test` runs and `make unit` leaves out.
INTEGRATION = {"test_reliability.py", "test_executors.py", "test_reproduce.py", "test_paper_test.py", "test_lab.py",
               "test_exercises.py", "test_assignments.py", "test_sweep_kinds.py", "test_from_scratch.py", "test_trainer_records.py",
               "test_gpu.py", "test_options.py::test_experiments_cli_passes_the_option_flags_to_every_sweep",
               "test_memory.py::test_the_estimate_is_within_20_percent_of_the_measured_peak_of_a_small_sweep",
               "test_sweep_runner.py::test_cli_runs_end_to_end_and_prints_the_summary"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {item.path.name, f"{item.path.name}::{getattr(item, 'originalname', item.name)}"} & INTEGRATION:
            item.add_marker(pytest.mark.integration)


# Fields of a record that legitimately differ between two runs of the same config.
VOLATILE_FIELDS = ("wall_time_s", "images_per_s", "environment")


class TinyCNN(CNNPrior):
    """Two 3x3 convolutions, 3 -> 4 (stride 4) -> 8 (stride 2): dense widths 3,072 -> 256 -> 128, head 10."""

    key = TINY_PRIOR
    display_name = "tiny CNN"

    def __init__(self, num_classes: int = 10, block: str = "every-layer", affine: bool = False) -> None:
        super().__init__((4, 8), (4, 2), num_classes, block, affine)


# The command line with ``tiny-cnn`` registered, one thread (so that runs in different processes round alike).
DRIVER = f"""
import sys, torch
torch.set_num_threads(1)
sys.path.insert(0, {str(TESTS_DIR)!r})
from conftest import TinyCNN
from imlp_core import cli, models
models.PRIORS[TinyCNN.key] = TinyCNN
cli.train_command(sys.argv[1:])
"""


def driver_command(*args: str) -> list[str]:
    """argv that runs ``python -m imlp_core train ARGS`` with ``tiny-cnn`` available, in a fresh process."""
    return [sys.executable, "-c", DRIVER, *args]


def stable(record: dict) -> dict:
    """``record`` without the fields that vary from run to run (timing, environment)."""
    return {k: v for k, v in record.items() if k not in VOLATILE_FIELDS}


@contextmanager
def tiny_prior_registered() -> Iterator[None]:
    """``tiny-cnn`` in ``imlp_core.models.PRIORS`` for the block (for fixtures wider than one test)."""
    had = models.PRIORS.get(TINY_PRIOR)
    models.PRIORS[TinyCNN.key] = TinyCNN
    try:
        yield
    finally:
        if had is None:
            models.PRIORS.pop(TINY_PRIOR)


def facts_of(prior: str) -> facts.PriorFacts:
    """What ``facts.PRIOR_FACTS`` holds of ``prior``, computed from its model (``models.PRIORS``)."""
    counts = models.parameter_counts(prior)
    return facts.PriorFacts(models.PRIORS[prior].display_name, models.PRIORS[prior].legend_name,
                            len(models.build_prior(prior).mlp_spec().widths), counts["total_params"],
                            counts["interpolated_params"], counts["interpolated_layers"])


@pytest.fixture
def tiny_prior(monkeypatch) -> str:
    """``tiny-cnn`` registered as a new prior is: its class in ``models.PRIORS``, its row in ``facts.PRIOR_FACTS``."""
    monkeypatch.setitem(models.PRIORS, TinyCNN.key, TinyCNN)
    monkeypatch.setitem(facts.PRIOR_FACTS, TinyCNN.key, facts_of(TinyCNN.key))
    return TinyCNN.key


@pytest.fixture
def tiny_sweep(tiny_prior) -> SweepConfig:
    """Two epochs of ``tiny-cnn`` on 256 synthetic training images, 128 test images, batches of 64."""
    return SweepConfig(tiny_prior, "synthetic", epochs=2, batch_size=64, train_subset=256, test_subset=128)


CNN_SWEEP = SweepConfig("cnn", "synthetic", epochs=2, batch_size=64, train_subset=256, test_subset=128)
CNN_ALPHAS = (0.0, 0.5, 1.0)


@pytest.fixture(scope="session")
def cnn_sweep_store(tmp_path_factory) -> tuple[Path, list[dict]]:
    """The S-CNN sweep alpha in {0, 0.5, 1} (batched, K = 3), trained once per session: (store, records).

    Tests must not modify the store; :func:`copy_store` gives a private copy.
    """
    store = tmp_path_factory.mktemp("cnn-store")
    records = run_sweep(CNN_SWEEP, [AlphaSchedule("constant", a) for a in CNN_ALPHAS], store, "cpu", progress=False)
    return store, records


def copy_store(store: Path, target: Path) -> Path:
    shutil.copytree(store, target)
    return target
