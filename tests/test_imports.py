"""The package is a one-way street: no import loops among the modules of ``imlp_core`` (imports inside functions
included), nothing imports the command line (``cli.py``) but the package's ``__main__``, and the reading side (the
paper's numbers, claims, statistics, verdicts, the dip analysis, prose, findings, the README blocks, the records)
imports no torch and no training module.

Read with ``ast`` from the source, so an import that only runs on some path counts as well.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "imlp_core"

# The reading side: it computes on records and values, so it needs neither torch nor the training stack.
# (``judged`` and ``readme`` are not of it: they select each claim's runs from the stores by their sweeps' keys, which
# the training side defines, and hand the records to it.)
READING = ("imlp_core.reading.paper", "imlp_core.reading.claims", "imlp_core.reading.inference", "imlp_core.reading.verdicts", "imlp_core.reading.dip",
           "imlp_core.reading.prose", "imlp_core.reading.summaries", "imlp_core.records")
# The torch-free modules outside it that it may import: facts as values, settings, paths, atomic writes.
TORCH_FREE = ("imlp_core", "imlp_core._version", "imlp_core.facts", "imlp_core.options", "imlp_core.profiles",
              "imlp_core.paths", "imlp_core.atomic_writes")
# What importing the reading side may load: itself, the packages that hold it, and the torch-free modules above.
ALLOWED = {*READING, *TORCH_FREE, *(module.rsplit(".", 1)[0] for module in READING)}


def module_name(path: Path) -> str:
    """``imlp_core/a/b.py`` -> ``imlp_core.a.b``; a package's ``__init__.py`` -> the package; a file outside the
    package is read as if it were one of its top-level modules."""
    try:
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    except ValueError:
        parts = ("imlp_core", path.stem)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def internal_imports(path: Path) -> set[str]:
    """The ``imlp_core`` modules the file at ``path`` imports, anywhere in it (``from imlp_core import x`` names
    module ``imlp_core.x`` where ``x`` is one, else the package itself)."""
    modules = {module_name(p) for p in package_files()}
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .x import y (from the file's package)
                package = module_name(path).split(".")[:None if path.stem == "__init__" else -1]
                base = ".".join([*package[:len(package) - node.level + 1], *filter(None, [base])])
            imported |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names}
    return {name for name in imported if name in modules} - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    return {module_name(path): internal_imports(path) for path in package_files()}


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_reader_sees_every_kind_of_import(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("import imlp_core.paths\nfrom imlp_core import models, SweepConfig\n"
                      "def later():\n    from imlp_core.sweep_runner import run_sweep\n    from . import data\n")
    assert internal_imports(source) == {"imlp_core.paths", "imlp_core.models", "imlp_core", "imlp_core.sweep_runner",
                                        "imlp_core.data"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imlp_core_has_no_import_loops():
    assert cycles(import_graph()) == []


def test_nothing_imports_the_command_line_but_the_packages_main():
    importers = sorted(name for name, imports in import_graph().items() if "imlp_core.cli" in imports)
    assert importers == ["imlp_core.__main__"]


def test_every_reading_module_exists():
    assert set(READING) <= set(import_graph()), sorted(set(READING) - set(import_graph()))


def test_the_reading_side_imports_no_training_module():
    graph = import_graph()
    training = {module: sorted(reachable(graph, module) - ALLOWED) for module in READING}
    assert {module: found for module, found in training.items() if found} == {}


def test_the_import_check_sees_a_reading_module_that_imports_a_training_one():
    graph = {**import_graph(), "imlp_core.reading.prose": {"imlp_core.reading.claims", "imlp_core.sweep"}}
    assert "imlp_core.sweep" in reachable(graph, "imlp_core.reading.prose") - ALLOWED


def test_importing_every_reading_module_in_a_fresh_interpreter_loads_no_torch():
    probe = (f"import importlib, json, sys\nfor name in {list(READING)!r}:\n    importlib.import_module(name)\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision', "
             "'imlp_core'))))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         cwd=PACKAGE.parent)
    assert run.returncode == 0, run.stderr[-2000:]
    loaded = json.loads(run.stdout.splitlines()[-1])
    assert [m for m in loaded if not m.startswith("imlp_core")] == []  # no torch, no torchvision
    assert sorted(set(loaded) - ALLOWED) == []
