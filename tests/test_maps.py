"""The maps of the code cannot go stale: the module table of the README's layout section and of ``docs/code.md``
names every module of ``imlp_core`` (by its path under ``imlp_core/``) and no module that is gone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "imlp_core"
MAPS = {"README.md": "## How the code is laid out", "docs/code.md": "## How the code is laid out"}


def modules() -> set[str]:
    """Every module's path under ``imlp_core/``, but the packages' ``__init__.py`` and the version file."""
    return {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
            if path.name not in ("__init__.py", "_version.py")}


def mapped(markdown: str, heading: str) -> set[str]:
    """The module paths named in the first column of the table under ``heading`` (up to the next heading)."""
    section = markdown.split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([^`]+\.py)`", row)}


def test_the_table_reader_finds_the_first_columns_modules():
    text = "## Map\n| module | holds |\n|---|---|\n| `a.py`, `w/b.py` | see `c.py` |\n## Next\n| `d.py` | x |\n"
    assert mapped(text, "## Map") == {"a.py", "w/b.py"}


@pytest.mark.parametrize("path", sorted(MAPS))
def test_the_map_names_every_module_and_none_that_is_gone(path):
    listed = mapped((REPO / path).read_text(), MAPS[path])
    assert {"missing": sorted(modules() - listed), "gone": sorted(listed - modules())} == {"missing": [], "gone": []}
