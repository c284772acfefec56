"""The paper's experiments as sweeps over the result store: what each notebook trains (or finds cached).

Each function runs the sweeps its notebook needs under a profile (see ``profiles.py``) and returns the
records as a DataFrame (``results.to_frame``). Runs whose records exist are not trained again, so a
notebook whose runs are stored re-executes in seconds. With ``IMLP_STORED_RUNS_ONLY=1`` nothing is trained:
each seed's sweep is read if the store holds all its runs and is otherwise left out, with a printed note
(how notebooks show runs made elsewhere, e.g. on a GPU, on a machine that cannot train them). The command
line (``python -m imlp_core experiments``, or ``imlp experiments``) trains a profile's runs without the notebooks
(e.g. on a GPU machine, in pieces):

    python -m imlp_core experiments cnn mixer --profile paper --datasets cifar10 --seeds 0 1 2
    python -m imlp_core plan --profile paper                                    # the plan, nothing trained
    python -m imlp_core experiments --profile paper --executor processes --jobs 4
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import PRIORS
from imlp_core.paths import repo_root
from imlp_core.paper import FIRST_LAYER_ALPHA, TABLE_5
from imlp_core.profiles import EXPERIMENTS, Budget, Profile
from imlp_core.results import to_frame
from imlp_core.sweep import SweepConfig
from imlp_core.train import run_sweep, stored_records

FIRST_LAYER_PRIORS = tuple(dict.fromkeys(number.prior for number in TABLE_5))  # MLP-1, MLP-2


def _sweeps(profile: Profile, experiment: str, prior: str, dataset: str, schedules: list[AlphaSchedule],
            results: Path | None = None, progress: bool = True, seeds: tuple[int, ...] | None = None,
            options: dict[str, Any] | None = None, budget: Budget | None = None) -> pd.DataFrame:
    budget = budget or profile.budget(experiment)
    records = []
    for seed in profile.seeds if seeds is None else seeds:
        sweep = SweepConfig(prior, dataset, budget.epochs, lr=budget.lr, train_subset=budget.train_subset,
                            test_subset=budget.test_subset, seed=seed,
                            curve_test_subset=budget.curve_test_subset, **(options or {}))
        if _planned is not None:
            _planned.append((experiment, sweep, list(schedules)))
        elif not stored_runs_only():
            records += run_sweep(sweep, schedules, results, progress=progress)
        else:
            found = stored_records(sweep, schedules, results)
            records += found
            if len(found) < len(schedules):
                print(f"{len(schedules) - len(found)} of {len(schedules)} runs not in the result store, left out "
                      f"({STORED_ONLY}=1 trains nothing): {experiment}, {prior} prior, {dataset}, seed {seed}"
                      f"{option_label(options or {}, ', ')}", flush=True)
    return to_frame(records).assign(experiment=experiment, profile=profile.name)


STORED_ONLY = "IMLP_STORED_RUNS_ONLY"
_planned: list[tuple[str, SweepConfig, list[AlphaSchedule]]] | None = None  # see planning()


@contextmanager
def planning() -> Iterator[list[tuple[str, SweepConfig, list[AlphaSchedule]]]]:
    """Inside, the experiment functions train and read nothing: each lists its sweeps as (experiment, sweep,
    schedules) in the yielded list and returns an empty frame (``imlp_core.plan`` builds plans so)."""
    global _planned
    outer, _planned = _planned, []
    try:
        yield _planned
    finally:
        _planned = outer


def stored_runs_only() -> bool:
    """Whether ``IMLP_STORED_RUNS_ONLY`` asks the sweeps to read the store and train nothing."""
    return os.environ.get(STORED_ONLY, "") not in ("", "0")


def alpha_sweep(profile: Profile, prior: str, dataset: str, **kwargs) -> pd.DataFrame:
    """Figure 2 / Table 1: constant alpha over ``profile.alphas`` with the "cnn" or "mixer" prior."""
    schedules = [AlphaSchedule("constant", alpha) for alpha in profile.alphas]
    return _sweeps(profile, prior, prior, dataset, schedules, **kwargs)


def schedule_sweep(profile: Profile, dataset: str, a: float = 0.5, **kwargs) -> pd.DataFrame:
    """Figure 3 / Table 4 (CNN prior): no interpolation, constant a, test-time a, and a (1 - t/T)^k decays."""
    return _sweeps(profile, "schedules", "cnn", dataset, table4_schedules(profile, a), **kwargs)


def first_layer_sweep(profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """Table 5: MLP-1 (six interpolated layers) and MLP-2 (one wide first layer), baseline and interpolated; each
    prior's ``interpolated`` says which layers."""
    schedules = [AlphaSchedule("constant", 0.0), AlphaSchedule("constant", FIRST_LAYER_ALPHA)]
    frames = [_sweeps(profile, "first_layer", prior, dataset, schedules, **kwargs) for prior in FIRST_LAYER_PRIORS]
    return pd.concat(frames, ignore_index=True)


# Notebook 08: each open choice's values other than the default (``options.CHOICES``), one sweep each.
OPEN_CHOICES: tuple[dict[str, Any], ...] = (
    {}, {"interpolate_every": 1}, {"head": "own"}, {"block": "s-mlp"}, {"ln": "affine-interpolated"},
    {"ln": "affine-own"}, {"optimizer_state": "reset"}, {"bias": "own"}, {"lr_schedule": "cosine"},
)


def option_label(options: dict[str, Any], prefix: str = "") -> str:
    """'interpolate_every = 1' for {"interpolate_every": 1}; '' for the defaults (with ``prefix`` before a label)."""
    return prefix + ", ".join(f"{name} = {value}" for name, value in options.items()) if options else ""


