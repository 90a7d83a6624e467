"""ML8xx: notebook hygiene.

A committed notebook is code *and* the record of one session that ran it: the
execution counts, the outputs and the markdown around the code. Reproducibility
breaks there first (outputs saved from an out-of-order run, a traceback committed
with the results, a ``!pip install`` instead of a declared dependency), and the
code rules cannot see it. The rules here read the notebook's structure (cells,
counts, outputs, metadata, the IPython lines :mod:`mllint.syntax.notebooks`
records); only ML804 looks at statements, through the project index's ``ast``
of the notebook, and ML806 at the libraries the notebook imports.

None of them rewrites a notebook: outputs are results the author may want to
keep, so stripping them is only ever an unsafe fix, never applied by default.

Shapes a valid notebook may take, and which every rule reads without failing:
cells without ``execution_count`` (or with one that is not a number), v3
notebooks upgraded to v4, empty cells, outputs without ``metadata`` or ``data``,
sources that are not text.
"""

from __future__ import annotations

import ast
import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from mllint.analysis.notebook_text import as_text
from mllint.engine.context import NotebookContext
from mllint.engine.findings import Fix, Reach, Severity
from mllint.engine.messages import human_size, shown
from mllint.engine.options import Option
from mllint.engine.rules import Fixability, NotebookRule
from mllint.project.dependencies import normalize_name
from mllint.project.index import module_name_for
from mllint.project.layout import Role
from mllint.syntax.notebook_prose import shown_on_purpose
from mllint.syntax.notebooks import Magic, Notebook

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: Hosted notebook runtimes, which lack the project's environment (ML804, ML807).
_HOSTED = re.compile(r"(?i)colab|kaggle")
_RERUN = "restart the kernel and run all cells before committing"
#: The roles a notebook can have (``role_of`` never makes one a script or package
#: source), less tests (fixtures of notebook tooling, broken on purpose) and
#: generated or vendored copies.
_NOTEBOOKS = frozenset({Role.DOCS, Role.EXAMPLE, Role.BENCHMARK, Role.NOTEBOOK})
#: Tutorials and documentation import each library where they introduce it, and
#: install their libraries inline for readers on hosted runtimes, on purpose.
_WORKING_NOTEBOOKS = _NOTEBOOKS - {Role.DOCS, Role.EXAMPLE}

# --- reading cells ---------------------------------------------------------------------


def _code_cells(notebook: Notebook, *, with_code: bool = True) -> Iterator[tuple[int, dict]]:
    """(1-based number among all cells, cell) of every code cell that holds code:
    blank cells and cells of comments only change nothing when run, so their
    counts say nothing about the run. With *with_code* False, every code cell:
    the outputs a cell keeps after its code was commented out are still committed."""
    cells = notebook.node.get("cells")
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and (
                not with_code or _has_code(notebook.cell_source(number))):
            yield number, cell


def _has_code(source: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in source.splitlines())


def _count(cell: dict) -> int | None:
    """The execution count, when it is one (``null``, absent, or not a number: None)."""
    value = cell.get("execution_count")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _outputs(cell: dict) -> list[dict]:
    found = cell.get("outputs")
    return [output for output in found if isinstance(output, dict)] if isinstance(found, list) else []


def _listed(numbers: list[int], limit: int = 5) -> str:
    """``7``, ``7 and 9``, ``7, 9 and 12``, ``7, 9, 12, 14, 20 and 3 more``."""
    shown_numbers = [str(n) for n in numbers[:limit]]
    rest = len(numbers) - len(shown_numbers)
    if rest:
        return f"{', '.join(shown_numbers)} and {rest} more"
    return shown_numbers[0] if len(shown_numbers) == 1 else f"{', '.join(shown_numbers[:-1])} and {shown_numbers[-1]}"


# --- ML801 ----------------------------------------------------------------------------------


