"""Search for a laptop budget in which the priors beat the S-MLP (issue 11, section 2).

Trains, for each budget (training subset, epochs, learning rate), ONE prior and its S-MLP (the I-MLP at
alpha = 0) on CIFAR-10 and prints their test accuracies, the gap, and the measured wall time, with the
time one sweep of Figure 2's full alpha grid would take (13 I-MLPs; measured K = 1 throughput scaled).

    .venv/bin/python benchmarks/regime_search.py --prior cnn --budgets 5000:5:1e-3 10000:4:3e-4
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from imlp_core import AlphaSchedule, SweepConfig, run_sweep
from imlp_core.data import prepare_shared_cifar10
from imlp_core.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prior", default="cnn")
    parser.add_argument("--budgets", nargs="+", required=True, help="TRAIN_SUBSET:EPOCHS:LR")
    parser.add_argument("--test-subset", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", type=Path, default=Path("build/regime-search/runs"))
    parser.add_argument("--log", type=Path, default=Path("build/regime-search/budgets.jsonl"))
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("IMLP_THREADS", "2")))
    training = Settings.from_environment().training
    prepare_shared_cifar10(training.data_dir, training.dataset_dirs)  # else load_dataset finds the shared copy
    args.log.parent.mkdir(parents=True, exist_ok=True)
    for budget in args.budgets:
        subset, epochs, lr = budget.split(":")
        sweep = SweepConfig(args.prior, "cifar10", int(epochs), lr=float(lr), train_subset=int(subset),
                            test_subset=args.test_subset, seed=args.seed)
        start = time.perf_counter()
        (record,) = run_sweep(sweep, [AlphaSchedule("constant", 0.0)], args.store, device="cpu", progress=False,
                              settings=training)
        wall = time.perf_counter() - start
        row = {"prior": args.prior, "train_subset": int(subset), "epochs": int(epochs), "lr": float(lr),
               "seed": args.seed, "s_mlp": record["final"]["test_acc"], "prior_acc": record["final"]["prior_test_acc"],
               "best_s_mlp": max(h["test_acc"] for h in record["history"]),
               "wall_s": wall, "train_s": record["wall_time_s"]}
        row["gap_points"] = 100 * (row["prior_acc"] - row["s_mlp"])
        with args.log.open("a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"{args.prior:6} n={subset:>6} epochs={epochs:>3} lr={lr:>6}  S-MLP {row['s_mlp']:.2%}  prior {row['prior_acc']:.2%}"
              f"  gap {row['gap_points']:+.1f} pts  train {row['train_s']:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
