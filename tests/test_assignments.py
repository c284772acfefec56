"""A teacher's side of the exercises (``imlp_core.teaching.assignments``): a student's saved work survives every rebuild, the
autograder grades on a machine that has only what its zip carries, and the grade command grades a folder.

The autograder test creates a fresh virtual environment from the zip's ``environment.yml`` alone (pip, from the
package index as a grading machine would; no network here: pip's local index and cache), and grades a right, a
blank and a wrong notebook there with ``otter run``, the checkout neither the working directory nor on the path.
Its times are written to ``<test output>/assignments/grading-times.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import venv
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from test_exercises import WRONG, with_answers

from imlp_core.teaching import assignments
from imlp_core.paths import repo_root

OUTPUT = repo_root() / (os.environ.get("IMLP_OUTPUT_DIR") or "build/test-output") / "assignments"
EXERCISE = "01_conv_to_dense"


@pytest.fixture(scope="module")
def built() -> dict[str, assignments.Exercise]:
    """The exercises built as ``make exercises`` builds them (its command line), the student versions placed in a
    lab folder of the test's own."""
    shutil.rmtree(OUTPUT / "lab", ignore_errors=True)
    started = time.monotonic()
    assert assignments.main(["build", "--out", str(OUTPUT / "build"), "--lab-folder", str(OUTPUT / "lab")]) == 0
    (OUTPUT / "build-seconds.txt").write_text(f"{time.monotonic() - started:.1f}\n")
    return {exercise.name: exercise for exercise in assignments.exercises(OUTPUT / "build")}


def answer(notebook: Path, function: str, source: str) -> None:
    """Write ``source`` into the cell of ``notebook`` that defines ``function`` and save it, as a student does."""
    saved = nbformat.read(notebook, as_version=4)
    cell = next(c for c in saved.cells if c.cell_type == "code" and f"def {function}(" in c.source)
    cell.source = source
    nbformat.write(saved, notebook)


def rebuild() -> list[str]:
    """``make exercises`` again (``make lab`` runs it first): the lines it printed about the lab folder."""
    make = (repo_root() / "Makefile").read_text()
    assert re.search(r"^lab: .*\bexercises\b", make, re.MULTILINE), "make lab no longer builds the exercises first"
    assert re.search(r"^exercises: .*\n\t\$\(PY\) -m imlp_core\.teaching\.assignments$", make, re.MULTILINE)
    from contextlib import redirect_stdout
    from io import StringIO

    printed = StringIO()
    with redirect_stdout(printed):
        assert assignments.main(["build", "--out", str(OUTPUT / "build"), "--lab-folder", str(OUTPUT / "lab")]) == 0
    return printed.getvalue().splitlines()


# --------------------------------------------------------------------------------------------------
# A student's work survives
# --------------------------------------------------------------------------------------------------

def test_rebuilding_as_make_exercises_and_make_lab_do_keeps_a_saved_answer(built):
    notebook = OUTPUT / "lab" / f"{EXERCISE}.ipynb"
    mine = "def conv_output_size(size, kernel, stride, padding, dilation):\n    return 42  # my own answer\n"
    answer(notebook, "conv_output_size", mine)
    lines = rebuild()
    assert mine.strip() in [cell.source.strip() for cell in nbformat.read(notebook, as_version=4).cells]
    assert any(line.endswith(f"{EXERCISE}.ipynb: your saved notebook, kept (the exercise is unchanged)")
               for line in lines), lines
    untouched = OUTPUT / "lab" / "02_mixer_to_dense.ipynb"
    assert any(line.endswith(f"{untouched.name}: unchanged") for line in lines), lines


def changed_version(exercise, tmp_path: Path):
    """``exercise`` rebuilt under ``tmp_path/changed`` with a new paragraph from the teacher in its student version."""
    changed = assignments.Exercise(exercise.source, tmp_path / "changed")
    changed.student.parent.mkdir(parents=True)
    newer = nbformat.read(exercise.student, as_version=4)
    newer.cells.insert(1, nbformat.v4.new_markdown_cell("A new paragraph from the teacher."))
    nbformat.write(newer, changed.student)
    return changed


def test_a_changed_exercise_goes_beside_a_saved_notebook(built, tmp_path):
    exercise = built[EXERCISE]
    lab = tmp_path / "lab"
    assignments.place_student_versions([exercise], lab)
    answer(lab / exercise.student.name, "conv_output_size", "def conv_output_size(*geometry):\n    return 1\n")
    changed = changed_version(exercise, tmp_path)
    [line] = assignments.place_student_versions([changed], lab)
    assert "return 1" in (lab / exercise.student.name).read_text()
    assert "A new paragraph" in (lab / f"{EXERCISE}.new.ipynb").read_text()
    assert line.endswith(f"its new version is {lab / f'{EXERCISE}.new.ipynb'}"), line