class OutOfOrderExecution(NotebookRule):
    """Counts that go down (or repeat) from top to bottom mean the saved outputs
    come from cells run in another order than the notebook's, or from several
    kernel sessions: "Run All" may give other results, or fail."""

    code = "ML801"
    name = "out-of-order-execution"
    severity = Severity.WARNING
    roles = _NOTEBOOKS

    def check(self, nb: NotebookContext) -> None:
        ran = [(number, count) for number, cell in _code_cells(nb.notebook) if (count := _count(cell)) is not None]
        breaks = [(above, below) for above, below in pairwise(ran) if below[1] <= above[1]]
        if not breaks:
            return
        (above, above_count), (below, below_count) = breaks[0]
        if below_count == above_count:
            what = (f"cells {above} and {below} both show In [{below_count}], which one kernel session never "
                    "gives two cells")
        else:
            what = f"cell {below} ran (In [{below_count}]) before cell {above} above it (In [{above_count}])"
        more = f", and the order breaks {len(breaks) - 1} more time(s) below" if len(breaks) > 1 else ""
        nb.report(self.code, below, f"{what}{more}: the saved outputs come from an out-of-order run that "
                                    f"\"Run All\" may not reproduce; {_RERUN}")


# --- ML802 ----------------------------------------------------------------------------------

#: ML802's and ML805's fix. Unsafe: outputs are results someone may want to keep,
#: and re-running the cell may not reproduce them (data, randomness, time).
_CLEAR_OUTPUTS = Fix("clear this cell's outputs", (), safe=False, clear_outputs=True)

_TRACEBACK = "Traceback (most recent call last)"
#: The line before a traceback that makes it no error: a warning quoting it
#: (``FitFailedWarning:``), or an exception Python ignored. No ``\w*`` before
#: ``Warning``: it finds the same lines, and would rescan a long word from each
#: of its characters.
_IGNORED = re.compile(r"Exception ignored in|Warning:")
@dataclass(frozen=True)
class _Failure:
    output: int  # 1-based among the cell's outputs
    exception: str  # "KeyError: 'churn'", or "" when not known
    name: str  # "KeyError", or ""
    stream: bool  # a stderr stream, not an error output


def _failures(cell: dict) -> list[_Failure]:
    found = []
    for index, output in enumerate(_outputs(cell), start=1):
        kind = output.get("output_type")
        if kind == "error":
            name = as_text(output.get("ename")).strip()
            value = _ANSI.sub("", as_text(output.get("evalue"))).strip()
            found.append(_Failure(index, f"{name}: {value}" if value else name, name, stream=False))
        elif kind == "stream" and output.get("name") == "stderr":
            exception = _stderr_exception(_ANSI.sub("", as_text(output.get("text"))))
            if exception is not None:
                found.append(_Failure(index, exception, exception.partition(":")[0], stream=True))
    return found


