"""`make bench`: how fast the engine trains, side by side with the usual way, on this machine (issue 6).

Every number is the median over ``--repeats`` timed repetitions after one untimed warm-up, with
``torch.cuda.synchronize`` around each on a GPU. The engine is timed through ``Trainer.train_epoch``
itself (uint8 data on the device, ``augment_batch``, stacked I-MLPs, Adam) on a synthetic dataset of
``--steps`` batches of 128: image content does not change the cost of a step.

1. Throughput: images/s of one training step of one prior + one I-MLP (K = 1), engine against
   ``naive_reference.py`` (PIL + torchvision transforms + DataLoader + nn.Sequential).
   ``speed-up`` = naive time / engine time: above 1 the engine is faster.
2. Sweep: K I-MLPs (one per alpha) batched in one process against K separate K = 1 runs (each with
   its own prior, as separate runs have). ``speed-up`` = K * t(K=1) / t(K), i.e. images/s per trained
   model batched over separate; the epoch columns extrapolate the timed steps to a CIFAR-10 epoch.
3. FLOP/s: matmul + convolution FLOPs counted from the layer shapes (forward 2 * in * out per sample
   per linear, 2 * C_in / groups * k^2 * C_out * H_out * W_out per convolution; backward = 2 x forward),
   divided by the step time, against the peak of a large square matmul in the same dtype timed here.
4. Interpolation: ``interpolate_`` (W_P of every layer from the prior + the lerp) once per epoch with K
   models, both W_F constructions for the CNN, and the raw conversions (``bench_conversions``). On a
   CPU, 4c times the K-model step with glibc's large allocations kept in the heap (the engine's
   default) against glibc's default, each in a fresh process. On a GPU, item 3 times the eager step
   beside the CUDA-graph replay the engine uses, and bf16 autocast beside TF32.
5. Profiles: projected wall time of each profile's sweeps = epochs x (steps x step time + test images x
   evaluation time per image + interpolation), with step, evaluation and interpolation costs linear in K
   fitted to two measured K; measured times from ``--measured FILE`` (JSON {profile: seconds}) or the
   training seconds (``wall_time_s``) of the run records in results/runs made on this device type.
6. Each sweep kind of the ``cpu`` profile against the machine's limit: training FLOP/s against the matmul peak
   in float32 and bf16 at one thread and two, and the non-training share of the kind's sweep run end to end
   (``sweep_kinds.py``; needs the CIFAR-10 images, see ``imlp_core.data.find_shared_cifar10``).
7. Memory on the CPU: each sweep kind's peak RSS in a fresh process, float32 and bf16, against the memory model
   (``memory_table.py``), and every ``cpu`` sweep's estimate with the stacks a 16 GB machine's budget cuts it into
   (6.5 GB per worker with two workers, ``memory.default_budget``).

    .venv/bin/python benchmarks/bench.py [--device cpu|cuda|auto] [--threads N] [--quick] [--steps N]
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pandas as pd
import torch

from bench_conversions import time_conversions
from flops import forward_flops_per_sample, matmul_peak, median_seconds, training_flops_per_step
from naive_reference import NaiveRun
import memory_table
import sweep_kinds
from imlp_core import data as datasets
from imlp_core import models
from imlp_core.interpolate import AlphaSchedule, interpolate_
from imlp_core.paths import results_dir, runs_dir
from imlp_core.profiles import resolve_profile
from imlp_core.settings import Settings
from imlp_core.profiles import PROFILES, Profile
from imlp_core.results import atomic_write_bytes, environment_info, read_record
from imlp_core.devices import GraphedStep, TrainStep, resolve_device
from imlp_core.sweep import SweepConfig
from imlp_core.trainer import EVAL_BATCH, Trainer, stacked_cross_entropy, step

BATCH = 128  # Appendix E
SPLIT_SIZES = {"cifar10": (50_000, 10_000), "cifar100": (50_000, 10_000), "synthetic": (5_000, 1_000),
               "synthetic100": (5_000, 1_000)}
STEPS_PER_CIFAR10_EPOCH = math.ceil(50_000 / BATCH)
# memory.default_budget(2) on a 16 GB machine, about 14.5 GB available after its OS: 90 % of it shared by two workers
SIXTEEN_GB_BUDGET = int(0.9 * 14.5e9 / 2)


# -- timing ---------------------------------------------------------------------------------------
class NoBar:
    def update(self) -> None:
        pass


def engine(prior: str, num_models: int, args: argparse.Namespace) -> Trainer:
    """A Trainer of ``prior`` and K = ``num_models`` I-MLPs on ``args.steps`` batches of synthetic images."""
    sweep = SweepConfig(prior, "synthetic", epochs=1, train_subset=args.steps * BATCH, test_subset=args.eval_images)
    schedules = [AlphaSchedule("constant", k / num_models) for k in range(num_models)]
    return Trainer(sweep, schedules, Path(args.workdir) / "checkpoint.pt", args.device, progress=False,
                   settings=args.settings.training)


def step_seconds(trainer: Trainer, args: argparse.Namespace) -> float:
    """Median seconds per training step of ``trainer``'s epoch of ``args.steps`` batches."""
    return median_seconds(lambda: trainer.train_epoch(0, NoBar()), args.device, args.repeats) / args.steps


