"""Issue 12: the sweep plan, merged sweeps, the four executors and their faults (a killed worker, a timed-out
job, a full disk), on small sweeps of the synthetic set.

Records are compared without the fields that say how a run was executed (``stable`` in conftest, and
``sweep_size``, which a merged sweep changes): keys, histories and final numbers must be equal bit for bit.
Subprocesses (workers, submitit's local jobs) import ``tiny-cnn`` from conftest through ``PYTHONPATH`` and
use one thread, as the test process does, so that their floats round alike.
"""

from __future__ import annotations

import errno
import os
import pickle
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from conftest import REPO_ROOT, TESTS_DIR, TINY_PRIOR, stable, tiny_prior_registered
from filelock import FileLock

from imlp_core import cli, executors, experiments, memory, plan, trainer
from imlp_core.interpolate import AlphaSchedule
from imlp_core.profiles import PROFILES, Budget
from imlp_core.atomic_writes import DiskFull
from imlp_core.records import checkpoint_path, lock_path
from imlp_core.settings import Settings, TrainingSettings
from imlp_core.sweep import SweepConfig
from imlp_core.sweep_runner import run_sweep

ALPHAS = [AlphaSchedule("constant", 0.5), AlphaSchedule("constant", 1.0)]
EVERY_EPOCH = TrainingSettings(checkpoint_every_s=0.0)  # a checkpoint at every epoch end but the last


def tiny_plan() -> list[plan.PlannedSweep]:
    """Two independent sweeps of tiny-cnn (seeds 0 and 1), two I-MLPs each, 2 epochs of 2 batches."""
    sweep = SweepConfig(TINY_PRIOR, "synthetic", epochs=2, batch_size=64, train_subset=128, test_subset=64)
    return plan.merge([("tiny", replace(sweep, seed=seed), ALPHAS) for seed in (0, 1)])


def comparable(runs: Path) -> dict[str, dict]:
    """Every record of the store by file name, without what depends on how it was executed."""
    import json

    return {p.name: {k: v for k, v in stable(json.loads(p.read_text())).items() if k != "sweep_size"}
            for p in sorted(runs.glob("*.json"))}


def leftovers(runs: Path) -> list[str]:
    """Temporary, checkpoint and lock files left in the store."""
    return sorted(str(p.relative_to(runs)) for pattern in (".*.tmp", ".checkpoints/*", ".locks/*")
                  for p in runs.glob(pattern))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, dict]:
    """The records of :func:`tiny_plan` run by the ``local`` executor in this process."""
    runs = tmp_path_factory.mktemp("local")
    with tiny_prior_registered():
        executors.run_plan(tiny_plan(), "local", runs, "cpu", progress=False)
    records = comparable(runs)
    assert len(records) == 4 and leftovers(runs) == []
    return records