def _stderr_exception(text: str) -> str | None:
    """The exception line of a traceback printed to stderr ("" when it cannot be
    told), or None when the stream holds none. Warnings are not errors, not even
    those that quote a traceback (scikit-learn's ``FitFailedWarning: ... Details:``),
    and neither are the tracebacks Python prints for an exception it ignored
    (``Exception ignored in: <function X.__del__>``, raised while freeing an object)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _TRACEBACK not in line or (index and _IGNORED.search(lines[index - 1])):
            continue
        for after in lines[index + 1:]:
            if after.strip() and not after[:1].isspace() and _TRACEBACK not in after:
                return after.strip()
        return ""
    return None


def _documented(nb: NotebookContext, number: int, failure: _Failure) -> bool:
    """The author says the error is shown on purpose (``shown_on_purpose``)."""
    return shown_on_purpose(nb.notebook, number, failure.name, failure.exception)


class ErrorOutput(NotebookRule):
    """A traceback committed with the notebook: the run the outputs record failed
    there, and everything below it ran on a half-made state (or not at all)."""

    code = "ML802"
    name = "error-output"
    severity = Severity.WARNING
    roles = _NOTEBOOKS
    fixable = Fixability.UNSAFE

    def check(self, nb: NotebookContext) -> None:
        for number, cell in _code_cells(nb.notebook, with_code=False):
            failures = [f for f in _failures(cell)
                        if f.name == "KeyboardInterrupt" or not _documented(nb, number, f)]
            if failures:
                nb.report(self.code, number, self._message(failures[0], len(failures) - 1), fix=_CLEAR_OUTPUTS)

    @staticmethod
    def _message(failure: _Failure, others: int) -> str:
        more = f" (and {others} more error output(s))" if others else ""
        shown_exception = f" `{shown(failure.exception, 80)}`" if failure.exception else ""
        if failure.name == "KeyboardInterrupt":
            return (f"output {failure.output} of this cell is a `KeyboardInterrupt`{more}: the cell was stopped "
                    f"halfway and the outputs below it come from an incomplete state; {_RERUN}")
        if failure.stream:
            what = f"(stderr) holds a traceback{shown_exception}{more}: a step of the recorded run failed"
        else:
            what = f"is an error{shown_exception}{more}: \"Run All\" stops here"
        return (f"output {failure.output} of this cell {what}; fix the cause and re-run, or, if the error is shown "
                "on purpose, say so in the cell or the markdown next to it (or tag the cell `raises-exception`)")


# --- ML803 ----------------------------------------------------------------------------------


class UnexecutedCells(NotebookRule):
    """Code cells never run between cells that were: the saved outputs are not
    those of the notebook as it is, and nobody knows whether the skipped cells work."""

    code = "ML803"
    name = "unexecuted-cells"
    severity = Severity.INFO
    roles = _NOTEBOOKS

    def check(self, nb: NotebookContext) -> None:
        cells = list(_code_cells(nb.notebook))
        if not any(_count(cell) is not None for _, cell in cells):
            return  # counts stripped (or never run): a cell without output may still have run
        # A cell with outputs ran even without a count (``display()`` updates, tools that drop counts).
        ran = [_count(cell) is not None or bool(_outputs(cell)) for _, cell in cells]
        first, last = ran.index(True), len(ran) - 1 - ran[::-1].index(True)
        skipped = [number for (number, _), done in zip(cells[first:last + 1], ran[first:last + 1]) if not done]
        if not skipped:
            return
        subject = f"cell {skipped[0]} was" if len(skipped) == 1 else f"cells {_listed(skipped)} were"
        nb.report(self.code, skipped[0], f"{subject} never executed, although cells above and below ran "
                                         f"(cells {cells[first][0]} to {cells[last][0]}): the saved outputs are "
                                         f"not those of the notebook as committed; {_RERUN}, or delete the cells "
                                         "that are not needed")


# --- ML804 ----------------------------------------------------------------------------------

#: Calls that configure the session rather than use data or models (matched on the
#: last name of what is called): seeds, warnings and logging, display options,
#: paths, devices, clocks, and the builtins that make constants.
_SETUP_CALLS = frozenset({
    "seed", "manual_seed", "manual_seed_all", "set_seed", "set_random_seed", "default_rng", "RandomState",
    "PRNGKey", "filterwarnings", "simplefilter", "basicConfig", "getLogger", "setLevel", "set_verbosity",
    "set_verbosity_error", "set_verbosity_warning", "disable_warnings", "set_option", "set_printoptions",
    "set_theme", "set_style", "set_context", "set_palette", "use", "rc", "Path", "PurePath", "join", "getenv",
    "expanduser", "abspath", "dirname", "mkdir", "makedirs", "chdir", "device", "is_available", "device_count",
    "set_device", "list_physical_devices", "list_logical_devices", "set_memory_growth", "set_visible_devices",
    "is_gpu_available", "is_built_with_cuda", "gpu_device_name", "get_device_name", "current_device", "time", "perf_counter",
    "now", "today", "str", "int", "float", "bool", "list", "dict", "set", "tuple", "frozenset", "range",
    "version", "parse", "getcwd", "cwd", "home", "load_dotenv", "init", "login", "set_tracking_uri",
    "set_experiment",
    # IPython's static displays: a figure of the book, a video, a formula
    "Image", "Markdown", "HTML", "Latex", "Math", "SVG", "IFrame", "YouTubeVideo",
})
#: Calls on these objects configure too (``sys.path.append``, ``plt.rcParams.update``).
_SETUP_OBJECTS = ("sys.path", "rcParams", "os.environ", "warnings", "logging")


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    return ".".join(reversed(parts))


_PIP = re.compile(r"\bpip\b")
_INSTALL = re.compile(r"\binstall\b")


def _setup_call(call: ast.Call) -> bool:
    """A configuration call, an install, or a print (which shows what earlier
    statements made, or versions and dates)."""
    name = _dotted(call.func)
    last = name.rsplit(".", 1)[-1]
    return (last in _SETUP_CALLS or last == "print"
            or any(name.startswith(f"{obj}.") or f".{obj}." in name for obj in _SETUP_OBJECTS)
            or _installs_packages(call))


def _installs_packages(call: ast.Call) -> bool:
    """``subprocess.run(["pip", "install", ...])``, ``os.system("pip install x")``: a
    ``pip`` before an ``install`` on one line of the call's strings, found in two
    steps (one pattern ``pip.*install`` would rescan a line from each ``pip`` on it)."""
    words = " ".join(node.value for node in ast.walk(call) if isinstance(node, ast.Constant) and isinstance(node.value, str))
    for line in words.split("\n"):
        pip = _PIP.search(line)
        if pip is not None and _INSTALL.search(line, pip.end()):
            return True
    return False


def _setup_value(node: ast.AST | None) -> bool:
    return node is None or all(_setup_call(call) for call in ast.walk(node) if isinstance(call, ast.Call))


def _is_setup(statement: ast.stmt) -> bool:
    """Imports, definitions, constants and configuration: what may come before the
    imports without the notebook having started on its data or models."""
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                              ast.Pass, ast.Global, ast.Nonlocal, ast.Assert)):
        return True
    if isinstance(statement, ast.Expr):  # a configuration call, or arithmetic on literals (``1 + 1``)
        value = statement.value
        names = any(isinstance(node, ast.Name) for node in ast.walk(value))
        return _setup_value(value) and (isinstance(value, ast.Call) or not names)
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return _setup_value(statement.value)
    if isinstance(statement, (ast.If, ast.Try)) and _HOSTED.search(ast.unparse(statement)):
        return True  # preparing a hosted runtime: ``if "google.colab" in sys.modules: ...``
    if isinstance(statement, ast.If) and not _setup_value(statement.test):
        return False
    return isinstance(statement, (ast.If, ast.Try)) and all(map(_is_setup, _branches(statement)))


def _branches(statement: ast.If | ast.Try) -> list[ast.stmt]:
    """The statements an ``if`` or ``try`` may run, in every branch."""
    if isinstance(statement, ast.If):
        return [*statement.body, *statement.orelse]
    handlers = [inner for handler in statement.handlers for inner in handler.body]
    return [*statement.body, *handlers, *statement.orelse, *statement.finalbody]


def _imports(statement: ast.stmt) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a top-level statement runs: its own, or those in the branches of
    a top-level ``if``/``try`` (``try: import xgboost``); not those in functions."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        yield statement
    elif isinstance(statement, (ast.If, ast.Try)):
        for inner in _branches(statement):
            yield from _imports(inner)


def _imported(statement: ast.Import | ast.ImportFrom) -> set[tuple[object, ...]]:
    """What an import binds, to tell a first import from a repeated one."""
    if isinstance(statement, ast.Import):
        return {(alias.name, alias.asname) for alias in statement.names}
    return {(statement.level, statement.module, alias.name, alias.asname) for alias in statement.names}


class ImportsNotAtTop(NotebookRule):
    """Imports spread through a notebook hide its dependencies, and a restarted
    kernel fails halfway through instead of in the first cell."""

    code = "ML804"
    name = "imports-not-at-top"
    severity = Severity.INFO
    roles = _WORKING_NOTEBOOKS

    def check(self, nb: NotebookContext) -> None:
        tree = nb.project.index.tree(nb.path)
        if tree is None or not nb.notebook.spans:
            return
        seen: set[tuple[object, ...]] = set()
        work_cell: int | None = None
        late: list[tuple[int, ast.Import | ast.ImportFrom]] = []
        for statement in tree.body:
            cell, _ = nb.notebook.locate(statement.lineno)
            for found in _imports(statement):
                names = _imported(found)
                if work_cell is not None and cell > work_cell and not names <= seen:
                    late.append((cell, found))
                seen |= names
            if work_cell is None and not _is_setup(statement):
                work_cell = cell
        if not late:
            return
        cell, statement = late[0]
        _, line = nb.notebook.locate(statement.lineno)
        column = nb.notebook.column_in_cell(cell, line, statement.col_offset + 1)
        other_cells = len({c for c, _ in late}) - 1
        more = f" (and imports in {other_cells} more cell(s) below)" if other_cells else ""
        nb.report(self.code, cell, f"`{shown(ast.unparse(statement), 70)}` first appears in cell {cell}, below cells "
                                   f"that already work on data or models (from cell {work_cell} on){more}; gather "
                                   "the imports in the first code cell, so that the notebook's dependencies show at "
                                   "a glance and a missing one fails at once, not halfway through", line, column)


# --- ML805 ----------------------------------------------------------------------------------

_IMAGE_NAMES: Mapping[str, str] = {"svg+xml": "SVG", "jpeg": "JPEG"}


def _size(value: object) -> int:
    if isinstance(value, list):
        return sum(_size(part) for part in value)
    if isinstance(value, str):
        # a notebook's JSON may hold a lone surrogate (``"\ud800"``), which strict UTF-8 refuses
        return len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, dict):
        return sum(_size(part) for part in value.values())
    return 0


def _payload(output: dict) -> tuple[int, str]:
    """(bytes the output adds to the file, what it is) of one output; an output
    with every representation (PNG and text) counts them all, as the file does."""
    kind = output.get("output_type")
    if kind == "stream":
        return _size(output.get("text")), "printed text"
    if kind == "error":
        return _size(output.get("traceback")), "a traceback"
    data = output.get("data")
    if not isinstance(data, dict) or not data:
        return 0, ""
    mime = max(data, key=lambda key: _size(data[key]))
    return _size(data), _describe_mime(mime, as_text(data[mime]))


def _describe_mime(mime: str, text: str) -> str:
    top, _, sub = mime.partition("/")
    if top == "image":
        return f"a {_IMAGE_NAMES.get(sub, sub.upper())} image"
    if mime == "text/html":
        if "<table" in text:
            return "an HTML table: the data itself is committed"
        return "an HTML/JavaScript view" if "<script" in text else "HTML"
    if "plotly" in mime or "vega" in mime or "bokeh" in mime:
        return "an interactive plot"
    return "text" if mime == "text/plain" else f"`{mime}` data"


class LargeOutput(NotebookRule):
    """Big outputs (embedded images, data tables, logs) bloat the repository and
    every diff, and a printed table commits the data itself to version control."""

    code = "ML805"
    name = "large-output"
    severity = Severity.WARNING
    roles = _NOTEBOOKS
    fixable = Fixability.UNSAFE
    options: ClassVar[dict[str, Option]] = {
        "max-output-size": Option("500KiB", "size", "Largest output of a cell that is not reported"),
    }

    def check(self, nb: NotebookContext) -> None:
        limit = nb.options(self.code)["max-output-size"]
        for number, cell in _code_cells(nb.notebook, with_code=False):
            large = [(index, *_payload(output)) for index, output in enumerate(_outputs(cell), start=1)]
            large = [entry for entry in large if entry[1] > limit]
            if not large:
                continue
            index, size, what = large[0]
            more = f" (and {len(large) - 1} more output(s) over the limit)" if len(large) > 1 else ""
            nb.report(self.code, number, f"output {index} of this cell is {human_size(size)} ({what}), over "
                                         f"`max-output-size` ({human_size(limit)}){more}: it bloats the repository "
                                         "and every diff; show a smaller sample or a smaller figure, save large "
                                         "results to files tracked with DVC or Git LFS, or clear the output",
                      fix=_CLEAR_OUTPUTS)


# --- ML806 ----------------------------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
#: Images, tags and links (their text stays), and addresses: markup, not prose.
#: No bracket or word of a kind runs through another (``[^\[\]]``, ``(?<!\w)``),
#: so a failing match stops at the next one: a run of ``<``, ``[`` or word
#: characters is read once, not once from each of its characters.
_MARKUP = re.compile(r"!\[[^\[\]]*\]\([^()]*\)|<[^<>]+>|\[([^\[\]]*)\]\([^()]*\)")
_ADDRESS = re.compile(r"(?<!\w)\w+://\S+")
#: Words of markdown prose (besides headings), headings, and words of a leading
#: comment that count as documentation; and code cells below which a notebook is
#: a scratch pad rather than an analysis.
_PROSE_WORDS = 5
_SECTION_HEADINGS = 2
_HEADER_COMMENT_WORDS = 8
_MIN_CODE_CELLS = 3


def _markdown_parts(notebook: Notebook) -> tuple[int, int, int]:
    """(markdown cells, headings, words of prose) over all markdown cells."""
    cells = headings = words = 0
    for number, cell in enumerate(notebook.node.get("cells") or [], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        cells += 1
        for line in notebook.cell_source(number).splitlines():
            if _HEADING.match(line):
                headings += 1
            else:
                words += _prose_words(line)
    return cells, headings, words


def _prose_words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", _ADDRESS.sub("", _MARKUP.sub(r"\1", text))))


def _leading_comment_words(source: str) -> int:
    """Words of the comment block or docstring that opens a cell."""
    stripped = source.lstrip()
    if stripped.startswith(('"""', "'''")):
        end = stripped.find(stripped[:3], 3)
        return _prose_words(stripped[3:end if end > 0 else None])
    block = []
    for line in stripped.splitlines():
        if not line.lstrip().startswith("#"):
            break
        block.append(line.lstrip("# "))
    return _prose_words(" ".join(block))


