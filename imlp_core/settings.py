"""The settings a run takes from outside its arguments, read once at the door and passed down as values.

The doors (the command line ``cli.py``, ``make reproduce``'s ``reproduce.py``, a notebook's first cell through
``notebook.py``, ``make lab``'s ``lab.py``) call :meth:`Settings.from_environment` and hand the value, or the part
of it that a function needs, to what they call; no module below them reads the environment or the marker file
``results/committed_profile`` (``tests/test_settings.py`` checks). Child processes get the value too: the
executors pickle it into a worker's plan and pass it to a sweep's process and to a submitit job.

=============================  ===========================================================================
variable                       field
=============================  ===========================================================================
``IMLP_PROFILE``               :attr:`Settings.profile` (default ``auto``)
``IMLP_OUTPUT_DIR``            :attr:`Settings.output_dir` (relative to the repository root)
``results/committed_profile``  :attr:`Settings.committed_profile` (a file, not a variable)
``IMLP_STORED_RUNS_ONLY``      :attr:`Settings.stored_only` (any value but empty or ``0``)
``IMLP_UPDATE_NOTEBOOKS``      :attr:`Settings.update_notebooks` (any value but empty or ``0``)
``IMLP_EXECUTOR``              :attr:`Settings.executor`
``IMLP_JOBS``                  :attr:`Settings.jobs` (default 2)
``IMLP_MEMORY_BUDGET_GB``      :attr:`Settings.memory_budget`
``IMLP_SLURM_<OPTION>``        :attr:`Settings.slurm` (``OPTION``: its value, as text)
``IMLP_LAB_PORT``              :attr:`Settings.lab_port`
``CUDA_VISIBLE_DEVICES``       :attr:`Settings.visible_gpus` (the GPUs the ``processes`` workers share)
``IMLP_DATA_DIR``              :attr:`TrainingSettings.data_dir` (default ``<repo>/data``)
``IMLP_DATASET_<NAME>``        :attr:`TrainingSettings.dataset_dirs` (variable name: ImageFolder directory)
``IMLP_CHECKPOINT_EVERY_S``    :attr:`TrainingSettings.checkpoint_every_s` (default 60)
``IMLP_CPU_HEAP``              :attr:`TrainingSettings.cpu_heap` (``0``: leave glibc's heap as it is)
``IMLP_CUDA_GRAPHS``           :attr:`TrainingSettings.cuda_graphs` (``0``: every step eager)
``IMLP_TEST_PAUSE_AT``         :attr:`TrainingSettings.pause_at` (test hook, ``results.pause_point``)
``IMLP_TEST_RESUME_FILE``      :attr:`TrainingSettings.resume_file` (test hook)
=============================  ===========================================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from imlp_core.paths import COMMITTED_PROFILE_FILE, output_root, repo_root

DATASET_PREFIX = "IMLP_DATASET_"
SLURM_PREFIX = "IMLP_SLURM_"


@dataclass(frozen=True)
class TrainingSettings:
    """What training a sweep takes besides its config; none of it changes a record's key."""

    data_dir: Path | None = None  # downloads and the decoded-ImageFolder cache; None: <repo root>/data
    dataset_dirs: Mapping[str, str] = field(default_factory=dict)  # IMLP_DATASET_<NAME> -> an ImageFolder directory
    checkpoint_every_s: float = 60.0  # seconds between a sweep's epoch checkpoints
    cpu_heap: bool = True  # keep large allocations in glibc's heap (devices.keep_large_allocations_in_heap)
    cuda_graphs: bool = True  # replay a GPU's training step as a CUDA graph (devices.TrainStep)
    pause_at: str | None = None  # test hook: ``<event>[:<n>]`` (results.pause_point)
    resume_file: Path | None = None  # test hook: a paused process goes on once this file exists


@dataclass(frozen=True)
class Settings:
    """Every setting of the environment (see the module docstring for the variable of each field)."""

    profile: str = "auto"
    output_dir: Path | None = None  # absolute; None: each profile's own output root
    committed_profile: str | None = None  # the profile the committed figures and tables came from
    stored_only: bool = False
    update_notebooks: bool = False
    executor: str | None = None
    jobs: int = 2
    memory_budget: str | None = None  # GB, as ``--memory-budget`` takes it (``memory.parse_budget``)
    slurm: Mapping[str, str] = field(default_factory=dict)  # OPTION -> value of IMLP_SLURM_<OPTION>
    lab_port: int | None = None
    visible_gpus: str | None = None  # CUDA_VISIBLE_DEVICES as given (None: unset)
    training: TrainingSettings = TrainingSettings()
    # The environment child processes start with (the executors' workers): passed on, never read for a setting.
    environment: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, root: Path | None = None) -> Settings:
        """The settings of ``environ`` (default: this process's environment) and of the marker file under ``root``
        (default: the repository root); an unset or empty variable keeps the field's default."""
        environ = dict(os.environ if environ is None else environ)
        root = repo_root() if root is None else root
        value = lambda name: environ.get(name) or None  # noqa: E731 - empty counts as unset
        output_dir = Path(value("IMLP_OUTPUT_DIR")) if value("IMLP_OUTPUT_DIR") else None
        marker = root / COMMITTED_PROFILE_FILE
        training = TrainingSettings(
            data_dir=Path(value("IMLP_DATA_DIR")) if value("IMLP_DATA_DIR") else None,
            dataset_dirs={name: path for name, path in environ.items() if name.startswith(DATASET_PREFIX) and path},
            checkpoint_every_s=float(value("IMLP_CHECKPOINT_EVERY_S") or 60),
            cpu_heap=environ.get("IMLP_CPU_HEAP", "1") != "0",
            cuda_graphs=environ.get("IMLP_CUDA_GRAPHS", "1") != "0",
            pause_at=value("IMLP_TEST_PAUSE_AT"),
            resume_file=Path(value("IMLP_TEST_RESUME_FILE")) if value("IMLP_TEST_RESUME_FILE") else None,
        )
        return cls(
            profile=value("IMLP_PROFILE") or "auto",
            output_dir=None if output_dir is None else output_dir if output_dir.is_absolute() else root / output_dir,
            committed_profile=(marker.read_text().strip() or None) if marker.is_file() else None,
            stored_only=is_on(environ.get("IMLP_STORED_RUNS_ONLY")),
            update_notebooks=is_on(environ.get("IMLP_UPDATE_NOTEBOOKS")),
            executor=value("IMLP_EXECUTOR"),
            jobs=int(value("IMLP_JOBS") or 2),
            memory_budget=value("IMLP_MEMORY_BUDGET_GB"),
            slurm={name.removeprefix(SLURM_PREFIX): text for name, text in environ.items()
                   if name.startswith(SLURM_PREFIX) and text},
            lab_port=int(value("IMLP_LAB_PORT") or 0) or None,
            visible_gpus=environ.get("CUDA_VISIBLE_DEVICES"),
            training=training,
            environment=environ,
        )

    def output_root(self, profile: str) -> Path:
        """Where the outputs of ``profile`` (a profile's name) go: :func:`imlp_core.paths.output_root`."""
        return output_root(profile, self.output_dir, self.committed_profile)


def is_on(text: str | None) -> bool:
    """A switch variable: on for any value but unset, empty or ``0``."""
    return text not in (None, "", "0")
