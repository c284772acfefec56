"""The exercises (``exercises/*.ipynb``) and their checks (``imlp_core.teaching.exercises``), in two layers.

* In-process and fast: each question's test cells, called as otter calls them, pass on the instructor's
  solution, and each typical wrong answer (``WRONG``) fails them with a message that names the mistake.
* End to end, as ``make exercises`` builds them and a teacher grades them (``otter run``, offline): the
  student versions hold no solution and no hidden check; the solutions get full marks, a blank student
  notebook zero, and notebooks with wrong answers partial marks and the mistakes' messages. The grading
  times are written to ``<test output>/exercises/grading-times.md``.
"""

from __future__ import annotations

import ast
import os
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from imlp_core.teaching import assignments
from imlp_core.paths import repo_root

OUTPUT = repo_root() / (os.environ.get("IMLP_OUTPUT_DIR") or "build/test-output") / "exercises"
SOURCES = {exercise.name: exercise.source for exercise in assignments.exercises()}

# (exercise, question) -> the wrong cell that replaces the question's solution cell, and what the failed
# check's message must say. The mistakes the issue names: a transposed reshape, a column-major vec, a
# missing padding, alpha applied the wrong way round.
WRONG = {
    ("01_conv_to_dense", "q1"): (
        "def conv_output_size(size, kernel, stride, padding, dilation):\n"
        "    return (size - dilation * (kernel - 1) - 1) // stride + 1\n",
        "the padding is missing"),
    ("01_conv_to_dense", "q2"): (
        "def w_f_row(kernel, height, width, out_h, out_w):\n"
        "    row = torch.zeros(height * width, dtype=torch.float64)\n"
        "    for a in range(3):\n"
        "        for b in range(3):\n"
        "            i, j = out_h - 1 + a, out_w - 1 + b\n"
        "            if 0 <= i < height and 0 <= j < width:\n"
        "                row[i * width + j] = kernel[2 - a, 2 - b]\n"
        "    return row\n",
        "you flipped the kernel"),
    ("01_conv_to_dense", "q3"): (
        "def w_f_by_probe(conv, input_shape):\n"
        "    n_in = math.prod(input_shape)\n"
        "    basis = torch.eye(n_in, dtype=conv.weight.dtype).reshape(n_in, *input_shape)\n"
        "    with torch.no_grad():\n"
        "        responses = F.conv2d(basis, conv.weight, None, conv.stride, conv.padding, conv.dilation)\n"
        "    return responses.reshape(-1, n_in)\n",
        "a transposed reshape"),
    ("01_conv_to_dense", "q4"): (
        "def w_f_density(in_channels, height, width, kernel, stride, padding):\n"
        "    return kernel * kernel / (height * width)\n\n"
        "scnn_first_layer_density = 9 / 1024\n",
        "counts every window as full"),
    ("02_mixer_to_dense", "q1"): (
        "def patchify_by_hand(height, width, patch):\n"
        "    P = torch.zeros(height * width, height * width, dtype=torch.float64)\n"
        "    i = 0\n"
        "    for R in range(height // patch):\n"
        "        for C in range(width // patch):\n"
        "            for r in range(patch):\n"
        "                for c in range(patch):\n"
        "                    P[(R * patch + r) * width + C * patch + c, i] = 1\n"
        "                    i += 1\n"
        "    return P\n",
        "you built P's inverse"),
    ("02_mixer_to_dense", "q2"): (
        "def transpose_by_hand(rows, cols):\n"
        "    T = torch.zeros(rows * cols, rows * cols, dtype=torch.float64)\n"
        "    for a in range(cols):\n"
        "        for b in range(rows):\n"
        "            T[b * cols + a, a * rows + b] = 1\n"
        "    return T\n",
        "T's inverse"),
    ("02_mixer_to_dense", "q3"): (
        "def shared_weight_by_hand(w, repeats):\n"
        "    return torch.kron(w, torch.eye(repeats, dtype=w.dtype))\n",
        "acts on the column-major vec"),
    ("02_mixer_to_dense", "q4"): (
        "def token_mixing_dense(w, tokens, channels):\n"
        "    return shared_weight_by_hand(w, channels) @ transpose_by_hand(tokens, channels)\n",
        "the output is left transposed"),
    ("03_algorithm_1", "q1"): (
        "def pull(weight, prior_weight, alpha):\n"
        "    return alpha * weight + (1 - alpha) * prior_weight\n",
        "α is applied the wrong way round"),
    ("03_algorithm_1", "q2"): (
        "def paired_interval(paper_side, other):\n"
        "    a, b = np.asarray(paper_side, float), np.asarray(other, float)\n"
        "    n = len(a)\n"
        "    half = stats.t.ppf(0.975, n - 1) * np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / n)\n"
        "    return a.mean() - b.mean(), a.mean() - b.mean() - half, a.mean() - b.mean() + half\n",
        "an unpaired interval"),
    ("03_algorithm_1", "q3"): (
        "def read_verdict(low, high, paper_sign):\n"
        "    return 'reproduced' if (low + high) * paper_sign > 0 else 'opposite'\n\n"
        "table1_verdict = 'reproduced'\n",
        "the interval straddles 0"),
}
# Each graded wrong notebook takes the wrong answers of some questions and keeps the others' solutions, so that
# it earns partial marks; 02's q4 uses q2's and q3's answers, so it is wrong beside q1 only.
WRONG_SETS = {"01_conv_to_dense": [("q1", "q3"), ("q2", "q4")], "02_mixer_to_dense": [("q1", "q4"), ("q2", "q3")],
              "03_algorithm_1": [("q1", "q3"), ("q2",)]}


