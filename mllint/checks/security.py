"""ML6xx: security, privacy and model integrity.

The rules here look for code that lets someone else run code on the machine
(unpickling, remote model code), secrets and personal data committed with the
project, and downloads an attacker on the network can tamper with. The text
recognisers for credentials and personal data live in :mod:`mllint.analysis.secrets`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import ClassVar, NamedTuple

import libcst as cst

from mllint.engine.context import (
    ModuleContext,
    NotebookContext,
    Replacement,
    bound_names,
    has_star_kwargs,
    is_false,
    is_true,
    keyword,
    positional,
    string_value,
)
from mllint.engine.findings import Severity
from mllint.engine.rules import ModuleRule, NotebookRule, Scope
from mllint.analysis.secrets import (
    TOKEN_PREFILTER,
    PiiMatch,
    SecretMatch,
    find_pii,
    find_secrets_in_text,
    find_tokens,
    html_to_text,
    mask_secret,
    named_secret_kind,
)

# --- shared helpers -------------------------------------------------------------------


def string_text(node: cst.CSTNode) -> str | None:
    """The text of a string literal; an f-string's replacement fields become ``{}``.
    None for bytes and for anything that is not a string literal."""
    if isinstance(node, cst.SimpleString):
        return string_value(node)
    if isinstance(node, cst.FormattedString):
        return "".join(p.value if isinstance(p, cst.FormattedStringText) else "{}" for p in node.parts)
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_text(node.left), string_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


class _BindingFinder(cst.CSTVisitor):
    """The last expression bound to a name in one scope, before a given node.

    Nested functions, classes and lambdas are separate scopes and skipped.
    """

    def __init__(self, name: str, scope: cst.CSTNode, stop: cst.CSTNode) -> None:
        super().__init__()
        self.name, self.scope, self.stop = name, scope, stop
        self.value: cst.BaseExpression | None = None
        self.done = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.done or node is self.stop:
            self.done = True
            return False
        if node is not self.scope and isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        return super().on_visit(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(self.name in bound_names(t.target) for t in node.targets):
            self.value = node.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and self.name in bound_names(node.target):
            self.value = node.value

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and self.name in bound_names(node.asname.name):
            self.value = node.item


def binding(ctx: ModuleContext, name: str, at: cst.CSTNode) -> cst.BaseExpression | None:
    """What *name* was last assigned (or bound by ``with … as``) before *at*, in the
    enclosing function, else at module level; None when unknown (a parameter, a
    loop variable, an import)."""
    scopes = [n for n in ctx.ancestors if isinstance(n, (cst.Module, cst.FunctionDef))]
    for scope in reversed(scopes):
        finder = _BindingFinder(name, scope, at)
        scope.visit(finder)
        if finder.value is not None:
            return finder.value
        if isinstance(scope, cst.FunctionDef) and any(
            p.name.value == name
            for p in (*scope.params.params, *scope.params.posonly_params, *scope.params.kwonly_params)
        ):
            return None
    return None


def _is_bare_expression(ctx: ModuleContext) -> bool:
    """A string that is a whole statement: a docstring, or text used as a comment."""
    return bool(ctx.ancestors) and isinstance(ctx.ancestors[-1], cst.Expr)


def _display_name(ctx: ModuleContext, call: cst.Call) -> str:
    return ctx.call_name(call) or ctx.dotted(call.func) or ctx.code_for(call.func)


def _last_segment(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


# --- where a loaded file comes from (ML601 severity) ------------------------------------


class Origin(NamedTuple):
    """Where the data given to a loader comes from. ``rank`` orders the risk."""

    rank: int
    description: str | None
    severity: Severity | None


_URL = Origin(3, "a file from a URL", Severity.ERROR)
_DOWNLOAD = Origin(2, "a downloaded file", Severity.ERROR)
_USER_INPUT = Origin(1, "a path from user input", Severity.ERROR)
_UNKNOWN = Origin(0, None, None)


def _own(path: str) -> Origin:
    shown = f" `{path}`" if path else ""
    return Origin(-1, f"the project's own artifact{shown}", Severity.WARNING)


_REMOTE_SCHEME = re.compile(r"^(?:https?|ftp|s3|gs|gcs|az|abfss?|wasbs?|hf)://", re.I)
_ABSOLUTE = re.compile(r"^(?:/|~|\\\\|[A-Za-z]:[\\/])")
_DOWNLOADERS = frozenset(
    {
        "urlretrieve", "urlopen", "hf_hub_download", "cached_download", "snapshot_download", "download_url_to_file",
        "download_url", "download_file", "download", "get_file", "cached_path", "load_url",
    }
)
_HTTP_PACKAGES = frozenset({"requests", "httpx", "urllib3", "aiohttp", "urllib"})
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
    risky = max(origins, key=lambda o: o.rank, default=_UNKNOWN)
    if risky.rank > 0:
        return risky
    if origins and all(o.rank < 0 for o in origins):
        named = [o for o in origins if o.description and "`" in o.description]
        return named[0] if len(named) == 1 else _own("")
    return _UNKNOWN


def origin_of(ctx: ModuleContext, node: cst.CSTNode, depth: int = 0) -> Origin:
    """Classify an expression given to a loader: URL, download, user input, a
    constant relative path inside the project, or unknown. Names are followed
    through their assignments a few levels deep."""
    if depth > 5:
        return _UNKNOWN
    text = string_text(node)
    if text is not None:
        if _REMOTE_SCHEME.match(text):
            return _URL
        if "{}" in text or not text or _ABSOLUTE.match(text):
            return _UNKNOWN
        return _own(text)
    qualified = ctx.qualified_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if qualified is not None and qualified.split(".")[0] in {"sys", "flask"}:
        return _USER_INPUT if qualified.startswith(_USER_INPUT_NAMES) else _UNKNOWN
    if isinstance(node, cst.Name):
        if node.value == "__file__":
            return _own("")
        if node.value == "request":
            return _USER_INPUT
        if node.value in ctx.info.aliases:
            return _UNKNOWN
        bound = binding(ctx, node.value, node)
        return origin_of(ctx, bound, depth + 1) if bound is not None else _UNKNOWN
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        return origin_of(ctx, node.value, depth + 1)
    if isinstance(node, cst.Await):
        return origin_of(ctx, node.expression, depth + 1)
    if isinstance(node, cst.BinaryOperation):
        return _combine([origin_of(ctx, node.left, depth + 1), origin_of(ctx, node.right, depth + 1)])
    if isinstance(node, cst.Call):
        return _call_origin(ctx, node, depth)
    return _UNKNOWN


def _call_origin(ctx: ModuleContext, call: cst.Call, depth: int) -> Origin:
    name = ctx.call_name(call)
    last = _last_segment(call)
    if last in _DOWNLOADERS or (name is not None and name.split(".")[0] in _HTTP_PACKAGES):
        return _DOWNLOAD
    if last in _USER_INPUT_CALLS:
        return _USER_INPUT
    if last in _PASS_THROUGH:
        args = positional(call) if last in ("join", "joinpath") else positional(call)[:1]
        parts = [origin_of(ctx, a.value, depth + 1) for a in args]
        if isinstance(call.func, cst.Attribute) and name is None:
            parts.insert(0, origin_of(ctx, call.func.value, depth + 1))
        return _combine(parts)
    return _UNKNOWN


# --- ML601 --------------------------------------------------------------------------

_PICKLE_ADVICE = (
    "load only files you produced and whose checksum you verify, "
    "or store models in a safe format (safetensors, ONNX, skops)"
)
_ALWAYS_UNSAFE: dict[str, str] = {
    **{f"{module}.{func}": _PICKLE_ADVICE
       for module in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")
       for func in ("load", "loads", "Unpickler")},
    "joblib.load": _PICKLE_ADVICE,
    "sklearn.externals.joblib.load": _PICKLE_ADVICE,
    "pandas.read_pickle": _PICKLE_ADVICE,
    "jsonpickle.decode": _PICKLE_ADVICE,
    "yaml.unsafe_load": "use `yaml.safe_load`",
    "yaml.unsafe_load_all": "use `yaml.safe_load_all`",
    "yaml.full_load": "use `yaml.safe_load`",
    "yaml.full_load_all": "use `yaml.safe_load_all`",
}
_TORCH_LOADS = frozenset({"torch.load", "torch.serialization.load"})
_KERAS_LOADS = frozenset(
    {f"{root}.{module}.load_model" for root in ("keras", "tensorflow.keras", "tf_keras") for module in ("models", "saving")}
)
_YAML_LOADS = frozenset({"yaml.load", "yaml.load_all"})
_UNSAFE_YAML_LOADERS = frozenset({"Loader", "CLoader", "FullLoader", "CFullLoader", "UnsafeLoader", "CUnsafeLoader"})
_PATH_KEYWORDS = ("f", "file", "fp", "filename", "fname", "path", "filepath", "filepath_or_buffer", "stream", "s",
                  "data", "string")
_ML601_LIBRARIES = re.compile(r"pickle|dill|joblib|torch|numpy|keras|yaml|pandas")
#: A call of a loader by its own name, or the import that lets it be called by another.
_ML601_CALLS = re.compile(
    r"\bloads?\s*\(|Unpickler|read_pickle|unsafe_load|full_load|jsonpickle|safe_mode\s*=\s*False|import[^\n]*\bloads?\b"
)


def _path_argument(call: cst.Call) -> cst.BaseExpression | None:
    args = positional(call)
    if args:
        return args[0].value
    for name in _PATH_KEYWORDS:
        arg = keyword(call, name)
        if arg is not None:
            return arg.value
    return None


def _argument(call: cst.Call, name: str, position: int) -> cst.Arg | None:
    found = keyword(call, name)
    if found is not None:
        return found
    args = positional(call)
    return args[position] if len(args) > position else None


class UnsafeDeserialization(ModuleRule):
    """Pickle-based and unsafe-YAML loaders execute code chosen by whoever wrote
    the file: a tampered model file is remote code execution."""

    code = "ML601"
    name = "unsafe-deserialization"
    severity = Severity.ERROR
    fixable = True

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return bool(_ML601_CALLS.search(text) and _ML601_LIBRARIES.search(text))

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.call_name(node)
        if name is None:
            return
        advice, fix = self._unsafe(name, node)
        if advice is None:
            return
        target = _path_argument(node)
        if isinstance(target, cst.Call) and (self.ctx.call_name(target) or "").endswith(".dumps"):
            return  # ``pickle.loads(pickle.dumps(x))``: a deep copy of data made in this process
        origin = origin_of(self.ctx, target) if target is not None else _UNKNOWN
        where = f", here {origin.description}" if origin.description else ""
        message = f"`{name}` {self._risk(name, node)}{where}; {advice}"
        self.ctx.report_node(self.code, node, message, fix, severity=origin.severity)

    def _risk(self, name: str, call: cst.Call) -> str:
        """PyYAML's FullLoader no longer runs code (since 5.4) but still builds any
        already-imported Python object: say so rather than overstate it."""
        loader = _argument(call, "Loader", 1) if name in _YAML_LOADS else None
        loader_name = (self.ctx.qualified_name(loader.value) or "") if loader is not None else ""
        if name.startswith("yaml.full_load") or loader_name.endswith("FullLoader"):
            return "builds arbitrary Python objects from the data it loads (and ran code before PyYAML 5.4)"
        return "can execute code embedded in the data it loads"

    def _unsafe(self, name: str, call: cst.Call) -> tuple[str | None, Replacement | None]:
        """(advice, fix) when this call deserialises unsafely, else (None, None)."""
        if name in _ALWAYS_UNSAFE:
            fix = None
            if name in ("yaml.full_load", "yaml.full_load_all"):
                fix = self._rename_yaml_call(call, name.replace("full_", "safe_"), safe=False)
            return _ALWAYS_UNSAFE[name], fix
        if has_star_kwargs(call):
            return None, None  # the deciding flag may be in **kwargs
        if name in _TORCH_LOADS:
            flag = keyword(call, "weights_only")
            if flag is None:
                return "pass `weights_only=True`", self._add_weights_only(call)
            return ("pass `weights_only=True`", None) if is_false(flag.value) else (None, None)
        if name == "numpy.load":
            flag = _argument(call, "allow_pickle", 2)
            if flag is not None and is_true(flag.value):
                return "drop `allow_pickle=True` and save arrays without object dtype", None
            return None, None
        if name in _KERAS_LOADS:
            flag = keyword(call, "safe_mode")
            if flag is not None and is_false(flag.value):
                return "keep the default `safe_mode=True`", None
            return None, None
        if name in _YAML_LOADS:
            return self._yaml(call, name)
        return None, None

    def _yaml(self, call: cst.Call, name: str) -> tuple[str | None, Replacement | None]:
        safe_name = name.replace("load", "safe_load")
        loader = _argument(call, "Loader", 1)
        advice = f"use `{safe_name}` (or `Loader=yaml.SafeLoader`)"
        if loader is None:
            fix = self._rename_yaml_call(call, safe_name, safe=True) if len(call.args) == 1 else None
            return advice, fix
        loader_name = self.ctx.qualified_name(loader.value) or self.ctx.dotted(loader.value) or ""
        if loader_name.startswith("yaml.") and loader_name.rsplit(".", 1)[-1] in _UNSAFE_YAML_LOADERS:
            return advice, None
        return None, None  # SafeLoader, CSafeLoader, BaseLoader or a project's own loader class

    def _rename_yaml_call(self, call: cst.Call, new_name: str, *, safe: bool) -> Replacement | None:
        """``yaml.load(f)`` -> ``yaml.safe_load(f)``, keeping the user's module alias.
        Only when called through the module (a bare imported name would need a new import)."""
        func = call.func
        if not isinstance(func, cst.Attribute) or self.ctx.qualified_name(func.value) != "yaml":
            return None
        new_attr = new_name.rsplit(".", 1)[-1]
        return self.ctx.replace(func.attr, cst.Name(new_attr), f"use `{new_name}`", safe=safe)

    def _add_weights_only(self, call: cst.Call) -> Replacement | None:
        """Append ``weights_only=True`` keeping the call's layout (one line or one
        argument per line, trailing comma or not)."""
        args = list(call.args)
        if not args:
            return None
        new_arg = cst.Arg(
            value=cst.Name("True"),
            keyword=cst.Name("weights_only"),
            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
        )
        last = args[-1]
        if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
            separator = args[-2].comma
        elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
            separator = cst.Comma(whitespace_after=call.whitespace_before_args)
        else:
            separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if isinstance(last.comma, cst.Comma):  # trailing comma: the new argument inherits it
            args[-1] = last.with_changes(comma=separator)
            args.append(new_arg.with_changes(comma=last.comma))
        else:
            args[-1] = last.with_changes(comma=separator)
            args.append(new_arg)
        return self.ctx.replace(call, call.with_changes(args=args), "pass `weights_only=True`", safe=True)


# --- ML602 ---------------------------------------------------------------------------

_ML602_NAMES = re.compile(
    r"(?i)(?:api_?key|apikey|token|secret|passw(?:or)?d|pwd|passphrase|access_?key|private_?key|\bkey)"
    r"[\"'\]]*\s*(?::\s*[\w\[\]., |]+\s*)?[:=]\s*[rbuRBU]{0,2}[\"'][^\"'\s]{8,}[\"']"
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def output_texts(output: object) -> Iterator[str]:
    """The human-readable text of one notebook output: streams, ``text/plain``,
    ``text/markdown``, ``text/html`` (tags removed) and error tracebacks."""
    if not isinstance(output, dict):
        return
    kind = output.get("output_type")
    if kind == "stream":
        yield _as_text(output.get("text"))
    elif kind in ("execute_result", "display_data", "update_display_data"):
        data = output.get("data")
        if isinstance(data, dict):
            for mime in ("text/plain", "text/markdown"):
                yield _as_text(data.get(mime))
            yield html_to_text(_as_text(data.get("text/html")))
    elif kind == "error":
        traceback = output.get("traceback")
        lines = [line for line in traceback if isinstance(line, str)] if isinstance(traceback, list) else []
        yield _ANSI.sub("", "\n".join([_as_text(output.get("evalue")), *lines]))


def code_cells(nb: NotebookContext) -> Iterator[tuple[int, dict]]:
    """(1-based cell number among all cells, cell) for every code cell."""
    cells = nb.notebook.node.get("cells")
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            yield number, cell


def _cell_outputs(cell: dict) -> list[object]:
    outputs = cell.get("outputs")
    return outputs if isinstance(outputs, list) else []


_MOVE_SECRET = "read it from an environment variable or a secrets manager and revoke the exposed one"


def _secret_message(match: SecretMatch, where: str, action: str = _MOVE_SECRET) -> str:
    return f"hard-coded {match.kind} (`{mask_secret(match.value)}`) {where}; {action}"


class HardcodedSecret(ModuleRule, NotebookRule):
    """Credentials in code or notebook outputs end up in git history, forks and
    logs, where they stay valid until revoked.

    One rule, two passes: as a module rule it reads string literals (with the
    names they are bound to); as a notebook rule it reads what the code rules
    never see: cell outputs, shell/magic lines and non-Python cells. The runner
    picks up a class for each kind it subclasses.
    """

    code = "ML602"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    scope: ClassVar[Scope] = Scope.MODULE
    redact_source = True

    def __init__(self, ctx: ModuleContext | None = None) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]  # None only for the notebook pass
        self._handled: set[int] = set()

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return bool(TOKEN_PREFILTER.search(text) or _ML602_NAMES.search(text))

    # -- code ------------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._named(_binding_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._named(_binding_name(node.target), node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = string_value(node.key)
        if key is not None:
            self._named(key, node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._named(node.keyword.value, node.value)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._named(node.name.value, node.default)

    def visit_Call(self, node: cst.Call) -> None:
        arg = keyword(node, "key")
        if arg is not None and self.ctx.call_name(node) == "wandb.login":
            self._named("wandb_api_key", arg.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._literal(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._literal(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._literal(node)

    def _literal(self, node: cst.BaseExpression) -> None:
        """A string literal visited on its own (not as a bound value): docstrings,
        string statements and the parts of an implicit concatenation are skipped."""
        parent = self.ctx.ancestors[-1] if self.ctx.ancestors else None
        if not isinstance(parent, cst.ConcatenatedString) and not _is_bare_expression(self.ctx):
            self._scan(node)

    def _scan(self, node: cst.BaseExpression) -> bool:
        """Report a provider-format token in this literal, once; True when found."""
        if id(node) in self._handled:
            return False
        self._handled.add(id(node))
        text = string_text(node)
        match = next(find_tokens(text), None) if text is not None else None
        if match is not None:
            self.report(node, _secret_message(match, "in source code"))
        return match is not None

    def _named(self, name: str | None, value: cst.BaseExpression) -> None:
        """A literal bound to a credential-like name; provider formats win."""
        if name is None or id(value) in self._handled or string_text(value) is None or self._scan(value):
            return
        text = string_value(value)
        if text is None:
            return
        kind = named_secret_kind(name, text)
        if kind is not None:
            self.report(value, _secret_message(SecretMatch(kind, text, 0), f"assigned to `{name}`"))

    # -- notebook outputs and shell lines ----------------------------------------

    def check(self, nb: NotebookContext) -> None:
        for number, cell in code_cells(nb):
            reported: set[str] = set()
            for output in _cell_outputs(cell):
                for text in output_texts(output):
                    for match in find_secrets_in_text(text):
                        if match.kind not in reported:
                            reported.add(match.kind)
                            nb.report(self.code, number, _output_secret_message(match))
        for magic in nb.notebook.magics:
            for match in find_secrets_in_text(magic.text)[:1]:
                line, column = _offset_position(magic.text, match.start)
                column += magic.column - 1 if line == 1 else 0
                nb.report(self.code, magic.cell, _secret_message(match, "in a shell or magic line"),
                          magic.line + line - 1, column)
        for number in [*nb.notebook.skipped_cells, *_text_cells(nb)]:
            source = nb.notebook.cell_source(number)
            for match in find_secrets_in_text(source)[:1]:
                line, column = _offset_position(source, match.start)
                nb.report(self.code, number, _secret_message(match, "in a non-Python cell"), line, column)


def _text_cells(nb: NotebookContext) -> Iterator[int]:
    """Markdown and raw cells: committed with the notebook like code."""
    cells = nb.notebook.node.get("cells")
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if isinstance(cell, dict) and cell.get("cell_type") in ("markdown", "raw"):
            yield number


def _output_secret_message(match: SecretMatch) -> str:
    return (f"the output of this cell shows {_article(match.kind)} {match.kind} (`{mask_secret(match.value)}`); "
            "clear the output and revoke the credential")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeio" else "a"


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _binding_name(target: cst.BaseExpression) -> str | None:
    """The name a value is stored under: ``x``, ``self.x``, ``env["X"]``."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            return string_value(index.value)
    return None


