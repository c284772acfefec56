"""benchmarks/compare_stores.py: the two stores' machines side by side (unknown for records made before the CPU was
recorded), and their final numbers compared, on hand-made records."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from conftest import REPO_ROOT

spec = importlib.util.spec_from_file_location("compare_stores", REPO_ROOT / "benchmarks" / "compare_stores.py")
compare_stores = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_stores)

OLD_ENVIRONMENT = {"device": "cpu: x86_64", "torch": "2.14.1", "num_threads": 1}  # before the CPU was recorded


def write_store(folder: Path, accuracies: dict[str, float], environments: list[dict]) -> Path:
    """A store of one cnn record per key in ``accuracies``, the i-th with ``environments[i]``."""
    folder.mkdir()
    for (key, accuracy), environment in zip(accuracies.items(), environments):
        record = {"key": key, "config": {"prior": "cnn", "seed": 0}, "label": key, "environment": environment,
                  "final": {"test_acc": accuracy, "prior_test_acc": 0.5, "train_loss": 1.0}}
        (folder / f"{key}.json").write_text(json.dumps(record))
    return folder


def test_machines_stand_side_by_side_and_old_records_are_unknown(tmp_path):
    intel = {**OLD_ENVIRONMENT, "cpu": "Intel(R) Xeon(R) Platinum 8480+", "cpu_capability": "AVX512"}
    amd = {**OLD_ENVIRONMENT, "cpu": "AMD EPYC", "cpu_capability": "AVX512"}
    new = compare_stores.finals(write_store(tmp_path / "new", {"a": 0.3, "b": 0.4, "c": 0.5}, [intel, intel, amd]))
    old = compare_stores.finals(write_store(tmp_path / "old", {"a": 0.3, "b": 0.41}, [OLD_ENVIRONMENT] * 2))
    table = compare_stores.machines({"new": new, "old": old})
    assert table.loc["cpu", "new"] == "Intel(R) Xeon(R) Platinum 8480+ (2), AMD EPYC (1)"
    assert table.loc["cpu_capability", "new"] == "AVX512" and table.loc["torch", "new"] == "2.14.1"
    assert table.loc["cpu", "old"] == table.loc["cpu_capability", "old"] == "unknown"
    assert table.loc["num_threads", "old"] == "1"
    finals = compare_stores.compare(new, old).loc["all"]
    assert (finals["records"], finals["in_both"], finals["identical"]) == (3, 2, 1)