def engine_costs(trainer: Trainer, args: argparse.Namespace) -> dict:
    """Seconds per training step, per evaluated test image and per interpolation of ``trainer``'s sweep.

    On a GPU the engine replays its step as a CUDA graph; ``eager_step_s`` times the same step without.
    """
    alphas = [s.alpha for s in trainer.schedules]
    costs = {"step_s": step_seconds(trainer, args),
             "eval_s_per_image": median_seconds(trainer.evaluate, args.device, args.repeats) / args.eval_images,
             "interp_s": median_seconds(lambda: interpolate_(trainer.mlp, trainer.prior, alphas, **trainer.interpolation),
                                        args.device, args.repeats)}
    if trainer.train_step.enabled:
        with graphs_off(trainer):
            costs["eager_step_s"] = step_seconds(trainer, args)
    return costs


@contextmanager
def graphs_off(trainer: Trainer):
    trainer.train_step.enabled = False
    try:
        yield
    finally:
        trainer.train_step.enabled = True


@contextmanager
def precision(trainer: Trainer, name: str):
    """The trainer with another precision (its CUDA graph captured afresh), restored afterwards."""
    saved = trainer.sweep, trainer.train_step
    trainer.sweep = replace(trainer.sweep, precision=name)
    trainer.train_step = TrainStep(trainer.eager_step, trainer.device, trainer.sweep.batch_size)
    try:
        yield trainer
    finally:
        trainer.sweep, trainer.train_step = saved


def release(*objects) -> None:
    del objects
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# -- 1. throughput against the naive reference ------------------------------------------------------
def throughput(args: argparse.Namespace, costs: dict) -> list[dict]:
    data = datasets.load_dataset("synthetic", train_subset=max(args.steps, 4) * BATCH)
    rows = []
    for prior in ("cnn", "mixer"):
        engine_s = costs[prior, 1]["step_s"]
        rows.append(dict(prior=prior, method="engine (K = 1)", step_ms=1e3 * engine_s))
        for workers in args.workers:
            run = NaiveRun(prior, data.train_images, data.train_labels, data.mean, data.std, data.num_classes,
                           BATCH, workers, args.device)
            naive_s = median_seconds(lambda: [run.step() for _ in range(args.steps)], args.device, args.repeats) / args.steps
            rows.append(dict(prior=prior, method=f"naive, DataLoader num_workers={workers}", step_ms=1e3 * naive_s))
            release(run)
    for row in rows:
        row["images_per_s"] = BATCH / (row["step_ms"] / 1e3)
        row["engine_speedup"] = row["step_ms"] / (1e3 * costs[row["prior"], 1]["step_s"])
    return rows


# -- 2. batched sweep against separate runs ------------------------------------------------------------
def sweep_speedup(args: argparse.Namespace, costs: dict) -> list[dict]:
    rows = []
    k = args.models
    for prior in ("cnn", "mixer"):
        one, batched = costs[prior, 1]["step_s"], costs[prior, k]["step_s"]
        rows.append(dict(prior=prior, K=k, separate_step_ms=1e3 * k * one, batched_step_ms=1e3 * batched,
                         separate_img_per_s_per_model=BATCH / one, batched_img_per_s_per_model=k * BATCH / batched,
                         speedup=k * one / batched,
                         cifar10_epoch_separate_s=STEPS_PER_CIFAR10_EPOCH * k * one,
                         cifar10_epoch_batched_s=STEPS_PER_CIFAR10_EPOCH * batched))
    return rows


