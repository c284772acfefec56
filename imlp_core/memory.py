"""The host memory of a sweep on the CPU, component by component, and the cutting of a sweep into stacks of I-MLPs
that fit a memory budget.

A sweep (``trainer.py``) holds, for its K stacked I-MLPs of P parameters each, at its peak:

* ``weights``: K P float32 (bf16 autocast keeps float32 master weights, and float32 ``gradients``);
* ``adam``: Adam's two moments, 2 K P float32;
* ``snapshots``: the pull measurements' W_0 of every interpolated layer, K copies, plus the prior's W_P0
  (``pull_measurements.py``);
* ``prior``: the prior's weights, gradients and moments (its dense equivalent, built at a pull, is an epoch end's);
* ``data``: the decoded uint8 images of both splits (reading the whole dataset's cache comes before the peak);
* ``activations``: what a training step keeps for its backward, and under bf16 each layer's bf16 weight copy and
  its bf16 and float32 gradient in the backward; the step's ``gradients`` are freed after it (on the CPU);
* ``epoch end``: the larger of the pull's measurement temporaries (and the prior's dense layers) and an
  evaluation batch's activations (``trainer.EVAL_BATCH`` images), mapped outside the heap (``devices``);
* ``runtime``: Python, torch and imlp_core imported (:data:`RUNTIME_BYTES`, measured);
* ``slack``: what glibc's heap holds beyond the live tensors (:data:`SLACK_FRACTION`, measured).

All but ``runtime`` and ``slack`` are computed from tensor shapes (``models.parameter_counts``, the I-MLP's widths).
The two constants and :data:`ACTIVATION_TENSORS` come from ``benchmarks/memory_table.py`` on a 2-core AMD EPYC
(AVX-512 BF16, no AMX, 24 GB; torch 2.14, glibc 2.36): docs/benchmarks.md, *Memory*, has the table.

A budget (:func:`cut_to_budget`) cuts a sweep into the fewest stacks of I-MLPs whose estimates fit, as even as
can be; each stack trains the prior again, on the same batches, so that every stack's records are those of the
uncut sweep (only ``sweep_size``, ``wall_time_s`` and ``images_per_s`` say how it ran). The default budget
(:func:`default_budget`) is what the machine has available, shared by the workers.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from imlp_core.data import TRAIN_IMAGES

if TYPE_CHECKING:
    from imlp_core.plan import PlannedSweep

FLOAT32, BF16, UINT8_IMAGE = 4, 2, 3 * 32 * 32
TEST_IMAGES = {"cifar10": 10_000, "cifar100": 10_000, "synthetic": 1_000, "synthetic100": 1_000}
EVAL_BATCH = 1000  # trainer.EVAL_BATCH (tests/test_memory.py holds them equal)
# Measured (benchmarks/memory_table.py, 'start'): RSS of a process that imported torch and imlp_core (CUDA's libraries
# mapped), before it read data or built a model.
RUNTIME_BYTES = 730_000_000
# (K, batch, width) tensors a training step keeps per hidden layer for the backward (the layer's output, the LN's and
# the GELU's) and the backward's gradients in flight: float32 (measured: the step's peak less its gradients).
ACTIVATION_TENSORS = 4
# What the heap holds beyond the live tensors (small allocations, freed chunks not yet reused), as a fraction of the
# tensors (measured).
SLACK_FRACTION = 0.03
PERSISTENT = ("runtime", "data", "weights", "adam", "prior", "snapshots")  # alive from the build to the end
COMPONENTS = (*PERSISTENT, "gradients", "activations", "epoch end", "slack")


@lru_cache(maxsize=None)
def shapes(prior: str, layers: str | tuple[int, ...], head: str) -> tuple[int, int, tuple[int, ...], int, int]:
    """(parameters of one I-MLP, of the prior, the I-MLP's widths (input, hidden...), its largest layer's weights,
    the weights of the layers a pull measures) of ``prior``."""
    from imlp_core.models import IMLP, build_prior, select_layers

    net = build_prior(prior)
    spec = net.mlp_spec()
    mlp = IMLP(spec, 1)
    weights = [layer.weight.numel() for layer in mlp.interpolated_layers()]
    selected = select_layers(layers, len(weights))
    if head == "own":
        selected = [i for i in selected if i != len(weights) - 1]
    return (sum(p.numel() for p in mlp.parameters()), sum(p.numel() for p in net.parameters()),
            tuple(spec.widths), max(weights), sum(weights[i] for i in selected))


def sweep_memory(planned: PlannedSweep, train_images: int | None = None, test_images: int | None = None
                 ) -> dict[str, int]:
    """The bytes of each component (:data:`COMPONENTS`) of training ``planned`` on the CPU, and at its peak the
    ``total``: the persistent components (:data:`PERSISTENT`), plus the larger of a step's (its gradients and
    activations) and an epoch end's temporaries (the pull's measurements, the evaluation), plus the slack.
    ``train_images``, ``test_images``: the splits' sizes when known (default: from the sweep's subsets)."""
    s, k = planned.sweep, len(planned.schedules)
    mlp, prior, widths, largest, measured = shapes(s.prior, s.layers, s.head)
    full_train, full_test = TRAIN_IMAGES.get(s.dataset, 50_000), TEST_IMAGES.get(s.dataset, 10_000)
    n_train = train_images or min(s.train_subset or full_train, full_train)
    n_test = test_images or min(s.test_subset or full_test, full_test)
    bf16 = s.precision == "bf16"
    activations = k * s.batch_size * sum(widths[1:]) * FLOAT32 * ACTIVATION_TENSORS
    if bf16:  # half the activations; per layer in the backward the bf16 copy of W and dW in bf16 and in float32
        activations = activations // 2 + k * largest * (BF16 + BF16 + FLOAT32)
    pull = 3 * k * largest * FLOAT32 + measured * FLOAT32  # the measurements' (K, out, in) temporaries, the dense prior
    evaluation = 2 * k * min(EVAL_BATCH, n_test) * max(widths[1:]) * (BF16 if bf16 else FLOAT32)
    parts = {
        "runtime": RUNTIME_BYTES,
        "data": (n_train + n_test) * UINT8_IMAGE,
        "weights": k * mlp * FLOAT32,
        "adam": 2 * k * mlp * FLOAT32,
        "prior": 4 * prior * FLOAT32,  # weights, gradients, moments
        "snapshots": (k + 1) * measured * FLOAT32,
        "gradients": k * mlp * FLOAT32,
        "activations": activations,
        "epoch end": max(pull, evaluation),
    }
    persistent = sum(parts[name] for name in PERSISTENT)
    transient = max(parts["gradients"] + parts["activations"], parts["epoch end"])
    parts["slack"] = int(SLACK_FRACTION * (persistent - RUNTIME_BYTES + transient))
    parts["total"] = persistent + transient + parts["slack"]
    return parts


def estimated_bytes(planned: PlannedSweep) -> int:
    """Host memory that training ``planned`` on the CPU needs at its peak (:func:`sweep_memory`'s total)."""
    return sweep_memory(planned)["total"]


def cut_to_budget(planned: PlannedSweep, budget: int | None) -> list[PlannedSweep]:
    """``planned`` cut into the fewest stacks whose estimates fit ``budget`` bytes (None: whole), as even as can be
    (their schedules in order). A stack of one I-MLP that does not fit is left to the executor's ledger."""
    n = len(planned.schedules)
    if budget is None or n <= 1 or estimated_bytes(planned) <= budget:
        return [planned]
    for count in range(2, n + 1):
        stacks = split(planned, count)
        if max(map(estimated_bytes, stacks)) <= budget:
            return stacks
    return stacks


def split(planned: PlannedSweep, count: int) -> list[PlannedSweep]:
    """``planned`` as ``count`` stacks of its schedules in order, as even as can be (sizes differ by one at most)."""
    n = len(planned.schedules)
    return [replace(planned, schedules=planned.schedules[i * n // count:(i + 1) * n // count]) for i in range(count)]


def cut_plan(plan: list[PlannedSweep], budget: int | None) -> list[PlannedSweep]:
    """Every sweep of ``plan`` cut to ``budget`` (:func:`cut_to_budget`), in plan order."""
    return [stack for planned in plan for stack in cut_to_budget(planned, budget)]


def available_bytes() -> int:
    """The memory this machine has available now (``/proc/meminfo``'s MemAvailable; elsewhere the physical memory)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def default_budget(workers: int = 1) -> int:
    """The memory budget of one sweep when ``workers`` sweeps run side by side: 90 % of the available memory, shared
    (``--memory-budget`` or ``IMLP_MEMORY_BUDGET_GB``, given to the executors, overrides it). On a 16 GB machine
    with about 14.5 GB available, two workers get 6.5 GB each."""
    return int(0.9 * available_bytes() / max(workers, 1))


def parse_budget(text: str) -> int:
    """A ``--memory-budget`` value: GB (``7``, ``6.5``, ``7GB``) or bytes (``7000000000``)."""
    value = float(text.upper().removesuffix("GB").removesuffix("G"))
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"a memory budget is a positive number of GB, got {text!r}")
    return int(value * 1e9) if value < 1e6 else int(value)
