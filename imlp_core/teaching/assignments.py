"""``make exercises`` and a teacher's grading: the exercises in otter-grader's format, handed out and graded.

    python -m imlp_core.teaching.assignments [build] [--out build/exercises]
    python -m imlp_core.teaching.assignments grade SUBMISSION_OR_FOLDER [...] [--csv grades.csv] [--jobs N]

The instructor notebooks with their solutions are ``exercises/NN_*.ipynb`` (otter's assignment format: a
question's solution between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, its checks in test cells that call
``imlp_core.teaching.exercises``, some marked ``hidden``). ``otter assign`` turns each into, under ``--out``:

* ``NN_name/student/NN_name.ipynb``: solutions replaced by ``...``, the visible checks kept (``grader.check``),
  an export cell that writes the zip a student hands in;
* ``NN_name/autograder/autograder.zip``: every check, hidden ones included, for ``otter run`` or Gradescope. It
  carries what its checks need: the modules of ``imlp_core`` they import (copied beside each submission when it
  is graded) and their requirements, pinned as ``pyproject.toml`` pins them, torch from PyTorch's CPU index
  (``environment.yml``). ``NN_name/autograder/NN_name.ipynb`` is the solution notebook.

The student versions are also placed in ``notebooks/exercises/`` (ignored by git), where ``make lab`` shows them.
A saved notebook there is never overwritten: the last version built is remembered, and a notebook that differs
from it is kept, a newer version going beside it as ``NN_name.new.ipynb``.

``grade`` grades notebooks and export zips, or every one in a folder, each with the autograder of the exercise its
metadata names (not its file name), offline, in this environment's Python; it prints one row per submission with
each question's points and writes them to a CSV (docs/teaching.md).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from packaging.requirements import Requirement

from imlp_core.paths import repo_root

SOURCE = "exercises"
LAB_COPY = Path("notebooks") / "exercises"
LAST_BUILT = ".last-built.json"  # in LAB_COPY: each student version's fingerprint when it was last placed there
CHECKS = "imlp_core"  # the package the checks import, as the autograder carries it
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"  # a CPU torch for grading machines without a GPU


@dataclass(frozen=True)
class Exercise:
    """One instructor notebook and where ``otter assign`` put its student version and autograder."""

    source: Path
    out: Path

    @property
    def name(self) -> str:
        """The exercise's name, also its otter assignment name (``name:`` in its ASSIGNMENT CONFIG)."""
        return self.source.stem

    @property
    def student(self) -> Path:
        return self.out / self.name / "student" / self.source.name

    @property
    def solutions(self) -> Path:
        return self.out / self.name / "autograder" / self.source.name

    @property
    def autograder(self) -> Path:
        return self.out / self.name / "autograder" / "autograder.zip"


@dataclass(frozen=True)
class Grade:
    """What the autograder gave one notebook: points per question, and each failed check's message."""

    score: float
    possible: float
    questions: dict[str, tuple[float, float]]  # name -> (score, possible)
    failures: dict[str, list[str]]  # name -> messages of its failed checks
    seconds: float


def exercises(out: Path | None = None) -> list[Exercise]:
    """The instructor notebooks ``exercises/NN_*.ipynb``, in order."""
    out = out or repo_root() / "build" / "exercises"
    return [Exercise(path, out) for path in sorted((repo_root() / SOURCE).glob("[0-9][0-9]_*.ipynb"))]


# --------------------------------------------------------------------------------------------------
# What the checks need: their modules of imlp_core and their requirements
# --------------------------------------------------------------------------------------------------

def check_files() -> list[Path]:
    """The files of ``imlp_core`` that ``import imlp_core.teaching.exercises`` loads (this checkout's, in a fresh interpreter)."""
    probe = ("import sys, imlp_core.teaching.exercises\n"
             "print('\\n'.join(sorted(m.__file__ for n, m in sys.modules.items() if n.split('.')[0] == 'imlp_core')))")
    env = {**os.environ, "PYTHONPATH": str(repo_root())}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return [Path(line) for line in result.stdout.split()]


