"""Where things live: every path is resolved from the repository root, never the working directory.

nbval and papermill start kernels in different folders, so notebooks must not rely on `cwd`.

Outputs (figures, tables, runs) go under an *output root* that the caller passes on: :func:`output_root` of the
profile it runs. The profile named in ``results/committed_profile`` (the one the committed figures and tables
came from) writes at the repository root, any other profile beside it in ``results/<profile>/`` (``figures/``,
``results/``, the run store), never over the committed files. An output directory (``IMLP_OUTPUT_DIR``)
redirects every profile's outputs (``make test`` points it at ``build/`` so that smoke-profile outputs never
overwrite the committed ones). Both come as values from the door (``settings.Settings``), which reads them.
"""

from pathlib import Path


def repo_root() -> Path:
    """The checkout that holds the ``imlp_core`` package."""
    return Path(__file__).resolve().parent.parent


COMMITTED_PROFILE_FILE = Path("results") / "committed_profile"


def output_root(profile: str, output_dir: Path | None, committed: str | None) -> Path:
    """Root of figures/ and results/ for the outputs of ``profile`` (a profile's name): ``output_dir`` if given;
    else the repo root for the ``committed`` profile (or when none is) and ``results/<profile>/`` for any other."""
    if output_dir is not None:
        return output_dir
    return repo_root() if committed in (None, profile) else repo_root() / "results" / profile


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
