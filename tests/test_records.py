"""imlp_core.records and imlp_core.atomic_writes: atomic record writes, corrupt records reported and recomputed, config keys, load(); every
committed record named by its key and naming its data source in one form, with no machine's path."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path, PurePosixPath

import pytest

from conftest import REPO_ROOT, stable
from imlp_core import atomic_writes, provenance
from imlp_core import records as store
from imlp_core.data import source_name
from imlp_core.interpolate import AlphaSchedule
from imlp_core.sweep_runner import run_sweep


def minimal_record(key: str, test_acc: float = 0.5) -> dict:
    return {"key": key, "final": {"test_acc": test_acc}}


def leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_config_key_is_canonical_and_distinguishes_configs():
    assert store.config_key({"a": 1, "b": [1, 2]}) == store.config_key({"b": [1, 2], "a": 1})
    assert store.config_key({"a": 1}) != store.config_key({"a": 2})
    assert len(store.config_key({"a": 1})) == 16


def test_write_then_read_round_trips(tmp_path):
    path = store.write_record(tmp_path, minimal_record("k1"))
    assert path == tmp_path / "k1.json"
    assert store.read_record(path) == minimal_record("k1")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_write_that_fails_midway_leaves_the_old_record_intact_and_no_temporary_file(tmp_path, monkeypatch, failing):
    path = store.write_record(tmp_path, minimal_record("k1", 0.25))
    old_bytes = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_writes.os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        store.write_record(tmp_path, minimal_record("k1", 0.75))
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert leftovers(tmp_path) == []


def test_a_new_record_is_never_visible_before_it_is_complete(tmp_path, monkeypatch):
    """Between writing and renaming, only the temporary file exists; the record's own name appears at once, whole."""
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((os.path.exists(dst), json.loads(open(src).read())))
        real_replace(src, dst)

    monkeypatch.setattr(atomic_writes.os, "replace", spy)
    store.write_record(tmp_path, minimal_record("k2"))
    assert seen == [(False, minimal_record("k2"))]


@pytest.mark.parametrize("content", [b'{"key": "k1", "final": {"test_', b"", b"\xff\xfe\x00garbage", b"[1, 2]",
                                     b'{"key": "k1"}'], ids=["truncated", "empty", "binary", "not-a-dict", "incomplete"])
def test_a_corrupt_record_is_reported_with_its_path_and_read_as_missing(tmp_path, content):
    path = tmp_path / "k1.json"
    path.write_bytes(content)
    with pytest.warns(UserWarning, match=rf"corrupt run record {path}.*recomputed"):
        assert store.read_record(path) is None


def test_a_missing_record_is_none_without_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.read_record(tmp_path / "absent.json") is None


def test_a_corrupt_record_in_the_store_is_recomputed_not_a_crash(tiny_sweep, tmp_path):
    schedules = [AlphaSchedule("constant", 0.0), AlphaSchedule("constant", 0.5)]
    first = run_sweep(tiny_sweep, schedules, tmp_path, "cpu", progress=False)
    broken = store.record_path(tmp_path, first[1]["key"])
    broken.write_text(broken.read_text()[:100])  # truncated, as by a full disk
    with pytest.warns(UserWarning, match=rf"corrupt run record {broken}"):
        again = run_sweep(tiny_sweep, schedules, tmp_path, "cpu", progress=False)
    assert again[0] == first[0]  # the intact record was not touched
    assert again[1]["sweep_size"] == 1  # only the broken run was trained again, alone ...
    without_size = lambda r: {k: v for k, v in stable(r).items() if k != "sweep_size"}
    assert without_size(again[1]) == without_size(first[1])  # ... to the same numbers (batched = separate)
    assert store.read_record(broken) == again[1]


def test_load_skips_corrupt_records_with_a_warning(cnn_sweep_store, tmp_path):
    source, records = cnn_sweep_store
    for record in records:
        store.write_record(tmp_path, record)
    (tmp_path / "0000000000000000.json").write_text("{")
    with pytest.warns(UserWarning, match="0000000000000000.json"):
        frame = store.load(tmp_path)
    assert len(frame) == len(records)


def test_environment_info_names_versions_code_and_device():
    import torch

    info = provenance.environment_info(torch.device("cpu"))
    assert info["device"].startswith("cpu")
    assert info["torch"] == torch.__version__
    assert {"torchvision", "imlp_core", "python", "git_commit", "num_threads"} <= set(info)


def test_environment_info_names_the_cpu_model_and_its_kernels_instruction_set(monkeypatch):
    """What decides bit-identity beside torch and the threads: the CPU's model (``/proc/cpuinfo``, else the
    platform's name) and torch's CPU capability."""
    import platform

    import torch

    from imlp_core import devices

    info = provenance.environment_info(torch.device("cpu"))
    assert info["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
    assert info["cpu"] == devices.cpu_model() != ""
    if Path("/proc/cpuinfo").exists():
        models = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")]
        assert info["cpu"] == (models[0] if models else platform.processor() or platform.machine())

    def no_cpuinfo(*args, **kwargs):
        raise FileNotFoundError("/proc/cpuinfo")

    monkeypatch.setattr(devices, "open", no_cpuinfo, raising=False)
    assert devices.cpu_model() == (platform.processor() or platform.machine())


def committed_records() -> dict[str, dict]:
    """Every committed run record under results/ (every store), by its path in the repository."""
    records = {}
    for path in sorted((REPO_ROOT / "results").rglob("*.json")):
        record = json.loads(path.read_text())
        if isinstance(record, dict) and "config" in record:
            records[path.relative_to(REPO_ROOT).as_posix()] = record
    return records


def test_every_committed_record_names_its_source_as_new_records_do_and_no_machine_path():
    records = committed_records()
    assert len(records) > 1000  # results/runs, results/paper-h100 and both precision checks
    by_dataset: dict[str, set[str]] = {}
    for name, record in records.items():
        assert name.endswith(f"{store.config_key(record['config'])}.json")  # the source is no part of the key
        kind, _, where = record["dataset"]["source"].partition(" ")
        assert not PurePosixPath(where).is_absolute(), name
        if kind == "ImageFolder":
            assert where == source_name(Path("/any/machine") / where), name  # the form data.source_name writes
        by_dataset.setdefault(record["dataset"]["name"], set()).add(record["dataset"]["source"])
    assert {dataset: len(sources) for dataset, sources in by_dataset.items()} == dict.fromkeys(by_dataset, 1)
