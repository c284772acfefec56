"""Every image a page of docs/ or the README shows resolves to a committed file, both in a Markdown viewer (the link
relative to the page) and on the site (``docs/build.py`` points it at the copy it lays out)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# ![alt](target "title"), <img src="target">, and MyST's ```{figure} target / ```{image} target
IMAGE = re.compile(r"!\[[^\]]*\]\(<?([^)\s>]+)|<img [^>]*src=[\"']([^\"']+)|\{(?:figure|image)\} +(\S+)")


def image_links_in(text: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in IMAGE.finditer(text)]


def image_links(page: Path) -> list[str]:
    """The images ``page`` shows from the checkout (not http:, data:)."""
    return [link for link in image_links_in(page.read_text("utf-8")) if not re.match(r"[a-z]+:", link)]


def docs_build():
    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def committed() -> set[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode:
        pytest.skip(f"not a git checkout: {listed.stderr.strip()}")
    return {(ROOT / name).resolve() for name in listed.stdout.split("\0") if name}


def test_the_pages_show_images():
    assert sum(len(image_links(page)) for page in PAGES) >= 4  # the figures of profiles.md and running.md


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_image_link_resolves_to_a_committed_file(page, committed):
    missing = [link for link in image_links(page) if (page.parent / link).resolve() not in committed]
    assert not missing, f"{page.relative_to(ROOT)} shows images that are not committed files: {missing}"


def test_every_docs_image_resolves_on_the_site():
    """On the site the pages of docs/ lie at the top of the source folder, beside the figure folders build.py copies:
    each image link becomes a path inside it, to the copy of the file the page links."""
    build = docs_build()
    for page in sorted((ROOT / "docs").glob("*.md")):
        for link in image_links(page):
            (on_site,) = image_links_in(build.site_image_links(f"![image]({link})"))
            assert not on_site.startswith("../"), f"{page.name}: {link} points outside the site's source"
            copied = [linked for linked, site in build.SITE_FIGURES.items() if on_site.startswith(site)]
            assert copied, f"{page.name}: {link} is in no folder the site copies ({', '.join(build.SITE_FIGURES)})"
            source = page.parent / copied[0] / on_site.removeprefix(build.SITE_FIGURES[copied[0]])
            assert source.resolve() == (page.parent / link).resolve()
