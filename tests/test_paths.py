"""Outputs of a profile other than the committed one land beside the committed files, never over them; the output
root is a function of the profile it is asked for and of the settings read at the door, whatever was resolved before."""

from dataclasses import replace
from pathlib import Path

from imlp_core import notebook, paths
from imlp_core.profiles import PROFILES, resolve_profile
from imlp_core.settings import Settings

# This checkout's settings without an output directory (as a reader's environment has none).
COMMITTED = replace(Settings.from_environment(), output_dir=None)


def test_committed_profile_is_a_profile():
    assert COMMITTED.committed_profile in PROFILES


def test_other_profile_writes_beside_committed_outputs():
    other = next(name for name in PROFILES if name != COMMITTED.committed_profile)
    root = COMMITTED.output_root(other)
    assert root == paths.repo_root() / "results" / other
    note = notebook.output_note(root, COMMITTED)
    assert f"`results/{other}/`" in note and "never over them" in note


def test_committed_profile_writes_at_repository_root():
    assert COMMITTED.output_root(COMMITTED.committed_profile) == paths.repo_root()


def test_output_root_is_a_function_of_its_argument():
    """Resolving a profile (a notebook's parameter) changes no later answer: a reader who sets ``profile = "smoke"``
    writes under the smoke profile's root because the notebook passes it on."""
    settings = replace(COMMITTED, profile=COMMITTED.committed_profile)
    before = {name: settings.output_root(name) for name in PROFILES}
    for name in PROFILES:
        resolve_profile(name)
        assert {other: settings.output_root(other) for other in PROFILES} == before
    assert settings.output_root("smoke") == paths.repo_root() / "results" / "smoke"
    assert settings.output_root(settings.profile) == paths.repo_root()  # the profile IMLP_PROFILE names
    assert notebook.Outputs.of("smoke", settings).root == settings.output_root("smoke")


def test_output_dir_overrides_profile(tmp_path):
    settings = replace(COMMITTED, output_dir=tmp_path)
    assert settings.output_root("smoke") == settings.output_root("cpu") == tmp_path
    assert f"`{tmp_path}/`" in notebook.output_note(tmp_path, settings)


def test_files_written_names_the_output_root():
    written = [paths.repo_root() / "results" / "smoke" / "figures" / "03_alpha_sweep_cnn_synthetic.png",
               Path("/elsewhere/figures/x.pdf")]
    assert notebook.files_written(written) == ("Files written: `results/smoke/figures/03_alpha_sweep_cnn_synthetic.png`, "
                                            "`/elsewhere/figures/x.pdf`")
