"""Where things live: every path is resolved from the repository root, never the working directory.

nbval and papermill start kernels in different folders, so notebooks must not rely on `cwd`.
`IMLP_OUTPUT_DIR` redirects figures, tables and runs (``make test`` points it at ``build/``
so that smoke-profile outputs never overwrite the committed ones).

Without it, outputs follow the profile: the profile named in ``results/committed_profile`` (the one the
committed figures and tables came from) writes at the repository root, any other profile beside it in
``results/<profile>/`` (``figures/``, ``results/``, the run store), never over the committed files. The
profile is :func:`imlp_core.profiles.active_profile`: the one last resolved in this process (a notebook's
``profile`` parameter), else ``IMLP_PROFILE``.
"""

import os
from pathlib import Path

from imlp_core.profiles import active_profile


def repo_root() -> Path:
    """The checkout that holds the ``imlp_core`` package."""
    return Path(__file__).resolve().parent.parent


COMMITTED_PROFILE_FILE = Path("results") / "committed_profile"


def committed_profile() -> str | None:
    """The profile the committed figures and tables came from (``results/committed_profile``), None if none is."""
    marker = repo_root() / COMMITTED_PROFILE_FILE
    return (marker.read_text().strip() or None) if marker.is_file() else None


def output_root() -> Path:
    """Root of figures/ and results/: ``$IMLP_OUTPUT_DIR`` if set (relative to the repo root); else the repo root
    for the committed profile and ``results/<profile>/`` for any other (see the module docstring)."""
    override = os.environ.get("IMLP_OUTPUT_DIR")
    if override:
        path = Path(override)
        return path if path.is_absolute() else repo_root() / path
    committed, profile = committed_profile(), active_profile()
    return repo_root() if committed in (None, profile) else repo_root() / "results" / profile


def shown(path: Path) -> str:
    """``path`` as a reader finds it: relative to the repository root where it lies inside it, else absolute."""
    path = Path(path).resolve()
    return str(path.relative_to(repo_root())) if path.is_relative_to(repo_root()) else str(path)


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