def imports(source: str) -> set[str]:
    """The top-level modules that Python ``source`` imports, anywhere in it (empty where it is not Python)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell with IPython magics
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def notebook_imports(notebook: Path) -> set[str]:
    """The top-level modules the code cells of ``notebook`` import."""
    cells = json.loads(notebook.read_text())["cells"]
    return set().union(*(imports("".join(c["source"])) for c in cells if c["cell_type"] == "code"))


def pinned_requirements(modules: set[str]) -> list[str]:
    """The requirements of this package (``pyproject.toml``'s dependencies, as installed) that provide ``modules``,
    pinned as it pins them; torch from the CPU index."""
    requirements = [Requirement(line) for line in importlib.metadata.requires("imlp_core") or []]
    pins = {r.name.lower(): f"{r.name}{r.specifier}" for r in requirements if r.marker is None}  # no extras
    provides = importlib.metadata.packages_distributions()
    wanted = sorted({dist.lower() for module in modules for dist in provides.get(module, [])} & set(pins))
    lines = [pins[name] for name in wanted]
    return ([f"--extra-index-url {TORCH_INDEX}"] if "torch" in wanted else []) + lines


def stage(exercise: Exercise, staging: Path, files: list[Path], requirements: list[str]) -> Path:
    """A copy of the instructor notebook in ``staging``, beside the checks' package and requirements, its
    ASSIGNMENT CONFIG told to carry both into the autograder."""
    shutil.rmtree(staging, ignore_errors=True)
    package = staging / CHECKS
    package.mkdir(parents=True)
    source_root = repo_root() / CHECKS
    for file in files:
        target = package / file.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    (staging / "requirements.txt").write_text("\n".join(requirements) + "\n")
    notebook = json.loads(exercise.source.read_text())
    config = notebook["cells"][0]
    text = "".join(config["source"])
    if not text.startswith("# ASSIGNMENT CONFIG"):
        raise ValueError(f"{exercise.source}: its first cell must be otter's raw '# ASSIGNMENT CONFIG' cell")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"  # the Python the checks were tested on
    config["source"] = (text.rstrip("\n") + f"\npython_version: '{python}'\nrequirements: requirements.txt\n"
                        f"autograder_files:\n  - {CHECKS}\n")
    staged = staging / exercise.source.name
    staged.write_text(json.dumps(notebook, indent=1, ensure_ascii=False))
    return staged


# --------------------------------------------------------------------------------------------------
# Building, and placing the student versions without overwriting a student's work
# --------------------------------------------------------------------------------------------------

def build(out: Path | None = None, lab_copy: bool = True, lab_folder: Path | None = None) -> list[Exercise]:
    """``otter assign`` every exercise into ``out`` (default ``build/exercises``), skipping one whose staged inputs
    are those it was last built from; the student versions also into ``lab_folder`` (default
    ``notebooks/exercises/``) when ``lab_copy`` (:func:`place_student_versions`, its lines printed).
    RuntimeError with otter's output if one fails."""
    built = exercises(out)
    files = check_files()
    modules = set().union(*(imports(file.read_text()) for file in files))
    for exercise in built:
        requirements = pinned_requirements(modules | notebook_imports(exercise.source))
        staged = stage(exercise, exercise.out / "staging" / exercise.name, files, requirements)
        target = exercise.out / exercise.name
        inputs, marker = folder_digest(staged.parent), target / "built-from.sha256"
        if marker.is_file() and marker.read_text() == inputs and exercise.autograder.is_file() \
                and exercise.student.is_file():
            continue
        shutil.rmtree(target, ignore_errors=True)
        result = subprocess.run([sys.executable, "-m", "otter", "assign", "-v", str(staged), str(target.resolve())],
                                cwd=staged.parent, capture_output=True, text=True)
        zips = sorted((target / "autograder").glob("*-autograder_*.zip"))
        if result.returncode or len(zips) != 1:
            raise RuntimeError(f"otter assign {exercise.source.name} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        zips[0].rename(exercise.autograder)  # otter stamps the name with the time; one fixed name instead
        marker.write_text(inputs)
    if lab_copy:
        for line in place_student_versions(built, lab_folder or repo_root() / LAB_COPY):
            print(line)
    return built


def folder_digest(folder: Path) -> str:
    """A hash of every file's path and bytes under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def fingerprint(notebook: Path) -> str:
    """A hash of the notebook's cells (type, source, outputs): what a student changes by editing, running and saving;
    not cell ids or metadata."""
    cells = json.loads(notebook.read_text())["cells"]
    content = [(c["cell_type"], "".join(c["source"]), c.get("outputs", [])) for c in cells]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def shown(path: Path) -> Path:
    """``path`` relative to the checkout where it lies in it."""
    resolved, root = path.resolve(), repo_root().resolve()
    return resolved.relative_to(root) if resolved.is_relative_to(root) else path


def place_student_versions(built: Sequence[Exercise], folder: Path) -> list[str]:
    """Copy each student version into ``folder`` unless a student's work is there; one line per exercise saying what
    happened. A notebook whose fingerprint is not the one last placed there is the student's: it stays, and a newer
    version of the exercise goes beside it as ``NN_name.new.ipynb``."""
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / LAST_BUILT
    last = json.loads(record.read_text()) if record.is_file() else {}
    lines = []
    for exercise in built:
        target, new = folder / exercise.student.name, fingerprint(exercise.student)
        current = fingerprint(target) if target.is_file() else None
        if current is None or current == last.get(exercise.name):
            shutil.copyfile(exercise.student, target)
            last[exercise.name] = new
            lines.append(f"{shown(target)}: {'written' if current is None else 'unchanged' if current == new else 'updated'}")
        elif current == new:
            last[exercise.name] = new
            lines.append(f"{shown(target)}: unchanged")
        elif new == last.get(exercise.name):
            lines.append(f"{shown(target)}: your saved notebook, kept (the exercise is unchanged)")
        else:
            newer = target.with_suffix(".new.ipynb")
            shutil.copyfile(exercise.student, newer)
            lines.append(f"{shown(target)}: your saved notebook, kept; the exercise changed, its new version is "
                         f"{shown(newer)}")
    record.write_text(json.dumps(last, indent=1, sort_keys=True) + "\n")
    return lines


# --------------------------------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------------------------------

def grade(notebook: Path, autograder: Path) -> Grade:
    """Grade ``notebook`` (or an export zip) with ``autograder`` (``otter run``, no container): every check, hidden
    ones included, in this environment's Python; the checks import the ``imlp_core`` the autograder carries."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder.resolve()),
                                 "-o", folder, str(notebook.resolve())], capture_output=True, text=True, cwd=folder)
        seconds = time.monotonic() - started
        results = Path(folder) / "results.json"
        if result.returncode or not results.exists():
            raise RuntimeError(f"otter run {notebook} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        tests = json.loads(results.read_text())["tests"]
    questions = {t["name"]: (float(t["score"]), float(t["max_score"])) for t in tests
                 if t.get("max_score") is not None}
    failures = {t["name"]: failed_messages(t.get("output", "")) for t in tests if t["name"] in questions}
    return Grade(sum(s for s, _ in questions.values()), sum(p for _, p in questions.values()), questions,
                 {name: messages for name, messages in failures.items() if messages}, seconds)


def failed_messages(output: str) -> list[str]:
    """The messages of the failed test cases in one question's output (otter's "❌ Test case failed" and its
    indentation left out)."""
    parts = [part.split("\n\n")[0].splitlines()[1:] for part in output.split("❌")[1:]]
    return [" ".join(line.strip() for line in lines) for lines in parts]


def submissions(paths: Sequence[Path]) -> list[Path]:
    """The notebooks and export zips named, and those in the folders named (not in their subfolders)."""
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in (".ipynb", ".zip") and not p.name.startswith("."))
        elif path.is_file() and path.suffix in (".ipynb", ".zip"):
            found.append(path)
        else:
            raise ValueError(f"{path}: not a notebook (.ipynb), an export zip or a folder of them")
    return found


