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
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import libcst as cst

from mllint.engine.context import ModuleContext
from mllint.syntax.cst import bound_names, string_value


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


class ScopeVisitor(cst.CSTVisitor):
    """Visits one scope (a function or module) in source order up to a given node:
    what happened there before it. Nested functions, classes and lambdas are
    separate scopes and skipped."""

    def __init__(self, scope: cst.CSTNode, stop: cst.CSTNode) -> None:
        super().__init__()
        self.scope, self.stop = scope, stop
        self.done = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.done or node is self.stop:
            self.done = True
            return False
        if node is not self.scope and isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        return super().on_visit(node)


class _BindingFinder(ScopeVisitor):
    """The last binding of a name in one scope, before a given node."""

    def __init__(self, name: str, scope: cst.CSTNode, stop: cst.CSTNode) -> None:
        super().__init__(scope, stop)
        self.name = name
        self.found: _Binding | None = None

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(self.name in bound_names(t.target) for t in node.targets):
            self.found = _Binding(_Bound.ASSIGNED, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and self.name in bound_names(node.target):
            self.found = _Binding(_Bound.ASSIGNED, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and self.name in bound_names(node.asname.name):
            self.found = _Binding(_Bound.ASSIGNED, node.item)

    def visit_Import(self, node: cst.Import) -> None:
        self._imported(node.names)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not isinstance(node.names, cst.ImportStar):
            self._imported(node.names)

    def _imported(self, names: Sequence[cst.ImportAlias]) -> None:
        """``import a.b`` binds ``a``; ``import a.b as c`` and ``from a import b as c`` bind ``c``."""
        for alias in names:
            bound: cst.BaseExpression = alias.asname.name if alias.asname is not None else alias.name
            while isinstance(bound, cst.Attribute):
                bound = bound.value
            if isinstance(bound, cst.Name) and bound.value == self.name:
                self.found = _Binding(_Bound.IMPORTED)


def _parameters(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    extra = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return [*params.posonly_params, *params.params, *params.kwonly_params, *extra]


def _last_binding(ctx: ModuleContext, name: str, at: cst.CSTNode) -> _Binding | None:
    """How *name* was last bound before *at*: in the enclosing function (its body,
    else its parameters), else at module level; None when it is not bound there."""
    scopes = [n for n in ctx.ancestors if isinstance(n, (cst.Module, cst.FunctionDef))]
    for scope in reversed(scopes):
        finder = _BindingFinder(name, scope, at)
        scope.visit(finder)
        if finder.found is not None:
            return finder.found
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
