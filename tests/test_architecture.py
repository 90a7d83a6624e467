"""The package's layers, checked from its imports.

Every import counts: at module level, inside functions, under ``TYPE_CHECKING``
and through ``importlib.import_module``. A module may import its own layer or
the layers below it, never one above, and no chain of imports may come back to
where it started. The checker is run on small packages that reproduce the
cycles this layout removed, so it is shown to catch them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mllint
from mllint.testkit import write_files

#: What each layer may import besides itself. ``mllint`` (the version) and
#: ``mllint.data`` (package data) are open to all; the applications (the CLI,
#: ``python -m mllint``, the test kit, the rule loader) may import everything.
MAY_IMPORT = {
    "syntax": set(),
    "project": {"syntax"},
    "engine": {"syntax", "project"},
    "analysis": {"engine", "project", "syntax"},
    "checks": {"analysis", "engine", "project", "syntax"},
    "reporters": {"engine", "project", "syntax"},
}
APPLICATIONS = {"cli", "testkit", "plugins", "__main__"}


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package under *root*."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    assert package in found, f"{root} is not the package {package}"
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that *name* imports, however it imports them."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()

    def add(dotted: str) -> None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        if dotted:
            targets.add(dotted)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}".rstrip(".")
            for alias in node.names:
                add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        elif isinstance(node, ast.Call) and _is_import_module(node) and node.args:
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                add(argument.value)
            elif isinstance(argument, ast.JoinedStr):  # f"{__name__}.{x}": any module of this package
                prefix = name + "."
                targets.update(m for m in modules if m.startswith(prefix) and "." not in m[len(prefix):])
    targets.discard(name)
    return targets


def _is_import_module(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("import_module", "__import__")
    )


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    modules = module_files(root, package)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One representative cycle per strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> str | None:
    """The layer of a module: its folder under the package; None for the open modules."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "data":
        return None
    assert parts[1] in MAY_IMPORT or parts[1] in APPLICATIONS, f"{module} is in no layer: add its folder to MAY_IMPORT"
    return parts[1]


def forbidden_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports from a layer into one it may not use (a layer above it, or beside it)."""
    found = []
    for source, targets in graph.items():
        layer = layer_of(source)
        if layer is None or layer in APPLICATIONS:
            continue
        for target in targets:
            other = layer_of(target)
            if other is not None and other != layer and other not in MAY_IMPORT[layer]:
                found.append(f"{source} -> {target}")
    return sorted(found)


# -- mllint itself -------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(Path(mllint.__file__).parent, "mllint")


def test_no_import_cycles(graph):
    assert cycles(graph) == []


def test_no_layer_imports_a_layer_above_or_beside_it(graph):
    assert forbidden_imports(graph) == []


def test_one_module_loads_the_rules(graph):
    importers = {source for source, targets in graph.items() if any(t.startswith("mllint.checks") for t in targets)}
    assert {m for m in importers if not m.startswith("mllint.checks")} == {"mllint.plugins"}


def test_no_module_level_caches():
    """Per-run state lives in the run's context, not in module globals."""
    offenders = []
    for path in Path(mllint.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    called = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
                    if name in ("lru_cache", "cache"):
                        offenders.append(f"{path.name}:{node.lineno} @{name}")
            if isinstance(node, ast.Name) and node.id in ("WeakKeyDictionary", "WeakValueDictionary"):
                offenders.append(f"{path.name}:{node.lineno} {node.id}")
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.Dict, ast.List)) and not (
                node.value.keys if isinstance(node.value, ast.Dict) else node.value.elts
            ):
                offenders.append(f"{path.name}:{node.lineno} empty mutable global")
    assert offenders == []


# -- the checker catches what the old layout did --------------------------------

OLD_CYCLES = {
    "config, framework and context (lazy and TYPE_CHECKING imports)": {
        "pkg/__init__.py": "",
        "pkg/engine/__init__.py": "",
        "pkg/engine/config.py": "from pkg.engine.framework import all_rules\n",
        "pkg/engine/framework.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.engine.context import ModuleContext\n"
        ),
        "pkg/engine/context.py": "def options():\n    from pkg.engine.config import convert_option\n",
    },
    "all_rules() imports the rules that import the framework": {
        "pkg/__init__.py": "",
        "pkg/engine/__init__.py": "",
        "pkg/engine/framework.py": "def all_rules():\n    import pkg.checks\n",
        "pkg/checks/__init__.py": (
            "import importlib, pkgutil\nfor m in pkgutil.iter_modules(__path__):\n"
            "    importlib.import_module(f'{__name__}.{m.name}')\n"
        ),
        "pkg/checks/data.py": "from pkg.engine.framework import Rule\n",
    },
    "the reporters package and its text format": {
        "pkg/__init__.py": "",
        "pkg/reporters/__init__.py": "def reporters():\n    from pkg.reporters import text\n",
        "pkg/reporters/text.py": "from pkg.reporters import ReportOptions\n",
    },
}


@pytest.mark.parametrize("files", OLD_CYCLES.values(), ids=OLD_CYCLES.keys())
def test_the_checker_finds_the_old_cycles(tmp_path, files):
    write_files(tmp_path, files)
    assert cycles(import_graph(tmp_path / "pkg", "pkg")) != []


def test_the_checker_finds_an_upward_import(tmp_path):
    write_files(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/reporters/__init__.py": "",
        "pkg/reporters/sarif.py": "from pkg.checks.security import Secret\n",
        "pkg/checks/__init__.py": "",
        "pkg/checks/security.py": "Secret = 1\n",
    })
    assert forbidden_imports(import_graph(tmp_path / "pkg", "pkg")) == ["pkg.reporters.sarif -> pkg.checks.security"]
