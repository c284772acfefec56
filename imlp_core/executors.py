"""One plan, four ways to run it: ``local``, ``processes``, ``slurm`` (submitit) and ``debug``.

- ``local``: this process trains one sweep after another.
- ``processes``: N worker processes on this machine, spread over its GPUs (``CUDA_VISIBLE_DEVICES``;
  several may share one). Each worker takes the next sweep whose records are missing and whose lock no
  live worker holds; it never waits on a held sweep while another is free. A sweep's lock is the kernel's
  (flock), so it goes with a worker that dies; a live worker then takes the sweep over and continues its
  epoch checkpoint. On the CPU the sweeps are first cut into stacks that fit a worker's share of the memory
  (:func:`budgeted`, ``imlp_core.memory``), and a stack starts only when its estimated memory fits beside the other
  workers' (:class:`MemoryLedger`): before the heap's fragmentation was mended, the cpu profile's Mixer sweep
  peaked at 19-21 GB, and beside another sweep it was killed for memory on a 24 GB machine. Each sweep trains in a process of its own
  (:func:`train_in_own_process`), so the memory it used goes back to the system when it ends: a worker that had
  run one sweep after another in the same process kept their peaks (glibc's heap, ``devices``) and was killed for
  memory beside promises that fitted. A worker killed (by the out-of-memory killer, say) is reported at once; the
  others go on and take its sweep over.
- ``slurm``: submitit submits the missing sweeps as one job array. Each job is checkpointable: on a timeout
  or a preemption submitit requeues it and it continues from its sweep's epoch checkpoint. The result store
  must be on a filesystem every node sees (see the README on file locks over NFS). The jobs' states are read
  from ``squeue`` (``scontrol``, then ``sacct``, for a job that has left the queue), so that a job that ends
  without a result is reported even where accounting is off (tests/test_slurm.py, on a real SLURM).
- ``debug``: submitit's in-process executor (for tests, and to step through a job in a debugger).

Every way writes the same records into the same store; the notebooks then only read it. The door's settings
(``settings.Settings``) come as a value: each way passes their training part to every sweep, in this process, in a
worker's pickled plan, in a sweep's own process or in a submitit job; none reads the environment.
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from filelock import FileLock

from imlp_core.devices import resolve_device
from imlp_core.memory import cut_plan, default_budget, estimated_bytes
from imlp_core.models import PRIORS
from imlp_core.plan import PlannedSweep
from imlp_core.atomic_writes import check_writable
from imlp_core.settings import Settings, TrainingSettings
from imlp_core.sweep_runner import SweepBusy, run_sweep

EXECUTORS = ("local", "processes", "slurm", "debug")
POLL_S = 1.0  # how often an idle worker looks again at the sweeps other workers hold
MEMORY_FRACTION = 0.9  # of the physical memory, for the CPU workers' sweeps together (the rest: the OS, the caches)


@dataclass(frozen=True)
class SlurmOptions:
    """What ``slurm`` asks the cluster for, per job (one sweep); ``cluster="local"`` runs the same jobs
    through submitit's local executor (this machine; how the tests exercise it)."""

    partition: str | None = None
    time_min: int = 120
    gpus_per_job: int = 0  # many clusters have CPU partitions only: sbatch refuses a GPU where there is none
    cpus_per_job: int = 4
    array_parallelism: int = 32
    folder: Path | None = None  # submitit's logs and pickles (default: results/submitit beside the store)
    cluster: str = "slurm"
    wait: bool = True

    @classmethod
    def from_env(cls, slurm: Mapping[str, str]) -> SlurmOptions:
        """Options from ``IMLP_SLURM_PARTITION``, ``IMLP_SLURM_TIME_MIN``, ``IMLP_SLURM_GPUS_PER_JOB``,
        ``IMLP_SLURM_CPUS_PER_JOB`` and ``IMLP_SLURM_ARRAY_PARALLELISM`` (how ``make reproduce`` takes them), given
        as ``slurm`` (``Settings.slurm``: ``PARTITION`` to its value, and so on)."""
        env = lambda name, default: slurm.get(name) or default
        return cls(partition=env("PARTITION", None), time_min=int(env("TIME_MIN", cls.time_min)),
                   gpus_per_job=int(env("GPUS_PER_JOB", cls.gpus_per_job)),
                   cpus_per_job=int(env("CPUS_PER_JOB", cls.cpus_per_job)),
                   array_parallelism=int(env("ARRAY_PARALLELISM", cls.array_parallelism)))

    def check(self) -> None:
        """Refuse a time limit too short for submitit's requeue: SLURM sends its signal ``SIGNAL_DELAY_S`` before
        the limit, up to ``SIGNAL_EARLY_S`` earlier still, and a job that gets it before its handler is set (while
        Python starts) dies without being requeued."""
        if self.cluster == "slurm" and self.time_min < MIN_TIME_MIN:
            raise SystemExit(f"--time-min {self.time_min} is too short for a job to be requeued at its time limit: "
                             f"SLURM signals the job {SIGNAL_DELAY_S} s before the limit, up to {SIGNAL_EARLY_S} s "
                             f"earlier still, and the job needs {STARTUP_S} s to start; give --time-min "
                             f"{MIN_TIME_MIN} or more (IMLP_SLURM_TIME_MIN)")


