"""One sweep against the result store: train what is missing, resume what was interrupted, never twice at once.

Every trained I-MLP becomes one JSON record keyed by the hash of its full config (``records.py``). A sweep
(``sweep.py``) whose records exist is not run again; one interrupted mid-way continues from its last epoch
checkpoint (one file per sweep, written by the :class:`~imlp_core.trainer.Trainer`), and a lock per sweep keeps
two processes from training the same runs. Which runs a store lacks is asked in one place,
:func:`missing_schedules`, by the sweeps here, the plan and its executors.

Its command line: ``python -m imlp_core train --prior cnn --dataset cifar10 --alphas 0 0.01 1 --epochs 100``.
"""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path
from typing import Any, Sequence

import torch
from filelock import FileLock, Timeout

from imlp_core.devices import release_free_memory, resolve_device
from imlp_core.interpolate import AlphaSchedule
from imlp_core.atomic_writes import check_writable, remove_stale_temps
from imlp_core.pauses import pause_point
from imlp_core.records import checkpoint_path, lock_path, read_record, record_path, write_record
from imlp_core.settings import TrainingSettings
from imlp_core.sweep import SweepConfig, check_dataset_name, check_schedules
from imlp_core.checkpoint import checkpointed_schedules
from imlp_core.trainer import Trainer


class SweepBusy(RuntimeError):
    """Another live process holds the sweep's lock (raised by ``run_sweep(..., wait=False)``)."""


def run_sweep(
    sweep: SweepConfig,
    schedules: Sequence[AlphaSchedule],
    results: Path,
    device: str | torch.device = "auto",
    progress: bool = True,
    wait: bool = True,
    settings: TrainingSettings = TrainingSettings(),
) -> list[dict[str, Any]]:
    """Train what is missing of ``schedules`` in ``sweep`` into the store ``results`` and return every record (in
    ``schedules`` order); ``settings`` (from the door) say where the data is, how often to checkpoint and how the
    device runs.

    While another process trains the sweep, wait for it, or with ``wait=False`` raise :class:`SweepBusy`.
    The lock is the kernel's (flock): it goes with a process that dies, and its sweep can then be taken over.
    """
    schedules = check_schedules(schedules)
    check_dataset_name(sweep.dataset, settings.dataset_dirs)
    results = check_writable(Path(results))
    device = resolve_device(device)
    keys = [sweep.run_key(s) for s in schedules]
    lock = FileLock(lock_path(results, sweep.key))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise SweepBusy(f"another process holds the lock of this sweep ({lock.lock_file})") from None
        print(f"another process holds the lock of this sweep ({lock.lock_file}); waiting for it to finish", flush=True)
        lock.acquire()
    try:
        checkpoint = checkpoint_path(results, sweep.key)
        for path in [*(record_path(results, key) for key in keys), checkpoint]:
            remove_stale_temps(path)  # left by a process killed while writing
        # A checkpoint of the sweep (killed after writing some of its records) is continued as a whole, so that
        # the missing records are exactly those of the uninterrupted sweep; runs it does not hold train after it.
        checkpointed = checkpointed_schedules(checkpoint) or []
        missing = missing_schedules(sweep, list(dict.fromkeys([*checkpointed, *schedules])), results)
        if any(s in checkpointed for s in missing):
            train_runs(sweep, checkpointed, results, device, progress, settings)
        checkpoint.unlink(missing_ok=True)  # finished, or left by a process killed after its last record
        if pending := [s for s in missing if s not in checkpointed]:
            train_runs(sweep, pending, results, device, progress, settings)
    finally:  # done or failed: no lock file left (a waiter retries; a failed sweep resumes from its checkpoint)
        Path(lock.lock_file).unlink(missing_ok=True)
        lock.release()
    return [read_record(record_path(results, key)) for key in keys]


def train_runs(sweep: SweepConfig, schedules: list[AlphaSchedule], results: Path, device: torch.device,
               progress: bool, settings: TrainingSettings = TrainingSettings()) -> None:
    """Algorithm 1 for the I-MLPs of ``schedules`` (from the sweep's checkpoint when it holds them), then the records
    the store does not hold yet; the checkpoint goes once they are written."""
    trainer = Trainer(sweep, schedules, checkpoint_path(results, sweep.key), device, progress, settings)
    try:
        written = 0
        for record in trainer.run():
            if read_record(record_path(results, record["key"])) is None:  # else written before an interruption: this
                written += 1  # run continued the whole sweep for the others
                write_record(results, record, partial(pause_point, "record", written, settings))
        trainer.checkpoint.unlink(missing_ok=True)
    finally:
        # The Trainer sits in reference cycles (its train step's and pull measurements' callbacks): left to Python's
        # cyclic collector, a finished sweep's weights, moments and snapshots lived on into the next sweep of the
        # process, which grew until it was killed for memory. Collected now, and the freed heap given back.
        del trainer
        gc.collect()
        if device.type == "cpu":
            release_free_memory()


def missing_schedules(sweep: SweepConfig, schedules: Sequence[AlphaSchedule], results: Path) -> list[AlphaSchedule]:
    """The ``schedules`` of ``sweep`` whose record the store ``results`` does not hold (a corrupt one is missing)."""
    return [s for s in schedules if read_record(record_path(results, sweep.run_key(s))) is None]


def stored_records(sweep: SweepConfig, schedules: Sequence[AlphaSchedule], results: Path) -> list[dict[str, Any]]:
    """The records the store holds of the runs of ``schedules`` in ``sweep`` (in ``schedules`` order, the missing left
    out); trains nothing. Each record is one I-MLP's whole run, so a sweep stored in part still gives whole runs."""
    results = Path(results)
    records = [read_record(record_path(results, sweep.run_key(s))) for s in check_schedules(schedules)]
    return [record for record in records if record is not None]


if __name__ == "__main__":  # the spelling before the console command: say which command this is now
    import shlex
    import sys

    sys.exit(f"python -m imlp_core.sweep_runner is not a command; run: "
             f"{shlex.join(['python', '-m', 'imlp_core', 'train', *sys.argv[1:]])}")
