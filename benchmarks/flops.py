"""What a training step costs in FLOPs, and what this machine's matmul gives: the two sides of `make bench`'s ratio.

FLOPs are the matmuls' and convolutions' of the forward pass, counted from the layer shapes (2 * in * out per sample
per linear, 2 * C_in / groups * k^2 * C_out * H_out * W_out per convolution), and twice that for the backward.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from math import prod

import torch
from torch import nn

from imlp_core import models
from imlp_core.models import StackedLinear


def median_seconds(fn: Callable[[], object], device: torch.device, repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls after ``warmup`` untimed ones."""
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    times = []
    for i in range(warmup + repeats):
        sync()
        start = time.perf_counter()
        fn()
        sync()
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def forward_flops_per_sample(model: nn.Module) -> int:
    """Matmul + convolution FLOPs of one forward pass on one image (every stacked model counted)."""
    total = 0

    def count(module: nn.Module, inputs, output) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            total += 2 * module.in_channels // module.groups * prod(module.kernel_size) * output.numel()
        elif isinstance(module, nn.Linear):
            total += 2 * module.in_features * output.numel()
        elif isinstance(module, StackedLinear):
            total += 2 * module.weight.shape[2] * output.numel()

    hooks = [m.register_forward_hook(count) for m in model.modules()
             if isinstance(m, (nn.Conv2d, nn.Linear, StackedLinear))]
    with torch.no_grad():
        model(torch.zeros(1, *models.IMAGE_SHAPE, device=next(model.parameters()).device))
    for hook in hooks:
        hook.remove()
    return total


def training_flops_per_step(prior: nn.Module, mlp: nn.Module, batch: int) -> int:
    """FLOPs of one training step of the prior and the stacked I-MLPs on ``batch`` images (backward = 2 x forward)."""
    return 3 * batch * (forward_flops_per_sample(prior) + forward_flops_per_sample(mlp))


def matmul_peak(device: torch.device, dtype: torch.dtype, repeats: int, tf32: bool = False) -> float:
    """FLOP/s of the fastest large square matmul in ``dtype`` (n = 2048 and 4096 on the CPU, 8192 on a GPU)."""
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        best = 0.0
        for n in (8192,) if device.type == "cuda" else (2048, 4096):
            a, b = (torch.randn(n, n, device=device, dtype=dtype) for _ in range(2))
            best = max(best, 2 * n**3 / median_seconds(lambda: a @ b, device, repeats))
        return best
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
