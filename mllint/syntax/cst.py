"""Small questions about libcst nodes that many rules ask: literal values,
bound names, call arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


def preorder(root: cst.CSTNode, skip_inside: Callable[[cst.CSTNode], bool] = lambda node: False) -> Iterator[cst.CSTNode]:
    """*root* and the nodes inside it, in source order, as a libcst visit meets
    them; the inside of a node (other than *root*) that *skip_inside* accepts is
    left out. A walk rather than a ``CSTVisitor`` subclass, which would import
    libcst when its module is imported."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is root or not skip_inside(node):
            stack.extend(reversed(node.children))


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
