"""float32 against bf16 autocast on the same seeds: what the fast path gains in training time and whether it leaves
the claims unchanged (issue 17, part 3). Reads two run stores, trains nothing.

Train the bf16 side of the claims' experiments first, into a store of its own (the float32 side: a from-scratch
retraining on the same machine, whose records hold each sweep's training time there):

    IMLP_OUTPUT_DIR=build/cpu-bf16 .venv/bin/python -m imlp_core experiments cnn schedules mixer first_layer \\
        --profile cpu --precision bf16 --executor processes
    .venv/bin/python benchmarks/precision_check.py build/cpu-fresh/results/runs build/cpu-bf16/results/runs

It prints, per prior and seed: the training time of its sweeps in both precisions and their ratio; per run, the
paired difference bf16 − float32 of the final test accuracy over seeds with its 95 % interval; and notebook 07's
claim table (``verdicts.compare_claims``) computed from each precision's runs, side by side. The stores of
docs/profiles.md are committed: results/precision-check-cpu/float32 and results/precision-check-cpu/bf16.
``--write results/precision-check-cpu`` also writes those tables and a summary as CSV + Markdown
(``precision_*.csv``), which docs/profiles.md quotes and tests/test_quoted_numbers.py re-derives from the stores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from imlp_core.reading import prose, verdicts
from imlp_core.reading.claims import PAPER_CLAIMS
from imlp_core.experiments import experiment_runs
from imlp_core.profiles import resolve_profile
from imlp_core.reading.inference import t_interval

EXPERIMENTS = ("cnn", "schedules", "mixer", "first_layer")
RUN = ["experiment", "prior", "label", "seed"]


def stored_runs(store: Path, precision: str, profile, dataset: str, experiments=EXPERIMENTS) -> pd.DataFrame:
    """The runs of ``experiments`` in ``store`` in ``precision`` (the float32 ones under their usual keys); read, never
    trained."""
    options = {} if precision == "float32" else {"options": {"precision": precision}}
    return pd.concat([experiment_runs(name, profile, dataset, results=store, stored_only=True, progress=False, **options)
                      for name in experiments], ignore_index=True)


def sweep_times(fast: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Per prior and seed: the training time of its sweeps in both precisions.

    A sweep's runs share its ``wall_time_s``; ``cnn`` and ``schedules`` train as one merged S-CNN sweep, or as two
    whose times add up where they were trained apart; Table 5's two pairs have priors of their own."""
    sweeps = ["prior", "seed", "wall_time_s"]
    times = [runs.drop_duplicates(sweeps).groupby(["prior", "seed"])["wall_time_s"].sum().rename(name)
             for name, runs in (("float32 s", base), ("bf16 s", fast))]
    table = pd.concat(times, axis=1).dropna()
    table["float32 / bf16"] = table["float32 s"] / table["bf16 s"]
    return table