@pytest.fixture
def subprocess_env(monkeypatch):
    """Children (workers, submitit jobs) find tiny-cnn in conftest and use one thread (their settings come as values:
    :data:`EVERY_EPOCH`)."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


# ---------------------------------------------------------------------------------------------------
# The plan and merged sweeps
SMALL = replace(PROFILES["smoke"], datasets=("synthetic",), alphas=(0.0, 0.5, 1.0), decay_ks=(2.0,),
                budgets={**PROFILES["smoke"].budgets, "cnn": Budget(1, 128, 64), "schedules": Budget(1, 128, 64)})


def test_the_alpha_grid_and_the_schedules_merge_into_one_sweep_whose_records_equal_the_sweeps_apart(tmp_path):
    """Figure 2's grid and Table 4's schedules with the S-CNN prior: one prior and 5 I-MLPs instead of 2 priors
    and 3 + 4 I-MLPs (constant 0 and 0.5 are in both); same keys and the same numbers bit for bit."""
    merged = plan.profile_plan(SMALL, ["cnn", "schedules"])
    apart = plan.profile_plan(SMALL, ["cnn", "schedules"], merged=False)
    assert [p.experiments for p in merged] == [("cnn", "schedules")] and len(merged[0].schedules) == 5
    assert [len(p.schedules) for p in apart] == [3, 4]
    assert sorted(merged[0].keys()) == sorted(set(apart[0].keys()) | set(apart[1].keys()))

    executors.run_plan(merged, "local", tmp_path / "merged", "cpu", progress=False)
    # the experiment functions the notebooks call, run apart
    experiments.alpha_sweep(SMALL, "cnn", "synthetic", results=tmp_path / "apart", progress=False)
    experiments.schedule_sweep(SMALL, "synthetic", results=tmp_path / "apart", progress=False)
    together, alone = comparable(tmp_path / "merged"), comparable(tmp_path / "apart")
    assert len(together) == 5 and together == alone


def test_plan_prints_the_merged_sweeps_and_trains_nothing(capsys, monkeypatch):
    monkeypatch.setattr(trainer.Trainer, "run", lambda self: pytest.fail("--plan trained"))
    cli.experiments_command(["cnn", "schedules", "mixer", "--profile", "smoke", "--datasets", "synthetic", "--plan"])
    out = capsys.readouterr().out
    assert "2 sweeps after merging (3 apart)" in out
    assert "cnn+schedules" in out and "mixer" in out
    assert "est. min" in out and "total" in out


# ---------------------------------------------------------------------------------------------------
# Executors: the same records every way
def test_two_worker_processes_give_the_records_of_a_local_run(reference, tiny_prior, subprocess_env, tmp_path):
    executors.run_processes(tiny_plan(), tmp_path, "cpu", jobs=2, threads=1, settings=Settings(training=EVERY_EPOCH))
    assert comparable(tmp_path) == reference
    assert leftovers(tmp_path) == []


def test_submitit_debug_and_local_executors_give_the_records_of_a_local_run(reference, tiny_prior, subprocess_env,
                                                                              tmp_path):
    executors.run_plan(tiny_plan(), "debug", tmp_path / "debug", "cpu", settings=Settings(training=EVERY_EPOCH))
    local = executors.SlurmOptions(cluster="local", time_min=5, folder=tmp_path / "submitit")
    executors.run_submitit(tiny_plan(), tmp_path / "local", "cpu", local, EVERY_EPOCH)
    for runs in (tmp_path / "debug", tmp_path / "local"):
        assert comparable(runs) == reference, runs
        assert leftovers(runs) == [], runs


def test_workers_are_spread_over_the_visible_gpus(monkeypatch):
    visible = Settings.from_environment({"CUDA_VISIBLE_DEVICES": "3,5"}).visible_gpus
    assert executors.gpu_slots(5, visible) == ["3", "5", "3", "5", "3"]  # several workers share a GPU
    monkeypatch.setattr(executors.torch.cuda, "device_count", lambda: 0)
    assert executors.gpu_slots(2, None) == [None, None]


# ---------------------------------------------------------------------------------------------------
# Faults
def wait_for(text: str, read, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while text not in read():
        assert time.monotonic() < deadline, f"no {text!r} after {timeout} s:\n{read()[-3000:]}"
        time.sleep(0.1)


def start_worker(runs: Path, log: Path, training: TrainingSettings) -> subprocess.Popen:
    """A worker of ``processes`` over :func:`tiny_plan` with ``training`` in its pickled plan, as ``run_processes``
    starts one."""
    plan_file = log.with_suffix(".pkl")
    plan_file.write_bytes(pickle.dumps(executors.worker_payload(tiny_plan(), training)))
    command = [sys.executable, "-m", "imlp_core.executors", "--worker", str(plan_file), "--results", str(runs),
               "--device", "cpu", "--threads", "1", "--name", log.stem]
    with open(log, "w") as out:
        return subprocess.Popen(command, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_sweep_is_taken_over_by_another_from_its_checkpoint(reference, tiny_prior, subprocess_env,
                                                                               tmp_path):
    """Worker a pauses inside seed 0's second epoch (its epoch-1 checkpoint written); worker b skips that held
    sweep and trains seed 1; a is SIGKILLed; b takes seed 0 over from the checkpoint."""
    runs = tmp_path / "runs"
    seed0, seed1 = tiny_plan()
    a = start_worker(runs, tmp_path / "a.log", replace(EVERY_EPOCH, pause_at="epoch:2"))
    b = None
    try:
        wait_for("IMLP_TEST_PAUSED epoch", (tmp_path / "a.log").read_text)
        assert checkpoint_path(runs, seed0.sweep.key).exists()
        b = start_worker(runs, tmp_path / "b.log", EVERY_EPOCH)
        wait_for(seed1.name, (tmp_path / "b.log").read_text)  # b did not wait on the sweep a holds
        assert not seed1.missing(runs) and seed0.missing(runs) and a.poll() is None
        a.send_signal(signal.SIGKILL)
        assert a.wait(timeout=30) == -signal.SIGKILL
        assert b.wait(timeout=240) == 0, (tmp_path / "b.log").read_text()[-3000:]
    finally:
        for process in (a, b):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    log = (tmp_path / "b.log").read_text()
    assert "resuming from checkpoint" in log and "after epoch 1" in log and seed0.name in log
    assert comparable(runs) == reference
    assert leftovers(runs) == []


def test_a_timed_out_submitit_job_is_requeued_and_resumes_from_its_checkpoint(reference, tiny_prior, subprocess_env,
                                                                              tmp_path):
    """The job pauses in epoch 2 with its epoch-1 checkpoint; it then gets the signal submitit's local executor
    sends a task ``signal_delay_s`` before its time limit (sent here at once, rather than after minutes); the job
    finds itself timed out, requeues itself, and its second run continues the checkpoint."""
    paused = replace(EVERY_EPOCH, pause_at="epoch:2")  # the requeued run meets epoch 2 first: no pause
    seed0 = tiny_plan()[:1]
    options = executors.SlurmOptions(cluster="local", time_min=5, folder=tmp_path / "submitit", wait=False)
    [job] = executors.run_submitit(seed0, tmp_path / "runs", "cpu", options, paused)
    try:
        wait_for("IMLP_TEST_PAUSED epoch", lambda: job.stdout() or "")
        from submitit.local.local import LocalJobEnvironment

        controller = job._process.pid
        [task] = Path(f"/proc/{controller}/task/{controller}/children").read_text().split()
        os.kill(int(task), LocalJobEnvironment._usr_sig())  # as LocalExecutor.wait() does at the timeout
        job.result()
    finally:
        job.cancel(check=False)
    log = job.stdout() + job.stderr()
    assert "this job is timed-out" in log and "Requeued job" in log
    assert "resuming from checkpoint" in log and "after epoch 1" in log
    expected = {name: r for name, r in reference.items() if r["config"]["seed"] == 0}
    assert comparable(tmp_path / "runs") == expected
    assert leftovers(tmp_path / "runs") == []


def fail_fsync(monkeypatch, suffix: str, nth: int) -> list[str]:
    """Make the ``nth`` fsync of a temporary file for a ``suffix`` file fail with ENOSPC (a full disk)."""
    real, seen = os.fsync, []

    def fsync(fd: int) -> None:
        name = os.readlink(f"/proc/self/fd/{fd}")
        if name.endswith(".tmp") and Path(name).name.split(".tmp")[0].rsplit(".", 1)[0].endswith(suffix):
            seen.append(name)
            if len(seen) == nth:
                raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


@pytest.mark.parametrize("suffix, nth, resumes", [(".pt", 2, True), (".json", 2, True)],
                         ids=["checkpoint", "record"])
def test_a_full_disk_is_a_clear_error_and_the_next_run_resumes(reference, tiny_prior, tmp_path, monkeypatch, capsys,
                                                               suffix, nth, resumes):
    """3 epochs, a checkpoint after every epoch: the 2nd checkpoint (after epoch 2), or the 2nd record, finds
    the disk full. The error names the file and the space it needs; what was written before is intact."""
    sweep = replace(tiny_plan()[0].sweep, epochs=3)
    want = run_sweep(sweep, ALPHAS, tmp_path / "want", "cpu", progress=False, settings=EVERY_EPOCH)
    runs = tmp_path / "runs"
    seen = fail_fsync(monkeypatch, suffix, nth)
    with pytest.raises(DiskFull, match=rf"No space left on device while writing {runs}/\S+{suffix}: it needs [\d.]+ [kMG]?B "
                                       rf"\(.* free there now\); free some space"):
        run_sweep(sweep, ALPHAS, runs, "cpu", progress=False, settings=EVERY_EPOCH)
    assert len(seen) == nth
    before = {p.name: p.read_bytes() for p in runs.glob("*.json")}
    assert len(before) == (1 if suffix == ".json" else 0)
    assert list(runs.glob(".*.tmp")) == [] and list((runs / ".checkpoints").glob(".*.tmp")) == []
    assert len(list((runs / ".checkpoints").glob("*.pt"))) == 1  # the last good checkpoint
    capsys.readouterr()  # the failing fsync failed once: the disk has space again
    got = run_sweep(sweep, ALPHAS, runs, "cpu", progress=False, settings=EVERY_EPOCH)
    assert "resuming from checkpoint" in capsys.readouterr().out
    assert [stable(r) for r in got] == [stable(r) for r in want]
    assert all((runs / name).read_bytes() == data for name, data in before.items())
    assert leftovers(runs) == []


def test_a_sweep_keeps_one_checkpoint_whichever_of_its_runs_it_trains(tiny_prior, tmp_path, monkeypatch):
    """Killed after epoch 1 while training {0.5, 1}, the sweep is then asked for {0.5, 0}: the checkpoint of
    {0.5, 1} is continued (both records written), then alpha = 0 trains; never two checkpoints at once."""
    sweep, runs = tiny_plan()[0].sweep, tmp_path / "runs"
    counts, real_save = [], trainer.Trainer.save_checkpoint

    class Killed(Exception):
        pass

    def save_checkpoint(self):
        real_save(self)
        counts.append(len(list((runs / ".checkpoints").iterdir())))
        if len(counts) == 1:
            raise Killed  # right after the first checkpoint

    monkeypatch.setattr(trainer.Trainer, "save_checkpoint", save_checkpoint)
    with pytest.raises(Killed):
        run_sweep(sweep, ALPHAS, runs, "cpu", progress=False, settings=EVERY_EPOCH)
    other = [AlphaSchedule("constant", 0.5), AlphaSchedule("constant", 0.0)]
    got = run_sweep(sweep, other, runs, "cpu", progress=False, settings=EVERY_EPOCH)
    assert counts == [1, 1]  # the first run's, then the second's (alpha = 0 alone: 2 epochs, 1 checkpoint)
    want = run_sweep(sweep, [*ALPHAS, AlphaSchedule("constant", 0.0)], tmp_path / "want", "cpu", progress=False,
                     settings=EVERY_EPOCH)
    assert comparable(runs) == comparable(tmp_path / "want")
    assert [r["key"] for r in got] == [want[0]["key"], want[2]["key"]]
    assert leftovers(runs) == []


# ---------------------------------------------------------------------------------------------------
# make reproduce
@pytest.mark.parametrize("executor", [None, "processes"])
def test_reproduce_with_an_executor_trains_what_the_notebooks_read_before_them(executor, monkeypatch, tmp_path):
    from imlp_core import reproduce

    calls = []
    monkeypatch.setattr(executors, "run_plan", lambda sweeps, name, **kw: calls.append(
        ("plan", len(sweeps), name, kw["jobs"], kw["memory_budget"], kw["settings"].profile)))
    monkeypatch.setattr(reproduce, "execute", lambda name, *a, **k: calls.append(("notebook", name)) or reproduce.NotebookRun(name, 0.0))
    monkeypatch.setattr(reproduce, "is_up_to_date", lambda *a: False)
    for name, value in (("IMLP_PROFILE", "smoke"), ("IMLP_OUTPUT_DIR", str(tmp_path)), ("IMLP_JOBS", "3"),
                        ("IMLP_EXECUTOR", executor), ("IMLP_MEMORY_BUDGET_GB", "5.5")):
        monkeypatch.setenv(name, value) if value else monkeypatch.delenv(name, raising=False)
    assert reproduce.main(["--only", "03", "05", "--no-progress"]) == 0
    notebooks = [("notebook", "03_alpha_sweep_cnn"), ("notebook", "05_schedules")]
    planned = len(plan.profile_plan(PROFILES["smoke"], ["cnn", "schedules"]))  # 03's and 05's experiments, merged
    assert 0 < planned < len(plan.profile_plan(PROFILES["smoke"]))
    assert calls == ([("plan", planned, "processes", 3, int(5.5e9), "smoke")] if executor else []) + notebooks


def test_the_memory_ledger_starts_a_sweep_only_beside_what_fits(tmp_path):
    """Promises of live workers count against the budget, a dead worker's do not, and a sweep alone always starts."""
    ledger = executors.MemoryLedger(tmp_path, budget=100)
    assert ledger.claim(500)  # nothing else runs: it starts, whatever its size
    ledger.release()
    assert not list((tmp_path / ".locks" / "memory").glob("*.bytes"))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / ".locks" / "memory" / f"{other.pid}.bytes").write_text("70")
        assert not ledger.claim(31)  # 70 + 31 > 100
        assert ledger.claim(30)  # 70 + 30 fits
        ledger.release()
    finally:
        other.kill()
        other.wait()
    assert ledger.claim(31)  # the other worker is gone: its promise no longer counts
    ledger.release()


