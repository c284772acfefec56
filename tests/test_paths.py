"""Outputs of a profile other than the committed one land beside the committed files, never over them; the output
root is a function of the profile it is asked for, whatever was resolved before."""

from pathlib import Path

import pytest

from imlp_core import notebook, paths
from imlp_core.profiles import PROFILES, resolve_profile


@pytest.fixture
def no_output_dir(monkeypatch):
    """No ``IMLP_OUTPUT_DIR`` (restored afterwards)."""
    monkeypatch.delenv("IMLP_OUTPUT_DIR", raising=False)


def test_committed_profile_is_a_profile():
    assert paths.committed_profile() in PROFILES


def test_other_profile_writes_beside_committed_outputs(no_output_dir):
    other = next(name for name in PROFILES if name != paths.committed_profile())
    root = paths.output_root(other)
    assert root == paths.repo_root() / "results" / other
    assert f"`results/{other}/`" in notebook.output_note(root) and "never over them" in notebook.output_note(root)


def test_committed_profile_writes_at_repository_root(no_output_dir):
    assert paths.output_root(paths.committed_profile()) == paths.repo_root()


def test_output_root_is_a_function_of_its_argument(no_output_dir, monkeypatch):
    """Resolving a profile (a notebook's parameter) or setting ``IMLP_PROFILE`` changes no later answer: a reader who
    sets ``profile = "smoke"`` writes under the smoke profile's root because the notebook passes it on."""
    monkeypatch.setenv("IMLP_PROFILE", paths.committed_profile())
    before = {name: paths.output_root(name) for name in PROFILES}
    for name in PROFILES:
        resolve_profile(name)
        assert {other: paths.output_root(other) for other in PROFILES} == before
    assert paths.output_root("smoke") == paths.repo_root() / "results" / "smoke"
    assert paths.environment_output_root() == paths.repo_root()  # the profile IMLP_PROFILE names
    assert notebook.Outputs.of("smoke").root == paths.output_root("smoke")


def test_output_dir_overrides_profile(no_output_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("IMLP_OUTPUT_DIR", str(tmp_path))
    assert paths.output_root("smoke") == paths.output_root("cpu") == tmp_path
    assert f"`{tmp_path}/`" in notebook.output_note(tmp_path)


def test_files_written_names_the_output_root():
    written = [paths.repo_root() / "results" / "smoke" / "figures" / "03_alpha_sweep_cnn_synthetic.png",
               Path("/elsewhere/figures/x.pdf")]
    assert notebook.files_written(written) == ("Files written: `results/smoke/figures/03_alpha_sweep_cnn_synthetic.png`, "
                                            "`/elsewhere/figures/x.pdf`")
