"""Positions of stdlib ``ast`` nodes in the characters users (and libcst) count.

``ast`` gives columns as UTF-8 byte offsets and counts lines by ``\\n``, ``\\r\\n``
and ``\\r`` only; ``str.splitlines`` would also split on form feeds and other
separators and shift every later line, so the lines are split here the way the
tokenizer does.
"""

from __future__ import annotations

import ast
import re

_NEWLINE = re.compile(r"\r\n|\r|\n")


class AstPositions:
    """1-based line and character column of nodes of one module's ``ast``."""

    def __init__(self, source: str) -> None:
        self._lines = _NEWLINE.split(source)

    def column(self, line: int, byte_offset: int) -> int:
        """The 1-based character column of a byte offset on a 1-based line."""
        if 0 < line <= len(self._lines):
            return len(self._lines[line - 1].encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "ignore")) + 1
        return byte_offset + 1

    def range(self, node: ast.AST) -> tuple[int, int, int, int]:
        """Start line, start column, end line, end column (exclusive), all 1-based."""
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        start = self.column(line, getattr(node, "col_offset", 0))
        end = self.column(end_line, getattr(node, "end_col_offset", None) or 0)
        return line, start, end_line, end

    def text(self, node: ast.AST) -> str:
        """The node's source text (``ast.get_source_segment``, which splits the
        whole module again for each node asked)."""
        line, start, end_line, end = self.range(node)
        if line == end_line:
            return self._lines[line - 1][start - 1:end - 1] if 0 < line <= len(self._lines) else ""
        parts = [self._lines[line - 1][start - 1:], *self._lines[line:end_line - 1], self._lines[end_line - 1][:end - 1]]
        return "\n".join(parts) if 0 < line and end_line <= len(self._lines) else ""
