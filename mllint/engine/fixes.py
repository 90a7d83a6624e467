"""Applying fixes: what ``mllint check --fix``, ``--diff`` and ``--unsafe-fixes`` do.

A finding's fix is a set of text edits (``Edit``: 1-based lines and columns of
the text the rules saw). Applying them must never cost a byte the user wrote:

- Edits go into the file's exact text: its encoding, byte order mark and line
  endings are kept, and only the replaced spans change. A fix is applied only
  if the line its finding reports still reads as it did when it was linted.
- Fixes of one file whose edits overlap cannot be applied together: the first
  in file order wins and the others wait for the next pass, which re-lints the
  fixed files and so gets fixes made for the new text (at most MAX_PASSES).
- The fixed text is parsed again; a fix that would leave code that does not
  parse is dropped and reported, and the file gets the others.
- A file is written atomically (a temporary file in its folder, then
  ``os.replace``) with its mode kept, and only while its bytes are still those
  the fixes were made for: a file edited during the run is not overwritten.
- In a notebook the edits are in the coordinates of the finding's cell (see
  :func:`cell_fix`). Only the JSON text of the changed cells' ``source`` values
  is replaced, in the layout the file already uses (one string, or a list of
  lines separated as the file separates them; unchanged lines keep their JSON
  text), so outputs, metadata, ids, key order, indentation and the trailing
  newline stay byte for byte. A notebook whose layout cannot be kept is not
  written, and the reason is reported.
- A notebook rule's fix may instead clear the outputs of its cell
  (``Fix.clear_outputs``, always unsafe: outputs are results). Only the JSON
  text of that cell's ``outputs`` value changes, to ``[]``; its
  ``execution_count`` is kept, so the fix removes exactly what was reported
  and the cell still says it ran (what Jupyter's "Clear Output" of one cell
  does). ``--diff`` shows it as ``path:cell N: outputs cleared (K outputs)``.
"""

from __future__ import annotations

import ast
import difflib
import io
import itertools
import json
import os
import re
import stat
import tempfile
import tokenize
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from mllint.engine.findings import Edit, Finding, Fix
from mllint.engine.loading import deep_recursion
from mllint.engine.sources import SourceError, decode_python
from mllint.syntax.notebooks import JsonCursor, Notebook, NotebookError, read_notebook

#: Fix-and-re-lint rounds of ``--fix``: enough for fixes nested in fixed code.
MAX_PASSES = 4

#: Line breaks as Python counts them (what the rules' positions count).
_NEWLINE = re.compile(r"\r\n|\r|\n")
#: A JSON ``\\u`` escape of a printable character: the file escapes non-ASCII text.
_ASCII_ESCAPE = re.compile(r"\\u(?!00[01])[0-9a-fA-F]{4}")
#: (cell or None for a Python file, start offset, end offset, replacement text)
_Span = tuple[int | None, int, int, str]
#: (cell or None for a Python file, text before, text after) of each changed source
_Parts = tuple[tuple[int | None, str, str], ...]
#: (cell, number of outputs it had) of each notebook cell whose outputs were cleared
_Cleared = tuple[tuple[int, int], ...]


class FixError(Exception):
    """A file cannot be fixed or written; ``str()`` says why, in a few words."""


@dataclass(frozen=True)
class FileChange:
    """The fixes applied to one file: its bytes before and after."""

    path: str  # as shown to the user: relative to the current directory
    before: bytes
    after: bytes
    fixed: tuple[Finding, ...]
    parts: _Parts
    cleared: _Cleared = ()

    def diff(self) -> str:
        """A unified diff of the change; for a notebook, one per changed cell
        source, labelled ``path:cell N`` (the JSON around it does not change),
        and a line per cell whose outputs are cleared, in cell order (outputs
        are data, not text to diff)."""
        pieces: list[tuple[int, str]] = []
        for cell, before, after in self.parts:
            label = self.path if cell is None else f"{self.path}:cell {cell}"
            lines = difflib.unified_diff(_split_lines(before), _split_lines(after), label, label)
            text = "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)
            pieces.append((cell or 0, text))
        for cell, count in self.cleared:
            pieces.append((cell, f"{self.path}:cell {cell}: outputs cleared ({count} output{'' if count == 1 else 's'})\n"))
        return "".join(text for _, text in sorted(pieces, key=lambda piece: piece[0]))


