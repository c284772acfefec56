"""Build the static site (``make site``): the committed notebooks at both scales, rendered, executing nothing.

    python docs/build.py [--out build/site]

1. Lays out a Sphinx source folder, ``build/site-src/`` (always rebuilt; nothing under ``notebooks/``,
   ``results/`` or ``figures/`` is moved or changed):
   - the pages of ``docs/`` (``*.md``), their image links (``../figures/…``, as a Markdown viewer reads them)
     pointed at the site's copies, and ``summary.md`` and ``headline.md``, the summary and the verdict tables
     (with their legend) the landing page includes, made from both committed stores' verdicts as the README's are;
   - ``notebooks/NN_*.ipynb`` as ``laptop/`` pages (the committed ``cpu`` profile run) and, for each one that
     has an H100 run, ``results/paper-h100/results/executed/NN_*.ipynb`` as ``h100/`` pages. Each copy gets a
     line under its title linking its two scales, and a note above each explorer saying that its controls need
     a running kernel (``make lab``);
   - the figures (``figures/``, ``results/paper-h100/figures/``) and tables (``results/*.md``) and a gallery
     page of them;
   - the exercises' student versions (``make exercises``; built here when missing or older than
     ``exercises/NN_*.ipynb``) as ``exercises/`` pages, no solutions, each linked both ways with the
     notebook it follows (the one with its number).
   Absolute paths of the machine a notebook ran on (e.g. a data set's folder in its report) are shortened to
   the path inside the checkout, so that no page names a machine path.
2. Copies the JavaScript the pages load, from the pinned npm packages of ``package.json`` (``npm ci``), into
   ``build/site-vendor/``: RequireJS and ``@jupyter-widgets/html-manager`` (the explorers' saved state) and
   MathJax 3. ``docs/conf.py`` points Sphinx and myst-nb at these copies: no page loads anything from a CDN.
3. Runs Sphinx (myst-nb, ``nb_execution_mode = "off"``) into ``build/site/`` and checks that no page names a
   machine path.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SOURCE = ROOT / "build" / "site-src"
VENDOR = ROOT / "build" / "site-vendor"
H100 = ROOT / "results" / "paper-h100"
NODE_MODULES = ROOT / "node_modules"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STORY_FIGURE = "figures/story_alpha_scnn.png"  # the landing page's figure (figures.py writes it)
LAPTOP_LABEL = "laptop (`cpu` profile)"
H100_LABEL = "H100 (`paper` profile)"
KERNEL_NOTE = ("```{note}\nThe explorer below shows the first view saved when the notebook ran. Moving its controls "
               "needs a running kernel: run `make lab` in a checkout and open this notebook "
               "([running it locally](../running.md)).\n```")
# An absolute path of some machine, as a notebook's report may print it (the data set it read, where it wrote).
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|root|home|tmp|Users|mnt|scratch|data|private|var)/[^\s\"'`|()<>\\,;]*")
CHECKOUT_PARTS = ("data", "notebooks", "results", "figures", "build", "benchmarks", "imlp_core", "tests")
MACHINE_PATH_IN_HTML = re.compile(r"(?:file://)?/(?:work|root|home|tmp)/")


def shorten_machine_paths(text: str) -> str:
    """Each absolute machine path becomes the path inside the checkout (``data/cifar10-jpeg``), else ``…/name``."""
    def short(match: re.Match) -> str:
        parts = match.group(0).rstrip("/.").split("/")
        for i, part in enumerate(parts):
            if part in CHECKOUT_PARTS and i > 1:
                return "/".join(parts[i:])
        return "…/" + parts[-1]
    return MACHINE_PATH.sub(short, text)


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def h100_run(notebook: Path) -> Path | None:
    path = H100 / "results" / "executed" / notebook.name
    return path if path.exists() else None


def markdown_cell(text: str, position: int) -> dict:
    """A Markdown cell the site adds, with an id fixed by its position (the build is repeatable)."""
    return {"cell_type": "markdown", "id": f"imlp-site-{position}", "metadata": {}, "source": text}


def scale_line(name: str, here: str, has_h100: bool) -> str:
    """The line under a notebook's title: its two scales, the one shown in bold, the other a link."""
    if not has_h100:
        return f"**Run shown:** {LAPTOP_LABEL}. This notebook trains nothing, so it has one run only."
    laptop = f"**{LAPTOP_LABEL}**" if here == "laptop" else f"[{LAPTOP_LABEL}](../laptop/{name}.ipynb)"
    h100 = f"**{H100_LABEL}**" if here == "h100" else f"[{H100_LABEL}](../h100/{name}.ipynb)"
    return f"**Run shown:** {laptop} | {h100}"


