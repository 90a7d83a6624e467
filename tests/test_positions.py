"""Positions found by counting tokens agree with libcst's PositionProvider."""

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
from mllint.syntax.cst import preorder

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


def assert_same_positions(source: str) -> None:
    """Every node, asked alone and all at once, is placed as the provider places it."""
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = list(preorder(module))[1:]
    together = Positions(module).of_all(nodes)
    assert together.keys() == set(nodes)
    for node in nodes:
        assert together[node] == expected[node], module.code_for_node(node)
        assert Positions(module).of(node) == expected[node], module.code_for_node(node)


def test_positions_match_the_provider():
    assert_same_positions(SOURCE)


def test_module_without_trailing_newline():
    assert_same_positions("import os\nx = os.path.join('a',\n  'b')")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["x = 1\n", "# c\n", "\n", "def f():\n    return g(1,\n  2)\n", "if a:\n    b()\n"]), min_size=1, max_size=8))
def test_positions_match_on_generated_modules(lines):
    assert_same_positions("".join(lines))


@pytest.mark.parametrize("name", ["engine/positions.py", "analysis/torch_loops.py", "checks/security.py", "testkit.py"])
def test_nodes_asked_together_in_real_code_are_placed_as_the_provider_places_them(name):
    """Real code (decorators, f-strings, comprehensions, long calls): a random
    tenth of the nodes, nested ones included, is placed in one code generation
    that stops after the last of them."""
    module = cst.parse_module((Path(mllint.__file__).parent / name).read_text())
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = list(preorder(module))[1:]
    chosen = random.Random(name).sample(nodes, len(nodes) // 10)
    assert Positions(module).of_all(chosen) == {node: expected[node] for node in chosen}


def test_a_node_of_another_tree_is_left_out():
    module = cst.parse_module(SOURCE)
    stranger = cst.parse_expression("f(x)")
    first = module.body[0]
    assert Positions(module).of_all([stranger, first]).keys() == {first}


def test_a_module_asked_node_by_node_is_placed_whole_once_and_alike():
    """Single asks (made during a traversal) each generate the module up to their
    node; past a few, every node is placed at once, with the same positions."""
    module = cst.parse_module((Path(mllint.__file__).parent / "engine/positions.py").read_text())
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = Positions(module)
    nodes = list(preorder(module))[1:]
    assert [positions.of(node) for node in nodes] == [expected[node] for node in nodes]
    assert positions._every is not None and len(positions._every) == len(nodes)
