"""The host memory of whole sweeps on the CPU, measured against the memory model (``imlp_core.memory``): for each
sweep kind (the S-CNN's merged sweep, the Mixer's alpha grid, a Table 5 pair) in float32 and bf16, the model's
components, its estimate and the measured peak (VmHWM) of ``Trainer.run`` in a fresh process, with the phase of
the run that reached it (docs/benchmarks.md, *Memory*; docs/scale-out.md, *Memory*).

    IMLP_DATASET_CIFAR10=data/cifar10-jpeg .venv/bin/python benchmarks/memory_table.py [--kinds cnn mixer table5]
        [--precisions float32 bf16] [--train-images 256] [--test-images 1000]
    .venv/bin/python benchmarks/memory_table.py --profile cpu        # the estimate of every cpu sweep (nothing runs)

Each sweep runs 2 epochs on ``--train-images`` (the peak is reached in the first steps and at the first epoch end,
whatever the number of images) with a checkpoint after every epoch, evaluating on ``--test-images`` (in batches of
``trainer.EVAL_BATCH``, the same batch as on all 10,000). Linux only (/proc/self/status, /proc/self/clear_refs); one
thread, as the processes executor's CPU workers. ``--limit-gb`` stops a child whose RSS passes it.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

SWEEPS = {  # kind: (prior, stacked I-MLPs) as the cpu profile trains them
    "cnn": ("cnn", 23), "mixer": ("mixer", 13), "table5": ("table5-mlp1", 2),
}


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]


def heap() -> tuple[int, int]:
    """(bytes in use, bytes free) in glibc's heaps (mallinfo2); (0, 0) without glibc 2.33+."""
    try:
        info = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return 0, 0
    info.restype = MallInfo2
    m = info()
    return m.uordblks + m.hblkhd, m.fordblks


def status_kb(*fields: str) -> list[int]:
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return [int(status[f].split()[0]) for f in fields]


class PhasePeaks:
    """The peak RSS (VmHWM) of each phase of a run: a phase resets VmHWM when it starts (/proc/self/clear_refs);
    what runs between phases counts as ``between``. Nested phases count towards the outermost."""

    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}
        self.seconds: dict[str, float] = {}  # each phase's time, summed
        # (phase, RSS at its start, its peak, RSS at its end, heap in use and free at its end)
        self.timeline: list[tuple[str, int, int, int, int, int]] = []
        self.depth = 0
        self.current = "start"

    def close(self) -> None:
        peak = status_kb("VmHWM")[0] * 1000
        self.peaks[self.current] = max(self.peaks.get(self.current, 0), peak)

    def wrap(self, name: str, fn: Callable) -> Callable:
        def tracked(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return fn(*args, **kwargs)
            self.close()
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
            self.current, self.depth = name, 1
            before, start = status_kb("VmRSS")[0] * 1000, time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.close()
                rss, peak = (kb * 1000 for kb in status_kb("VmRSS", "VmHWM"))
                if len(self.timeline) < 400:
                    self.timeline.append((name, before, peak, rss, *heap()))
                self.current, self.depth = "between", 0
                Path("/proc/self/clear_refs").write_text("5")
        return tracked


def watchdog(limit_bytes: int) -> None:
    """End this process when its RSS passes ``limit_bytes`` (a shared machine: never go far past the limit)."""
    def watch() -> None:
        while True:
            if status_kb("VmRSS")[0] * 1000 > limit_bytes:
                print(json.dumps({"error": f"RSS passed {limit_bytes / 1e9:.1f} GB"}), flush=True)
                os._exit(3)
            time.sleep(0.02)
    threading.Thread(target=watch, daemon=True).start()


def child(args: argparse.Namespace) -> None:
    """Train one sweep with ``Trainer.run`` and print its phases' peaks and the model's components as JSON."""
    import torch

    from imlp_core.interpolate import AlphaSchedule
    from imlp_core.profiles import ALPHA_GRID
    from imlp_core.settings import Settings
    from imlp_core.sweep import SweepConfig
    from imlp_core.trainer import Trainer

    torch.set_num_threads(1)
    if args.limit_gb:
        watchdog(int(args.limit_gb * 1e9))
    phases = PhasePeaks()
    schedules = [AlphaSchedule("constant", ALPHA_GRID[i % len(ALPHA_GRID)]) if i < len(ALPHA_GRID)
                 else AlphaSchedule("decay", (i + 1) / (args.models + 2), k=1.0) for i in range(args.models)]
    sweep = SweepConfig(args.prior, args.dataset, epochs=args.epochs, batch_size=128, train_subset=args.train_images,
                        test_subset=args.test_images, lr=1e-3, precision=args.precision)
    # a checkpoint at every epoch end but the last, as a long sweep writes them
    settings = replace(Settings.from_environment().training, checkpoint_every_s=0.0)
    with tempfile.TemporaryDirectory(prefix="imlp-memory-", dir=args.scratch) as folder:
        start = time.perf_counter()
        trainer = phases.wrap("build", Trainer)(sweep, schedules, Path(folder) / "checkpoint.pt",
                                                torch.device("cpu"), False, settings)
        trainer.train_step = phases.wrap("train step", trainer.train_step)
        trainer.evaluate = phases.wrap("evaluate", trainer.evaluate)
        trainer.interpolate = phases.wrap("pull (measured)", trainer.interpolate)
        trainer.save_checkpoint = phases.wrap("checkpoint", trainer.save_checkpoint)
        trainer.history.divergence.check = phases.wrap("divergence check", trainer.history.divergence.check)
        trainer.history.records = phases.wrap("records", trainer.history.records)
        trainer.run()
        phases.close()
        seconds = time.perf_counter() - start
    from imlp_core.plan import PlannedSweep
    try:
        from imlp_core.memory import sweep_memory
    except ImportError:  # a checkout from before the memory model: its peaks only
        components = None
    else:
        components = sweep_memory(PlannedSweep(sweep, tuple(schedules), ("memory_table",)),
                                  len(trainer.data.train_labels), len(trainer.data.test_labels))
    print(json.dumps({"peaks": phases.peaks, "timeline": phases.timeline, "components": components,
                      "seconds": seconds, "phase_seconds": phases.seconds}), flush=True)


def measure(prior: str, models: int, precision: str, train_images: int, test_images: int | None,
            dataset: str = "cifar10", epochs: int = 2, limit_gb: float | None = None,
            env: dict[str, str] | None = None, scratch: str = ".") -> dict[str, Any]:
    """One sweep's phases' peaks and the model's components (``child``), in a fresh process."""
    command = [sys.executable, __file__, "--child", "--prior", prior, "--models", str(models), "--precision",
               precision, "--train-images", str(train_images), "--dataset", dataset, "--epochs", str(epochs),
               "--scratch", scratch, *(["--test-images", str(test_images)] if test_images else []),
               *(["--limit-gb", str(limit_gb)] if limit_gb else [])]
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-3000:]}")
    return json.loads(lines[-1])


