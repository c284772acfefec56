"""What every notebook does first and last: its profile and datasets, the files it writes, and the report of
them that ``make reproduce`` checks.

A notebook's door: its parameters cell names ``profile`` and ``stored_only`` (None: from the environment, or
injected by papermill), and its first call here reads the environment once (``settings.Settings.from_environment``).
An experiment notebook (03–09) starts with ``nb = Notebook.start(profile, experiment, seed_list,
stored_only=stored_only)``, which resolves the profile, fixes the output root its files go under
(``Settings.output_root`` of the profile) and whether its runs are trained or only read from the store, and shows
what it trains; it reads its runs through ``nb.runs`` (or an ``experiments`` function given ``**nb.store_args``),
saves through ``nb.save_figure`` / ``nb.save_table`` (a file's name is written there and nowhere else) and ends
with ``nb.report()``: a Markdown list of the files written whose output metadata (``REPORT_KEY``) names them for
:mod:`imlp_core.reproduce`. Notebooks 01 and 02 use :class:`Outputs` (``Outputs.of(profile)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from imlp_core import figures, findings
from imlp_core.experiments import experiment_runs
from imlp_core.paper import DATASET_ROLES, dataset_for_role
from imlp_core.paths import figures_dir, repo_root, results_dir, runs_dir, shown
from imlp_core.profiles import Budget, Profile, resolve_profile
from imlp_core.settings import Settings

REPORT_KEY = "imlp_written"  # output metadata: the files a notebook wrote, relative to the output root


@dataclass
class Outputs:
    """The files a notebook has written under the output root ``root``, reported at its end (:meth:`report`)."""

    root: Path  # Settings.output_root of the profile the notebook runs
    written: list[Path] = field(default_factory=list)

    @classmethod
    def of(cls, profile: str | None, settings: Settings | None = None) -> Outputs:
        """The outputs of a notebook run under ``profile`` (None: ``IMLP_PROFILE``, default auto) with ``settings``
        (None: read from the environment, here at the notebook's door)."""
        settings = Settings.from_environment() if settings is None else settings
        return cls(settings.output_root(resolve_profile(profile or settings.profile).name))

    def add(self, *paths: Path) -> None:
        self.written += paths

    def save_figure(self, fig: plt.Figure, name: str) -> None:
        """``figures/<name>.png`` and ``.pdf`` (:func:`imlp_core.figures.save_figure`), shown inline."""
        self.add(*figures.save_figure(fig, name, figures_dir(self.root)))
        plt.show()

    def save_table(self, table: pd.DataFrame, name: str, index: bool = True, integers: bool = True) -> pd.DataFrame:
        """``results/<name>.csv`` and ``.md`` (:func:`imlp_core.findings.save_table`); returns ``table`` to show."""
        self.add(*findings.save_table(table, name, results_dir(self.root), index, integers))
        return table

    def report(self) -> None:
        """Show 'Files written: …' and name the files in the output's metadata, where ``make reproduce`` reads them."""
        relative = [str(Path(path).resolve().relative_to(self.root.resolve())) for path in self.written]
        display(Markdown(files_written(self.written)), metadata={REPORT_KEY: relative})


@dataclass
class Notebook(Outputs):
    """An experiment notebook: its profile, the datasets in the paper's CIFAR-10 / CIFAR-100 roles, its files, and
    whether it reads its runs from the store only (``stored_only``) or trains what the store lacks."""

    profile: Profile | None = None
    roles: list[tuple[str, str | None]] = field(default_factory=list)
    stored_only: bool = False
    settings: Settings = Settings()

    @classmethod
    def start(cls, profile: str | None, experiment: str | None, seed_list: Iterable[int] | None = None,
              seeds: str = "seeds", stored_only: bool | None = None, settings: Settings | None = None) -> Notebook:
        """Resolve ``profile`` (None: ``IMLP_PROFILE``), with ``seed_list`` in place of its ``seeds`` field (or
        ``"intervals.seeds"``, the interval study's) when given, and show what it trains for ``experiment`` (None:
        every experiment); ``stored_only`` (None: ``IMLP_STORED_RUNS_ONLY``): train nothing, read what the store
        holds. ``settings`` None reads them from the environment, here at the notebook's door."""
        settings = Settings.from_environment() if settings is None else settings
        stored_only = settings.stored_only if stored_only is None else stored_only
        resolved = resolve_profile(profile or settings.profile)
        if seed_list is not None and seeds == "intervals.seeds":  # notebook 09: the study's own seeds
            resolved = replace(resolved, intervals=replace(resolved.intervals, seeds=tuple(seed_list)))
        elif seed_list is not None:
            resolved = replace(resolved, **{seeds: tuple(seed_list)})
        display(Markdown(profile_note(resolved, experiment, stored_only, settings)))
        return cls(settings.output_root(resolved.name), profile=resolved, roles=dataset_roles(resolved),
                   stored_only=stored_only, settings=settings)

    @property
    def store_args(self) -> dict[str, Any]:
        """How this notebook reads its runs, for any ``experiments`` function: its run store, ``stored_only`` and the
        training settings of its door."""
        return {"results": runs_dir(self.root), "stored_only": self.stored_only, "training": self.settings.training}

    @property
    def datasets(self) -> list[str]:
        """The profile's datasets that are run (and, once :meth:`runs` has read them, have runs)."""
        return [dataset for _, dataset in self.roles if dataset is not None]

    def runs(self, *experiments: str, **kwargs) -> pd.DataFrame:
        """The runs of ``experiments`` (``experiments.experiment_runs``) on every dataset, trained or read from the store;
        a dataset without runs (none stored, with stored runs only) is then marked not run."""
        runs = pd.concat([experiment_runs(name, self.profile, dataset, **self.store_args, **kwargs)
                          for dataset in self.datasets
                          for name in experiments], ignore_index=True)
        self.roles = roles_with_runs(self.roles, runs)
        return runs

    def figure_per_dataset(self, runs: pd.DataFrame, name: str, draw: Callable[[pd.DataFrame, str], plt.Figure]
                           ) -> None:
        """``draw(runs of the dataset, its title)`` saved as ``<name>_<dataset>`` for each dataset with runs."""
        for role, dataset in self.roles:
            if dataset is None:
                display(Markdown(f"*{role}: no runs (not run in this profile, or not in the result store).*"))
                continue
            self.save_figure(draw(runs[runs.dataset == dataset], figures.dataset_title(role, dataset)),
                             f"{name}_{dataset}")

    def findings_per_dataset(self, runs: pd.DataFrame, write: Callable[[pd.DataFrame], str]) -> None:
        """The Markdown ``write(runs of the dataset)`` under a heading for each dataset with runs."""
        for role, dataset in self.roles:
            if dataset is not None:
                display(Markdown(f"**{role} role (`{dataset}`)**\n\n" + write(runs[runs.dataset == dataset])))


def dataset_roles(profile: Profile) -> list[tuple[str, str | None]]:
    """[("CIFAR-10", dataset), ("CIFAR-100", dataset or None when the profile skips it)]."""
    return [(role, dataset_for_role(profile, role)) for role in DATASET_ROLES]


def roles_with_runs(roles: list[tuple[str, str | None]], runs: pd.DataFrame) -> list[tuple[str, str | None]]:
    """``roles`` with None for a dataset without runs (e.g. none stored, with stored runs only)."""
    present = set(runs["dataset"])
    return [(role, dataset if dataset in present else None) for role, dataset in roles]


def _budget_text(budget: Budget) -> str:
    images = "all" if budget.train_subset is None else f"{budget.train_subset:,}"
    tests = "all" if budget.test_subset is None else f"{budget.test_subset:,}"
    return f"{budget.epochs} epochs, {images} training and {tests} test images, lr {budget.lr:g}"


def profile_note(profile: Profile, experiment: str | None = None, stored_only: bool = False,
                 settings: Settings = Settings()) -> str:
    """Markdown: the profile, its budgets (``experiment``'s first, or all), its grids, what it skips, where its outputs
    go (under ``settings``), and (``stored_only``) that nothing is trained."""
    if experiment is not None:
        lines = [f"**Profile `{profile.name}`** — {_budget_text(profile.budget(experiment))} per dataset, "
                 f"seeds {list(profile.seeds)}."]
    else:
        lines = [f"**Profile `{profile.name}`** — seeds {list(profile.seeds)}; budgets per dataset:"]
        lines += [f"- `{name}`: {_budget_text(budget)}" for name, budget in profile.budgets.items()]
    if profile.regime:
        lines.append(f"- **Regime:** {profile.regime}")
    lines += [f"- α grid: {', '.join(f'{a:g}' for a in profile.alphas)}; decay exponents k: "
              f"{', '.join(f'{k:g}' for k in profile.decay_ks)}.",
              "- The paper: 100 epochs on all 50,000 training images, Adam (lr 1e-4, batch 128), mean ± std over seeds."]
    for role, dataset in dataset_roles(profile):
        lines.append(f"- {role} role: `{dataset}`." if dataset else
                     f"- **{role} is skipped in this profile**: its columns below say “not run in this profile”.")
    if profile.skipped:
        lines.append(f"\n> **Note.** {profile.skipped}")
    if experiment == "open_choices":
        lines.append(f"- Notebook 08: seeds {list(profile.open_choice_seeds)}; α grid "
                     + ", ".join(f"{a:g}" for a in profile.open_choice_alphas) + "; option values: "
                     + ("all" if profile.open_choice_options is None else ", ".join(profile.open_choice_options)) + ".")
    if experiment == "intervals":
        study = profile.intervals
        lines.append(f"- Notebook 09: seeds {list(study.seeds)}; pulls every "
                     + ", ".join(str(i) for i in study.intervals) + " (steps, or epoch); Adam lr "
                     + ", ".join(f"{lr:g}" for lr in study.lrs) + "; α grid " + ", ".join(f"{a:g}" for a in study.alphas)
                     + (f"; the Mixer every {', '.join(str(i) for i in study.mixer_intervals)} at α "
                        + ", ".join(f"{a:g}" for a in study.mixer_alphas) if study.mixer_intervals else "") + ".")
    lines.append(f"- {output_note(settings.output_root(profile.name), settings)}")
    if stored_only:
        lines.append("\n> **Stored runs only** (`stored_only = True`): nothing is trained here; every run the "
                     "result store holds is shown, and what it lacks is marked not run.")
    return "\n".join(lines)


def output_note(root: Path, settings: Settings) -> str:
    """Markdown: where figures, tables and runs go under the output root ``root`` (of ``settings``), and why there."""
    committed = settings.committed_profile
    if settings.output_dir is not None:
        return f"Outputs (figures, tables, runs) go under `{shown(root)}/` (set by `IMLP_OUTPUT_DIR`)."
    if root == repo_root():
        return ("Outputs (figures, tables, runs) go to the repository's `figures/` and `results/`"
                + (f": the committed `{committed}`-profile files are rewritten by this run." if committed else "."))
    return (f"Outputs (figures, tables, runs) go under `{shown(root)}/`, beside the committed "
            f"`{committed}`-profile files in `figures/` and `results/`, never over them.")


def files_written(written: Iterable[Path]) -> str:
    """Markdown: 'Files written: `results/smoke/figures/03_….png`, …', each path as a reader finds it."""
    return "Files written: " + ", ".join(f"`{shown(path)}`" for path in written)
