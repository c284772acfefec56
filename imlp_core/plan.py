"""A sweep plan: the independent sweeps a profile (or any list of experiment calls) trains, merged.

The experiments say which sweeps they need (``experiments.experiment_needs``, as data: nothing is trained or
read to plan them); the plan merges that list. Sweeps with equal ``SweepConfig`` (prior, dataset, seed,
budget and every option) are merged into one stack: Figure 2's alpha grid and Table 4's schedules with the
S-CNN prior train ONE prior per seed, and all their I-MLPs share its batches. A record's key hashes only
``SweepConfig.run_config(schedule)``, so a merged sweep writes the records (keys and numbers) of the sweeps
run apart; only ``sweep_size``, ``wall_time_s`` and ``images_per_s`` say how it ran.

    python -m imlp_core plan cnn schedules --profile paper
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from imlp_core import experiments
from imlp_core.data import TRAIN_IMAGES
from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import parameter_counts
from imlp_core.paths import repo_root
from imlp_core.profiles import Profile
from imlp_core.sweep import SweepConfig, check_schedules
from imlp_core.train import missing_schedules

BENCHMARKS = {"cpu": "results/benchmarks.json", "cuda": "results/benchmarks_h100.json"}  # `make bench` output
@dataclass(frozen=True)
class PlannedSweep:
    """One sweep of a plan: a prior and the I-MLPs of ``schedules``, trained together on the same batches."""

    sweep: SweepConfig
    schedules: tuple[AlphaSchedule, ...]
    experiments: tuple[str, ...]  # the experiments whose runs it holds

    @property
    def name(self) -> str:
        s = self.sweep
        return f"{'+'.join(self.experiments)}: {s.prior} on {s.dataset}, seed {s.seed}"

    def keys(self) -> list[str]:
        """The record keys of its runs, in ``schedules`` order."""
        return [self.sweep.run_key(s) for s in self.schedules]

    def missing(self, results: Path) -> list[AlphaSchedule]:
        """The schedules whose record the store ``results`` does not hold."""
        return missing_schedules(self.sweep, self.schedules, Path(results))


@lru_cache(maxsize=None)
def mlp_parameters(prior: str) -> int:
    """Parameters of one I-MLP of ``prior`` (Table 5's total-parameter column)."""
    return int(parameter_counts(prior)["total_params"])


def merge(listed: Sequence[tuple[str, SweepConfig, Sequence[AlphaSchedule]]]) -> list[PlannedSweep]:
    """One :class:`PlannedSweep` per distinct ``SweepConfig`` of ``listed`` (experiment, sweep, schedules),
    holding the union of their schedules, in the order first listed."""
    merged: dict[SweepConfig, tuple[list[str], list[AlphaSchedule]]] = {}
    for experiment, sweep, schedules in listed:
        names, union = merged.setdefault(sweep, ([], []))
        names.append(experiment)
        union.extend(schedules)
    return [PlannedSweep(sweep, tuple(check_schedules(union)), tuple(dict.fromkeys(names)))
            for sweep, (names, union) in merged.items()]


def plan_of(needed: Sequence[experiments.Sweeps], merged: bool = True) -> list[PlannedSweep]:
    """The plan of the sweeps ``needed`` (``experiments.*_needs``): one entry per seed's sweep, merged where their
    ``SweepConfig`` is equal. ``merged=False`` keeps each experiment's sweep apart (for comparisons)."""
    listed = [(group.experiment, config, group.schedules) for group in needed for config in group.configs]
    return merge(listed) if merged else [p for entry in listed for p in merge([entry])]


def profile_plan(profile: Profile, names: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
                 merged: bool = True, **kwargs) -> list[PlannedSweep]:
    """The plan of a profile's experiments ``names`` (default: all) on ``datasets`` (default: the profile's);
    ``kwargs`` go to every experiment (e.g. ``options``, the open choices of ``imlp experiments``)."""
    names = list(names or profile.experiments)  # the experiments the profile runs, in its order
    return plan_of([group for dataset in datasets or profile.datasets for name in names
                    for group in experiments.experiment_needs(name, profile, dataset, **kwargs)], merged)


def benchmark_step_seconds(device_type: str) -> dict[str, tuple[float, float, int]]:
    """From ``make bench``'s figures for this device type: {prior: (step s at K = 1, step s at K, K)}."""
    path = repo_root() / BENCHMARKS.get(device_type, BENCHMARKS["cpu"])
    try:
        bench = json.loads(path.read_text())
        one = {row["prior"]: row["step_ms"] / 1e3 for row in bench["throughput"] if row["method"] == "engine (K = 1)"}
        return {row["prior"]: (one[row["prior"]], row["batched_step_ms"] / 1e3, row["K"]) for row in bench["sweep"]}
    except (OSError, ValueError, KeyError):
        return {}


def estimated_seconds(planned: PlannedSweep, figures: dict[str, tuple[float, float, int]],
                      models: int | None = None) -> float | None:
    """Training time of ``planned`` (``models`` I-MLPs, default all) from the benchmark's step times, linear
    in K between the two measured K and proportional to the batch; None for a prior the benchmark does not time."""
    if planned.sweep.prior not in figures or planned.sweep.dataset not in TRAIN_IMAGES:
        return None
    one, many, k = figures[planned.sweep.prior]
    models = len(planned.schedules) if models is None else models
    step_s = (one + (many - one) * (models - 1) / (k - 1)) * planned.sweep.batch_size / 128
    images = planned.sweep.train_subset or TRAIN_IMAGES[planned.sweep.dataset]
    return planned.sweep.epochs * math.ceil(images / planned.sweep.batch_size) * step_s


def plan_table(plan: Sequence[PlannedSweep], results: Path, device_type: str = "cpu") -> str:
    """The plan as a table: sweep, models, stored/missing in the store ``results`` and the estimated time of what is
    missing."""
    from tabulate import tabulate

    figures = benchmark_step_seconds(device_type)
    rows, total = [], 0.0
    for i, planned in enumerate(plan, 1):
        missing = len(planned.missing(results))
        seconds = estimated_seconds(planned, figures, missing) if missing else 0.0
        total += seconds or 0.0
        s = planned.sweep
        rows.append((i, "+".join(planned.experiments), s.prior, s.dataset, s.seed, s.epochs,
                     s.train_subset or "all", len(planned.schedules), f"{len(planned.schedules) - missing}/{missing}",
                     "—" if seconds is None else f"{seconds / 60:.1f}"))
    rows.append(("total", "", "", "", "", "", "", sum(len(p.schedules) for p in plan), "", f"{total / 60:.1f}"))
    source = BENCHMARKS.get(device_type, BENCHMARKS["cpu"])
    return tabulate(rows, headers=("sweep", "experiments", "prior", "dataset", "seed", "epochs", "train images",
                                   "models", "stored/missing", f"est. min (missing, {source})"), tablefmt="simple")