def test_a_killed_worker_is_reported_at_once_with_what_killed_it(capsys):
    killed = subprocess.Popen([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    failed = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    fine = subprocess.Popen([sys.executable, "-c", "pass"])
    assert executors.wait_reporting([killed, failed, fine]) == [-signal.SIGKILL, 3, 0]
    err = capsys.readouterr().err
    assert "worker 0 was killed by SIGKILL (by the kernel's out-of-memory killer, most likely" in err
    assert "worker 1 failed with exit status 3" in err and "worker 2" not in err


def test_on_24_gb_two_workers_train_the_cpu_profile_in_stacks_that_fit_side_by_side():
    """The estimate behind the ledger, on the cpu profile's plan and this machine's 24.6 GB: cut to a worker's share
    (half of 90 %), the Mixer's 13 I-MLPs (measured at 13.2 GB in float32, memory_table.py) train in two stacks, and
    any two stacks fit side by side; bf16 adds the backward's bf16 weight copies, and its stacks fit too."""
    sweeps = plan.profile_plan(PROFILES["cpu"], ["cnn", "mixer", "first_layer", "open_choices"])
    budget = executors.MEMORY_FRACTION * 24.6e9
    [mixer] = [p for p in sweeps if p.sweep.prior == "mixer" and p.sweep.seed == 0]
    assert 12e9 < memory.estimated_bytes(mixer) < budget
    for precision in ("float32", "bf16"):
        stacks = executors.budgeted([replace(p, sweep=replace(p.sweep, precision=precision)) for p in sweeps],
                                    int(budget / 2))
        assert 2 * max(map(memory.estimated_bytes, stacks)) <= budget
        assert [len(s.schedules) for s in stacks if s.sweep.prior == "mixer" and s.sweep.seed == 0] == [6, 7]
    bf16 = memory.estimated_bytes(replace(mixer, sweep=replace(mixer.sweep, precision="bf16")))
    assert bf16 > memory.estimated_bytes(mixer)


def test_a_worker_trains_each_sweep_in_a_process_of_its_own_and_ends_with_a_failed_one(tiny_prior, subprocess_env,
                                                                                       tmp_path):
    """The sweep's process gives its memory back when it ends (glibc kept a worker's peaks from sweep to sweep); a
    held sweep is skipped, and a sweep process that fails ends the worker with what happened."""
    seed0, _ = tiny_plan()
    assert executors.train_in_own_process(seed0, tmp_path / "runs", "cpu", "worker 0")
    assert not seed0.missing(tmp_path / "runs")
    held = FileLock(lock_path(tmp_path / "held", seed0.sweep.key))
    with held:
        assert not executors.train_in_own_process(seed0, tmp_path / "held", "cpu", "worker 0")
    assert seed0.missing(tmp_path / "held")
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit, match=r"worker 0's process for .* failed with exit status 1"):
        executors.train_in_own_process(seed0, tmp_path / "file", "cpu", "worker 0")


def test_a_worker_skips_a_sweep_another_worker_stored_while_it_trained(tiny_prior, tmp_path, monkeypatch, capsys):
    """The worker's list of sweeps with missing runs is read once per pass; one that another worker finished while
    this one trained is read again before a process is started for it (which found it stored, 4–9 s lost)."""
    first = tiny_plan()[0]
    sweeps = [replace(first, sweep=replace(first.sweep, seed=seed)) for seed in (0, 1, 2)]
    stored: set[int] = set()
    started: list[int] = []

    def train(planned, results, device, name, training):
        started.append(planned.sweep.seed)
        stored.add(planned.sweep.seed)
        if planned.sweep.seed == 0:
            stored.add(1)  # the other worker finished seed 1 meanwhile
        return True

    monkeypatch.setattr(plan.PlannedSweep, "missing", lambda self, results=None: [] if self.sweep.seed in stored
                        else list(self.schedules))
    monkeypatch.setattr(executors, "train_in_own_process", train)
    assert executors.work(sweeps, tmp_path, name="worker 0") == 2
    assert started == [0, 2]
    assert "seed 1" not in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------------
# What a real cluster needs (issue 39; on a real SLURM: tests/test_slurm.py)
def test_slurm_asks_for_no_gpu_unless_told():
    assert "gpus_per_node" not in executors.submitit_parameters(executors.SlurmOptions.from_env({}))
    assert executors.submitit_parameters(executors.SlurmOptions(gpus_per_job=2))["gpus_per_node"] == 2


def test_a_time_limit_too_short_for_submitits_requeue_signal_is_refused_with_the_shortest_allowed():
    with pytest.raises(SystemExit, match=rf"--time-min 2 is too short .* give --time-min {executors.MIN_TIME_MIN} "):
        executors.SlurmOptions(time_min=2).check()
    assert executors.MIN_TIME_MIN * 60 >= executors.SIGNAL_DELAY_S + executors.SIGNAL_EARLY_S
    executors.SlurmOptions(time_min=executors.MIN_TIME_MIN).check()
    executors.SlurmOptions(time_min=1, cluster="local").check()  # submitit's local executor signals no earlier


@pytest.mark.parametrize("refusal, option", [
    ("sbatch: error: Invalid generic resource (gres) specification", "--gpus-per-job 1 asks for GPUs"),
    ("sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition",
     "--partition nope is not one"),
    ("sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)",
     "--time-min 120 exceeds"),
    ("sbatch: error: Batch job submission failed: Requested node configuration is not available", "--cpus-per-job 4"),
], ids=["gpu", "partition", "time", "cpus"])
def test_sbatchs_refusal_names_the_option_to_change(refusal, option):
    message = executors.refusal_message(f"sbatch failed:\n{refusal}", executors.SlurmOptions(partition="nope",
                                                                                             gpus_per_job=1))
    assert message.startswith(f"sbatch refused the job array: {refusal.splitlines()[0].split('error: ')[1]}")
    assert option in message and "Nothing was submitted" in message


def test_torch_gets_one_thread_per_cpu_a_slurm_job_asks_for(tiny_prior, tmp_path, monkeypatch):
    threads = []
    monkeypatch.setattr(executors, "run_sweep", lambda *a, **k: threads.append(torch.get_num_threads()) or [])
    before = torch.get_num_threads()
    try:
        executors.SweepJob(tmp_path, "cpu", {}, threads=3)(tiny_plan()[0])
    finally:
        torch.set_num_threads(before)
    assert threads == [3]


@pytest.mark.parametrize("argv", [["first_layer", "cnn", "--datasets", "synthetic"],
                                  ["--datasets", "synthetic", "first_layer", "cnn"],
                                  ["first_layer", "--datasets", "synthetic", "cnn"]], ids=["before", "after", "around"])
def test_datasets_may_come_before_or_after_the_experiments(argv, capsys):
    cli.experiments_command([*argv, "--profile", "smoke", "--plan"])
    out = capsys.readouterr().out
    assert "3 sweeps after merging" in out and "synthetic100" not in out
    assert "first_layer" in out and " cnn " in out


def test_datasets_naming_only_experiments_is_an_error(capsys):
    with pytest.raises(SystemExit):
        cli.experiments_command(["--datasets", "cnn", "--profile", "smoke", "--plan"])
    assert "--datasets names no dataset" in capsys.readouterr().err


def test_a_sweep_that_fails_leaves_no_lock_file_and_the_next_run_takes_it_over(reference, tiny_prior, tmp_path,
                                                                               monkeypatch):
    """As a job that failed for good (an error, not a kill): its lock goes with it, the checkpoint stays."""
    real_save = trainer.Trainer.save_checkpoint

    def save_then_fail(self):
        real_save(self)
        raise RuntimeError("the job's error")

    monkeypatch.setattr(trainer.Trainer, "save_checkpoint", save_then_fail)
    seed0 = tiny_plan()[0]
    with pytest.raises(RuntimeError, match="the job's error"):
        run_sweep(seed0.sweep, seed0.schedules, tmp_path, "cpu", progress=False, settings=EVERY_EPOCH)
    assert leftovers(tmp_path) == [f".checkpoints/{checkpoint_path(tmp_path, seed0.sweep.key).name}"]
    monkeypatch.setattr(trainer.Trainer, "save_checkpoint", real_save)
    run_sweep(seed0.sweep, seed0.schedules, tmp_path, "cpu", progress=False)
    assert comparable(tmp_path) == {name: r for name, r in reference.items() if r["config"]["seed"] == 0}
    assert leftovers(tmp_path) == []
