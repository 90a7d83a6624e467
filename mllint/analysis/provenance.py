"""Where a path or value given to a loader comes from.

Loading a pickle is as safe as the file it reads: a model the project saved
itself is a lesser risk than a file from a URL, a download or a path the user
typed. :func:`origin_of` classifies an expression by following it back through
its assignments (:func:`mllint.analysis.values.binding`), through calls that
pass a path on (``open(path)``, ``os.path.join(root, name)``) and through the
parts of an expression built with an operator (``root / "model.pkl"``). The
riskiest part of a value decides; a value is the project's own only when every
part is a constant relative path or ``__file__``. Anything else is unknown, so
a rule can stay with its default judgement. The answer is a fact; the rule
decides the severity and words the message.
"""

from __future__ import annotations

import enum
import re
from typing import NamedTuple

import libcst as cst

from mllint.analysis.network import returns_download
from mllint.analysis.values import binding, last_segment, string_text
from mllint.engine.context import ModuleContext
from mllint.syntax.cst import positional


class Source(enum.IntEnum):
    """Where a value comes from; the order is the risk, the riskiest part of a
    combined value decides."""

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
    """The riskiest part decides; a path is the project's own only if every part is."""
    risky = max(origins, key=lambda o: o.source, default=UNKNOWN)
    if risky.source > Source.UNKNOWN:
        return risky
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
    if last in _PASS_THROUGH:
        args = positional(call) if last in ("join", "joinpath") else positional(call)[:1]
        parts = [origin_of(ctx, a.value, depth + 1) for a in args]
        if isinstance(call.func, cst.Attribute) and name is None:
            parts.insert(0, origin_of(ctx, call.func.value, depth + 1))
        return _combine(parts)
    return UNKNOWN
