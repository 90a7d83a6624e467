"""The one definition of which files are tests."""

from __future__ import annotations

import pytest

from mllint.project.layout import is_test_path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_model.py", True),
        ("pkg/tests/helpers.py", True),
        ("conftest.py", True),
        ("model_test.py", True),
        ("train.py", False),
        ("contest/run.py", False),
        ("testing/fixtures/data.py", True),
        ("notebooks/test_ideas.ipynb", True),
        ("src/attest.py", False),
        ("latest/train.py", False),
    ],
)
def test_is_test_path(path, expected):
    assert is_test_path(path) is expected