# --------------------------------------------------------------------------------------------------
# The instructor notebook, read as otter reads it
# --------------------------------------------------------------------------------------------------

def questions(notebook: Path) -> dict[str, dict]:
    """Per question: its solution cell's index and its test cells' sources, from the raw delimiter cells."""
    cells = nbformat.read(notebook, as_version=4).cells
    found, current, part = {}, None, None
    for index, cell in enumerate(cells):
        text = cell.source.strip()
        if cell.cell_type == "raw":
            if text.startswith("# BEGIN QUESTION"):
                current = re.search(r"name:\s*(\w+)", text).group(1)
                found[current] = {"solution": None, "tests": []}
            part = {"# BEGIN SOLUTION": "solution", "# BEGIN TESTS": "tests"}.get(text, None if text.startswith("# END") else part)
        elif cell.cell_type == "code" and current and part == "solution":
            found[current]["solution"] = index
        elif cell.cell_type == "code" and current and part == "tests":
            found[current]["tests"].append(text)
    return found


def answer_cells(notebook: Path, replace: dict[str, str] | None = None) -> list[str]:
    """The code cells a student runs (setup and answers, no tests, no otter), with some answers replaced."""
    cells = nbformat.read(notebook, as_version=4).cells
    by_index = {q["solution"]: question for question, q in questions(notebook).items()}
    in_tests, sources = False, []
    for index, cell in enumerate(cells):
        text = cell.source.strip()
        if cell.cell_type == "raw":
            in_tests = text == "# BEGIN TESTS" or (in_tests and text != "# END TESTS")
        elif cell.cell_type == "code" and not in_tests:
            sources.append((replace or {}).get(by_index.get(index), cell.source))
    return sources


def run_tests(namespace: dict, tests: list[str]) -> list[str]:
    """Call each test cell's function with the names it asks for, as otter's ``test_case.call_func`` does;
    the messages of those that fail."""
    failures = []
    for source in tests:
        function = next(node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef))
        scope: dict = {}
        exec(compile(ast.Module([function], []), "<test>", "exec"), scope)
        test = scope[function.name]
        try:
            test(**{arg.arg: namespace.get(arg.arg) for arg in function.args.args})
        except AssertionError as error:
            failures.append(str(error))
    return failures


def student_namespace(exercise: str, replace: dict[str, str] | None = None) -> dict:
    namespace: dict = {}
    for source in answer_cells(SOURCES[exercise], replace):
        exec(source, namespace)
    return namespace


QUESTIONS = [(exercise, question) for exercise, source in SOURCES.items() for question in questions(source)]


def test_every_question_has_a_typical_wrong_answer_and_a_hidden_check():
    assert sorted(WRONG) == sorted(QUESTIONS)
    for exercise, question in QUESTIONS:
        assert any("hidden: true" in test for test in questions(SOURCES[exercise])[question]["tests"]), (exercise, question)


