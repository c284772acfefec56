"""The notebooks in a real browser: JupyterLab (``imlp_core.lab``, as ``make lab`` starts it) driven in Chromium.

For notebooks 01, 02 and 03: open the notebook, run all cells, move two controls of its explorer, and check
that no cell shows an error, that the explorer's figure changed, that its max |error| readout stays below
1e-12 (01, 02), and that the run wrote nothing over the committed figures, tables and notebooks and no
``notebooks/.ipynb_checkpoints/`` (issue 13, section 4). Screenshots go to ``<test output>/browser/screenshots``.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright from PyPI with its own
``executable_path``: no browser is downloaded. Without Chromium the tests skip with the reason printed;
under ``CI=true`` they fail instead. The kernel runs the ``smoke`` profile (``IMLP_PROFILE`` of the test
process, if set) with its outputs under the test output folder (``IMLP_OUTPUT_DIR``, default
``build/test-output``), where ``make test`` runs it after nbval, so that notebook 03 reads the smoke runs
nbval trained instead of training them again.

Making the committed screenshots in ``figures/explorers/`` (once, deliberately, not on every run):

    IMLP_PROFILE=paper IMLP_STORED_RUNS_ONLY=1 IMLP_BROWSER_SEED_RUNS=results/paper-h100/results/runs \\
        IMLP_BROWSER_SCREENSHOTS_TO=figures/explorers .venv/bin/python -m pytest tests/test_browser.py

``IMLP_BROWSER_SEED_RUNS`` copies run records into the test's own result store first (notebook 03 then reads
runs trained elsewhere); ``IMLP_BROWSER_SCREENSHOTS_TO`` also saves each explorer's final screenshot there.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from imlp_core import lab as jupyter_lab
from imlp_core.paths import repo_root

CHROMIUM = os.environ.get("IMLP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
# The kernel writes under the test output folder (make test's, so that notebook 03 finds the smoke runs nbval
# trained there); the browser's own files (screenshots, JupyterLab's log and settings) go to its browser/.
OUTPUT = repo_root() / (os.environ.get("IMLP_OUTPUT_DIR") or "build/test-output")
TEST_OUTPUT = OUTPUT / "browser"
SCREENSHOTS = TEST_OUTPUT / "screenshots"
MAX_ERROR = 1e-12
RUN_ALL_TIMEOUT_MS = 420_000  # notebook 03 trains its smoke runs here: ~1 min on a busy 2-core machine
# Per notebook: the explorer's CSS class, and the controls to move (class suffix, action, argument); 03 ends
# on α = 0.01, the α of Table 1.
EXPLORERS = {
    "01_conv_to_dense": ("imlp-explorer-conv", [("kernel", "key", "ArrowLeft"), ("stride", "key", "ArrowLeft")]),
    "02_mixer_to_dense": ("imlp-explorer-mixer", [("rows", "key", "ArrowRight"), ("channels", "key", "ArrowRight")]),
    "03_alpha_sweep_cnn": ("imlp-explorer-runs", [("sweep", "select", -1), ("label", "select", "α = 1"),
                                                  ("label", "select", "α = 0.01")]),
}

pytestmark = pytest.mark.browser


def committed_state() -> dict[str, str]:
    """SHA-256 of every tracked file under figures/, results/ and notebooks/, and the checkpoint folder's files."""
    tracked = subprocess.run(["git", "ls-files", "figures", "results", "notebooks"], cwd=repo_root(),
                             capture_output=True, text=True, check=True).stdout.split()
    screenshots = os.environ.get("IMLP_BROWSER_SCREENSHOTS_TO") or "\0"  # written on purpose when asked for
    state = {name: hashlib.sha256((repo_root() / name).read_bytes()).hexdigest()
             for name in tracked if (repo_root() / name).is_file() and not name.startswith(screenshots)}
    checkpoints = repo_root() / "notebooks" / ".ipynb_checkpoints"
    state |= {str(p.relative_to(repo_root())): "checkpoint" for p in checkpoints.rglob("*")} if checkpoints.exists() else {}
    return state


