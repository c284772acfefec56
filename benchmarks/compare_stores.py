"""Two run stores side by side: how many records of one the other holds, how many of those are bit-identical in
their final accuracies, and how far the others moved (per prior). What a from-scratch retraining tells about
determinism: the same seed, the same code, on this machine or on another of the same kind.

    .venv/bin/python benchmarks/compare_stores.py build/cpu-fresh/results/runs results/runs
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

FINAL = ("test_acc", "prior_test_acc", "train_loss")


def finals(store: Path) -> pd.DataFrame:
    """One row per record of ``store``: its key, prior, label, seed and final numbers."""
    rows = []
    for path in sorted(store.glob("*.json")):
        record = json.loads(path.read_text())
        config = record.get("config", {})
        rows.append({"key": record["key"], "prior": config.get("prior", "?"),
                     "label": record.get("label"), "seed": config.get("seed"),
                     **{name: record.get("final", {}).get(name) for name in FINAL}})
    return pd.DataFrame(rows, columns=["key", "prior", "label", "seed", *FINAL])


def compare(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Per prior of ``new``: records, those ``old`` holds too, bit-identical finals, and the largest and mean
    absolute change of the test accuracy (points) among the records in both."""
    both = new.merge(old, on="key", suffixes=("", "_old"))
    both["identical"] = (both[list(FINAL)].to_numpy() == both[[f"{n}_old" for n in FINAL]].to_numpy()).all(axis=1)
    both["|Δ test| (points)"] = 100 * (both["test_acc"] - both["test_acc_old"]).abs()
    table = both.groupby("prior").agg(in_both=("key", "size"), identical=("identical", "sum"),
                                           max_change=("|Δ test| (points)", "max"),
                                           mean_change=("|Δ test| (points)", "mean"))
    table.insert(0, "records", new.groupby("prior").size())
    table.loc["all"] = [len(new), len(both), int(both["identical"].sum()), both["|Δ test| (points)"].max(),
                        both["|Δ test| (points)"].mean()]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("new", type=Path, help="a run store (folder of JSON records), e.g. a fresh retraining")
    parser.add_argument("old", type=Path, help="the store to compare it with, e.g. the committed results/runs")
    args = parser.parse_args()
    for store in (args.new, args.old):
        if not store.is_dir() or not any(store.glob("*.json")):
            parser.error(f"{store} holds no JSON records: give a run store's folder (results/runs)")
    print(compare(finals(args.new), finals(args.old)).to_string(float_format="%.2f"))


if __name__ == "__main__":
    main()