def _first_code(notebook: Notebook) -> str:
    """The first non-blank code cell's source, comments only or not (a header cell)."""
    for number, cell in enumerate(notebook.node.get("cells") or [], start=1):
        source = notebook.cell_source(number)
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and source.strip():
            return source
    return ""


class UndocumentedNotebook(NotebookRule):
    """Practice: document training objectives. A notebook of ML code with no
    prose says neither what question it answers nor what its results mean."""

    code = "ML806"
    name = "undocumented-notebook"
    severity = Severity.INFO
    roles = _NOTEBOOKS

    def check(self, nb: NotebookContext) -> None:
        info = nb.project.index.module(nb.path)
        cells = list(_code_cells(nb.notebook))
        if info is None or not info.uses_ml or len(cells) < _MIN_CODE_CELLS:
            return
        markdown, headings, words = _markdown_parts(nb.notebook)
        if words >= _PROSE_WORDS or headings >= _SECTION_HEADINGS:
            return
        if _leading_comment_words(_first_code(nb.notebook)) >= _HEADER_COMMENT_WORDS:
            return
        what = "markdown with no prose, only a heading" if headings else \
            "markdown with no prose" if markdown else "no markdown cell"
        nb.report(self.code, 1, f"this notebook has ML code ({len(cells)} code cells) and {what}: add markdown that "
                                "says what it is for (the question or training objective, the data, the metric "
                                "that decides) and what each part does")


