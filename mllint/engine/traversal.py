"""One walk of a libcst tree that serves every module rule of a file.

This is libcst's batched visiting with three differences a linter needs: a rule
that raises is switched off for the rest of that file and reported (ML000)
while the other rules carry on; the context keeps the chain of ancestors,
which most rules need and which libcst's ParentNodeProvider would otherwise
compute for every node of every file; and the walk reads each node's children
from its fields (:class:`~mllint.syntax.cst.Children`) instead of calling
``node.visit``, which rebuilds every node it passes (for a visitor that changes
nothing, the copy is thrown away: three quarters of a walk's time). The hooks
meet the same nodes in the same order as in a libcst visit. Unless a rule has a
hook for one, the walk does not enter the whitespace, comments and punctuation
that make up three in five of a module's nodes (``TRIVIA``): no other kind of
node is ever inside them.
"""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst

from mllint.engine.context import ModuleContext
from mllint.engine.rules import ModuleRule
from mllint.syntax.cst import Children, trivia_kinds

ErrorHandler = Callable[[type[ModuleRule], BaseException], None]
_Hooks = dict[str, list[tuple[int, ModuleRule, Callable[[cst.CSTNode], object]]]]


#: Kinds of node with nothing but whitespace, comments and punctuation inside them.
TRIVIA: frozenset[type[cst.CSTNode]] = trivia_kinds()


class _Dispatcher:
    """Calls the rules' ``visit_<Node>``/``leave_<Node>`` hooks for one node."""

    def __init__(self, rules: Sequence[ModuleRule], on_error: ErrorHandler) -> None:
        self.on_error = on_error
        self.failed: set[int] = set()
        self.visits: _Hooks = {}
        self.leaves: _Hooks = {}
        for number, rule in enumerate(rules):
            visits, leaves = type(rule).node_hooks
            for node_type in visits:
                self.visits.setdefault(node_type, []).append((number, rule, getattr(rule, f"visit_{node_type}")))
            for node_type in leaves:
                self.leaves.setdefault(node_type, []).append((number, rule, getattr(rule, f"leave_{node_type}")))

    def call(self, table: _Hooks, node: cst.CSTNode) -> None:
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


def run_module_rules(ctx: ModuleContext, rule_classes: Sequence[type[ModuleRule]], on_error: ErrorHandler) -> None:
    """Instantiate the rules for this file and walk its tree once, depth first,
    with an explicit stack (a module nested to ``MAX_NESTING`` needs no deeper
    recursion than the rules' own)."""
    rules: list[ModuleRule] = []
    for rule_class in rule_classes:
        try:
            rules.append(rule_class(ctx))
        except Exception as exc:
            on_error(rule_class, exc)
    assert ctx.module is not None, "tree rules run only on parsed modules"
    dispatcher = _Dispatcher(rules, on_error)
    call, visits, leaves = dispatcher.call, dispatcher.visits, dispatcher.leaves
    hooked = visits.keys() | leaves.keys()
    skipped = frozenset() if any(kind.__name__ in hooked for kind in TRIVIA) else TRIVIA
    children = ctx.shared(Children)
    ancestors = ctx.ancestors
    call(visits, ctx.module)
    ancestors.append(ctx.module)
    stack = [iter(children(ctx.module))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            node = ancestors.pop()
            call(leaves, node)
        elif type(child) not in skipped:
            call(visits, child)
            ancestors.append(child)
            stack.append(iter(children(child)))
