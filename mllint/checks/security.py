"""ML6xx: security, privacy and model integrity.

The rules here look for code that lets someone else run code on the machine
(unpickling, remote model code), secrets and personal data committed with the
project, and downloads an attacker on the network can tamper with.

What the rules share is analysis, in :mod:`mllint.analysis`: the recognisers
for credentials and personal data (:mod:`~mllint.analysis.secrets`), the text
a notebook shows besides its code (:mod:`~mllint.analysis.notebook_text`),
which calls deserialise unsafely (:mod:`~mllint.analysis.deserialization`),
where a loaded path comes from (:mod:`~mllint.analysis.provenance`), which
calls fetch from the network and how (:mod:`~mllint.analysis.network`) and
what a name or literal holds (:mod:`~mllint.analysis.values`). They return
facts; the rules here decide severities and write the messages and fixes.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar

from mllint.analysis.deserialization import (
    Hazard,
    TorchLoadDefaults,
    UnsafeLoad,
    loaded_argument,
    possibly_unsafe_loads,
    unsafe_load,
)
from mllint.analysis.network import (
    TLS_DISABLERS,
    disabled_tls_check,
    holds_http_client,
    is_http_client_call,
    plain_http_fetch,
    plain_http_host,
    requests_local_host,
)
from mllint.analysis.notebook_text import output_texts_by_cell, text_cells
from mllint.analysis.provenance import UNKNOWN, Origin, Source, origin_of, produced_here
from mllint.analysis.secrets import (
    TOKEN_GATES,
    TOKEN_PREFILTER,
    PiiMatch,
    SecretMatch,
    find_pii,
    find_secrets_in_text,
    find_tokens,
    mask_secret,
    named_secret_kind,
)
from mllint.analysis.values import (
    binding,
    enclosing_function,
    last_segment,
    string_text,
)
from mllint.engine.context import ModuleContext, NotebookContext, Replacement
from mllint.engine.findings import Fix, Severity
from mllint.engine.rules import Fixability, ModuleRule, NotebookRule, Scope
from mllint.project.layout import NOT_TESTS, OWN_CODE, Role
from mllint.syntax.ast_walks import without_leaves
from mllint.syntax.cst import (
    CodeChildren,
    has_star_kwargs,
    is_false,
    is_true,
    keyword,
    positional,
    preorder,
    string_value,
)
from mllint.syntax.deferred import deferred
from mllint.syntax.text_search import WordSearch, mentions_any

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


# --- message helpers ------------------------------------------------------------------


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeio" else "a"


# --- ML601 --------------------------------------------------------------------------

_PICKLE_ADVICE = (
    "load only files you produced and whose checksum you verify, "
    "or store models in a safe format (safetensors, ONNX, skops)"
)
_ML601_LIBRARIES = re.compile(r"pickle|dill|joblib|torch|numpy|keras|yaml|pandas")
#: A call of a loader by its own name, or the import that lets it be called by another.
#: The import's line is read up to the next ``import`` only (a ``load`` after both is
#: found from the second): from each of many imports on a line, ``[^\n]*`` would
#: rescan the line to its end.
_ML601_CALLS = WordSearch(
    r"\bloads?\s*\(|Unpickler|read_pickle|unsafe_load|full_load|jsonpickle|safe_mode\s*=|import(?:[^\ni]|i(?!mport))*\bloads?\b"
)
#: A YAML node tag or a %TAG directive, other than the core tags that PyYAML's safe
#: loader builds as the others do: a tagged document may load differently with it.
_YAML_TAGS = re.compile(
    r"(?:^|[\s\[\]{},])!(?!!(?:str|int|float|bool|null|binary|timestamp|seq|map|omap|pairs|set)\b)|^%TAG",
    re.MULTILINE,
)
#: How ML601 words where the loaded data comes from, and how severe that makes the load.
_ORIGINS: Mapping[Source, tuple[str | None, Severity | None]] = {
    Source.URL: ("a file from a URL", Severity.ERROR),
    Source.DOWNLOAD: ("a downloaded file", Severity.ERROR),
    Source.USER_INPUT: ("a path from user input", Severity.ERROR),
    Source.UNKNOWN: (None, None),
}


def _origin_text(origin: Origin) -> tuple[str | None, Severity | None]:
    """(where the data comes from, the finding's severity): data from outside is an
    error, the project's own artifact a warning, unknown data keeps the rule's."""
    if origin.source is Source.OWN:
        shown = f" `{origin.path}`" if origin.path else ""
        return f"the project's own artifact{shown}", Severity.WARNING
    return _ORIGINS[origin.source]


def _in_setstate(ctx: ModuleContext) -> bool:
    """Whether the node visited is in a ``__setstate__`` method: what it loads is the
    state an unpickler passes while unpickling the object (``CloudpickleWrapper``
    loading what its ``__getstate__`` dumped), which is no more trusted than that
    outer pickle, itself the load a finding is about."""
    function = enclosing_function(ctx)
    return function is not None and function.name.value == "__setstate__"


class UnsafeDeserialization(ModuleRule):
    """Pickle-based and unsafe-YAML loaders execute code chosen by whoever wrote
    the file: a tampered model file is remote code execution."""

    code = "ML601"
    name = "unsafe-deserialization"
    severity = Severity.ERROR
    roles = OWN_CODE
    fixable = Fixability.SAFE_OR_UNSAFE
    analyses = (TorchLoadDefaults,)

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return bool(_ML601_CALLS.search(text) and _ML601_LIBRARIES.search(text))

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """Most modules naming ``torch.load`` load weights safely: the calls are
        checked on the ``ast`` before the module is parsed with libcst."""
        lines = ctx.shared(_LoadLines).lines
        return lines is None or bool(lines)

    @classmethod
    def lines_read(cls, ctx: ModuleContext) -> frozenset[int] | None:
        """A load is judged from its own function and the module's statements:
        the bindings and writes before it (``values.binding``, ``produced_here``)
        in the function around it, else at module level, and the state dicts that
        function hands on. A load at module level reads the whole module."""
        return ctx.shared(_LoadLines).lines

    def visit_Call(self, node: cst.Call) -> None:
        load = unsafe_load(self.ctx, node)
        if load is None:
            return
        target = loaded_argument(node)
        if target is not None and produced_here(self.ctx, target, node):
            return  # ``pickle.loads(pickle.dumps(x))``, a file this code just wrote: a copy of its own objects
        if _in_setstate(self.ctx):
            return  # the state an unpickler hands over: loading the outer pickle already ran whatever it holds
        origin = origin_of(self.ctx, target) if target is not None else UNKNOWN
        if origin.source is Source.TEST_RUN:
            return  # a file in the test's own temporary folder: what this test run wrote
        if load.function.endswith(".loads") and origin.source is Source.UNKNOWN and _in_tests(self.ctx):
            return  # bytes a test holds: what the code under test serialised, read back to check it
        advice, fix = self._advice(load, node)
        description, severity = _origin_text(origin)
        where = f", here {description}" if description else ""
        message = f"`{load.function}` {self._risk(load)}{where}; {advice}"
        self.ctx.report_node(self.code, node, message, fix, severity=severity)

    @staticmethod
    def _risk(load: UnsafeLoad) -> str:
        """PyYAML's FullLoader no longer runs code (since 5.4) but still builds any
        already-imported Python object: say so rather than overstate it."""
        if load.objects_only:
            return "builds arbitrary Python objects from the data it loads (and ran code before PyYAML 5.4)"
        return "can execute code embedded in the data it loads"

    def _advice(self, load: UnsafeLoad, call: cst.Call) -> tuple[str, Fix | Replacement | None]:
        """What to do instead, and the fix when the change is mechanical.

        Fix safety (ruff's sense: a safe fix cannot change what correct code does):
        a safe loader returns the same objects as the unsafe one only when the data
        is plain. ``torch.load(x)`` gains ``weights_only=True`` safely when its result
        is a state dict (given to ``load_state_dict``): tensors and containers, which
        the weights-only unpickler loads alike; a whole pickled model would stop
        loading, so elsewhere the fix is unsafe. PyYAML's safe loader builds the
        same objects as the others for documents without tags, so renaming to
        ``safe_load`` is safe when the document is known and untagged (an inline
        string, or the project's own file), unsafe otherwise."""
        if load.hazard is Hazard.PICKLE:
            return _PICKLE_ADVICE, None
        if load.hazard is Hazard.TORCH:
            if load.setting_missing:  # the default before torch 2.6
                return "pass `weights_only=True` (the default from torch 2.6)", self._add_weights_only(call)
            return "pass `weights_only=True`", None
        if load.hazard is Hazard.NUMPY:
            return "drop `allow_pickle` (it defaults to False) and save arrays without object dtype", None
        if load.hazard is Hazard.KERAS:
            return "keep the default `safe_mode=True`", None
        instead = load.safe_function
        if load.hazard is Hazard.YAML_FUNCTION:
            return f"use `{instead}`", self._rename_yaml_call(call, instead)
        fix = self._rename_yaml_call(call, instead) if load.setting_missing and len(call.args) == 1 else None
        return f"use `{instead}` (or `Loader=yaml.SafeLoader`)", fix

    def _rename_yaml_call(self, call: cst.Call, new_name: str) -> Replacement | None:
        """``yaml.load(f)`` -> ``yaml.safe_load(f)``, keeping the user's module alias.
        Only when called through the module (a bare imported name would need a new import)."""
        func = call.func
        if not isinstance(func, cst.Attribute) or self.ctx.qualified_name(func.value) != "yaml":
            return None
        new_attr = new_name.rsplit(".", 1)[-1]
        plain = self._plain_yaml(call)
        message = f"use `{new_name}`" + ("" if plain else " (unsafe: documents with Python or custom tags would stop loading)")
        return self.ctx.replace(func.attr, cst.Name(new_attr), message, safe=plain)

    def _plain_yaml(self, call: cst.Call) -> bool:
        """Whether the document loaded is known and has no tags: an inline string
        (PyYAML parses a string argument itself), or a file of the project named by
        a constant path (relative to the project root or to this file's folder)."""
        target = loaded_argument(call)
        if target is None:
            return False
        inline = string_value(target)
        if inline is not None:
            return not _YAML_TAGS.search(inline)
        origin = origin_of(self.ctx, target)
        if origin.source is not Source.OWN or not origin.path:
            return False
        project = self.ctx.project
        folder = posixpath.dirname(self.ctx.path)
        candidates = {posixpath.normpath(path) for path in (origin.path, posixpath.join(folder, origin.path))}
        texts = [project.read_text(path) for path in sorted(candidates) if path in project.file_set]
        return bool(texts) and all(text is not None and not _YAML_TAGS.search(text) for text in texts)

    def _add_weights_only(self, call: cst.Call) -> Replacement | None:
        """Insert ``, weights_only=True`` after the last argument, in the call's
        layout (one line or one argument per line, a trailing comma and the space
        before the closing parenthesis stay where they are); safe only when the
        result is a state dict. An insertion, not a rewrite of the call: the edit
        carries none of the call's text (a URL and its password stay out of the
        fix that ``--format json`` and the cache hold)."""
        args = call.args
        if not args:
            return None
        if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
            separator = self._in_block(args[-2].comma, args[-2].comma.whitespace_after)
        elif isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
            separator = "," + self._in_block(call.whitespace_before_args, call.whitespace_before_args)
        else:
            separator = ", "
        safe = self._loads_state_dict(call)
        message = "pass `weights_only=True`" + ("" if safe else " (unsafe: a checkpoint holding pickled objects would stop loading)")
        last = args[-1].value
        # after the closing parenthesis of a parenthesised argument (``map_location=(lambda s, _: s)``):
        # a node's position leaves its parentheses out
        anchor = last.rpar[-1] if getattr(last, "rpar", None) else last
        return self.ctx.insert_after(anchor, f"{separator}weights_only=True", message, safe=safe)

    def _in_block(self, node: cst.CSTNode, whitespace: cst.BaseParenthesizableWhitespace) -> str:
        """The code of *node* as it reads where it is: a line break inside brackets
        that continues at the block's indentation (``ParenthesizedWhitespace.indent``)
        gets the indentation of the blocks around the call, which the node's own
        code leaves out (an argument on its own line in a function's ``with`` block)."""
        text = self.ctx.code_for(node)
        if not (isinstance(whitespace, cst.ParenthesizedWhitespace) and whitespace.indent) or self.ctx.module is None:
            return text
        default = self.ctx.module.default_indent
        indent = "".join(block.indent if block.indent is not None else default
                         for block in self.ctx.ancestors if isinstance(block, cst.IndentedBlock))
        head, newline, tail = text.rpartition("\n")
        return head + newline + indent + tail

    def _loads_state_dict(self, call: cst.Call) -> bool:
        """Whether the loaded object is a state dict: the call is the state dict
        given to ``.load_state_dict(...)``, or is assigned to a name that the same
        scope gives to ``.load_state_dict(...)``."""
        ancestors = self.ctx.ancestors
        parent = ancestors[-1] if ancestors else None
        outer = ancestors[-2] if len(ancestors) >= 2 else None
        if isinstance(parent, cst.Arg):
            return isinstance(outer, cst.Call) and _state_dict_argument(outer) is parent
        if not isinstance(parent, cst.Assign) or len(parent.targets) != 1 or not isinstance(parent.targets[0].target, cst.Name):
            return False
        scope = next((node for node in reversed(ancestors) if isinstance(node, (cst.FunctionDef, cst.Module))), None)
        if scope is None:
            return False
        return parent.targets[0].target.value in self.ctx.shared(_StateDictNames).of(scope)


class _LoadLines:
    """The lines of the calls ML601 may report (``possibly_unsafe_loads``), from
    the module's ``ast``, read once for ``can_fire`` and ``lines_read``; None when
    the module has no ``ast`` at hand."""

    def __init__(self, ctx: ModuleContext) -> None:
        tree = ctx.index.tree(ctx.path)
        self.lines = frozenset(call.lineno for call in possibly_unsafe_loads(ctx.info, tree)) if tree is not None else None


def _state_dict_argument(call: cst.Call) -> cst.Arg | None:
    """The state dict a ``<module>.load_state_dict(...)`` call is given (first or as ``state_dict=``)."""
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "load_state_dict":
        return None
    args = positional(call)
    return args[0] if args else keyword(call, "state_dict")


class _StateDictNames:
    """Per function or module of one file, the names its code (nested functions
    included) gives to ``<module>.load_state_dict(<name>)``: found by one visit
    of the scope, not one per load (a script of 1,000 ``torch.load`` lines took
    a minute)."""

    def __init__(self, ctx: ModuleContext) -> None:
        self._names: dict[int, frozenset[str]] = {}
        self._children = ctx.shared(CodeChildren)

    def of(self, scope: cst.CSTNode) -> frozenset[str]:
        names = self._names.get(id(scope))
        if names is None:
            calls = (node for node in preorder(scope, children=self._children) if isinstance(node, cst.Call))
            given = (_state_dict_argument(node) for node in calls)
            names = self._names[id(scope)] = frozenset(arg.value.value for arg in given if arg is not None and isinstance(arg.value, cst.Name))
        return names


# --- ML602 ---------------------------------------------------------------------------

#: Every name ``_ML602_NAMES`` accepts contains one of these, in some letter case.
_ML602_NAME_WORDS = ("key", "token", "secret", "passw", "pwd", "passphrase")
#: How far into a name ``_ML602_NAMES`` accepts its word may be (``private_key``).
_WORD_OFFSET = len("private_")


def _may_hold_token(text: str) -> bool:
    """A gate in front of ``TOKEN_PREFILTER``, whose alternation of formats ``re``
    can only try at every position of the file: one search per format, each led
    by a literal that ``re`` skips ahead to (20x faster over a project's files)."""
    return any(gate.search(text) for gate in TOKEN_GATES)


#: A credential-like name given a quoted value of 8 or more characters, by an
#: assignment (with a type annotation or not) or a dictionary key. The parts of an
#: annotation are separated by spaces that belong to no other part (two runs of
#: spaces side by side backtracked cubically on a long run), and ``k(?<!\wk)ey``
#: is ``\bkey`` written to start with a literal, as every other name does.
_ML602_NAME_PATTERN = (
    r"(?:api_?key|apikey|token|secret|passw(?:or)?d|pwd|passphrase|access_?key|private_?key|k(?<!\wk)ey)"
    r"[\"'\]]*\s*(?::\s*[\w\[\].,|]+(?: +[\w\[\].,|]+)*\s*)?[:=]\s*[rbuRBU]{0,2}[\"'][^\"'\s]{8,}[\"']"
)
_ML602_NAMES = re.compile(_ML602_NAME_PATTERN, re.IGNORECASE)
#: The same, letter case aside, for text lowered (see ``_names_a_secret``).
_ML602_LOWERED_NAMES = re.compile(_ML602_NAME_PATTERN)


def _names_a_secret(text: str) -> bool:
    """``_ML602_NAMES.search(text)``, computed on the lowered text, where it is
    exact but for the two letters whose upper and lower case are not each
    other's (``ſ``, ``ı``: nobody names a secret with them), and faster.

    Every name the pattern accepts holds one of ``_ML602_NAME_WORDS`` at most
    ``_WORD_OFFSET`` characters from its start, so the pattern is tried only
    just before each occurrence of a word, which ``str.find`` skips ahead to:
    a search ignoring case tried every position of every module naming a key or
    a token (a second over a 2,000-file library, most of whose modules hold a
    character outside ASCII)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer (``İ``): positions move
        return _ML602_NAMES.search(text) is not None
    for word in _ML602_NAME_WORDS:
        tried = -1  # the last start tried before an earlier occurrence of the word
        found = lowered.find(word)
        while found != -1:
            if any(_ML602_LOWERED_NAMES.match(lowered, start) for start in range(max(found - _WORD_OFFSET, tried + 1), found + 1)):
                return True
            tried, found = found, lowered.find(word, found + 1)
    return False


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
        if _may_hold_token(text) and TOKEN_PREFILTER.search(text):
            return True
        return mentions_any(text, _ML602_NAME_WORDS) and _names_a_secret(text)

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """A provider-format token can sit in any literal or comment: a module whose
        text may hold one is parsed with libcst. Otherwise only a plain string
        literal bound to a credential-like name can be reported, and the ``ast``
        shows every such binding. Test suites pass the text gate everywhere
        (``key=``, ``token=``) and rarely hold a secret: most are not parsed."""
        if _may_hold_token(ctx.source) and TOKEN_PREFILTER.search(ctx.source):
            return True
        if _in_tests(ctx):
            return False
        tree = ctx.index.tree(ctx.path)
        return tree is None or any(named_secret_kind(name, value) for name, value in _named_literals(tree))

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

    def visit_Comment(self, node: cst.Comment) -> None:
        """A provider-format token in a comment is as public as one in a literal,
        and is found so that no other finding shows its line."""
        match = next(find_tokens(node.value), None)
        if match is not None and not self._masked_magic(node):
            self.report(node, _secret_message(match, "in a comment"))

    def _masked_magic(self, comment: cst.Comment) -> bool:
        """A notebook's shell or magic line, which its Python text holds as a
        comment: the notebook pass reports it, in the line's own words."""
        notebook = self.ctx.notebook
        if notebook is None or not notebook.magics:
            return False
        cell, line = notebook.locate(self.ctx.position(comment).start.line)
        return any(magic.cell == cell and magic.line <= line <= magic.line + magic.text.count("\n")
                   for magic in notebook.magics)

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
        """A literal bound to a credential-like name; provider formats win. Not in
        tests: they give the code under test a made-up key of their own
        (``environ["API_KEY"] = "a127…"``) far more often than a real one; a
        provider-format token there is still one."""
        if name is None or id(value) in self._handled or string_text(value) is None or self._scan(value):
            return
        if _in_tests(self.ctx):
            return
        text = string_value(value)
        if text is None:
            return
        kind = named_secret_kind(name, text)
        if kind is not None:
            self.report(value, _secret_message(SecretMatch(kind, text, 0), f"assigned to `{name}`"))

    # -- notebook outputs and shell lines ----------------------------------------

    def check(self, nb: NotebookContext) -> None:
        for number, texts in output_texts_by_cell(nb.notebook):
            reported: set[str] = set()
            for text in texts:
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
        for number in [*nb.notebook.skipped_cells, *text_cells(nb.notebook)]:
            source = nb.notebook.cell_source(number)
            for match in find_secrets_in_text(source)[:1]:
                line, column = _offset_position(source, match.start)
                nb.report(self.code, number, _secret_message(match, "in a non-Python cell"), line, column)


def _in_tests(ctx: ModuleContext) -> bool:
    return ctx.project.role(ctx.path) in (Role.TEST, Role.TEST_SUPPORT)


def _is_bare_expression(ctx: ModuleContext) -> bool:
    """A string that is a whole statement: a docstring, or text used as a comment."""
    return bool(ctx.ancestors) and isinstance(ctx.ancestors[-1], cst.Expr)


def _output_secret_message(match: SecretMatch) -> str:
    return (f"the output of this cell shows {_article(match.kind)} {match.kind} (`{mask_secret(match.value)}`); "
            "clear the output and revoke the credential")


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _named_literals(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(name, text) of every plain string literal bound to a name, as the libcst
    pass binds them: assignment targets, dictionary keys, keyword arguments,
    parameter defaults, and ``key=`` as a wandb API key."""
    for node in ast.walk(tree):
        pairs: list[tuple[str | None, ast.expr | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(_ast_binding_name(target), node.value) for target in node.targets]
        elif isinstance(node, ast.AnnAssign):
            pairs = [(_ast_binding_name(node.target), node.value)]
        elif isinstance(node, ast.Dict):
            pairs = [(_ast_text(key), value) for key, value in zip(node.keys, node.values) if key is not None]
        elif isinstance(node, ast.keyword) and node.arg is not None:
            pairs = [(node.arg, node.value), *([("wandb_api_key", node.value)] if node.arg == "key" else [])]
        elif isinstance(node, ast.arguments):
            positional = [*node.posonlyargs, *node.args]
            pairs = [(arg.arg, default) for arg, default in zip(positional[len(positional) - len(node.defaults):], node.defaults)]
            pairs += [(arg.arg, default) for arg, default in zip(node.kwonlyargs, node.kw_defaults)]
        for name, value in pairs:
            text = _ast_text(value)
            if name is not None and text is not None:
                yield name, text


def _ast_text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _ast_binding_name(target: ast.expr) -> str | None:
    """``_binding_name`` on the ``ast``."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return _ast_text(target.slice)
    return None


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
    roles = NOT_TESTS
    triggers = ("trust_remote_code",)

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """Most modules naming ``trust_remote_code`` pass a caller's choice on
        (``trust_remote_code=trust_remote_code``, ``=args.trust_remote_code``;
        on diffusers, 14 of 17). A finding needs it set to ``True`` itself, as a
        keyword or a dictionary entry: the ``ast`` shows them."""
        tree = ctx.index.tree(ctx.path)
        if tree is None:
            return True
        for node in without_leaves(tree):
            if isinstance(node, ast.keyword) and node.arg == "trust_remote_code" and _is_true(node.value):
                return True
            if isinstance(node, ast.Dict) and any(
                isinstance(key, ast.Constant) and key.value == "trust_remote_code" and _is_true(value)
                for key, value in zip(node.keys, node.values)
            ):
                return True
        return False

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value == "trust_remote_code" and is_true(node.value):
            self._check(node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if string_value(node.key) == "trust_remote_code" and is_true(node.value):
            self._check(node)

    def _check(self, node: cst.CSTNode) -> None:
        call = next((a for a in reversed(self.ctx.ancestors) if isinstance(a, cst.Call)), None)
        if call is not None and (self._pinned(call) or "mcp" in (last_segment(call) or "").lower()):
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


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


# --- ML604 ---------------------------------------------------------------------------

#: Every match of ``_ML604_TRIGGER`` contains one of these, in some letter case. The
#: quote before ``http://`` matters: a licence header names a URL in nearly every file.
_ML604_WORDS = ("'http://", '"http://', "verify", "_create_unverified_context", "cert_none")
_ML604_TRIGGER = re.compile(
    r"[\"']http://(?!localhost|127\.0\.0\.1|0\.0\.0\.0)|verify\s*=\s*False|_create_unverified_context|CERT_NONE", re.I
)
#: The message for each ``ssl`` setting that turns certificate checks off.
_TLS_MESSAGES: Mapping[str, str] = {
    "ssl._create_unverified_context": "`ssl._create_unverified_context` turns off TLS certificate checks, "
                                      "so downloads can be tampered with; fix the CA setup instead (e.g. `certifi`)",
    "ssl.CERT_NONE": "`ssl.CERT_NONE` turns off TLS certificate checks, so downloads can be tampered with; "
                     "use `ssl.CERT_REQUIRED`",
}


def _display_name(ctx: ModuleContext, call: cst.Call) -> str:
    """A call as messages name it: its qualified name, else as written."""
    return ctx.call_name(call) or ctx.dotted(call.func) or ctx.code_for(call.func)


class InsecureDownload(ModuleRule):
    """Data or weights fetched over plain HTTP or without certificate checks can be
    swapped in transit; with pickle-based formats that is code execution."""

    code = "ML604"
    name = "insecure-download"
    severity = Severity.WARNING
    roles = OWN_CODE

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return mentions_any(text, _ML604_WORDS) and _ML604_TRIGGER.search(text) is not None

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """The text gate passes on a URL in a docstring or comment too. A finding
        needs a string that is a plain-HTTP URL to an outside host (a literal
        or the start of an f-string), a ``verify`` flag, or one of ``ssl``'s
        settings that turn certificate checks off: the ``ast`` shows them all."""
        tree = ctx.index.tree(ctx.path)
        if tree is None:
            return True
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and plain_http_host(node.value):
                return True
            if isinstance(node, ast.keyword) and node.arg == "verify":
                return True
            if isinstance(node, ast.Attribute) and node.attr in ("verify", *TLS_DISABLERS):
                return True
            if isinstance(node, ast.Name) and node.id in TLS_DISABLERS:
                return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        fetch = plain_http_fetch(self.ctx, node)
        if fetch is not None:
            self.report(fetch.argument, f"`{_display_name(self.ctx, node)}` fetches from `http://{fetch.host}` "
                                        "over plain HTTP, where the data can be read and replaced in transit; "
                                        "use `https://`")
        verify = keyword(node, "verify")
        if verify is not None and is_false(verify.value) and is_http_client_call(self.ctx, node) \
                and not requests_local_host(self.ctx, node):
            self.report(verify, f"`{_display_name(self.ctx, node)}` with `verify=False` accepts any TLS certificate, "
                                "so downloads can be tampered with; remove it or pass a CA bundle path")

    def visit_Assign(self, node: cst.Assign) -> None:
        if is_false(node.value) and any(self._is_session_verify(t.target) for t in node.targets):
            self.report(node, "setting `verify = False` on an HTTP session accepts any TLS certificate, "
                              "so downloads can be tampered with; remove it")

    def _is_session_verify(self, target: cst.BaseExpression) -> bool:
        """``session.verify``: the object is an HTTP client (by construction or by name),
        not any object that happens to have a ``verify`` flag."""
        return (isinstance(target, cst.Attribute) and target.attr.value == "verify"
                and isinstance(target.value, cst.Name) and holds_http_client(self.ctx, target.value))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._tls_reference(node)

    def visit_Name(self, node: cst.Name) -> None:
        parent = self.ctx.ancestors[-1] if self.ctx.ancestors else None
        if not (isinstance(parent, cst.Attribute) and parent.attr is node):
            self._tls_reference(node)

    def _tls_reference(self, node: cst.Attribute | cst.Name) -> None:
        setting = disabled_tls_check(self.ctx, node)
        if setting is not None:
            self.report(node, _TLS_MESSAGES[setting])


# --- ML605 ---------------------------------------------------------------------------

_PLURALS: Mapping[str, str] = {"e-mail address": "e-mail addresses"}


def _describe(kind: str, count: int) -> str:
    if count == 1:
        return f"{_article(kind)} {kind}"
    return f"{count} {_PLURALS.get(kind, kind + 's')}"


class PiiInNotebookOutput(NotebookRule):
    """Outputs are committed with the notebook: a printed data frame of customers
    publishes their e-mail addresses, phone numbers or card numbers."""

    code = "ML605"
    name = "pii-in-notebook-output"
    severity = Severity.WARNING

    def check(self, nb: NotebookContext) -> None:
        for number, texts in output_texts_by_cell(nb.notebook):
            found: dict[str, dict[str, PiiMatch]] = {}
            for text in texts:
                for match in find_pii(text):
                    found.setdefault(match.kind, {}).setdefault(match.value, match)
            for kind, matches in found.items():
                example = next(iter(matches.values())).masked
                nb.report(self.code, number, f"the output of this cell shows {_describe(kind, len(matches))} "
                                             f"(e.g. `{example}`); clear the output or anonymise the data before committing")
