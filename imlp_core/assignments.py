"""``make exercises``: the student versions and the autograder of the exercises, in otter-grader's format.

    python -m imlp_core.assignments [--out build/exercises]        # build every exercise
    python -m imlp_core.assignments grade SUBMISSION.ipynb [...]    # grade one notebook, offline

The instructor notebooks with their solutions are ``exercises/NN_*.ipynb`` (otter's assignment format: a
question's solution between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, its checks in test cells that call
``imlp_core.exercises``, some marked ``hidden``). ``otter assign`` turns each into, under ``--out``:

* ``NN_name/student/NN_name.ipynb``: solutions replaced by ``...``, the visible checks kept (``grader.check``);
* ``NN_name/autograder/autograder.zip``: every check, hidden ones included, for ``otter run`` (here, no
  Docker) or for Gradescope; ``NN_name/autograder/NN_name.ipynb`` is the solution notebook.

The student versions are also copied to ``notebooks/exercises/`` (ignored by git), where ``make lab`` shows
them. Grading runs the notebook in the ``imlp`` kernel and needs nothing from the network.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from imlp_core.paths import repo_root

SOURCE = "exercises"
LAB_COPY = Path("notebooks") / "exercises"


@dataclass(frozen=True)
class Exercise:
    """One instructor notebook and where ``otter assign`` put its student version and autograder."""

    source: Path
    out: Path

    @property
    def name(self) -> str:
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


def build(out: Path | None = None, lab_copy: bool = True) -> list[Exercise]:
    """``otter assign`` every exercise into ``out`` (default ``build/exercises``); the student versions also
    into ``notebooks/exercises/`` when ``lab_copy``. RuntimeError with otter's output if one fails."""
    built = exercises(out)
    for exercise in built:
        target = exercise.out / exercise.name
        shutil.rmtree(target, ignore_errors=True)
        result = subprocess.run([sys.executable, "-m", "otter", "assign", "-v", str(exercise.source), str(target)],
                                cwd=repo_root(), capture_output=True, text=True)
        zips = sorted((target / "autograder").glob("*-autograder_*.zip"))
        if result.returncode or len(zips) != 1:
            raise RuntimeError(f"otter assign {exercise.source.name} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        zips[0].rename(exercise.autograder)  # otter stamps the name with the time; one fixed name instead
        if lab_copy:
            (repo_root() / LAB_COPY).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(exercise.student, repo_root() / LAB_COPY / exercise.student.name)
    return built


def grade(notebook: Path, autograder: Path) -> Grade:
    """Grade ``notebook`` with ``autograder`` (``otter run``, no container): every check, hidden ones included.

    The kernel imports this checkout's ``imlp_core`` (the checks), whichever one the environment installed.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo_root()), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder),
                                 "-o", folder, str(notebook)], capture_output=True, text=True, env=env)
        seconds = time.monotonic() - started
        results = Path(folder) / "results.json"
        if result.returncode or not results.exists():
            raise RuntimeError(f"otter run {notebook} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        tests = json.loads(results.read_text())["tests"]
    questions = {t["name"]: (float(t["score"]), float(t["max_score"])) for t in tests if "max_score" in t
                 and t.get("max_score") is not None}
    failures = {t["name"]: failed_messages(t.get("output", "")) for t in tests if t["name"] in questions}
    return Grade(sum(s for s, _ in questions.values()), sum(p for _, p in questions.values()), questions,
                 {name: messages for name, messages in failures.items() if messages}, seconds)


def failed_messages(output: str) -> list[str]:
    """The messages of the failed test cases in one question's output, as otter prints them."""
    return ["❌" + part.split("\n\n")[0] for part in output.split("❌")[1:]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m imlp_core.assignments", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=("build", "grade"), default="build")
    parser.add_argument("notebooks", nargs="*", type=Path, help="grade: the notebooks to grade")
    parser.add_argument("--out", type=Path, default=repo_root() / "build" / "exercises",
                        help="where the student versions and autograders go (default build/exercises)")
    args = parser.parse_args(argv)
    if args.command == "build":
        started = time.monotonic()
        built = build(args.out)
        for exercise in built:
            print(f"{exercise.name}: {exercise.student.relative_to(repo_root())}, "
                  f"{exercise.autograder.relative_to(repo_root())}")
        print(f"built {len(built)} exercises in {time.monotonic() - started:.0f} s; the student versions are also "
              f"in {LAB_COPY}/ (make lab)")
        return 0
    by_name = {exercise.name: exercise for exercise in exercises(args.out)}
    for notebook in args.notebooks:
        exercise = by_name.get(notebook.stem)
        if exercise is None or not exercise.autograder.exists():
            print(f"{notebook}: no autograder for {notebook.stem!r} under {args.out} (run make exercises; "
                  f"exercises: {', '.join(by_name)})", file=sys.stderr)
            return 1
        result = grade(notebook, exercise.autograder)
        print(f"{notebook}: {result.score:g} / {result.possible:g} in {result.seconds:.0f} s")
        for name, messages in result.failures.items():
            print(f"  {name}:\n    " + "\n    ".join(m.replace("\n", "\n    ") for m in messages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
