"""What a notebook's author says about a cell: whether an error it shows is
shown on purpose, or a line is left blank for the reader.

Teaching notebooks show errors on purpose (a traceback to explain a mistake, a
cell that does not parse to show what Python rejects) and say so around it:
the cell is tagged ``raises-exception`` (nbval, Jupyter Book, MyST-NB), a
comment in it or the markdown before or after it names the exception or
speaks of the failure. ML802 (error outputs) and the engine's ML001 (a cell
that does not parse) read the same signs, so that one notebook is judged
alike by both.
"""

from __future__ import annotations

import re

from mllint.syntax.notebooks import Notebook

#: What an author writes next to an error shown on purpose (in the cell's comments
#: or the markdown cell before or after it). Bare "error" is not among them: ML
#: prose is full of squared errors and error rates.
_ON_PURPOSE = re.compile(
    r"(?i)\b(?:rais(?:e[sd]?|ing)|throws?|fail(?:s|ed|ing)?|breaks|crash(?:es|ed)?|errors? out|will error"
    r"|(?:does|do|did|will|would)(?:n'?t| not)(?: it)? work|won'?t work|not working|oops|oh no|uh[- ]oh|whoops"
    r"|on purpose|intentional(?:ly)?|deliberate(?:ly)?|incompatible|mismatch(?:ed)?|(?:to )?fix (?:it|this|that)"
    r"|(?:will|would|to) break|can(?:not|'?t) be \w+|not (?:allowed|supported)"
    r"|(?:an?|another|this|that|same|get|got|gives?|see|produces?|throws?) (?:\w+ )?(?:error|exception))\b"
)
#: The title of a notebook about errors themselves ("Errors and Exceptions",
#: "Errors and Debugging"): every error it shows is an example. Not "error
#: analysis" or "error rates": ML notebooks study a model's errors.
_ERRORS_TOPIC = re.compile(r"(?i)\b(?:exceptions?|debugging|tracebacks?|error handling|handling errors|errors and)\b")
_HEADING = re.compile(r"(?m)^#[ \t]+(.+)$")
#: nbval, Jupyter Book and MyST-NB: the cell is expected to raise.
_EXPECTED_TAGS = frozenset({"raises-exception", "raises_exception"})
#: Words too common to show that a text talks about a given error message.
_COMMON_WORDS = frozenset({
    "that", "this", "these", "those", "with", "have", "from", "were", "should", "would", "could", "there", "their",
    "than", "then", "when", "what", "which", "your", "into", "only", "also", "error", "errors", "none", "true",
    "false", "object", "value", "type", "must", "need", "does", "make", "more", "same", "other",
})


def shown_on_purpose(notebook: Notebook, number: int, name: str, message: str) -> bool:
    """Whether the author says the error of cell *number* (exception *name*, its
    *message*) is shown on purpose: the cell is tagged as raising, the notebook
    is about errors (its title: "Errors and Exceptions"), or its comments,
    the markdown before it or the cell after it name the exception or speak of a
    failure ("this doesn't work", "Oh no! We get a ValueError", "it will break",
    "they cannot be modified"), or the markdown before it or the cell after it
    explains the error in the error's own words ("The shapes aren't aligned"
    after ``shapes (3,) and (5,3) not aligned``)."""
    cell = _cell(notebook, number)
    metadata = cell.get("metadata") if cell is not None else None
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    if isinstance(tags, list) and _EXPECTED_TAGS.intersection(t for t in tags if isinstance(t, str)):
        return True
    if _ERRORS_TOPIC.search(_title(notebook)):
        return True
    before = _markdown_before(notebook, number)
    after = _cell_text(notebook, number + 1)
    text = f"{_comments(notebook.cell_source(number))}\n{before}\n{after}"
    nearby = f"{text}\n{_markdown_above(notebook, number)}"  # naming the exception is said from further up
    named = len(name) > 3 and re.search(rf"\b{re.escape(name)}\b", nearby) is not None
    explained = any(len(_words(message) & _words(around)) >= 2 for around in (before, after))
    return named or explained or _ON_PURPOSE.search(text) is not None


#: An assignment left for the reader to complete: nothing, ``pass`` or only a comment after ``=``.
_BLANK_ASSIGNMENT = re.compile(r"^\s*[\w.\[\]'\", ]+=\s*(?:pass\s*)?(?:#.*)?$")


