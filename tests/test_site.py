"""The static site (``make site``, ``docs/build.py``) in a real browser: Debian's Chromium, driven by Playwright.

Every page is opened from disk (``file://``, as a reader opens ``build/site/index.html``) with the network off,
at a phone's width (390 px): no console error, no failed request (a missing file), no request that is not a
local file (no CDN), and no page wider than the screen. Then: the landing page's verdict tables are there, the
explorers of 01 and 02 render their saved widget state (their figure loaded), the math is typeset, a figure's
image has loaded, and 03's page reaches both its runs (laptop and H100) by the links at its top. No page names
a machine path. Screenshots of the landing page and of 01 (phone and desktop widths) go to
``<test output>/site/screenshots/``.

The site is the one ``make site`` built when ``IMLP_SITE`` names its folder (``make test`` does); otherwise the
test builds it into the test output folder. Chromium as in ``tests/test_browser.py``: skipped without it, failed
under ``CI=true``. ``IMLP_SITE_SCREENSHOTS_TO=figures/site`` also copies the two screenshots there (how the
committed ones were made).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_browser import CHROMIUM_FLAGS, chromium_path  # noqa: F401 (a fixture: Debian's Chromium, or skip/fail)

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / (os.environ.get("IMLP_OUTPUT_DIR") or "build/test-output") / "site"
SCREENSHOTS = OUTPUT / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
EXPLORERS = {"01_conv_to_dense": "imlp-explorer-conv", "02_mixer_to_dense": "imlp-explorer-mixer"}
MACHINE_PATH = re.compile(r"/(?:work|root|home|tmp)/")
LOCAL = ("file:", "data:", "blob:", "about:")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(chromium_path) -> Path:
    if os.environ.get("IMLP_SITE"):
        built = ROOT / os.environ["IMLP_SITE"]
        assert (built / "index.html").exists(), f"IMLP_SITE={os.environ['IMLP_SITE']}: no index.html (run make site)"
        return built
    built = OUTPUT / "html"
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "docs" / "build.py"), "--out", str(built.relative_to(ROOT))],
                   cwd=ROOT, check=True)
    print(f"site built in {time.monotonic() - started:.0f} s", flush=True)
    return built


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class Page:
    """A Playwright page that records console errors, page errors, failed and non-local requests."""

    def __init__(self, browser, viewport: dict):
        self.context = browser.new_context(viewport=viewport, offline=True)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} ({r.failure})"))
        self.page.on("request", lambda r: r.url.startswith(LOCAL) or self.problems.append(f"not local: {r.url}"))

    def open(self, url: str) -> None:
        self.page.goto(url, wait_until="load")
        settle(self.page)

    def close(self) -> None:
        self.context.close()


def settle(page) -> None:
    """Until MathJax has typeset the page and the widget manager has drawn every saved view."""
    page.wait_for_function("() => !window.MathJax || !window.MathJax.startup || window.MathJax.startup.promise",
                           timeout=30_000)
    page.evaluate("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise")
    page.wait_for_function("() => document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]')"
                           ".length <= document.querySelectorAll('.widget-subarea > .jupyter-widgets').length",
                           timeout=60_000)
    page.wait_for_timeout(300)


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def test_every_page_loads_offline_at_phone_width(site, browser):
    all_pages = pages(site)
    names = {str(p.relative_to(site)) for p in all_pages}
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert {f"laptop/{n[:-6]}.html" for n in notebooks} <= names, names
    h100 = sorted(p.name for p in (ROOT / "results/paper-h100/results/executed").glob("[0-9][0-9]_*.ipynb"))
    assert {f"h100/{n[:-6]}.html" for n in h100} <= names, names
    for page_file in all_pages:
        text = page_file.read_text(encoding="utf-8")
        assert not MACHINE_PATH.search(text), f"{page_file.relative_to(site)} names a machine path"
    browser_page = Page(browser, PHONE)
    try:
        for page_file in all_pages:
            started = time.monotonic()
            browser_page.problems.clear()
            browser_page.open(page_file.as_uri())
            name = page_file.relative_to(site)
            assert browser_page.problems == [], f"{name}: {browser_page.problems}"
            overflow = browser_page.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} is {overflow} px wider than a {PHONE['width']} px screen"
            assert "Error displaying widget" not in browser_page.page.locator("body").inner_text(), name
            print(f"{name}: {time.monotonic() - started:.1f} s", flush=True)
    finally:
        browser_page.close()


def test_landing_page_verdicts_and_screenshots(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        browser_page = Page(browser, viewport)
        try:
            browser_page.open((site / "index.html").as_uri())
            page = browser_page.page
            tables = page.locator("table", has_text="H100 (paper")
            assert tables.count() == 2, "the landing page shows the verdict counts and the claims at both scales"
            assert page.locator("table", has_text="laptop (cpu").count() == 2, "the laptop column of both tables"
            tables.first.scroll_into_view_if_needed()
            assert tables.first.is_visible()
            assert page.locator("mjx-container").count() > 0, "math is typeset"
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=SCREENSHOTS / f"index-{label}.png")
            assert browser_page.problems == []
        finally:
            browser_page.close()


@pytest.mark.parametrize("notebook", list(EXPLORERS))
def test_explorer_saved_state_renders(site, browser, notebook):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        browser_page = Page(browser, viewport)
        try:
            browser_page.open((site / "laptop" / f"{notebook}.html").as_uri())
            page = browser_page.page
            explorer = page.locator(f".{EXPLORERS[notebook]}")
            explorer.wait_for(state="visible", timeout=30_000)
            explorer.scroll_into_view_if_needed()
            figure = explorer.locator("img").first
            assert figure.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
            assert explorer.locator(".widget-slider, .widget-dropdown").count() > 0, "the controls are drawn"
            assert "max |error|" in explorer.inner_text(), "the readout of the saved first view"
            note = page.locator(".admonition", has_text="needs a running kernel")
            assert note.count() >= 1 and "make lab" in note.first.inner_text()
            assert page.locator("mjx-container").count() > 0 and page.locator("mjx-merror").count() == 0
            if notebook == "01_conv_to_dense":
                page.evaluate("() => window.scrollTo(0, 0)")
                page.screenshot(path=SCREENSHOTS / f"{notebook}-{label}.png")
                # Down from the top to the note above the explorer (Furo's "back to top" shows on scrolling up).
                page.evaluate("y => window.scrollTo(0, y)",
                              note.first.evaluate("e => e.getBoundingClientRect().top + window.scrollY - 64"))
                page.wait_for_timeout(300)
                page.screenshot(path=SCREENSHOTS / f"{notebook}-explorer-{label}.png")
            assert browser_page.problems == []
        finally:
            browser_page.close()
    target = os.environ.get("IMLP_SITE_SCREENSHOTS_TO")
    if target and notebook == "01_conv_to_dense":
        (ROOT / target).mkdir(parents=True, exist_ok=True)
        for name in ("index-phone.png", "index-desktop.png", f"{notebook}-explorer-phone.png",
                     f"{notebook}-explorer-desktop.png"):
            if (SCREENSHOTS / name).exists():
                shutil.copyfile(SCREENSHOTS / name, ROOT / target / name)


def test_figures_load_and_03_reaches_both_runs(site, browser):
    browser_page = Page(browser, DESKTOP)
    try:
        browser_page.open((site / "gallery.html").as_uri())
        page = browser_page.page
        figure = page.locator("img[src*='03_alpha_sweep_cnn_cifar10']").first
        figure.scroll_into_view_if_needed()
        assert figure.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
        assert page.locator("img[alt$=', H100 run']").count() > 0, "the H100 figures are in the gallery"

        browser_page.open((site / "laptop" / "03_alpha_sweep_cnn.html").as_uri())
        output_image = page.locator(".cell_output img").first
        assert output_image.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
        page.get_by_role("link", name="H100 (paper profile)").first.click()
        page.wait_for_url(re.compile(r"/h100/03_alpha_sweep_cnn\.html"))
        settle(page)
        assert "H100" in page.locator("h1").first.inner_text()
        assert page.locator(".cell_output img").first.evaluate("i => i.decode().then(() => i.naturalWidth)") > 0
        page.get_by_role("link", name="laptop (cpu profile)").first.click()
        page.wait_for_url(re.compile(r"/laptop/03_alpha_sweep_cnn\.html"))
        settle(page)
        assert browser_page.problems == []
    finally:
        browser_page.close()


def test_read_on_links_show_no_raw_latex_and_the_exercises_are_listed(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    read_on = html[html.index('id="read-on"'):]
    read_on = read_on[:read_on.index("</ul>")]
    links = re.findall(r"<a [^>]*>(.*?)</a>", read_on, flags=re.S)
    texts = [re.sub(r"<[^>]+>", "", link) for link in links]
    assert texts and not any("\\" in text or "$" in text for text in texts), texts
    exercises = sorted(p.stem for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
    assert all(f'href="exercises/{name}.html"' in read_on for name in exercises), exercises


def test_exercise_pages_are_student_versions_beside_their_notebooks(site):
    for exercise in sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")):
        page = (site / "exercises" / f"{exercise.stem}.html").read_text(encoding="utf-8")
        assert "grader.check" in page and "BEGIN SOLUTION" not in page and "hidden=True" not in page, exercise.stem
        followed = sorted((ROOT / "notebooks").glob(f"{exercise.name[:2]}_*.ipynb"))[0]
        assert f"../laptop/{followed.stem}.html" in page
        laptop = (site / "laptop" / f"{followed.stem}.html").read_text(encoding="utf-8")
        assert f"../exercises/{exercise.stem}.html" in laptop, followed.stem
