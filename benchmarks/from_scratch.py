"""The `cpu` profile from an empty store, timed, within a memory limit (issue 30, §1–2; docs/profiles.md).

    python benchmarks/from_scratch.py run FOLDER [--memory-limit GB] [--budget GB] [--jobs 2] [--only 03 … 08]
    python benchmarks/from_scratch.py report FOLDER [--write PAGE.md]

``run`` executes ``python -m imlp_core reproduce --profile cpu`` with the ``processes`` executor into
``FOLDER/out`` (an empty store), each worker's sweeps cut to ``--budget`` GB (``IMLP_MEMORY_BUDGET_GB``). With
``--memory-limit`` the whole run (reproduce, its workers and their sweep processes, the notebooks' kernels) is held
in a cgroup-v1 memory group of that size, as on a machine with that much memory available (root, Linux; 14.5 GB is
what a 16 GB laptop has left after its OS). Beside it, every 10 s: the group's resident memory (``mem.log``) and how
far the log has come (``progress.log``). ``report`` reads those files and the store: the wall time, the training
phase and the notebooks, each sweep kind's time per sweep, the share of the sweeps' time spent training (the records'
``wall_time_s``), how busy the workers kept the cores, and the peak memory. Take it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from statistics import median

from imlp_core.devices import cpu_description
from imlp_core.profiles import PROFILES

REPO = Path(__file__).resolve().parent.parent
CGROUP = Path("/sys/fs/cgroup/memory")
DONE = re.compile(r"^worker (\d+): (.+?): (\S+) on \S+, seed (\d+) \((\d+) models\) done in ([\d.]+) s$")
SAMPLE_S = 10


def run(folder: Path, memory_limit: float | None, budget: float, jobs: int, only: list[str]) -> int:
    """The profile's notebooks ``only`` from an empty store in ``folder/out``, sampled every 10 s."""
    if (folder / "out").exists():
        sys.exit(f"{folder / 'out'} exists: a from-scratch run needs an empty store; choose a new FOLDER")
    folder.mkdir(parents=True, exist_ok=True)
    group = None
    if memory_limit is not None:
        group = CGROUP / f"imlp-from-scratch-{os.getpid()}"
        try:
            group.mkdir()
            (group / "memory.limit_in_bytes").write_text(str(int(memory_limit * 1e9)))
        except OSError as error:
            sys.exit(f"cannot make a cgroup-v1 memory group under {CGROUP} ({error}); run as root on Linux, or "
                     f"without --memory-limit")
    env = {**os.environ, "IMLP_PROFILE": "cpu", "IMLP_OUTPUT_DIR": str(folder / "out"), "IMLP_EXECUTOR": "processes",
           "IMLP_JOBS": str(jobs), "IMLP_MEMORY_BUDGET_GB": str(budget)}
    command = [sys.executable, "-m", "imlp_core", "reproduce", "--profile", "cpu", "--no-progress", "--only", *only]
    join = (lambda: (group / "cgroup.procs").write_text(str(os.getpid()))) if group else None
    (folder / "settings.json").write_text(json.dumps({
        "jobs": jobs, "budget_gb": budget, "memory_limit_gb": memory_limit, "only": only,
        "cpu_count": len(os.sched_getaffinity(0)), **cpu_description()}, indent=1))
    (folder / "start").write_text(f"{time.time():.0f}\n")
    with open(folder / "reproduce.log", "w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=join)
        while process.poll() is None:
            sample(folder, group)
            time.sleep(SAMPLE_S)
    (folder / "end").write_text(f"{time.time():.0f}\n")
    (folder / "rc").write_text(f"{process.returncode}\n")
    sample(folder, group)
    if group is not None:
        try:
            group.rmdir()  # empty once the run's processes are gone
        except OSError as error:
            print(f"the memory group {group} is left ({error}); remove it with rmdir", file=sys.stderr)
    return process.returncode


def sample(folder: Path, group: Path | None) -> None:
    """One line of ``mem.log`` (the group's resident memory, its page cache, its peak) and of ``progress.log``."""
    now = f"{time.time():.0f}"
    lines = (folder / "reproduce.log").read_text().count("\n")
    with open(folder / "progress.log", "a") as progress:
        progress.write(f"{now} {lines}\n")
    if group is not None:
        stat = dict(line.split() for line in (group / "memory.stat").read_text().splitlines())
        peak = int((group / "memory.max_usage_in_bytes").read_text())
        with open(folder / "mem.log", "a") as memory:
            memory.write(f"{now} total_cache={int(stat['total_cache']) / 1e9:.2f} "
                         f"total_rss={int(stat['total_rss']) / 1e9:.2f}  max_usage={peak / 1e9:.2f}\n")


def report(folder: Path) -> str:
    """The run in ``folder`` as a Markdown page: phases, sweep kinds, training share, workers' use, memory."""
    start, end = (int((folder / name).read_text()) for name in ("start", "end"))
    settings = json.loads((folder / "settings.json").read_text())
    log = (folder / "reproduce.log").read_text().splitlines()
    first_notebook = next(i for i, line in enumerate(log) if line.startswith("reproduce: [1/"))
    progress = [tuple(map(int, line.split())) for line in (folder / "progress.log").read_text().splitlines()]
    notebooks_from = next(t for t, lines in progress if lines > first_notebook)  # within SAMPLE_S after
    sweeps = [(i, DONE.match(line).groups()) for i, line in enumerate(log) if DONE.match(line)]
    lost = [float(done[-1]) for _, done in sweeps if float(done[-1]) < 15]  # started for a sweep just stored
    trained = [(i, done) for i, done in sweeps if float(done[-1]) >= 15]
    kinds: dict[str, list[float]] = defaultdict(list)
    for _, (worker, experiments, prior, seed, models, seconds) in trained:
        kinds[f"{experiments}: {prior}, {models} I-MLPs"].append(float(seconds))
    seeds = PROFILES["cpu"].seeds  # the held-out study's seeds beyond them come last in the plan
    seeds_done = next(t for t, lines in progress if lines > max(i for i, done in trained if int(done[3]) in seeds))
    training = training_seconds(folder / "out" / "results" / "runs")
    swept = sum(sum(times) for times in kinds.values())
    phase = notebooks_from - start
    memory = "not sampled (run without --memory-limit)"
    if (folder / "mem.log").exists():
        samples = (folder / "mem.log").read_text().splitlines()
        rss = max(float(re.search(r"total_rss=([\d.]+)", line).group(1)) for line in samples)
        peak = max(float(re.search(r"max_usage=([\d.]+)", line).group(1)) for line in samples)
        memory = (f"resident at most {rss:.2f} GB; with the page cache, the group's peak {peak:.2f} GB, "
                  f"its limit {settings['memory_limit_gb']} GB")
    rows = "\n".join(f"| {kind} | {len(times)} | {min(times):.0f}–{max(times):.0f} | {median(times):.0f} |"
                     for kind, times in sorted(kinds.items(), key=lambda item: -sum(item[1])))
    return f"""# The `cpu` profile from an empty store

Made by `benchmarks/from_scratch.py run`, reported by `benchmarks/from_scratch.py report`; exit status
{(folder / 'rc').read_text().strip()}. On {settings['cpu']} ({settings['cpu_capability']}, {settings['cpu_count']} cores), notebooks
{', '.join(settings['only'])}, {settings['jobs']} workers, each sweep cut to {settings['budget_gb']} GB.

- wall time: **{clock(end - start)}**; training {clock(phase)} (to within {SAMPLE_S} s), the notebooks {clock(end - notebooks_from)}
- every sweep of seeds {min(seeds)}–{max(seeds)} stored after {clock(seeds_done - start)} (to within {SAMPLE_S} s); the held-out study's seeds beyond
  them trained after that
- sweeps: {sum(map(len, kinds.values()))} trained ({len(lost)} more started for a sweep another worker had just stored, {sum(lost):.0f} s lost)
- the sweeps' processes: {swept / 60:.0f} worker-minutes, of which training steps {training / 60:.0f} ({training / swept:.0%}); the rest is
  evaluation, pulls, checkpoints, process start and decoding
- the workers kept {swept / (settings['jobs'] * phase):.0%} of their {settings['jobs']} cores busy during the training phase
- memory of the whole run: {memory}

| sweep kind | sweeps | s per sweep | median s |
|---|---|---|---|
{rows}
"""


def training_seconds(store: Path) -> float:
    """The training steps' seconds of every sweep (stack) the store's records come from: each record holds its
    stack's ``wall_time_s``, the same for the stack's I-MLPs."""
    stacks = set()
    for path in store.glob("*.json"):
        record = json.loads(path.read_text())
        config = {k: v for k, v in record["config"].items() if k != "schedule"}
        stacks.add((json.dumps(config, sort_keys=True), record["sweep_size"], record["wall_time_s"]))
    return sum(seconds for _, _, seconds in stacks)


def clock(seconds: float) -> str:
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min {int(seconds % 60):02d} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("run", "report"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--memory-limit", type=float, default=None, metavar="GB")
    parser.add_argument("--budget", type=float, default=6.5, metavar="GB", help="each worker's sweep budget")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="+", default=["03", "04", "05", "06", "07", "08"])
    parser.add_argument("--write", type=Path, default=None, help="report: write the page here too")
    args = parser.parse_args()
    if args.what == "run":
        sys.exit(run(args.folder, args.memory_limit, args.budget, args.jobs, args.only))
    page = report(args.folder)
    print(page)
    if args.write:
        args.write.write_text(page)


if __name__ == "__main__":
    main()
