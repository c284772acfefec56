"""A student's lab (``imlp_core.lab``): two notebooks of one name in different folders keep different checkpoints,
in the JupyterLab server that ``make lab`` starts (its REST API: create a checkpoint, then restore it)."""

from __future__ import annotations

import json
import os
import urllib.request

import nbformat
import pytest

from imlp_core import lab
from imlp_core.paths import repo_root


def test_checkpoint_paths_keep_each_notebooks_folder(tmp_path):
    checkpoints = lab.CheckpointsByFolder(root_dir=str(tmp_path), checkpoint_dir=str(tmp_path / "checkpoints"))
    top = checkpoints.checkpoint_path("checkpoint", "01_conv_to_dense.ipynb")
    exercise = checkpoints.checkpoint_path("checkpoint", "/exercises/01_conv_to_dense.ipynb")
    assert top == str(tmp_path / "checkpoints" / "01_conv_to_dense-checkpoint.ipynb")
    assert exercise == str(tmp_path / "checkpoints" / "exercises" / "01_conv_to_dense-checkpoint.ipynb")


def api(server: lab.Lab, method: str, path: str, body: dict | None = None) -> dict | list | None:
    request = urllib.request.Request(f"http://{lab.HOST}:{server.port}/api/contents/{path}?token={server.token}",
                                     method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


@pytest.mark.slow
def test_two_notebooks_of_one_name_in_different_folders_get_different_checkpoints(tmp_path):
    root, checkpoints = tmp_path / "notebooks", tmp_path / "checkpoints"
    for folder, words in (("", "the committed notebook"), ("exercises", "a student's exercise")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(words)]),
                       root / folder / "01_conv_to_dense.ipynb")
    env = {**os.environ, "PYTHONPATH": str(repo_root())}  # the server imports this checkout's CheckpointsByFolder
    server = lab.start(checkpoints=checkpoints, root=root, env=env, log=tmp_path / "jupyterlab.log")
    try:
        for path in ("01_conv_to_dense.ipynb", "exercises/01_conv_to_dense.ipynb"):
            api(server, "POST", f"{path}/checkpoints")
        saved = sorted(str(p.relative_to(checkpoints)) for p in checkpoints.rglob("*.ipynb"))
        assert saved == ["01_conv_to_dense-checkpoint.ipynb", "exercises/01_conv_to_dense-checkpoint.ipynb"]
        api(server, "POST", "01_conv_to_dense.ipynb/checkpoints/checkpoint")  # File > Revert to checkpoint
        restored = nbformat.read(root / "01_conv_to_dense.ipynb", as_version=4)
        assert restored.cells[0].source == "the committed notebook"
    finally:
        server.stop()