def gb(n: float) -> str:
    return f"{n / 1e9:.2f}"


def profile_rows(profile: str, budget: int | None) -> list[dict[str, Any]]:
    """The estimate of every distinct sweep of ``profile`` and the stacks ``budget`` (bytes) cuts it into."""
    from imlp_core.memory import cut_to_budget, estimated_bytes
    from imlp_core.plan import profile_plan
    from imlp_core.profiles import resolve_profile

    rows = []
    for planned in profile_plan(resolve_profile(profile)):
        stacks = cut_to_budget(planned, budget) if budget else [planned]
        rows.append({"prior": planned.sweep.prior, "precision": planned.sweep.precision,
                     "models": len(planned.schedules), "estimate GB": gb(estimated_bytes(planned)),
                     "stacks": "+".join(str(len(s.schedules)) for s in stacks),
                     "largest stack GB": gb(max(map(estimated_bytes, stacks)))})
    return [dict(row) for row in dict.fromkeys(tuple(row.items()) for row in rows)]


def peak_rows(kinds: Sequence[str], precisions: Sequence[str], models: int | None = None, train_images: int = 256,
              test_images: int | None = 1000, dataset: str = "cifar10", epochs: int = 2, limit_gb: float | None = None,
              scratch: str = ".") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each kind's sweep in each precision measured (:func:`measure`) against the model: (the table's rows, the
    measurements)."""
    rows, results = [], []
    for kind in kinds:
        prior, default_models = SWEEPS[kind]
        for precision in precisions:
            m = measure(prior, models or default_models, precision, train_images, test_images, dataset, epochs,
                        limit_gb, scratch=scratch)
            results.append({"kind": kind, "prior": prior, "models": models or default_models, "precision": precision,
                            **m})
            peak_phase = max(m["peaks"], key=m["peaks"].get)
            comp = m["components"]
            rows.append({"sweep": kind, "models": models or default_models, "precision": precision,
                         **{c: gb(comp[c]) for c in COLUMNS}, "estimate": gb(comp["total"]),
                         "measured": gb(m["peaks"][peak_phase]), "at": peak_phase,
                         "off": f"{m['peaks'][peak_phase] / comp['total'] - 1:+.0%}"})
            print(json.dumps(results[-1]), flush=True)
    return rows, results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prior", default="mixer", help=argparse.SUPPRESS)
    parser.add_argument("--models", type=int, default=None, help="stacked I-MLPs (default: the cpu profile's)")
    parser.add_argument("--precision", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--kinds", nargs="+", default=list(SWEEPS), choices=list(SWEEPS))
    parser.add_argument("--precisions", nargs="+", default=["float32", "bf16"])
    parser.add_argument("--train-images", type=int, default=256)
    parser.add_argument("--test-images", type=int, default=1000)
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit-gb", type=float, default=None, help="stop a child whose RSS passes this")
    parser.add_argument("--scratch", default=".", help="where the checkpoints go")
    parser.add_argument("--profile", default=None, help="print the estimates of this profile's sweeps; run nothing")
    parser.add_argument("--memory-budget", type=float, default=None, help="GB per sweep, for --profile's stacks")
    parser.add_argument("--json", default=None, help="write the measurements here")
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    from tabulate import tabulate

    if args.profile:
        budget = int(args.memory_budget * 1e9) if args.memory_budget else None
        print(tabulate(profile_rows(args.profile, budget), headers="keys"))
        return
    rows, results = peak_rows(args.kinds, args.precisions, args.models, args.train_images, args.test_images,
                              args.dataset, args.epochs, args.limit_gb, args.scratch)
    print(tabulate(rows, headers="keys"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


COLUMNS = ("runtime", "data", "weights", "adam", "prior", "snapshots", "gradients", "activations", "epoch end", "slack")

if __name__ == "__main__":
    main()
