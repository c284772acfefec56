"""The paper's experiments as sweeps over the result store: what each notebook trains (or finds stored).

Each experiment says which sweeps it needs, as data and with no side effect: ``alpha_needs``, ``schedule_needs``,
``first_layer_needs``, ``open_choice_needs``, ``interval_needs``, ``held_out_needs`` (and ``experiment_needs`` by
name) return :class:`Sweeps`, one per group of seeds. Three callers use that list:

- the plan (``plan.profile_plan``) merges it, and nothing is trained or read;
- :func:`train_runs` trains what the result store lacks and returns the records as a DataFrame
  (``results.to_frame``); runs whose records exist are not trained again;
- :func:`stored_runs` reads what the store holds and trains nothing: each seed's missing runs are left out, with
  a printed note (how notebooks show runs made elsewhere, e.g. on a GPU, on a machine that cannot train them).

The notebooks' functions (``alpha_sweep``, ``schedule_sweep``, ..., ``experiment_runs``) take the store
(``results``), the choice between the last two (``stored_only``) and the door's ``training`` settings as arguments.
The command line (``python -m imlp_core experiments``, or ``imlp experiments``) trains a profile's runs without the
notebooks (e.g. on a GPU machine, in pieces):

    python -m imlp_core experiments cnn mixer --profile paper --datasets cifar10 --seeds 0 1 2
    python -m imlp_core plan --profile paper                                    # the plan, nothing trained
    python -m imlp_core experiments --profile paper --executor processes --jobs 4
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import PRIORS
from imlp_core.paths import repo_root
from imlp_core.paper import FIRST_LAYER_ALPHA, TABLE_5
from imlp_core.profiles import EXPERIMENTS, Budget, Profile
from imlp_core.results import to_frame
from imlp_core.settings import TrainingSettings
from imlp_core.sweep import SweepConfig
from imlp_core.train import run_sweep, stored_records

FIRST_LAYER_PRIORS = tuple(dict.fromkeys(number.prior for number in TABLE_5))  # MLP-1, MLP-2


@dataclass(frozen=True)
class Sweeps:
    """The sweeps of one experiment, prior and option set: one ``SweepConfig`` per seed, each with ``schedules``.
    Their records make one frame, with columns ``experiment`` and ``profile`` (and notebook 08's ``option``)."""

    experiment: str
    profile: str
    configs: tuple[SweepConfig, ...]
    schedules: tuple[AlphaSchedule, ...]
    options: tuple[tuple[str, Any], ...] = ()  # the open choices set, as option_label names them
    option: str | None = None  # notebook 08's column ``option``, where set

    def frame(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        """``records`` (of these sweeps) as a frame with this group's columns."""
        frame = to_frame(records).assign(experiment=self.experiment, profile=self.profile)
        return frame if self.option is None else frame.assign(option=self.option)


def _sweeps(profile: Profile, experiment: str, prior: str, dataset: str, schedules: Sequence[AlphaSchedule],
            seeds: tuple[int, ...] | None = None, options: dict[str, Any] | None = None,
            budget: Budget | None = None, option: str | None = None) -> Sweeps:
    budget = budget or profile.budget(experiment)
    configs = tuple(SweepConfig(prior, dataset, budget.epochs, lr=budget.lr, train_subset=budget.train_subset,
                                test_subset=budget.test_subset, seed=seed,
                                curve_test_subset=budget.curve_test_subset, **(options or {}))
                    for seed in (profile.seeds if seeds is None else seeds))
    return Sweeps(experiment, profile.name, configs, tuple(schedules), tuple((options or {}).items()), option)


def _frame(needed: Sequence[Sweeps], records_of: Callable[[Sweeps, SweepConfig], list[dict[str, Any]]],
           experiment: str) -> pd.DataFrame:
    """One frame per group of ``needed`` (its records from ``records_of``), concatenated; empty: no runs."""
    frames = [group.frame([record for config in group.configs for record in records_of(group, config)])
              for group in needed]
    if not frames:
        return to_frame([]).assign(experiment=experiment)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def train_runs(needed: Sequence[Sweeps], results: Path, progress: bool = True, experiment: str = "",
               training: TrainingSettings = TrainingSettings()) -> pd.DataFrame:
    """The records of ``needed``, training the runs the store ``results`` lacks (``train.run_sweep`` with the door's
    ``training`` settings); ``experiment`` names an empty frame's runs."""
    return _frame(needed, lambda group, config: run_sweep(config, group.schedules, results, progress=progress,
                                                          settings=training), experiment)


def stored_runs(needed: Sequence[Sweeps], results: Path, experiment: str = "") -> pd.DataFrame:
    """The records of ``needed`` that the store ``results`` holds; trains nothing, and prints a note for each seed's
    sweep whose runs it lacks (they are left out)."""
    def read(group: Sweeps, config: SweepConfig) -> list[dict[str, Any]]:
        found = stored_records(config, group.schedules, results)
        if len(found) < len(group.schedules):
            print(f"{len(group.schedules) - len(found)} of {len(group.schedules)} runs not in the result store, left "
                  f"out (stored runs only: nothing is trained): {group.experiment}, {config.prior} prior, "
                  f"{config.dataset}, seed {config.seed}{option_label(dict(group.options), ', ')}", flush=True)
        return found

    return _frame(needed, read, experiment)


def runs(needed: Sequence[Sweeps], results: Path, stored_only: bool = False, progress: bool = True,
         experiment: str = "", training: TrainingSettings = TrainingSettings()) -> pd.DataFrame:
    """:func:`stored_runs` of ``needed`` when ``stored_only``, else :func:`train_runs`."""
    if stored_only:
        return stored_runs(needed, results, experiment)
    return train_runs(needed, results, progress, experiment, training)


def alpha_needs(profile: Profile, prior: str, dataset: str, seeds: tuple[int, ...] | None = None,
                options: dict[str, Any] | None = None) -> list[Sweeps]:
    """Figure 2 / Table 1's sweeps: constant alpha over ``profile.alphas`` with the "cnn" or "mixer" prior."""
    schedules = [AlphaSchedule("constant", alpha) for alpha in profile.alphas]
    return [_sweeps(profile, prior, prior, dataset, schedules, seeds, options)]


def schedule_needs(profile: Profile, dataset: str, a: float = 0.5, seeds: tuple[int, ...] | None = None,
                   options: dict[str, Any] | None = None) -> list[Sweeps]:
    """Figure 3 / Table 4's sweeps (CNN prior): no interpolation, constant a, test-time a, and a (1 - t/T)^k decays."""
    return [_sweeps(profile, "schedules", "cnn", dataset, table4_schedules(profile, a), seeds, options)]


def first_layer_needs(profile: Profile, dataset: str, seeds: tuple[int, ...] | None = None,
                      options: dict[str, Any] | None = None) -> list[Sweeps]:
    """Table 5's sweeps: MLP-1 (six interpolated layers) and MLP-2 (one wide first layer), baseline and interpolated;
    each prior's ``interpolated`` says which layers."""
    schedules = [AlphaSchedule("constant", 0.0), AlphaSchedule("constant", FIRST_LAYER_ALPHA)]
    return [_sweeps(profile, "first_layer", prior, dataset, schedules, seeds, options) for prior in FIRST_LAYER_PRIORS]


# How the notebooks' functions read their runs: the store, ``stored_only`` (read, train nothing), ``progress`` and the
# door's ``training`` settings go to :func:`runs`; the other keywords say which sweeps.
HOW = ("results", "stored_only", "progress", "training")


def _split(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``kwargs`` as (which sweeps, how to read them: :data:`HOW`)."""
    return ({k: v for k, v in kwargs.items() if k not in HOW}, {k: v for k, v in kwargs.items() if k in HOW})


def alpha_sweep(profile: Profile, prior: str, dataset: str, **kwargs) -> pd.DataFrame:
    """Figure 2 / Table 1: the runs of :func:`alpha_needs` (``kwargs``: its own, and :data:`HOW`)."""
    which, how = _split(kwargs)
    return runs(alpha_needs(profile, prior, dataset, **which), experiment=prior, **how)


def schedule_sweep(profile: Profile, dataset: str, a: float = 0.5, **kwargs) -> pd.DataFrame:
    """Figure 3 / Table 4: the runs of :func:`schedule_needs`."""
    which, how = _split(kwargs)
    return runs(schedule_needs(profile, dataset, a, **which), experiment="schedules", **how)


def first_layer_sweep(profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """Table 5: the runs of :func:`first_layer_needs`."""
    which, how = _split(kwargs)
    return runs(first_layer_needs(profile, dataset, **which), experiment="first_layer", **how)


# Notebook 08: each open choice's values other than the default (``options.CHOICES``), one sweep each.
OPEN_CHOICES: tuple[dict[str, Any], ...] = (
    {}, {"interpolate_every": 1}, {"head": "own"}, {"block": "s-mlp"}, {"ln": "affine-interpolated"},
    {"ln": "affine-own"}, {"optimizer_state": "reset"}, {"bias": "own"}, {"lr_schedule": "cosine"},
)


def option_label(options: dict[str, Any], prefix: str = "") -> str:
    """'interpolate_every = 1' for {"interpolate_every": 1}; '' for the defaults (with ``prefix`` before a label)."""
    return prefix + ", ".join(f"{name} = {value}" for name, value in options.items()) if options else ""


def open_choice_needs(profile: Profile, dataset: str, choices: tuple[dict[str, Any], ...] = OPEN_CHOICES,
                      seeds: tuple[int, ...] | None = None) -> list[Sweeps]:
    """Notebook 08's sweeps: Figure 2's alpha curve (CNN prior, ``profile.open_choice_alphas``) under each open
    choice, over ``profile.open_choice_seeds`` (the values ``profile.open_choice_options`` names, or all); the interval
    choices also run Table 4's schedules. Column ``option`` names the choice ("default" for none). Notebook 08
    studies the CIFAR-10 role only: another dataset has no sweeps."""
    if dataset != profile.datasets[0]:
        return []
    alphas = [AlphaSchedule("constant", alpha) for alpha in profile.open_choice_alphas]
    needed = []
    for options in choices:
        label = option_label(options) or "default"
        if profile.open_choice_options is not None and label not in profile.open_choice_options:
            continue
        with_table4 = not options or "interpolate_every" in options
        # α = 0 is both the curve's left end and Table 4's "no interpolation": one run
        schedules = list(dict.fromkeys(alphas + (table4_schedules(profile, ks=OPEN_CHOICE_DECAY_KS) if with_table4 else [])))
        chosen = seeds or (profile.seeds if label in profile.open_choices_all_seeds else profile.open_choice_seeds)
        needed.append(_sweeps(profile, "open_choices", "cnn", dataset, schedules, chosen, options, option=label))
    return needed


def open_choice_sweep(profile: Profile, dataset: str, choices: tuple[dict[str, Any], ...] = OPEN_CHOICES,
                      **kwargs) -> pd.DataFrame:
    """Notebook 08: the runs of :func:`open_choice_needs`."""
    which, how = _split(kwargs)
    return runs(open_choice_needs(profile, dataset, choices, **which), experiment="open_choices", **how)


OPEN_CHOICE_DECAY_KS = (1.0, 2.0, 4.0)  # notebook 08 asks whether linear decay (k = 1) is Table 4's worst


def table4_schedules(profile: Profile, a: float = 0.5, ks: tuple[float, ...] | None = None) -> list[AlphaSchedule]:
    """Table 4's runs: no interpolation, constant a, test-time a, and the a (1 - t/T)^k decays (``ks``, default the
    profile's)."""
    schedules = [AlphaSchedule("constant", 0.0), AlphaSchedule("constant", a), AlphaSchedule("test-time", a)]
    return schedules + [AlphaSchedule("decay", a, k) for k in (profile.decay_ks if ks is None else ks)]


def interval_needs(profile: Profile, dataset: str) -> list[Sweeps]:
    """Notebook 09's sweeps: the S-CNN's alpha curve under every pull interval x learning rate of
    ``profile.intervals``, and the Mixer's under its intervals (in the Mixer's budget). The CIFAR-10 role only:
    another dataset has no sweeps."""
    study = profile.intervals
    if dataset != profile.datasets[0]:
        return []
    needed = []
    for prior, experiment, intervals, alphas, lrs in (
            ("cnn", "intervals", study.intervals, study.alphas, study.lrs),
            ("mixer", "mixer", study.mixer_intervals, study.mixer_alphas, (profile.budget("mixer").lr,))):
        schedules = [AlphaSchedule("constant", alpha) for alpha in alphas]
        for lr in lrs:
            budget = replace(profile.budget(experiment), lr=lr)
            for interval in intervals:
                options = {} if interval == "epoch" else {"interpolate_every": interval}
                needed.append(_sweeps(profile, "intervals", prior, dataset, schedules, study.seeds, options, budget))
    return needed


def interval_sweep(profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """Notebook 09: the runs of :func:`interval_needs`; columns ``interval`` ("epoch" or N steps) and ``lr``."""
    return runs(interval_needs(profile, dataset), experiment="intervals", **kwargs)


def held_out_needs(profile: Profile, dataset: str) -> list[Sweeps]:
    """The held-out test of the companion's findings (``claims.FINDINGS``): the S-CNN's alpha sweep with notebook
    08's default and per-step sweeps over ``profile.held_out.seeds``, and the Mixer's alpha sweep over its
    ``mixer_seeds``, trained after the findings were registered. The CIFAR-10 role only."""
    study = profile.held_out
    if dataset != profile.datasets[0] or not study.seeds:
        return []
    per_step = ({}, {"interpolate_every": 1})
    return [*alpha_needs(profile, "cnn", dataset, seeds=study.seeds),
            *open_choice_needs(profile, dataset, per_step, seeds=study.seeds),
            *alpha_needs(profile, "mixer", dataset, seeds=study.mixer_seeds)]


def held_out_sweep(profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """The runs of :func:`held_out_needs`."""
    return runs(held_out_needs(profile, dataset), experiment="held_out", **kwargs)


PAPER_TEST_STORE = Path("results") / "paper-h100" / "results" / "runs"  # where the GPU's records are committed


def paper_test_runs(profile: Profile, store: Path | None = None) -> pd.DataFrame:
    """The records of the paper-scale test of notebook 09's prediction (``profile.intervals`` of the ``paper``
    profile on CIFAR-10) that ``store`` (default :data:`PAPER_TEST_STORE`) holds; trains nothing."""
    store = store if store is not None else repo_root() / PAPER_TEST_STORE
    study, budget, records = profile.intervals, profile.budget("intervals"), []
    for seed in study.seeds:
        for interval in study.intervals:
            options = {} if interval == "epoch" else {"interpolate_every": interval}
            sweep = SweepConfig("cnn", profile.datasets[0], budget.epochs, lr=study.lrs[0], seed=seed,
                                train_subset=budget.train_subset, test_subset=budget.test_subset,
                                curve_test_subset=budget.curve_test_subset, **options)
            records += stored_records(sweep, [AlphaSchedule("constant", a) for a in study.alphas], store)
    return to_frame(records).assign(experiment="intervals", profile=profile.name)


NEEDS: dict[str, Callable[..., list[Sweeps]]] = {
    "schedules": schedule_needs, "first_layer": first_layer_needs, "open_choices": open_choice_needs,
    "intervals": interval_needs, "held_out": held_out_needs}


def experiment_needs(name: str, profile: Profile, dataset: str, **kwargs) -> list[Sweeps]:
    """The sweeps of experiment ``name`` (``profiles.EXPERIMENTS``): a prior's key is its alpha sweep (Figure 2);
    the others are Table 4's schedules, Table 5's first layer, notebook 08's open choices, 09's intervals and the
    held-out test. ``kwargs`` go to the experiment's function (e.g. ``seeds``, ``options``)."""
    if name in PRIORS:
        return alpha_needs(profile, name, dataset, **kwargs)
    if name not in NEEDS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    return NEEDS[name](profile, dataset, **kwargs)


def experiment_runs(name: str, profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """The runs of experiment ``name`` (:func:`experiment_needs`; ``kwargs``: its own, and :data:`HOW`)."""
    which, how = _split(kwargs)
    return runs(experiment_needs(name, profile, dataset, **which), experiment=name, **how)


if __name__ == "__main__":  # the spelling before the console command: say which command this is now
    import shlex
    import sys

    sys.exit(f"python -m imlp_core.experiments is not a command; run: "
             f"{shlex.join(['python', '-m', 'imlp_core', 'experiments', *sys.argv[1:]])}")