def accuracy_differences(fast: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Per run (experiment, prior, label): bf16 − float32 of the final test accuracy in points, paired by seed."""
    both = fast.merge(base, on=RUN, suffixes=("_bf16", "_float32"))
    both["difference"] = 100 * (both["test_acc_bf16"] - both["test_acc_float32"])
    rows = []
    for (experiment, prior, label), group in both.groupby(RUN[:-1], sort=False):
        interval = t_interval(group["difference"])
        rows.append({"experiment": experiment, "prior": prior, "run": label, "seeds": interval.n,
                     "bf16 − float32 (points)": interval.mean,
                     "low": interval.low, "high": interval.high,
                     "interval holds 0": interval.low <= 0 <= interval.high})
    return pd.DataFrame(rows)


def claim_verdicts(fast: pd.DataFrame, base: pd.DataFrame, profile) -> pd.DataFrame:
    """The registered claims of the paper judged on each precision's runs (as notebook 07 judges them): the interval
    and verdict of each, side by side."""
    ours = "ours (paired difference, 95 % interval)"
    tables = [prose.claims_table(verdicts.claim_verdicts(runs, profile, PAPER_CLAIMS)).set_index(["id", "claim"])
              [[ours, "verdict"]].rename(columns={ours: f"{name}: ours", "verdict": f"{name}: verdict"})
              for name, runs in (("float32", base), ("bf16", fast))]
    table = pd.concat(tables, axis=1).reset_index()
    table["same verdict"] = table["float32: verdict"] == table["bf16: verdict"]
    return table


def summary(times: pd.DataFrame, differences: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The totals the comparison states: training minutes in both precisions and their ratio, how many accuracy
    intervals hold 0 and the mean |difference|, how many claims keep their verdict."""
    rows = {"float32 training (min)": round(times["float32 s"].sum() / 60, 1),
            "bf16 training (min)": round(times["bf16 s"].sum() / 60, 1),
            "float32 / bf16": round(times["float32 s"].sum() / times["bf16 s"].sum(), 2),
            "accuracy intervals": len(differences),
            "accuracy intervals holding 0": int(differences["interval holds 0"].sum()),
            "mean |bf16 − float32| (points)": round(differences["bf16 − float32 (points)"].abs().mean(), 2),
            "claims": len(claims),
            "claims keeping their verdict": int(claims["same verdict"].sum())}
    return pd.DataFrame({"quantity": list(rows), "value": pd.Series(list(rows.values()), dtype=object)})


def tables(fast: pd.DataFrame, base: pd.DataFrame, profile) -> dict[str, pd.DataFrame]:
    """What ``--write`` writes, by file name: the sweep times, the accuracy differences (rounded to 4 decimals), the
    claims in both precisions and the summary."""
    times, differences = sweep_times(fast, base), accuracy_differences(fast, base)
    claims = claim_verdicts(fast, base, profile)
    return {"precision_times": times.round(4).reset_index(), "precision_differences": differences.round(4),
            "precision_claims": claims, "precision_summary": summary(times, differences, claims)}


def write(folder: Path, written: dict[str, pd.DataFrame]) -> None:
    """Each table as ``<name>.csv`` and ``<name>.md`` under ``folder``."""
    for name, table in written.items():
        table.to_csv(folder / f"{name}.csv", index=False)
        (folder / f"{name}.md").write_text(table.to_markdown(index=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("float32", type=Path, help="a run store with the float32 runs, e.g. build/cpu-fresh/results/runs")
    parser.add_argument("bf16", type=Path, help="a run store with the same runs under --precision bf16")
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--experiments", nargs="+", choices=EXPERIMENTS, default=EXPERIMENTS,
                        help="compare these only, e.g. where the bf16 side is trained in part (default: all four)")
    parser.add_argument("--write", type=Path, metavar="FOLDER",
                        help="also write the tables as CSV + Markdown there (results/precision-check-cpu)")
    args = parser.parse_args()
    for store in (args.float32, args.bf16):
        if not store.is_dir() or not any(store.glob("*.json")):
            parser.error(f"{store} holds no JSON records: give a run store's folder (…/results/runs)")
    profile = resolve_profile(args.profile)
    base = stored_runs(args.float32, "float32", profile, args.dataset, args.experiments)
    fast = stored_runs(args.bf16, "bf16", profile, args.dataset, args.experiments)
    if fast.empty:
        parser.error(f"{args.bf16} holds no bf16 runs of the {args.profile} profile's {', '.join(args.experiments)}: "
                     "train them with `python -m imlp_core experiments … --precision bf16` (see this script's "
                     "docstring)")
    pd.set_option("display.width", 200, "display.max_colwidth", 60, "display.max_rows", 200)
    times = sweep_times(fast, base)
    print("Sweep training time per prior and seed (the records' wall_time_s; cnn and schedules train as one sweep):")
    print(times.to_string(float_format="%.1f"))
    print(f"all sweeps: float32 {times['float32 s'].sum() / 60:.1f} min, bf16 {times['bf16 s'].sum() / 60:.1f} min, "
          f"ratio {times['float32 s'].sum() / times['bf16 s'].sum():.2f}")
    differences = accuracy_differences(fast, base)
    print("\nFinal test accuracy, bf16 − float32 per run, paired by seed (95 % t-interval):")
    print(differences.to_string(index=False, float_format="%.2f"))
    print(f"{int(differences['interval holds 0'].sum())} of {len(differences)} intervals hold 0; mean |difference| "
          f"{differences['bf16 − float32 (points)'].abs().mean():.2f} points")
    claims = claim_verdicts(fast, base, profile)
    print("\nThe registered claims (notebook 07) on each precision's runs:")
    print(claims.to_string(index=False))
    print(f"{int(claims['same verdict'].sum())} of {len(claims)} claims keep their verdict under bf16")
    if args.write:
        written = tables(fast, base, profile)
        write(args.write, written)
        print(f"\nwritten: {', '.join(f'{name}.csv' for name in written)} in {args.write}")


if __name__ == "__main__":
    main()
