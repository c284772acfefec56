"""The README reads as issue 36 asks: the answer first (its generated summary within the first 40 lines, at most 12
lines), the figure and the glossary on its first screen, prose wrapped at 120 characters, and no statement the
registry contradicts (the held-out seeds as registered). docs/claims.md's rule is the verdict rule prose states."""

from __future__ import annotations

import re
from pathlib import Path

from imlp_core import claims, prose, readme

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
FIRST_SCREEN = 40


def block(text: str, name: str) -> tuple[int, list[str]]:
    """The line number (1-based) of ``<!-- name -->`` in ``text``, and the lines between its markers."""
    lines = text.splitlines()
    start = lines.index(f"<!-- {name} -->")
    return start + 1, lines[start + 1:lines.index(f"<!-- /{name} -->")]


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(number, line) of every Markdown prose line: outside code fences and tables."""
    found, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and not line.startswith("|"):
            found.append((number, line))
    return found


def test_the_summary_comes_first_in_at_most_twelve_lines():
    start, lines = block(README, "summary")
    assert start <= FIRST_SCREEN, f"the summary starts on line {start}, not within the first {FIRST_SCREEN}"
    assert 0 < len(lines) <= 12


def test_the_first_screen_shows_the_figure_and_links_the_glossary():
    first = "\n".join(README.splitlines()[:FIRST_SCREEN])
    assert "](figures/story_alpha_scnn.png)" in first and "](docs/glossary.md)" in first
    assert "make reproduce" in first and "make test" in first


def test_readme_prose_wraps_at_120_characters():
    long = [f"README.md:{n}: {len(line)} characters" for n, line in prose_lines(README) if len(line) > 120]
    assert not long, "\n".join(long)


def test_the_held_out_seeds_the_readme_states_are_the_registered_ones():
    """Issue 36, defect 8: the README said "held-out seeds 5–7 (Mixer 5)"; the registry holds 3–7 (Mixer 3–5)."""
    seeds = lambda s: f"{s[0]}–{s[-1]}"
    for page in ("README.md", *sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md"))):
        stated = re.findall(r"held-out seeds ([\d–]+) \(Mixer ([\d–]+)\)", (REPO / page).read_text())
        assert set(stated) <= {(seeds(claims.HELD_OUT_SEEDS), seeds(claims.HELD_OUT_MIXER_SEEDS))}, page
    assert re.search(r"held-out seeds ([\d–]+) \(Mixer ([\d–]+)\)", README)


def test_no_hand_written_statement_the_verdicts_contradict():
    """Issue 36, defect 8: sentences the registry's verdicts contradict are gone (the test-time claim "reproduced on
    three seeds", a one-family row "counted over both families", the pull that "does not make the dip")."""
    text = " ".join(README.split())
    for stale in ("on three seeds and uncorrected", "counted over both families", "The pull itself does not make"):
        assert stale not in text, stale


def test_docs_claims_states_the_verdict_rule_prose_states():
    _, lines = block((REPO / "docs" / "claims.md").read_text(), "rule")
    assert "\n".join(lines) == prose.wrapped_paragraph(prose.VERDICT_RULE)
    assert readme.page_blocks.__doc__ and "docs/claims.md" in readme.page_blocks.__doc__


def test_every_generated_block_of_every_page_is_current():
    """The README's blocks (summary, headline, held-out, registered) and the docs pages' (the rule, the law, the
    prediction) are what ``python -m imlp_core.readme`` writes from the committed stores and tables."""
    for page, named in readme.page_blocks(REPO).items():
        text = (REPO / page).read_text()
        for name, text_of_block in named.items():
            assert readme.marked(name, text_of_block) in text, f"{page}'s {name} block: run python -m imlp_core.readme"


def test_the_sites_landing_page_opens_with_the_summary_and_its_legend_names_every_class_its_tables_use():
    """Issue 36: the site's legend named four verdict classes while its tables used nine."""
    import importlib.util

    from imlp_core.statistics import Kind

    spec = importlib.util.spec_from_file_location("site_build", REPO / "docs" / "build.py")
    site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site)
    landing = site.landing_blocks()
    assert "[glossary](glossary.md)" in landing["summary.md"] and "**Laptop budget**" in landing["summary.md"]
    legend, tables = landing["headline.md"].split("\n\n|", 1)
    used = {kind.value for kind in Kind if f"| {kind.value} (" in tables or f" {kind.value} (" in tables}
    named = set(re.findall(r"^- \*([^*]+)\*:", legend, re.M))
    assert used and used <= named and named == {kind.value for kind in Kind}
    index = (REPO / "docs" / "index.md").read_text()
    assert index.index("{include} summary.md") < index.index("{include} headline.md")
    assert "figures/story_alpha_scnn.png" in index and "\nglossary\n" in index