def laptop_links(markdown: str) -> str:
    """On an H100 page, a link to a notebook that has no H100 run (08 links to 09) points at its laptop page."""
    return re.sub(r"\]\((\d\d_\w+\.ipynb)\)", lambda m: m.group(0) if h100_run(ROOT / "notebooks" / m.group(1))
                  else f"](../laptop/{m.group(1)})", markdown)


def exercise_for(notebook: str) -> Path | None:
    """The instructor notebook of the exercises that follow ``notebook`` (the same number), if any."""
    return next(iter(sorted((ROOT / "exercises").glob(f"{notebook[:2]}_*.ipynb"))), None)


def exercise_line(notebook: str) -> str:
    exercise = exercise_for(notebook)
    return (f"**Exercises:** [{exercise_title(exercise)}](../exercises/{exercise.name}), with checks that grade "
            "themselves (student version; `make exercises`)") if exercise else ""


def exercise_title(exercise: Path) -> str:
    """``Exercises for 01`` from the instructor notebook's first heading (its math left out)."""
    heading = next(cell for cell in json.loads(exercise.read_text(encoding="utf-8"))["cells"]
                   if cell["cell_type"] == "markdown")
    return "".join(heading["source"]).split("\n")[0].lstrip("# ").split(" — ")[0]


def page_notebook(source: Path, target: Path, here: str, has_h100: bool) -> None:
    """A copy of ``source`` for the site: the scale line under its title (and on a laptop page, a link to its
    exercises), a note above each explorer, its links to the docs pages pointing at the site's."""
    # a notebook links the docs pages from notebooks/ (../docs/glossary.md); on the site they sit one level up
    notebook = json.loads(shorten_machine_paths(source.read_text(encoding="utf-8")).replace("](../docs/", "](../"))
    cells = []
    for index, cell in enumerate(notebook["cells"]):
        if here == "h100" and cell["cell_type"] == "markdown":
            cell = {**cell, "source": laptop_links("".join(cell["source"]))}
        if index == 0 and cell["cell_type"] == "markdown":
            lines = "".join(cell["source"]).split("\n")
            title, rest = lines[0], "\n".join(lines[1:]).strip("\n")
            if here == "h100":
                title += " — H100"
            cells.append({**cell, "source": title})
            cells.append(markdown_cell(scale_line(source.stem, here, has_h100), len(cells)))
            if here == "laptop" and exercise_for(source.stem):
                cells.append(markdown_cell(exercise_line(source.stem), len(cells)))
            if rest:
                cells.append(markdown_cell(rest, len(cells)))
            continue
        shows_widget = any(WIDGET_VIEW in output.get("data", {}) for output in cell.get("outputs", []))
        if shows_widget and notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state"):
            cells.append(markdown_cell(KERNEL_NOTE, len(cells)))
        cells.append(cell)
    notebook["cells"] = cells
    notebook["metadata"].pop("papermill", None)  # the executor's record (paths, parameters): not for the page
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")


def exercise_pages() -> None:
    """The exercises' student versions, each with a line under its title naming the notebook it follows."""
    sys.path.insert(0, str(ROOT))
    from imlp_core.teaching import assignments

    built = assignments.exercises()
    if any(not e.student.exists() or e.student.stat().st_mtime < e.source.stat().st_mtime for e in built):
        assignments.build(lab_copy=False)
    for exercise in built:
        notebook = json.loads(exercise.student.read_text(encoding="utf-8"))
        followed = [n for n in notebooks() if n.name[:2] == exercise.name[:2]]
        links = ", ".join(f"[{n.stem}](../laptop/{n.name})" for n in followed)
        note = markdown_cell(f"**Student version** (solutions removed), following the notebook {links}. Its checks "
                             "run in a kernel: `make exercises`, then `make lab` and open `exercises/` "
                             f"([running it locally](../running.md)).", 0)
        title = next(i for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "markdown")
        notebook["cells"].insert(title + 1, note)
        target = SOURCE / "exercises" / exercise.source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")


def figure_caption(path: Path) -> str:
    return path.stem.replace("_", " ")


