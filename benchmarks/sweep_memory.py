"""Host memory of a sweep's epoch end, step by step: the peak RSS each step adds (VmHWM, reset between steps), on
the CPU. What `plan.estimated_bytes` and the executor's memory ledger rest on (docs/scale-out.md, *Memory*).

    IMLP_DATASET_CIFAR10=data/cifar10-jpeg .venv/bin/python benchmarks/sweep_memory.py [--prior mixer]
        [--models 13] [--train-images 256] [--epochs 2]

Linux only (/proc/self/status, /proc/self/clear_refs). One thread, as the processes executor's CPU workers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import torch
from tqdm import tqdm

from imlp_core.interpolate import AlphaSchedule, interpolate_
from imlp_core.profiles import ALPHA_GRID
from imlp_core.sweep import SweepConfig
from imlp_core.trainer import Trainer


def memory_gb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in GB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1e6, int(status["VmHWM"].split()[0]) / 1e6


def measured(name: str, step: Callable[[], Any]) -> Any:
    """Run ``step`` and print the RSS before and after it and the peak it reached."""
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before, start = memory_gb()[0], time.perf_counter()
    result = step()
    after, peak = memory_gb()
    print(f"{name:26s} RSS {before:6.2f} -> {after:6.2f} GB   peak {peak:6.2f} GB (+{peak - before:5.2f})   "
          f"{time.perf_counter() - start:6.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prior", default="mixer")
    parser.add_argument("--models", type=int, default=len(ALPHA_GRID), help="stacked I-MLPs (the alpha grid's)")
    parser.add_argument("--train-images", type=int, default=256, help="the cpu profile's Mixer trains on 3000")
    parser.add_argument("--epochs", type=int, default=2, help="epoch ends replayed")
    args = parser.parse_args()
    torch.set_num_threads(1)
    alphas = [ALPHA_GRID[i % len(ALPHA_GRID)] for i in range(args.models)]
    sweep = SweepConfig(args.prior, "cifar10", epochs=max(args.epochs, 2), batch_size=128, train_subset=args.train_images, lr=1e-3,
                        curve_test_subset=2000)
    with tempfile.TemporaryDirectory(prefix="imlp-memory-", dir=".") as folder:
        trainer = measured("build", lambda: Trainer(sweep, [AlphaSchedule("constant", a) for a in alphas],
                                                    Path(folder) / "checkpoint.pt", torch.device("cpu"), False))
        bar = tqdm(disable=True)
        for epoch in range(args.epochs):
            losses = measured(f"epoch {epoch + 1}: train_epoch", lambda: trainer.train_epoch(epoch, bar))
            measured("divergence.check", lambda: trainer.history.divergence.check(epoch, trainer.prior, losses[0],
                                                                                  trainer.mlp, losses[1]))
            if epoch == 0:
                measured("evaluate (all test images)", lambda: trainer.evaluate(None))
            dense = measured("prior.dense_layers", trainer.prior.dense_layers)
            measured("pulls.measure", lambda: trainer.pulls.measure(dense))
            measured("interpolate_", lambda: interpolate_(trainer.mlp, trainer.prior, trainer.alphas(epoch),
                                                          **trainer.interpolation, dense=dense))
            measured("pulls.snapshot", lambda: trainer.pulls.snapshot(dense))
            measured("evaluate (curve subset)", lambda: trainer.evaluate(trainer.curve_index))
            measured("save_checkpoint", trainer.save_checkpoint)


if __name__ == "__main__":
    main()
