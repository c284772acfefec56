"""`make reproduce` in the smoke profile: every notebook, figure and table is written, each notebook's report of
what it wrote is checked, and failures are clear."""

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
from imlp_core.notebook import REPORT_KEY
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
    reported = {}
    for name in reproduce.NOTEBOOKS:
        executed = nbformat.read(tmp_path / "results" / "executed" / f"{name}.ipynb", as_version=4)
        reported[name] = {str(path) for path in reproduce.reported_outputs(executed)}
        assert reported[name], f"{name} reported no files"
        assert all((tmp_path / path).is_file() for path in reported[name]), name
    assert {f"figures/03_alpha_sweep_cnn_{d}.{s}" for d in profile.datasets for s in ("png", "pdf")} <= reported["03_alpha_sweep_cnn"]
    assert {"results/03_table1a.csv", "results/03_table1a.md"} <= reported["03_alpha_sweep_cnn"]
    assert {"figures/01_conv_weight_sharing.png", "results/01_scnn_layers.md"} <= reported["01_conv_to_dense"]
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
        from imlp_core.settings import Settings

        store = runs_dir(Settings.from_environment().output_root("smoke"))
        for record in (tmp_path / "results" / "runs").glob("*.json"):
            if not (store / record.name).exists():
                shutil.copy2(record, store / record.name)


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


def reporting_notebook(folder: Path, report: str, write: str = "") -> None:
    """``99_report.ipynb``: writes a table with ``write`` (code), then reports ``report`` (a list literal of paths)."""
    folder.mkdir(parents=True, exist_ok=True)
    setup = "from imlp_core.notebook import Outputs\noutputs = Outputs.of(None)\n" + write
    cells = [new_code_cell(setup), new_code_cell(f"outputs.add(*(outputs.root / p for p in {report}))\noutputs.report()")]
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL_META), folder / "99_report.ipynb")


def test_a_notebook_that_reports_a_file_it_did_not_write_fails_and_says_which(tmp_path):
    reporting_notebook(tmp_path / "nbs", '["results/99_missing.csv"]')
    result = run_reproduce(tmp_path / "out", "--notebooks-dir", str(tmp_path / "nbs"))
    assert result.returncode == 1
    assert "99_report.ipynb reported results/99_missing.csv but did not write it this run" in result.stderr


def test_a_notebook_that_reports_nothing_fails_and_says_how_to_report(tmp_path):
    reporting_notebook(tmp_path / "nbs", "[]", write="(outputs.root / 'results').mkdir(parents=True, exist_ok=True)\n"
                                                     "(outputs.root / 'results' / '99_t.csv').write_text('a')\n")
    result = run_reproduce(tmp_path / "out", "--notebooks-dir", str(tmp_path / "nbs"))
    assert result.returncode == 1 and "reported no files written" in result.stderr and "nb.report()" in result.stderr


def test_notebook_is_up_to_date_only_while_its_inputs_and_the_run_store_are_unchanged(tmp_path):
    profile, root = resolve_profile("smoke"), tmp_path / "out"
    folder = tmp_path / "nbs"
    folder.mkdir()
    path = folder / "99_tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path)
    assert not reproduce.is_up_to_date("99_tiny", profile, folder, root)  # never ran
    report = new_code_cell("nb.report()")
    report.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "Files written: …"},
                                             metadata={REPORT_KEY: ["results/99_tiny.csv"]})]
    nbformat.write(new_notebook(cells=[report]), reproduce.executed_dir(root) / "99_tiny.ipynb")
    reproduce.stamp_path("99_tiny", root).write_text(reproduce.input_stamp("99_tiny", profile, folder, root))
    assert not reproduce.is_up_to_date("99_tiny", profile, folder, root)  # what it reported is gone
    (reproduce.results_dir(root) / "99_tiny.csv").write_text("a")
    assert reproduce.is_up_to_date("99_tiny", profile, folder, root)
    assert not reproduce.is_up_to_date("99_tiny", resolve_profile("cpu"), folder, root)  # another profile
    assert not reproduce.is_up_to_date("99_tiny", profile, folder, root, stored_only=True)  # stored runs only
    moved = {"IMLP_DATASET_CIFAR10": str(tmp_path / "jpeg")}
    assert not reproduce.is_up_to_date("99_tiny", profile, folder, root, dataset_dirs=moved)  # another dataset folder
    runs = reproduce.results_dir(root) / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    (runs / "0123456789abcdef.json").write_text("{}")
    assert not reproduce.is_up_to_date("99_tiny", profile, folder, root)  # the run store changed
    reproduce.stamp_path("99_tiny", root).write_text(reproduce.input_stamp("99_tiny", profile, folder, root))
    assert reproduce.is_up_to_date("99_tiny", profile, folder, root)
    (runs / "0123456789abcdef.json").write_text("[]")  # same name, same size, other contents
    assert not reproduce.is_up_to_date("99_tiny", profile, folder, root)
    reproduce.stamp_path("99_tiny", root).write_text(reproduce.input_stamp("99_tiny", profile, folder, root))
    nbformat.write(new_notebook(cells=[new_code_cell("x = 2")]), path)
    assert not reproduce.is_up_to_date("99_tiny", profile, folder, root)  # a cell changed


def test_every_notebook_reads_the_experiments_that_its_executor_plan_trains():
    """``READS`` (what ``--executor`` trains for ``--only``) against what each notebook names: the experiment of
    ``Notebook.start``, the experiments of ``nb.runs`` and the sweeps of ``experiments`` it calls."""
    import re

    called = {"open_choice_sweep": "open_choices", "interval_sweep": "intervals"}
    assert set(reproduce.READS) == set(reproduce.NOTEBOOKS)
    for name in reproduce.NOTEBOOKS:
        source = "\n".join(cell.source for cell in nbformat.read(repo_root() / "notebooks" / f"{name}.ipynb",
                                                                 as_version=4).cells if cell.cell_type == "code")
        named = set(re.findall(r'Notebook\.start\(profile, "(\w+)"', source))
        for call in re.findall(r"(?:nb\.runs|experiment_runs)\(([^)]*)\)", source):
            named |= set(re.findall(r'"(\w+)"', call))
        named |= {experiment for function, experiment in called.items() if f"{function}(" in source}
        assert set(reproduce.READS[name]) == named, name


def test_only_restricts_the_executor_plan_to_what_the_chosen_notebooks_read():
    cpu = resolve_profile("cpu")
    assert reproduce.experiments_read(["01_conv_to_dense", "02_mixer_to_dense"], cpu) == []
    assert reproduce.experiments_read(["08_open_choices", "03_alpha_sweep_cnn"], cpu) == ["cnn", "open_choices"]
    claims = [name for name in reproduce.NOTEBOOKS if name < "09"]
    assert reproduce.experiments_read(claims, cpu) == [e for e in cpu.experiments if e != "intervals"]
    assert reproduce.experiments_read([*claims, "09_where_the_v_sits"], cpu) == list(cpu.experiments)
    assert reproduce.experiments_read(["99_mine"], cpu) == list(cpu.experiments)  # reads unknown: the whole plan
    assert cpu.experiments[-1] == "held_out" and "held_out" not in resolve_profile("smoke").experiments