def test_an_unsaved_student_version_is_updated_when_the_exercise_changes(built, tmp_path):
    exercise = built[EXERCISE]
    lab = tmp_path / "lab"
    assignments.place_student_versions([exercise], lab)
    changed = changed_version(exercise, tmp_path)
    [line] = assignments.place_student_versions([changed], lab)
    assert line.endswith("updated") and "A new paragraph" in (lab / exercise.student.name).read_text()
    assert not (lab / f"{EXERCISE}.new.ipynb").exists()


def test_the_student_version_says_how_its_work_is_saved_as_make_lab_does(built):
    from imlp_core import lab

    text = "\n".join(c.source for c in nbformat.read(built[EXERCISE].student, as_version=4).cells)
    autosave = lab.SETTINGS_OVERRIDES["@jupyterlab/docmanager-extension:plugin"]["autosave"]
    assert ("keeps JupyterLab's autosave off" in text) == (not autosave)
    assert "never overwrite it" in text and "grader.export(" in text


# --------------------------------------------------------------------------------------------------
# The autograder on a machine with nothing but what its zip carries
# --------------------------------------------------------------------------------------------------

def test_autograder_zip_carries_the_checks_and_their_pinned_requirements(built):
    with zipfile.ZipFile(built[EXERCISE].autograder) as archive:
        names = archive.namelist()
        environment = yaml.safe_load(archive.read("environment.yml"))
    assert "files/imlp_core/teaching/exercises.py" in names and "files/imlp_core/conversions.py" in names
    assert not any(name.endswith(("sweep_runner.py", "trainer.py", "data.py")) for name in names), names
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "torch==2.14.1" in pip and f"--extra-index-url {assignments.TORCH_INDEX}" in pip
    assert "otter-grader[grading,plugins]==7.0.0" in pip
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    declared = tomllib.loads((repo_root() / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = [line for line in pip if not line.startswith(("--", "otter-grader"))]
    assert pinned and all(line.replace(" ", "") in [d.replace(" ", "") for d in declared] for line in pinned), pinned


def grading_machine(requirements: list[str], env: dict[str, str]) -> tuple[Path, float | None]:
    """A virtual environment with nothing but ``requirements`` (the zip's ``environment.yml`` pip list), and the
    seconds its install took. Built once per list, as Gradescope builds an autograder's image once per upload: kept
    in ``build/grading-machine/<hash>/`` (outside the test output, which ``make test`` clears); None where reused."""
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:16]
    machine = repo_root() / "build" / "grading-machine" / digest
    if (machine / "installed").is_file():
        return machine / "venv", None
    shutil.rmtree(machine, ignore_errors=True)
    machine.mkdir(parents=True)
    (machine / "requirements.txt").write_text("\n".join(requirements) + "\n")
    started = time.monotonic()
    venv.create(machine / "venv", with_pip=True)
    # --retries 0: this machine has no network, so PyTorch's CPU index fails at once (a grading machine reaches it
    # and takes torch 2.14.1+cpu); pip then takes torch 2.14.1 from the local index, with its CUDA libraries.
    install = subprocess.run([str(machine / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--retries",
                              "0", "-r", "requirements.txt"], cwd=machine, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    (machine / "installed").write_text("")
    return machine / "venv", time.monotonic() - started


@pytest.mark.slow
def test_autograder_grades_right_blank_and_wrong_in_a_fresh_environment(built, tmp_path):
    exercise = built[EXERCISE]
    machine = tmp_path / "grading-machine"  # where the submissions are graded: neither the checkout nor under it
    assert not machine.resolve().is_relative_to(repo_root())
    machine.mkdir()
    shutil.copyfile(exercise.autograder, machine / "autograder.zip")
    with zipfile.ZipFile(machine / "autograder.zip") as archive:
        environment = yaml.safe_load(archive.read("environment.yml"))
    requirements = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment_dir, install_seconds = grading_machine(requirements, env)
    python = str(environment_dir / "bin" / "python")
    lines = ["| step | seconds |", "|---|---|", "| a fresh venv, pip install of environment.yml's pip list | "
             + (f"{install_seconds:.0f} |" if install_seconds is not None else "(reused) |")]
    submissions = {"right": exercise.solutions, "blank": exercise.student,
                   "wrong": with_answers(exercise, {"q1": WRONG[EXERCISE, "q1"][0], "q3": WRONG[EXERCISE, "q3"][0]},
                                         machine / "wrong" / f"{EXERCISE}.ipynb")}
    scores = {}
    for label, notebook in submissions.items():
        copy = machine / label / f"{EXERCISE}.ipynb"
        if copy != notebook:
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(notebook, copy)
        started = time.monotonic()
        result = subprocess.run([python, "-m", "otter", "run", "--no-logo", "-a", "../autograder.zip", "-o", ".",
                                 copy.name], cwd=copy.parent, env=env, capture_output=True, text=True)
        lines.append(f"| otter run, {label} notebook | {time.monotonic() - started:.0f} |")
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        tests = json.loads((copy.parent / "results.json").read_text())["tests"]
        scores[label] = {t["name"]: (t["score"], t["max_score"], t.get("output", "")) for t in tests
                         if t.get("max_score") is not None}  # not otter's "Public Tests" summary
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "grading-times.md").write_text("\n".join(lines) + "\n")
    checks = subprocess.run([python, "-c", "import imlp_core"], cwd=machine, env=env, capture_output=True)
    assert checks.returncode != 0, "the grading environment must not hold imlp_core: the zip carries the checks"
    assert all(score == possible > 0 for score, possible, _ in scores["right"].values()), scores["right"]
    assert all(score == 0 for score, _, _ in scores["blank"].values()), scores["blank"]
    wrong = scores["wrong"]
    assert wrong["q1"][0] < wrong["q1"][1] and wrong["q3"][0] < wrong["q3"][1]
    assert wrong["q2"][0] == wrong["q2"][1] and wrong["q4"][0] == wrong["q4"][1]
    assert WRONG[EXERCISE, "q1"][1] in wrong["q1"][2] and WRONG[EXERCISE, "q3"][1] in wrong["q3"][2]
    assert "Error at line" not in wrong["q1"][2] + wrong["q3"][2]


# --------------------------------------------------------------------------------------------------
# The grade command on a folder of handed-in work
# --------------------------------------------------------------------------------------------------

def export_zip(notebook: Path, target: Path) -> Path:
    """The zip the student version's export cell writes: the notebook (and otter's log) at the top level."""
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(notebook, notebook.name)
    return target


def test_grade_command_on_a_folder_of_three_named_submissions_writes_each_question(built, tmp_path, monkeypatch):
    exercise = built[EXERCISE]
    handed_in = tmp_path / "handed-in"
    handed_in.mkdir()
    shutil.copyfile(exercise.solutions, handed_in / f"alice_{EXERCISE}.ipynb")
    shutil.copyfile(exercise.student, handed_in / "bob-week-3.ipynb")  # blank, and named as bob liked
    wrong = with_answers(exercise, {"q1": WRONG[EXERCISE, "q1"][0]}, tmp_path / "carol" / f"{EXERCISE}.ipynb")
    export_zip(wrong, handed_in / f"carol_{EXERCISE}_2026_12_07T18_00_00_000000.zip")
    csv = tmp_path / "grades.csv"
    monkeypatch.chdir(tmp_path)  # a teacher in the folder above the submissions, naming it relatively
    assert assignments.main(["grade", "handed-in", "--csv", "grades.csv", "--out", str(OUTPUT / "build")]) == 0
    table = pd.read_csv(csv).set_index("submission")
    table.index = [Path(name).name.split("_")[0].split("-")[0] for name in table.index]
    assert list(table.index) == ["alice", "bob", "carol"]
    assert (table["exercise"] == EXERCISE).all()
    assert table.loc["alice", ["q1", "q2", "q3", "q4"]].tolist() == [2, 2, 2, 3]
    assert table.loc["bob", ["q1", "q2", "q3", "q4", "score"]].tolist() == [0, 0, 0, 0, 0]
    assert table.loc["carol", ["q1", "q2", "q3", "q4"]].tolist() == [0, 2, 2, 3]
    assert (table["possible"] == 9).all() and table.loc["carol", "score"] == 7


def test_grade_command_names_a_notebook_that_is_no_exercise(built, tmp_path):
    stray = tmp_path / "notes.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), stray)
    with pytest.raises(ValueError, match="names no exercise"):
        assignments.grade_submissions([stray], OUTPUT / "build", jobs=1)


def test_paths_outside_the_checkout_are_shown_whole(tmp_path):
    """`build --out` outside the checkout (a teacher's own folder) printed its files with ``relative_to`` and failed
    after building; inside the checkout they are shown relative to it."""
    assert assignments.shown(tmp_path / "student.ipynb") == tmp_path / "student.ipynb"
    assert assignments.shown(repo_root() / "build" / "x.ipynb") == Path("build") / "x.ipynb"
