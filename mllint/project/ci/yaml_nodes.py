"""Walking composed YAML (CI configurations, job and container specs): every
mapping's keys and values, and the scalars of a command value, each node once.

``yaml.compose`` keeps node positions and never constructs values, so custom
tags (GitLab ``!reference``) cannot fail and GitHub's ``on:`` stays a string.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml


def compose(text: str) -> list[yaml.Node]:
    """The documents of a YAML text as node trees; raises ``yaml.YAMLError`` (or
    ``RecursionError``, ``ValueError``) when it is not YAML."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [doc for doc in yaml.compose_all(text, Loader=loader) if doc is not None]


def mapping_items(roots: list[yaml.Node]) -> Iterator[tuple[str, yaml.Node]]:
    """Every (key, value node) pair of every mapping in the trees, in document order."""
    stack = list(reversed(roots))
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    yield key.value, value
            stack.extend(reversed([value for _, value in node.value]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def scalars(node: yaml.Node, read: set[int]) -> Iterator[yaml.ScalarNode]:
    """The scalars of a command value: a string, or a (nested) list of strings.

    Each node is read once (*read* holds the ids of those already read): an alias
    is the same node again, at the same lines, so a "billion laughs" of nested
    aliases, or a sequence that contains itself, costs its size in the text.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in read:
            continue
        read.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            yield current
        elif isinstance(current, yaml.SequenceNode) and current.tag != "!reference":
            stack.extend(reversed(current.value))
