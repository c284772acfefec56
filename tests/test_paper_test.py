"""The paper-scale test of notebook 09's prediction runs as one command, ``benchmarks/gpu_session.sh paper-test``
(``benchmarks/paper_test.py``): here in the smoke profile on synthetic data, two of its pieces of one I-MLP each, so
that the command a GPU session runs cannot rot."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from conftest import REPO_ROOT
from imlp_core.plan import profile_plan
from imlp_core.profiles import PROFILES

DRIFT_FIELDS = ("drift_along", "prior_along", "gap_start", "first_step_along")


def paper_test(store: Path, out: Path, pieces: list[int]) -> str:
    """``gpu_session.sh paper-test`` in the smoke profile on synthetic data, pieces of one I-MLP (one thread), into
    ``store``; its output."""
    env = {**os.environ, "PROFILE": "smoke", "DATASET": "synthetic", "ALPHA_CHUNK": "1",
           "PIECES": " ".join(map(str, pieces)), "IMLP_OUTPUT_DIR": str(store), "OUT": str(out),
           "PYTHON": sys.executable, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(["bash", "benchmarks/gpu_session.sh", "paper-test"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def packed(pack: Path) -> set[str]:
    with tarfile.open(pack) as tar:
        return set(tar.getnames())


def test_the_paper_test_trains_per_step_and_per_epoch_pieces_with_the_drift_fields_and_resumes(tmp_path):
    # With ALPHA_CHUNK=1 the pieces are the study's runs in plan order: take the first S-CNN run at alpha = 0.1 pulled
    # after every step, and the first pulled after every epoch.
    study = [(p.sweep, s) for p in profile_plan(PROFILES["smoke"], ["intervals"], ["synthetic"]) for s in p.schedules]
    numbers = [1 + next(i for i, (sweep, s) in enumerate(study)
                        if sweep.prior == "cnn" and sweep.interpolate_every == every and s.alpha == 0.1)
               for every in (1, "epoch")]
    store, runs = tmp_path / "store", tmp_path / "store" / "results" / "runs"

    out = paper_test(store, tmp_path / "out1", numbers)
    records = {path.name: json.loads(path.read_text()) for path in runs.glob("*.json")}
    intervals = [record["config"].get("interpolate_every", "epoch") for record in records.values()]
    assert sorted(intervals, key=str) == [1, "epoch"], intervals
    for record in records.values():
        assert all(isinstance(entry[field][0], float) for entry in record["history"] for field in DRIFT_FIELDS)
        assert isinstance(record["final"]["test_acc_before_pull"], float)
    assert packed(tmp_path / "out1" / "runs.tgz") == set(records)
    assert out.count("training: ") == 2 and "left: pieces " in out
    listing = {int(line.split(".")[0]): line for line in out.splitlines() if re.match(r"\s+\d+\. ", line)}
    assert len(listing) == len(study) and all(listing[n].endswith(": stored") for n in numbers), out

    written = {path.name: path.stat().st_mtime_ns for path in runs.glob("*.json")}
    out = paper_test(store, tmp_path / "out2", numbers)  # the same call again: every chosen piece is stored
    assert "training: " not in out
    assert {path.name: path.stat().st_mtime_ns for path in runs.glob("*.json")} == written
    assert packed(tmp_path / "out2" / "runs.tgz") == set()
