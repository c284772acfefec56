"""Running the training step fast on the device at hand: device choice, CUDA and CPU settings, CUDA graphs; the
CPU described as far as bit-identical numbers go (records name it).

Nothing here changes what is computed: on a GPU, float32 matmuls use TF32 and cuDNN/cuBLAS are made
deterministic (same seed, same record); on a CPU, glibc keeps large allocations in the heap; a GPU replays
the training step as one captured CUDA graph instead of launching its kernels one by one from Python.
"""

from __future__ import annotations

import ctypes
import os
import platform
from contextlib import contextmanager
from typing import Callable, Iterator

import torch
from torch import Tensor

StepFn = Callable[[Tensor, Tensor], tuple[Tensor, ...]]
GRAPH_WARMUP = 3  # eager full-batch steps before the CUDA graph is captured


def resolve_device(device: str | torch.device) -> torch.device:
    """``device`` as a torch device; "auto" is CUDA where available, else the CPU."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but CUDA is not available here; use --device cpu or auto")
    return device


def prepare(device: torch.device, cpu_heap: bool = True) -> None:
    """The process-wide settings for training on ``device``: :func:`configure_cuda` on a GPU, else
    :func:`keep_large_allocations_in_heap` (unless ``cpu_heap`` is False: ``IMLP_CPU_HEAP=0``)."""
    if device.type == "cuda":
        configure_cuda()
    else:
        keep_large_allocations_in_heap(cpu_heap)


def configure_cuda() -> None:
    """float32 on a GPU: TF32 matmuls and convolutions; deterministic cuDNN and cuBLAS (same seed, same record)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # read when cuBLAS first runs
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    torch.use_deterministic_algorithms(True, warn_only=True)


def keep_large_allocations_in_heap(wanted: bool = True) -> bool:
    """On glibc (Linux), serve allocations above 32 MB from the heap and keep freed memory there.

    By default glibc maps each such allocation afresh and unmaps it when freed, so every CPU training step
    of a batched sweep page-faults its weight-sized gradients in again (2 GB per step for 12 Mixer I-MLPs).
    Kept in the heap, they are reused (``make bench`` times the step both ways). The process then keeps its
    peak memory until it exits; ``wanted=False`` (``IMLP_CPU_HEAP=0``) leaves glibc as it is. Returns whether it was
    applied (False without glibc: macOS, musl).
    """
    if not wanted:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    global _HEAP_KEPT
    _HEAP_KEPT = bool(mallopt(M_MMAP_MAX, 0) and mallopt(M_TRIM_THRESHOLD, 2**31 - 1))
    return _HEAP_KEPT


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -3, -4  # from glibc's malloc.h
_HEAP_KEPT = False  # whether keep_large_allocations_in_heap applied
_outside_heap_depth = 0


@contextmanager
def large_allocations_outside_heap() -> Iterator[None]:
    """Within the block, the free memory of the heap goes back to the system and allocations above 4 MB are mapped
    afresh and unmapped when freed, as glibc does by default; after it, they are kept in the heap again
    (:func:`keep_large_allocations_in_heap`; nothing happens where that was not applied).

    For what a training step does not do: an epoch's end (the divergence check, a pull and its measurements, the
    evaluation, the checkpoint) allocates and frees temporaries of other sizes than a step's. Served from the heap
    they fell into the holes the step left, or above them, and a heap so reshuffled at every epoch end kept 1-7 GB
    of freed memory resident: the peak of a sweep came and went between runs (docs/scale-out.md, *Memory*). Mapped,
    they cost a page fault per 4 kB once per epoch end, and the peak is what is alive."""
    global _outside_heap_depth
    if not _HEAP_KEPT or _outside_heap_depth:
        _outside_heap_depth += 1
        try:
            yield
        finally:
            _outside_heap_depth -= 1
        return
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc_trim(0)
    libc.mallopt(M_MMAP_THRESHOLD, 4 * 2**20)
    libc.mallopt(M_MMAP_MAX, 65536)  # glibc's default
    _outside_heap_depth += 1
    try:
        yield
    finally:
        _outside_heap_depth -= 1
        libc.mallopt(M_MMAP_MAX, 0)