SIGNAL_DELAY_S = 90  # submitit's --signal=USR2@90: requeue this long before the time limit
SIGNAL_EARLY_S = 60  # SLURM checks time limits about once a minute, so the signal may come this much earlier
STARTUP_S = 30  # from the job's start to submitit's signal handler (Python, torch and the job's pickle loaded)
MIN_TIME_MIN = -(-(SIGNAL_DELAY_S + SIGNAL_EARLY_S + STARTUP_S) // 60)


def run_plan(plan: Sequence[PlannedSweep], executor: str, results: Path, device: str = "auto", jobs: int = 2,
             progress: bool = True, slurm: SlurmOptions = SlurmOptions(), memory_budget: int | None = None,
             settings: Settings = Settings()) -> None:
    """Train every missing run of ``plan`` into the store ``results`` with ``executor``, under the door's
    ``settings``.

    On the CPU each sweep is cut into stacks of I-MLPs whose estimated memory fits ``memory_budget`` bytes (default:
    :func:`imlp_core.memory.default_budget`, the available memory shared by ``local``'s one or ``processes``' ``jobs``
    workers; ``slurm`` and ``debug`` cut only to a budget given): the same records, a prior trained per stack."""
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    results = check_writable(Path(results)).resolve()
    todo = [planned for planned in plan if planned.missing(results)]
    print(f"plan: {len(plan)} sweeps, {len(todo)} with missing runs; executor {executor}", flush=True)
    if not todo:
        return
    todo = as_trained(todo, executor, resolve_device(device).type, jobs, memory_budget)
    if executor == "local":
        for planned in todo:
            run_sweep(planned.sweep, planned.schedules, results, device, progress, settings=settings.training)
    elif executor == "processes":
        run_processes(todo, results, device, jobs, settings=settings)
    else:
        run_submitit(todo, results, device, slurm if executor == "slurm" else SlurmOptions(cluster="debug"),
                     settings.training)


def as_trained(plan: Sequence[PlannedSweep], executor: str, device_type: str, jobs: int,
               memory_budget: int | None) -> list[PlannedSweep]:
    """``plan`` as ``executor`` trains it on ``device_type``: on the CPU each sweep cut to ``memory_budget`` bytes
    (default: :func:`imlp_core.memory.default_budget` shared by ``local``'s one or ``processes``' ``jobs`` workers;
    ``slurm`` and ``debug`` cut only to a budget given); elsewhere whole."""
    if device_type != "cpu" or (memory_budget is None and executor not in ("local", "processes")):
        return list(plan)
    return budgeted(plan, memory_budget or default_budget(jobs if executor == "processes" else 1))


def budgeted(plan: Sequence[PlannedSweep], budget: int) -> list[PlannedSweep]:
    """``plan`` with each sweep cut to ``budget`` bytes (:func:`imlp_core.memory.cut_plan`), saying what was cut."""
    cut = cut_plan(list(plan), budget)
    if len(cut) > len(plan):
        stacks = {planned.name: [len(p.schedules) for p in cut if p.sweep == planned.sweep] for planned in plan}
        many = {name: sizes for name, sizes in stacks.items() if len(sizes) > 1}
        print(f"memory budget {budget / 1e9:.1f} GB per sweep: {len(many)} sweeps cut into stacks of I-MLPs "
              f"({'; '.join(f'{name}: {sizes}' for name, sizes in list(many.items())[:3])}"
              f"{'; ...' if len(many) > 3 else ''})", flush=True)
    return cut


# -- processes -------------------------------------------------------------------------------------------
class MemoryLedger:
    """The host memory promised to the sweeps that the workers of one store train at this moment: one file per
    worker process in ``.locks/memory/`` holding its sweep's :func:`imlp_core.memory.estimated_bytes` (a dead
    worker's file no longer counts). A sweep starts only while the promises, its own included, fit ``budget``, or
    when it would run alone."""

    def __init__(self, results: Path, budget: int) -> None:
        self.folder, self.budget = self.folder_of(results), budget
        self.folder.mkdir(parents=True, exist_ok=True)
        self.mine = self.folder / f"{os.getpid()}.bytes"

    def promised(self) -> int:
        """Bytes promised by the other live workers."""
        total = 0
        for path in self.folder.glob("*.bytes"):
            if path != self.mine and process_alive(int(path.stem)):
                total += int(path.read_text() or 0)
        return total

    def claim(self, need: int) -> bool:
        """Promise ``need`` bytes to this worker's next sweep if they fit beside the others' (always when none run)."""
        with FileLock(self.folder / "ledger.lock"):
            others = self.promised()
            if others and others + need > self.budget:
                return False
            self.mine.write_text(str(need))
            return True

    def release(self) -> None:
        self.mine.unlink(missing_ok=True)

    @staticmethod
    def folder_of(results: Path) -> Path:
        return Path(results) / ".locks" / "memory"

    @classmethod
    def tidy(cls, results: Path) -> None:
        """Remove the ledger of ``results`` once no live worker holds a promise in it (no file left behind)."""
        folder = cls.folder_of(results)
        if not folder.is_dir() or any(process_alive(int(p.stem)) for p in folder.glob("*.bytes")):
            return
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass  # another run's worker wrote a promise meanwhile


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0 checks without sending; another user's process exists too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def work(plan: Sequence[PlannedSweep], results: Path, device: str = "auto", name: str = "worker",
         memory_budget: int | None = None, training: TrainingSettings = TrainingSettings()) -> int:
    """One worker's loop: train each free sweep with missing runs until none is missing; returns how many it trained.

    With ``memory_budget`` (bytes; the CPU workers of ``processes``) a sweep also waits until its estimated memory
    fits beside the sweeps the other workers train (:class:`MemoryLedger`)."""
    trained = 0
    ledger = MemoryLedger(results, memory_budget) if memory_budget is not None else None
    while todo := [planned for planned in plan if planned.missing(results)]:
        took = False
        for planned in todo:
            start = time.perf_counter()
            if not planned.missing(results):
                continue  # stored by another worker while this one trained: a process started for it found it done
            if ledger is not None and not ledger.claim(estimated_bytes(planned)):
                continue  # it would not fit beside what the others train now; a later pass looks again
            try:
                if not train_in_own_process(planned, results, device, name, training):
                    continue  # a live worker trains it; if that worker dies, its lock goes and a later pass takes it
            finally:
                if ledger is not None:
                    ledger.release()
            took, trained = True, trained + 1
            print(f"{name}: {planned.name} ({len(planned.schedules)} models) done in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
        if not took:
            time.sleep(POLL_S)
    return trained


BUSY = 3  # a sweep process's exit status when another live process holds its sweep's lock


def train_in_own_process(planned: PlannedSweep, results: Path, device: str, name: str,
                         training: TrainingSettings = TrainingSettings()) -> bool:
    """Train ``planned`` in a child process (spawned, with this process's torch threads); False if another live
    process holds the sweep. A child that fails or is killed ends this worker too, with what happened to it."""
    prior = planned.sweep.prior
    child = multiprocessing.get_context("spawn").Process(
        target=train_sweep_process,
        args=({prior: PRIORS[prior]}, planned, results, device, torch.get_num_threads(), training),
        name=f"{name}: {planned.name}")
    child.start()
    child.join()
    if child.exitcode == BUSY:
        return False
    if child.exitcode:
        raise SystemExit(exit_message(f"{name}'s process for {planned.name}", child.exitcode))
    return True


def train_sweep_process(priors: dict[str, type], planned: PlannedSweep, results: Path, device: str,
                        threads: int, training: TrainingSettings) -> None:
    """The child of :func:`train_in_own_process`; it dies with its worker (SIGKILL), so a killed worker's sweep lock
    goes at once and another worker takes the sweep over."""
    die_with_parent()
    register_priors(priors)
    torch.set_num_threads(threads)
    try:
        run_sweep(planned.sweep, planned.schedules, results, device, progress=False, wait=False, settings=training)
    except SweepBusy:
        sys.exit(BUSY)


def die_with_parent() -> None:
    """Linux's PR_SET_PDEATHSIG: this process gets SIGKILL when its parent ends (elsewhere: nothing)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # the parent ended before the call
        os._exit(1)


def gpu_slots(jobs: int, visible: str | None) -> list[str | None]:
    """The ``CUDA_VISIBLE_DEVICES`` of each of ``jobs`` workers: round-robin over the ``visible`` GPUs (this process's
    ``CUDA_VISIBLE_DEVICES``, ``Settings.visible_gpus``; None: every GPU torch sees), None where there is no GPU."""
    gpus = [g for g in visible.split(",") if g] if visible is not None else [str(i) for i in range(torch.cuda.device_count())]
    return [gpus[i % len(gpus)] if gpus else None for i in range(jobs)]


def run_processes(plan: Sequence[PlannedSweep], results: Path, device: str = "auto", jobs: int = 2,
                  threads: int | None = None, settings: Settings = Settings()) -> None:
    """Run ``jobs`` worker processes over ``plan`` and wait for them; raise if runs are still missing after.

    On a CPU each worker gets ``threads`` torch threads (default: the cores divided among the workers). The workers
    get ``settings.training`` in their pickled plan; a worker given a GPU starts with ``settings.environment`` (the
    door's) and its ``CUDA_VISIBLE_DEVICES``, any other with this process's environment."""
    if jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {jobs}")
    threads = threads or max(1, len(os.sched_getaffinity(0)) // jobs)
    slots = gpu_slots(jobs, settings.visible_gpus)
    budget = None if any(slots) or jobs == 1 else int(MEMORY_FRACTION * memory_bytes())
    if budget is not None and (large := [p for p in plan if estimated_bytes(p) > budget / jobs]):
        print(f"{len(large)} sweeps need more than a worker's share of the memory (up to "
              f"{max(map(estimated_bytes, large)) / 1e9:.1f} GB of {budget / 1e9:.1f} GB): they wait until they fit "
              f"beside the others' sweeps", flush=True)
    with tempfile.TemporaryDirectory(prefix="imlp-plan-") as folder:
        plan_file = Path(folder) / "plan.pkl"
        plan_file.write_bytes(pickle.dumps(worker_payload(plan, settings.training)))
        workers = []
        try:
            for i, gpu in enumerate(slots):
                env = None if gpu is None else {**settings.environment, "CUDA_VISIBLE_DEVICES": gpu}
                command = [sys.executable, "-m", "imlp_core.executors", "--worker", str(plan_file), "--results",
                           str(results), "--device", device, "--threads", str(threads), "--name", f"worker {i}",
                           *(["--memory-budget", str(budget)] if budget is not None else [])]
                workers.append(subprocess.Popen(command, env=env))
            codes = wait_reporting(workers)
        finally:  # interrupted (Ctrl-C, an error): no worker outlives this call; their sweeps resume next time
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait()
            MemoryLedger.tidy(results)
    left = [planned.name for planned in plan if planned.missing(results)]
    if left:
        raise RuntimeError(f"{len(left)} sweeps still have missing runs after the workers ended (exit codes {codes}): "
                           f"{'; '.join(left)}. Run the same command again: it continues them from their checkpoints")


def memory_bytes() -> int:
    """This machine's physical memory."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def exit_message(name: str, code: int) -> str:
    """What a worker's nonzero exit status ``code`` means, and what happens to its sweep."""
    if code < 0:
        how = f"was killed by {signal.Signals(-code).name}"
        if code == -signal.SIGKILL:
            how += " (by the kernel's out-of-memory killer, most likely: `dmesg` says; fewer --jobs need less memory)"
    else:
        how = f"failed with exit status {code} (its error is printed above)"
    return f"{name} {how}; the other workers take its sweep over from its last checkpoint"


def wait_reporting(workers: Sequence[subprocess.Popen]) -> list[int]:
    """Wait for every worker; report each one that ends with a nonzero status as soon as it does."""
    codes: list[int | None] = [None] * len(workers)
    while None in codes:
        for i, worker in enumerate(workers):
            if codes[i] is None and (code := worker.poll()) is not None:
                codes[i] = code
                if code:
                    print(exit_message(f"worker {i}", code), file=sys.stderr, flush=True)
        time.sleep(POLL_S if None in codes else 0)
    return [int(code) for code in codes]


def worker_payload(plan: Sequence[PlannedSweep], training: TrainingSettings = TrainingSettings()) -> dict:
    """The plan, the classes of its priors and the door's ``training`` settings: a prior registered at run time (a
    test's, a notebook's) is registered in the worker too (pickled by reference: its module must be importable
    there)."""
    return {"plan": list(plan), "priors": {p.sweep.prior: PRIORS[p.sweep.prior] for p in plan}, "training": training}


def register_priors(priors: dict[str, type]) -> None:
    for name, cls in priors.items():
        PRIORS.setdefault(name, cls)


# -- slurm and debug: submitit ---------------------------------------------------------------------------
class SweepJob:
    """One sweep as a submitit job; checkpointable: requeued on a timeout or preemption, it continues from the
    sweep's epoch checkpoint (written every ``training.checkpoint_every_s``: ``IMLP_CHECKPOINT_EVERY_S``, 60 s)."""

    def __init__(self, results: Path, device: str, priors: dict[str, type],
                 training: TrainingSettings = TrainingSettings(), threads: int | None = None) -> None:
        self.results, self.device, self.priors, self.training = Path(results), device, priors, training
        self.threads = threads

    def __call__(self, planned: PlannedSweep) -> list[str]:
        """Train the sweep; return its record keys, or [] when another live process holds it (no GPU kept idle).

        With ``threads`` (on SLURM: the CPUs the job asked for, its ``--cpus-per-task``), torch gets that many
        threads, not one per core of the node."""
        register_priors(self.priors)
        if self.threads:
            torch.set_num_threads(self.threads)
        print(f"{planned.name}: {torch.get_num_threads()} torch threads", flush=True)
        try:
            records = run_sweep(planned.sweep, planned.schedules, self.results, self.device, progress=False, wait=False,
                                settings=self.training)
        except SweepBusy as busy:
            print(f"{planned.name}: not trained here: {busy}", flush=True)
            return []
        return [record["key"] for record in records]

    def checkpoint(self, planned: PlannedSweep):
        import submitit

        return submitit.helpers.DelayedSubmission(self, planned)  # the training state is on disk already


def run_submitit(plan: Sequence[PlannedSweep], results: Path, device: str, options: SlurmOptions,
                 training: TrainingSettings = TrainingSettings()) -> list:
    """Submit ``plan`` as one job array (``options.cluster``: slurm, local or debug); wait for it unless told not to."""
    import submitit

    options.check()
    folder = options.folder or results.parent / "submitit"
    executor = submitit.AutoExecutor(folder=folder / "%j", cluster=options.cluster)
    executor.update_parameters(**submitit_parameters(options))
    job = SweepJob(results, device, worker_payload(plan)["priors"], training,
                   threads=options.cpus_per_job if options.cluster == "slurm" else None)
    jobs = submit_array(executor, job, plan, folder, options)
    print(f"submitted {len(jobs)} jobs ({options.cluster}): {', '.join(j.job_id for j in jobs)}; logs in {folder}",
          flush=True)
    if options.wait:
        if options.cluster == "slurm":
            wait_for_slurm(plan, jobs)
        else:
            for planned, submitted in zip(plan, jobs):
                collect(planned, submitted)
        if left := [planned.name for planned in plan if planned.missing(results)]:
            print(f"held by another process when their job ran, not trained: {'; '.join(left)}; run the same "
                  f"command again once that process has ended", flush=True)
    return jobs


def submitit_parameters(options: SlurmOptions) -> dict:
    """submitit's parameters for ``options``: no GPU unless ``gpus_per_job`` asks for some."""
    parameters = {"name": "imlp-sweep", "timeout_min": options.time_min}
    if options.cluster == "slurm":
        parameters.update(slurm_partition=options.partition, slurm_array_parallelism=options.array_parallelism,
                          cpus_per_task=options.cpus_per_job, tasks_per_node=1,
                          gpus_per_node=options.gpus_per_job or None)
    return {k: v for k, v in parameters.items() if v is not None}


def submit_array(executor, job: SweepJob, plan: Sequence[PlannedSweep], folder: Path, options: SlurmOptions) -> list:
    """``executor.map_array(job, plan)``; if sbatch refuses it, exit with sbatch's reason and the option to change,
    and remove the files this submission wrote (its pickles and submission script)."""
    from submitit.core.utils import FailedJobError

    before = set(folder.rglob("*")) if folder.exists() else set()
    try:
        return executor.map_array(job, list(plan))
    except FailedJobError as error:
        written = set(folder.rglob("*")) - before if folder.exists() else set()
        for path in sorted(written, reverse=True):  # files before the folders that hold them
            path.rmdir() if path.is_dir() else path.unlink()
        if not before and folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        raise SystemExit(refusal_message(str(error), options)) from None


def refusal_message(error: str, options: SlurmOptions) -> str:
    """sbatch's refusal ``error`` (submitit's FailedJobError text), with the option that most likely caused it."""
    reasons = [line.split("error:", 1)[1].strip() for line in error.splitlines() if "sbatch: error:" in line]
    reason = "; ".join(dict.fromkeys(reasons)) or error.strip()
    said = reason.lower()
    if "gres" in said or "gpu" in said:
        hint = (f"--gpus-per-job {options.gpus_per_job} asks for GPUs that partition "
                f"{options.partition or '(the default)'} does not have: give --gpus-per-job 0, or a --partition "
                f"with GPUs (`sinfo -o '%P %G'` lists them)")
    elif "partition" in said:
        hint = f"--partition {options.partition} is not one this cluster offers (`sinfo -s` lists them)"
    elif "time limit" in said:
        hint = f"--time-min {options.time_min} exceeds the partition's limit (`sinfo -o '%P %l'`)"
    elif "cpu" in said or "node configuration" in said or "memory" in said:
        hint = f"--cpus-per-job {options.cpus_per_job} is more than a node of the partition has (`sinfo -o '%P %c %m'`)"
    else:
        hint = "change --partition, --time-min, --gpus-per-job or --cpus-per-job"
    return (f"sbatch refused the job array: {reason}\n  {hint} (or its IMLP_SLURM_<OPTION>). Nothing was submitted "
            f"and no file of this submission is left.")


SLURM_POLL_S = 5.0  # how often the waiting command asks squeue about its jobs
RESULT_GRACE_S = 15.0  # a job gone from the queue has this long for its result to appear (a shared filesystem's lag)
STATES_UNREADABLE_S = 600.0  # squeue failing this long (the controller down) ends the wait


def wait_for_slurm(plan: Sequence[PlannedSweep], jobs: Sequence) -> None:
    """Wait for each job's result, reading the jobs' states from ``squeue`` (which needs no accounting; submitit's
    own wait reads ``sacct``, and without accounting it waits forever for a job that died). A job that has left the
    queue without a result ends the wait with what ``scontrol`` or ``sacct`` still say of it; one that no node can
    ever run (``NEVER_RUNS``) ends it at once, its array cancelled."""
    waiting = {job.job_id: (planned, job) for planned, job in zip(plan, jobs)}
    left_queue: dict[str, float] = {}
    unreadable_since: float | None = None
    while waiting:
        queued, now = queued_jobs({job_id.split("_")[0] for job_id in waiting}), time.monotonic()
        if queued is None:
            unreadable_since = unreadable_since or now
            if now - unreadable_since > STATES_UNREADABLE_S:
                raise SystemExit(f"squeue has not answered for {STATES_UNREADABLE_S / 60:.0f} min, so the jobs' states "
                                 f"are unknown; they may still run (`squeue -j {next(iter(waiting))}`): run the same "
                                 f"command again once they end, to train what they did not")
        else:
            unreadable_since = None
            cancel_never_running(waiting, queued)
        for job_id, (planned, job) in list(waiting.items()):
            if job.paths.result_pickle.exists():
                collect(planned, job)
                del waiting[job_id]
            elif queued is not None and job_id not in queued:
                if now - left_queue.setdefault(job_id, now) >= RESULT_GRACE_S:
                    raise SystemExit(f"job {job_id} ({planned.name}) ended without a result ({ended_state(job_id)}); "
                                     f"its log: {job.paths.stderr}\n  Its sweep keeps its last epoch checkpoint: run "
                                     f"the same command again to resume it (the array's other jobs go on).")
            else:
                left_queue.pop(job_id, None)
        if waiting:
            time.sleep(SLURM_POLL_S)


def queued_jobs(array_ids: set[str]) -> dict[str, str] | None:
    """The jobs of the arrays ``array_ids`` that SLURM still holds (pending, running, requeued, completing), one
    ``<array>_<task>`` per job, with squeue's reason for each (``None`` while it runs); None when squeue cannot say."""
    try:
        done = subprocess.run(["squeue", "-h", "-r", "-o", "%i %r", "-j", ",".join(sorted(array_ids))],
                              check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode:
        return {} if "Invalid job id" in done.stderr else None  # the controller has forgotten the array
    return dict(line.split(maxsplit=1) for line in done.stdout.splitlines() if " " in line)


# squeue's reasons for a pending job that no node of its partition can ever run (sbatch accepts such a job)
NEVER_RUNS = {"PartitionConfig": "--cpus-per-job (or --gpus-per-job) is more than a node of the partition has",
              "PartitionNodeLimit": "--cpus-per-job (or --gpus-per-job) is more than a node of the partition has",
              "PartitionTimeLimit": "--time-min exceeds the partition's limit (`sinfo -o '%P %l'`)",
              "BadConstraints": "--cpus-per-job or --gpus-per-job asks for what no node of the partition has"}


def cancel_never_running(waiting: dict, queued: dict[str, str]) -> None:
    """Cancel the waiting jobs and exit if one waits for what no node can give (``NEVER_RUNS``)."""
    if stuck := {job_id: queued[job_id] for job_id in waiting if queued.get(job_id) in NEVER_RUNS}:
        job_id, reason = next(iter(stuck.items()))
        subprocess.run(["scancel", *waiting], check=False, capture_output=True, timeout=60)
        raise SystemExit(f"job {job_id} can never start (squeue's reason: {reason}): {NEVER_RUNS[reason]}. The "
                         f"submission's waiting jobs ({len(waiting)}) were cancelled; change the option and run the "
                         f"same command again")


def ended_state(job_id: str) -> str:
    """How SLURM says ``job_id`` ended: ``scontrol`` (while the controller remembers the job), else ``sacct``."""
    for command, field in ((["scontrol", "-o", "show", "job", job_id], "JobState="),
                           (["sacct", "-n", "-X", "-P", "-o", "State", "-j", job_id], "")):
        try:
            done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        words = [word.removeprefix(field) for word in done.stdout.split() if word.startswith(field)]
        if done.returncode == 0 and words:
            return f"{words[0]}, says {command[0]}"
    return "neither scontrol nor sacct knows it any more"


def collect(planned: PlannedSweep, submitted) -> None:
    """The result of one finished job; a job that raised raises here, with its log's path."""
    try:
        submitted.result()
    except Exception as error:
        raise RuntimeError(f"job {submitted.job_id} ({planned.name}) failed: {error}\n"
                           f"  its log: {submitted.paths.stderr}") from error


def main(argv: Sequence[str] | None = None) -> None:
    """The worker process of ``processes`` (not a user command: see ``python -m imlp_core experiments``)."""
    parser = argparse.ArgumentParser(prog="python -m imlp_core.executors")
    parser.add_argument("--worker", type=Path, required=True, help="the pickled plan")
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--name", default="worker")
    parser.add_argument("--memory-budget", type=int, default=None,
                        help="bytes of host memory the workers' sweeps may use together (MemoryLedger)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    payload = pickle.loads(args.worker.read_bytes())
    register_priors(payload["priors"])
    work(payload["plan"], args.results, args.device, args.name, args.memory_budget, payload["training"])


if __name__ == "__main__":
    main()