# -- 3. achieved FLOP/s against the measured matmul peak -------------------------------------------------
def mlp_step_seconds(trainer: Trainer, args: argparse.Namespace) -> float:
    """One Adam step of the K stacked I-MLPs alone on a fixed batch (a CUDA graph replay on a GPU)."""
    data = trainer.data
    x = datasets.normalize(data.train_images[:BATCH], data.mean, data.std)
    y = data.train_labels[:BATCH]

    def mlp_step(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor]:
        with trainer.autocast():
            loss = stacked_cross_entropy(trainer.mlp(x), y)
        return (step(trainer.mlp_opt, loss),)

    run = GraphedStep(mlp_step, x, y) if trainer.train_step.enabled else mlp_step
    return median_seconds(lambda: [run(x, y) for _ in range(args.steps)], args.device, args.repeats) / args.steps


def flops(args: argparse.Namespace, trainers: dict, costs: dict) -> list[dict]:
    peaks = {"float32": matmul_peak(args.device, torch.float32, args.repeats)}
    if args.device.type == "cuda":
        peaks["tf32"] = matmul_peak(args.device, torch.float32, args.repeats, tf32=True)
        peaks["bf16"] = matmul_peak(args.device, torch.bfloat16, args.repeats)
    rows = []
    for prior in ("cnn", "mixer"):
        trainer = trainers[prior]
        mlp_flop = 3 * BATCH * forward_flops_per_sample(trainer.mlp)
        step_flop = training_flops_per_step(trainer.prior, trainer.mlp, BATCH)
        float32 = "tf32" if args.device.type == "cuda" else "float32"  # the Trainer's float32 on a GPU is TF32
        cost = costs[prior, args.models]
        timed = [(float32, f"prior + {args.models} I-MLPs", step_flop, cost["step_s"]),
                 (float32, f"{args.models} I-MLPs alone", mlp_flop, mlp_step_seconds(trainer, args))]
        if trainer.train_step.enabled:
            timed.insert(1, (float32, f"prior + {args.models} I-MLPs, eager (no CUDA graph)", step_flop,
                             cost["eager_step_s"]))
        if args.device.type == "cuda":
            with precision(trainer, "bf16"):
                timed += [("bf16", f"prior + {args.models} I-MLPs, bf16 autocast", step_flop, step_seconds(trainer, args)),
                          ("bf16", f"{args.models} I-MLPs alone, bf16 autocast", mlp_flop,
                           mlp_step_seconds(trainer, args))]
        for dtype, workload, flop, seconds in timed:
            rows.append(dict(prior=prior, workload=workload, gflop_per_step=flop / 1e9, step_ms=1e3 * seconds,
                             achieved_gflop_s=flop / seconds / 1e9, peak_dtype=dtype,
                             peak_gflop_s=peaks[dtype] / 1e9, fraction_of_peak=flop / seconds / peaks[dtype]))
    return rows


# -- 4. interpolation cost per epoch -------------------------------------------------------------------
def interpolation(args: argparse.Namespace, trainers: dict, costs: dict) -> tuple[list[dict], list[dict]]:
    rows = []
    for prior in ("cnn", "mixer"):
        epoch_s = STEPS_PER_CIFAR10_EPOCH * costs[prior, args.models]["step_s"]
        methods = {"index (cached map)": costs[prior, args.models]["interp_s"]}
        if prior == "cnn":
            trainer = trainers[prior]
            alphas = [s.alpha for s in trainer.schedules]
            probe = functools.partial(models.conv2d_to_dense, method="probe")
            with mock.patch.object(models, "conv2d_to_dense", probe):
                methods["probe"] = median_seconds(lambda: interpolate_(trainer.mlp, trainer.prior, alphas),
                                                  args.device, args.repeats)
        for method, seconds in methods.items():
            rows.append(dict(prior=prior, K=args.models, W_construction=method if prior == "cnn" else "Eq. 5",
                             interpolate_ms=1e3 * seconds, share_of_cifar10_epoch=seconds / (seconds + epoch_s)))
    conversions = time_conversions(args.device, repeats=args.repeats)
    for record in conversions:
        record["dense_shape"] = list(record["dense_shape"])
    return rows, conversions