def release_free_memory() -> bool:
    """Give the free memory of glibc's heap back to the system (``malloc_trim(0)``: the free pages inside the heap
    too, not only its top); the live tensors stay where they are. Returns whether it was done (False without glibc).

    With large allocations kept in the heap (:func:`keep_large_allocations_in_heap`), the chunks a process frees
    stay resident: a finished sweep's GBs, until the next sweep of the process reuses them (or not, where its
    tensors are laid out otherwise). ``train.train_runs`` calls it when a sweep ends; an epoch's end trims the heap
    through :func:`large_allocations_outside_heap`."""
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def cpu_description() -> dict[str, str]:
    """The CPU as far as bit-identity goes: ``cpu``, its model (``/proc/cpuinfo``'s model name, else the platform's
    processor or machine), and ``cpu_capability``, the instruction set of torch's CPU kernels (AVX2, AVX512,
    AVX512_BF16, AMX, ...). The same torch, capability and thread count give the same float32 numbers."""
    return {"cpu": cpu_model(), "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def cpu_model() -> str:
    """The CPU's model name, e.g. "Intel(R) Xeon(R) Platinum 8480+" (Linux), else what the platform names."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:  # not Linux
        pass
    return platform.processor() or platform.machine()


class GraphedStep:
    """A training step captured once as a CUDA graph (PyTorch's whole-network capture) and replayed.

    The step reads the batch from static buffers, so a call copies (x, y) in and replays. Gradients
    were set to None before capture, so the replayed backward writes them afresh, and the captured Adam
    updates the parameters and moments in place: interpolating the weights between epochs (``lerp_``)
    is seen by the next replay. The returned losses are overwritten by the next replay: use them at once.
    """

    def __init__(self, step_fn: StepFn, x: Tensor, y: Tensor) -> None:
        self.x, self.y = x.clone(), y.clone()
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.losses = step_fn(self.x, self.y)

    def __call__(self, x: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        self.x.copy_(x)
        self.y.copy_(y)
        self.graph.replay()
        return self.losses


class TrainStep:
    """``step_fn(x, y)``, or on a GPU, for full batches after :data:`GRAPH_WARMUP` warm-up steps, its CUDA graph.

    Replaying one captured graph launches the step's few hundred small kernels at once instead of one by
    one from Python; the graph runs the eager step's kernels (the optimisers must be ``capturable``). A
    batch of another size (an epoch's last, smaller one) runs eagerly. ``graphs=False`` (a cosine learning rate, or
    ``IMLP_CUDA_GRAPHS=0``) or a CPU run every step eagerly; ``enabled`` says which applies.
    """

    def __init__(self, step_fn: StepFn, device: torch.device, batch_size: int, graphs: bool = True) -> None:
        self.step_fn, self.device, self.batch_size = step_fn, device, batch_size
        self.enabled = graphs and device.type == "cuda"
        self.graph: GraphedStep | None = None  # captured after GRAPH_WARMUP eager full-batch steps
        self.full_batch_steps = 0

    def __call__(self, x: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        if not self.enabled or len(y) != self.batch_size:
            return self.step_fn(x, y)
        if self.graph is not None:
            return self.graph(x, y)
        self.full_batch_steps += 1
        if self.full_batch_steps <= GRAPH_WARMUP:  # warm up on a side stream, as capture requires
            side = torch.cuda.Stream(self.device)
            side.wait_stream(torch.cuda.current_stream(self.device))
            with torch.cuda.stream(side):
                losses = self.step_fn(x, y)
            torch.cuda.current_stream(self.device).wait_stream(side)
            return losses
        self.graph = GraphedStep(self.step_fn, x, y)
        return self.graph(x, y)
