"""Cheaper walks over stdlib ``ast`` trees, in the order ``ast.walk`` gives.

``ast.walk`` visits every node, and a third of a module's nodes are leaves
nothing is ever looked up in (literals, a name's load/store context,
operators), while statements - what imports and assignments are - only ever
nest in statements. Analyses that run on many modules walk only what can hold
what they seek, and keep ``ast.walk``'s breadth-first order, so that where
something occurs twice the same occurrence still comes first (or last).

Cost: ``statements`` is linear in the statements (and ``except`` handlers and
``match`` cases) under the block, ``without_leaves`` in the nodes that are not
leaves; both keep a queue of at most one level of the tree. ``children`` is
linear in the node's fields and their items.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator

LEAVES: frozenset[type[ast.AST]] = frozenset({
    ast.Constant,
    *(kind for base in (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
      for kind in base.__subclasses__()),
})
"""Node types with nothing under them but plain values: literals, the load/store
context of a name, operators."""

BLOCKS = ("body", "handlers", "orelse", "finalbody", "cases")
"""The fields that hold nested statements (directly, or in ``except`` handlers and
``match`` cases), in the order ``ast.iter_child_nodes`` yields them."""


def statements(block: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of *block* and every statement nested in them, in the order
    ``ast.walk`` meets them when it walks a node whose body is *block*.

    Statements nest only in statements (their blocks, ``except`` handlers and
    ``match`` cases), never in expressions, so expressions - most of a tree's
    nodes - are not visited.
    """
    pending: deque[ast.AST] = deque(block)
    while pending:
        node = pending.popleft()
        if isinstance(node, ast.stmt):
            yield node
        for field_name in BLOCKS:
            pending.extend(getattr(node, field_name, ()))


def children(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, read from the node's fields directly:
    a walk calling it for each of a project's nodes saves two generator frames
    per node."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    found.append(item)
    return found


def without_leaves(root: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk(root)`` without the ``LEAVES``, and without descending into names
    (whose only child is their context): the same nodes otherwise, in the same order."""
    pending: deque[ast.AST] = deque([root])
    while pending:
        node = pending.popleft()
        yield node
        if type(node) is not ast.Name:
            pending.extend(child for child in children(node) if type(child) not in LEAVES)
