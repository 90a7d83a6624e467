"""Positions of reported nodes, computed per top-level statement.

libcst's PositionProvider costs ~14x ``ast.parse`` because it generates code
for the whole module with position tracking. A finding only needs the
positions inside its own top-level statement: plain code generation (about
12x cheaper) gives each top-level statement's first line, and the position
is then found in a one-statement module. The first node asked in a statement
is found by plain code generation that counts tokens only while it generates
that node (:class:`_NodeSpan`, about 6x cheaper than the provider on a large
function); a statement asked again gets the provider's map, kept. A node
whose statement is unknown (for example one reported after the traversal) is
looked up in a map built once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Mapping

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

#: How libcst's position provider splits a token into lines.
_NEWLINE = re.compile(r"\r\n?|\n")


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._first_lines: dict[int, int] | None = None
        self._by_statement: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}
        #: id(top-level statement) of those a node was found in once
        self._asked: set[int] = set()
        self._whole: Mapping[cst.CSTNode, CodeRange] | None = None
        self._owners: dict[int, cst.CSTNode] | None = None

    def _statement_lines(self) -> dict[int, int]:
        """id(top-level statement) -> 0-based line where its code (leading lines included) starts."""
        if self._first_lines is None:
            line = len(self.module.header)
            self._first_lines = {}
            for statement in self.module.body:
                self._first_lines[id(statement)] = line
                line += self.module.code_for_node(statement).count("\n")
        return self._first_lines

    def _whole_module(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._whole is None:
            self._whole = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        return self._whole

    def _owner(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The top-level statement holding *node* (map built on first need)."""
        if self._owners is None:
            self._owners = {}
            for statement in self.module.body:
                statement.visit(_OwnerMap(self._owners, statement))
        return self._owners.get(id(node))

    def of(self, node: cst.CSTNode, statement: cst.CSTNode | None) -> CodeRange:
        """Where *node* is; *statement* is the top-level statement holding it, if
        known. A report made once a traversal has left the statement (in
        ``leave_Module``) names something else: the owner is then looked up,
        which costs one visit of the module, not a whole-module position pass."""
        where = self._within(node, statement) if statement is not None else None
        if where is None:
            owner = self._owner(node)
            where = self._within(node, owner) if owner is not None and owner is not statement else None
        return where if where is not None else self._whole_module()[node]

    def _within(self, node: cst.CSTNode, statement: cst.CSTNode) -> CodeRange | None:
        """Where *node* is, found in the top-level *statement*; None when it is not there."""
        offset = self._statement_lines().get(id(statement))
        if offset is None:
            return None
        local = self._by_statement.get(id(statement))
        if local is not None:
            where = local.get(node)
        else:
            alone = self.module.with_changes(header=[], body=[statement])
            if id(statement) not in self._asked:  # the first node asked here: count tokens
                self._asked.add(id(statement))
                where = _NodeSpan.find(alone, node)
            else:  # asked again: the provider's map of the statement, kept
                local = self._by_statement[id(statement)] = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
                where = local.get(node)
        if where is None:
            return None
        return CodeRange(
            CodePosition(where.start.line + offset, where.start.column),
            CodePosition(where.end.line + offset, where.end.column),
        )


class _OwnerMap(cst.CSTVisitor):
    def __init__(self, owners: dict[int, cst.CSTNode], statement: cst.CSTNode) -> None:
        super().__init__()
        self.owners = owners
        self.statement = statement

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.owners[id(node)] = self.statement
        return True


class _NodeSpan(CodegenState):
    """Plain code generation that notes where one node's code starts and ends, as
    libcst's PositionProvider places it (its syntactic position: the bounds a node
    records itself, else those of its code with its whitespace), in tokens
    generated so far; only the node and what is inside it are noted.

    ``CodegenState`` is not in libcst's public API; its position providers
    subclass it the same way. ``tests/test_positions.py`` compares the two on
    real code, so a change in libcst fails the suite rather than misplaces a
    finding."""

    def __init__(self, module: cst.Module, target: cst.CSTNode) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self._target = target
        self._inside = False
        self._starts: list[int] = []
        #: node -> (tokens before its start, tokens up to its end)
        self.spans: dict[cst.CSTNode, tuple[int, int]] = {}

    @classmethod
    def find(cls, module: cst.Module, node: cst.CSTNode) -> CodeRange | None:
        """Where *node* is in *module*; None when it is not there."""
        state = cls(module, node)
        module._codegen(state)
        span = state.spans.get(node)
        return state._range(*span) if span is not None else None

    def before_codegen(self, node: cst.CSTNode) -> None:
        if node is self._target:
            self._inside = True
        if self._inside:
            self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if self._inside:
            start = self._starts.pop()
            self.spans.setdefault(node, (start, len(self.tokens)))
            if node is self._target:
                self._inside = False

    def pop_trailing_newline(self) -> None:
        """Keep the module's last newline: spans count tokens, and no code is wanted."""

    @contextmanager
    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> Iterator[None]:
        start = len(self.tokens)
        yield
        if self._inside:
            end = len(self.tokens)
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)

    def _range(self, start: int, end: int) -> CodeRange:
        """The positions after *start* and after *end* tokens, counted as the provider does."""
        line, column = 1, 0
        found: dict[int, CodePosition] = {0: CodePosition(1, 0)}
        for count, token in enumerate(self.tokens[:end], 1):
            parts = _NEWLINE.split(token)
            if len(parts) == 1:
                column += len(token)
            else:
                line += len(parts) - 1
                column = len(parts[-1])
            if count in (start, end):
                found[count] = CodePosition(line, column)
        return CodeRange(found[start], found[end])