# -- 4c. CPU: glibc's large allocations kept in the heap ------------------------------------------------
HEAP_PROBE_STEPS = 3


def heap_lever(args: argparse.Namespace) -> list[dict]:
    """The K-model step with large allocations kept in the heap (``keep_large_allocations_in_heap``, the
    engine's default on a CPU) against glibc's default, each timed in a fresh process (the setting is global)."""
    rows = []
    for prior in ("cnn", "mixer"):
        row = {"prior": prior, "K": args.models, "steps": HEAP_PROBE_STEPS}
        for column, heap in (("heap_step_ms", "1"), ("glibc_default_step_ms", "0")):
            command = [sys.executable, __file__, "--device", "cpu", "--threads", str(args.threads), "--repeats",
                       str(args.repeats), "--steps", str(HEAP_PROBE_STEPS), "--heap-probe", prior, str(args.models)]
            child = subprocess.run(command, env={**os.environ, "IMLP_CPU_HEAP": heap}, capture_output=True, text=True,
                                   check=True)
            row[column] = 1e3 * json.loads(child.stdout.splitlines()[-1])["step_s"]
        row["speedup"] = row["glibc_default_step_ms"] / row["heap_step_ms"]
        rows.append(row)
    return rows


def heap_probe(args: argparse.Namespace) -> None:
    """The child of :func:`heap_lever`: one JSON line with the engine's step time for (prior, K)."""
    prior, k = args.heap_probe
    with tempfile.TemporaryDirectory() as workdir:
        args.workdir = workdir
        trainer = engine(prior, int(k), args)
        print(json.dumps({"step_s": step_seconds(trainer, args)}))


# -- 5. projected and measured wall time of each profile --------------------------------------------------
def profile_sweeps(profile: Profile) -> list[dict]:
    """Every sweep a profile trains (``imlp_core.experiments``), assuming each experiment runs on every dataset."""
    sweeps = []
    for dataset in profile.datasets:
        for seed in profile.seeds:
            for experiment, prior, k in (("cnn", "cnn", len(profile.alphas)), ("mixer", "mixer", len(profile.alphas)),
                                         ("schedules", "cnn", 3 + len(profile.decay_ks)),
                                         ("first_layer", "table5-mlp1", 2), ("first_layer", "table5-mlp2", 2)):
                budget = profile.budget(experiment)
                n_train, n_test = SPLIT_SIZES[dataset]
                sweeps.append(dict(experiment=experiment, prior=prior, K=k, dataset=dataset, seed=seed,
                                   epochs=budget.epochs, train=budget.train_subset or n_train,
                                   test=budget.test_subset or n_test))
    return sweeps


def linear_in_k(costs: dict, prior: str, k: int) -> dict:
    """Step, evaluation and interpolation cost at K = ``k``, on the line through the two measured K."""
    (k1, c1), (k2, c2) = sorted((key[1], value) for key, value in costs.items() if key[0] == prior)
    return {name: c1[name] + (c2[name] - c1[name]) * (k - k1) / (k2 - k1) for name in c1}


def measured_seconds(args: argparse.Namespace) -> dict[str, tuple[float, str]]:
    """Measured seconds per profile: from ``--measured`` or the training time of the stored run records."""
    if args.measured:
        return {name: (float(s), f"--measured {args.measured}") for name, s in json.loads(Path(args.measured).read_text()).items()}
    sweeps: dict[str, dict[str, float]] = {}
    for path in sorted(runs_dir(args.output_root).glob("*.json")):
        record = read_record(path)
        if record is None or not record["environment"]["device"].startswith(args.device.type):
            continue
        config = {key: value for key, value in record["config"].items() if key != "schedule"}
        for profile in PROFILES.values():
            budgets = {(b.epochs, b.train_subset, b.test_subset) for b in profile.budgets.values()}
            if (config["dataset"] in profile.datasets and config["seed"] in profile.seeds
                    and (config["epochs"], config["train_subset"], config["test_subset"]) in budgets):
                sweeps.setdefault(profile.name, {})[json.dumps(config, sort_keys=True)] = record["wall_time_s"]
    return {name: (sum(s.values()), f"training time of {len(s)} stored sweeps") for name, s in sweeps.items()}