@pytest.fixture(scope="module")
def chromium_path() -> str:
    if CHROMIUM is None:
        reason = "Chromium is not installed (apt-get install chromium chromium-driver): the browser tests cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run them (.ci/run installs it)")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def lab_server(chromium_path):
    """JupyterLab as ``make lab`` starts it, with a kernel in the smoke profile writing under the test output."""
    shutil.rmtree(TEST_OUTPUT, ignore_errors=True)
    output, settings = OUTPUT, TEST_OUTPUT / "lab-settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    # Every cell in the DOM, so that the test sees every output (JupyterLab's default skips off-screen cells).
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    seed_runs = os.environ.get("IMLP_BROWSER_SEED_RUNS")
    if seed_runs:
        shutil.copytree(repo_root() / seed_runs, output / "results" / "runs", dirs_exist_ok=True)
    env = {**os.environ, "IMLP_PROFILE": os.environ.get("IMLP_PROFILE", "smoke"), "IMLP_OUTPUT_DIR": str(output)}
    server = jupyter_lab.start(checkpoints=TEST_OUTPUT / "checkpoints", env=env, log=TEST_OUTPUT / "jupyterlab.log",
                               extra=[f"--LabApp.user_settings_dir={settings}",
                                      f"--LabApp.workspaces_dir={TEST_OUTPUT / 'workspaces'}"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(chromium_path, lab_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh temporary user-data-dir.
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def prompts_match(page, pattern: str, every: bool = True, timeout_ms: float = 30_000) -> bool:
    """Whether every (or some) code cell's prompt matches the JavaScript regex ``pattern`` within the timeout."""
    test = "every" if every else "some"
    try:
        page.wait_for_function(f"() => {{ const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];"
                               f" return p.length > 0 && p.{test}(x => /{pattern}/.test(x.textContent)); }}",
                               timeout=timeout_ms)
        return True
    except PlaywrightTimeout:
        return False


def run_all_cells(page) -> None:
    """With the kernel idle: clear the committed outputs, Run > Run All Cells, wait until every code cell has run.

    A menu command given while JupyterLab is still settling can be dropped, so each is checked and repeated.
    """
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\(imlp\) \| Idle")).wait_for(timeout=120_000)
    for _ in range(3):
        menu(page, "Edit", "Clear Outputs of All Cells")
        if prompts_match(page, "^\\[ \\]:$", timeout_ms=10_000):
            break
    for _ in range(3):
        menu(page, "Run", "Run All Cells")
        if prompts_match(page, "\\[(\\*|\\d+)\\]", every=False, timeout_ms=20_000):
            break
    assert prompts_match(page, "\\[\\d+\\]", timeout_ms=RUN_ALL_TIMEOUT_MS), "Run All Cells did not finish"
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\(imlp\) \| Idle")).wait_for(timeout=60_000)


def cell_errors(page) -> list[str]:
    """The text of every error output (a traceback) and of every widget that failed to display."""
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    errors = [text[:2000] for text in stderr if "Traceback" in text or "Error" in text.split("\n")[0]]
    body = page.locator("body").inner_text()
    return errors + [line for line in body.splitlines() if "Error displaying widget" in line]


def figure_source(explorer) -> str:
    """The explorer figure's PNG (its data URL), or '' while it has none."""
    image = explorer.locator("img.imlp-figure")
    return image.first.get_attribute("src") if image.count() else ""


def move(explorer, page, control: str, action: str, argument) -> bool:
    """Move one control; False where it could not change (a drop-down with one option)."""
    widget = explorer.locator(f".imlp-control-{control}")
    if action == "key":  # a slider: focus its handle and press an arrow key, as a keyboard user would
        widget.locator(".noUi-handle").focus()
        page.keyboard.press(argument)
        return True
    select = widget.locator("select")  # a drop-down: choose an option by index or by its text
    options = select.locator("option").all_inner_texts()
    if len(options) < 2:
        return False
    select.select_option(label=argument if isinstance(argument, str) else options[argument])
    return True


def wait_for_new_figure(page, explorer, before: str, timeout_s: float = 90) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        source = figure_source(explorer)
        if source and source != before:
            explorer.locator("img.imlp-figure").first.evaluate("image => image.decode()")  # painted, not half-loaded
            return source
        page.wait_for_timeout(250)
    raise AssertionError("the explorer's figure did not change after moving a control")


def max_error(readout: str) -> float:
    match = re.search(r"max \|error\|[^:]*:\s*([0-9.]+e[-+]\d+)", readout)
    assert match, f"no max |error| in the explorer's readout: {readout!r}"
    return float(match.group(1))


@pytest.mark.parametrize("notebook", list(EXPLORERS))
def test_notebook_explorer_in_jupyterlab(notebook, lab_server, browser):
    explorer_class, moves = EXPLORERS[notebook]
    started = time.monotonic()
    before_state = committed_state()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    try:
        page.goto(lab_server.notebook_url(f"{notebook}.ipynb"))  # with ?reset: only this notebook open
        page.locator(".jp-Notebook").wait_for(timeout=120_000)
        print(f"{notebook}: JupyterLab open after {time.monotonic() - started:.0f} s", flush=True)
        run_all_cells(page)
        print(f"{notebook}: all cells run after {time.monotonic() - started:.0f} s", flush=True)
        assert cell_errors(page) == []
        explorer = page.locator(f".{explorer_class}")
        explorer.wait_for(timeout=60_000)
        explorer.scroll_into_view_if_needed()
        first = wait_for_new_figure(page, explorer, "")
        readout = explorer.locator(".imlp-readout").inner_text()
        explorer.screenshot(path=SCREENSHOTS / f"{notebook}-before.png")

        figure, moved = first, []
        for control, action, argument in moves:
            moved.append(move(explorer, page, control, action, argument))
            if moved[-1]:
                figure = wait_for_new_figure(page, explorer, figure)
        # Runs seeded from elsewhere (the screenshots) may hold a single sweep; the smoke store holds two.
        assert all(moved) or os.environ.get("IMLP_BROWSER_SEED_RUNS"), f"controls that could not move: {moves}"
        page.wait_for_timeout(500)  # the readout is set before the figure; let both settle
        after = explorer.locator(".imlp-readout").inner_text()
        page.wait_for_timeout(1000)
        explorer.screenshot(path=SCREENSHOTS / f"{notebook}-after.png")
        page.screenshot(path=SCREENSHOTS / f"{notebook}-page.png", full_page=False)
        if os.environ.get("IMLP_BROWSER_SCREENSHOTS_TO"):
            target = repo_root() / os.environ["IMLP_BROWSER_SCREENSHOTS_TO"]
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SCREENSHOTS / f"{notebook}-after.png", target / f"{notebook}.png")

        print(f"{notebook}: two controls moved after {time.monotonic() - started:.0f} s", flush=True)
        assert figure != first and after != readout
        assert "Refused" not in after
        if notebook != "03_alpha_sweep_cnn":
            assert max_error(readout) < MAX_ERROR and max_error(after) < MAX_ERROR
        else:  # the stored-runs explorer: a reading of the store, and the notebook names where it wrote
            assert after.startswith("after "), after
            written = page.locator(".jp-RenderedMarkdown", has_text="Files written:").inner_text()
            assert f"{OUTPUT.relative_to(repo_root())}/figures/03_alpha_sweep_cnn_" in written, written
        assert cell_errors(page) == []
    finally:
        page.screenshot(path=SCREENSHOTS / f"{notebook}-final-page.png", full_page=False)  # to see what went wrong
        context.close()
    # Section 4: running a notebook writes nothing over the committed files, and no checkpoints beside them.
    assert committed_state() == before_state
