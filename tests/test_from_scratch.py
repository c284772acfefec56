"""benchmarks/from_scratch.py's report, on a hand-made run folder: the phases, each sweep kind, the training share
(each stack's training seconds counted once), the workers' use of two cores and the memory."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from conftest import REPO_ROOT

spec = importlib.util.spec_from_file_location("from_scratch", REPO_ROOT / "benchmarks" / "from_scratch.py")
from_scratch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(from_scratch)

LOG = """reproduce: profile 'cpu', datasets cifar10, outputs under out
plan: 3 sweeps, 3 with missing runs; executor processes
worker 0: cnn+schedules: cnn on cifar10, seed 0 (2 models) done in 600.0 s
worker 1: mixer: mixer on cifar10, seed 0 (1 models) done in 300.0 s
worker 1: mixer: mixer on cifar10, seed 5 (1 models) done in 300.0 s
worker 0: cnn+schedules: cnn on cifar10, seed 0 (2 models) done in 4.0 s
reproduce: [1/2] 03_alpha_sweep_cnn.ipynb ...
reproduce: [2/2] 04_alpha_sweep_mixer.ipynb ...
"""


def record(folder: Path, key: str, prior: str, size: int, seconds: float) -> None:
    (folder / f"{key}.json").write_text(json.dumps({
        "key": key, "config": {"prior": prior, "seed": 0, "schedule": {"alpha": key}}, "sweep_size": size,
        "wall_time_s": seconds}))


def test_the_report_reads_the_phases_kinds_training_share_cores_and_memory(tmp_path):
    (tmp_path / "start").write_text("1000\n")
    (tmp_path / "end").write_text("1700\n")
    (tmp_path / "rc").write_text("0\n")
    (tmp_path / "settings.json").write_text(json.dumps({"jobs": 2, "budget_gb": 6.5, "memory_limit_gb": 14.5, "only": ["03"],
                                                        "cpu_count": 2, "cpu": "AMD EPYC", "cpu_capability": "AVX512"}))
    (tmp_path / "reproduce.log").write_text(LOG)
    (tmp_path / "progress.log").write_text("1000 2\n1300 4\n1600 7\n1700 8\n")
    (tmp_path / "mem.log").write_text("1000 total_cache=0.10 total_rss=1.00  max_usage=1.20 failcnt=0\n"
                                      "1300 total_cache=3.00 total_rss=9.50  max_usage=14.50 failcnt=7\n")
    store = tmp_path / "out" / "results" / "runs"
    store.mkdir(parents=True)
    record(store, "a", "cnn", 2, 450.0)  # one stack of two I-MLPs: its 450 s once
    record(store, "b", "cnn", 2, 450.0)
    record(store, "c", "mixer", 1, 200.0)  # the Mixer's two stacks of one
    record(store, "d", "mixer", 1, 210.0)
    page = from_scratch.report(tmp_path)
    assert "wall time: **0 h 11 min 40 s**; training 0 h 10 min 00 s (to within 10 s), the notebooks 0 h 01 min 40 s" in page
    assert "every sweep of seeds 0–4 stored after 0 h 05 min 00 s (to within 10 s)" in page  # seed 5 came after
    assert "sweeps: 3 trained (1 more started for a sweep another worker had just stored, 4 s lost)" in page
    assert "20 worker-minutes, of which training steps 14 (72%)" in page  # (450 + 200 + 210) / 1200
    assert "On AMD EPYC (AVX512, 2 cores), notebooks\n03, 2 workers, each sweep cut to 6.5 GB." in page
    assert "kept 100% of their 2 cores busy" in page  # 1200 s of sweeps in a 600 s training phase
    assert "resident at most 9.50 GB; with the page cache, the group's peak 14.50 GB, its limit 14.5 GB" in page
    assert "| cnn+schedules: cnn, 2 I-MLPs | 1 | 600–600 | 600 |" in page
    assert "| mixer: mixer, 1 I-MLPs | 2 | 300–300 | 300 |" in page