# --- ML807 ----------------------------------------------------------------------------------

_SHELL_SEPARATORS = re.compile(r"&&|\|\||[;|\n]")
_SHELL_CELLS = re.compile(r"%%(?:bash|sh|script\s+(?:ba)?sh)\b")
#: pip and conda options followed by a value (``-r``, ``--file`` and ``-e`` are apart).
_VALUE_OPTIONS = frozenset({
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--platform", "--python-version", "--implementation", "--abi", "--upgrade-strategy", "--src", "--cache-dir",
    "--trusted-host", "--proxy", "--timeout", "--retries", "--log", "--progress-bar", "-C", "--config-settings",
    "--global-option", "--install-option", "--report", "--only-binary", "--no-binary", "--python",
    "-c", "--channel", "-n", "--name", "-p", "--constraint",
})
#: Options whose value is a file of requirements (installing it installs the declared
#: environment) or a local checkout (``-e .``: the project itself).
_PATH_OPTIONS = frozenset({"-r", "--requirement", "--file", "-e", "--editable"})
_TOOLING = frozenset({"pip", "setuptools", "wheel", "uv"})
_PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EXACT = re.compile(r"===?\s*[\w.]+$|^[^=<>!~]+=\d[\w.]*(?:=[\w.]+)?$")
#: A requirement commented out in a declaration file (``#pyvirtualdisplay  # headless
#: servers only``, ``# - box2d-py=2.3``): an optional dependency the project knows of.
#: One line each: no part may run over a line break (``\s*`` from every line start
#: would rescan all the blank lines below it), and no two runs of spaces touch.
_COMMENTED_REQUIREMENT = re.compile(
    r"^[ \t]*#+[ \t]*(?:-[ \t]*)?[\"']?([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]\n]*\])?(?:[ \t]*[<>=!~]=?[ \t]*[\w.*,]+)?"
    r"[\"']?,?[ \t]*(?:#.*)?$",
    re.MULTILINE,
)
_PACKAGING_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class _Package:
    name: str  # as written, without extras or version
    pinned: bool  # ``x==1.2`` (pip), ``x=1.2`` (conda)


