"""What an expression stands for, read statically within one module.

The security analyses (:mod:`mllint.analysis.provenance`,
:mod:`mllint.analysis.network`) and rules ask the same small questions about a
value before judging it: what text a string literal holds (an f-string's
fields unknown), what a name was last assigned in its scope (so
``url = "http://..."; get(url)`` is read as a call on that URL), and by what
name a call is made when its target is not an import. Nothing here follows
values across modules or through control flow: the answer is the last binding
in source order, or None when unknown.
"""

from __future__ import annotations

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
    loop variable, an import), so that callers judge a variable by its value.

    The scopes searched are those around the node being visited (``ctx.ancestors``);
    the search in each stops at *at*."""
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
