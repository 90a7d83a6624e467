"""One libcst traversal that serves every module rule of a file.

This is libcst's batched visiting with two additions a linter needs: a rule
that raises is switched off for the rest of that file and reported (ML000)
while the other rules carry on, and the context keeps the chain of ancestors,
which most rules need and which libcst's ParentNodeProvider would otherwise
compute for every node of every file.
"""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst

from mllint.engine.context import ModuleContext
from mllint.engine.rules import ModuleRule

ErrorHandler = Callable[[type[ModuleRule], BaseException], None]


class _Dispatcher(cst.CSTVisitor):
    def __init__(self, rules: Sequence[ModuleRule], ctx: ModuleContext, on_error: ErrorHandler) -> None:
        super().__init__()
        self.ctx = ctx
        self.on_error = on_error
        self.failed: set[int] = set()
        self.visits: dict[str, list[tuple[int, ModuleRule, Callable[[cst.CSTNode], object]]]] = {}
        self.leaves: dict[str, list[tuple[int, ModuleRule, Callable[[cst.CSTNode], object]]]] = {}
        for number, rule in enumerate(rules):
            visits, leaves = type(rule).node_hooks
            for node_type in visits:
                self.visits.setdefault(node_type, []).append((number, rule, getattr(rule, f"visit_{node_type}")))
            for node_type in leaves:
                self.leaves.setdefault(node_type, []).append((number, rule, getattr(rule, f"leave_{node_type}")))

    def _call(self, table: dict[str, list[tuple[int, ModuleRule, Callable[[cst.CSTNode], object]]]], node: cst.CSTNode) -> None:
        for number, rule, method in table.get(type(node).__name__, ()):
            if number in self.failed:
                continue
            try:
                method(node)
            except Exception as exc:  # one rule's bug must not cost the others' findings
                # (RecursionError included: trees are bounded by MAX_NESTING, so a
                # rule that recurses too deep has a bug of its own)
                self.failed.add(number)
                self.on_error(type(rule), exc)

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._call(self.visits, node)
        self.ctx.ancestors.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.ctx.ancestors.pop()
        self._call(self.leaves, original_node)

    # Attribute hooks (``visit_Call_func``) are not offered to rules; libcst's
    # default looks them up by name on every attribute of every node.
    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


def run_module_rules(ctx: ModuleContext, rule_classes: Sequence[type[ModuleRule]], on_error: ErrorHandler) -> None:
    """Instantiate the rules for this file and visit its tree once."""
    rules: list[ModuleRule] = []
    for rule_class in rule_classes:
        try:
            rules.append(rule_class(ctx))
        except Exception as exc:
            on_error(rule_class, exc)
    assert ctx.module is not None, "tree rules run only on parsed modules"
    ctx.module.visit(_Dispatcher(rules, ctx, on_error))
