"""What a name was last bound to before a node, read from one visit of its scope."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from mllint.analysis.values import ScopeTable
from mllint.syntax.cst import Children, preorder


def _first_use(module: cst.Module) -> cst.BaseExpression:
    """The argument of the first ``use(...)`` call, wherever it is."""
    found: list[cst.BaseExpression] = []

    class Uses(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value == "use" and not found:
                found.append(node.args[0].value)

    module.visit(Uses())
    return found[0]


@pytest.mark.parametrize(
    ("code", "bound"),
    [
        ("x = 1\nx = 2\nuse(x)\nx = 3\n", "2"),
        ("x = 1\nx = use(x)\n", "use(x)"),  # the statement around the use binds before it
        ("y = x = 1\nuse(x)\n", "1"),
        ("a, (b, x) = pair\nuse(x)\n", "pair"),
        ("x: int = 4\nuse(x)\n", "4"),
        ("x: int\nuse(x)\n", None),  # annotated, not assigned
        ("with open(path) as x:\n    use(x)\n", "open(path)"),
        ("import x.y\nuse(x)\n", "<imported>"),
        ("from m import y as x\nx = 2\nuse(x)\n", "2"),
        ("x = 2\nfrom m import y as x\nuse(x)\n", "<imported>"),
        ("use(x)\nx = 1\n", None),
        ("def f():\n    x = 9\nuse(x)\n", None),  # a function's names are its own
        ("f = lambda x=1: x\nuse(x)\n", None),
        # a use in a function or a class body is not the module's code: every module-level binding precedes it
        ("def f():\n    use(x)\nx = 5\n", "5"),
        ("x = 1\nclass C:\n    x = 2\n    use(x)\nx = 3\n", "3"),
    ],
)
def test_the_last_binding_before_a_use_at_module_level(code, bound):
    module = cst.parse_module(code)
    found = ScopeTable(module).last_binding("x", _first_use(module))
    if found is None or found.value is None:
        shown = None if found is None else "<imported>"
    else:
        shown = module.code_for_node(found.value)
    assert shown == bound


def test_a_function_table_reads_its_own_code_up_to_the_use():
    module = cst.parse_module("x = 0\n\ndef f(x):\n    x = 1\n    use(x)\n    x = 2\n")
    function = module.body[1]
    assert isinstance(function, cst.FunctionDef)
    found = ScopeTable(function).last_binding("x", _first_use(module))
    assert found is not None and module.code_for_node(found.value) == "1"


def test_the_calls_before_a_node_are_those_the_scope_makes_first():
    module = cst.parse_module("a()\nb(c())\nuse(d())\ne()\n\ndef f():\n    g()\n")
    names = [cst.Module([]).code_for_node(call.func) for call in ScopeTable(module).calls_before(_first_use(module))]
    assert names == ["a", "b", "c", "use"]  # not the call in the use, nor after it, nor in f


def test_preorder_meets_the_nodes_a_libcst_visit_meets_in_the_same_order():
    module = cst.parse_module("import os\n\ndef f(a, b=g(1)):\n    return [x for x in a if h(x)]\n\nclass C:\n    y = lambda: 2\n")

    class Visit(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.met: list[cst.CSTNode] = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            self.met.append(node)
            return not isinstance(node, cst.ClassDef) or node is module

    visit = Visit()
    module.visit(visit)
    assert list(preorder(module, lambda node: isinstance(node, cst.ClassDef))) == visit.met
    assert len(list(preorder(module))) > len(visit.met)


#: Syntax whose nodes have optional parts present and absent, for ``children``.
SYNTAX = '''\
import os, sys as system
from . import (a, b as c)
x: int = 1; y = z = (w := 2)
async def f(p, /, q: int = 1, *r, s=2, **t) -> "T":
    async with open(p) as one, open(q):
        pass
    async for i in aiter():
        yield i
    await g(*r, **t)
@decorate(1)
class K(Base, metaclass=M):
    "doc"
    def m(self): return [v for v in self if v if not v] or {k: v for k, v in {}.items()} or {*x, *y}
try:
    pass
except* (ValueError, TypeError) as error:
    raise RuntimeError from error
else:
    del x
finally:
    global g
match command:
    case [first, *rest] if first: pass
    case {"k": v, **others}: pass
    case Point(x=0, y=_) | None: pass
print(f"{x!r:>{width}} {y=}", x[1:2, ::3], -x ** 2, not x, x if y else z, lambda q=1, *a: q, 1 < x <= 3, ...)
assert x, "message"
while x: break
'''


@pytest.mark.parametrize("source", [SYNTAX, *(path.read_text() for path in sorted(Path(__file__).resolve().parents[1].glob("mllint/**/*.py"))[:40])])
def test_children_read_from_fields_are_libcsts_children(source):
    """``Children`` learns each kind of node's field order from libcst's answer
    once, then reads the fields: it must give libcst's children, in order, for
    every node (the walk reading them too)."""
    children = Children()
    for node in preorder(cst.parse_module(source), children=children):
        expected = node.children
        found = children(node)
        assert len(found) == len(expected) and all(a is b for a, b in zip(found, expected)), type(node).__name__
