"""The engine has no hidden modes: no module of ``imlp_core`` writes the process's environment, and none keeps a
module-level mutable mode (a list or dict that a context manager or a setter fills, as ``_planned`` was)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "imlp_core"
MODULES = sorted(PACKAGE.glob("*.py"))
# The one write allowed: cuBLAS reads its workspace setting from the environment only, and deterministic GPU runs
# (same seed, same record) need it; it configures the CUDA library, not a mode of this package.
CUDA_LIBRARY_SETTING = {"devices.py": 1}
# The globals allowed: glibc's malloc settings are the process's, and mallopt cannot read them back, so devices.py
# mirrors what it set (whether large allocations are kept in the heap, how deep the blocks that map them apart are
# nested). They decide where memory lives, never what is computed (tests/test_trainer_records.py: records unchanged).
ALLOCATOR_MIRROR = {"devices.py": ["_HEAP_KEPT", "_outside_heap_depth"]}


def is_environ(node: ast.AST) -> bool:
    """``os.environ`` (or a bare ``environ``)."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (isinstance(node, ast.Name)
                                                                           and node.id == "environ")


def environment_writes(tree: ast.AST) -> list[int]:
    """Lines that assign to, delete from or update ``os.environ``, or call ``os.putenv`` / ``os.unsetenv``."""
    lines = []
    for node in ast.walk(tree):
        targets = (node.targets if isinstance(node, ast.Assign) else [node.target]
                   if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else node.targets
                   if isinstance(node, ast.Delete) else [])
        if any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if is_environ(node.func.value) and node.func.attr in ("update", "setdefault", "pop", "popitem", "clear"):
                lines.append(node.lineno)
            if node.func.attr in ("putenv", "unsetenv"):
                lines.append(node.lineno)
    return lines


def module_globals_rebound(tree: ast.Module) -> list[str]:
    """Names that a function of the module rebinds with ``global``: state that calls leave behind for other calls."""
    return [name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names]


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_no_module_writes_the_environment(module):
    writes = environment_writes(ast.parse(module.read_text()))
    assert len(writes) == CUDA_LIBRARY_SETTING.get(module.name, 0), f"{module.name} writes os.environ: lines {writes}"
    if writes:
        assert "CUBLAS_WORKSPACE_CONFIG" in module.read_text().splitlines()[writes[0] - 1]


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_no_module_keeps_a_mode_in_a_global(module):
    tree = ast.parse(module.read_text())
    rebound = sorted(set(module_globals_rebound(tree)))
    assert rebound == ALLOCATOR_MIRROR.get(module.name, []), f"{module.name} rebinds module globals: {rebound}"
    optional_state = [target.id for node in tree.body if isinstance(node, ast.AnnAssign) and node.value is not None
                      and isinstance(node.value, ast.Constant) and node.value.value is None
                      for target in [node.target] if isinstance(target, ast.Name)]
    assert optional_state == [], f"{module.name}: module-level state set later: {optional_state}"


def test_the_checks_catch_what_they_look_for():
    writes = environment_writes(ast.parse(
        "import os\nos.environ['A'] = '1'\nos.environ.update(B='2')\nos.environ.setdefault('C', '3')\nos.putenv('D', '4')\n"
        "x = os.environ.get('E')\n"))
    assert writes == [2, 3, 4, 5]
    tree = ast.parse("_planned: list | None = None\ndef planning():\n    global _planned\n    _planned = []\n")
    assert module_globals_rebound(tree) == ["_planned"]