def assignment_name(submission: Path) -> str:
    """The exercise a notebook or export zip is for: the otter assignment name in its notebook's metadata."""
    if submission.suffix == ".zip":
        with zipfile.ZipFile(submission) as archive:
            inside = [name for name in archive.namelist() if name.endswith(".ipynb") and "/" not in name]
            if len(inside) != 1:
                raise ValueError(f"{submission}: an export zip holds one notebook; this one holds {len(inside)}")
            notebook = json.loads(archive.read(inside[0]))
    else:
        notebook = json.loads(submission.read_text())
    name = notebook.get("metadata", {}).get("otter", {}).get("assignment_name")
    if not name:
        raise ValueError(f"{submission}: its metadata names no exercise (otter.assignment_name): hand in the student "
                         "version built by make exercises, or the zip its last cell writes")
    return name


def grade_submissions(paths: Sequence[Path], out: Path, jobs: int) -> tuple[pd.DataFrame, dict[str, Grade]]:
    """Grade every submission in ``paths``, ``jobs`` at a time: one row per submission (its file, its exercise, each
    question's points, the total, the points possible, the seconds it took), and each submission's grade."""
    by_name = {exercise.name: exercise for exercise in exercises(out)}
    found = submissions(paths)
    if not found:
        raise ValueError(f"no notebook or export zip in {', '.join(map(str, paths))}")
    matched = {}
    for submission in found:
        name = assignment_name(submission)
        if name not in by_name or not by_name[name].autograder.is_file():
            raise ValueError(f"{submission} is for {name!r}, which has no autograder under {out} (run make exercises; "
                             f"exercises: {', '.join(by_name)})")
        matched[submission] = by_name[name]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {s: pool.submit(grade, s, exercise.autograder) for s, exercise in matched.items()}
        grades = {str(s): future.result() for s, future in futures.items()}
    rows = [{"submission": s, "exercise": matched[Path(s)].name,
             **{question: points for question, (points, _) in g.questions.items()},
             "score": g.score, "possible": g.possible, "seconds": round(g.seconds, 1)} for s, g in grades.items()]
    return pd.DataFrame(rows), grades


