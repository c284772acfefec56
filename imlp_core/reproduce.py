"""``make reproduce``: execute every notebook (01–09) in order with papermill, then check what each reports it wrote.

    python -m imlp_core.reproduce [--profile NAME] [--only 03 05] [--update-notebooks] [--stored-only]
                                  [--executor local|processes|slurm|debug [--jobs N]]

The profile comes from ``--profile``, else ``IMLP_PROFILE`` (default ``auto``), and is injected into every
notebook as the parameter ``profile``; ``--stored-only`` is injected as the parameter ``stored_only``. This
process's environment is left as it is: what the kernels need comes to them as parameters. Executed notebooks go
to ``results/executed/`` under the profile's output root (``paths.output_root``); ``--update-notebooks`` (or ``IMLP_UPDATE_NOTEBOOKS=1``) also copies them back into
``notebooks/``, without papermill's injected-parameters cell, so that the committed notebooks keep reading
their profile from the environment (nbval runs them in the smoke profile). ``--stored-only`` (or
``IMLP_STORED_RUNS_ONLY=1``, read here and by the notebooks' first cell) trains nothing: the notebooks show the sweeps the run store holds in full (e.g.
the paper profile's runs made on a GPU), and a dataset without runs gets no figure. ``--executor`` (or
``IMLP_EXECUTOR``, with ``IMLP_JOBS`` and ``IMLP_SLURM_*``) first trains the plan of the experiments the chosen
notebooks read (``READS``; all of them without ``--only``), merged sweeps included, with ``imlp_core.executors``; the
notebooks then find every run stored.

A notebook is skipped as *up to date* when its cell sources, the profile, ``--stored-only``, the ``IMLP_DATASET_*``
settings, the code
of ``imlp_core`` and the run store are exactly as when it last ran here and its outputs are all present (as
``make`` would); ``--force`` runs every notebook regardless.

A door: the environment is read once, here (``settings.Settings.from_environment``), and passed down as values.

A failing notebook stops the batch with a message naming the notebook, the cell and the error, and the path
of the partially executed notebook; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import nbformat

from imlp_core import executors, plan
from imlp_core.data import prepare_shared_cifar10
from imlp_core.memory import parse_budget
from imlp_core.notebook import REPORT_KEY
from imlp_core.paths import repo_root, results_dir, runs_dir, shown
from imlp_core.profiles import Profile, resolve_profile
from imlp_core.settings import Settings

# The notebooks of `make reproduce`, in order (every NN_*.ipynb in notebooks/ is run; these must be there).
NOTEBOOKS = (
    "01_conv_to_dense",
    "02_mixer_to_dense",
    "03_alpha_sweep_cnn",
    "04_alpha_sweep_mixer",
    "05_schedules",
    "06_first_layer",
    "07_paper_comparison",
    "08_open_choices",
    "09_where_the_v_sits",
)
# The experiments (``profiles.EXPERIMENTS``) whose runs each notebook reads: what ``--executor`` trains for ``--only``.
READS = {
    "01_conv_to_dense": (),
    "02_mixer_to_dense": (),
    "03_alpha_sweep_cnn": ("cnn",),
    "04_alpha_sweep_mixer": ("mixer",),
    "05_schedules": ("schedules",),
    "06_first_layer": ("first_layer",),
    "07_paper_comparison": ("cnn", "mixer", "schedules", "first_layer", "open_choices", "held_out"),
    "08_open_choices": ("open_choices",),
    "09_where_the_v_sits": ("intervals",),
}
KERNEL = "imlp"
# tqdm's bars in a cell's stderr: kept on the terminal (streamed there while running), not in the notebook.
PROGRESS_BAR = re.compile(r"\r|\d+%\|")


class NotebookFailed(RuntimeError):
    """A notebook of the batch raised; the message names the notebook, the cell and the error."""


@dataclass
class NotebookRun:
    name: str
    seconds: float
    written: list[str] = field(default_factory=list)
    runs_trained: int = 0
    up_to_date: bool = False


def reported_outputs(executed: nbformat.NotebookNode) -> list[Path]:
    """The files an executed notebook says it wrote (``notebook.REPORT_KEY`` in its outputs' metadata), relative to
    the output root; every notebook reports them in its last cell (``nb.report()``)."""
    return [Path(path) for cell in executed.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
            for path in output.get("metadata", {}).get(REPORT_KEY, [])]


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def executed_dir(root: Path) -> Path:
    """``results/executed/`` under the output root ``root``."""
    path = results_dir(root) / "executed"
    path.mkdir(parents=True, exist_ok=True)
    return path


def output_snapshot(root: Path) -> dict[Path, int]:
    """Modification time of every file under ``root``'s figures/ and results/ except the run store and executed
    notebooks."""
    snapshot = {}
    for folder in (root / "figures", root / "results"):
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            relative = path.relative_to(root)
            if path.is_file() and relative.parts[:2] not in (("results", "runs"), ("results", "executed")):
                snapshot[relative] = path.stat().st_mtime_ns
    return snapshot


def count_runs(root: Path) -> int:
    runs = results_dir(root) / "runs"
    return sum(1 for _ in runs.glob("*.json")) if runs.is_dir() else 0


def input_stamp(name: str, profile: Profile, source_dir: Path, root: Path, stored_only: bool = False,
                dataset_dirs: dict[str, str] | None = None) -> str:
    """Hash of everything a notebook's outputs depend on: its cell sources, the profile, ``stored_only``, the dataset
    settings (``dataset_dirs``: ``IMLP_DATASET_<NAME>`` to its directory), ``imlp_core``'s code and the records of the run store under ``root`` (names and contents: a record
    rewritten in place, same size, still makes the notebook stale)."""
    digest = hashlib.sha256(profile.name.encode())
    digest.update(f"stored_only={stored_only}".encode())
    notebook = nbformat.read(source_dir / f"{name}.ipynb", as_version=4)
    for cell in notebook.cells:
        digest.update(cell.source.encode())
    for variable, directory in sorted((dataset_dirs or {}).items()):
        digest.update(f"{variable}={directory}".encode())
    for module in sorted((repo_root() / "imlp_core").glob("*.py")):
        digest.update(module.read_bytes())
    runs = results_dir(root) / "runs"
    for record in sorted(runs.glob("*.json")) if runs.is_dir() else []:
        digest.update(record.name.encode())
        digest.update(hashlib.sha256(record.read_bytes()).digest())
    return digest.hexdigest()


def stamp_path(name: str, root: Path) -> Path:
    return executed_dir(root) / f"{name}.stamp"


def is_up_to_date(name: str, profile: Profile, source_dir: Path, root: Path, stored_only: bool = False,
                  dataset_dirs: dict[str, str] | None = None) -> bool:
    """Whether the last run of ``name`` under ``root`` had exactly today's inputs and all its outputs are still there."""
    stamp, executed = stamp_path(name, root), executed_dir(root) / f"{name}.ipynb"
    if not (stamp.is_file() and stamp.read_text() == input_stamp(name, profile, source_dir, root, stored_only,
                                                                 dataset_dirs)
            and executed.is_file()):
        return False
    reported = reported_outputs(nbformat.read(executed, as_version=4))
    return bool(reported) and all((root / path).is_file() for path in reported)