def open_choice_sweep(profile: Profile, dataset: str, choices: tuple[dict[str, Any], ...] = OPEN_CHOICES,
                      **kwargs) -> pd.DataFrame:
    """Notebook 08: Figure 2's alpha curve (CNN prior, ``profile.open_choice_alphas``) under each open choice,
    over ``profile.open_choice_seeds`` (the values ``profile.open_choice_options`` names, or all); the interval
    choices also run Table 4's schedules. Column ``option``
    names the choice ("default" for none). Notebook 08 studies the CIFAR-10 role only: another dataset has no runs."""
    if dataset != profile.datasets[0]:
        return to_frame([]).assign(experiment="open_choices")
    alphas = [AlphaSchedule("constant", alpha) for alpha in profile.open_choice_alphas]
    chosen_seeds = kwargs.pop("seeds", None)
    frames = []
    for options in choices:
        label = option_label(options) or "default"
        if profile.open_choice_options is not None and label not in profile.open_choice_options:
            continue
        with_table4 = not options or "interpolate_every" in options
        # α = 0 is both the curve's left end and Table 4's "no interpolation": one run
        schedules = list(dict.fromkeys(alphas + (table4_schedules(profile, ks=OPEN_CHOICE_DECAY_KS) if with_table4 else [])))
        seeds = chosen_seeds or (profile.seeds if label in profile.open_choices_all_seeds
                                              else profile.open_choice_seeds)
        frames.append(_sweeps(profile, "open_choices", "cnn", dataset, schedules, seeds=seeds,
                              options=options, **kwargs).assign(option=label))
    return pd.concat(frames, ignore_index=True) if frames else to_frame([]).assign(experiment="open_choices", option=None)


OPEN_CHOICE_DECAY_KS = (1.0, 2.0, 4.0)  # notebook 08 asks whether linear decay (k = 1) is Table 4's worst


def table4_schedules(profile: Profile, a: float = 0.5, ks: tuple[float, ...] | None = None) -> list[AlphaSchedule]:
    """Table 4's runs: no interpolation, constant a, test-time a, and the a (1 - t/T)^k decays (``ks``, default the
    profile's)."""
    schedules = [AlphaSchedule("constant", 0.0), AlphaSchedule("constant", a), AlphaSchedule("test-time", a)]
    return schedules + [AlphaSchedule("decay", a, k) for k in (profile.decay_ks if ks is None else ks)]


def interval_sweep(profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """Notebook 09: the S-CNN's alpha curve under every pull interval x learning rate of ``profile.intervals``, and
    the Mixer's under its intervals (in the Mixer's budget). Columns ``interval`` ("epoch" or N steps) and ``lr``.
    The CIFAR-10 role only: another dataset has no runs."""
    study = profile.intervals
    if dataset != profile.datasets[0]:
        return to_frame([]).assign(experiment="intervals")
    frames = []
    for prior, experiment, intervals, alphas, lrs in (
            ("cnn", "intervals", study.intervals, study.alphas, study.lrs),
            ("mixer", "mixer", study.mixer_intervals, study.mixer_alphas, (profile.budget("mixer").lr,))):
        schedules = [AlphaSchedule("constant", alpha) for alpha in alphas]
        for lr in lrs:
            budget = replace(profile.budget(experiment), lr=lr)
            for interval in intervals:
                options = {} if interval == "epoch" else {"interpolate_every": interval}
                frames.append(_sweeps(profile, "intervals", prior, dataset, schedules, seeds=study.seeds,
                                      options=options, budget=budget, **kwargs))
    return pd.concat(frames, ignore_index=True) if frames else to_frame([]).assign(experiment="intervals")


def held_out_sweep(profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """The held-out test of the companion's findings (``claims.FINDINGS``): the S-CNN's alpha sweep with notebook
    08's default and per-step sweeps over ``profile.held_out.seeds``, and the Mixer's alpha sweep over its
    ``mixer_seeds``, trained after the findings were registered. The CIFAR-10 role only."""
    study = profile.held_out
    if dataset != profile.datasets[0] or not study.seeds:
        return to_frame([]).assign(experiment="held_out")
    per_step = ({}, {"interpolate_every": 1})
    return pd.concat([alpha_sweep(profile, "cnn", dataset, seeds=study.seeds, **kwargs),
                      open_choice_sweep(profile, dataset, per_step, seeds=study.seeds, **kwargs),
                      alpha_sweep(profile, "mixer", dataset, seeds=study.mixer_seeds, **kwargs)], ignore_index=True)


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


def experiment_runs(name: str, profile: Profile, dataset: str, **kwargs) -> pd.DataFrame:
    """The runs of experiment ``name`` (``profiles.EXPERIMENTS``): a prior's key is its alpha sweep (Figure 2);
    the others are Table 4's schedules, Table 5's first layer, notebook 08's open choices and 09's intervals."""
    if name in PRIORS:
        return alpha_sweep(profile, name, dataset, **kwargs)
    sweeps = {"schedules": schedule_sweep, "first_layer": first_layer_sweep, "open_choices": open_choice_sweep,
              "intervals": interval_sweep, "held_out": held_out_sweep}
    if name not in sweeps:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    return sweeps[name](profile, dataset, **kwargs)


if __name__ == "__main__":  # the spelling before the console command: say which command this is now
    import shlex
    import sys

    sys.exit(f"python -m imlp_core.experiments is not a command; run: "
             f"{shlex.join(['python', '-m', 'imlp_core', 'experiments', *sys.argv[1:]])}")