def profiles(args: argparse.Namespace, costs: dict) -> list[dict]:
    measured = measured_seconds(args)
    rows = []
    for profile in PROFILES.values():
        total = 0.0
        for sweep in profile_sweeps(profile):
            if not any(key[0] == sweep["prior"] for key in costs):
                continue  # --quick does not time the Table 5 priors
            cost = linear_in_k(costs, sweep["prior"], sweep["K"])
            epoch_s = (math.ceil(sweep["train"] / BATCH) * cost["step_s"] + sweep["test"] * cost["eval_s_per_image"]
                       + cost["interp_s"])
            total += sweep["epochs"] * epoch_s
        seconds, source = measured.get(profile.name, (None, ""))
        rows.append(dict(profile=profile.name, sweeps=len(profile_sweeps(profile)),
                         trained_models=sum(s["K"] for s in profile_sweeps(profile)),
                         projected_min=total / 60, measured_min=None if seconds is None else seconds / 60,
                         measured_source=source))
    return rows


# -- main --------------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="torch CPU threads")
    parser.add_argument("--steps", type=int, default=10, help="timed training steps per repetition (<= 39)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (median reported)")
    parser.add_argument("--models", type=int, default=12, help="K, the I-MLPs of the batched sweep")
    parser.add_argument("--quick", action="store_true",
                        help="smoke check: 1 step, 1 repeat, K = 2, no Table 5 priors (< 1 min)")
    parser.add_argument("--measured", default=None, help="JSON {profile: measured seconds}")
    parser.add_argument("--heap-probe", nargs=2, metavar=("PRIOR", "K"), help=argparse.SUPPRESS)  # heap_lever's child
    args = parser.parse_args()
    if args.quick:
        args.steps, args.repeats, args.models = 1, 1, 2
    if not 1 <= args.steps <= SPLIT_SIZES["synthetic"][0] // BATCH:
        parser.error(f"--steps must be in 1..{SPLIT_SIZES['synthetic'][0] // BATCH} (the synthetic train split)")
    if args.models < 2:
        parser.error("--models must be >= 2 (it is compared with K = 1)")
    args.device = resolve_device(args.device)
    args.settings = Settings.from_environment()  # this script's door: IMLP_CPU_HEAP (heap_lever's children), ...
    args.output_root = args.settings.output_root(resolve_profile(args.settings.profile).name)
    args.eval_images = 100 if args.quick else EVAL_BATCH
    args.workers = (0,) if args.quick else (0, 2)
    return args


