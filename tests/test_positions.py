"""Per-statement positions agree with libcst's whole-module PositionProvider."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider

import mllint
from mllint.engine.positions import Positions

SOURCE = '''#!/usr/bin/env python
# header comment

"""Docstring."""
import torch


# leading comment
def train(model):  # trailing
    x = torch.randn(3,
                    4)
    return model(x); y = 1


class A:
    def f(self):
        return [i for i in range(3)]
if True: torch.load("m.pt")
'''


class _All(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


def assert_same_positions(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collector = _All()
    module.visit(collector)
    positions = Positions(module)
    owner = {}
    for statement in module.body:
        sub = _All()
        statement.visit(sub)
        owner.update({id(n): statement for n in sub.nodes})
    for node in collector.nodes:
        if id(node) not in owner:  # the module itself, its header and footer lines
            continue
        assert positions.of(node, owner[id(node)]) == expected[node], module.code_for_node(node)
        assert Positions(module).of(node, None) == expected[node]


def test_positions_match_the_provider():
    assert_same_positions(SOURCE)


def test_module_without_trailing_newline():
    assert_same_positions("import os\nx = os.path.join('a',\n  'b')")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["x = 1\n", "# c\n", "\n", "def f():\n    return g(1,\n  2)\n", "if a:\n    b()\n"]), min_size=1, max_size=8))
def test_positions_match_on_generated_modules(lines):
    assert_same_positions("".join(lines))


@pytest.mark.parametrize("name", ["engine/positions.py", "analysis/torch_loops.py", "checks/security.py", "testkit.py"])
def test_the_first_node_asked_in_each_statement_is_placed_as_the_provider_places_it(name):
    """Real code (decorators, f-strings, comprehensions, long calls): one node of each
    top-level statement, chosen at random, is the first asked there and is found
    by counting tokens rather than by the provider."""
    module = cst.parse_module((Path(mllint.__file__).parent / name).read_text())
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    chosen = random.Random(name)
    for statement in module.body:
        inside = _All()
        statement.visit(inside)
        node = chosen.choice(inside.nodes)
        assert positions.of(node, statement) == expected[node], module.code_for_node(node)


def test_a_node_reported_with_the_wrong_statement_is_placed_from_its_own():
    """Reports made in ``leave_Module`` name the node itself as its statement: the
    owner is looked up, and no whole-module position pass is made."""
    module = cst.parse_module(SOURCE)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collector = _All()
    module.body[-1].visit(collector)
    positions = Positions(module)
    for node in collector.nodes:
        assert positions.of(node, node) == expected[node]
        assert positions.of(node, module.body[0]) == expected[node]
    assert positions._whole is None
