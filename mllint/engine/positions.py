"""Positions of reported nodes, computed per top-level statement.

libcst's PositionProvider costs ~14x ``ast.parse`` because it generates code
for the whole module with position tracking. A finding only needs the
positions inside its own top-level statement: plain code generation (about
12x cheaper) gives each top-level statement's first line, and the provider
then runs on a one-statement module. A node whose statement is unknown (for
example one reported after the traversal) is looked up in a map built once.
"""

from __future__ import annotations

from typing import Mapping

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider


class Positions:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._first_lines: dict[int, int] | None = None
        self._by_statement: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}
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
        """Where *node* is; *statement* is the top-level statement holding it, if known."""
        if statement is None:
            statement = self._owner(node)
        offset = self._statement_lines().get(id(statement)) if statement is not None else None
        if offset is None or statement is None:
            return self._whole_module()[node]
        local = self._by_statement.get(id(statement))
        if local is None:
            alone = self.module.with_changes(header=[], body=[statement])
            local = self._by_statement[id(statement)] = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        where = local.get(node)
        if where is None:
            return self._whole_module()[node]
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