@dataclass(frozen=True)
class _Install:
    tool: str  # "pip" or "conda"
    packages: tuple[_Package, ...]


def _installs(text: str) -> Iterator[_Install]:
    """The package installs of one shell or magic line (``!pip install -q a b==1``,
    ``%conda install -c x c``, ``!{sys.executable} -m pip install d``, ``!uv pip
    install e``), one per command of a ``&&``/``;`` chain. Local paths, the project
    itself (``-e .``) and requirement files are not packages to declare, and
    neither is a comment (``%pip install -q x  # install``)."""
    lines = text.replace("\\\n", " ").split("\n")
    for command in _SHELL_SEPARATORS.split("\n".join(map(_uncommented, lines))):
        try:
            words = shlex.split(command.lstrip("!% \t"))
        except ValueError:
            words = command.lstrip("!% \t").split()
        tool, rest = _install_command(words)
        packages = tuple(_packages(rest))
        if tool is not None and packages:
            yield _Install(tool, packages)


def _uncommented(line: str) -> str:
    """A shell line without its comment: a ``#`` that starts a word outside quotes
    starts one; inside a word (``repo.git#egg=name``) it does not."""
    quote = None
    for index, char in enumerate(line):
        if quote is not None:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def _install_command(words: list[str]) -> tuple[str | None, list[str]]:
    """("pip"/"conda", the words after ``install``) when *words* are an install command."""
    for index, word in enumerate(words[:5]):
        base = posixpath.basename(word)
        rest = words[index + 1:]
        if base in ("conda", "mamba", "micromamba") and rest[:1] == ["install"]:
            return "conda", rest[1:]
        if re.fullmatch(r"pip3?(?:\.\d+)?", base) and rest[:1] == ["install"]:
            return "pip", rest[1:]
        if base == "-m" and len(rest) > 1 and re.fullmatch(r"pip3?", rest[0]) and rest[1] == "install":
            return "pip", rest[2:]
    return None, []


