"""The walk serving every module rule meets the nodes a libcst visit meets, in the
same order, with the same ancestors (leaving out whitespace and punctuation when
no rule looks at them), and contains a rule's crash."""

from __future__ import annotations

import inspect
from pathlib import Path

import libcst as cst
import pytest

from mllint.engine.context import ModuleContext
from mllint.engine.rules import ModuleRule
from mllint.engine.traversal import TRIVIA, run_module_rules
from mllint.syntax.cst import preorder
from tests.test_values import SYNTAX

#: Every kind of node libcst makes.
KINDS = sorted(
    name for name, kind in vars(cst).items()
    if inspect.isclass(kind) and issubclass(kind, cst.CSTNode) and not inspect.isabstract(kind) and not name.startswith("Base")
)
REAL_MODULES = sorted(Path(__file__).resolve().parents[1].glob("mllint/**/*.py"))[::9]


def _recorder(events: list[tuple[str, int, tuple[int, ...]]], kinds: list[str]) -> type[ModuleRule]:
    """A rule with a visit and a leave hook for each of *kinds*, recording each
    call with the node and the ancestors the context holds at that moment."""

    def hook(event: str):
        def record(self: ModuleRule, node: cst.CSTNode) -> None:
            events.append((event, id(node), tuple(map(id, self.ctx.ancestors))))
        return record

    hooks = {f"{event}_{kind}": hook(event) for kind in kinds for event in ("visit", "leave")}
    return type("Recorder", (ModuleRule,), {"code": "ML998", "name": "recorder", **hooks})


def _libcst_events(module: cst.Module, kinds: list[str]) -> list[tuple[str, int, tuple[int, ...]]]:
    """What libcst's own visit meets of *kinds*, and the ancestors it is inside of."""
    events: list[tuple[str, int, tuple[int, ...]]] = []
    ancestors: list[cst.CSTNode] = []
    wanted = set(kinds)

    class Visit(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if type(node).__name__ in wanted:
                events.append(("visit", id(node), tuple(map(id, ancestors))))
            ancestors.append(node)
            return True

        def on_leave(self, original_node: cst.CSTNode) -> None:
            ancestors.pop()
            if type(original_node).__name__ in wanted:
                events.append(("leave", id(original_node), tuple(map(id, ancestors))))

    module.visit(Visit())
    return events


def _context(module: cst.Module, source: str) -> ModuleContext:
    return ModuleContext("module.py", source, module, None, None)  # type: ignore[arg-type]  # the rules here read neither


SOURCES = [SYNTAX, *(path.read_text() for path in REAL_MODULES)]
NOT_TRIVIA = [kind for kind in KINDS if getattr(cst, kind) not in TRIVIA]


@pytest.mark.parametrize("kinds", [KINDS, NOT_TRIVIA], ids=["every kind", "no trivia"])
@pytest.mark.parametrize("source", SOURCES)
def test_rules_meet_the_nodes_a_libcst_visit_meets(source, kinds):
    """Read from the nodes' fields, the walk must give every hook the node libcst's
    own visit gives it (the same object, not a copy), in the same order, with the
    chain of ancestors libcst's visit is inside of; when no hook is for whitespace
    or punctuation, the walk skips them and the other kinds meet the same."""
    module = cst.parse_module(source)
    events: list[tuple[str, int, tuple[int, ...]]] = []
    crashes: list[BaseException] = []
    run_module_rules(_context(module, source), [_recorder(events, kinds)], lambda rule, exc: crashes.append(exc))
    assert not crashes
    assert events == _libcst_events(module, kinds)


@pytest.mark.parametrize("source", SOURCES)
def test_nothing_but_trivia_is_inside_trivia(source):
    """What lets the walk skip them: no node of another kind is ever inside one."""
    for node in preorder(cst.parse_module(source)):
        if type(node) in TRIVIA:
            inside = {type(inner).__name__ for inner in preorder(node)} - {kind.__name__ for kind in TRIVIA}
            assert not inside, type(node).__name__


def test_a_crashing_rule_is_switched_off_and_the_others_carry_on():
    source = "f(1)\ng(2)\nh(3)\n"
    module = cst.parse_module(source)
    calls: list[str] = []

    class Crashes(ModuleRule):
        code = "ML997"
        name = "crashes"

        def visit_Call(self, node: cst.Call) -> None:
            raise ValueError("boom")

    class Counts(ModuleRule):
        code = "ML996"
        name = "counts"

        def visit_Call(self, node: cst.Call) -> None:
            calls.append(self.ctx.code_for(node.func))

    crashes: list[tuple[type[ModuleRule], BaseException]] = []
    run_module_rules(_context(module, source), [Crashes, Counts], lambda rule, exc: crashes.append((rule, exc)))
    assert [(rule, str(exc)) for rule, exc in crashes] == [(Crashes, "boom")]
    assert calls == ["f", "g", "h"]
