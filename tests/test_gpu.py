"""The engine on a CUDA GPU: determinism, batched against separate runs, alpha = 1, bf16 autocast.

Skipped where CUDA is not available (CI has no GPU); run on a GPU machine with
``python -m pytest tests/test_gpu.py``. On the CPU the same properties are tested bit for bit
(``test_train.py``); on a GPU, cuBLAS picks different kernels for a batched and a single matmul,
so batched and separate runs are compared within float32 (TF32) rounding instead.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch

from conftest import CNN_ALPHAS, CNN_SWEEP, stable
from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import IMLP, build_prior
from imlp_core.settings import Settings
from imlp_core.train import run_sweep
from imlp_core.trainer import stacked_cross_entropy

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
SCHEDULES = [AlphaSchedule("constant", a) for a in CNN_ALPHAS]


@pytest.fixture(scope="module")
def cuda_records(tmp_path_factory) -> list[dict]:
    return run_sweep(CNN_SWEEP, SCHEDULES, tmp_path_factory.mktemp("cuda-store"), "cuda", progress=False)


def test_same_seed_gives_identical_records_on_the_gpu(cuda_records, tmp_path):
    again = run_sweep(CNN_SWEEP, SCHEDULES, tmp_path, "cuda", progress=False)
    assert [stable(r) for r in again] == [stable(r) for r in cuda_records]
    assert cuda_records[0]["environment"]["device"].startswith("cuda")
    assert cuda_records[0]["environment"]["tf32_matmul"] is True


def test_batched_sweep_follows_separate_runs_on_the_gpu(cuda_records, tmp_path):
    """Same batches, same start: the training losses of batched and separate runs agree to TF32 rounding."""
    for alpha, together in zip(CNN_ALPHAS, cuda_records):
        [alone] = run_sweep(CNN_SWEEP, [AlphaSchedule("constant", alpha)], tmp_path / f"alone-{alpha}", "cuda",
                            progress=False)
        for h_alone, h_together in zip(alone["history"], together["history"]):
            assert math.isclose(h_alone["train_loss"], h_together["train_loss"], rel_tol=1e-2)
            assert h_alone["prior_test_acc"] == h_together["prior_test_acc"]


def test_cuda_graph_replay_trains_as_the_eager_steps_do(tmp_path):
    """200 images in batches of 64: warm-up, capture, replays across epochs and interpolations, and an eager
    last batch of 8 per epoch. The graph replays the eager step's kernels, so the records agree to rounding."""
    sweep = replace(CNN_SWEEP, train_subset=200, epochs=3)
    graphed = run_sweep(sweep, SCHEDULES, tmp_path / "graphs", "cuda", progress=False)
    eager = run_sweep(sweep, SCHEDULES, tmp_path / "eager", "cuda", progress=False,
                      settings=Settings.from_environment({"IMLP_CUDA_GRAPHS": "0"}).training)
    worst = 0.0
    for g, e in zip(graphed, eager):
        for h_g, h_e in zip(g["history"], e["history"]):
            worst = max(worst, abs(h_g["train_loss"] - h_e["train_loss"]), abs(h_g["prior_train_loss"] - h_e["prior_train_loss"]))
            assert abs(h_g["test_acc"] - h_e["test_acc"]) <= 0.02
    print(f"largest training-loss difference, CUDA graph against eager: {worst:.3g}")
    assert worst < 1e-3


def test_alpha_one_records_the_priors_accuracy_on_the_gpu(cuda_records):
    for h in cuda_records[CNN_ALPHAS.index(1.0)]["history"]:
        assert h["test_acc"] == h["prior_test_acc"]


def test_bf16_autocast_gives_float32_gradients_close_to_float32(monkeypatch):
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)  # the reference in plain float32
    torch.manual_seed(0)
    prior = build_prior("mixer").cuda()
    mlp = IMLP.matching(prior, num_models=2).cuda()
    x, y = torch.randn(64, 3, 32, 32, device="cuda"), torch.randint(0, 10, (64,), device="cuda")
    stacked_cross_entropy(mlp(x), y).sum().backward()
    reference = [p.grad.clone() for p in mlp.parameters()]
    mlp.zero_grad()
    with torch.autocast("cuda", torch.bfloat16):
        loss = stacked_cross_entropy(mlp(x), y).sum()
    loss.backward()
    for p, ref in zip(mlp.parameters(), reference):
        assert p.grad.dtype == torch.float32
        assert (p.grad - ref).norm() / ref.norm() < 0.05
