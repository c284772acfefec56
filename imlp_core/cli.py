"""The command line, ``python -m imlp_core <command>`` or the console script ``imlp <command>``; nothing imports it.

    imlp train --prior cnn --dataset cifar10 --alphas 0 0.01 1 --epochs 100    # one sweep per seed
    imlp experiments cnn mixer --profile paper --datasets cifar10 --seeds 0 1 2  # a profile's experiments
    imlp plan --profile paper                                                   # their plan; nothing trained
    imlp reproduce --profile cpu                                                # every notebook (make reproduce)
    imlp lab                                                                    # JupyterLab (make lab)

A door: each command reads the environment once (``settings.Settings.from_environment``) and passes the values down.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from imlp_core import executors, lab, plan, reproduce
from imlp_core.devices import resolve_device
from imlp_core.experiments import experiment_runs
from imlp_core.interpolate import SCHEDULE_KINDS, AlphaSchedule
from imlp_core.memory import parse_budget
from imlp_core.models import PRIORS
from imlp_core.options import CHOICES, DEFAULTS, parse_interval
from imlp_core.paths import runs_dir
from imlp_core.profiles import EXPERIMENTS, HeldOutStudy, resolve_profile
from imlp_core.atomic_writes import check_writable
from imlp_core.pauses import pause_point
from imlp_core.settings import Settings
from imlp_core.sweep import PRECISIONS, SweepConfig, check_dataset_name, check_schedules
from imlp_core.sweep_runner import run_sweep

PROG = "python -m imlp_core"


def train_command(argv: Sequence[str] | None = None) -> None:
    """``imlp train``: train (or find stored) one sweep per seed and print each run's final numbers."""
    settings = Settings.from_environment()
    parser = argparse.ArgumentParser(prog=f"{PROG} train",
                                     description="Train (or find stored) one sweep per seed: a prior and an I-MLP per "
                                                 "alpha schedule, side by side (Algorithm 1).",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--prior", required=True, choices=list(PRIORS))
    parser.add_argument("--dataset", required=True, help="cifar10, cifar100, synthetic, synthetic100 or NAME with IMLP_DATASET_<NAME>")
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.0], help="constant alphas (or alpha_test for test-time)")
    parser.add_argument("--schedule", choices=SCHEDULE_KINDS, default="constant")
    parser.add_argument("--decay-a", type=float, default=0.5, help="initial alpha a of the decay schedule")
    parser.add_argument("--decay-k", type=float, nargs="+", default=[1.0], help="decay exponents k")
    parser.add_argument("--layers", nargs="+", default=None,
                        help="all, first, or layer indices (None: the prior's interpolated layers)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--train-subset", type=int, default=None)
    parser.add_argument("--test-subset", type=int, default=None)
    parser.add_argument("--curve-test-subset", type=int, default=None,
                        help="test images for the epochs before the last (the last epoch: the whole test split)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--precision", choices=PRECISIONS, default="float32",
                        help="bf16: autocast, faster on a CPU with AVX-512 BF16 or AMX (docs/profiles.md); float32 on "
                             "CUDA uses TF32 matmuls")
    add_option_arguments(parser)
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto")
    parser.add_argument("--results", type=Path, default=None,
                        help="result store (default: results/runs under the output root of IMLP_PROFILE's profile)")
    args = parser.parse_args(argv)
    try:
        layers = parse_layers(args.layers)
        schedules = schedules_from_args(args)
        sweeps = [SweepConfig(args.prior, args.dataset, args.epochs, args.batch_size, args.lr,
                              args.train_subset, args.test_subset, seed, layers, args.precision, **options_from_args(args),
                              curve_test_subset=args.curve_test_subset)
                  for seed in args.seeds]
        check_schedules(schedules)
        check_dataset_name(args.dataset, settings.training.dataset_dirs)
        results = check_writable(args.results if args.results is not None
                                 else runs_dir(settings.output_root(resolve_profile(settings.profile).name)))
        device = resolve_device(args.device)
    except (ValueError, TypeError, PermissionError, argparse.ArgumentTypeError) as error:
        parser.error(str(error))
    for i, sweep in enumerate(sweeps):
        if i:
            pause_point("between-sweeps", i, settings.training)
        for record in run_sweep(sweep, schedules, results, device, settings=settings.training):
            print(f"{record['label']:>28}  seed {record['config']['seed']}  I-MLP {percent(record['final']['test_acc'])}  "
                  f"prior {percent(record['final']['prior_test_acc'])}  [{record['status']}]  {record['key']}")


