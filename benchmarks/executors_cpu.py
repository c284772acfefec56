"""Wall time of one plan run by ``local`` and by ``processes --jobs N``, and whether their records are equal.

The plan is the ``cpu`` profile's (merged: CNN grid + schedules, Mixer, the two Table 5 pairs) with smaller
budgets (``--train`` images, ``--epochs``), on the JPEG copy of CIFAR-10 when torchvision's is not there:

    .venv/bin/python benchmarks/executors_cpu.py --train 2000 --mixer-train 1000 --test 1000 --epochs 1 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from imlp_core import data, executors, plan
from imlp_core.profiles import PROFILES, Budget

VOLATILE = ("wall_time_s", "images_per_s", "environment", "sweep_size")


def records(runs: Path) -> dict[str, dict]:
    return {p.name: {k: v for k, v in json.loads(p.read_text()).items() if k not in VOLATILE}
            for p in sorted(runs.glob("*.json"))}


def largest_difference(a: dict[str, dict], b: dict[str, dict]) -> float:
    """The largest |difference| between the per-epoch numbers of two sets of records with the same keys."""
    worst = 0.0
    for name in a:
        for h, g in zip(a[name]["history"], b[name]["history"]):
            for field in ("train_loss", "test_acc", "prior_train_loss", "prior_test_acc"):
                if h[field] is not None and g[field] is not None:
                    worst = max(worst, abs(h[field] - g[field]))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--mixer-train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get(data.dataset_env_var("cifar10")) and (shared := data.find_shared_cifar10()):
        os.environ[data.dataset_env_var("cifar10")] = str(shared)
    budget = Budget(args.epochs, args.train, args.test)
    profile = replace(PROFILES["cpu"], budgets={**{e: budget for e in PROFILES["cpu"].budgets},
                                                "mixer": Budget(args.epochs, args.mixer_train, args.test)})
    sweeps = plan.profile_plan(profile)
    print(plan.plan_table(sweeps, Path(tempfile.mkdtemp())), flush=True)
    data.load_dataset("cifar10")  # decode the images into the cache once, outside the timings
    found, seconds = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for name in ("local", "processes"):
            runs = Path(folder) / name
            start = time.perf_counter()
            executors.run_plan(sweeps, name, runs, "cpu", jobs=args.jobs, progress=False)
            seconds[name] = time.perf_counter() - start
            found[name] = records(runs)
    same = found["local"] == found["processes"]
    print(json.dumps({"sweeps": len(sweeps), "models": sum(len(p.schedules) for p in sweeps), "jobs": args.jobs,
                      "local_s": round(seconds["local"], 1), "processes_s": round(seconds["processes"], 1),
                      "speedup": round(seconds["local"] / seconds["processes"], 2),
                      "same_keys": sorted(found["local"]) == sorted(found["processes"]), "records_equal": same,
                      "largest_difference": None if same else largest_difference(found["local"], found["processes"])}))


if __name__ == "__main__":
    main()