# --- ML603 ---------------------------------------------------------------------------

_COMMIT = re.compile(r"[0-9a-f]{40}")


class TrustRemoteCode(ModuleRule):
    """``trust_remote_code=True`` runs Python from the model repository on load; an
    unpinned revision runs whatever the repository holds tomorrow.

    Any call counts, not only known loaders: the keyword is Hugging Face's
    convention, also used by vLLM, sentence-transformers and project wrappers.
    """

    code = "ML603"
    name = "trust-remote-code"
    severity = Severity.WARNING
    triggers = ("trust_remote_code",)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value == "trust_remote_code" and is_true(node.value):
            self._check(node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if string_value(node.key) == "trust_remote_code" and is_true(node.value):
            self._check(node)

    def _check(self, node: cst.CSTNode) -> None:
        call = next((a for a in reversed(self.ctx.ancestors) if isinstance(a, cst.Call)), None)
        if call is not None and (self._pinned(call) or "mcp" in (_last_segment(call) or "").lower()):
            return  # pinned, or an MCP tool server (trusted as a service, no repository code to pin)
        self.report(node, "`trust_remote_code=True` runs code from the model repository at load time; "
                          "pin `revision=` to a reviewed 40-character commit hash")

    def _pinned(self, call: cst.Call) -> bool:
        """A commit-hash revision, or one chosen elsewhere (a variable or ``**kwargs``:
        the project can pin it in configuration, this call cannot be judged)."""
        if has_star_kwargs(call):
            return True
        for name in ("revision", "code_revision"):
            arg = keyword(call, name)
            if arg is None:
                continue
            value = arg.value
            if isinstance(value, cst.Name):
                value = binding(self.ctx, value.value, call) or value
            text = string_value(value)
            if text is None or _COMMIT.fullmatch(text):
                return True
        return False


# --- ML604 ---------------------------------------------------------------------------

_HTTP_CALLS = frozenset(
    {
        *(f"{lib}.{verb}" for lib in ("requests", "httpx", "requests.api")
          for verb in ("get", "post", "put", "patch", "head", "request", "stream")),
        "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.Request", "urllib.urlopen",
        "urllib.urlretrieve", "urllib2.urlopen", "six.moves.urllib.request.urlopen", "six.moves.urllib.request.urlretrieve",
        "wget.download", "gdown.download", "torch.hub.load_state_dict_from_url", "torch.hub.download_url_to_file",
        "torch.utils.model_zoo.load_url", "keras.utils.get_file", "tensorflow.keras.utils.get_file",
        "datasets.load_dataset", "fsspec.open", "fsspec.open_files", "smart_open.open", "numpy.loadtxt",
        "numpy.genfromtxt", "urllib3.request", "aiohttp.request",
    }
)
_READER_PREFIXES = ("pandas.read_", "polars.read_", "polars.scan_", "dask.dataframe.read_")
#: Unresolved calls (``session.get(url)``, a project's ``download(url)``) that fetch what they are given.
_FETCH_NAMES = re.compile(r"^(?:get|post|put|patch|request|stream|urlopen|urlretrieve|open_url|get_file|load_url|"
                          r"download\w*|fetch\w*|read_\w+)$")
_URL_KEYWORDS = ("url", "urls", "origin", "path", "data_files", "filepath_or_buffer", "source", "uri", "fname", "file", "io")
_TLS_PACKAGES = frozenset({"requests", "httpx", "urllib3", "boto3", "botocore", "aiohttp"})
_TLS_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send",
                          "Session", "Client", "AsyncClient", "client", "resource"})
