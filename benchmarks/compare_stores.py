"""Two run stores side by side: the machines their records ran on (torch, CPU model, torch's CPU capability, threads),
how many records of one the other holds, how many of those are bit-identical in their final accuracies, and how far
the others moved (per prior). What a from-scratch retraining tells about determinism: the same seed, the same code,
on this machine or on another of the same kind.

    .venv/bin/python benchmarks/compare_stores.py build/cpu-fresh/results/runs results/runs

``--write FILE`` also writes the comparison as CSV (and Markdown beside it): docs/profiles.md and the README quote
``results/precision-check-cpu/compare_stores.csv`` (float32 retraining against results/runs), which
tests/test_quoted_numbers.py re-derives from both stores.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

FINAL = ("test_acc", "prior_test_acc", "train_loss")
# What decides whether a record comes out bit-identical elsewhere; ``cpu`` and ``cpu_capability`` are in records
# since issue 30 (older ones: unknown).
MACHINE = ("torch", "cpu", "cpu_capability", "num_threads")


def finals(store: Path) -> pd.DataFrame:
    """One row per record of ``store``: its key, prior, label, seed, final numbers and machine (:data:`MACHINE`)."""
    rows = []
    for path in sorted(store.glob("*.json")):
        record = json.loads(path.read_text())
        config, environment = record.get("config", {}), record.get("environment", {})
        rows.append({"key": record["key"], "prior": config.get("prior", "?"),
                     "label": record.get("label"), "seed": config.get("seed"),
                     **{name: record.get("final", {}).get(name) for name in FINAL},
                     **{name: environment.get(name, "unknown") for name in MACHINE}})
    return pd.DataFrame(rows, columns=["key", "prior", "label", "seed", *FINAL, *MACHINE])


def machines(stores: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per :data:`MACHINE` field (rows), what the records of each store (columns, by name) hold: a value, or each
    value with its number of records when they differ; "unknown" for records made before the field."""
    return pd.DataFrame({name: [values_text(frame[field]) for field in MACHINE] for name, frame in stores.items()},
                        index=list(MACHINE))


def values_text(column: pd.Series) -> str:
    """The one value of ``column``, or each of its values with how often it occurs: "AVX2 (3), AVX512 (9)"."""
    counts = column.astype(str).value_counts()
    return counts.index[0] if len(counts) == 1 else ", ".join(f"{value} ({n})" for value, n in counts.items())


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
    parser.add_argument("--write", type=Path, metavar="FILE", help="also write the comparison there as CSV (+ .md)")
    args = parser.parse_args()
    for store in (args.new, args.old):
        if not store.is_dir() or not any(store.glob("*.json")):
            parser.error(f"{store} holds no JSON records: give a run store's folder (results/runs)")
    new, old = finals(args.new), finals(args.old)
    print(machines({f"new: {args.new}": new, f"old: {args.old}": old}).to_string(), end="\n\n")
    table = compare(new, old)
    print(table.to_string(float_format="%.2f"))
    if args.write:
        table.round(4).to_csv(args.write)
        args.write.with_suffix(".md").write_text(table.round(2).to_markdown() + "\n")


if __name__ == "__main__":
    main()