def notebook_title(notebook: Path) -> str:
    """The notebook's first heading, e.g. ``01 — From a convolution to its dense matrix $\\mathbf{W_F}$``."""
    first = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    line = "".join(first["source"]).split("\n")[0]
    return line.lstrip("#").strip() if line.startswith("#") else notebook.stem


def escape_cell_pipes(table: str) -> str:
    """``|error|`` inside a cell of a Markdown table ends the cell; escaped, it stays text (e.g. ``max |error|``)."""
    return re.sub(r"\|([A-Za-z]\w*)\|", r"\\|\1\\|", table)


def gallery() -> str:
    """The figures and tables of both scales, grouped by notebook."""
    laptop_figures = sorted((ROOT / "figures").glob("[0-9][0-9]_*.png"))
    h100_figures = {p.name: p for p in sorted((H100 / "figures").glob("[0-9][0-9]_*.png"))}
    laptop_tables = sorted((ROOT / "results").glob("[0-9][0-9]_*.md"))
    h100_tables = {p.name: p for p in sorted((H100 / "results").glob("[0-9][0-9]_*.md"))}
    out = ["# Figures and tables", "",
           "Every figure (PNG; the PDF beside it in the checkout) and table (Markdown; CSV beside it) the notebooks "
           "wrote, at both scales where both ran: the laptop run (`cpu` profile, `figures/` and `results/`) and the "
           "H100 run (`paper` profile, `results/paper-h100/`). Each notebook's page shows them in context.", ""]
    for notebook in notebooks():
        number, name = notebook.stem[:2], notebook.stem
        figures = [p for p in laptop_figures if p.name.startswith(number + "_")]
        tables = [p for p in laptop_tables if p.name.startswith(number + "_")]
        extra = [p for n, p in h100_figures.items() if n.startswith(number + "_") and not (ROOT / "figures" / n).exists()]
        if not (figures or tables or extra):
            continue
        links = f"[{LAPTOP_LABEL}](laptop/{name}.ipynb)"
        if h100_run(notebook):
            links += f" | [{H100_LABEL}](h100/{name}.ipynb)"
        out += [f"## {notebook_title(notebook)}", "", f"Notebook `{name}`: {links}", ""]
        for figure in figures + extra:
            if figure.parent == ROOT / "figures":
                out += [f"```{{figure}} figures/{figure.name}", ":alt: " + figure_caption(figure) + ", laptop run",
                        ":width: 100%", "", f"Laptop run (`cpu` profile): `figures/{figure.name}`", "```", ""]
            if figure.name in h100_figures:
                out += [f"```{{figure}} h100/figures/{figure.name}", ":alt: " + figure_caption(figure) + ", H100 run",
                        ":width: 100%", "", f"H100 run (`paper` profile): `results/paper-h100/figures/{figure.name}`",
                        "```", ""]
        for table in tables:
            out += [f"### Table `{table.stem}`", "", f"Laptop run (`results/{table.name}`):", "",
                    f"```{{include}} tables/{table.name}", "```", ""]
            if table.name in h100_tables:
                out += [f"H100 run (`results/paper-h100/results/{table.name}`):", "",
                        f"```{{include}} h100/tables/{table.name}", "```", ""]
    return "\n".join(out)


def copy_text(source: Path, target: Path, change=lambda text: text) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(change(shorten_machine_paths(source.read_text(encoding="utf-8"))), encoding="utf-8")


def landing_blocks() -> dict[str, str]:
    """The landing page's generated parts, from both committed stores' verdicts as the README's
    (``imlp_core.reading.summaries``), so that the site and the README say the same: the summary ("the answer first"), and
    the verdict tables under a legend of every verdict class (``imlp_core.reading.prose.legend``)."""
    sys.path.insert(0, str(ROOT))
    from imlp_core import judged
    from imlp_core.reading import summaries, prose
    from imlp_core.reading.inference import Kind, interval_widths

    stores = judged.judged_stores(ROOT)
    legend = (prose.rule_brief("{doc}`claims`", interval_widths((2, 3, 5))) + " Terms are in the {doc}`glossary`. "
              "The verdict classes:\n\n" + prose.legend(Kind))
    return {"summary.md": summaries.summary_markdown(stores, "glossary.md", STORY_FIGURE) + "\n",
            "headline.md": legend + "\n\n" + escape_cell_pipes(summaries.headline_markdown(stores)) + "\n"}


