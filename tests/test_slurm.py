"""Issue 39: the ``slurm`` executor on a real SLURM (``.ci/slurm-up.sh``: one node, no GPU, accounting on).

A smoke plan as one job array gives the records of ``local``; a cancelled job, then a re-run that submits only
what is missing and resumes its checkpoint; a job past its time limit, requeued and resumed; a job that dies
without a result, an error and a non-zero exit (with accounting, and without: a ``sacct`` that fails); sbatch's
refusal of a GPU, a message naming the option. The commands run in subprocesses, each with a time limit, so that
a hang fails the test. Without a SLURM node the tests skip, saying why; under ``CI=true`` they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT, TESTS_DIR, tiny_prior_registered
from test_executors import comparable, leftovers, tiny_plan

from imlp_core import executors, plan
from imlp_core.profiles import PROFILES

pytestmark = pytest.mark.slurm

# The fields that say how a run was executed (as in the comparison): the rest must be equal bit for bit.
EXECUTION_FIELDS = ("wall_time_s", "images_per_s", "sweep_size", "environment")
# Runs tiny_plan()'s sweeps of the seeds argv[2] names with the slurm executor (SlurmOptions from argv[3]).
DRIVER = f"""
import json, sys
from pathlib import Path
sys.path.insert(0, {str(TESTS_DIR)!r})
from conftest import TinyCNN
from test_executors import tiny_plan
from imlp_core import executors, models
from imlp_core.settings import Settings
models.PRIORS[TinyCNN.key] = TinyCNN
executors.SLURM_POLL_S, executors.RESULT_GRACE_S = 1.0, 5.0  # the tests wait less than a user would
out, seeds, options = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
plan = [planned for planned in tiny_plan() if planned.sweep.seed in seeds]
slurm = executors.SlurmOptions(folder=out / "submitit", **{{"cpus_per_job": 1, **options}})
executors.run_plan(plan, "slurm", out / "runs", "cpu", slurm=slurm, settings=Settings.from_environment())
"""


def slurm_missing() -> str | None:
    """Why no SLURM job can run here, or None when a node answers."""
    if not shutil.which("sbatch"):
        return "SLURM is not installed (no sbatch on PATH)"
    try:
        info = subprocess.run(["sinfo", "-h", "-o", "%T"], check=False, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s"
    if info.returncode:
        return f"no SLURM controller answers (sinfo: {' '.join(info.stderr.split())})"
    if not {"idle", "mixed", "allocated"} & set(info.stdout.split()):
        return f"no SLURM node is up (sinfo: {' '.join(info.stdout.split())})"
    return None


@pytest.fixture(scope="module", autouse=True)
def cluster() -> None:
    if reason := slurm_missing():
        reason += "; .ci/slurm-up.sh starts a single-node SLURM (as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run them (.ci/run starts it)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, dict]:
    """The records of :func:`tiny_plan` trained by the ``local`` executor in this process (one thread)."""
    runs = tmp_path_factory.mktemp("local")
    with tiny_prior_registered():
        executors.run_plan(tiny_plan(), "local", runs, "cpu", progress=False)
    return comparable(runs)


@pytest.fixture
def job_env(monkeypatch) -> None:
    """Jobs find tiny-cnn in conftest (``PYTHONPATH``), use one thread, and checkpoint after every epoch."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("IMLP_CHECKPOINT_EVERY_S", "0")


def drive(out: Path, seeds: list[int], timeout: float, wait: bool = True, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", DRIVER, str(out), json.dumps(seeds), json.dumps({"wait": wait, **options})],
                          check=False, capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)


def submitted_ids(output: str) -> list[str]:
    [ids] = re.findall(r"submitted \d+ jobs \(slurm\): (.*); logs in", output)
    return ids.split(", ")


def job_log(out: Path, job_id: str) -> str:
    """The job's stdout and stderr so far (both runs of a requeued job)."""
    return "".join(p.read_text() for p in sorted((out / "submitit" / job_id).glob("*_log.*")))