def _packages(words: list[str]) -> Iterator[_Package]:
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
        elif word in _VALUE_OPTIONS or word in _PATH_OPTIONS:
            skip_next = True
        elif not word.startswith(("-", ">", "<", "2>", "&>")):
            name = _package_name(word)
            if name is not None and normalize_name(name) not in _TOOLING:
                yield _Package(name, _EXACT.search(word) is not None)


def _package_name(word: str) -> str | None:
    """The distribution a requirement word names (``torch==2.3`` -> ``torch``,
    ``git+https://host/org/repo.git@v1`` -> ``repo``); None for local paths and files."""
    if "://" in word or word.startswith("git+"):
        egg = re.search(r"#egg=([\w.-]+)", word)
        return egg.group(1) if egg else re.sub(r"\.git$", "", word.split("@")[0].rstrip("/").rsplit("/", 1)[-1])
    if word.startswith((".", "/", "~")) or word.endswith((".whl", ".tar.gz", ".zip", ".txt")):
        return None
    match = _PACKAGE_NAME.match(word)
    return match.group() if match else word


def _hosted_only(source: str, magic: Magic) -> bool:
    """The install runs only on a hosted runtime (Colab, Kaggle): the command itself
    tests for one (``[ -n "$COLAB_GPU" ] && pip install x``), or a statement it sits
    in does (``if "google.colab" in sys.modules:``), or a line before it in its block
    (``try: import google.colab``)."""
    if _HOSTED.search(magic.text):
        return True
    indent = magic.column - 1
    for line in reversed(source.splitlines()[:magic.line - 1]):
        if indent == 0:
            return False
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        width = len(line) - len(line.lstrip())
        if width <= indent and _HOSTED.search(line):
            return True
        indent = min(indent, width)
    return False


def _declared_names(nb: NotebookContext) -> dict[str, str]:
    """Normalised name -> the file declaring it: every requirement declared for
    the notebook (``DependencyFacts.declaring_for``), the extras it asks for
    (``gymnasium[box2d]`` declares ``box2d``) and requirements commented out as
    optional; conda's ``py-``/``-py``/``python-`` spellings count as the PyPI name."""
    names: dict[str, str] = {}
    facts = nb.project.dependencies
    declaring = set(facts.declaring_for(nb.path))
    for requirement in facts.requirements:
        if requirement.path not in declaring:
            continue
        extras = re.search(r"\[([^\[\]]*)\]", requirement.text)
        for name in [requirement.name or "", *(extras.group(1).split(",") if extras else [])]:
            for spelling in _spellings(name):
                names.setdefault(spelling, requirement.path)
    for path in facts.declaration_files:
        if path not in declaring:
            continue
        for match in _COMMENTED_REQUIREMENT.finditer(nb.project.read_text(path) or ""):
            for spelling in _spellings(match.group(1)):
                names.setdefault(spelling, path)
    names.pop("", None)
    return names


def _spellings(name: str) -> set[str]:
    normal = normalize_name(name.strip())
    return {normal, re.sub(r"^(?:py|python)-|-py$", "", normal)}


