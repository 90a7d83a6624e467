"""Small questions about libcst nodes that many rules ask: literal values,
bound names, call arguments."""

from __future__ import annotations

import dataclasses
import operator
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


def preorder(
    root: cst.CSTNode,
    skip_inside: Callable[[cst.CSTNode], bool] = lambda node: False,
    children: Callable[[cst.CSTNode], Sequence[cst.CSTNode]] = lambda node: node.children,
) -> Iterator[cst.CSTNode]:
    """*root* and the nodes inside it, in source order, as a libcst visit meets
    them; the inside of a node (other than *root*) that *skip_inside* accepts is
    left out. A walk rather than a ``CSTVisitor`` subclass, which would import
    libcst when its module is imported. Pass a :class:`Children` when walking
    much of a module."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is root or not skip_inside(node):
            stack.extend(reversed(children(node)))


class Children:
    """``node.children``, read from the node's fields. libcst's property rebuilds
    the node to collect them (half of ML601's time on a 2,000-file library went
    there). Which fields hold children, and in which order libcst visits them,
    depends on the kind of node and on which of its optional parts are there:
    for each kind and set of fields holding children, the order is learnt from
    libcst's answer for the first such node, and read from the fields after.
    One is made per module linted (``ModuleContext.shared``; *ctx* is not read)."""

    def __init__(self, ctx: object = None) -> None:
        self._fields: dict[type, tuple[str, ...]] = {}
        #: (kind of node, the fields holding children) -> the order libcst visits
        #: those fields in (None: not one field after another)
        self._orders: dict[tuple[type, int], tuple[str, ...] | None] = {}

    def __call__(self, node: cst.CSTNode) -> Sequence[cst.CSTNode]:
        kind = type(node)
        names = self._fields.get(kind)
        if names is None:
            names = self._fields[kind] = tuple(field.name for field in dataclasses.fields(node))
        node_type = cst.CSTNode
        values: dict[str, Sequence[cst.CSTNode]] = {}
        present = 0
        bit = 1
        for name in names:
            value = getattr(node, name)
            if isinstance(value, node_type):
                values[name] = (value,)
                present |= bit
            elif type(value) is tuple and value:  # libcst keeps sequences of nodes as tuples
                values[name] = value
                present |= bit
            bit <<= 1
        key = (kind, present)
        if key not in self._orders:
            exact = node.children
            self._orders[key] = _visit_order(exact, values)
            return exact
        order = self._orders[key]
        if order is None:
            return node.children
        if len(order) <= 1:
            return values[order[0]] if order else ()
        return [child for name in order for child in values[name]]


def trivia_kinds() -> frozenset[type[cst.CSTNode]]:
    """Kinds of node with nothing but whitespace, comments and punctuation inside
    them: three in five of a module's nodes, and no other kind of node is ever
    inside them."""
    def subclasses(base: type[cst.CSTNode]) -> Iterator[type[cst.CSTNode]]:
        for kind in base.__subclasses__():
            yield kind
            yield from subclasses(kind)

    operators = (cst.BaseAugOp, cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp)
    return frozenset({
        cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline, cst.Comment,
        cst.Comma, cst.Colon, cst.Dot, cst.Semicolon, cst.AssignEqual, cst.ImportStar,
        cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
        *(kind for base in operators for kind in subclasses(base)),
    })


class CodeChildren:
    """A node's children other than trivia (``trivia_kinds``): what a walk for
    calls, names and assignments needs (a scope table of ML601's built in a
    third of the time). One is made per module linted (``ModuleContext.shared``)."""

    def __init__(self, ctx: Any) -> None:
        self._children = ctx.shared(Children)
        self._trivia = trivia_kinds()

    def __call__(self, node: cst.CSTNode) -> Sequence[cst.CSTNode]:
        trivia = self._trivia
        return [child for child in self._children(node) if type(child) not in trivia]


def _visit_order(exact: Sequence[cst.CSTNode], values: dict[str, Sequence[cst.CSTNode]]) -> tuple[str, ...] | None:
    """The fields in the order libcst visited them (*exact*: its children), or
    None when its children are not the fields' one after another."""
    field_of = {id(child): name for name, items in values.items() for child in items}
    order = tuple(dict.fromkeys(field_of.get(id(child), "") for child in exact))
    if "" in order or set(order) != values.keys():
        return None
    rebuilt = [child for name in order for child in values[name]]
    return order if len(rebuilt) == len(exact) and all(map(operator.is_, rebuilt, exact)) else None


def string_value(node: cst.CSTNode) -> str | None:
    """The value of a plain (non-f) string literal or implicit concatenation."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return left + right if left is not None and right is not None else None
    return None


def bound_names(target: cst.CSTNode) -> Iterator[str]:
    """The names an assignment target binds (``a``, ``a, (b, *c)``); attributes
    and subscripts bind none."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from bound_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from bound_names(target.value)


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call) -> Sequence[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def has_star_kwargs(call: cst.Call) -> bool:
    return any(a.star == "**" for a in call.args)


def is_true(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def is_false(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def leading_text(node: cst.CSTNode) -> str | None:
    """The literal text a string expression starts with (an f-string's prefix too)."""
    value = string_value(node)
    if value is not None:
        return value
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringText):
                break
            text += part.value
        return text or None
    if isinstance(node, cst.ConcatenatedString):
        return leading_text(node.left)
    return None
