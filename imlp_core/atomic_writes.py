"""Atomic writes: a temporary file in the same folder, fsynced and renamed over the target, so that readers see the
old file or the whole new one, never a part; and a full disk said plainly (the file, the space it needs)."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


def temp_path_pattern(path: Path) -> str:
    """Glob pattern of the temporary files :func:`atomic_file` uses for ``path``."""
    return f".{path.name}.*.tmp"


class DiskFull(OSError):
    """A write ran out of space (ENOSPC, or a quota): the message names the file and the space it needs."""


@contextmanager
def atomic_file(path: Path, before_rename: Callable[[], None] | None = None) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through, so that readers see the old file or the whole new one, never a part:
    a temporary file in the same folder, fsynced and renamed over ``path`` when the block ends without an error
    (``before_rename``, when given, is called between the two: the test hook of ``pauses``).

    On a full disk the temporary file is removed, ``path`` keeps its old content, and :class:`DiskFull` says
    which file needed how much space. A checkpoint is streamed through it (``torch.save(obj, f)``): no copy of its
    tensors is held in memory (a Mixer sweep's checkpoint is 6 GB).
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
        if before_rename:
            before_rename()
        os.replace(tmp, path)
    except BaseException as error:
        full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
        written = written or (Path(tmp).stat().st_size if full else 0)
        Path(tmp).unlink(missing_ok=True)
        if full:
            raise disk_full(path, written, error) from error
        raise


def atomic_write_bytes(path: Path, data: bytes, before_rename: Callable[[], None] | None = None) -> None:
    """Write ``data`` to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path, before_rename) as f:
        f.write(data)


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


def remove_stale_temps(path: Path) -> None:
    """Delete temporary files a killed writer of ``path`` left behind (call only while holding its lock)."""
    for tmp in path.parent.glob(temp_path_pattern(path)):
        tmp.unlink(missing_ok=True)


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
