"""The result store: one JSON record per trained I-MLP, keyed by the hash of its full config.

Records are written atomically (temporary file in the same folder, fsync, ``os.replace``), so a record
file is either absent or complete. A corrupt or truncated record is reported with its path and treated
as missing, so the run is recomputed instead of crashing a batch. Notebooks read only ``load()``.

Test hook: ``IMLP_TEST_PAUSE_AT=<event>[:<n>]`` (``TrainingSettings.pause_at``, passed down from the door) makes
the process print ``IMLP_TEST_PAUSED <event>`` and sleep at the n-th (default first) occurrence of a named moment
(:func:`pause_point`), so that a test can SIGKILL it exactly there; with ``IMLP_TEST_RESUME_FILE=PATH``
(``TrainingSettings.resume_file``) it goes on once PATH exists. Unset (always, outside tests), it does nothing.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import pandas as pd
import torch

from imlp_core._version import __version__
from imlp_core.devices import cpu_description
from imlp_core.options import DEFAULTS
from imlp_core.paths import repo_root
from imlp_core.settings import TrainingSettings


def config_key(config: dict[str, Any]) -> str:
    """16 hex digits of the SHA-256 of the config's canonical JSON: the run's identity."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


_pause_counts: dict[str, int] = {}


def pause_point(event: str, settings: TrainingSettings) -> None:
    """Test hook (see the module docstring): pause here if ``settings.pause_at`` names this occurrence of ``event``.

    Events: ``epoch`` (after the first batch of each epoch), ``record`` (a record's temporary file is
    complete, not yet renamed), ``between-sweeps`` (the command line has finished one seed's sweep).
    """
    wanted = settings.pause_at
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != event:
        return
    _pause_counts[event] = _pause_counts.get(event, 0) + 1
    if _pause_counts[event] == int(nth or 1):
        print(f"IMLP_TEST_PAUSED {event}", flush=True)
        resume = settings.resume_file
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline and not (resume and resume.exists()):
            time.sleep(0.05)


def temp_path_pattern(path: Path) -> str:
    """Glob pattern of the temporary files :func:`atomic_file` uses for ``path``."""
    return f".{path.name}.*.tmp"


class DiskFull(OSError):
    """A write ran out of space (ENOSPC, or a quota): the message names the file and the space it needs."""


@contextmanager
def atomic_file(path: Path, pause_event: str | None = None, settings: TrainingSettings = TrainingSettings()
                ) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through, so that readers see the old file or the whole new one, never a part:
    a temporary file in the same folder, fsynced and renamed over ``path`` when the block ends without an error.

    On a full disk the temporary file is removed, ``path`` keeps its old content, and :class:`DiskFull` says
    which file needed how much space.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    written = 0
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            written = f.tell()
            f.flush()
            os.fsync(f.fileno())
        if pause_event:
            pause_point(pause_event, settings)
        os.replace(tmp, path)
    except BaseException as error:
        full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
        written = written or (Path(tmp).stat().st_size if full else 0)
        Path(tmp).unlink(missing_ok=True)
        if full:
            raise disk_full(path, written, error) from error
        raise


