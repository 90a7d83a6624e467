"""What an expression stands for, read statically within one module.

The security analyses (:mod:`mllint.analysis.provenance`,
:mod:`mllint.analysis.network`) and rules ask the same small questions about a
value before judging it: what text a string literal holds (an f-string's
fields unknown), what a name was last assigned in its scope (so
``url = "http://..."; get(url)`` is read as a call on that URL), what constant
an argument holds (``flag = False; load(p, weights_only=flag)``), whether a
name still means the module imported under it, and by what name a call is made
when its target is not an import. Nothing here follows values across modules or
through control flow: the answer is the last binding in source order, or None
when unknown.
"""

from __future__ import annotations

import ast
import enum
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from mllint.engine.context import ModuleContext
from mllint.syntax.cst import (
    Children,
    CodeChildren,
    bound_names,
    preorder,
    string_value,
)
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


def string_text(node: cst.CSTNode) -> str | None:
    """The text of a string literal; an f-string's replacement fields become ``{}``,
    so callers can tell a fixed text from one built at run time.
    None for bytes and for anything that is not a string literal."""
    if isinstance(node, cst.SimpleString):
        return string_value(node)
    if isinstance(node, cst.FormattedString):
        return "".join(p.value if isinstance(p, cst.FormattedStringText) else "{}" for p in node.parts)
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_text(node.left), string_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def last_segment(call: cst.Call) -> str | None:
    """The last name of what is called (``get`` for ``session.get(...)``): how a
    call is recognised when its target is a local object rather than an import."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


class _Bound(enum.Enum):
    """How a name was last bound in a scope."""

    ASSIGNED = "assigned"  # an assignment or ``with … as``: the value is known
    IMPORTED = "imported"  # an import: a module or a library's object
    PARAMETER = "parameter"  # a function parameter: the caller decides


class _Binding(NamedTuple):
    kind: _Bound
    value: cst.BaseExpression | None = None


class ScopeTable:
    """One scope (a function or the module level) visited once, in source order:
    where each node of its own code comes, what it binds names to and the calls
    it makes. "What happened here before this node?" is then a lookup, not a
    visit per question: ML601 asks several per load, and re-visiting the
    module for each took a tenth of a run on a 2,000-file library. Nested
    functions, classes and lambdas are separate scopes: their code is not
    this scope's, and is not visited."""

    def __init__(self, scope: cst.CSTNode, children: Callable[[cst.CSTNode], Sequence[cst.CSTNode]] | None = None) -> None:
        #: id(node) -> where it comes in the visit (the nodes are alive as long as *scope*)
        self._order: dict[int, int] = {id(scope): 0}
        #: name -> (where each binding comes, the bindings), in source order
        self._bindings: dict[str, tuple[list[int], list[_Binding]]] = {}
        self._calls: list[tuple[int, cst.Call]] = []
        hooks = {cst.Call: self._call, cst.Assign: self._assign, cst.AnnAssign: self._annotated, cst.WithItem: self._with_item,
                 cst.Import: self._import, cst.ImportFrom: self._import_from}
        skipped = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
        for node in preorder(scope, lambda node: isinstance(node, skipped), children or Children()):
            self._order.setdefault(id(node), len(self._order))
            hook = hooks.get(type(node))
            if hook is not None:
                hook(node)

    def _stop(self, at: cst.CSTNode) -> int:
        """Where *at* comes; a node outside the scope's own code comes after all of it."""
        return self._order.get(id(at), len(self._order))

    def last_binding(self, name: str, at: cst.CSTNode) -> _Binding | None:
        """How *name* was last bound before *at* (a statement binding it around *at*, as
        in ``x = f(x)``, comes before it)."""
        found = self._bindings.get(name)
        if found is None:
            return None
        where, bindings = found
        before = bisect_left(where, self._stop(at))
        return bindings[before - 1] if before else None

    def calls_before(self, at: cst.CSTNode) -> Iterator[cst.Call]:
        stop = self._stop(at)
        return (call for where, call in self._calls if where < stop)

    def _bind(self, names: Iterable[str], binding: _Binding) -> None:
        here = len(self._order) - 1  # the node being visited
        for name in names:
            where, bindings = self._bindings.setdefault(name, ([], []))
            where.append(here)
            bindings.append(binding)

    def _call(self, node: cst.Call) -> None:
        self._calls.append((len(self._order) - 1, node))

    def _assign(self, node: cst.Assign) -> None:
        binding = _Binding(_Bound.ASSIGNED, node.value)
        for target in node.targets:
            self._bind(bound_names(target.target), binding)

    def _annotated(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(bound_names(node.target), _Binding(_Bound.ASSIGNED, node.value))

    def _with_item(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(bound_names(node.asname.name), _Binding(_Bound.ASSIGNED, node.item))

    def _import(self, node: cst.Import) -> None:
        self._imported(node.names)

    def _import_from(self, node: cst.ImportFrom) -> None:
        if not isinstance(node.names, cst.ImportStar):
            self._imported(node.names)

    def _imported(self, names: Sequence[cst.ImportAlias]) -> None:
        """``import a.b`` binds ``a``; ``import a.b as c`` and ``from a import b as c`` bind ``c``."""
        for alias in names:
            bound: cst.BaseExpression = alias.asname.name if alias.asname is not None else alias.name
            while isinstance(bound, cst.Attribute):
                bound = bound.value
            if isinstance(bound, cst.Name):
                self._bind((bound.value,), _IMPORTED)


_IMPORTED = _Binding(_Bound.IMPORTED)


class _ScopeTables:
    """The scope tables of one module, each built when first asked (``ModuleContext.shared``)."""

    def __init__(self, ctx: ModuleContext) -> None:
        self._tables: dict[int, ScopeTable] = {}
        self._children = ctx.shared(CodeChildren)

    def of(self, scope: cst.CSTNode) -> ScopeTable:
        table = self._tables.get(id(scope))
        if table is None:
            table = self._tables[id(scope)] = ScopeTable(scope, self._children)
        return table


def scope_table(ctx: ModuleContext, scope: cst.CSTNode) -> ScopeTable:
    """The table of *scope*, a function or module of the module *ctx* is visiting."""
    return ctx.shared(_ScopeTables).of(scope)


def _parameters(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    extra = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return [*params.posonly_params, *params.params, *params.kwonly_params, *extra]


def _last_binding(ctx: ModuleContext, name: str, at: cst.CSTNode) -> _Binding | None:
    """How *name* was last bound before *at*: in the enclosing function (its body,
    else its parameters), else at module level; None when it is not bound there."""
    scopes = [n for n in ctx.ancestors if isinstance(n, (cst.Module, cst.FunctionDef))]
    for scope in reversed(scopes):
        found = scope_table(ctx, scope).last_binding(name, at)
        if found is not None:
            return found
        if isinstance(scope, cst.FunctionDef) and any(p.name.value == name for p in _parameters(scope)):
            return _Binding(_Bound.PARAMETER)
    return None


def binding(ctx: ModuleContext, name: str, at: cst.CSTNode) -> cst.BaseExpression | None:
    """What *name* was last assigned (or bound by ``with … as``) before *at*, in the
    enclosing function, else at module level; None when unknown (a parameter, a
    loop variable, an import), so that callers judge a variable by its value.

    The scopes searched are those around the node being visited (``ctx.ancestors``);
    the search in each stops at *at*."""
    found = _last_binding(ctx, name, at)
    return found.value if found is not None else None


def is_parameter(ctx: ModuleContext, name: str, at: cst.CSTNode) -> bool:
    """Whether *name*, at *at*, still holds the value its function was called with:
    a parameter of the function around it, not assigned since (for a test or a
    fixture, what pytest injects)."""
    found = _last_binding(ctx, name, at)
    return found is not None and found.kind is _Bound.PARAMETER


def enclosing_function(ctx: ModuleContext) -> cst.FunctionDef | None:
    """The innermost function around the node being visited; None at module level."""
    return next((node for node in reversed(ctx.ancestors) if isinstance(node, cst.FunctionDef)), None)


def shadows_import(ctx: ModuleContext, name: str, at: cst.CSTNode) -> bool:
    """Whether the local *name* no longer means what the module imported under it:
    it was assigned (``yaml = YAML(typ="rt")``) or is a parameter of the function
    around *at*. A call through it is then a method of that object, not the
    library function of the same name."""
    found = _last_binding(ctx, name, at)
    return found is not None and found.kind is not _Bound.IMPORTED


class Constant(NamedTuple):
    """A value known statically (``True``, ``1``, ``"False"``, ``None``)."""

    value: object


_NAMED_CONSTANTS: Mapping[str, Constant] = {"True": Constant(True), "False": Constant(False), "None": Constant(None)}


def constant_value(ctx: ModuleContext, node: cst.BaseExpression, depth: int = 0) -> Constant | None:
    """The constant an expression holds: a literal (number, string, ``True``/
    ``False``/``None``), ``not``/``-`` of one, or a name last assigned one (a few
    levels deep); None when it is not known statically (a parameter, a call)."""
    if isinstance(node, cst.Name):
        if node.value in _NAMED_CONSTANTS:
            return _NAMED_CONSTANTS[node.value]
        bound = binding(ctx, node.value, node) if depth < 3 else None
        return constant_value(ctx, bound, depth + 1) if bound is not None else None
    if isinstance(node, (cst.Integer, cst.Float)):
        return Constant(ast.literal_eval(node.value))
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        text = string_value(node)
        return Constant(text) if text is not None else None
    if isinstance(node, cst.UnaryOperation):
        inner = constant_value(ctx, node.expression, depth)
        if inner is None:
            return None
        if isinstance(node.operator, cst.Not):
            return Constant(not inner.value)
        if isinstance(node.operator, cst.Minus) and isinstance(inner.value, (int, float)):
            return Constant(-inner.value)
    return None
