"""Where things live: every path is resolved from the repository root, never the working directory.

nbval and papermill start kernels in different folders, so notebooks must not rely on `cwd`.

Outputs (figures, tables, runs) go under an *output root* that the caller passes on: :func:`output_root` of the
profile it runs. The profile named in ``results/committed_profile`` (the one the committed figures and tables
came from) writes at the repository root, any other profile beside it in ``results/<profile>/`` (``figures/``,
``results/``, the run store), never over the committed files. ``IMLP_OUTPUT_DIR`` redirects every profile's
outputs (``make test`` points it at ``build/`` so that smoke-profile outputs never overwrite the committed ones).
"""

import os
from pathlib import Path

from imlp_core.profiles import resolve_profile


def repo_root() -> Path:
    """The checkout that holds the ``imlp_core`` package."""
    return Path(__file__).resolve().parent.parent


COMMITTED_PROFILE_FILE = Path("results") / "committed_profile"


def committed_profile() -> str | None:
    """The profile the committed figures and tables came from (``results/committed_profile``), None if none is."""
    marker = repo_root() / COMMITTED_PROFILE_FILE
    return (marker.read_text().strip() or None) if marker.is_file() else None


def output_dir_override() -> Path | None:
    """``$IMLP_OUTPUT_DIR`` (relative to the repo root), None when unset."""
    override = os.environ.get("IMLP_OUTPUT_DIR")
    if not override:
        return None
    path = Path(override)
    return path if path.is_absolute() else repo_root() / path


def output_root(profile: str) -> Path:
    """Root of figures/ and results/ for the outputs of ``profile`` (a profile's name): ``$IMLP_OUTPUT_DIR`` if set;
    else the repo root for the committed profile and ``results/<profile>/`` for any other (see the module docstring)."""
    override = output_dir_override()
    if override is not None:
        return override
    return repo_root() if committed_profile() in (None, profile) else repo_root() / "results" / profile


def environment_output_root() -> Path:
    """The output root of the profile ``IMLP_PROFILE`` names (default ``auto``): for a caller that runs no profile
    of its own (``imlp train``, a ``run_sweep`` without a store)."""
    return output_root(resolve_profile(None).name)


def shown(path: Path) -> str:
    """``path`` as a reader finds it: relative to the repository root where it lies inside it, else absolute."""
    path = Path(path).resolve()
    return str(path.relative_to(repo_root())) if path.is_relative_to(repo_root()) else str(path)


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def figures_dir(root: Path) -> Path:
    """``figures/`` under the output root ``root``, created on demand."""
    return _ensure(Path(root) / "figures")


def results_dir(root: Path) -> Path:
    """``results/`` under the output root ``root``, created on demand."""
    return _ensure(Path(root) / "results")


def runs_dir(root: Path) -> Path:
    """The result store under the output root ``root``: one JSON record per trained I-MLP (``results/runs/``)."""
    return _ensure(results_dir(root) / "runs")