# The figure folders the site copies (:func:`lay_out_source`), as a page of docs/ links them (``../figures/…``, so
# that a Markdown viewer finds them too) and where they lie in the site's source folder.
SITE_FIGURES = {"../results/paper-h100/figures/": "h100/figures/", "../figures/": "figures/"}
IMAGE_LINK = re.compile(r"(!\[[^\]]*\]\(|<img [^>]*src=[\"']|\{(?:figure|image)\} +)("
                        + "|".join(map(re.escape, SITE_FIGURES)) + ")")


def site_image_links(page: str) -> str:
    """A docs/ page's image links to ``../figures/…`` (and the H100's) pointed at the site's copies."""
    return IMAGE_LINK.sub(lambda match: match.group(1) + SITE_FIGURES[match.group(2)], page)


def lay_out_source() -> None:
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    for page in DOCS.glob("*.md"):
        copy_text(page, SOURCE / page.name, site_image_links)
    for name, text in landing_blocks().items():
        (SOURCE / name).write_text(text, encoding="utf-8")
    for notebook in notebooks():
        run = h100_run(notebook)
        page_notebook(notebook, SOURCE / "laptop" / notebook.name, "laptop", run is not None)
        if run:
            page_notebook(run, SOURCE / "h100" / notebook.name, "h100", True)
    for linked, copied in SITE_FIGURES.items():
        if (DOCS / linked).exists():
            shutil.copytree(DOCS / linked, SOURCE / copied, ignore=shutil.ignore_patterns("*.pdf"))
    for table in (ROOT / "results").glob("[0-9][0-9]_*.md"):
        copy_text(table, SOURCE / "tables" / table.name, escape_cell_pipes)
    for table in (H100 / "results").glob("[0-9][0-9]_*.md"):
        copy_text(table, SOURCE / "h100" / "tables" / table.name, escape_cell_pipes)
    (SOURCE / "gallery.md").write_text(gallery(), encoding="utf-8")
    exercise_pages()


def vendor_javascript() -> None:
    """The pinned npm packages' files the pages load, into build/site-vendor/ (Sphinx copies it to _static/)."""
    widgets = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
    mathjax = NODE_MODULES / "mathjax" / "es5"
    requirejs = NODE_MODULES / "requirejs" / "require.js"
    missing = [str(p.relative_to(ROOT)) for p in (widgets, mathjax, requirejs) if not p.exists()]
    if missing:
        sys.exit(f"docs/build.py: {', '.join(missing)} missing: run `npm ci` in the checkout (make site does)")
    shutil.rmtree(VENDOR, ignore_errors=True)
    (VENDOR / "vendor").mkdir(parents=True)
    shutil.copyfile(requirejs, VENDOR / "vendor" / "require.js")
    # embed-amd.js and the font files it refers to (Font Awesome, by paths relative to the script).
    shutil.copytree(widgets, VENDOR / "vendor" / "html-manager",
                    ignore=shutil.ignore_patterns("*.map", "embed.js", "libembed-amd.js", "*.LICENSE.txt"))
    # MathJax 3: the TeX/MathML-to-CHTML component, and what it loads on demand (extensions, fonts, menu, a11y).
    keep = {"tex-mml-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors"}
    shutil.copytree(mathjax, VENDOR / "vendor" / "mathjax",
                    ignore=lambda folder, names: [n for n in names if Path(folder) == mathjax and n not in keep]
                    + [n for n in names if n == "svg"])


def machine_paths_in(site: Path) -> list[str]:
    found = []
    for page in site.rglob("*"):
        if page.suffix in {".html", ".js", ".json", ".txt", ".css"} and "vendor" not in page.parts:
            text = page.read_text(encoding="utf-8", errors="replace")
            found += [f"{page.relative_to(site)}: {m.group(0)}" for m in MACHINE_PATH_IN_HTML.finditer(text)]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="build/site", help="the site's folder (default build/site)")
    args = parser.parse_args()
    out = (ROOT / args.out).resolve()
    started = time.monotonic()
    lay_out_source()
    vendor_javascript()
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-c", str(DOCS),
               "-d", str(ROOT / "build" / "site-doctrees"), str(SOURCE), str(out)]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode:
        return result.returncode
    paths = machine_paths_in(out)
    if paths:
        print("docs/build.py: pages name machine paths:\n  " + "\n  ".join(paths[:20]), file=sys.stderr)
        return 1
    print(f"site built in {time.monotonic() - started:.0f} s: open {out.relative_to(ROOT)}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
