"""Outputs of a profile other than the committed one land beside the committed files, never over them."""

from pathlib import Path

import pytest

from imlp_core import notebook, paths, profiles
from imlp_core.profiles import PROFILES, resolve_profile


@pytest.fixture
def no_output_dir(monkeypatch):
    """No ``IMLP_OUTPUT_DIR`` and no profile resolved yet in this process (restored afterwards)."""
    monkeypatch.delenv("IMLP_OUTPUT_DIR", raising=False)
    monkeypatch.setattr(profiles, "_active_profile", None)


def test_committed_profile_is_a_profile():
    assert paths.committed_profile() in PROFILES


def test_other_profile_from_environment_writes_beside_committed_outputs(no_output_dir, monkeypatch):
    other = next(name for name in PROFILES if name != paths.committed_profile())
    monkeypatch.setenv("IMLP_PROFILE", other)
    assert paths.output_root() == paths.repo_root() / "results" / other
    assert f"`results/{other}/`" in notebook.output_note() and "never over them" in notebook.output_note()


def test_committed_profile_writes_at_repository_root(no_output_dir, monkeypatch):
    monkeypatch.setenv("IMLP_PROFILE", paths.committed_profile())
    assert paths.output_root() == paths.repo_root()


def test_notebook_parameter_overrides_environment(no_output_dir, monkeypatch):
    """A reader who sets ``profile = "smoke"`` in a notebook's parameters cell must not write over the committed files."""
    monkeypatch.setenv("IMLP_PROFILE", paths.committed_profile())
    resolve_profile("smoke")
    assert paths.output_root() == paths.repo_root() / "results" / "smoke"


def test_output_dir_overrides_profile(no_output_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("IMLP_OUTPUT_DIR", str(tmp_path))
    resolve_profile("smoke")
    assert paths.output_root() == tmp_path
    assert f"`{tmp_path}/`" in notebook.output_note()


def test_files_written_names_the_output_root():
    written = [paths.repo_root() / "results" / "smoke" / "figures" / "03_alpha_sweep_cnn_synthetic.png",
               Path("/elsewhere/figures/x.pdf")]
    assert notebook.files_written(written) == ("Files written: `results/smoke/figures/03_alpha_sweep_cnn_synthetic.png`, "
                                            "`/elsewhere/figures/x.pdf`")
