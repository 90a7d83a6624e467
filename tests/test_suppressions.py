"""Inline suppressions and ML003 unused-suppression."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mllint.engine import suppressions
from mllint.engine.suppressions import parse_suppressions
from mllint.testkit import lint_tree, notebook_json

CALL = "import probe\nprobe.target()"


@pytest.mark.parametrize(
    "comment",
    [
        "# mllint: ignore[ML990]",
        "# mllint: ignore[probe-call]",
        "# mllint: ignore",
        "# noqa: ML990",
        "# noqa: E501, ML990",
        "#mllint:ignore[ML001,ML990]",
        "# MLLINT: IGNORE[ml990]",
    ],
)
def test_line_suppressions(tmp_path, probes, comment):
    findings = lint_tree(tmp_path, {"m.py": f"{CALL}  {comment}\n"}, select=["ML990", "ML003"], rules=probes)
    assert findings == []


@pytest.mark.parametrize("comment", ["# mllint: ignore[ML001]", "# noqa", "# noqa: E501", "# mllint: ignore[ML5]"])
def test_comments_that_do_not_suppress(tmp_path, probes, comment):
    findings = lint_tree(tmp_path, {"m.py": f"{CALL}  {comment}\n"}, select=["ML990"], rules=probes)
    assert [f.code for f in findings] == ["ML990"]


def test_suppression_on_another_line_does_not_apply(tmp_path, probes):
    findings = lint_tree(tmp_path, {"m.py": f"# mllint: ignore[ML990]\n{CALL}\n"}, select=["ML990"], rules=probes)
    assert [f.code for f in findings] == ["ML990"]


def test_file_level_suppression(tmp_path, probes):
    source = f'"""Doc."""\n# mllint: ignore-file[ML990]\n{CALL}\n{CALL}\n'
    assert lint_tree(tmp_path, {"m.py": source}, select=["ML990"], rules=probes) == []


def test_suppression_text_inside_a_string_is_not_a_comment(tmp_path, probes):
    source = f'{CALL}; x = "# mllint: ignore"\n'
    assert [f.code for f in lint_tree(tmp_path, {"m.py": source}, select=["ML990"], rules=probes)] == ["ML990"]


def test_unused_suppressions_are_reported_when_selected(tmp_path, probes):
    source = "import probe\nx = 1  # mllint: ignore[ML990]\ny = 2  # noqa: ML990, F401\n"
    findings = lint_tree(tmp_path, {"m.py": source}, select=["ML990", "ML003"], rules=probes)
    assert [(f.code, f.line, f.column) for f in findings] == [("ML003", 2, 8), ("ML003", 3, 8)]
    assert "mllint: ignore[ML990]" in findings[0].message


def test_suppression_of_a_rule_not_enabled_is_not_unused(tmp_path, probes):
    source = "import probe\nx = 1  # mllint: ignore[ML990]\n"
    assert lint_tree(tmp_path, {"m.py": source}, select=["ML003"], rules=probes) == []


def test_notebook_own_line_comment_suppresses_the_cell(tmp_path, probes):
    notebook = notebook_json(
        ["import probe\n", "# mllint: ignore[ML990]\nprobe.target()\nprobe.target()\n", "probe.target()\n"]
    )
    findings = lint_tree(tmp_path, {"nb.ipynb": notebook}, select=["ML990", "ML003"], rules=probes)
    assert [(f.code, f.cell) for f in findings] == [("ML990", 3)]


def test_syntax_errors_can_be_suppressed_per_file(tmp_path):
    source = "# mllint: ignore-file[syntax-error]\ndef f(:\n"
    assert lint_tree(tmp_path, {"m.py": source}, select=["ML0"]) == []


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        # tokenized up to the error: the string on line 1 holds no comment
        ('x = "# mllint: ignore"\ny = $  # mllint: ignore[ML1]\n', [2]),
        # an unterminated quote: the comments after it are found line by line
        ("x = '\\'\\'\n# mllint: ignore[ML1]\ny = 1  # noqa: ML2\n", [2, 3]),
        # an unclosed bracket: every comment is a token
        ("x = (1,  # mllint: ignore[ML1]\n", [1]),
    ],
)
def test_comments_are_tokens_up_to_the_first_error_and_lines_after_it(source, lines):
    assert [item.line for item in parse_suppressions(source).items] == lines


def test_parser_falls_back_on_untokenizable_text():
    result = parse_suppressions('x = """\n# mllint: ignore[ML1]\n')
    assert [item.line for item in result.items] == [2]


#: Pieces of code and comments around suppressions, and look-alikes.
SUPPRESSION_FRAGMENTS = (
    "x = 1", "#", " ", "\n", "noqa", "NOQA", ":", " E501", "ML201", "ml7", ",", "mllint", "ignore", "ignore-file",
    "[ML201]", "'", '"""', "\\", "(", ")", "\t", "nosec", " B301", "S301", " TOR102", " S101",
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SUPPRESSION_FRAGMENTS), max_size=14).map("".join))
@example("x = 1  # noqa: E501\n")
@example("x = 1  # noqa: E501,\n# ML201\n")
@example("x = 1  # noqa: E501, ML201\n#mllint:ignore-file[ML7]\n")
def test_the_suppression_prefilter_never_hides_one(text):
    """Files whose text holds no suppression are not tokenized: wherever parsing
    them finds one, the pre-filter lets them be parsed."""
    found = [(s.line, s.column, s.codes, s.text) for s in parse_suppressions(text).items]
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(suppressions, "_may_suppress", lambda text: True)
        assert [(s.line, s.column, s.codes, s.text) for s in parse_suppressions(text).items] == found


LOADS = "import pickle\nimport requests\n\nmodel = pickle.load(open('model.pkl', 'rb')){comment}\n"


@pytest.mark.parametrize(
    ("comment", "reported"),
    [
        ("  # noqa: S301", False),
        ("  # noqa: E501, S301", False),
        ("  # nosec", False),
        ("  # nosec B301", False),
        ("  # noqa: TOR102", False),
        ("  # noqa: S101", True),
        ("  # nosec B602", True),
        ("  # noqa", True),
        ("", True),
    ],
)
def test_another_security_linters_suppression_of_the_same_finding_holds(tmp_path, comment, reported):
    findings = lint_tree(tmp_path, {"serve.py": LOADS.format(comment=comment)}, select=["ML601", "ML003"])
    assert [f.code for f in findings] == (["ML601"] if reported else [])


@pytest.mark.parametrize(
    ("source", "select"),
    [
        ("import requests\n\nrequests.get('https://example.com/data', verify=False)  # nosec B501\n", "ML604"),
        ("import wandb\n\nwandb.login(key='4e1f9c2a7b3d8e6f0a5c1b9d2e7f3a8c6b0d4e2f')  # noqa: S106\n", "ML602"),
    ],
)
def test_other_linters_suppressions_cover_secrets_and_tls(tmp_path, source, select):
    assert lint_tree(tmp_path, {"client.py": source}, select=[select]) == []
    assert [f.code for f in lint_tree(tmp_path, {"client.py": source.split("  #")[0] + "\n"}, select=[select])] == [select]