@pytest.mark.parametrize("exercise, question", QUESTIONS)
def test_solution_passes_visible_and_hidden_checks(exercise, question):
    namespace = student_namespace(exercise)
    assert run_tests(namespace, questions(SOURCES[exercise])[question]["tests"]) == []


@pytest.mark.parametrize("exercise, question", QUESTIONS)
def test_wrong_answer_fails_with_a_message_naming_the_mistake(exercise, question):
    wrong, named = WRONG[exercise, question]
    namespace = student_namespace(exercise, {question: wrong})
    failures = run_tests(namespace, questions(SOURCES[exercise])[question]["tests"])
    assert failures, f"{exercise} {question}: the wrong answer passed"
    assert any(named in failure for failure in failures), failures


@pytest.mark.parametrize("exercise", list(SOURCES))
def test_blank_answers_fail_every_check_without_crashing(exercise):
    blank = {question: "" for question in questions(SOURCES[exercise])}  # nothing defined: the names are None
    namespace = student_namespace(exercise, blank)
    for question, q in questions(SOURCES[exercise]).items():
        failures = run_tests(namespace, q["tests"])
        assert len(failures) == len(q["tests"]) and all("not defined" in f for f in failures), (question, failures)


# Answers that pass a question's visible checks and fail only its hidden ones, and what the hidden message must say.
HIDDEN_ONLY = {
    ("01_conv_to_dense", "q3"): (
        "def w_f_by_probe(conv, input_shape):\n"
        "    n_in = math.prod(input_shape)\n"
        "    basis = torch.eye(n_in, dtype=conv.weight.dtype).reshape(n_in, *input_shape)\n"
        "    with torch.no_grad():\n"
        "        responses = F.conv2d(basis, conv.weight, None, conv.stride, conv.padding)\n"
        "    return responses.reshape(n_in, -1).T\n",
        "the dilation is missing"),
}


@pytest.mark.parametrize("exercise, question", list(HIDDEN_ONLY))
def test_a_hidden_check_names_the_mistake_the_visible_ones_let_through(exercise, question):
    wrong, named = HIDDEN_ONLY[exercise, question]
    namespace = student_namespace(exercise, {question: wrong})
    tests = questions(SOURCES[exercise])[question]["tests"]
    visible = [test for test in tests if "hidden: true" not in test]
    assert run_tests(namespace, visible) == []
    failures = run_tests(namespace, [test for test in tests if "hidden: true" in test])
    assert failures and all(named in failure for failure in failures), failures


def test_a_students_exception_is_one_line_naming_the_function():
    from imlp_core.teaching import exercises

    def broken(*geometry):
        raise ZeroDivisionError("division by zero")
    with pytest.raises(AssertionError, match="^`conv_output_size` raised ZeroDivisionError: division by zero$"):
        exercises.check_conv_output_size(broken)


def test_otter_shows_a_failed_checks_message_alone():
    from otter.test_files.exception_test import ExceptionTestFile

    from imlp_core.teaching import exercises  # noqa: F401 (importing it is what quiets otter)

    try:
        raise AssertionError("the padding is missing")
    except AssertionError as error:
        assert ExceptionTestFile._generate_error_message(None, error) == "the padding is missing"


def test_a_hard_coded_answer_fails_on_fresh_shapes():
    from imlp_core.teaching import exercises

    with pytest.raises(AssertionError, match="PyTorch gives"):
        exercises.check_conv_output_size(lambda *geometry: 15, draws=20)


def test_an_off_by_one_is_named():
    from imlp_core.teaching import exercises

    with pytest.raises(AssertionError, match="off-by-one"):
        exercises.check_conv_output_size(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s, draws=20)


def test_a_wrong_entry_of_w_f_names_the_kernel_entry_it_should_hold():
    from imlp_core.teaching import exercises

    def off_by_one_column(kernel, height, width, out_h, out_w):
        row = exercises.conv2d_to_dense(exercises.conv_like(exercises.nn.Conv2d(1, 1, 3, padding=1), kernel),
                                        (1, height, width))[0][out_h * width + out_w].clone()
        return row.roll(1)
    with pytest.raises(AssertionError, match=r"should (hold kernel entry F\[0, 0, \d, \d\]|be 0)"):
        exercises.check_w_f_row(off_by_one_column)


