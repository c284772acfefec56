"""The Trainer's records, byte for byte: tiny sweeps that take every path of Algorithm 1 and of its pull measurements
(pulls per epoch and every N steps, constant, decay and test-time schedules, a curve subset, Adam reset, a cosine
learning rate, affine LayerNorms) give exactly the records stored in ``tests/trainer_records.json``.

A record is bit-identical only where the torch version, the CPU's model and capability and the thread count are those
it was made with (README); elsewhere the test is skipped and says why. Regenerate the file only for a change that
means to change records, from the repository root:
``python -c "import sys; sys.path.insert(0, 'tests'); import test_trainer_records; test_trainer_records.write()"``
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch

from conftest import TESTS_DIR, TINY_PRIOR, stable, tiny_prior_registered
from imlp_core.devices import cpu_description
from imlp_core.interpolate import AlphaSchedule
from imlp_core.sweep import SweepConfig
from imlp_core.sweep_runner import run_sweep

STORED = TESTS_DIR / "trainer_records.json"


def sweeps() -> list[tuple[SweepConfig, list[AlphaSchedule]]]:
    """The tiny sweeps and their schedules (``tiny-cnn`` must be registered): 4 steps per epoch, 2 epochs."""
    tiny = SweepConfig(TINY_PRIOR, "synthetic", epochs=2, batch_size=64, train_subset=256, test_subset=128)
    return [
        (dataclasses.replace(tiny, curve_test_subset=64),
         [AlphaSchedule("constant", 0.0), AlphaSchedule("constant", 0.5), AlphaSchedule("constant", 1.0),
          AlphaSchedule("decay", 0.5, 1.0), AlphaSchedule("test-time", 0.4)]),
        (dataclasses.replace(tiny, interpolate_every=3, optimizer_state="reset", lr_schedule="cosine"),
         [AlphaSchedule("constant", 0.2), AlphaSchedule("constant", 1.0)]),
        (dataclasses.replace(tiny, interpolate_every=1, ln="affine-interpolated"), [AlphaSchedule("constant", 0.3)]),
    ]


def machine() -> dict:
    """What bit-identity rests on: torch, the CPU's model and capability, the threads."""
    return {"torch": torch.__version__, **cpu_description(), "num_threads": torch.get_num_threads()}


def serialized(records: list[dict]) -> list[str]:
    """Each record as the store writes it (``records.write_record``), without what varies from run to run."""
    return [json.dumps(stable(record), indent=1, sort_keys=True) for record in records]


def train(store: Path) -> list[dict]:
    """The records of :func:`sweeps`, trained into ``store``."""
    with tiny_prior_registered():
        return [record for sweep, schedules in sweeps()
                for record in run_sweep(sweep, schedules, store, "cpu", progress=False)]


def write(store: Path = Path("build/trainer-records")) -> None:
    """Train :func:`sweeps` on this machine, one thread, and store their records and the machine in :data:`STORED`."""
    torch.set_num_threads(1)
    records = [stable(record) for record in train(store)]
    STORED.write_text(json.dumps({"machine": machine(), "records": records}, indent=1, sort_keys=True) + "\n")


def test_the_trainer_gives_the_stored_records_byte_for_byte(tmp_path):
    stored = json.loads(STORED.read_text())
    if stored["machine"] != machine():
        pytest.skip(f"the records were made on {stored['machine']}, this is {machine()}: bit-identity is not expected")
    assert serialized(train(tmp_path)) == serialized(stored["records"])
