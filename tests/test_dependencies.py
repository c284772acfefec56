"""The dependencies are written once: ``environment.yml`` (conda) installs exactly what ``pyproject.toml`` declares
(the package, its dev and its site extras)."""

import pytest
import yaml

from conftest import REPO_ROOT

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11


def test_environment_yml_pip_list_is_pyprojects_dependencies_and_extras():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    declared = [*project["dependencies"], *extras["dev"], *extras["site"], "-e ."]
    environment = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    [pip] = [entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict) and "pip" in entry]
    assert pip == declared, "environment.yml's pip list must be, in order:\n" + "\n".join(f"      - {d}" for d in declared)
    requires = project["requires-python"].removeprefix(">=")
    [python] = [entry for entry in environment["dependencies"] if isinstance(entry, str) and entry.startswith("python=")]
    assert tuple(map(int, python.removeprefix("python=").split("."))) >= tuple(map(int, requires.split(".")))
