"""Reading a file once: decode it, open a notebook, parse it with ``ast`` and
add it to the project index. Unreadable text, invalid notebooks and syntax
errors become ML001/ML002 findings here, so no later step sees them.

Text that ``ast`` rejects may still be grammar newer than the running
interpreter (``type X = ...`` on 3.11, say), which is not a syntax error. It is
never handed to libcst's native parser in this process: on broken input that
parser can backtrack for minutes or overflow the C stack, and a segfault would
kill the whole run. Instead a linear-time scan looks for newer-grammar markers,
and only then libcst confirms in a subprocess with a time budget; a crash or
timeout there costs one ML001, never the run.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from mllint.engine.findings import RawFinding
from mllint.engine.sources import SourceError, decode_python, decode_text, read_bytes
from mllint.project.index import ModuleInfo, index_module
from mllint.project.layout import is_exercise_notebook
from mllint.syntax.notebook_prose import left_blank, shown_on_purpose
from mllint.syntax.notebooks import Notebook, NotebookError, read_notebook

#: Syntax trees deeper than this are not given to libcst: its parser slows
#: down super-linearly (a 2,000-term sum takes seconds) and visitors recurse.
MAX_NESTING = 250
RECURSION_LIMIT = 10_000
#: Seconds libcst may take, in its subprocess, to confirm newer grammar.
CONFIRM_TIMEOUT = 5.0

#: (first version with the grammar, pattern over the whole text). Anchored at
#: line starts with no nested quantifiers, so the scan stays linear.
_STATEMENT_MARKERS: tuple[tuple[tuple[int, int], re.Pattern[str]], ...] = (
    ((3, 11), re.compile(r"^[ \t]*except[ \t]*\*", re.MULTILINE)),  # PEP 654 except*
    ((3, 12), re.compile(r"^[ \t]*type[ \t]+\w+[ \t]*[\[=]", re.MULTILINE)),  # PEP 695 type alias
    # PEP 695 generics; also PEP 696 defaults (``[T = int]``), new in 3.13
    ((3, 13), re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class|type)[ \t]+\w+[ \t]*\[", re.MULTILINE)),
)
#: PEP 701 f-strings (nested same quotes, backslashes, comments): an f-string
#: prefix on the error line and a string-related message there.
_FSTRING_PREFIX = re.compile(r"(?<!\w)(?:[fF][rR]?|[rR][fF])['\"]")
_FSTRING_ERROR = re.compile(r"f-string|string literal|line continuation")
#: PEP 646 star unpacking in subscripts and ``*args`` annotations, on the error line.
_STAR_UNPACK = re.compile(r"[\[,:][ \t]*\*[ \t]*[\w(]")

#: Run as ``python -I`` (no cwd, PYTHONPATH or user site on sys.path, so the
#: linted project cannot shadow a module); argv[1] is libcst's own directory.
#: It only parses stdin: the linted code is never imported or executed.
_CONFIRM_SCRIPT = (
    "import sys\n"
    "sys.path.append(sys.argv[1])\n"
    "import libcst\n"
    "libcst.parse_module(sys.stdin.buffer.read().decode('utf-8'))\n"
)


@dataclass
class SourceFile:
    """One lintable file, read once."""

    path: str  # POSIX relative to the project root
    source: str | None = None  # Python text (a notebook's concatenated cells)
    notebook: Notebook | None = None
    info: ModuleInfo | None = None
    errors: list[RawFinding] = field(default_factory=list)  # ML001/ML002 found while reading


#: What draws an index entry's facts from the module's text and tree (None: it did not parse).
Summariser = Callable[[ModuleInfo, str, "ast.Module | None"], None]


def read_file(root: Path, path: str, summarise: Summariser | None = None) -> tuple[SourceFile, ast.Module | None]:
    """Read and decode one module and draw its index entry (``SourceFile.info``),
    to be added to an index later; its tree (None: it did not parse)."""
    loaded = SourceFile(path)
    try:
        data = read_bytes(root / path)
        if path.endswith(".ipynb"):
            _load_notebook(loaded, decode_text(data))
        else:
            loaded.source = decode_python(data)
    except SourceError as exc:
        code = "ML002" if path.endswith(".ipynb") else "ML001"
        loaded.errors.append(RawFinding(code, f"cannot read file: {exc}", 1, 1, 1, 1))
    if loaded.source is None:
        return loaded, None
    loaded.info, tree = _index(loaded)
    if summarise is not None:
        summarise(loaded.info, loaded.source, tree)
    return loaded, tree


def _load_notebook(loaded: SourceFile, text: str) -> None:
    try:
        notebook = read_notebook(text)
    except NotebookError as exc:
        loaded.errors.append(RawFinding("ML002", f"invalid notebook: {exc}", 1, 1, 1, 1))
        return
    loaded.notebook = notebook
    loaded.source = notebook.python_source
    exercise = is_exercise_notebook(loaded.path)
    for error in notebook.syntax_errors:
        if exercise or left_blank(notebook, error.cell, error.line) or \
                shown_on_purpose(notebook, error.cell, "SyntaxError", error.message):
            continue  # left for a student to complete, or showing what Python rejects; the cell is still left out
        loaded.errors.append(
            RawFinding("ML001", f"syntax error: {error.message}", error.line, error.column, error.line, error.column, cell=error.cell)
        )


def _index(loaded: SourceFile) -> tuple[ModuleInfo, ast.Module | None]:
    assert loaded.source is not None
    is_notebook = loaded.notebook is not None
    try:
        tree = ast.parse(loaded.source)
    except SyntaxError as exc:
        info = ModuleInfo(loaded.path, loaded.path, is_notebook=is_notebook, parse_failed=True)
        if not _newer_grammar(loaded.source, exc):
            line, column = exc.lineno or 1, exc.offset or 1
            loaded.errors.append(RawFinding("ML001", f"syntax error: {exc.msg}", line, column, line, column))
        return info, None
    except (RecursionError, MemoryError, ValueError) as exc:
        reason = "nesting too deep to parse" if not isinstance(exc, ValueError) else str(exc)
        loaded.errors.append(RawFinding("ML001", f"cannot parse file: {reason}", 1, 1, 1, 1))
        return ModuleInfo(loaded.path, loaded.path, is_notebook=is_notebook, parse_failed=True), None
    info = index_module(loaded.path, loaded.source, is_notebook=is_notebook, tree=tree)
    if info.max_depth > MAX_NESTING:
        loaded.errors.append(
            RawFinding(
                "ML001",
                f"not analysed: syntax nesting depth {info.max_depth} exceeds mllint's limit of {MAX_NESTING}",
                1, 1, 1, 1,
            )
        )
    return info, tree


def _newer_grammar(source: str, exc: SyntaxError) -> bool:
    """Whether text ``ast`` rejected is grammar newer than this interpreter.

    Bounded and contained: a linear scan for newer-grammar markers decides
    whether to ask libcst at all (a plain syntax error never reaches it), and
    libcst then parses in a subprocess under a time budget, because its native
    parser can backtrack for minutes or overflow the C stack on broken text.
    Deeply bracketed text is never parsed by libcst.
    """
    if not _has_newer_marker(source, exc) or _bracket_depth(source) > MAX_NESTING:
        return False
    return _libcst_accepts_in_subprocess(source)


def _has_newer_marker(source: str, exc: SyntaxError) -> bool:
    """Cheap pre-check: only grammar newer than ``sys.version_info`` counts."""
    running = sys.version_info[:2]
    if any(running < since and pattern.search(source) for since, pattern in _STATEMENT_MARKERS):
        return True
    line = exc.text
    if line is None and exc.lineno:
        lines = source.splitlines()
        line = lines[exc.lineno - 1] if exc.lineno <= len(lines) else ""
    line = line or ""
    if running < (3, 12) and _FSTRING_PREFIX.search(line) and _FSTRING_ERROR.search(exc.msg or ""):
        return True
    return running < (3, 11) and _STAR_UNPACK.search(line) is not None


def _libcst_accepts_in_subprocess(source: str) -> bool:
    """libcst parses *source* in a child process within CONFIRM_TIMEOUT.

    Any failure (parse error, segfault, timeout, no interpreter) is False, so
    the text is reported as a syntax error and this process stays alive.
    """
    libcst_home = str(Path(importlib.util.find_spec("libcst").origin).resolve().parent.parent)
    try:
        result = subprocess.run(
            [sys.executable, "-I", "-c", _CONFIRM_SCRIPT, libcst_home],
            input=source.encode("utf-8", "replace"),
            capture_output=True,
            timeout=CONFIRM_TIMEOUT,
            check=False,
        )
    except (subprocess.SubprocessError, OSError):
        return False
    return result.returncode == 0


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Room for libcst's recursive visitors on trees up to MAX_NESTING deep.

    Raised only around libcst work: ``ast.parse`` keeps the default limit, so
    pathological input fails there cleanly instead of exhausting the C stack.
    """
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest
