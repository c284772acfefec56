"""Sphinx configuration of the static site; `make site` (docs/build.py) lays out the source folder and runs it.

The notebooks are rendered as committed (myst-nb, execution off). Every script a page loads is a local copy from
a pinned npm package (docs/build.py copies them into build/site-vendor/vendor/): RequireJS and the ipywidgets
HTML manager for the explorers' saved state, MathJax 3 for the math. Nothing comes from a CDN, so the site works
offline, e.g. opened from disk.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

project = "imlp"
html_title = "imlp — a companion to Interpolated-MLPs"
author = "the imlp contributors"
copyright = "the imlp contributors"

extensions = ["myst_nb"]
exclude_patterns = ["summary.md", "headline.md", "tables/**", "h100/tables/**"]  # included by other pages, not pages themselves
suppress_warnings = ["mystnb.unknown_mime_type"]

# The notebooks: as committed, executing nothing.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# The explorers' saved widget state is rendered by @jupyter-widgets/html-manager (npm, pinned in package.json),
# loaded with RequireJS, both from _static/vendor/ (docs/build.py). myst-nb's default loads both from CDNs.
nb_ipywidgets_js = {
    "vendor/require.js": {},
    "vendor/html-manager/embed-amd.js": {},
}

# MathJax 3 (npm, pinned) from _static/vendor/mathjax; Sphinx's default is a CDN.
mathjax_path = "vendor/mathjax/tex-mml-chtml.js"

html_theme = "furo"
html_static_path = ["_static", str(ROOT / "build" / "site-vendor")]
html_css_files = ["imlp.css"]
# After MathJax (priority 500), deferred like it: lets the widgets' MathJax 2 call reach MathJax 3.
html_js_files = [("mathjax-hub-shim.js", {"defer": "defer", "priority": 900})]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {"navigation_with_keys": True}
