"""A student in JupyterLab: a student version of the exercises, driven in Chromium as ``make lab`` serves it.

The student versions are built as ``make exercises`` builds them, into an ``exercises/`` folder of the test's own
JupyterLab root (``make lab``'s is ``notebooks/``). The test opens ``exercises/01_conv_to_dense.ipynb``, runs every
cell (the blank answers: question 1's check fails), types a wrong answer to question 1 (the padding left out), runs it
and its check and reads from the page that the check failed naming the mistake, without otter's "Error at line"; then
the right answer, and reads that the check passed. It saves (Ctrl+S), rebuilds the exercises as ``make exercises``
and ``make lab`` do, reopens the notebook and finds its answer there. Chromium as in ``tests/test_browser.py``
(skipped without it, failed under ``CI=true``); screenshots go to ``<test output>/exercises-browser/``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import time

import nbformat
import pytest
from test_browser import CHROMIUM_FLAGS, OUTPUT, chromium_path, menu, prompts_match  # noqa: F401 (a fixture)

from imlp_core.teaching import assignments
from imlp_core import lab as jupyter_lab
from imlp_core.paths import repo_root

TEST_OUTPUT = OUTPUT / "exercises-browser"
LAB_ROOT = TEST_OUTPUT / "notebooks"  # make lab's root is notebooks/, the student versions in notebooks/exercises/
NOTEBOOK = "exercises/01_conv_to_dense.ipynb"
WRONG = ("def conv_output_size(size, kernel, stride, padding, dilation):\n"
         "    return (size - dilation * (kernel - 1) - 1) // stride + 1")
RIGHT = ("def conv_output_size(size, kernel, stride, padding, dilation):\n"
         "    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab_server(chromium_path):
    shutil.rmtree(TEST_OUTPUT, ignore_errors=True)
    assignments.build(TEST_OUTPUT / "build", lab_folder=LAB_ROOT / "exercises")  # as make exercises does
    settings = TEST_OUTPUT / "lab-settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    # The kernel imports this checkout's imlp_core (the checks), whichever checkout the environment installed.
    env = {**os.environ, "PYTHONPATH": str(repo_root())}
    server = jupyter_lab.start(checkpoints=TEST_OUTPUT / "checkpoints", env=env, log=TEST_OUTPUT / "jupyterlab.log",
                               root=LAB_ROOT,
                               extra=[f"--LabApp.user_settings_dir={settings}",
                                      f"--LabApp.workspaces_dir={TEST_OUTPUT / 'workspaces'}"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(chromium_path, lab_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def wait_idle(page) -> None:
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"Python 3 \(ipykernel\) \| Idle")).wait_for(
        timeout=120_000)


def run_cell(page, cell, source: str | None = None) -> None:
    """Put ``source`` into the cell's editor (as typed text, without auto-indent or auto-brackets) and run it."""
    editor = cell.locator(".cm-content")
    editor.click()
    if source is not None:
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(source)
    page.keyboard.press("Shift+Enter")


def check_output(page, check, expected: str, timeout_s: float = 120) -> str:
    """The check cell's output once it shows ``expected``."""
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        outputs = check.locator(".jp-OutputArea-output")
        text = "\n".join(outputs.all_inner_texts()) if outputs.count() else ""
        if expected in text:
            return text
        page.wait_for_timeout(500)
    raise AssertionError(f"the check's output never showed {expected!r}; it shows {text!r}")


def saved_answer_is(source: str) -> bool:
    """Whether the notebook on disk holds ``source`` as a cell."""
    cells = nbformat.read(LAB_ROOT / NOTEBOOK, as_version=4).cells
    return any(cell.source.strip() == source.strip() for cell in cells)


def test_student_answers_saves_and_finds_the_answer_after_a_rebuild(lab_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(lab_server.notebook_url(NOTEBOOK))
        page.locator(".jp-Notebook").wait_for(timeout=120_000)
        wait_idle(page)
        for _ in range(3):  # a menu command given while JupyterLab is still settling can be dropped
            menu(page, "Run", "Run All Cells")
            if prompts_match(page, "\\[(\\*|\\d+)\\]", every=False, timeout_ms=20_000):
                break
        assert prompts_match(page, "\\[\\d+\\]", timeout_ms=240_000), "Run All Cells did not finish"
        wait_idle(page)
        answer = page.locator(".jp-CodeCell", has_text="def conv_output_size")
        check = page.locator(".jp-CodeCell", has_text='grader.check("q1")')
        blank = check_output(page, check, "q1 results")
        assert "returned None" in blank, blank

        run_cell(page, answer, WRONG)
        wait_idle(page)
        run_cell(page, check)
        wrong = check_output(page, check, "the padding is missing")
        assert "Test case failed" in wrong and "PyTorch gives" in wrong and "Error at line" not in wrong, wrong
        check.screenshot(path=TEST_OUTPUT / "wrong-answer.png")

        run_cell(page, answer, RIGHT)
        wait_idle(page)
        run_cell(page, check)
        right = check_output(page, check, "q1 passed!")
        assert "failed" not in right, right
        check.screenshot(path=TEST_OUTPUT / "right-answer.png")

        page.keyboard.press("Control+s")  # File > Save Notebook: autosave is off under make lab
        deadline = time.monotonic() + 60
        while not saved_answer_is(RIGHT) and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        assert saved_answer_is(RIGHT), "Ctrl+S did not save the answer"
        page.close()
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):  # make exercises again, as make lab runs it first
            assignments.build(TEST_OUTPUT / "build", lab_folder=LAB_ROOT / "exercises")
        assert "your saved notebook, kept" in printed.getvalue(), printed.getvalue()

        page = context.new_page()
        page.goto(lab_server.notebook_url(NOTEBOOK))
        page.locator(".jp-Notebook").wait_for(timeout=120_000)
        reopened = page.locator(".jp-CodeCell", has_text="def conv_output_size")
        reopened.wait_for(timeout=60_000)
        assert "2 * padding" in reopened.inner_text(), reopened.inner_text()
        reopened.screenshot(path=TEST_OUTPUT / "reopened-answer.png")
    finally:
        page.screenshot(path=TEST_OUTPUT / "final-page.png")
        context.close()