def experiments_command(argv: Sequence[str] | None = None) -> None:
    """``imlp experiments``: plan a profile's experiments, train what is missing, print the runs (``--plan``, or
    ``imlp plan``: print the plan only)."""
    settings = Settings.from_environment()
    parser = argparse.ArgumentParser(prog=f"{PROG} experiments",
                                     description="Train (or find stored) the runs of a profile's experiments.")
    parser.add_argument("experiments", nargs="*", metavar="EXPERIMENT", help=f"{', '.join(EXPERIMENTS)} (default: all)")
    parser.add_argument("--profile", default=None, help="smoke, cpu, paper or auto (default: IMLP_PROFILE)")
    parser.add_argument("--datasets", nargs="+", default=None, help="a subset of the profile's datasets")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="a subset of the profile's seeds")
    parser.add_argument("--plan", action="store_true", help="print the plan (merged sweeps, stored/missing, estimated "
                                                            "time) and train nothing")
    parser.add_argument("--executor", choices=executors.EXECUTORS, default=settings.executor or "local",
                        help="local: one sweep after another here; processes: --jobs workers here; slurm: a submitit "
                             "job array; debug: submitit in this process")
    parser.add_argument("--jobs", type=int, default=settings.jobs, help="workers of 'processes'")
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto")
    parser.add_argument("--memory-budget", default=settings.memory_budget, metavar="GB",
                        help="on the CPU, the host memory of one sweep (per worker): larger sweeps are cut into stacks "
                             "of I-MLPs that fit, with the same records (default: 90%% of the available memory, "
                             "shared by the workers; IMLP_MEMORY_BUDGET_GB)")
    parser.add_argument("--precision", choices=PRECISIONS, default="float32",
                        help="bf16: autocast, faster on a CPU with AVX-512 BF16 or AMX (docs/profiles.md); its runs have "
                             "their own keys beside float32's")
    slurm = parser.add_argument_group("slurm (one job per sweep; the result store must be on a shared filesystem; "
                                      "defaults from IMLP_SLURM_<OPTION>)")
    defaults = executors.SlurmOptions.from_env(settings.slurm)
    slurm.add_argument("--partition", default=defaults.partition)
    slurm.add_argument("--time-min", type=int, default=defaults.time_min,
                       help="time limit per job; requeued from its checkpoint")
    slurm.add_argument("--gpus-per-job", type=int, default=defaults.gpus_per_job)
    slurm.add_argument("--cpus-per-job", type=int, default=defaults.cpus_per_job)
    slurm.add_argument("--array-parallelism", type=int, default=defaults.array_parallelism,
                       help="jobs of the array running at once")
    slurm.add_argument("--submitit-folder", type=Path, default=None, help="logs and pickles (default results/submitit)")
    slurm.add_argument("--submitit-cluster", choices=("slurm", "local"), default="slurm",
                       help="local: the same jobs through submitit's local executor, on this machine")
    slurm.add_argument("--no-wait", action="store_true", help="submit and return (then reproduce --stored-only)")
    add_option_arguments(parser)
    args = experiments_and_datasets(parser, parser.parse_intermixed_args(argv))
    try:
        budget = parse_budget(args.memory_budget) if args.memory_budget else None
        profile = resolve_profile(args.profile or settings.profile)
        options = {name: value for name, value in {**options_from_args(args), "precision": args.precision}.items()
                   if DEFAULTS[name] != value}
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    if unknown := [name for name in args.experiments if name not in profile.experiments]:
        parser.error(f"unknown experiments {unknown}; choose from {', '.join(profile.experiments)}")
    runs_own_options = {"open_choices": "every open choice", "intervals": "every pull interval of its study"}
    if clashing := [name for name in runs_own_options if options and name in (args.experiments or profile.experiments)]:
        parser.error(f"{clashing[0]} runs {runs_own_options[clashing[0]]} itself; give the option flags only with other "
                     f"experiments")
    all_seeds = (*profile.seeds, *profile.open_choice_seeds, *profile.intervals.seeds, *profile.held_out.seeds,
                 *profile.held_out.mixer_seeds)
    for name, chosen, known in (("datasets", args.datasets, profile.datasets), ("seeds", args.seeds, all_seeds)):
        unknown = set(chosen or ()) - set(known)
        if unknown:
            parser.error(f"{name} {sorted(unknown)} are not in profile {profile.name!r} ({sorted(set(known))})")
    if args.seeds:  # every experiment's seeds, notebook 08's and 09's included
        seeds = tuple(args.seeds)
        held_out = HeldOutStudy(*(tuple(s for s in chosen if s in seeds) for chosen in
                                  (profile.held_out.seeds, profile.held_out.mixer_seeds)))
        profile = replace(profile, seeds=seeds, open_choice_seeds=seeds, intervals=replace(profile.intervals, seeds=seeds),
                          held_out=held_out)
    names, datasets = args.experiments or list(profile.experiments), args.datasets or profile.datasets
    chosen = {"options": options} if options else {}
    sweeps = plan.profile_plan(profile, names, datasets, **chosen)
    results = runs_dir(settings.output_root(profile.name))
    if args.plan:
        try:
            device = resolve_device(args.device).type
        except ValueError as error:
            parser.error(str(error))
        print(f"profile {profile.name!r}: {len(sweeps)} sweeps after merging "
              f"({len(plan.profile_plan(profile, names, datasets, merged=False, **chosen))} apart)")
        sweeps = executors.as_trained(sweeps, args.executor, device, args.jobs, budget)
        print(plan.plan_table(sweeps, results, device_type=device), flush=True)
        return
    slurm = executors.SlurmOptions(args.partition, args.time_min, args.gpus_per_job, args.cpus_per_job,
                                   args.array_parallelism, args.submitit_folder, args.submitit_cluster, not args.no_wait)
    executors.run_plan(sweeps, args.executor, results=results, device=args.device, jobs=args.jobs, slurm=slurm,
                       memory_budget=budget, settings=settings)
    if args.no_wait:
        return
    for dataset in datasets:
        for experiment in names:
            runs = experiment_runs(experiment, profile, dataset, results=results, training=settings.training, **chosen)
            print(runs.assign(test_acc=100 * runs.test_acc, prior_test_acc=100 * runs.prior_test_acc)[
                ["experiment", *(["option"] if "option" in runs else []), "dataset", "seed", "label", "test_acc",
                 "prior_test_acc", "wall_time_s", "status"]
            ].to_string(index=False, float_format="%.2f"), flush=True)


