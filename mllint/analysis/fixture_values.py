"""What a pytest fixture hands a test: whether its value is a path in the
temporary folder pytest made for the test run.

A test that loads ``torch.load(weights_path)`` reads what a fixture returned; when
the fixture built that path from ``tmp_path``, ``tmpdir`` or
``tmp_path_factory.mktemp(...)`` (and wrote the file there), only this test run
wrote it (``mllint.analysis.provenance``, ``Source.TEST_RUN``). Fixtures are
looked up as pytest resolves them: in the test's own module, then in the
``conftest.py`` files above it, nearest first. Only a module-level function
decorated as a fixture is read, from the stdlib ``ast`` tree the project index
holds; its ``return`` and ``yield`` values are followed through the function's
single assignments, ``/``, ``os.path.join``, ``str()``, ``Path()`` and
f-strings. Anything else (a parameter of another name, a call, an attribute,
a name assigned twice) is not a temporary path.

Cost: one pass over a module's top-level statements per fixture name asked
about, and a walk of the fixture's body: O(statements).
"""

from __future__ import annotations

import ast
import enum

from mllint.engine.context import ModuleContext
from mllint.project.index import dotted_name
from mllint.project.pytest_config import conftest_paths

#: pytest's fixtures giving a test a fresh temporary folder, and the factories making one (``mktemp``).
TEMPORARY_FIXTURES = frozenset({"tmp_path", "tmpdir"})
TEMPORARY_FACTORIES = frozenset({"tmp_path_factory", "tmpdir_factory"})
#: Calls whose result is the path they are given (``str(p)``, ``os.path.join(folder, "m.pt")``).
_PATH_CALLS = frozenset({"str", "Path", "PurePath", "join", "joinpath", "fspath", "with_suffix", "with_name",
                         "as_posix", "resolve", "absolute"})


class _Part(enum.Enum):
    """What part of a path an expression is."""

    TEMPORARY = "temporary"  # the temporary folder, or a path under it
    CONSTANT = "constant"  # a literal: a name under some folder
    OTHER = "other"


def temporary_fixture(ctx: ModuleContext, name: str) -> bool:
    """Whether the fixture *name*, as a test of the module sees it, returns or
    yields a path in the test run's temporary folder."""
    for path in [ctx.path, *conftest_paths(ctx.path, ctx.project.file_set)]:
        tree = ctx.index.tree(path)
        fixture = _fixture_named(tree, name) if tree is not None else None
        if fixture is not None:
            return _gives_a_temporary_path(fixture)
    return False


def _fixture_named(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and _fixture_name(node) == name:
            return node
    return None


def _fixture_name(function: ast.FunctionDef) -> str | None:
    """The name pytest knows the fixture by (``@pytest.fixture(name=...)`` or its own); None if no fixture."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (dotted_name(target) or "").rsplit(".", 1)[-1] != "fixture":
            continue
        named = [k.value.value for k in getattr(decorator, "keywords", ())
                 if k.arg == "name" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
        return named[0] if named else function.name
    return None


def _gives_a_temporary_path(fixture: ast.FunctionDef) -> bool:
    parameters = {a.arg for a in [*fixture.args.posonlyargs, *fixture.args.args, *fixture.args.kwonlyargs]}
    assigned: dict[str, ast.expr | None] = {}
    values: list[ast.expr] = []
    for node in _own_nodes(fixture):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            assigned[target] = None if target in assigned else node.value  # assigned twice: unknown
        elif isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
            values.append(node.value)
    return bool(values) and all(_part(v, parameters, assigned, 0) is _Part.TEMPORARY for v in values)


def _own_nodes(function: ast.FunctionDef) -> list[ast.AST]:
    """The nodes of *function*'s body, not those of functions or classes defined in it."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return found


def _part(node: ast.expr, parameters: set[str], assigned: dict[str, ast.expr | None], depth: int) -> _Part:
    if depth > 8:
        return _Part.OTHER
    if isinstance(node, ast.Constant):
        return _Part.CONSTANT if isinstance(node.value, str) else _Part.OTHER
    if isinstance(node, ast.Name):
        if node.id in TEMPORARY_FIXTURES and node.id in parameters:
            return _Part.TEMPORARY
        value = assigned.get(node.id)
        return _part(value, parameters, assigned, depth + 1) if value is not None else _Part.OTHER
    if isinstance(node, ast.BinOp):
        return _combine([_part(node.left, parameters, assigned, depth + 1),
                         _part(node.right, parameters, assigned, depth + 1)])
    if isinstance(node, ast.JoinedStr):
        parts = [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
        return _combine([_part(p, parameters, assigned, depth + 1) for p in parts])
    if isinstance(node, ast.Call):
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr == "mktemp" and isinstance(func.value, ast.Name)
                and func.value.id in TEMPORARY_FACTORIES and func.value.id in parameters):
            return _Part.TEMPORARY
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if last in _PATH_CALLS:
            given: list[ast.expr] = list(node.args)
            if isinstance(func, ast.Attribute) and last not in ("join", "fspath"):
                given.insert(0, func.value)  # ``folder.joinpath("m.pt")``, not ``os.path.join``
            return _combine([_part(a, parameters, assigned, depth + 1) for a in given])
    return _Part.OTHER


def _combine(parts: list[_Part]) -> _Part:
    """A path under the temporary folder when one part is it and the rest are literals."""
    if not parts or _Part.OTHER in parts:
        return _Part.OTHER
    return _Part.TEMPORARY if _Part.TEMPORARY in parts else _Part.CONSTANT
