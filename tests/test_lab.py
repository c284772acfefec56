"""``make lab``'s JupyterLab: local only, on notebooks/, checkpoints and autosave away from the committed notebooks."""

import json
import sys

from imlp_core import lab
from imlp_core.paths import repo_root


def test_lab_serves_the_notebooks_on_localhost_with_checkpoints_elsewhere(tmp_path):
    command = lab.lab_command(8899, "secret", tmp_path / "checkpoints", open_browser=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]  # this environment's JupyterLab and kernel
    assert "--ServerApp.ip=127.0.0.1" in command and "--ServerApp.port_retries=0" in command
    assert f"--ServerApp.root_dir={repo_root() / 'notebooks'}" in command
    assert f"--FileCheckpoints.checkpoint_dir={(tmp_path / 'checkpoints').resolve()}" in command


def test_settings_overrides_turn_autosave_off_and_keep_other_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                                "@jupyterlab/docmanager-extension:plugin": {"autosaveInterval": 60}}))
    assert lab.write_settings_overrides() == path
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/docmanager-extension:plugin"] == {"autosaveInterval": 60, "autosave": False}
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert settings["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True


def test_notebook_url_opens_one_notebook_in_a_fresh_workspace():
    server = lab.Lab(process=None, port=8899, token="secret")
    assert server.url == "http://127.0.0.1:8899/lab?token=secret"
    assert server.notebook_url("01_conv_to_dense.ipynb") == \
        "http://127.0.0.1:8899/lab/tree/01_conv_to_dense.ipynb?reset&token=secret"
