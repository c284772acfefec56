"""`make reproduce` in the smoke profile: every notebook, figure and table is written, and failures are clear."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from imlp_core import reproduce
from imlp_core.paths import repo_root
from imlp_core.profiles import resolve_profile

KERNEL_META = {"kernelspec": {"display_name": "Python (imlp)", "language": "python", "name": "imlp"}}


def run_reproduce(output: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "IMLP_PROFILE": "smoke", "IMLP_OUTPUT_DIR": str(output)}
    env.pop("IMLP_UPDATE_NOTEBOOKS", None)
    return subprocess.run([sys.executable, "-m", "imlp_core.reproduce", "--no-progress", *args], cwd=repo_root(),
                          env=env, capture_output=True, text=True, timeout=1200)


def broken_notebook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    parameters = new_code_cell("profile = None")
    parameters.metadata["tags"] = ["parameters"]
    notebook = new_notebook(cells=[new_markdown_cell("# broken"), parameters, new_code_cell("x = 1"),
                                   new_code_cell("raise ValueError('the cell that breaks')")], metadata=KERNEL_META)
    path = folder / "99_broken.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_smoke_reproduce_writes_every_figure_table_and_executed_notebook(tmp_path):
    result = run_reproduce(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    profile = resolve_profile("smoke")
    for name in reproduce.NOTEBOOKS:
        assert (tmp_path / "results" / "executed" / f"{name}.ipynb").is_file(), name
        for path in reproduce.expected_outputs(name, profile):
            assert (tmp_path / path).is_file(), f"{name} did not write {path}"
    assert "summary" in result.stdout and "files written" in result.stdout
    for name in reproduce.NOTEBOOKS:
        assert name in result.stdout.split("summary", 1)[1]
    executed = nbformat.read(tmp_path / "results" / "executed" / "03_alpha_sweep_cnn.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    assert not any(o.get("name") == "stderr" and "%|" in o.get("text", "")
                   for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    # Warm the store that `make test` runs nbval against next (same configs, same records), so the
    # notebooks' nbval pass reads runs instead of training them a second time.
    if os.environ.get("IMLP_OUTPUT_DIR"):
        from imlp_core.paths import runs_dir

        for record in (tmp_path / "results" / "runs").glob("*.json"):
            if not (runs_dir() / record.name).exists():
                shutil.copy2(record, runs_dir() / record.name)


def test_failing_notebook_is_named_with_its_cell_and_error(tmp_path):
    folder = tmp_path / "nbs"
    broken_notebook(folder)
    result = run_reproduce(tmp_path / "out", "--notebooks-dir", str(folder))
    assert result.returncode == 1
    message = result.stderr
    assert "FAILED" in message and "99_broken.ipynb" in message
    # parameters, papermill's injected parameters, x = 1, then the failing cell: In [4]
    assert "In [4]" in message and "ValueError: the cell that breaks" in message
    assert "raise ValueError" in message  # the cell's source
    partial = tmp_path / "out" / "results" / "executed" / "99_broken.ipynb"
    assert str(partial) in message and partial.is_file()


def test_injected_parameters_are_dropped_when_notebooks_are_updated(tmp_path):
    parameters = new_code_cell("profile = None")
    parameters.metadata["tags"] = ["parameters"]
    injected = new_code_cell('profile = "cpu"')
    injected.metadata["tags"] = ["injected-parameters"]
    notebook = new_notebook(cells=[parameters, injected, new_code_cell("print(profile)")])
    notebook.metadata["papermill"] = {"input_path": "/abs/notebooks/03_x.ipynb", "output_path": "/abs/out/03_x.ipynb"}
    cleaned = reproduce.without_injected_parameters(notebook)
    assert [c.source for c in cleaned.cells] == ["profile = None", "print(profile)"]
    assert cleaned.metadata["papermill"]["output_path"] == "notebooks/03_x.ipynb"


def test_progress_bars_are_stripped_but_other_stderr_kept():
    cell = new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="cnn x3:  40%|████      | 4/10\r"),
                    nbformat.v4.new_output("stream", name="stderr", text="UserWarning: something real\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="10%|\n")]
    stripped = reproduce.strip_progress_bars(new_notebook(cells=[cell]))
    assert [o.text for o in stripped.cells[0].outputs] == ["UserWarning: something real\n", "10%|\n"]


def test_expected_outputs_name_every_dataset_of_the_profile():
    profile = resolve_profile("smoke")
    paths = {str(p) for p in reproduce.expected_outputs("03_alpha_sweep_cnn", profile)}
    assert {f"figures/03_alpha_sweep_cnn_{d}.{s}" for d in profile.datasets for s in ("png", "pdf")} <= paths
    assert {"results/03_table1a.csv", "results/03_table1a.md"} <= paths


def test_notebook_is_up_to_date_only_while_its_inputs_and_the_run_store_are_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("IMLP_OUTPUT_DIR", str(tmp_path / "out"))
    profile = resolve_profile("smoke")
    folder = tmp_path / "nbs"
    folder.mkdir()
    path = folder / "99_tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path)
    assert not reproduce.is_up_to_date("99_tiny", profile, folder)  # never ran
    (reproduce.executed_dir() / "99_tiny.ipynb").write_text("{}")
    reproduce.stamp_path("99_tiny").write_text(reproduce.input_stamp("99_tiny", profile, folder))
    assert reproduce.is_up_to_date("99_tiny", profile, folder)
    assert not reproduce.is_up_to_date("99_tiny", resolve_profile("cpu"), folder)  # another profile
    runs = reproduce.results_dir() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    (runs / "0123456789abcdef.json").write_text("{}")
    assert not reproduce.is_up_to_date("99_tiny", profile, folder)  # the run store changed
    reproduce.stamp_path("99_tiny").write_text(reproduce.input_stamp("99_tiny", profile, folder))
    nbformat.write(new_notebook(cells=[new_code_cell("x = 2")]), path)
    assert not reproduce.is_up_to_date("99_tiny", profile, folder)  # a cell changed
