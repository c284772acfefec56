"""Settings are read at the door: only the entry points read the environment (``settings.Settings.from_environment``),
every documented variable is one of its fields, and each reaches the field it names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from imlp_core.paths import COMMITTED_PROFILE_FILE
from imlp_core.settings import Settings, TrainingSettings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "imlp_core"
MODULES = sorted(PACKAGE.rglob("*.py"))  # subpackages (the wings) included
# The doors: the settings module that reads the environment, and the entry points that call it (the command line,
# make reproduce, a notebook's first cell, make lab, make assignments, which hands its environment to a kernel).
DOORS = {"settings.py", "cli.py", "__main__.py", "reproduce.py", "notebook.py", "lab.py", "assignments.py"}
# Where the environment is written (``tests/test_no_hidden_modes.py`` counts those): not a read.
WRITES = {"update", "setdefault", "pop", "popitem", "clear"}
# Variables only the tests and the Makefile's test targets read (their own switches, not the engine's).
TEST_VARIABLES = {"IMLP_BROWSER_SCREENSHOTS_TO", "IMLP_BROWSER_SEED_RUNS", "IMLP_CHROMIUM", "IMLP_SITE",
                  "IMLP_SITE_SCREENSHOTS_TO"}


def environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read the environment: ``os.environ`` used otherwise than as a write's target (``[...]``, ``.get``,
    ``in``, iteration, ``**``), ``os.getenv``, or ``environ`` / ``getenv`` imported from ``os``."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            lines += [node.lineno for alias in node.names if alias.name in ("environ", "getenv", "getenvb")]
        if isinstance(node, ast.Attribute) and node.attr in ("getenv", "getenvb"):
            lines.append(node.lineno)
        is_environ = ((isinstance(node, ast.Attribute) and node.attr in ("environ", "environb"))
                      or (isinstance(node, ast.Name) and node.id == "environ"))
        if not is_environ:
            continue
        parent = parents.get(node)
        written = ((isinstance(parent, ast.Subscript) and isinstance(parent.ctx, (ast.Store, ast.Del)))
                   or (isinstance(parent, ast.Attribute) and parent.attr in WRITES))
        if not written:
            lines.append(node.lineno)
    return sorted(set(lines))


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_below_the_doors_reads_the_environment(module):
    if module.name in DOORS:
        return
    reads = environment_reads(ast.parse(module.read_text()))
    assert reads == [], (f"{module.name} reads the environment (lines {reads}): take the setting as a value from "
                         f"the door (imlp_core.settings.Settings)")


def test_the_doors_are_modules_of_the_package():
    assert DOORS <= {module.name for module in MODULES}


def test_the_marker_file_is_read_only_by_the_settings_module():
    readers = [module.name for module in MODULES if "COMMITTED_PROFILE_FILE" in module.read_text()]
    assert sorted(readers) == ["paths.py", "settings.py"]  # paths.py names it, settings.py reads it


def test_the_read_check_catches_what_it_looks_for():
    source = ("import os\nfrom os import environ\na = os.environ['A']\nb = os.environ.get('B')\nc = 'C' in os.environ\n"
              "d = os.getenv('D')\ne = [v for v in os.environ]\nf = {**os.environ}\nos.environ['G'] = '1'\n"
              "os.environ.setdefault('H', '2')\ndel os.environ['I']\n")
    assert environment_reads(ast.parse(source)) == [2, 3, 4, 5, 6, 7, 8]


def documented_variables() -> set[str]:
    """The ``IMLP_*`` variables the README and docs/*.md name (``IMLP_DATASET_<NAME>``, ``IMLP_SLURM_<OPTION>``: their
    prefix)."""
    text = "\n".join(path.read_text() for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    names = set(re.findall(r"IMLP_[A-Z0-9_]+", text)) - TEST_VARIABLES
    return {re.sub(r"^(IMLP_DATASET_|IMLP_SLURM_).*", r"\1", name) for name in names}


def test_every_documented_variable_changes_the_settings(tmp_path):
    default = Settings.from_environment({}, root=tmp_path)
    examples = {"IMLP_DATASET_": "IMLP_DATASET_CIFAR10", "IMLP_SLURM_": "IMLP_SLURM_PARTITION"}
    ignored = [name for name in sorted(documented_variables())
               if all(Settings.from_environment({examples.get(name, name): value}, root=tmp_path) == default
                      for value in ("7", "0"))]
    assert ignored == [], f"documented but not read at the door (imlp_core/settings.py): {ignored}"


def test_each_variable_reaches_its_field(tmp_path):
    (tmp_path / COMMITTED_PROFILE_FILE).parent.mkdir()
    (tmp_path / COMMITTED_PROFILE_FILE).write_text("cpu\n")
    settings = Settings.from_environment({
        "IMLP_PROFILE": "smoke", "IMLP_OUTPUT_DIR": "build/out", "IMLP_STORED_RUNS_ONLY": "1",
        "IMLP_UPDATE_NOTEBOOKS": "0", "IMLP_EXECUTOR": "processes", "IMLP_JOBS": "3", "IMLP_MEMORY_BUDGET_GB": "5.5",
        "IMLP_SLURM_PARTITION": "gpu", "IMLP_SLURM_TIME_MIN": "30", "IMLP_LAB_PORT": "8899",
        "CUDA_VISIBLE_DEVICES": "3,5", "IMLP_DATA_DIR": "/data", "IMLP_DATASET_CIFAR10": "/jpeg", "IMLP_DATASET_X": "",
        "IMLP_CHECKPOINT_EVERY_S": "0", "IMLP_CPU_HEAP": "0", "IMLP_CUDA_GRAPHS": "0", "IMLP_TEST_PAUSE_AT": "epoch:2",
        "IMLP_TEST_RESUME_FILE": "/tmp/go"}, root=tmp_path)
    assert (settings.profile, settings.output_dir, settings.committed_profile) == ("smoke", tmp_path / "build/out",
                                                                                  "cpu")
    assert (settings.stored_only, settings.update_notebooks) == (True, False)
    assert (settings.executor, settings.jobs) == ("processes", 3)
    assert (settings.memory_budget, settings.lab_port, settings.visible_gpus) == ("5.5", 8899, "3,5")
    assert settings.slurm == {"PARTITION": "gpu", "TIME_MIN": "30"}
    assert settings.training == TrainingSettings(Path("/data"), {"IMLP_DATASET_CIFAR10": "/jpeg"}, 0.0, False, False,
                                                 "epoch:2", Path("/tmp/go"))
    assert settings.output_root("paper") == tmp_path / "build/out"


def test_an_empty_environment_gives_the_defaults(tmp_path):
    settings = Settings.from_environment({}, root=tmp_path)
    assert settings == Settings() and settings.training == TrainingSettings()
    assert settings.output_root("paper") == settings.output_root("smoke")  # no marker: every profile at the root
