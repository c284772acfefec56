"""`make bench`, item 6: each sweep kind of the ``cpu`` profile against this machine's limit (issue 30 §3).

The kinds are the profile's own seed-0 sweeps (``plan.profile_plan``): the S-CNN's merged sweep (Figure 2's alphas,
Table 4's schedules and notebook 08's default, pulled once per epoch), the S-CNN pulled after every step (notebook 08),
the Mixer's alpha sweep, and Table 5's MLP-1 and MLP-2 pairs, each with its K, batch and options.

a. Training FLOP/s: the matmul + convolution FLOPs of one step of the prior and the K I-MLPs, counted from the models'
   shapes (:func:`flops.training_flops_per_step`), over the measured time of a training step, in float32 and bf16
   autocast at one thread and at two, each against the matmul peak measured here with the same dtype and threads.
b. The non-training share: one sweep of the kind run end to end on the real training images in a fresh process
   (``--phase-epochs`` epochs of its budget, at two threads), its wall time split into training steps, pulls,
   evaluation, checkpoints, decoding the images and the rest (start-up, imports, records); then extrapolated to the
   budget's epochs, every per-epoch part scaled by its count (the curve evaluations of the epochs before the last,
   the pulls, the steps), the once-per-sweep parts kept.

    IMLP_DATASET_CIFAR10=data/cifar10-jpeg .venv/bin/python benchmarks/sweep_kinds.py [--steps 3] [--phase-epochs 2]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pandas as pd
import torch
from tqdm import tqdm
from flops import matmul_peak, median_seconds, training_flops_per_step

from imlp_core import train as train_module
from imlp_core import trainer as trainer_module
from imlp_core.data import prepare_shared_cifar10
from imlp_core.devices import release_free_memory
from imlp_core.executors import die_with_parent
from imlp_core.plan import PlannedSweep, profile_plan
from imlp_core.profiles import PROFILES
from imlp_core.results import atomic_write_bytes, environment_info
from imlp_core.settings import Settings
from imlp_core.train import run_sweep
from imlp_core.trainer import Trainer

# name: (prior, pull interval) of the profile's seed-0 sweep with the most I-MLPs and no other option
KINDS = {"S-CNN, per epoch (03, 05, 08)": ("cnn", "epoch"), "S-CNN, per step (08)": ("cnn", 1),
         "Mixer (04)": ("mixer", "epoch"), "Table 5 MLP-1 (06)": ("table5-mlp1", "epoch"),
         "Table 5 MLP-2 (06)": ("table5-mlp2", "epoch")}
DEFAULT_OPTIONS = {"head": "interpolated", "block": "every-layer", "ln": "plain", "optimizer_state": "keep",
                   "bias": "interpolated", "lr_schedule": "constant", "precision": "float32"}


def sweep_kinds(profile: str = "cpu") -> dict[str, PlannedSweep]:
    """Each of :data:`KINDS` as the profile plans it: its seed-0 sweep with the most I-MLPs and default options."""
    plan = [p for p in profile_plan(PROFILES[profile]) if p.sweep.seed == 0
            and all(getattr(p.sweep, name) == value for name, value in DEFAULT_OPTIONS.items())]
    kinds = {}
    for name, (prior, every) in KINDS.items():
        matching = [p for p in plan if p.sweep.prior == prior and p.sweep.interpolate_every == every]
        if not matching:
            raise ValueError(f"the {profile} profile plans no {name} sweep (prior {prior}, pulls every {every})")
        kinds[name] = max(matching, key=lambda p: len(p.schedules))
    return kinds


# -- a. training FLOP/s against the matmul peak ----------------------------------------------------------
def step_trainer(planned: PlannedSweep, steps: int, workdir: Path) -> Trainer:
    """A Trainer of the kind's prior, K and options on ``steps`` batches of synthetic images (content does not
    change a step's cost), pulled once per epoch (the pulls are item b's)."""
    sweep = replace(planned.sweep, dataset="synthetic", train_subset=steps * planned.sweep.batch_size,
                    test_subset=None, curve_test_subset=None, interpolate_every="epoch")
    return Trainer(sweep, list(planned.schedules), workdir / "checkpoint.pt", torch.device("cpu"), progress=False)


@contextmanager
def threads(count: int) -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def flop_rows(kinds: dict[str, PlannedSweep], steps: int, repeats: int, thread_counts: tuple[int, ...]) -> list[dict]:
    """Achieved training FLOP/s of each kind per dtype and thread count, against the peak measured alike."""
    peaks = {}
    for count in thread_counts:
        with threads(count):
            for dtype in (torch.float32, torch.bfloat16):
                peaks[str(dtype).removeprefix("torch."), count] = matmul_peak(torch.device("cpu"), dtype, repeats)
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for name, planned in kinds.items():
            rows += kind_flop_rows(name, planned, steps, repeats, thread_counts, peaks, Path(workdir))
            gc.collect()  # the kind's Trainer (it sits in reference cycles) freed, its memory back to the system
            release_free_memory()
    return rows


def kind_flop_rows(name: str, planned: PlannedSweep, steps: int, repeats: int, thread_counts: tuple[int, ...],
                   peaks: dict[tuple[str, int], float], workdir: Path) -> list[dict]:
    """:func:`flop_rows` of one kind (its Trainer freed on return)."""
    trainer = step_trainer(planned, steps, workdir)
    flop = training_flops_per_step(trainer.prior, trainer.mlp, planned.sweep.batch_size)
    rows = []
    for precision in ("float32", "bf16"):
        trainer.sweep = replace(trainer.sweep, precision=precision)  # autocast reads it at every step
        for count in thread_counts:
            with threads(count):
                seconds = median_seconds(lambda: trainer.train_epoch(0, tqdm(disable=True)), torch.device("cpu"), repeats) / steps
            peak = peaks["float32" if precision == "float32" else "bfloat16", count]
            rows.append({"kind": name, "K": len(planned.schedules), "precision": precision, "threads": count,
                         "gflop_per_step": flop / 1e9, "step_ms": 1e3 * seconds,
                         "achieved_gflop_s": flop / seconds / 1e9, "peak_gflop_s": peak / 1e9,
                         "ratio_to_peak": flop / seconds / peak})
            print(f"  {name:30s} {precision:7s} {count} thread(s): {flop / seconds / 1e9:6.1f} GFLOP/s, "
                  f"{flop / seconds / peak:.2f} of the peak", flush=True)
    return rows


# -- b. the non-training share ------------------------------------------------------------------------
PHASES = {"training steps": (Trainer, "train_epoch"), "pulls": (Trainer, "interpolate"),
          "evaluation": (Trainer, "evaluate"), "checkpoints": (Trainer, "save_checkpoint"),
          "decoding the images": (trainer_module, "load_dataset"), "records": (train_module, "write_record")}


class PhaseClock:
    """Exclusive seconds per phase: a phase called inside another (a pull inside an epoch, the evaluation inside a
    pull's measurement) is counted in its own phase only. Also counts the calls and the images each evaluation saw."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.evaluated: list[int] = []
        self._stack: list[list[float]] = []  # [start, seconds spent in nested phases]

    def timed(self, phase: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            self._stack.append([time.perf_counter(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                start, nested = self._stack.pop()
                spent = time.perf_counter() - start
                self.seconds[phase] += spent - nested
                self.calls[phase] += 1
                if self._stack:
                    self._stack[-1][1] += spent
                if phase == "evaluation":
                    index = kwargs.get("index", args[1] if len(args) > 1 else None)
                    self.evaluated.append(len(args[0].data.test_labels) if index is None else len(index))
        return wrapper


def run_phases(planned: PlannedSweep, epochs: int) -> dict:
    """Train the kind's sweep for ``epochs`` epochs into a temporary store, timing its phases (:class:`PhaseClock`)."""
    sweep = replace(planned.sweep, epochs=epochs)
    clock = PhaseClock()
    with ExitStack() as stack:
        for phase, (owner, attribute) in PHASES.items():
            stack.enter_context(mock.patch.object(owner, attribute, clock.timed(phase, getattr(owner, attribute))))
        results = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        start = time.perf_counter()
        run_sweep(sweep, list(planned.schedules), results, device="cpu", progress=False,
                  settings=Settings.from_environment().training)  # the child's door: the data settings
        inside = time.perf_counter() - start
    return {"seconds": {phase: clock.seconds[phase] for phase in PHASES}, "calls": {phase: clock.calls[phase] for phase in PHASES}, "evaluated": clock.evaluated,
            "inside_s": inside}


def phase_row(name: str, planned: PlannedSweep, measured: dict, wall_s: float, epochs: int) -> dict:
    """The measured phases of an ``epochs``-epoch run, and their share extrapolated to the budget's epochs."""
    seconds = dict(measured["seconds"])
    seconds["start-up, imports, the rest"] = wall_s - sum(seconds.values())
    budget = planned.sweep.epochs
    scale = {"training steps": budget / epochs, "pulls": budget / epochs}
    # evaluation: the last epoch's (all test images, twice where the accuracy before the last pull is measured) once,
    # the curve evaluations of the epochs before the last once per such epoch
    evaluated = measured["evaluated"]
    full = max(evaluated)
    per_image = seconds["evaluation"] / sum(evaluated)
    curve = [n for n in evaluated if n < full]
    curve_images = sum(curve) / max(len(curve), 1) if curve else 0
    extrapolated = dict(seconds)
    for phase, factor in scale.items():
        extrapolated[phase] = seconds[phase] * factor
    extrapolated["evaluation"] = per_image * (sum(n for n in evaluated if n == full) + curve_images * (budget - 1))
    total = sum(extrapolated.values())
    return {"kind": name, "K": len(planned.schedules), "epochs_run": epochs, "wall_s": wall_s,
            **{f"{phase} s": value for phase, value in seconds.items()},
            "budget_epochs": budget, "extrapolated_min": total / 60,
            "non_training_share": 1 - extrapolated["training steps"] / total}


def phase_rows(kinds: dict[str, PlannedSweep], epochs: int) -> list[dict]:
    """Each kind's phases, each sweep in a fresh process (:func:`run_phases` there, as ``--phase-child``)."""
    training = Settings.from_environment().training
    prepare_shared_cifar10(training.data_dir, training.dataset_dirs)  # else the children read the shared copy
    rows, environment = [], {**os.environ, "OMP_NUM_THREADS": "2"}
    for name, planned in kinds.items():
        start = time.perf_counter()
        child = subprocess.run([sys.executable, __file__, "--phase-child", name, "--phase-epochs", str(epochs)],
                               check=False, capture_output=True, text=True, env=environment)
        wall = time.perf_counter() - start
        if child.returncode:
            raise RuntimeError(f"the {name} phase run failed:\n{child.stderr[-3000:]}")
        rows.append(phase_row(name, planned, json.loads(child.stdout.splitlines()[-1]), wall, epochs))
        print(f"  {name:30s} {wall:6.1f} s for {epochs} epochs; non-training share at the budget's "
              f"{planned.sweep.epochs}: {rows[-1]['non_training_share']:.0%}", flush=True)
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--steps", type=int, default=3, help="timed training steps per repetition")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (median reported)")
    parser.add_argument("--phase-epochs", type=int, default=2, help="epochs of each phase run (at least 2)")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), help="the kinds to measure (default: all)")
    parser.add_argument("--parts", nargs="+", choices=("flops", "phases"), default=["flops", "phases"],
                        help="which tables to measure")
    parser.add_argument("--write", default=None, help="also write the tables, with the machine, to this Markdown file")
    parser.add_argument("--phase-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase_epochs < 2:
        parser.error("--phase-epochs must be at least 2 (an epoch before the last and the last)")
    if unknown := set(args.kinds) - set(KINDS):
        parser.error(f"unknown kinds {sorted(unknown)}; choose among {list(KINDS)}")
    return args


def main(argv: list[str] | None = None) -> dict[str, list[dict]]:
    args = parse_args(argv)
    kinds = sweep_kinds(args.profile)
    if args.phase_child:
        die_with_parent()  # a killed benchmark takes the sweep it times with it
        torch.set_num_threads(2)
        print(json.dumps(run_phases(kinds[args.phase_child], args.phase_epochs)))
        return {}
    kinds = {name: kinds[name] for name in args.kinds}
    tables = {"flops": flop_rows(kinds, args.steps, args.repeats, (1, 2)) if "flops" in args.parts else [],
              "phases": phase_rows(kinds, args.phase_epochs) if "phases" in args.parts else []}
    environment = environment_info(torch.device("cpu"))
    text = (f"Machine: {environment['cpu']} ({environment['cpu_capability']}); torch {torch.__version__}; "
            f"{args.steps} steps x {args.repeats} repeats (median), phase runs of {args.phase_epochs} epochs\n"
            + "".join(f"\n## {title}\n\n{pd.DataFrame(rows).to_markdown(index=False, floatfmt='.3g')}\n"
                      for title, rows in tables.items() if rows))
    print(text)
    if args.write:
        atomic_write_bytes(Path(args.write), text.encode())
    return tables


if __name__ == "__main__":
    main()