def wait_until(what: str, condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(1)


def in_queue(job_ids: list[str]) -> bool:
    return bool(set(executors.queued_jobs({job_id.split("_")[0] for job_id in job_ids}) or {}) & set(job_ids))


def started_if_held(job_id: str) -> bool:
    """Let ``job_id`` start now if SLURM holds it after a requeue (its reason: BeginTime); always True."""
    reason = subprocess.run(["squeue", "-h", "-j", job_id, "-o", "%r"], check=False, capture_output=True, text=True, timeout=30)
    if reason.stdout.strip() == "BeginTime":
        subprocess.run(["scontrol", "update", f"JobId={job_id}", "StartTime=now"], check=True, timeout=30)
    return True


def non_timing(runs: Path) -> dict[str, dict]:
    return {p.name: {k: v for k, v in json.loads(p.read_text()).items() if k not in EXECUTION_FIELDS}
            for p in sorted(runs.glob("*.json"))}


def test_a_smoke_plan_as_one_job_array_gives_the_records_of_local_on_every_non_timing_field(tmp_path):
    """As a user runs it, with the defaults (no GPU asked for) on this GPU-less node, ``--datasets`` before the
    experiment's name, one CPU per job (so one torch thread, as this process has); ``local`` trains the same plan
    here meanwhile."""
    command = [sys.executable, "-m", "imlp_core", "experiments", "--profile", "smoke", "--datasets", "synthetic",
               "first_layer", "--executor", "slurm", "--cpus-per-job", "1", "--time-min", "5"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "IMLP_OUTPUT_DIR": str(tmp_path / "slurm")}
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=REPO_ROOT) as slurm:
        try:
            smoke = plan.profile_plan(PROFILES["smoke"], ["first_layer"], ["synthetic"])
            executors.run_plan(smoke, "local", tmp_path / "local", "cpu", progress=False)
            out, err = slurm.communicate(timeout=300)
        finally:
            slurm.kill()
    assert slurm.returncode == 0, err
    ids = re.findall(r"submitted 2 jobs \(slurm\): (\d+)_0, (\d+)_1", out)
    assert len(ids) == 1 and ids[0][0] == ids[0][1]  # one array of two jobs
    store = tmp_path / "slurm" / "results"
    [script] = (store / "submitit" / ids[0][0]).glob("*_submission.sh")
    assert "gpu" not in script.read_text().lower()
    for task in (0, 1):
        log = job_log(store, f"{ids[0][0]}_{task}")
        assert "first_layer" in log and ": 1 torch threads" in log
    local = non_timing(tmp_path / "local")
    assert len(local) == 4 and non_timing(store / "runs") == local
    assert leftovers(store / "runs") == []


def test_a_cancelled_job_and_a_job_past_its_time_limit_resume_from_their_checkpoints(reference, job_env,
                                                                                   tmp_path, monkeypatch):
    """Both jobs pause in epoch 2 with their epoch-1 checkpoints, at the shortest time limit allowed. Job 0 is
    cancelled (killed, its lock file stays). Job 1 reaches its time limit: SLURM signals it, submitit requeues it,
    and its second run (no pause: it meets epoch 2 first) continues the checkpoint (SLURM holds a requeued job for
    some 2 minutes before it may start again: here it may start at once). A re-run then submits job 0's
    sweep alone, which takes its lock over and continues its checkpoint."""
    monkeypatch.setenv("IMLP_TEST_PAUSE_AT", "epoch:2")
    first = drive(tmp_path, [0, 1], timeout=120, wait=False, time_min=executors.MIN_TIME_MIN)
    assert first.returncode == 0, first.stderr
    ids = submitted_ids(first.stdout)
    try:
        wait_until("both jobs paused in epoch 2",
                   lambda: all("IMLP_TEST_PAUSED epoch" in job_log(tmp_path, job_id) for job_id in ids), 180)
        subprocess.run(["scancel", ids[0]], check=True, timeout=30)
        wait_until("job 1 requeued and done", lambda: started_if_held(ids[1]) and not in_queue(ids),
                   60 * executors.MIN_TIME_MIN + 120)
    finally:
        subprocess.run(["scancel", *ids], check=False, timeout=30)
    timed_out = job_log(tmp_path, ids[1])
    assert "this job is timed-out" in timed_out and "Requeued job" in timed_out
    assert "resuming from checkpoint" in timed_out and "after epoch 1" in timed_out
    monkeypatch.delenv("IMLP_TEST_PAUSE_AT")
    second = drive(tmp_path, [0, 1], timeout=240, time_min=5)
    assert second.returncode == 0, second.stderr
    assert "plan: 2 sweeps, 1 with missing runs" in second.stdout
    [rerun] = submitted_ids(second.stdout)
    log = job_log(tmp_path, rerun)
    assert "seed 0" in log and "resuming from checkpoint" in log and "after epoch 1" in log
    assert comparable(tmp_path / "runs") == reference
    assert leftovers(tmp_path / "runs") == []


