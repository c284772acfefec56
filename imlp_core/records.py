"""The result store's records: one JSON record per trained I-MLP, keyed by the hash of its full config.

A record file is either absent or complete (written through :mod:`imlp_core.atomic_writes`). A corrupt or truncated
record is reported with its path and treated as missing, so the run is recomputed instead of crashing a batch.
Notebooks read only :func:`load`. Nothing here imports torch: the reading side reads the store through this module.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from imlp_core.atomic_writes import atomic_write_bytes
from imlp_core.options import DEFAULTS


def config_key(config: dict[str, Any]) -> str:
    """16 hex digits of the SHA-256 of the config's canonical JSON: the run's identity."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


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


def write_record(directory: Path, record: dict[str, Any], before_rename: Callable[[], None] | None = None) -> Path:
    """Atomically write ``record`` (which holds its ``key``) into the store (``before_rename``: see
    :func:`~imlp_core.atomic_writes.atomic_file`)."""
    path = record_path(directory, record["key"])
    atomic_write_bytes(path, json.dumps(record, indent=1, sort_keys=True).encode(), before_rename)
    return path


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