def atomic_write_bytes(path: Path, data: bytes, pause_event: str | None = None,
                       settings: TrainingSettings = TrainingSettings()) -> None:
    """Write ``data`` to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path, pause_event, settings) as f:
        f.write(data)


def atomic_torch_save(obj: object, path: Path) -> None:
    """``torch.save(obj, path)`` atomically (:func:`atomic_file`; checkpoints, the decoded-image cache), streamed
    into the file: no copy of ``obj``'s tensors is held in memory (a Mixer sweep's checkpoint is 6 GB)."""
    with atomic_file(path) as f:
        torch.save(obj, f)


def disk_full(path: Path, needed: int, error: OSError) -> DiskFull:
    """The ``error`` of ``path``, which could not be written for lack of ``needed`` bytes of space, made clear."""
    try:
        free = f"{size_text(shutil.disk_usage(path.parent).free)} free there now"
    except OSError:
        free = "free space unknown"
    return DiskFull(error.errno, f"{error.strerror or 'No space left on device'} while writing {path}: it needs "
                                 f"{size_text(needed)} ({free}); free some space (or choose another result store) "
                                 f"and run again: records already written are intact and an interrupted sweep "
                                 f"resumes from its last checkpoint")


def size_text(n: int) -> str:
    """``n`` bytes as 512 B, 3.2 kB, 1.4 MB or 0.9 GB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def check_writable(directory: Path) -> Path:
    """``directory``, created if needed, or a PermissionError saying where results could not be written."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test-")
        probe.close()
    except OSError as error:
        raise PermissionError(
            f"cannot write results to {directory} ({error.strerror or error}); choose a writable folder "
            f"with --results DIR (or IMLP_OUTPUT_DIR for notebooks)"
        ) from error
    return directory


# The store's layout: one record per run (keyed by ``config_key`` of its run config), and per sweep (keyed by
# ``config_key`` of the sweep's config) at most one epoch checkpoint and one lock file.
def record_path(directory: Path, key: str) -> Path:
    """The record of the run whose key is ``key``."""
    return Path(directory) / f"{key}.json"


def checkpoint_path(directory: Path, sweep_key: str) -> Path:
    """The one epoch checkpoint of the sweep whose key is ``sweep_key``, whichever of its runs it trains."""
    return Path(directory) / ".checkpoints" / f"{sweep_key}.pt"


def lock_path(directory: Path, sweep_key: str) -> Path:
    """The lock file that keeps two processes from training the sweep whose key is ``sweep_key`` at once."""
    return Path(directory) / ".locks" / f"{sweep_key}.lock"


def write_record(directory: Path, record: dict[str, Any], settings: TrainingSettings = TrainingSettings()) -> Path:
    """Atomically write ``record`` (which holds its ``key``) into the store (``settings``: the test hook's)."""
    path = record_path(directory, record["key"])
    atomic_write_bytes(path, json.dumps(record, indent=1, sort_keys=True).encode(), "record", settings)
    return path


def remove_stale_temps(path: Path) -> None:
    """Delete temporary files a killed writer of ``path`` left behind (call only while holding its lock)."""
    for tmp in path.parent.glob(temp_path_pattern(path)):
        tmp.unlink(missing_ok=True)


def read_record(path: Path) -> dict[str, Any] | None:
    """The record at ``path``; None if it is missing, or corrupt (with a warning naming the file)."""
    try:
        record = json.loads(Path(path).read_text())
        if not isinstance(record, dict) or "key" not in record or "final" not in record:
            raise ValueError("not a complete run record")
        return record
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError) as error:
        warnings.warn(f"ignoring corrupt run record {path} ({error}); the run will be recomputed", stacklevel=2)
        return None


def to_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per record: config columns (the schedule as ``schedule``, ``alpha``, ``k``), final numbers, history."""
    rows = []
    for record in records:
        config = {**DEFAULTS, **record["config"]}  # defaults of later settings are not in the config
        schedule = config.pop("schedule")
        rows.append({**config, "schedule": schedule["kind"], "alpha": schedule["alpha"], "k": schedule["k"],
                     "label": record["label"], **record["final"], "status": record["status"],
                     "history": record["history"], "source": record["dataset"]["source"],
                     "device": record["environment"]["device"], "wall_time_s": record["wall_time_s"],
                     "images_per_s": record["images_per_s"], "key": record["key"]})
    if not rows:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    # Fields later versions added to ``final`` are missing (None) in older records, not absent from the frame.
    frame = pd.DataFrame(rows)
    return frame.assign(**{name: None for name in LATER_FINAL_FIELDS if name not in frame})


LATER_FINAL_FIELDS = ("test_acc_before_pull",)  # notebook 09's; records made before it lack them
# The columns of :func:`to_frame` (given explicitly when there is no record to take them from).
FRAME_COLUMNS = ["prior", "dataset", "epochs", "batch_size", "lr", "train_subset", "test_subset", "seed", "layers",
                 *DEFAULTS, "schedule", "alpha", "k", "label", "test_acc", "test_acc_before_pull", "prior_test_acc", "train_loss", "status",
                 "history", "source", "device", "wall_time_s", "images_per_s", "key"]


def load(directory: Path | str) -> pd.DataFrame:
    """Every readable record in ``directory`` as :func:`to_frame` rows (corrupt ones are warned about and skipped)."""
    records = (read_record(path) for path in sorted(Path(directory).glob("*.json")))
    return to_frame(r for r in records if r is not None)


def git_commit() -> str | None:
    """The checkout's commit (with ``-dirty`` when it has uncommitted changes), or None outside git."""
    try:
        run = lambda *args: subprocess.run(["git", *args], cwd=repo_root(), capture_output=True, text=True, timeout=10)
        commit = run("rev-parse", "HEAD")
        if commit.returncode != 0:
            return None
        dirty = run("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return commit.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def environment_info(device: torch.device) -> dict[str, Any]:
    """What a record needs to be rerun: library versions, code version and the device; the CPU's model and the
    instruction set of torch's CPU kernels (:func:`~imlp_core.devices.cpu_description`), which with the torch
    version and the thread count say where the same numbers can be expected (records before them lack both)."""
    import torchvision

    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine()
    return {
        "device": f"{device.type}: {name}",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "imlp_core": __version__,
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "num_threads": torch.get_num_threads(),
        "tf32_matmul": device.type == "cuda" and torch.backends.cuda.matmul.allow_tf32,
        **cpu_description(),
    }