_PLAIN_HTTP = re.compile(r"^http://([^/?#\s]*)", re.I)
_INTERNAL_SUFFIXES = (".local", ".localhost", ".internal", ".svc", ".lan", ".home.arpa")
_ML604_TRIGGER = re.compile(
    r"[\"']http://(?!localhost|127\.0\.0\.1|0\.0\.0\.0)|verify\s*=\s*False|_create_unverified_context|CERT_NONE", re.I
)


def _is_internal_host(host: str) -> bool:
    """Loopback, private-network and single-label (container/service) hosts: plain
    HTTP there does not cross the internet."""
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.lower().rstrip(".")
    if not host or "{" in host or host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified


def _plain_http_host(text: str) -> str | None:
    match = _PLAIN_HTTP.match(text.strip())
    if match is None or _is_internal_host(match.group(1)):
        return None
    return match.group(1).rsplit("@", 1)[-1]


class InsecureDownload(ModuleRule):
    """Data or weights fetched over plain HTTP or without certificate checks can be
    swapped in transit; with pickle-based formats that is code execution."""

    code = "ML604"
    name = "insecure-download"
    severity = Severity.WARNING

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return bool(_ML604_TRIGGER.search(text))

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.call_name(node)
        last = _last_segment(node) or ""
        self._plain_http(node, name, last)
        verify = keyword(node, "verify")
        if verify is not None and is_false(verify.value) and self._is_http_client(name, last):
            self.report(verify, f"`{_display_name(self.ctx, node)}` with `verify=False` accepts any TLS certificate, "
                                "so downloads can be tampered with; remove it or pass a CA bundle path")

    def _plain_http(self, node: cst.Call, name: str | None, last: str) -> None:
        fetches = (name in _HTTP_CALLS or (name is not None and name.startswith(_READER_PREFIXES))
                   or (name is None and bool(_FETCH_NAMES.match(last))))
        if not fetches:
            return
        candidates = [a.value for a in positional(node)]
        candidates += [a.value for a in node.args if a.keyword is not None and a.keyword.value in _URL_KEYWORDS]
        for value in candidates:
            host = self._url_host(value)
            if host is not None:
                self.report(value, f"`{_display_name(self.ctx, node)}` fetches from `http://{host}` over plain HTTP, "
                                   "where the data can be read and replaced in transit; use `https://`")
                return

    def _url_host(self, value: cst.BaseExpression, depth: int = 0) -> str | None:
        if isinstance(value, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
            for element in value.elements:
                inner = element.value
                host = self._url_host(inner, depth + 1) if depth < 2 else None
                if host is not None:
                    return host
            return None
        if isinstance(value, cst.Name) and depth < 2:
            bound = binding(self.ctx, value.value, value)
            return self._url_host(bound, depth + 1) if bound is not None else None
        text = string_text(value)
        return _plain_http_host(text) if text is not None else None

    @staticmethod
    def _is_http_client(name: str | None, last: str) -> bool:
        if name is not None:
            return name.split(".")[0] in _TLS_PACKAGES
        return last in _TLS_METHODS

    def visit_Assign(self, node: cst.Assign) -> None:
        if is_false(node.value) and any(self._is_session_verify(t.target) for t in node.targets):
            self.report(node, "setting `verify = False` on an HTTP session accepts any TLS certificate, "
                              "so downloads can be tampered with; remove it")

    def _is_session_verify(self, target: cst.BaseExpression) -> bool:
        """``session.verify``: the object is an HTTP client (by construction or by name),
        not any object that happens to have a ``verify`` flag."""
        if not (isinstance(target, cst.Attribute) and target.attr.value == "verify"):
            return False
        owner = target.value
        if not isinstance(owner, cst.Name):
            return False
        bound = binding(self.ctx, owner.value, target)
        if isinstance(bound, cst.Call):
            name = self.ctx.call_name(bound)
            return name is not None and name.split(".")[0] in _TLS_PACKAGES
        return any(word in owner.value.lower() for word in ("session", "client", "http"))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._tls_reference(node)

    def visit_Name(self, node: cst.Name) -> None:
        parent = self.ctx.ancestors[-1] if self.ctx.ancestors else None
        if not (isinstance(parent, cst.Attribute) and parent.attr is node):
            self._tls_reference(node)

    def _tls_reference(self, node: cst.Attribute | cst.Name) -> None:
        if isinstance(node, cst.Name) and node.value not in ("_create_unverified_context", "CERT_NONE"):
            return
        if isinstance(node, cst.Attribute) and node.attr.value not in ("_create_unverified_context", "CERT_NONE"):
            return
        qualified = self.ctx.qualified_name(node)
        if any(isinstance(a, (cst.Import, cst.ImportFrom)) for a in self.ctx.ancestors):
            return
        parent = self.ctx.ancestors[-1] if self.ctx.ancestors else None
        if qualified == "ssl._create_unverified_context":
            self.report(node, "`ssl._create_unverified_context` turns off TLS certificate checks, "
                              "so downloads can be tampered with; fix the CA setup instead (e.g. `certifi`)")
        elif qualified == "ssl.CERT_NONE" and isinstance(parent, (cst.Assign, cst.Arg)):
            self.report(node, "`ssl.CERT_NONE` turns off TLS certificate checks, so downloads can be tampered with; "
                              "use `ssl.CERT_REQUIRED`")


# --- ML605 ---------------------------------------------------------------------------

_PLURALS = {"e-mail address": "e-mail addresses"}
_ARTICLES = {"e-mail address": "an"}


def _describe(kind: str, count: int) -> str:
    if count == 1:
        return f"{_ARTICLES.get(kind, 'a')} {kind}"
    return f"{count} {_PLURALS.get(kind, kind + 's')}"


class PiiInNotebookOutput(NotebookRule):
    """Outputs are committed with the notebook: a printed data frame of customers
    publishes their e-mail addresses, phone numbers or card numbers."""

    code = "ML605"
    name = "pii-in-notebook-output"
    severity = Severity.WARNING

    def check(self, nb: NotebookContext) -> None:
        for number, cell in code_cells(nb):
            found: dict[str, dict[str, PiiMatch]] = {}
            for output in _cell_outputs(cell):
                for text in output_texts(output):
                    for match in find_pii(text):
                        found.setdefault(match.kind, {}).setdefault(match.value, match)
            for kind, matches in found.items():
                example = next(iter(matches.values())).masked
                nb.report(self.code, number, f"the output of this cell shows {_describe(kind, len(matches))} "
                                             f"(e.g. `{example}`); clear the output or anonymise the data before committing")
