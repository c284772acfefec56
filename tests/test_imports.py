"""The package is a one-way street: no import loops among the modules of ``imlp_core`` (imports inside functions
included), and nothing imports the command line (``cli.py``) but the package's ``__main__``.

Read with ``ast`` from the source, so an import that only runs on some path counts as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "imlp_core"


def module_name(path: Path) -> str:
    return "imlp_core" if path.stem == "__init__" else f"imlp_core.{path.stem}"


def internal_imports(path: Path) -> set[str]:
    """The ``imlp_core`` modules the file at ``path`` imports, anywhere in it (``from imlp_core import x`` names
    module ``imlp_core.x`` where ``x`` is one, else the package itself)."""
    modules = {module_name(p) for p in PACKAGE.glob("*.py")}
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .x import y
                base = ".".join(["imlp_core", *filter(None, [base])])
            imported |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names}
    return {name for name in imported if name in modules} - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    return {module_name(path): internal_imports(path) for path in sorted(PACKAGE.glob("*.py"))}


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
                      "def later():\n    from imlp_core.train import run_sweep\n    from . import data\n")
    assert internal_imports(source) == {"imlp_core.paths", "imlp_core.models", "imlp_core", "imlp_core.train",
                                        "imlp_core.data"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imlp_core_has_no_import_loops():
    assert cycles(import_graph()) == []


def test_nothing_imports_the_command_line_but_the_packages_main():
    importers = sorted(name for name, imports in import_graph().items() if "imlp_core.cli" in imports)
    assert importers == ["imlp_core.__main__"]
