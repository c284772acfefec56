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
from conftest import REPO_ROOT, TESTS_DIR
from test_executors import comparable, leftovers, reference, subprocess_env, tiny_plan  # noqa: F401 (fixtures)

from imlp_core import executors

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
models.PRIORS[TinyCNN.key] = TinyCNN
out, seeds, options = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
plan = [planned for planned in tiny_plan() if planned.sweep.seed in seeds]
slurm = executors.SlurmOptions(folder=out / "submitit", cpus_per_job=1, **options)
executors.run_plan(plan, "slurm", out / "runs", "cpu", slurm=slurm)
"""


def slurm_missing() -> str | None:
    """Why no SLURM job can run here, or None when a node answers."""
    if not shutil.which("sbatch"):
        return "SLURM is not installed (no sbatch on PATH)"
    try:
        info = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s"
    if info.returncode:
        return f"no SLURM controller answers ({info.stderr.strip().splitlines()[-1:]})"
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


def drive(out: Path, seeds: list[int], timeout: float, wait: bool = True, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", DRIVER, str(out), json.dumps(seeds), json.dumps({"wait": wait, **options})],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)


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
    return bool((executors.queued_jobs({job_id.split("_")[0] for job_id in job_ids}) or set()) & set(job_ids))


def non_timing(runs: Path) -> dict[str, dict]:
    return {p.name: {k: v for k, v in json.loads(p.read_text()).items() if k not in EXECUTION_FIELDS}
            for p in sorted(runs.glob("*.json"))}


def test_a_smoke_plan_as_one_job_array_gives_the_records_of_local_on_every_non_timing_field(tmp_path):
    """As a user runs it, with the defaults (no GPU asked for) on this GPU-less node; ``--datasets`` before the
    experiment's name; one CPU per job, so one torch thread, as ``local`` has here (OMP_NUM_THREADS=1)."""
    command = [sys.executable, "-m", "imlp_core", "experiments", "--profile", "smoke", "--datasets", "synthetic",
               "first_layer"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    local = subprocess.run([*command, "--executor", "local"], env={**env, "IMLP_OUTPUT_DIR": str(tmp_path / "local")},
                           capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)
    assert local.returncode == 0, local.stderr
    slurm = subprocess.run([*command, "--executor", "slurm", "--cpus-per-job", "1", "--time-min", "5"],
                           env={**env, "IMLP_OUTPUT_DIR": str(tmp_path / "slurm")},
                           capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)
    assert slurm.returncode == 0, slurm.stderr
    ids = re.findall(r"submitted 2 jobs \(slurm\): (\d+)_0, (\d+)_1", slurm.stdout)
    assert len(ids) == 1 and ids[0][0] == ids[0][1]  # one array of two jobs
    array = ids[0][0]
    [script] = (tmp_path / "slurm" / "results" / "submitit" / array).glob("*_submission.sh")
    assert "gpu" not in script.read_text().lower()
    for task in (0, 1):
        assert "first_layer" in (log := job_log(tmp_path / "slurm" / "results", f"{array}_{task}"))
        assert ": 1 torch threads" in log
    local_records, slurm_records = (non_timing(tmp_path / name / "results" / "runs") for name in ("local", "slurm"))
    assert len(local_records) == 4 and slurm_records == local_records
    assert leftovers(tmp_path / "slurm" / "results" / "runs") == []


def test_a_cancelled_job_then_a_rerun_submits_only_the_missing_sweep_which_resumes_its_checkpoint(
        reference, subprocess_env, tmp_path, monkeypatch):
    """Both jobs pause in epoch 2 with their epoch-1 checkpoints; job 0 is cancelled (its lock file stays: it was
    killed), job 1 goes on. The re-run submits one job, which takes the lock over and continues the checkpoint."""
    monkeypatch.setenv("IMLP_TEST_PAUSE_AT", "epoch:2")
    monkeypatch.setenv("IMLP_TEST_RESUME_FILE", str(tmp_path / "resume"))
    first = drive(tmp_path, [0, 1], timeout=120, wait=False, time_min=5)
    assert first.returncode == 0, first.stderr
    ids = submitted_ids(first.stdout)
    try:
        wait_until("both jobs paused in epoch 2",
                   lambda: all("IMLP_TEST_PAUSED epoch" in job_log(tmp_path, job_id) for job_id in ids), 180)
        subprocess.run(["scancel", ids[0]], check=True, timeout=30)
        (tmp_path / "resume").touch()
        wait_until("both jobs ended", lambda: not in_queue(ids), 180)
    finally:
        subprocess.run(["scancel", *ids], timeout=30)
    monkeypatch.delenv("IMLP_TEST_PAUSE_AT")
    second = drive(tmp_path, [0, 1], timeout=240, time_min=5)
    assert second.returncode == 0, second.stderr
    assert "plan: 2 sweeps, 1 with missing runs" in second.stdout
    [rerun] = submitted_ids(second.stdout)
    log = job_log(tmp_path, rerun)
    assert "seed 0" in log and "resuming from checkpoint" in log and "after epoch 1" in log
    assert comparable(tmp_path / "runs") == reference
    assert leftovers(tmp_path / "runs") == []


def test_a_job_past_its_time_limit_is_requeued_and_resumes_from_its_checkpoint(reference, subprocess_env, tmp_path,
                                                                              monkeypatch):
    """The job pauses in epoch 2 with its epoch-1 checkpoint, at the shortest time limit allowed; SLURM signals it
    before the limit, submitit requeues it, and its second run (no pause: it meets epoch 2 first) continues the
    checkpoint."""
    monkeypatch.setenv("IMLP_TEST_PAUSE_AT", "epoch:2")
    done = drive(tmp_path, [0], timeout=420, time_min=executors.MIN_TIME_MIN)
    assert done.returncode == 0, done.stderr
    [job_id] = submitted_ids(done.stdout)
    log = job_log(tmp_path, job_id)
    assert "IMLP_TEST_PAUSED epoch" in log and "this job is timed-out" in log and "Requeued job" in log
    assert "resuming from checkpoint" in log and "after epoch 1" in log
    assert comparable(tmp_path / "runs") == {name: r for name, r in reference.items() if r["config"]["seed"] == 0}
    assert leftovers(tmp_path / "runs") == []


@pytest.mark.parametrize("accounting", [True, False], ids=["accounting", "no accounting"])
def test_a_job_that_dies_without_a_result_is_an_error_and_a_nonzero_exit_not_a_hang(subprocess_env, tmp_path,
                                                                                    monkeypatch, accounting):
    """The job is cancelled while it trains. Without accounting (a ``sacct`` that fails, as where accounting is
    off), submitit's own wait would wait forever; the executor reads squeue and scontrol instead."""
    monkeypatch.setenv("IMLP_TEST_PAUSE_AT", "epoch:2")
    if not accounting:
        (bin_dir := tmp_path / "bin").mkdir()
        (sacct := bin_dir / "sacct").write_text("#!/bin/sh\necho 'sacct: error: Slurm accounting storage is disabled' >&2\n"
                                                "exit 1\n")
        sacct.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    command = [sys.executable, "-c", DRIVER, str(tmp_path), "[0]", json.dumps({"time_min": 5})]
    started = time.monotonic()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT) as run:
        try:
            wait_until("the job paused in epoch 2",
                       lambda: "IMLP_TEST_PAUSED epoch" in "".join(p.read_text() for p in tmp_path.glob("submitit/*/*_log.out")),
                       180)
            [job_dir] = [p for p in (tmp_path / "submitit").iterdir() if p.is_dir() and "_" in p.name]
            subprocess.run(["scancel", job_dir.name], check=True, timeout=30)
            cancelled = time.monotonic()
            out, err = run.communicate(timeout=120)
        finally:
            run.kill()
    assert run.returncode == 1
    assert f"job {job_dir.name} (tiny: tiny-cnn on synthetic, seed 0) ended without a result (CANCELLED" in err
    assert "run the same command again to resume it" in err
    assert "Bypassing sacct error" not in err
    print(f"reported {time.monotonic() - cancelled:.0f} s after scancel ({time.monotonic() - started:.0f} s in all)")


def test_sbatch_refusing_a_gpu_is_a_message_naming_the_option_and_nothing_is_left(tiny_prior, tmp_path):
    options = executors.SlurmOptions(gpus_per_job=1, cpus_per_job=1, time_min=5, folder=tmp_path / "submitit")
    with pytest.raises(SystemExit, match=r"sbatch refused the job array: Invalid generic resource \(gres\) "
                                         r"specification\n  --gpus-per-job 1 asks for GPUs .* give --gpus-per-job 0"):
        executors.run_plan(tiny_plan(), "slurm", tmp_path / "runs", "cpu", slurm=options)
    assert not (tmp_path / "submitit").exists()
    assert list((tmp_path / "runs").iterdir()) == []