#: A placeholder for the reader: ``TODO`` (in capitals), ``YOUR CODE HERE``, ``FILL IN``, or a value
#: in angle brackets to put in its place (``api_key = <your-api-key>``, ``<YOUR_TOKEN>``, ``<insert model name>``).
_PLACEHOLDER = re.compile(
    r"\bTODO\b|(?i:\byour\s+code\s+here\b|\bfill\s+(?:me\s+)?in\b|<\s*(?:your|insert|enter|put|add)(?![a-z])[\w .-]*>)"
)
#: How many lines above a syntax error a placeholder may be (an empty body is found on the next statement).
_PLACEHOLDER_REACH = 3


def left_blank(notebook: Notebook, number: int, line: int) -> bool:
    """Whether cell *number* fails to parse where a blank is left for the reader
    to fill in: an assignment left blank (``batch_size = ``, ``loss = pass``,
    ``model = # train(...)``), or a placeholder on the failing line or just above
    it (``Conv2D('''TODO''')`` with its commas left out, a function whose body
    is ``# TODO``): a course's exercise or project template, unfinished on purpose."""
    lines = notebook.cell_source(number).splitlines()
    if not 0 < line <= len(lines):
        return False
    nearby = lines[max(0, line - 1 - _PLACEHOLDER_REACH):line]
    return _BLANK_ASSIGNMENT.match(lines[line - 1]) is not None or any(_PLACEHOLDER.search(text) for text in nearby)


def _title(notebook: Notebook) -> str:
    """The notebook's title: the first top-level heading among its first cells."""
    for number in range(1, 6):
        if _cell_kind(notebook, number) == "markdown":
            heading = _HEADING.search(notebook.cell_source(number))
            if heading is not None:
                return heading.group(1)
    return ""


def _cell(notebook: Notebook, number: int) -> dict | None:
    cells = notebook.node.get("cells")
    cell = cells[number - 1] if isinstance(cells, list) and 1 <= number <= len(cells) else None
    return cell if isinstance(cell, dict) else None


def _cell_kind(notebook: Notebook, number: int) -> object:
    """Cell *number*'s ``cell_type``; None out of range."""
    cell = _cell(notebook, number)
    return cell.get("cell_type") if cell is not None else None


def _cell_text(notebook: Notebook, number: int) -> str:
    """What a reader reads in cell *number*: a markdown cell's text, a code cell's
    comments; "" for other cells and numbers out of range."""
    kind = _cell_kind(notebook, number)
    if kind not in ("markdown", "code"):
        return ""
    source = notebook.cell_source(number)
    return source if kind == "markdown" else _comments(source)


def _comments(source: str) -> str:
    return "\n".join(line.split("#", 1)[1] for line in source.splitlines() if "#" in line)


def _markdown_before(notebook: Notebook, number: int) -> str:
    """The markdown cell that introduces cell *number*: the one just above it, or
    above the magic lines that set it up (``%xmode Plain``, ``%%time``), which
    sit between a sentence and the cell it speaks of; "" when there is none."""
    above = number - 1
    while _cell_kind(notebook, above) == "code" and _only_magics(notebook.cell_source(above)):
        above -= 1
    return notebook.cell_source(above) if _cell_kind(notebook, above) == "markdown" else ""


def _markdown_above(notebook: Notebook, number: int, code_cells: int = 2) -> str:
    """The nearest markdown cell above cell *number*, past at most *code_cells* code
    cells (``index()`` "raises a ``ValueError``" above ``find()``, then ``index()``)."""
    above = number - 1
    while _cell_kind(notebook, above) == "code" and code_cells > 0:
        above, code_cells = above - 1, code_cells - 1
    return notebook.cell_source(above) if _cell_kind(notebook, above) == "markdown" else ""


def _only_magics(source: str) -> bool:
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return bool(lines) and all(line.startswith(("%", "!")) for line in lines)


def _words(text: str) -> set[str]:
    """Distinctive words of a text, lower case and singular."""
    lowered = (word.lower() for word in re.findall(r"[A-Za-z]{4,}", text))
    return {word.removesuffix("s") for word in lowered if word not in _COMMON_WORDS}
