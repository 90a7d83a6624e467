"""Where a path or value given to a loader comes from.

Loading a pickle is as safe as the file it reads: a model the project saved
itself is a lesser risk than a file from a URL, a download or a path the user
typed. :func:`origin_of` classifies an expression by following it back through
its assignments (:func:`mllint.analysis.values.binding`), through calls that
pass a path on (``open(path)``, ``os.path.join(root, name)``) and through the
parts of an expression built with an operator (``root / "model.pkl"``). The
riskiest part of a value decides; a value is the project's own only when every
part is a constant relative path or ``__file__``, and a test run's own when
besides those it is in a temporary folder pytest made for the test (directly,
or as the path a fixture returns: ``mllint.analysis.fixture_values``). Anything
else is unknown, so a rule can stay with its default judgement. The answer is
a fact; the rule decides the severity and words the message.

:func:`produced_here` answers a narrower question: whether the data was made by
this very code a moment before (a ``dumps`` result, or a file the same function
wrote under the same path expression), so that loading it back is a round trip
of the process's own objects, not data from anywhere else.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, NamedTuple

from mllint.analysis.fixture_values import (
    TEMPORARY_FACTORIES,
    TEMPORARY_FIXTURES,
    temporary_fixture,
)
from mllint.analysis.network import returns_download
from mllint.analysis.values import (
    binding,
    enclosing_function,
    is_parameter,
    last_segment,
    scope_table,
    string_text,
)
from mllint.engine.context import ModuleContext
from mllint.project.layout import Role
from mllint.syntax.cst import positional, string_value
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


class Source(enum.IntEnum):
    """Where a value comes from; the order is the risk, the riskiest part of a
    combined value decides."""

    TEST_RUN = -2  # in a test's fresh temporary folder (``tmp_path``): only the test run wrote there
    OWN = -1  # a constant relative path inside the project (or ``__file__``)
    UNKNOWN = 0
    USER_INPUT = 1  # a path from user input: ``input()``, ``sys.argv``, a request
    DOWNLOAD = 2  # the result of a download or an HTTP request
    URL = 3  # a remote URL given as a literal


class Origin(NamedTuple):
    """Where the data given to a loader comes from."""

    source: Source
    path: str = ""  # for ``Source.OWN``: the one constant path the value names, if one


UNKNOWN = Origin(Source.UNKNOWN)
_URL = Origin(Source.URL)
_DOWNLOAD = Origin(Source.DOWNLOAD)
_USER_INPUT = Origin(Source.USER_INPUT)
_OWN = Origin(Source.OWN)
_TEST_RUN = Origin(Source.TEST_RUN)

_REMOTE_SCHEME = re.compile(r"^(?:https?|ftp|s3|gs|gcs|az|abfss?|wasbs?|hf)://", re.I)
_ABSOLUTE = re.compile(r"^(?:/|~|\\\\|[A-Za-z]:[\\/])")
#: Calls whose result carries their first argument's origin (``open(path)``).
_PASS_THROUGH = frozenset(
    {"open", "Path", "PurePath", "BytesIO", "StringIO", "join", "GFile", "fspath", "str", "expanduser", "abspath",
     "realpath", "resolve", "read", "read_bytes", "read_text", "getvalue", "joinpath", "as_posix", "dirname",
     "normpath", "with_suffix", "with_name"}
)
_USER_INPUT_CALLS = frozenset({"input", "parse_args", "parse_known_args", "file_uploader", "get_json"})
_USER_INPUT_NAMES = ("flask.request", "sys.argv")


def _combine(origins: list[Origin]) -> Origin:
    """The riskiest part decides; a path is the project's own only if every part is,
    and a test run's own if every part is that or the project's (``tmp_path / "m.pt"``)."""
    risky = max(origins, key=lambda o: o.source, default=UNKNOWN)
    if risky.source > Source.UNKNOWN:
        return risky
    if risky.source < Source.UNKNOWN and any(o.source is Source.TEST_RUN for o in origins):
        return _TEST_RUN
    if origins and all(o.source is Source.OWN for o in origins):
        named = [o for o in origins if o.path]
        return named[0] if len(named) == 1 else _OWN
    return UNKNOWN


def origin_of(ctx: ModuleContext, node: cst.CSTNode, depth: int = 0) -> Origin:
    """Classify an expression given to a loader: URL, download, user input, a
    constant relative path inside the project, or unknown. Names are followed
    through their assignments a few levels deep."""
    if depth > 5:
        return UNKNOWN
    text = string_text(node)
    if text is not None:
        if _REMOTE_SCHEME.match(text):
            return _URL
        if "{}" in text or not text or _ABSOLUTE.match(text):
            return UNKNOWN
        return Origin(Source.OWN, text)
    qualified = ctx.qualified_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if qualified is not None and qualified.split(".")[0] in {"sys", "flask"}:
        return _USER_INPUT if qualified.startswith(_USER_INPUT_NAMES) else UNKNOWN
    if isinstance(node, cst.Name):
        if node.value == "__file__":
            return _OWN
        if node.value == "request":
            return _USER_INPUT
        if node.value in ctx.info.aliases:
            return UNKNOWN
        bound = binding(ctx, node.value, node)
        if bound is None and _in_tests(ctx) and is_parameter(ctx, node.value, node) and (
            node.value in TEMPORARY_FIXTURES or temporary_fixture(ctx, node.value)
        ):
            return _TEST_RUN  # the folder pytest made for the test, or a fixture's path in it
        return origin_of(ctx, bound, depth + 1) if bound is not None else UNKNOWN
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        return origin_of(ctx, node.value, depth + 1)
    if isinstance(node, cst.Await):
        return origin_of(ctx, node.expression, depth + 1)
    if isinstance(node, cst.BinaryOperation):
        return _combine([origin_of(ctx, node.left, depth + 1), origin_of(ctx, node.right, depth + 1)])
    if isinstance(node, cst.Call):
        return _call_origin(ctx, node, depth)
    return UNKNOWN


def _call_origin(ctx: ModuleContext, call: cst.Call, depth: int) -> Origin:
    name = ctx.call_name(call)
    last = last_segment(call)
    if returns_download(name, last):
        return _DOWNLOAD
    if last in _USER_INPUT_CALLS:
        return _USER_INPUT
    if (last == "mktemp" and isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name)
            and call.func.value.value in TEMPORARY_FACTORIES and _in_tests(ctx)):
        return _TEST_RUN
    if last in _PASS_THROUGH:
        args = positional(call) if last in ("join", "joinpath") else positional(call)[:1]
        parts = [origin_of(ctx, a.value, depth + 1) for a in args]
        if isinstance(call.func, cst.Attribute) and name is None:
            parts.insert(0, origin_of(ctx, call.func.value, depth + 1))
        return _combine(parts)
    return UNKNOWN


def _in_tests(ctx: ModuleContext) -> bool:
    """Whether the module is a test or test support, where a parameter named
    ``tmp_path`` is the pytest fixture (elsewhere it may be any path a caller gives)."""
    return ctx.project.role(ctx.path) in (Role.TEST, Role.TEST_SUPPORT)


#: Calls that write their arguments' data to a file (``pickle.dump(obj, f)``,
#: ``torch.save(obj, path)``, ``joblib.dump(obj, path)``), by the name they are called by.
_WRITERS = frozenset({"dump", "save", "savez", "savez_compressed", "save_file", "to_pickle"})
#: Path methods that write the file they are called on.
_PATH_WRITERS = frozenset({"write_bytes", "write_text"})
#: Calls that open or name the path they are given (``open(str(p), "rb")`` is ``p``).
_PATH_WRAPPERS = frozenset({"open", "str", "Path", "fspath", "GFile"})
#: Methods that read the file they are called on (``path.read_bytes()``, ``f.read()``).
_PATH_READERS = frozenset({"read", "read_bytes", "read_text"})
_WRITE_MODES = frozenset("wax")


#: ``torch.distributed`` collectives: what one process sends, its peers receive.
_COLLECTIVES = frozenset({"all_gather", "all_gather_into_tensor", "gather", "broadcast", "scatter", "all_to_all",
                          "recv", "irecv"})


def _exchanged_between_processes(ctx: ModuleContext, at: cst.Call) -> bool:
    """The function around *at* pickled something (``dumps``) and ran a collective before it."""
    function = enclosing_function(ctx)
    if function is None:
        return False
    called = {last_segment(call) for call in scope_table(ctx, function).calls_before(at)}
    return "dumps" in called and not _COLLECTIVES.isdisjoint(called)


def _path_key(ctx: ModuleContext, node: cst.BaseExpression, depth: int = 0) -> str | None:
    """The path expression a file argument stands for, as written: through ``with
    open(p) as f``, ``str(p)``/``Path(p)`` and ``f.read()``, ``f`` and ``p`` are both ``p``."""
    if depth > 4:
        return None
    if isinstance(node, cst.Name):
        bound = binding(ctx, node.value, node)
        if isinstance(bound, cst.Call) and last_segment(bound) in _PATH_WRAPPERS:
            return _path_key(ctx, bound, depth + 1)
        return node.value
    if isinstance(node, cst.Call) and last_segment(node) in _PATH_WRAPPERS:
        args = positional(node)
        return _path_key(ctx, args[0].value, depth + 1) if args else None
    if isinstance(node, cst.Call) and last_segment(node) in _PATH_READERS and isinstance(node.func, cst.Attribute):
        return _path_key(ctx, node.func.value, depth + 1)
    text = string_value(node)
    if text is not None:
        return repr(text)  # ``'m.pt'`` and ``"m.pt"`` are the same path
    return ctx.code_for(node) if ctx.module is not None else None


def _opens_for_writing(call: cst.Call) -> bool:
    args = positional(call)
    mode = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "mode"), None)
    if mode is None and len(args) > 1:
        mode = args[1].value
    text = string_value(mode) if mode is not None else None
    return text is not None and bool(_WRITE_MODES & set(text))


def _written_paths(ctx: ModuleContext, scope: cst.CSTNode, at: cst.CSTNode) -> set[str]:
    """The path expressions *scope* writes to before *at*: what ``open(p, "wb")``,
    ``pickle.dump(x, f)``, ``torch.save(x, p)`` and ``p.write_bytes(b)`` write."""
    paths: set[str] = set()
    for call in scope_table(ctx, scope).calls_before(at):
        last = last_segment(call)
        written: list[cst.BaseExpression] = []
        if last == "open" and _opens_for_writing(call):
            written = [a.value for a in positional(call)[:1]]
        elif last in _WRITERS:
            written = [a.value for a in call.args]
        elif last in _PATH_WRITERS and isinstance(call.func, cst.Attribute):
            written = [call.func.value]
        for value in written:
            key = _path_key(ctx, value)
            if key is not None:
                paths.add(key)
    return paths


def produced_here(ctx: ModuleContext, node: cst.BaseExpression, at: cst.CSTNode) -> bool:
    """Whether the data a loader at *at* reads was produced by this code earlier in
    the same function (or module): the result of a ``dumps`` call (directly or
    through a name), or a file written there under the same path expression. Such a
    load is a copy of the process's own objects (the pickling round trip tests
    check), not data someone else could have written. So are the bytes a
    function ``loads`` after it ``dumps`` its own data and exchanges it with the
    other processes of its distributed job (``dist.all_gather``: torchvision's and
    DETR's ``all_gather`` helper): the peers run the same code."""
    value = binding(ctx, node.value, node) if isinstance(node, cst.Name) else node
    if isinstance(value, cst.Call) and last_segment(value) == "dumps":
        return True
    if isinstance(at, cst.Call) and last_segment(at) == "loads" and _exchanged_between_processes(ctx, at):
        return True
    key = _path_key(ctx, node)
    scopes = [n for n in ctx.ancestors if isinstance(n, (cst.Module, cst.FunctionDef))]
    if key is None or not scopes:
        return False
    return key in _written_paths(ctx, scopes[-1], at)
