"""The text a notebook publishes besides its Python code.

A committed notebook carries more than code: the outputs of its code cells
(printed tokens, data frames of customers, tracebacks) and its markdown and raw
cells. The code rules never see this text; the rules that look for credentials
(ML602) and personal data (ML605) read it through these functions, as the
human-readable text a reader of the notebook would see: streams,
``text/plain``, ``text/markdown``, ``text/html`` with its tags removed, and
error tracebacks without terminal colour codes. Images and other binary
outputs are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mllint.analysis.secrets import html_to_text
from mllint.syntax.notebooks import Notebook

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def as_text(value: object) -> str:
    """A notebook string field, stored as one string or as a list of lines."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def _output_texts(output: object) -> Iterator[str]:
    """The human-readable text of one notebook output."""
    if not isinstance(output, dict):
        return
    kind = output.get("output_type")
    if kind == "stream":
        yield as_text(output.get("text"))
    elif kind in ("execute_result", "display_data", "update_display_data"):
        data = output.get("data")
        if isinstance(data, dict):
            for mime in ("text/plain", "text/markdown"):
                yield as_text(data.get(mime))
            yield html_to_text(as_text(data.get("text/html")))
    elif kind == "error":
        traceback = output.get("traceback")
        lines = [line for line in traceback if isinstance(line, str)] if isinstance(traceback, list) else []
        yield _ANSI.sub("", "\n".join([as_text(output.get("evalue")), *lines]))


def _cells(notebook: Notebook) -> Iterator[tuple[int, dict]]:
    """(1-based cell number among all cells, cell) for every well-formed cell."""
    cells = notebook.node.get("cells")
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if isinstance(cell, dict):
            yield number, cell


def output_texts_by_cell(notebook: Notebook) -> Iterator[tuple[int, Iterator[str]]]:
    """(1-based cell number among all cells, the texts of its outputs in order) for
    every code cell, so that a rule can report once per cell what its outputs show."""
    for number, cell in _cells(notebook):
        if cell.get("cell_type") == "code":
            found = cell.get("outputs")
            outputs: list[object] = found if isinstance(found, list) else []
            yield number, (text for output in outputs for text in _output_texts(output))


def text_cells(notebook: Notebook) -> Iterator[int]:
    """The 1-based numbers of markdown and raw cells: committed with the notebook
    like code, but never parsed as Python."""
    for number, cell in _cells(notebook):
        if cell.get("cell_type") in ("markdown", "raw"):
            yield number
