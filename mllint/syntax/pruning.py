"""A module's text with the functions no rule reads left blank, for libcst.

libcst costs about ten times ``ast.parse`` to parse a module and as much again
to walk it and place its nodes, all in proportion to the text. A rule that
judges a few calls, reading the function around each and the module's own
statements (its imports and assignments), needs no other function parsed:
the other functions' lines are left blank, so that every line kept stays on
its line and column, and the positions and fixes the rule reports hold for
the file as it is. On a 2,000-file library the modules with a ``torch.load``
keep a third of their lines.

What is blanked: the module's functions and classes holding none of the
lines asked for, and the methods holding none of them in a class that is
kept. The module's other statements stay whole (an ``if`` block defining a
function included), so a scope table of the module level reads the same.
A line outside every function kept (a call at module level, in a class body,
in a function defined under an ``if``) keeps the whole module: a rule reading
there may read anything.

Cost: linear in the statements of the module level and of its classes, and
in the characters of the text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator

_LINE_BREAKS = re.compile(r"(\r\n|\r|\n)")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def blank_unread_functions(source: str, tree: ast.Module, lines: Collection[int]) -> str | None:
    """*source* with the functions holding none of *lines* blank (see the module
    docstring); None when nothing can be left out. *tree* is *source*'s ``ast``."""
    blank: list[tuple[int, int]] = []
    covered = 0
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            first, last = _span(statement)
            if not any(first <= line <= last for line in lines):
                blank.append((first, last))
                continue
            for method in statement.body:
                if isinstance(method, _FUNCTIONS):
                    covered += _keep_or_blank(method, lines, blank)
        elif isinstance(statement, _FUNCTIONS):
            covered += _keep_or_blank(statement, lines, blank)
    if covered < len(lines) or not blank:
        return None
    return _blanked(source, blank)


def _keep_or_blank(function: ast.AST, lines: Collection[int], blank: list[tuple[int, int]]) -> int:
    """How many of *lines* *function* holds; its span is added to *blank* when none."""
    first, last = _span(function)
    inside = sum(first <= line <= last for line in lines)
    if not inside:
        blank.append((first, last))
    return inside


def _span(definition: ast.AST) -> tuple[int, int]:
    """The lines of a definition, its decorators included."""
    decorators = getattr(definition, "decorator_list", ())
    first = min((decorator.lineno for decorator in decorators), default=definition.lineno)  # type: ignore[attr-defined]
    return first, definition.end_lineno or definition.lineno  # type: ignore[attr-defined]


def _blanked(source: str, spans: list[tuple[int, int]]) -> str:
    """*source* with the lines of *spans* (1-based, inclusive) emptied, their line
    breaks kept: ``ast`` and libcst count lines by the same three breaks."""
    parts = _LINE_BREAKS.split(source)  # line, break, line, break, ..., line
    for line in _lines_of(spans):
        index = 2 * (line - 1)
        if index < len(parts):
            parts[index] = ""
    return "".join(parts)


def _lines_of(spans: list[tuple[int, int]]) -> Iterator[int]:
    for first, last in spans:
        yield from range(first, last + 1)
