"""Jupyter notebooks as one lintable Python module.

A notebook is linted as ONE module (names defined in earlier cells are visible in
later ones): the code cells' sources are concatenated, with IPython syntax
neutralised so that libcst can parse the result while every line keeps its
number. Findings on that virtual module are mapped back to (cell, line in cell)
and, for CI formats that anchor annotations to the file itself, to the physical
line of the ``.ipynb`` JSON text.

Placeholder format (what IPython syntax becomes)
------------------------------------------------
Every placeholder keeps the original text *inside a comment*, so nothing is lost
and a rule can still see what the magic was (``#!pip install x``):

===============================  ==========================================
IPython line                     neutralised line
===============================  ==========================================
``%magic args`` / ``!cmd``       ``#%magic args`` / ``#!cmd``
``obj?`` ``obj??`` ``?obj``      ``#obj?`` ...
``/func a`` ``,func a b``        ``#/func a`` ...
``x = !cmd`` / ``x = %magic``    ``x = ...  #!cmd`` (still an assignment)
first line of ``%%time`` etc.    ``#%%time``, the body is linted
``\\``-continued magic lines      each continuation line commented too
a magic that alone fills a       ``pass  #%time f()`` (only inside a block,
block (``if x:\\n    %time f()``)  never at module level)
===============================  ==========================================

A cell that does not parse as it is gets IPython's clean-up first (leading
indentation removed, pasted ``>>>``/``In [n]:`` prompts stripped; see
:func:`_cleaned_up`), as the kernel does before running it: such a cell runs in
Jupyter, so it is not a syntax error. Columns of findings on those lines count
in the cleaned-up text.

Comments are not statements, so a placeholder never counts as "code before the
imports" for rules that care about statement order. Cells whose cell magic runs
something other than Python (``%%bash``, ``%%writefile``, ``%%sql``, ...) are left
out entirely. The magics found are also returned as structured :class:`Magic`
records, so rules (e.g. inline ``pip install``) need not re-parse comments.

mllint never executes notebook code: this module only reads text.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import nbformat

MagicKind = Literal["line_magic", "shell", "help", "autocall", "assign", "cell_magic"]

#: Cell magics whose body is Python run in the kernel (or a Python subprocess):
#: the body is linted, only the ``%%`` line becomes a comment.
PYTHON_CELL_MAGICS = frozenset({"capture", "debug", "prun", "python", "python3", "time", "timeit"})

_NEWLINE = re.compile(r"(\r\n|\r|\n)")
_INDENT = re.compile(r"[ \t\f]*")
_CELL_MAGIC_NAME = re.compile(r"%%([\w.-]*)")
# Characters that change the scanner's state outside strings.
_CODE_SPECIAL = re.compile(r"""[\\'"#()\[\]{}=]""")
_STRING_END = {q: re.compile(r"\\.?|" + re.escape(q)) for q in ("'", '"', "'''", '"""')}
_AUGMENTED_PREFIX = frozenset("=!<>:+-*/%@&|^~")
_AUTOCALL = re.compile(r"[/,;][A-Za-z_]")
#: Line magics IPython's automagic runs without the ``%`` (``pip install x``).
#: Only tried on a cell that does not parse otherwise: ``ls`` may be a variable.
_AUTOMAGIC = re.compile(
    r"(?:pip|conda|mamba|cd|ls|pwd|env|load_ext|matplotlib|time|timeit|run|who|whos|"
    r"mkdir|cat|rm|cp|mv|alias|autoreload|config|history|store|pdb|reset)(?:[ \t]+(?![=\s])|$)"
)
_AUTOMAGIC_LINE = re.compile(r"^[ \t\f]*" + _AUTOMAGIC.pattern, re.MULTILINE)
_MAYBE_IPYTHON = re.compile(r"[!%?]|^[ \t\f]*[/,;]", re.MULTILINE)
_LEADING_INDENT = re.compile(r"[ \t]+")
#: Anchored, as IPython's are: a prompt is removed from a line's start only (an
#: unanchored ``\s*\.{3,}`` would also rescan a line of spaces from each of them).
_CLASSIC_PROMPT = re.compile(r"^(>>>|\.\.\.)( |$)")
_IPYTHON_PROMPT = re.compile(r"^(?:((\[nav\]|\[ins\])? )?In \[\d+\]: |\s*\.{3,}: ?)")
#: (prompt, prompt that may start a cell) of plain Python and of IPython, in IPython's order.
_PROMPTS = ((_CLASSIC_PROMPT, re.compile(r">>>( |$)")), (_IPYTHON_PROMPT, _IPYTHON_PROMPT))


class NotebookError(Exception):
    """Raised when the file is not a usable notebook (-> ML002). str(exc) is a one-line reason."""


@dataclass(frozen=True)
class CellSpan:
    """Where one code cell sits in :attr:`Notebook.python_source`."""

    cell: int  # 1-based index among all cells
    start_line: int  # 1-based line in Notebook.python_source where this cell's code starts
    line_count: int  # number of lines this cell contributes (always >= 1)
    #: characters IPython's clean-up removed at the start of each line (empty: none),
    #: to turn columns in the cleaned code back into columns of the cell
    removed: tuple[int, ...] = ()

    def column_in_cell(self, line_in_cell: int, column: int) -> int:
        """The cell's own column of a column on one of its cleaned lines."""
        if 1 <= line_in_cell <= len(self.removed):
            return column + self.removed[line_in_cell - 1]
        return column


@dataclass(frozen=True)
class CellSyntaxError:
    """A code cell that does not parse even after IPython syntax was neutralised."""

    cell: int
    line: int  # 1-based, within the cell
    column: int  # 1-based
    message: str


@dataclass(frozen=True)
class Magic:
    """One piece of IPython syntax found in a code cell.

    ``text`` is the IPython part only (``!pip install x`` for ``r = !pip install x``),
    with ``\\``-continued lines joined by newlines.
    """

    cell: int  # 1-based index among all cells (0 from neutralise_ipython alone)
    line: int  # 1-based, within the cell
    column: int  # 1-based column of the first character of ``text``
    kind: MagicKind
    text: str


@dataclass
class Notebook:
    """A parsed notebook and the virtual Python module made of its code cells."""

    text: str  # raw file text (JSON)
    node: nbformat.NotebookNode  # upgraded to v4
    python_source: str  # code cells concatenated, IPython neutralised, every line kept
    spans: list[CellSpan]  # one per non-empty code cell in python_source, in order
    syntax_errors: list[CellSyntaxError]  # code cells that still do not parse (left out)
    validation_error: str | None  # schema problem found by nbformat, if still usable
    magics: list[Magic] = field(default_factory=list)  # IPython syntax in code cells
    #: code cells that hold no Python: non-Python cell magics (``%%bash``), and every
    #: code cell of a notebook whose kernel runs another language (``language``)
    skipped_cells: list[int] = field(default_factory=list)
    source_format: int = 4  # nbformat major version of the file on disk
    #: the kernel's language when it is not Python (``"R"``, ``"julia"``), from the metadata
    language: str | None = None
    _physical: list[list[tuple[int, int]] | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def locate(self, line: int) -> tuple[int, int]:
        """Virtual-module line -> (cell, line_in_cell).

        A line just past the end (libcst reports end-of-file positions there) maps
        to the last line of the last cell.
        """
        if not self.spans or line < 1:
            raise ValueError(f"line {line} is not in this notebook's code")
        index = bisect.bisect_right(self.spans, line, key=lambda span: span.start_line) - 1
        span = self.spans[max(index, 0)]
        return span.cell, min(line - span.start_line + 1, span.line_count)

    def column_in_cell(self, cell: int, line_in_cell: int, column: int) -> int:
        """A column of the virtual module's line as a column of the cell's own text
        (they differ where IPython's clean-up removed indentation or prompts)."""
        for span in self.spans:
            if span.cell == cell:
                return span.column_in_cell(line_in_cell, column)
        return column

    def physical_line(self, cell: int, line_in_cell: int) -> int | None:
        """1-based line of the .ipynb file holding that source line.

        Exact when the source is stored as a JSON list of lines; a source stored as
        one JSON string lies on one physical line, which is returned for all its
        lines. None when it cannot be determined (unknown layout, line out of range).
        """
        if self._physical is None:
            self._physical = _source_positions(self.text, self.source_format)
        if not 1 <= cell <= len(self._physical) or cell > len(self.node.cells):
            return None
        elements = self._physical[cell - 1]
        source = self.cell_source(cell)
        if not elements or sum(length for _, length in elements) != len(source):
            return None
        starts = _line_starts(source)
        if not 1 <= line_in_cell <= len(starts):
            return None
        target = starts[line_in_cell - 1]
        offset = 0
        for physical, length in elements:
            if target < offset + length:
                return physical
            offset += length
        return None

    def cell_source(self, cell: int) -> str:
        """Original (un-neutralised) source of a cell; "" when it has no string source."""
        if not 1 <= cell <= len(self.node.cells):
            raise IndexError(f"cell {cell} out of range 1..{len(self.node.cells)}")
        source = _cell_get(self.node.cells[cell - 1], "source")
        return source if isinstance(source, str) else ""


def read_notebook(text: str) -> Notebook:
    """Parse notebook JSON text and build its virtual Python module.

    Raises NotebookError (and nothing else) when the text is not a usable notebook.
    """
    node, major, validation_error = _load(text)
    language = _foreign_language(node)
    builder = _ModuleBuilder()
    for number, cell in enumerate(node.cells, start=1):
        if _cell_get(cell, "cell_type") != "code":
            continue
        if language is not None:  # R, Julia, Scala...: none of its cells is Python
            builder.skipped.append(number)
            continue
        source = _cell_get(cell, "source")
        builder.add(number, source if isinstance(source, str) else "")
    return Notebook(
        text=text,
        node=node,
        python_source="".join(builder.parts),
        spans=builder.spans,
        syntax_errors=builder.syntax_errors,
        validation_error=validation_error,
        magics=builder.magics,
        skipped_cells=builder.skipped,
        source_format=major,
        language=language,
    )


def _foreign_language(node: object) -> str | None:
    """The language of a notebook whose kernel runs another language than Python (an R
    kernel's ``kernelspec.language`` is ``"R"``), as its metadata says; None for Python
    (``python3``, ``pyspark``, ``ipython``) and when the metadata does not say."""
    metadata = node.get("metadata") if isinstance(node, dict) else None
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        part = metadata.get(section) if isinstance(metadata, dict) else None
        value = part.get(key) if isinstance(part, dict) else None
        if isinstance(value, str) and value.strip():
            return None if value.strip().lower().startswith(("py", "ipython")) else value.strip()
    return None


def neutralise_ipython(source: str) -> str | None:
    """Return the cell source with IPython syntax made into valid Python of the SAME
    number of lines; None when the cell must be skipped entirely (a cell magic that
    does not run Python, e.g. ``%%bash``). See the module docstring for the format."""
    return _neutralise(source)[0]


# --- reading -------------------------------------------------------------------


def _load(text: str) -> tuple[nbformat.NotebookNode, int, str | None]:
    """nbformat.reads(text, as_version=4) without its side effects.

    ``nbformat.reads`` logs schema problems on the shared "traitlets" logger and
    warns about missing cell ids; a linter must report those itself, once, as a
    diagnostic. So run its three steps (parse, upgrade, validate) directly with
    warnings silenced. nbformat raises many exception types on malformed input
    (TypeError for a cell that is not an object, AttributeError for a JSON array, ...),
    all of which mean "not a usable notebook".
    """
    # Imported here: nbformat and its schema machinery cost ~0.1 s at start-up,
    # which a pre-commit run over .py files alone should not pay.
    import nbformat
    from nbformat import reader as nbformat_reader

    body = text[1:] if text.startswith("\ufeff") else text
    first = body.lstrip(" \t\r\n")[:1]
    if not first:
        raise NotebookError("empty file, not a notebook")
    if first != "{":
        raise NotebookError("not a notebook: the JSON document is not an object")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = nbformat_reader.reads(body)
            major = nbformat_reader.get_version(raw)[0]
            node = nbformat.convert(raw, 4)
            try:
                nbformat.validate(node)
                validation_error = None
            except nbformat.ValidationError as exc:
                validation_error = _validation_message(exc)
    except nbformat_reader.NotJSONError as exc:
        raise NotebookError(_json_message(exc.__cause__)) from exc
    except (RecursionError, MemoryError) as exc:
        raise NotebookError("JSON too deeply nested or too large to read") from exc
    except (nbformat.NBFormatError, nbformat.ValidationError) as exc:
        raise NotebookError(f"not a usable notebook: {_first_line(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - see docstring: any failure means unusable
        reason = f"{type(exc).__name__}: {_first_line(exc)}"
        raise NotebookError(f"not a usable notebook: malformed structure ({reason})") from exc
    cells = node.get("cells") if isinstance(node, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a usable notebook: no list of cells")
    return node, major if isinstance(major, int) else 4, validation_error


def _json_message(cause: BaseException | None) -> str:
    if isinstance(cause, json.JSONDecodeError):
        hint = " (truncated file?)" if cause.pos >= len(cause.doc.rstrip()) else ""
        return f"invalid JSON{hint}: {cause.msg} at line {cause.lineno} column {cause.colno}"
    return "invalid JSON"


def _validation_message(exc: nbformat.ValidationError) -> str:
    message = getattr(exc, "message", None) or str(exc)
    where = "/".join(str(part) for part in getattr(exc, "absolute_path", ()) or ())
    first = _first_line(message)
    return f"{first} (at {where})" if where else first


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0][:300] if lines else type(value).__name__


def _cell_get(cell: object, key: str) -> object:
    return cell.get(key) if isinstance(cell, dict) else None


# --- building the virtual module ------------------------------------------------


class _ModuleBuilder:
    """Accumulates neutralised code cells into one module with exact line spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[CellSpan] = []
        self.syntax_errors: list[CellSyntaxError] = []
        self.magics: list[Magic] = []
        self.skipped: list[int] = []
        self._next_line = 1

    def add(self, number: int, source: str) -> None:
        code, magics, error = _neutralise_cell(source)
        removed: tuple[int, ...] = ()
        if error is not None:
            code, magics, error, removed = _neutralise_cleaned_up(source) or (code, magics, error, removed)
        span = CellSpan(number, self._next_line, code.count("\n") if code else 0, removed)
        self.magics.extend(
            Magic(number, magic.line, span.column_in_cell(magic.line, magic.column), magic.kind, magic.text)
            for magic in magics
        )
        if code is None:
            self.skipped.append(number)
            return
        if error is not None:
            line, column, message = error
            self.syntax_errors.append(CellSyntaxError(number, line, span.column_in_cell(line, column), message))
            return
        if span.line_count:
            self.spans.append(span)
            self.parts.append(code)
            self._next_line += span.line_count


def _neutralise_cell(source: str) -> tuple[str | None, list[Magic], tuple[int, int, str] | None]:
    """(neutralised and terminated code, magics, first syntax error) of one cell.

    Automagic (``pip install x`` without ``%``) is tried only when the cell does
    not parse otherwise: ``ls`` may be a variable.
    """
    code, magics = _neutralise(source)
    if code is not None and _AUTOMAGIC_LINE.search(source) and _syntax_error(_terminated(code)):
        code, magics = _neutralise(source, automagic=True)
    if code is None:
        return None, magics, None
    code = _terminated(code)
    return code, magics, _syntax_error(code)


def _neutralise_cleaned_up(
    source: str,
) -> tuple[str | None, list[Magic], tuple[int, int, str] | None, tuple[int, ...]] | None:
    """_neutralise_cell of the first clean-up under which the cell parses; when
    none does, of the first clean-up (the error as the kernel would report it);
    with the characters the clean-up removed from each line. None when clean-up
    changes nothing."""
    first = None
    for cleaned in _cleaned_up(source):
        removed = tuple(len(old) - len(new) for old, new in zip(source.splitlines(), cleaned.splitlines()))
        attempt = (*_neutralise_cell(cleaned), removed)
        if attempt[2] is None:
            return attempt
        first = first or attempt
    return first


def _cleaned_up(source: str) -> Iterator[str]:
    """The cell as IPython cleans it up before running it, one candidate per
    IPython behaviour, each with the same number of lines.

    IPython first drops leading blank lines, removes leading indentation and
    strips pasted prompts (``>>> ``, ``... ``, ``In [3]: ``, ``   ...: ``). The
    indentation removed changed in IPython 9.1: before, the first line's
    indentation was removed from every line that starts with it; since, the
    indentation common to all non-blank lines is (``textwrap.dedent``). A cell
    that runs under either is not a syntax error. These are tried only on a cell
    that does not parse as it is (so valid code is never changed); blank leading
    lines are kept, blank, to keep line numbers.
    """
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line and not line.isspace()), len(lines))
    head, body = lines[:start], lines[start:]
    for dedent in (_common_indent_removed, _first_line_indent_removed):
        cleaned = "".join(head + _prompts_stripped(dedent(body)))
        if cleaned != source:
            yield cleaned


def _common_indent_removed(lines: list[str]) -> list[str]:
    """IPython >= 9.1: ``textwrap.dedent`` of the cell."""
    return textwrap.dedent("".join(lines)).splitlines(keepends=True)


def _first_line_indent_removed(lines: list[str]) -> list[str]:
    """IPython < 9.1: the first line's indentation, removed wherever a line starts with it."""
    indent = _LEADING_INDENT.match(lines[0]) if lines else None
    if indent is None:
        return lines
    prefix = indent.group()
    return [line.removeprefix(prefix) for line in lines]


def _prompts_stripped(lines: list[str]) -> list[str]:
    """IPython's prompt strippers: when the first line has a prompt (or the second
    one has a prompt or continuation prompt), one prompt is removed from every line."""
    for prompt, first_prompt in _PROMPTS:
        if lines and (first_prompt.match(lines[0]) or len(lines) > 1 and prompt.match(lines[1])):
            lines = [prompt.sub("", line, count=1) for line in lines]
    return lines


def _terminated(code: str) -> str:
    """``\n`` line breaks, and a final one."""
    code = _NEWLINE.sub("\n", code)
    return code + "\n" if code and not code.endswith("\n") else code


def _syntax_error(code: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first syntax error in *code*, or None."""
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        compile(code, "<cell>", "exec", flags=flags, dont_inherit=True)
    except SyntaxError as exc:
        last_line = max(code.count("\n"), 1)
        line = min(max(exc.lineno or 1, 1), last_line)
        return line, max(exc.offset or 1, 1), exc.msg or "invalid syntax"
    except ValueError as exc:  # NUL bytes (Python < 3.12 raises ValueError)
        nul = code.find("\0")
        line = code.count("\n", 0, nul) + 1 if nul >= 0 else 1
        column = nul - code.rfind("\n", 0, nul) if nul >= 0 else 1
        return line, column, _first_line(exc)
    except (RecursionError, MemoryError):
        return 1, 1, "too deeply nested to parse"
    return None


# --- IPython neutralisation -----------------------------------------------------


@dataclass
class _ScanState:
    """Python tokenizer state carried from one physical line to the next."""

    depth: int = 0  # open brackets
    quote: str | None = None  # delimiter of a string still open at the end of the line
    continued: bool = False  # line ended with a backslash outside a string

    @property
    def at_logical_start(self) -> bool:
        return not (self.depth or self.quote or self.continued)


@dataclass
class _LineScan:
    code_end: int  # index where a comment starts (or the line length)
    magic_assign: int | None  # index of the ! or % after a top-level "="


def _scan_line(line: str, state: _ScanState) -> _LineScan:
    """Advance *state* over one physical line (without its line break).

    A careful line scanner rather than ``tokenize``: tokenize stops at the first
    IPython construct (``!`` is an error token, and Python 3.12 raises), while
    all that matters here is whether the NEXT line starts a logical line.
    Prefixes (r, b, f, ...) need no handling: in every string kind a backslash
    keeps the following quote from closing it.
    """
    starts_logical = state.at_logical_start
    state.continued = False
    pos = 0
    while True:
        if state.quote is not None:
            pos = _skip_string(line, pos, state)
            if state.quote is not None:
                return _LineScan(len(line), None)
        match = _CODE_SPECIAL.search(line, pos)
        if match is None:
            return _LineScan(len(line), None)
        char, index = match.group(), match.start()
        pos = index + 1
        if char in "'\"":
            triple = line.startswith(char * 3, index)
            state.quote = char * 3 if triple else char
            pos = index + (3 if triple else 1)
        elif char == "#":
            return _LineScan(index, None)
        elif char == "\\":
            if index == len(line) - 1:
                state.continued = True
        elif char in "([{":
            state.depth += 1
        elif char in ")]}":
            state.depth = max(state.depth - 1, 0)
        elif starts_logical and state.depth == 0 and _is_assignment(line, index):
            rest = line[index + 1 :].lstrip(" \t")
            if rest[:1] in ("!", "%"):
                magic_at = len(line) - len(rest)
                return _LineScan(magic_at, magic_at)


def _skip_string(line: str, pos: int, state: _ScanState) -> int:
    """Move past the end of the open string; leave state.quote set if it continues."""
    assert state.quote is not None
    pattern = _STRING_END[state.quote]
    while True:
        match = pattern.search(line, pos)
        if match is None:
            if len(state.quote) == 1:  # unterminated single-quoted string: an error
                state.quote = None
            return len(line)
        if match.group() == "\\":  # backslash-newline: the string goes on
            return len(line)
        pos = match.end()
        if match.group()[0] != "\\":
            state.quote = None
            return pos


def _is_assignment(line: str, index: int) -> bool:
    """Is the "=" at *index* a plain assignment (not ==, <=, +=, := ...)?"""
    before = line[index - 1] if index else ""
    after = line[index + 1 : index + 2]
    return before not in _AUGMENTED_PREFIX and after != "="


@dataclass
class _Neutraliser:
    """Rewrites one cell line by line; see the module docstring for the format."""

    magics: list[Magic] = field(default_factory=list)
    automagic: bool = False  # also read ``pip install x`` as ``%pip install x``
    state: _ScanState = field(default_factory=_ScanState)
    # Indentation width of the logical line being scanned.
    logical_indent: int = 0
    # Last statement emitted: its indentation width and whether it opens a block
    # (ends with ":"), to know when a placeholder must be ``pass``.
    last_indent: int = 0
    last_opens_block: bool = False
    # Set while the lines after a magic continued by a backslash, or by a
    # bracket or triple-quoted string it leaves open, are being masked (IPython
    # reads such a magic as one logical line).
    masking: bool = False
    magic_state: _ScanState = field(default_factory=_ScanState)

    def run(self, source: str) -> str | None:
        pieces = _NEWLINE.split(source)
        out: list[str] = []
        first_code_line = True
        for number, body in enumerate(pieces[0::2], start=1):
            ending = pieces[2 * number - 1] if 2 * number - 1 < len(pieces) else ""
            if first_code_line and body.strip(" \t\f"):
                first_code_line = False
                indent_end = _INDENT.match(body).end()
                if body.startswith("%%", indent_end):
                    if not _runs_python(body[indent_end:]):
                        magic = Magic(0, number, indent_end + 1, "cell_magic", body[indent_end:])
                        self.magics.append(magic)
                        return None
                    out.append(self._mask(body, indent_end, number, "cell_magic") + ending)
                    first_code_line = True  # IPython reads the body as a cell: ``%%time`` then ``%%bash``
                    continue
            out.append(self._line(body, number) + ending)
        return "".join(out)

    def _line(self, body: str, number: int) -> str:
        if self.masking:
            return self._continue_masking(body)
        indent_end = _INDENT.match(body).end()
        stripped = body[indent_end:]
        starts_logical = self.state.at_logical_start
        if starts_logical:
            if not stripped or stripped.startswith("#"):
                return body
            kind = _line_kind(stripped, self.automagic)
            if kind is not None:
                return self._mask(body, indent_end, number, kind)
            self.logical_indent = len(body[:indent_end].expandtabs(8))
        scan = _scan_line(body, self.state)
        if scan.magic_assign is not None:
            return self._assign(body, number, scan.magic_assign)
        code = body[: scan.code_end].rstrip()
        if not self.state.at_logical_start or not code:
            return body
        if starts_logical and code.endswith("?"):
            return self._mask(body, indent_end, number, "help")
        self._note_statement(self.logical_indent, opens_block=code.endswith(":"))
        return body

    def _mask(self, body: str, indent_end: int, number: int, kind: MagicKind) -> str:
        """Comment the line out, or make it ``pass`` when it alone fills a block."""
        indent, stripped = body[:indent_end], body[indent_end:]
        self.magics.append(Magic(0, number, indent_end + 1, kind, stripped))
        self._start_masking(stripped)
        width = len(indent.expandtabs(8))
        if self.last_opens_block and width > self.last_indent:
            self._note_statement(width, opens_block=False)
            return f"{indent}pass  #{stripped}"
        return f"{indent}#{stripped}"

    def _assign(self, body: str, number: int, magic_at: int) -> str:
        """``x = !cmd`` -> ``x = ...  #!cmd``: still an assignment to ``x``."""
        text = body[magic_at:]
        self.magics.append(Magic(0, number, magic_at + 1, "assign", text))
        self._start_masking(text)
        self.state.continued = False
        self._note_statement(self.logical_indent, opens_block=False)
        return f"{body[:magic_at]}...  #{text}"

    def _continue_masking(self, body: str) -> str:
        """Comment out one continuation line of the last magic and record its text."""
        last = self.magics[-1]
        self.magics[-1] = Magic(0, last.line, last.column, last.kind, f"{last.text}\n{body}")
        _scan_line(body, self.magic_state)
        self.masking = not self.magic_state.at_logical_start
        indent_end = _INDENT.match(body).end()
        if indent_end == len(body):
            return body
        return f"{body[:indent_end]}#{body[indent_end:]}"

    def _start_masking(self, text: str) -> None:
        """Whether the lines after this magic belong to it: IPython joins lines
        into a logical line by Python's rules (backslashes, open brackets and
        triple-quoted strings) before it looks for magics."""
        self.magic_state = _ScanState()
        _scan_line(text, self.magic_state)
        self.masking = not self.magic_state.at_logical_start

    def _note_statement(self, indent: int, opens_block: bool) -> None:
        self.last_indent = indent
        self.last_opens_block = opens_block


def _runs_python(cell_magic_line: str) -> bool:
    """Does this ``%%name ...`` line run its cell body as Python?"""
    name = _CELL_MAGIC_NAME.match(cell_magic_line)
    return name is not None and name.group(1) in PYTHON_CELL_MAGICS


def _line_kind(stripped: str, automagic: bool = False) -> MagicKind | None:
    """Kind of IPython line starting a logical line (stripped of indentation)."""
    if automagic and _AUTOMAGIC.match(stripped):
        return "line_magic"
    first = stripped[:1]
    if first == "%":
        return "line_magic"
    if first == "!":
        return "shell"
    if first == "?":
        return "help"
    if _AUTOCALL.match(stripped):
        return "autocall"
    return None


def _neutralise(source: str, automagic: bool = False) -> tuple[str | None, list[Magic]]:
    """neutralise_ipython plus the magics found (cell number 0)."""
    if not automagic and not _MAYBE_IPYTHON.search(source):
        return source, []
    neutraliser = _Neutraliser(automagic=automagic)
    return neutraliser.run(source), neutraliser.magics


# --- physical lines in the JSON text --------------------------------------------


def _line_starts(source: str) -> list[int]:
    """Offsets where each line of *source* starts (Python's line breaks)."""
    starts = [0] + [match.end() for match in _NEWLINE.finditer(source)]
    if starts[-1] == len(source):
        starts.pop()
    return starts


_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


class JsonCursor:
    """Walks just the path to cell sources in JSON text, recording string offsets.

    The json module gives no positions; everything off the path (outputs,
    metadata: most of a big notebook) is skipped by the C decoder's raw_decode.
    Public because fixes (``engine/fixes.py``) edit a notebook's JSON in place
    by the same offsets.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith("\ufeff") else 0
        self._decoder = json.JSONDecoder()

    def peek(self) -> str:
        self.pos = _JSON_WS.match(self.text, self.pos).end()
        return self.text[self.pos : self.pos + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"expected {char!r} at offset {self.pos}")
        self.pos += 1

    def string(self) -> tuple[int, str]:
        """(offset, decoded value) of the JSON string at the cursor."""
        self.peek()
        match = _JSON_STRING.match(self.text, self.pos)
        if match is None:
            raise ValueError(f"expected a string at offset {self.pos}")
        self.pos = match.end()
        raw = match.group()
        return match.start(), json.loads(raw) if "\\" in raw else raw[1:-1]

    def skip(self) -> None:
        self.peek()
        self.pos = self._decoder.raw_decode(self.text, self.pos)[1]

    def keys(self) -> Iterator[str]:
        """Keys of the object at the cursor; the caller consumes each value."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            key = self.string()[1]
            self.expect(":")
            yield key
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("}")
            return

    def items(self) -> Iterator[None]:
        """Elements of the array at the cursor; the caller consumes each value."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield None
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]")
            return

    def string_elements(self) -> list[tuple[int, int]] | None:
        """(offset, decoded length) of a string or of each string in an array."""
        if self.peek() == '"':
            offset, value = self.string()
            return [(offset, len(value))]
        if self.peek() != "[":
            self.skip()
            return None
        elements: list[tuple[int, int]] | None = []
        for _ in self.items():
            if self.peek() == '"' and elements is not None:
                offset, value = self.string()
                elements.append((offset, len(value)))
            else:
                self.skip()
                elements = None
        return elements


def _source_positions(text: str, major: int) -> list[list[tuple[int, int]] | None]:
    """Per cell (all cells, in order): (physical line, length) of each source string.

    v4 keeps cells in "cells" with code in "source"; v3 (and v2) in
    "worksheets"[*]."cells" with code in "input". Never raises: [] when the layout
    is not understood.
    """
    cursor = JsonCursor(text)
    cells: list[list[tuple[int, int]] | None] = []
    try:
        for key in cursor.keys():
            if major >= 4 and key == "cells":
                cells = _cells(cursor, major)
            elif major in (2, 3) and key == "worksheets":
                cells = []
                for _ in cursor.items():
                    for sheet_key in cursor.keys():
                        if sheet_key == "cells":
                            cells.extend(_cells(cursor, major))
                        else:
                            cursor.skip()
            else:
                cursor.skip()
    except (ValueError, RecursionError):
        return []
    return _offsets_to_lines(text, cells)


def _cells(cursor: JsonCursor, major: int) -> list[list[tuple[int, int]] | None]:
    cells: list[list[tuple[int, int]] | None] = []
    for _ in cursor.items():
        if cursor.peek() != "{":
            cursor.skip()
            cells.append(None)
            continue
        found: dict[str, list[tuple[int, int]] | None] = {}
        for key in cursor.keys():
            if key in ("source", "input"):
                found[key] = cursor.string_elements()
            else:
                cursor.skip()
        preferred = "input" if major < 4 and "input" in found else "source"
        cells.append(found.get(preferred))
    return cells


def _offsets_to_lines(
    text: str, cells: list[list[tuple[int, int]] | None]
) -> list[list[tuple[int, int]] | None]:
    """Replace text offsets (increasing, as scanned) by 1-based line numbers."""
    line, position = 1, 0
    result: list[list[tuple[int, int]] | None] = []
    for elements in cells:
        if elements is None:
            result.append(None)
            continue
        converted = []
        for offset, length in elements:
            line += text.count("\n", position, offset)
            position = offset
            converted.append((line, length))
        result.append(converted)
    return result