def experiments_and_datasets(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """``args`` with the experiment names that ``--datasets`` took back among the experiments: argparse gives
    ``--datasets synthetic cnn`` both names, so that argument order would otherwise matter."""
    if args.datasets:
        args.experiments = [*args.experiments, *(name for name in args.datasets if name in EXPERIMENTS)]
        args.datasets = [name for name in args.datasets if name not in EXPERIMENTS]
        if not args.datasets:
            parser.error("--datasets names no dataset, only experiments; give a dataset after it")
    return args


def add_option_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of Algorithm 1's open choices (``options.py``), shared by both command lines."""
    group = parser.add_argument_group("open choices of Algorithm 1 (notebook 08; defaults first)")
    group.add_argument("--interpolate-every", default="epoch", metavar="epoch|N",
                       help="interpolate after every epoch, or after every N optimizer steps (1: every step)")
    for name, values in CHOICES.items():
        group.add_argument(f"--{name.replace('_', '-')}", choices=values, default=values[0])


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The SweepConfig fields of the open-choice flags (a ValueError for a bad ``--interpolate-every``)."""
    return {"interpolate_every": parse_interval(args.interpolate_every), **{name: getattr(args, name) for name in CHOICES}}


def parse_layers(values: list[str] | None) -> str | tuple[int, ...] | None:
    """``--layers``: "all", "first" or layer indices; None (not given) leaves the prior's interpolated layers."""
    if values is None:
        return None
    if len(values) == 1 and values[0] in ("all", "first"):
        return values[0]
    try:
        return tuple(int(v) for v in values)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--layers takes 'all', 'first' or layer indices, got {' '.join(values)}") from None


def schedules_from_args(args: argparse.Namespace) -> list[AlphaSchedule]:
    """The alpha schedules of ``--schedule`` with ``--alphas``, or ``--decay-a`` and ``--decay-k``."""
    if args.schedule == "decay":
        return [AlphaSchedule("decay", args.decay_a, k) for k in args.decay_k]
    return [AlphaSchedule(args.schedule, alpha) for alpha in args.alphas]


def percent(value: float | None) -> str:
    """A final accuracy as 87.12%; "-" for a stopped (diverged) run's None."""
    return "-" if value is None else f"{value:.2%}"


COMMANDS = {
    "train": train_command,
    "experiments": experiments_command,
    "plan": lambda argv: experiments_command([*argv, "--plan"]),
    "reproduce": reproduce.main,
    "lab": lab.main,
}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m imlp_core <command> [options]``; ``<command> --help`` lists the command's options."""
    parser = argparse.ArgumentParser(prog=PROG, description="Train, plan and reproduce the experiments of the "
                                                                  "Interpolated-MLPs paper (arXiv 2410.09655).",
                                     epilog="imlp <command> is the same as python -m imlp_core <command>")
    parser.add_argument("command", choices=COMMANDS, help="what to run; '<command> --help' lists its options")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="the command's options")
    args = parser.parse_args(argv)
    return COMMANDS[args.command](args.options) or 0