def test_a_job_that_dies_without_a_result_is_an_error_and_a_nonzero_exit_with_and_without_accounting(
        job_env, tmp_path):
    """Two submissions of one job each, side by side: one with accounting, one with a ``sacct`` that fails (as
    where accounting is off; submitit's own wait then waited forever). Each job is cancelled while it trains."""
    (bin_dir := tmp_path / "no-accounting" / "bin").mkdir(parents=True)
    (sacct := bin_dir / "sacct").write_text("#!/bin/sh\necho 'sacct: error: Slurm accounting storage is disabled' >&2\n"
                                            "exit 1\n")
    sacct.chmod(0o755)
    envs = {"accounting": {**os.environ, "IMLP_TEST_PAUSE_AT": "epoch:2"},
            "no-accounting": {**os.environ, "IMLP_TEST_PAUSE_AT": "epoch:2",
                              "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}}
    runs = {name: subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path / name), "[0]", '{"time_min": 5}'],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT)
            for name, env in envs.items()}
    logs = lambda name: list((tmp_path / name).glob("submitit/*/*_log.out"))
    errors = {}
    try:
        for name, run in runs.items():
            wait_until(f"the job ({name}) paused in epoch 2",
                       lambda name=name: any("IMLP_TEST_PAUSED epoch" in log.read_text() for log in logs(name)), 240)
            subprocess.run(["scancel", logs(name)[0].parent.name], check=True, timeout=30)
        for name, run in runs.items():
            errors[name] = run.communicate(timeout=120)[1]
    finally:
        for name, run in runs.items():
            run.kill()
            run.wait()
            if found := logs(name):
                subprocess.run(["scancel", found[0].parent.name], check=False, timeout=30)
    for name, run in runs.items():
        job_id = logs(name)[0].parent.name  # one job: submitit submits it alone, not as an array
        assert run.returncode == 1, errors[name]
        assert f"job {job_id} (tiny: tiny-cnn on synthetic, seed 0) ended without a result (CANCELLED" in errors[name]
        assert "run the same command again to resume it" in errors[name]
        assert "Bypassing sacct error" not in errors[name]


def test_sbatch_refusing_a_gpu_is_a_message_naming_the_option_and_nothing_is_left(tiny_prior, tmp_path):
    options = executors.SlurmOptions(gpus_per_job=1, cpus_per_job=1, time_min=5, folder=tmp_path / "submitit")
    with pytest.raises(SystemExit, match=r"sbatch refused the job array: Invalid generic resource \(gres\) "
                                         r"specification\n  --gpus-per-job 1 asks for GPUs .* give --gpus-per-job 0"):
        executors.run_plan(tiny_plan(), "slurm", tmp_path / "runs", "cpu", slurm=options)
    assert not (tmp_path / "submitit").exists()
    assert list((tmp_path / "runs").iterdir()) == []


def test_a_job_no_node_can_run_is_cancelled_with_a_message_naming_the_option(job_env, tmp_path):
    """sbatch accepts 64 CPUs per job on this 2-CPU node; the job would wait forever (reason PartitionConfig)."""
    done = drive(tmp_path, [0], timeout=120, cpus_per_job=64, time_min=5)
    assert done.returncode == 1
    assert "can never start (squeue's reason: PartitionConfig): --cpus-per-job" in done.stderr
    [job_id] = submitted_ids(done.stdout)
    assert not in_queue([job_id])
