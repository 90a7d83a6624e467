"""Leaving blank the functions no rule reads (``mllint.syntax.pruning``)."""

from __future__ import annotations

import ast

import libcst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mllint.syntax.pruning import blank_unread_functions

MODULE = """import torch

PATH = "model.pt"


@register
def unrelated(x):
    return x + 1


class Runner:
    steps = 3

    def setup(self):
        self.ready = True

    @staticmethod
    def restore(path=PATH):
        return torch.load(path)


async def fetch():
    return torch.load(PATH)
"""


def blank_lines(text: str) -> list[int]:
    return [number for number, line in enumerate(text.split("\n"), 1) if not line.strip()]


@pytest.mark.parametrize(
    ("lines", "blanked"),
    [
        # the load in ``restore``: ``unrelated`` (decorator too), ``setup`` and ``fetch`` go
        ({19}, [6, 7, 8, 14, 15, 22, 23]),
        # the load in ``fetch``: the whole class goes, ``steps`` with it
        ({23}, [6, 7, 8, 11, 12, 14, 15, 17, 18, 19]),
        ({19, 23}, [6, 7, 8, 14, 15]),
    ],
)
def test_the_functions_holding_none_of_the_lines_are_blank(lines, blanked):
    text = blank_unread_functions(MODULE, ast.parse(MODULE), lines)
    assert text is not None
    assert sorted(set(blank_lines(text)) - set(blank_lines(MODULE))) == blanked


@pytest.mark.parametrize(
    "lines",
    [
        {3},  # at module level: a rule reading there may read anything
        {12},  # in a class body, outside its methods
        {19, 1},
    ],
)
def test_a_line_outside_every_function_keeps_the_whole_module(lines):
    assert blank_unread_functions(MODULE, ast.parse(MODULE), lines) is None


def test_a_line_in_a_function_defined_under_an_if_keeps_the_whole_module():
    source = "import torch\nif torch.cuda.is_available():\n    def load(p):\n        return torch.load(p)\n"
    assert blank_unread_functions(source, ast.parse(source), {4}) is None


def test_nothing_to_leave_out_is_no_new_text():
    source = "import torch\n\ndef load(p):\n    return torch.load(p)\n"
    assert blank_unread_functions(source, ast.parse(source), {4}) is None


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_nodes_kept_keep_their_positions_with_any_line_break(newline):
    """libcst places a kept node where it is in the file, so reports and fixes hold."""
    source = MODULE.replace("\n", newline)
    text = blank_unread_functions(source, ast.parse(source), {19})
    assert text is not None and text.count(newline) == source.count(newline)

    def load_positions(code: str) -> list[tuple[int, int, int, int]]:
        wrapper = MetadataWrapper(libcst.parse_module(code))
        positions = wrapper.resolve(PositionProvider)
        return [
            (p.start.line, p.start.column, p.end.line, p.end.column)
            for node, p in positions.items()
            if isinstance(node, libcst.Call) and libcst.Module([]).code_for_node(node.func) == "torch.load"
        ]

    assert load_positions(text) == load_positions(source)[:1] == [(19, 15, 19, 31)]