def print_table(title: str, rows: list[dict], columns: list[str] | None = None) -> None:
    frame = pd.DataFrame(rows)
    print(f"\n## {title}\n{frame[columns or frame.columns].to_markdown(index=False, floatfmt='.3g')}")


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    if args.heap_probe:
        return heap_probe(args)
    started = time.perf_counter()
    environment = environment_info(args.device)
    print(f"device {environment['device']}, {args.threads} threads, torch {torch.__version__}; "
          f"{args.steps} steps x {args.repeats} repeats (median), K = {args.models}, batch {BATCH}")
    # Every Trainer draws the same synthetic split: generate it once.
    cached_load = functools.lru_cache(datasets.load_dataset)
    with tempfile.TemporaryDirectory() as workdir, mock.patch.object(datasets, "load_dataset", cached_load):
        args.workdir = workdir
        costs, trainers = {}, {}
        for prior, ks in (("cnn", (1, args.models)), ("mixer", (1, args.models)),
                          *([] if args.quick else [("table5-mlp1", (1, 2)), ("table5-mlp2", (1, 2))])):
            for k in ks:
                trainer = engine(prior, k, args)
                costs[prior, k] = engine_costs(trainer, args)
                print(f"  engine {prior:>11} K = {k:>2}: {1e3 * costs[prior, k]['step_s']:8.1f} ms/step", flush=True)
                if k == args.models:
                    trainers[prior] = trainer  # kept for items 3 and 4
                else:
                    release(trainer)
        results = {"throughput": throughput(args, costs), "sweep": sweep_speedup(args, costs),
                   "flops": flops(args, trainers, costs)}
        results["interpolation"], results["conversions"] = interpolation(args, trainers, costs)
        trainers.clear()
        release()
        if args.device.type == "cpu" and not args.quick:
            results["cpu_heap"] = heap_lever(args)
        results["profiles"] = profiles(args, costs)
    if args.device.type == "cpu" and not args.quick:
        results.update({f"cpu_profile_{name}": rows for name, rows in sweep_kinds.main([]).items()})
        with tempfile.TemporaryDirectory(prefix="imlp-bench-memory-") as scratch:
            results["cpu_memory"], _ = memory_table.peak_rows(list(memory_table.SWEEPS), ("float32", "bf16"),
                                                              scratch=scratch)
        results["cpu_memory_stacks"] = memory_table.profile_rows("cpu", SIXTEEN_GB_BUDGET)
    print_table("1. Training throughput, one prior + one I-MLP per step (images/s per trained model)",
                results["throughput"])
    print_table(f"2. Batched sweep of K = {args.models} against {args.models} separate K = 1 runs "
                f"(timed {args.steps} steps; CIFAR-10 epoch = {STEPS_PER_CIFAR10_EPOCH} steps, extrapolated)",
                results["sweep"])
    print_table("3. Achieved matmul + convolution FLOP/s (backward = 2 x forward) against the measured matmul peak",
                results["flops"])
    print_table(f"4. Interpolation once per epoch, K = {args.models} (share: of a CIFAR-10 epoch of the batched sweep)",
                results["interpolation"])
    conversions = pd.DataFrame(results["conversions"]).groupby(["model", "method"], sort=False)["ms"].sum().reset_index()
    print_table("4b. Raw dense conversions, all layers of one prior (bench_conversions.time_conversions), ms",
                conversions.to_dict("records"))
    if "cpu_heap" in results:
        print_table(f"4c. CPU step of K = {args.models}, large allocations kept in the heap (the engine's default) "
                    "against glibc's default, each in a fresh process", results["cpu_heap"])
    print_table("5. Wall time of each profile on this device (projected: every experiment on every dataset"
                + ("; without Table 5's sweeps, which --quick does not time)" if args.quick else ")"),
                results["profiles"])
    if "cpu_profile_flops" in results:
        print_table("6a. Each sweep kind of the cpu profile: training FLOP/s against the matmul peak measured here, "
                    "float32 and bf16, one thread and two (benchmarks/sweep_kinds.py)", results["cpu_profile_flops"])
        print_table("6b. Each sweep kind of the cpu profile end to end on the real images: seconds per phase, and the "
                    "non-training share at the budget's epochs", results["cpu_profile_phases"])
    if "cpu_memory" in results:
        print_table("7a. Peak RSS of each sweep kind (2 epochs of 256 images, one thread, a fresh process) against the "
                    "memory model's estimate, GB (benchmarks/memory_table.py)", results["cpu_memory"])
        print_table(f"7b. Every cpu sweep's estimated peak, and its stacks under a 16 GB machine's budget of "
                    f"{SIXTEEN_GB_BUDGET / 1e9:.1f} GB per worker (two workers)", results["cpu_memory_stacks"])
    elapsed = time.perf_counter() - started
    print(f"\nbenchmark took {elapsed:.0f} s")
    settings = {"steps": args.steps, "repeats": args.repeats, "models": args.models, "batch": BATCH,
                "threads": args.threads, "quick": args.quick, "eval_images": args.eval_images, "elapsed_s": elapsed}
    path = results_dir(args.output_root) / "benchmarks.json"
    payload = {"environment": environment_info(args.device), "settings": settings, **results}  # after the Trainers' CUDA set-up
    atomic_write_bytes(path, json.dumps(payload, indent=1, default=str).encode())
    print(f"written to {path}")


if __name__ == "__main__":
    main()
