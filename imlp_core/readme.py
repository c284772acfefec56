"""The README's generated blocks: every verdict and number of its claims sections, written between
``<!-- name -->`` and ``<!-- /name -->`` from the committed tables, so that the prose cannot drift from them
(``tests/test_committed_tables.py`` checks each). ``python -m imlp_core.readme`` rewrites them in place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from imlp_core import claims, dip, findings, prose
from imlp_core.paths import repo_root


def blocks(root: Path) -> dict[str, str]:
    """Each block's text, from the committed tables under ``root`` (the repository)."""
    results = root / "results"
    return {"registered": prose.registration_markdown(claims.CLAIMS),
            "held-out": findings.held_out_markdown(root),
            "headline": findings.headline_markdown(root),
            "law": dip.law_markdown(pd.read_csv(results / "09_prediction.csv"),
                                    pd.read_csv(results / "09_out_of_sample.csv")),
            "prediction": dip.prediction_markdown(pd.read_csv(results / "09_prediction.csv"))}


def marked(name: str, text: str) -> str:
    return f"<!-- {name} -->\n{text}\n<!-- /{name} -->"


def update(root: Path) -> list[str]:
    """Rewrite every block of ``root``/README.md in place; the names of the blocks that changed. A block whose
    markers are missing is an error naming it."""
    readme = root / "README.md"
    text = original = readme.read_text()
    changed = []
    for name, block in blocks(root).items():
        pattern = re.compile(rf"<!-- {re.escape(name)} -->\n.*?<!-- /{re.escape(name)} -->", re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md has no <!-- {name} --> ... <!-- /{name} --> block; add the two markers")
        new = pattern.sub(lambda _: marked(name, block), text)
        if new != text:
            changed.append(name)
        text = new
    if text != original:
        readme.write_text(text)
    return changed


if __name__ == "__main__":
    print("README blocks rewritten:", ", ".join(update(repo_root())) or "none (all up to date)", file=sys.stderr)