def _own_packages(nb: NotebookContext) -> set[str]:
    """The project's own importable packages: a library's notebooks install it."""
    return {normalize_name(module_name_for(path)[0].split(".", 1)[0])
            for path in nb.project.index.modules.keys() if posixpath.basename(path) == "__init__.py"}


def _where_to_declare(nb: NotebookContext, tool: str, pinned: bool) -> str:
    """Where to declare a package, in words: the declaration file nearest the notebook
    of the kind the installer reads (an environment file for conda, a requirements
    file before packaging metadata for pip); a library declares what only its
    notebooks need as an extra, with a range rather than a pin."""
    folder = posixpath.dirname(nb.path)
    files = [path for path in nb.project.dependencies.declaration_files
             if posixpath.dirname(path) in ("", folder) or folder.startswith(posixpath.dirname(path) + "/")]
    conda = [path for path in files if path.endswith((".yml", ".yaml"))]
    pip = [path for path in files if path not in conda]
    preferred = (conda or pip) if tool == "conda" else (pip or conda)
    pin = "" if pinned else ", pinned,"
    if not preferred:
        return f"{pin} in an `environment.yml`" if tool == "conda" else f"{pin} in a `requirements.txt` (or `pyproject.toml`)"
    chosen = max(preferred, key=lambda path: (path.count("/"), "requirements" in path))
    if posixpath.basename(chosen) in _PACKAGING_FILES and nb.project.kind.library:
        return f" as an optional extra (or development dependency) in `{chosen}`"
    return f"{pin} in `{chosen}`"


def _names(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


class InlineInstall(NotebookRule):
    """``!pip install`` in a notebook installs whatever version is newest that day,
    into whichever environment runs it, and nothing outside the notebook records it."""

    code = "ML807"
    name = "inline-install"
    severity = Severity.WARNING
    #: whether the project declares a package: its requirement files, packaging and own packages
    reads = Reach.SETTINGS
    roles = _WORKING_NOTEBOOKS

    def check(self, nb: NotebookContext) -> None:
        for magic in self._commands(nb.notebook):
            for install in _installs(magic.text):
                message = self._message(nb, magic, install)
                if message is not None:
                    nb.report(self.code, magic.cell, message, magic.line, magic.column)

    @staticmethod
    def _commands(notebook: Notebook) -> Iterator[Magic]:
        """Shell and magic lines, and the lines of ``%%bash`` cells."""
        yield from (m for m in notebook.magics if m.kind in ("shell", "line_magic", "assign"))
        for number in notebook.skipped_cells:
            lines = notebook.cell_source(number).splitlines()
            if lines and _SHELL_CELLS.match(lines[0].strip()):
                for line_number, line in enumerate(lines[1:], start=2):
                    if line.strip():
                        yield Magic(number, line_number, len(line) - len(line.lstrip()) + 1, "shell", line.strip())

    @staticmethod
    def _message(nb: NotebookContext, magic: Magic, install: _Install) -> str | None:
        """What to say about one install; None for a library installing itself, and
        for declared packages installed only on a hosted runtime (which lacks them)."""
        own = _own_packages(nb)
        packages = [package for package in install.packages if normalize_name(package.name) not in own]
        declared = _declared_names(nb)
        missing = [package for package in packages if not _spellings(package.name) & declared.keys()]
        hosted = _hosted_only(nb.notebook.cell_source(magic.cell), magic)
        command = f"`{shown(magic.text.splitlines()[0], 60)}`"
        if missing:
            it = "it" if len(missing) == 1 else "them"
            pinned = all(package.pinned for package in missing)
            where = " on Colab/Kaggle only" if hosted else ""
            versions = "" if pinned else " and each run may get another version"
            return (f"{command} installs {_names([p.name for p in missing])}{where} from inside the notebook, and "
                    f"the project declares {it} nowhere: a fresh environment lacks {it}{versions}; declare {it}"
                    f"{_where_to_declare(nb, install.tool, pinned)} and install the environment from there")
        if hosted or not packages:
            return None
        it = "it" if len(packages) == 1 else "them"
        files = sorted({declared[min(_spellings(package.name) & declared.keys())] for package in packages})
        return (f"{command} installs {_names([p.name for p in packages])} from inside the notebook although "
                f"{_names(files)} already declare{'s' if len(files) == 1 else ''} {it}: the notebook changes the "
                "environment it runs in, maybe to other versions; install the declared environment instead and "
                "remove the line")