# --------------------------------------------------------------------------------------------------
# End to end: make exercises, then the autograder on solutions, blanks and wrong answers
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built() -> dict[str, assignments.Exercise]:
    started = time.monotonic()
    exercises = assignments.build(OUTPUT / "build", lab_copy=False)
    (OUTPUT / "build-seconds.txt").write_text(f"{time.monotonic() - started:.1f}\n")
    return {exercise.name: exercise for exercise in exercises}


def with_answers(exercise: assignments.Exercise, replace: dict[str, str], target: Path) -> Path:
    """The solution notebook with some questions' answer cells replaced."""
    notebook = nbformat.read(exercise.solutions, as_version=4)
    for question, source in replace.items():
        name = re.search(r"def (\w+)", source).group(1)
        cell = next(c for c in notebook.cells if c.cell_type == "code" and f"def {name}(" in c.source)
        cell.source = source
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


@pytest.fixture(scope="module")
def grades(built) -> dict[tuple[str, str], assignments.Grade]:
    """Every grading, several at a time: (exercise, "solutions" | "blank" | "wrong q1 q3") -> its grade."""
    jobs = {}
    for name, exercise in built.items():
        jobs[name, "solutions"] = exercise.solutions
        jobs[name, "blank"] = exercise.student
        for wrong_set in WRONG_SETS[name]:
            replace = {question: WRONG[name, question][0] for question in wrong_set}
            label = "wrong " + " ".join(wrong_set)
            jobs[name, label] = with_answers(exercise, replace, OUTPUT / label.replace(" ", "-") / f"{name}.ipynb")
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        futures = {key: pool.submit(assignments.grade, path, built[key[0]].autograder) for key, path in jobs.items()}
        results = {key: future.result() for key, future in futures.items()}
    lines = ["| exercise | notebook | score | seconds |", "|---|---|---|---|"]
    lines += [f"| {name} | {label} | {g.score:g} / {g.possible:g} | {g.seconds:.1f} |" for (name, label), g in results.items()]
    (OUTPUT / "grading-times.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return results


def test_student_versions_hold_no_solution_and_no_hidden_check(built):
    for name, exercise in built.items():
        notebook = nbformat.read(exercise.student, as_version=4)
        student = "\n".join(cell.source for cell in notebook.cells)
        solutions = [nbformat.read(SOURCES[name], as_version=4).cells[q["solution"]].source
                     for q in questions(SOURCES[name]).values()]
        for solution in solutions:
            body = [line.strip() for line in solution.split("# BEGIN SOLUTION")[-1].split("# END SOLUTION")[0].splitlines()]
            assert not any(line and line in student for line in body if len(line) > 12), (name, body)
        public = notebook.metadata["otter"]["tests"]
        assert all("hidden=True" not in test and "hidden=False" in test for test in public.values()), name
        assert 'grader.check("q1")' in student
        with zipfile.ZipFile(exercise.autograder) as autograder:
            hidden = [autograder.read(f).decode() for f in autograder.namelist() if f.startswith("tests/")]
        assert sum(test.count("hidden=True") for test in hidden) == len(questions(SOURCES[name])), name


@pytest.mark.parametrize("exercise", list(SOURCES))
def test_autograder_gives_the_solutions_full_marks(grades, exercise):
    grade = grades[exercise, "solutions"]
    assert grade.score == grade.possible > 0 and grade.failures == {}, grade.failures


@pytest.mark.parametrize("exercise", list(SOURCES))
def test_autograder_gives_a_blank_student_notebook_zero(grades, exercise):
    grade = grades[exercise, "blank"]
    assert grade.score == 0 and grade.possible > 0
    assert set(grade.failures) == set(questions(SOURCES[exercise]))


@pytest.mark.parametrize("exercise", list(SOURCES))
def test_autograder_gives_wrong_answers_partial_marks_and_names_each_mistake(grades, exercise):
    for wrong_set in WRONG_SETS[exercise]:
        grade = grades[exercise, "wrong " + " ".join(wrong_set)]
        assert 0 < grade.score < grade.possible, (wrong_set, grade)
        for question in wrong_set:
            assert grade.questions[question][0] < grade.questions[question][1]
            messages = "\n".join(grade.failures[question])
            assert WRONG[exercise, question][1] in messages, messages
