"""Where things live: every path is resolved from the repository root, never the working directory.

nbval and papermill start kernels in different folders, so notebooks must not rely on `cwd`.
`IMLP_OUTPUT_DIR` redirects figures, tables and runs (``make test`` points it at ``build/``
so that smoke-profile outputs never overwrite the committed ones).
"""

import os
from pathlib import Path


def repo_root() -> Path:
    """The checkout that holds the ``imlp_core`` package."""
    return Path(__file__).resolve().parent.parent


def output_root() -> Path:
    """Root of figures/ and results/: ``$IMLP_OUTPUT_DIR`` if set (relative to the repo root), else the repo root."""
    override = os.environ.get("IMLP_OUTPUT_DIR")
    if not override:
        return repo_root()
    path = Path(override)
    return path if path.is_absolute() else repo_root() / path


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def figures_dir() -> Path:
    """``figures/`` under the output root, created on demand."""
    return _ensure(output_root() / "figures")


def results_dir() -> Path:
    """``results/`` under the output root, created on demand."""
    return _ensure(output_root() / "results")


def runs_dir() -> Path:
    """The result store: one JSON record per trained I-MLP (``results/runs/``)."""
    return _ensure(results_dir() / "runs")
