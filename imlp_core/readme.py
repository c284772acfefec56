"""The README's generated blocks: the summary ("the answer first") and every verdict and number of its claims
sections, written between ``<!-- name -->`` and ``<!-- /name -->`` from the verdicts of both committed stores and the
committed tables, so that the prose cannot drift from them (``tests/test_committed_tables.py`` checks each).
``python -m imlp_core.readme`` rewrites them in place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from imlp_core import judged
from imlp_core.reading import claims, dip, summaries, prose
from imlp_core.reading.inference import Kind, interval_widths
from imlp_core.paths import repo_root


GLOSSARY = "docs/glossary.md"  # from the repository's root, as the README links it
STORY_FIGURE = "figures/story_alpha_scnn.png"


def blocks(root: Path) -> dict[str, str]:
    """Each block's text, from the committed stores (``judged.judged_stores``) and tables under ``root``
    (the repository)."""
    stores = judged.judged_stores(root)
    return {"summary": summaries.summary_markdown(stores, GLOSSARY, STORY_FIGURE),
            "registered": prose.wrapped_bullets(prose.registration_markdown(claims.CLAIMS)),
            "held-out": summaries.held_out_markdown(stores["laptop"]),
            "headline": summaries.headline_markdown(stores),
            "rule-brief": prose.rule_brief("[docs/claims.md](docs/claims.md)", interval_widths((2, 3, 5)))}


def v_blocks(root: Path) -> dict[str, str]:
    """docs/where-the-v-sits.md's blocks: notebook 09's law, its fits beside it, its paper-scale prediction and the
    registered test's rule, from its committed tables."""
    results = root / "results"
    prediction = pd.read_csv(results / "09_prediction.csv")
    tested = pd.read_csv(results / "09_tested_alphas.csv")
    errors = dip.check_errors(pd.read_csv(results / "09_out_of_sample.csv"))
    return {"law": prose.wrapped_bullets(prose.law_markdown(prediction, errors)),
            "law-fits": prose.wrapped_bullets(prose.law_fits_markdown(pd.read_csv(results / "09_law_fits.csv"))),
            "prediction": prose.prediction_markdown(prediction),
            "paper-test": prose.wrapped_bullets(prose.paper_test_markdown(prediction, tested))}


def page_blocks(root: Path) -> dict[str, dict[str, str]]:
    """Every generated block of every page that has some: the README's (:func:`blocks`), docs/claims.md's rule and
    docs/where-the-v-sits.md's law and prediction."""
    return {"README.md": blocks(root), "docs/claims.md": {"rule": prose.wrapped_paragraph(prose.VERDICT_RULE)},
            "docs/glossary.md": {"kinds": prose.wrapped_bullets(prose.legend(Kind, bold=True))},
            "docs/where-the-v-sits.md": v_blocks(root)}


def marked(name: str, text: str) -> str:
    return f"<!-- {name} -->\n{text}\n<!-- /{name} -->"


def update(root: Path) -> list[str]:
    """Rewrite every generated block of every page (:func:`page_blocks`) in place; the names of the blocks that changed
    (``page: name``). A block whose markers are missing is an error naming it."""
    changed = []
    for page, named in page_blocks(root).items():
        path = root / page
        text = original = path.read_text()
        for name, block in named.items():
            pattern = re.compile(rf"<!-- {re.escape(name)} -->\n.*?<!-- /{re.escape(name)} -->", re.S)
            if not pattern.search(text):
                raise ValueError(f"{page} has no <!-- {name} --> ... <!-- /{name} --> block; add the two markers")
            new = pattern.sub(lambda _: marked(name, block), text)
            if new != text:
                changed.append(f"{page}: {name}")
            text = new
        if text != original:
            path.write_text(text)
    return changed


if __name__ == "__main__":
    print("blocks rewritten:", ", ".join(update(repo_root())) or "none (all up to date)", file=sys.stderr)