def strip_progress_bars(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop tqdm's stderr output from code cells: it was shown live, and would bloat the notebook."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr"
                                                           and (PROGRESS_BAR.search(o.get("text", ""))
                                                                or not o.get("text", "").strip()))]
    return notebook


def without_machine_paths(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """papermill's record of where the notebook was read and written, relative to the repository (``paths.shown``)."""
    papermill = notebook.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if papermill.get(key):
            papermill[key] = shown(Path(papermill[key]))
    return notebook


def without_injected_parameters(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without papermill's ``injected-parameters`` cell (which would pin its profile for nbval)."""
    notebook.cells = [c for c in notebook.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    papermill = notebook.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if key in papermill:
            papermill[key] = f"notebooks/{Path(papermill[key]).name}"
    return notebook


def failure_message(name: str, error: Exception, output: Path) -> str:
    """What failed, where, and where to look: for a cell error, its execution count, index, source and error."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        source = "\n".join(f"    | {line}" for line in str(error.source).splitlines()[:8])
        return (f"notebook {name}.ipynb failed in cell In [{error.exec_count}] (cell {error.cell_index} of the "
                f"executed notebook):\n  {error.ename}: {error.evalue}\n  cell source:\n{source}\n"
                f"  partially executed notebook: {output}")
    return f"notebook {name}.ipynb failed: {type(error).__name__}: {error}\n  partially executed notebook: {output}"


def execute(name: str, profile: Profile, source_dir: Path, root: Path, stored_only: bool = False,
            progress: bool = True, update_notebooks: bool = False, kernel: str = KERNEL) -> NotebookRun:
    """Run one notebook with ``profile`` and ``stored_only`` injected, its outputs under ``root`` (the profile's
    output root); raise :class:`NotebookFailed` with a clear message if it fails."""
    import papermill

    source = source_dir / f"{name}.ipynb"
    output = executed_dir(root) / f"{name}.ipynb"
    before, runs_before, start = output_snapshot(root), count_runs(root), time.perf_counter()
    parameters = {"profile": profile.name}
    if "stored_only" in papermill.inspect_notebook(source):  # notebooks 03-09; 01 and 02 train nothing
        parameters["stored_only"] = stored_only
    try:
        papermill.execute_notebook(source, output, parameters=parameters, kernel_name=kernel,
                                   cwd=source_dir, progress_bar=progress, stderr_file=sys.stderr if progress else None)
    except Exception as error:  # noqa: BLE001 - every failure is reported the same way, then re-raised
        raise NotebookFailed(failure_message(name, error, output)) from error
    finally:
        if output.is_file():
            executed = without_machine_paths(strip_progress_bars(nbformat.read(output, as_version=4)))
            nbformat.write(executed, output)
    seconds = time.perf_counter() - start
    if update_notebooks:
        nbformat.write(without_injected_parameters(executed), source)
    after = output_snapshot(root)
    written = sorted(str(p) for p, mtime in after.items() if before.get(p) != mtime)
    reported = reported_outputs(executed)
    if not reported:
        raise NotebookFailed(f"notebook {name}.ipynb ran but reported no files written: end it with a cell that "
                             f"calls nb.report() (imlp_core.notebook)\n  executed notebook: {output}")
    missing = [str(p) for p in reported if str(p) not in written]
    if missing:
        raise NotebookFailed(f"notebook {name}.ipynb reported {', '.join(missing)} but did not write it this run\n"
                             f"  executed notebook: {output}")
    return NotebookRun(name, seconds, written, count_runs(root) - runs_before)


def summary_table(runs: Sequence[NotebookRun]) -> str:
    from tabulate import tabulate

    rows = [(r.name, "up to date" if r.up_to_date else f"{r.seconds:.1f}", r.runs_trained, len(r.written),
             "\n".join(r.written) or "—") for r in runs]
    rows.append(("total", f"{sum(r.seconds for r in runs):.1f}", sum(r.runs_trained for r in runs),
                 sum(len(r.written) for r in runs), ""))
    return tabulate(rows, headers=("notebook", "time (s)", "runs trained", "files", "files written"),
                    tablefmt="simple")


def experiments_read(names: Sequence[str], profile: Profile) -> list[str]:
    """The profile's experiments that the notebooks ``names`` read (``READS``), in the profile's order; all of them
    when a notebook is not one of ``NOTEBOOKS`` (its reads are unknown)."""
    if any(name not in READS for name in names):
        return list(profile.experiments)
    read = {experiment for name in names for experiment in READS[name]}
    return [experiment for experiment in profile.experiments if experiment in read]


def select_notebooks(source_dir: Path, only: Sequence[str] | None) -> list[str]:
    """Names of the ``NN_*.ipynb`` notebooks in ``source_dir``, in order, restricted to the ``only`` prefixes."""
    found = sorted(path.stem for path in source_dir.glob("[0-9][0-9]_*.ipynb"))
    if source_dir == notebooks_dir():
        absent = [name for name in NOTEBOOKS if name not in found]
        if absent:
            raise SystemExit(f"reproduce: notebooks missing from {source_dir}: {', '.join(absent)}")
    chosen = [name for name in found if not only or any(name.startswith(prefix) for prefix in only)]
    if not chosen:
        raise SystemExit(f"reproduce: no notebook in {source_dir} matches {' '.join(only or ['NN_*'])}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    settings = Settings.from_environment()
    parser = argparse.ArgumentParser(prog="python -m imlp_core.reproduce", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default=None, help="smoke, cpu, paper or auto (default: $IMLP_PROFILE or auto)")
    parser.add_argument("--only", nargs="+", metavar="PREFIX", help="run only the notebooks whose names start so")
    parser.add_argument("--update-notebooks", action="store_true",
                        default=settings.update_notebooks,
                        help="copy the executed notebooks back into notebooks/ (also IMLP_UPDATE_NOTEBOOKS=1)")
    parser.add_argument("--notebooks-dir", type=Path, default=None, help="run the notebooks of this folder instead")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars, one line per notebook")
    parser.add_argument("--force", action="store_true", help="execute every notebook, even those that are up to date")
    parser.add_argument("--stored-only", action="store_true",
                        default=settings.stored_only,
                        help="train nothing: show the sweeps the run store holds (also IMLP_STORED_RUNS_ONLY=1)")
    parser.add_argument("--executor", choices=executors.EXECUTORS,
                        default=settings.executor,
                        help="train the merged plan of what the chosen notebooks read with this executor first, then run "
                             "the notebooks on the stored runs (also IMLP_EXECUTOR; default: each notebook trains its "
                             "own sweeps)")
    parser.add_argument("--jobs", type=int, default=settings.jobs,
                        help="workers of --executor processes (also IMLP_JOBS)")
    args = parser.parse_args(argv)

    profile = resolve_profile(args.profile or settings.profile)
    root = settings.output_root(profile.name)
    dataset_dirs = dict(settings.training.dataset_dirs)
    source_dir = args.notebooks_dir.resolve() if args.notebooks_dir else notebooks_dir()
    names = select_notebooks(source_dir, args.only)
    print(f"reproduce: profile {profile.name!r}, datasets {', '.join(profile.datasets)}, "
          f"outputs under {root}", flush=True)
    if profile.skipped:
        print(f"reproduce: {profile.skipped}", flush=True)
    if args.stored_only:
        print("reproduce: stored runs only: nothing is trained", flush=True)
    note = prepare_shared_cifar10(settings.training.data_dir, dataset_dirs) if "cifar10" in profile.datasets else None
    if note:
        print(f"reproduce: {note}", flush=True)
    experiments = experiments_read(names, profile)
    if args.executor and not args.stored_only and experiments:
        print(f"reproduce: training the plan of {', '.join(experiments)} first with executor {args.executor!r}",
              flush=True)
        budget = parse_budget(settings.memory_budget) if settings.memory_budget else None
        executors.run_plan(plan.profile_plan(profile, experiments), args.executor, results=runs_dir(root), jobs=args.jobs,
                           progress=not args.no_progress, slurm=executors.SlurmOptions.from_env(settings.slurm),
                           memory_budget=budget, settings=settings)

    done: list[NotebookRun] = []
    for index, name in enumerate(names, 1):
        if not args.force and not args.update_notebooks and is_up_to_date(name, profile, source_dir, root,
                                                                          args.stored_only, dataset_dirs):
            done.append(NotebookRun(name, 0.0, up_to_date=True))
            print(f"reproduce: [{index}/{len(names)}] {name}.ipynb is up to date (same inputs and runs; "
                  f"--force runs it anyway)", flush=True)
            continue
        print(f"reproduce: [{index}/{len(names)}] {name}.ipynb ...", flush=True)
        try:
            run = execute(name, profile, source_dir, root, args.stored_only, progress=not args.no_progress,
                          update_notebooks=args.update_notebooks)
        except NotebookFailed as failure:
            if done:
                print(summary_table(done), flush=True)
            print(f"\nreproduce: FAILED — {failure}", file=sys.stderr, flush=True)
            return 1
        done.append(run)
        print(f"reproduce: [{index}/{len(names)}] {name}.ipynb done in {run.seconds:.1f} s, "
              f"{len(run.written)} files written, {run.runs_trained} runs trained", flush=True)
    for run in done:  # stamped with the final run store, so that the next batch finds them up to date
        if not run.up_to_date:
            stamp_path(run.name, root).write_text(input_stamp(run.name, profile, source_dir, root, args.stored_only,
                                                              dataset_dirs))
    print(f"\nreproduce: summary (profile {profile.name!r}; executed notebooks in {executed_dir(root)})")
    print(summary_table(done), flush=True)
    if args.update_notebooks:
        print(f"reproduce: executed notebooks copied back into {source_dir}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