@dataclass
class FixPlan:
    """What one pass would change, file by file, and what it cannot do."""

    changes: list[FileChange] = field(default_factory=list)
    #: fixes dropped and files left alone, one line each
    problems: list[str] = field(default_factory=list)
    #: fixes that overlap an applied one: a later pass of ``--fix`` applies them
    deferred: int = 0

    @property
    def fixed(self) -> int:
        return sum(len(change.fixed) for change in self.changes)


@dataclass
class FixReport:
    """The outcome of ``--fix``: the run's findings after fixing, and what was done."""

    findings: list[Finding]
    fixed: int = 0
    files: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if problem not in self.problems:  # a fix dropped again on a later pass is said once
            self.problems.append(problem)


def applicable(fix: Fix | None, unsafe: bool) -> bool:
    """Whether this run applies *fix*: safe ones always, the others with ``--unsafe-fixes``."""
    return fix is not None and (bool(fix.edits) or fix.clear_outputs) and (fix.safe or unsafe)


def plan_fixes(findings: Iterable[Finding], *, unsafe: bool, paths: Collection[str] | None = None) -> FixPlan:
    """Read the files with applicable fixes (only *paths*, when given) and
    compute their fixed bytes; nothing is written."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if applicable(finding.fix, unsafe) and (paths is None or finding.path in paths):
            by_path.setdefault(finding.path, []).append(finding)
    plan = FixPlan()
    for path, found in sorted(by_path.items()):
        try:
            _plan_file(path, found, plan)
        except FixError as exc:
            plan.problems.append(f"{path}: not fixed: {exc}")
    return plan


def write_changes(changes: Iterable[FileChange]) -> tuple[list[FileChange], list[str]]:
    """Write each change atomically; (the changes written, one line per file not written)."""
    written: list[FileChange] = []
    problems: list[str] = []
    for change in changes:
        try:
            replace_file(Path(change.path), change.before, change.after)
        except FixError as exc:
            problems.append(f"{change.path}: not written: {exc}")
        else:
            written.append(change)
    return written, problems


def fix_in_place(
    findings: Sequence[Finding],
    *,
    unsafe: bool,
    relint: Callable[[list[str], list[Finding]], list[Finding]],
) -> FixReport:
    """``--fix``: apply the fixes and write the files, pass after pass.

    After each pass ``relint(paths, findings)`` returns the run's findings with
    those of the files just written replaced by a fresh lint of them: the
    findings that remain, with fixes made for the new text (a fix that waited
    for an overlapping one gets its turn). It stops when a pass writes nothing,
    after at most MAX_PASSES passes."""
    report = FixReport(list(findings))
    paths: list[str] | None = None
    for _ in range(MAX_PASSES):
        plan = plan_fixes(report.findings, unsafe=unsafe, paths=paths)
        written, not_written = write_changes(plan.changes)
        for problem in [*plan.problems, *not_written]:
            report.note(problem)
        if not written:
            return report
        paths = sorted({change.path for change in written})
        report.fixed += sum(len(change.fixed) for change in written)
        report.files.update(paths)
        report.findings = relint(paths, report.findings)
    if plan_fixes(report.findings, unsafe=unsafe, paths=paths).changes:
        report.note(f"fixes still apply after {MAX_PASSES} passes (nested fixes): run --fix again")
    return report


def replace_file(path: Path, before: bytes, after: bytes) -> None:
    """Write *after* to *path* atomically, keeping its mode, unless the file no
    longer holds *before* (FixError). A symbolic link keeps pointing at the file
    it names, which is the one rewritten."""
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".mllint-fix", delete=False)
    except OSError as exc:
        raise FixError(f"cannot write it: {exc.strerror or exc}") from exc
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(after)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if target.read_bytes() != before:
            raise FixError("it changed on disk after mllint read it, so it was not overwritten")
        os.replace(temporary, target)
    except OSError as exc:
        raise FixError(f"cannot write it: {exc.strerror or exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)


def cell_fix(notebook: Notebook, fix: Fix, cell: int) -> Fix | None:
    """*fix*, whose edits are on the notebook's concatenated code, with its edits
    in the lines and columns of *cell*'s own source; None when it cannot be
    applied to that cell alone: an edit lies in another cell, or on text that
    differs between the cell and the code linted (IPython syntax turned into
    comments, indentation or prompts IPython's clean-up removed)."""
    module = _Lines(notebook.python_source)
    source = _Lines(notebook.cell_source(cell))
    cleaned = any(span.removed for span in notebook.spans if span.cell == cell)
    edits: list[Edit] = []
    for edit in fix.edits:
        (start_cell, line), (end_cell, end_line) = notebook.locate(edit.line), notebook.locate(edit.end_line)
        if start_cell != cell or end_cell != cell or (cleaned and "\n" in edit.content):
            return None
        moved = Edit(
            line,
            notebook.column_in_cell(cell, line, edit.column),
            end_line,
            notebook.column_in_cell(cell, end_line, edit.end_column),
            edit.content,
        )
        try:
            if source.text_of(moved) != module.text_of(edit):
                return None
        except FixError:
            return None
        edits.append(moved)
    return replace(fix, edits=tuple(edits))


# --- one file ---------------------------------------------------------------------------


@dataclass
class _Candidate:
    """One fix to apply, with the findings that share it (two rules, or two
    copies of one finding, may propose the same edits)."""

    spans: tuple[_Span, ...]
    #: the cells whose outputs the fix clears
    cleared: tuple[int, ...]
    findings: list[Finding]


def _plan_file(path: str, findings: list[Finding], plan: FixPlan) -> None:
    try:
        before = Path(path).read_bytes()
    except OSError as exc:
        raise FixError(f"cannot read it: {exc.strerror or exc}") from exc
    document: _Document = _NotebookFile(before) if path.endswith(".ipynb") else _PythonFile(before)
    candidates: dict[tuple[tuple[_Span, ...], tuple[int, ...]], _Candidate] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        assert finding.fix is not None
        if finding.source_line is not None and document.reported_line(finding.cell, finding.line) != finding.source_line:
            raise FixError("it changed after it was linted")
        lines = document.lines(finding.cell)
        spans = tuple(sorted((finding.cell, *lines.offsets(edit), edit.content) for edit in finding.fix.edits))
        cleared = (finding.cell,) if finding.fix.clear_outputs and finding.cell is not None else ()
        candidates.setdefault((spans, cleared), _Candidate(spans, cleared, [])).findings.append(finding)
    chosen: list[_Candidate] = []
    taken: list[_Span] = []
    for candidate in sorted(candidates.values(), key=lambda c: [(s[0] or 0, s[1], s[2]) for s in c.spans]):
        if any(_overlap(span, other) for span in candidate.spans for other in taken):
            plan.deferred += len(candidate.findings)
            continue
        chosen.append(candidate)
        taken.extend(candidate.spans)
    parsing = _parsing(document, chosen, plan)
    if parsing is not None and parsing[0] != before:
        after, parts, cleared, kept = parsing
        fixed = tuple(finding for candidate in kept for finding in candidate.findings)
        plan.changes.append(FileChange(path, before, after, fixed, parts, cleared))


def _overlap(a: _Span, b: _Span) -> bool:
    """Edits in the same text that touch the same characters, or insert at the
    same place (their order would be a guess)."""
    return a[0] == b[0] and (a[1] < b[2] and b[1] < a[2] or a[1] == b[1])


def _parsing(
    document: _Document, chosen: list[_Candidate], plan: FixPlan
) -> tuple[bytes, _Parts, _Cleared, list[_Candidate]] | None:
    """(fixed bytes, changed parts, cleared outputs, fixes kept): all *chosen* fixes if the result
    parses; else fix by fix, keeping each that leaves code that parses and
    reporting the others. None when none is kept."""
    after, parts, cleared = _render(document, chosen)
    if document.parse_error(after) is None:
        return after, parts, cleared, chosen
    kept: list[_Candidate] = []
    for candidate in chosen:
        trial, trial_parts, trial_cleared = _render(document, [*kept, candidate])
        error = document.parse_error(trial)
        if error is None:
            kept.append(candidate)
            after, parts, cleared = trial, trial_parts, trial_cleared
            continue
        for finding in candidate.findings:
            assert finding.fix is not None
            plan.problems.append(f"{_where(finding)}: {finding.code} fix ({finding.fix.message}) dropped: the fixed code would not parse ({error})")
    return (after, parts, cleared, kept) if kept else None


def _render(document: _Document, candidates: Sequence[_Candidate]) -> tuple[bytes, _Parts, _Cleared]:
    """The file with *candidates* applied: their edits made, their cells' outputs cleared."""
    spans = [span for candidate in candidates for span in candidate.spans]
    return document.render(spans, sorted({cell for candidate in candidates for cell in candidate.cleared}))


def _where(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:line {finding.line}:col {finding.column}"
    return f"{finding.path}:{finding.line}:{finding.column}"


class _Lines:
    """A text's lines as Python counts them, to turn 1-based (line, column)
    positions into offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
        found = _NEWLINE.search(text)
        #: what new lines in a replacement become: the text's own line break
        self.newline = found.group() if found else "\n"

    def offset(self, line: int, column: int) -> int:
        if not 1 <= line <= len(self.starts):
            raise FixError(f"line {line} is not in it any more")
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        length = len(self.text[start:end].rstrip("\r\n"))
        if not 1 <= column <= length + 1:
            raise FixError(f"line {line} has no column {column} any more")
        return start + column - 1

    def offsets(self, edit: Edit) -> tuple[int, int]:
        start, end = self.offset(edit.line, edit.column), self.offset(edit.end_line, edit.end_column)
        if end < start:
            raise FixError("a fix's edit ends before it starts")
        return start, end

    def text_of(self, edit: Edit) -> str:
        start, end = self.offsets(edit)
        return self.text[start:end]


def _splice(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """*text* with each (start, end) range replaced; the ranges do not overlap."""
    out: list[str] = []
    last = 0
    for start, end, content in sorted(spans, key=lambda span: span[:2]):
        out.append(text[last:start])
        out.append(content)
        last = end
    out.append(text[last:])
    return "".join(out)


def _fixed_text(lines: _Lines, spans: Iterable[_Span]) -> str:
    """The text with the edits made; new lines in replacements take its line break."""
    return _splice(lines.text, [(start, end, content.replace("\n", lines.newline)) for _, start, end, content in spans])


def _split_lines(text: str) -> list[str]:
    """Lines with their endings, split as Python splits source lines."""
    starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)]) if a < b]


def _parse_error(code: str) -> str | None:
    """Why *code* would not be linted as it is now (None: it parses as the
    linter parses it, with ``ast`` and with libcst)."""
    import libcst  # only when a fix is applied: see mllint/syntax/deferred.py

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings are the linted code's, not ours to print
            ast.parse(code)
        with deep_recursion():
            libcst.parse_module(code)
    except SyntaxError as exc:
        return f"{exc.msg} at line {exc.lineno}"
    except Exception as exc:  # libcst's own parser errors, or too deep to parse
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


class _Document:
    """A file being fixed: its texts by cell, and how fixed texts become bytes."""

    def lines(self, cell: int | None) -> _Lines:
        raise NotImplementedError

    def reported_line(self, cell: int | None, line: int) -> str | None:
        """The line as the linter read it, to compare with a finding's ``source_line``."""
        raise NotImplementedError

    def render(self, spans: Sequence[_Span], cleared: Sequence[int]) -> tuple[bytes, _Parts, _Cleared]:
        """The file's bytes with the edits made and the outputs of the *cleared*
        cells emptied, its changed sources and the outputs it cleared."""
        raise NotImplementedError

    def parse_error(self, data: bytes) -> str | None:
        raise NotImplementedError


class _PythonFile(_Document):
    """A Python file, decoded as Python decodes it (PEP 263); written back in the
    same encoding, byte order mark included."""

    def __init__(self, data: bytes) -> None:
        try:
            self.encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
            text = data.decode(self.encoding)
            self.linted = decode_python(data).splitlines()
        except (SyntaxError, LookupError, UnicodeDecodeError, SourceError) as exc:
            raise FixError(f"it cannot be decoded any more ({exc})") from exc
        if text.encode(self.encoding) != data:
            raise FixError(f"its bytes would not survive decoding and encoding as {self.encoding}")
        self.text = _Lines(text)

    def lines(self, cell: int | None) -> _Lines:
        return self.text

    def reported_line(self, cell: int | None, line: int) -> str | None:
        return self.linted[line - 1] if 1 <= line <= len(self.linted) else None

    def render(self, spans: Sequence[_Span], cleared: Sequence[int]) -> tuple[bytes, _Parts, _Cleared]:
        if cleared:
            raise FixError("a fix would clear outputs, which only a notebook has")
        fixed = _fixed_text(self.text, spans)
        try:
            data = fixed.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise FixError(f"a fix's text cannot be written as {self.encoding}") from exc
        return data, (((None, self.text.text, fixed),) if fixed != self.text.text else ()), ()

    def parse_error(self, data: bytes) -> str | None:
        return _parse_error(decode_python(data))


class _NotebookFile(_Document):
    """A v4 notebook, its code in its cells' ``source`` values."""

    def __init__(self, data: bytes) -> None:
        try:
            self.text = data.decode("utf-8")
            self.notebook = read_notebook(self.text)
        except (UnicodeDecodeError, NotebookError) as exc:
            raise FixError(f"it is not a readable notebook any more ({exc})") from exc
        if self.notebook.source_format != 4:
            raise FixError(f"it is an nbformat {self.notebook.source_format} notebook, which mllint would have to rewrite as nbformat 4")
        self.slots, self.outputs = _cell_slots(self.text)
        if len(self.slots) != len(self.notebook.node.cells):
            raise FixError("its cells could not be found in its JSON text")
        self.style = _Style.of(self.text, self.slots)
        self._lines: dict[int, _Lines] = {}

    def lines(self, cell: int | None) -> _Lines:
        if cell is None:
            raise FixError("a fix in a notebook names no cell")
        if cell not in self._lines:
            self._lines[cell] = _Lines(self.notebook.cell_source(cell))
        return self._lines[cell]

    def reported_line(self, cell: int | None, line: int) -> str | None:
        lines = self.lines(cell).text.splitlines()
        return lines[line - 1] if 1 <= line <= len(lines) else None

    def render(self, spans: Sequence[_Span], cleared: Sequence[int]) -> tuple[bytes, _Parts, _Cleared]:
        by_cell: dict[int, list[_Span]] = {}
        for span in spans:
            assert span[0] is not None
            by_cell.setdefault(span[0], []).append(span)
        sources: dict[int, str] = {}
        replacements: list[tuple[int, int, str]] = []
        parts: list[tuple[int | None, str, str]] = []
        for cell, cell_spans in sorted(by_cell.items()):
            lines = self.lines(cell)
            fixed = _fixed_text(lines, cell_spans)
            if fixed == lines.text:
                continue
            slot = self.slots[cell - 1]
            if isinstance(slot, str):
                raise FixError(f"cell {cell}: {slot}")
            replacements.append((slot.start, slot.end, slot.render(fixed, self.text, self.style, cell)))
            sources[cell] = fixed
            parts.append((cell, lines.text, fixed))
        counts: list[tuple[int, int]] = []
        for cell in cleared:
            where = self.outputs[cell - 1]
            if isinstance(where, str):
                raise FixError(f"cell {cell}: {where}")
            count = len(json.loads(self.text[where.start : where.end]))
            if count:
                replacements.append((where.start, where.end, "[]"))
                counts.append((cell, count))
        text = _splice(self.text, replacements)
        if not _same_outside_changes(self.text, text, sources, [cell for cell, _ in counts]):
            raise FixError("its JSON would change outside the fixed cell sources and cleared outputs")
        return text.encode("utf-8"), tuple(parts), tuple(counts)

    def parse_error(self, data: bytes) -> str | None:
        try:
            notebook = read_notebook(data.decode("utf-8"))
        except NotebookError as exc:
            return str(exc)
        known = {error.cell for error in self.notebook.syntax_errors}
        for error in notebook.syntax_errors:
            if error.cell not in known:
                return f"cell {error.cell}: {error.message}"
        return _parse_error(notebook.python_source)


# --- the JSON text of notebook sources ------------------------------------------------------


@dataclass(frozen=True)
class _Element:
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class _Style:
    """How the file writes what a new source needs: the text between two
    elements of a source list, and whether non-ASCII text is escaped."""

    separator: str | None
    ensure_ascii: bool

    @classmethod
    def of(cls, text: str, slots: Sequence[_Slot | str]) -> _Style:
        separators = {sep for slot in slots if isinstance(slot, _Slot) for sep in slot.separators(text)}
        escaped = not any(ord(char) > 127 for char in text) and _ASCII_ESCAPE.search(text) is not None
        return cls(separators.pop() if len(separators) == 1 else None, escaped)

    def string(self, value: str) -> str:
        return json.dumps(value, ensure_ascii=self.ensure_ascii)


@dataclass(frozen=True)
class _Slot:
    """Where a cell's ``source`` value lies in the JSON text."""

    start: int
    end: int
    #: the strings of a list source; None when the source is one JSON string
    elements: tuple[_Element, ...] | None

    def separators(self, text: str) -> set[str]:
        elements = self.elements or ()
        return {text[a.end : b.start] for a, b in itertools.pairwise(elements)}

    def render(self, source: str, text: str, style: _Style, cell: int) -> str:
        """The JSON text of *source* in this slot's layout; the lines that did not
        change keep their JSON text (escapes included)."""
        if self.elements is None:
            return style.string(source)
        if not self.elements:
            raise FixError(f"cell {cell}: its source is an empty list")
        old = [element.value for element in self.elements]
        if old == "".join(old).splitlines(True):
            new = source.splitlines(True)
        elif len(old) == 1:
            new = [source] if source else []
        else:
            raise FixError(f"cell {cell}: the lines of its source are split unusually")
        pieces: list[str] = []
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pieces.extend(text[element.start : element.end] for element in self.elements[i1:i2])
            else:
                pieces.extend(style.string(value) for value in new[j1:j2])
        opener = text[self.start + 1 : self.elements[0].start]
        closer = text[self.elements[-1].end : self.end - 1]
        return "[" + opener + self._separator(text, style, opener, cell).join(pieces) + closer + "]"

    def _separator(self, text: str, style: _Style, opener: str, cell: int) -> str:
        """Between two lines: this list's own separator, else the file's, else a
        comma and the whitespace that opens the list (``json.dump(indent=...)``)."""
        own = self.separators(text)
        if len(own) > 1:
            raise FixError(f"cell {cell}: the lines of its source are not laid out alike")
        if own:
            return own.pop()
        if style.separator is not None:
            return style.separator
        if "\n" in opener:
            return "," + opener
        raise FixError(f"cell {cell}: no source list in the file shows how to separate its lines")


@dataclass(frozen=True)
class _Outputs:
    """Where a code cell's ``outputs`` list lies in the JSON text."""

    start: int
    end: int


def _cell_slots(text: str) -> tuple[list[_Slot | str], list[_Outputs | str]]:
    """Per cell, in order: where its ``source`` value is and where its
    ``outputs`` value is, or why they cannot be rewritten."""
    cursor = JsonCursor(text)
    cells: list[tuple[_Slot | str, _Outputs | str]] = []
    try:
        for key in cursor.keys():
            if key == "cells":
                cells = [_cell_slot(cursor) for _ in cursor.items()]
            else:
                cursor.skip()
    except (ValueError, RecursionError) as exc:
        raise FixError(f"its JSON layout is not understood ({exc})") from exc
    return [source for source, _ in cells], [outputs for _, outputs in cells]


def _cell_slot(cursor: JsonCursor) -> tuple[_Slot | str, _Outputs | str]:
    if cursor.peek() != "{":
        cursor.skip()
        return "it is not a JSON object", "it is not a JSON object"
    source: _Slot | str = "it has no source"
    outputs: _Outputs | str = "it has no outputs"
    seen: set[str] = set()
    for key in cursor.keys():
        if key == "source":
            source = _twice(cursor, key) if key in seen else _slot(cursor)
        elif key == "outputs":
            outputs = _twice(cursor, key) if key in seen else _outputs(cursor)
        else:
            cursor.skip()
        seen.add(key)
    return source, outputs


def _twice(cursor: JsonCursor, key: str) -> str:
    """Skip a repeated key's value: which of the two a reader keeps is not ours to guess."""
    cursor.skip()
    return f"it has two `{key}` keys"


def _outputs(cursor: JsonCursor) -> _Outputs | str:
    is_list = cursor.peek() == "["
    start = cursor.pos
    cursor.skip()
    return _Outputs(start, cursor.pos) if is_list else "its outputs are not a list"


def _slot(cursor: JsonCursor) -> _Slot | str:
    first = cursor.peek()
    start = cursor.pos
    if first == '"':
        cursor.string()
        return _Slot(start, cursor.pos, None)
    if first != "[":
        cursor.skip()
        return "its source is not text"
    elements: list[_Element] = []
    strings_only = True
    for _ in cursor.items():
        if cursor.peek() == '"':
            offset, value = cursor.string()
            elements.append(_Element(offset, cursor.pos, value))
        else:
            cursor.skip()
            strings_only = False
    return _Slot(start, cursor.pos, tuple(elements)) if strings_only else "its source list holds something other than text"


def _same_outside_changes(before: str, after: str, sources: Mapping[int, str], cleared: Collection[int]) -> bool:
    """The rewritten notebook's JSON equals the original but for the changed
    sources, which read as intended, and the *cleared* cells' outputs, which are
    empty: the proof that nothing else moved."""
    old, new = (json.loads(text.removeprefix("\ufeff"), parse_constant=str) for text in (before, after))
    for cell, source in sources.items():
        value = new["cells"][cell - 1].get("source")
        if ("".join(value) if isinstance(value, list) else value) != source:
            return False
        old["cells"][cell - 1]["source"] = value
    for cell in cleared:
        if new["cells"][cell - 1].get("outputs") != []:
            return False
        old["cells"][cell - 1]["outputs"] = []
    return bool(old == new)