# --------------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    default_out = repo_root() / "build" / "exercises"
    main_parser = argparse.ArgumentParser(
        prog="python -m imlp_core.teaching.assignments", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n  build   (the default) every exercise's student version and autograder; make exercises\n"
               "  grade   grade handed-in notebooks or export zips, or a folder of them, into a table and a CSV\n\n"
               "  python -m imlp_core.teaching.assignments grade handed-in/ --csv grades.csv\n"
               "See python -m imlp_core.teaching.assignments grade --help, and docs/teaching.md.")
    commands = main_parser.add_subparsers(dest="command")
    build_parser = commands.add_parser("build", help="build the student versions and autograders (make exercises)")
    grade_parser = commands.add_parser(
        "grade", help="grade submissions into a per-question table and a CSV",
        description="Grade notebooks or export zips (or every one in the folders named), each with the autograder "
                    "of the exercise its metadata names, in this environment's Python: a table of each question's "
                    "points, one row per submission, printed and written to --csv; then each failed check's message.")
    grade_parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION_OR_FOLDER",
                              help="a notebook (.ipynb), an export zip (.zip), or a folder of them")
    grade_parser.add_argument("--csv", type=Path, default=Path("grades.csv"),
                              help="where the table goes, one row per submission (default ./grades.csv)")
    grade_parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                              help="submissions graded at once (default: up to 4, one per CPU core)")
    build_parser.add_argument("--lab-folder", type=Path, default=repo_root() / LAB_COPY,
                              help="where the student versions go for make lab (default notebooks/exercises)")
    for sub in (build_parser, grade_parser):
        sub.add_argument("--out", type=Path, default=default_out,
                         help="where the student versions and autograders are (default build/exercises)")
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command != "grade":
        started = time.monotonic()
        built = build(getattr(args, "out", None), lab_folder=getattr(args, "lab_folder", None))
        for exercise in built:
            print(f"{exercise.name}: {shown(exercise.student)}, {shown(exercise.autograder)}")
        print(f"built {len(built)} exercises in {time.monotonic() - started:.0f} s; the student versions are also "
              f"in {getattr(args, 'lab_folder', None) or LAB_COPY}/ (make lab)")
        return 0
    started = time.monotonic()
    try:
        table, grades = grade_submissions(args.submissions, args.out, args.jobs)
    except (ValueError, RuntimeError) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 1
    table.to_csv(args.csv, index=False)
    print(table.to_markdown(index=False, floatfmt="g", missingval=""))  # blank: a question the exercise lacks
    print(f"\n{len(table)} submissions graded in {time.monotonic() - started:.0f} s ({args.jobs} at a time); "
          f"the table is in {args.csv}")
    for submission, result in grades.items():
        for question, messages in result.failures.items():
            print(f"\n{submission}, {question}:\n" + "\n".join(f"  ❌ {message}" for message in messages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
