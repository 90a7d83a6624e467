"""Positions of reported nodes, found in one code generation per module.

libcst's PositionProvider costs ~14x ``ast.parse`` because it generates code
for the whole module while recording the position of every node. A module's
findings need a handful: they are placed together, after the traversal, by
plain code generation that records only the nodes asked and what is inside
them (:class:`_NodeSpan`) and stops once the last of them is generated. A
module with findings near its top is barely generated at all, and one with a
hundred findings costs one generation, not a hundred.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange

from mllint.syntax.cst import Children, preorder

#: How libcst's position provider splits a token into lines.
_NEWLINE = re.compile(r"\r\n?|\n")


#: Nodes asked one at a time (during a traversal) before every node is placed
#: at once: each single ask generates the module up to its node, so a file with
#: thousands of them would cost a generation each.
SINGLE_ASKS = 8


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._asked = 0
        self._every: dict[cst.CSTNode, CodeRange] | None = None

    def of(self, node: cst.CSTNode) -> CodeRange:
        """Where *node* is; placing several nodes with :meth:`of_all` costs the same as
        one. After ``SINGLE_ASKS`` asks, every node of the module is placed once."""
        if self._every is None:
            self._asked += 1
            if self._asked <= SINGLE_ASKS:
                return self.of_all([node])[node]
            self._every = self.of_all(list(preorder(self.module, children=Children()))[1:])
        return self._every[node]

    def of_all(self, nodes: Collection[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
        """Where each of *nodes* is; a node that is not in the module is left out."""
        return _NodeSpan.find(self.module, nodes) if nodes else {}


class _Stop(Exception):
    """Raised inside code generation once the last node asked is generated."""


class _NodeSpan(CodegenState):
    """Plain code generation that notes where the nodes asked start and end, as
    libcst's PositionProvider places them (their syntactic position: the bounds a
    node records itself, else those of its code with its whitespace), in tokens
    generated so far; only those nodes and what is inside them are noted.

    ``CodegenState`` is not in libcst's public API; its position providers
    subclass it the same way. ``tests/test_positions.py`` compares the two on
    real code, so a change in libcst fails the suite rather than misplaces a
    finding."""

    def __init__(self, module: cst.Module, targets: Collection[cst.CSTNode]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self._targets = {id(node) for node in targets}
        self._remaining = len(self._targets)
        #: how many nodes asked are being generated (they may nest)
        self._open = 0
        self._starts: list[int] = []
        #: node -> (tokens before its start, tokens up to its end)
        self.spans: dict[cst.CSTNode, tuple[int, int]] = {}

    @classmethod
    def find(cls, module: cst.Module, nodes: Collection[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
        state = cls(module, nodes)
        try:
            module._codegen(state)
        except _Stop:
            pass
        return state._ranges([node for node in nodes if node in state.spans])

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self._targets:
            self._open += 1
        if self._open:
            self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if not self._open:
            return
        start = self._starts.pop()
        self.spans.setdefault(node, (start, len(self.tokens)))
        if id(node) in self._targets:
            self._open -= 1
            self._remaining -= 1
            if not self._remaining:
                raise _Stop

    def pop_trailing_newline(self) -> None:
        """Keep the module's last newline: spans count tokens, and no code is wanted."""

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> Iterator[None]:
        start = len(self.tokens)
        yield
        if self._open:
            end = len(self.tokens)
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)

    def _ranges(self, nodes: list[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
        """The ranges of *nodes*' spans, counting lines and columns as the provider
        does, in one pass over the tokens."""
        wanted = {count for node in nodes for count in self.spans[node]}
        found: dict[int, CodePosition] = {0: CodePosition(1, 0)}
        line, column = 1, 0
        for count, token in enumerate(self.tokens[: max(wanted, default=0)], 1):
            parts = _NEWLINE.split(token)
            if len(parts) == 1:
                column += len(token)
            else:
                line += len(parts) - 1
                column = len(parts[-1])
            if count in wanted:
                found[count] = CodePosition(line, column)
        return {node: CodeRange(found[self.spans[node][0]], found[self.spans[node][1]]) for node in nodes}
