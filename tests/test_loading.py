"""Reading and parsing files: syntax errors are ML001, grammar newer than the
interpreter is not, and rejected text never reaches libcst in this process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst
import pytest

from mllint.engine import loading
from mllint.engine.loading import read_file
from mllint.testkit import lint_tree

TRUNCATED_SUM = "x = (" + "1 + " * 20000

NEWER_GRAMMAR = [
    pytest.param("type Alias = int\n", id="pep695-type-alias"),
    pytest.param("def f[T](x: T) -> T: ...\n", id="pep695-generic-def"),
    pytest.param("class Box[T]:\n    item: T\n", id="pep695-generic-class"),
    pytest.param('d = {"a": 1}\nx = f"{d["a"]}"\n', id="pep701-nested-quotes"),
]


@pytest.fixture
def no_inprocess_libcst(monkeypatch):
    """libcst's native parser must not run in this process on rejected text."""

    def forbidden(*args, **kwargs):
        raise AssertionError("libcst.parse_module called in-process")

    monkeypatch.setattr(libcst, "parse_module", forbidden)


def _load(root: Path, text: str) -> loading.SourceFile:
    (root / "a.py").write_text(text, encoding="utf-8")
    return read_file(root, "a.py")[0]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("def broken(:\n    pass\n", 1, 12, "syntax error: invalid syntax"),
        ("x = 1\ny = (2 +\n", 2, 5, "syntax error: '(' was never closed"),
        ("if True:\npass\n", 2, 1, "syntax error: expected an indented block after 'if' statement on line 1"),
    ],
)
def test_plain_syntax_error_is_ml001_at_its_position(tmp_path, no_inprocess_libcst, text, line, column, message):
    [finding] = lint_tree(tmp_path, {"a.py": text}, select=["ML001"])
    assert (finding.code, finding.line, finding.column, finding.message) == ("ML001", line, column, message)


def test_plain_syntax_error_never_starts_a_confirmation(tmp_path, monkeypatch):
    def no_subprocess(*args, **kwargs):
        raise AssertionError("no newer-grammar marker: no subprocess expected")

    monkeypatch.setattr(loading.subprocess, "run", no_subprocess)
    loaded = _load(tmp_path, "def broken(:\n    pass\n")
    assert [e.code for e in loaded.errors] == ["ML001"]
    assert loaded.info is not None and loaded.info.parse_failed


def test_truncated_long_expression_is_ml001_without_inprocess_libcst(tmp_path, no_inprocess_libcst):
    [finding] = lint_tree(tmp_path, {"a.py": TRUNCATED_SUM}, select=["ML001"])
    assert (finding.code, finding.line, finding.column) == ("ML001", 1, 5)
    assert finding.message == "syntax error: '(' was never closed"


def test_truncated_expression_after_a_marker_is_still_ml001(tmp_path, no_inprocess_libcst):
    # a newer-grammar marker sends the text to the subprocess, which rejects it
    [finding] = lint_tree(tmp_path, {"a.py": "type Alias = int\n" + TRUNCATED_SUM}, select=["ML001"])
    assert finding.code == "ML001"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the interpreter itself parses PEP 695/701")
@pytest.mark.parametrize("text", NEWER_GRAMMAR)
def test_newer_grammar_is_not_a_syntax_error(tmp_path, no_inprocess_libcst, text):
    assert lint_tree(tmp_path, {"a.py": text}, select=["ML001"]) == []
    loaded = _load(tmp_path, text)
    assert loaded.errors == []
    assert loaded.info is not None and loaded.info.parse_failed


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the interpreter itself parses PEP 695")
def test_newer_grammar_with_a_real_error_is_ml001(tmp_path, no_inprocess_libcst):
    [finding] = lint_tree(tmp_path, {"a.py": "type Alias = int\ndef broken(:\n"}, select=["ML001"])
    assert finding.code == "ML001"
    assert finding.message.startswith("syntax error: ")


@pytest.mark.parametrize(
    "outcome",
    [
        pytest.param(subprocess.CompletedProcess([], -11), id="segfault"),
        pytest.param(subprocess.CompletedProcess([], 1), id="parse-error"),
        pytest.param(subprocess.TimeoutExpired([], 0), id="timeout"),
        pytest.param(OSError("cannot start"), id="no-interpreter"),
    ],
)
def test_failed_confirmation_is_ml001_not_a_crash(tmp_path, monkeypatch, no_inprocess_libcst, outcome):
    calls = []

    def fake_run(args, **kwargs):
        calls.append(args)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(loading.subprocess, "run", fake_run)
    monkeypatch.setattr(loading, "_has_newer_marker", lambda source, exc: True)
    loaded = _load(tmp_path, "def broken(:\n    pass\n")
    assert len(calls) == 1
    assert [(e.code, e.message, e.line, e.column) for e in loaded.errors] == [
        ("ML001", "syntax error: invalid syntax", 1, 12)
    ]
    assert loaded.info is not None and loaded.info.parse_failed


def test_zero_timeout_is_ml001(tmp_path, monkeypatch, no_inprocess_libcst):
    monkeypatch.setattr(loading, "CONFIRM_TIMEOUT", 0)
    monkeypatch.setattr(loading, "_has_newer_marker", lambda source, exc: True)
    [finding] = lint_tree(tmp_path, {"a.py": "def broken(:\n"}, select=["ML001"])
    assert (finding.code, finding.line) == ("ML001", 1)


def test_confirmation_subprocess_is_isolated_and_parses_only(tmp_path, monkeypatch):
    seen = {}

    def fake_run(args, **kwargs):
        seen.update(args=args, **kwargs)
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(loading.subprocess, "run", fake_run)
    monkeypatch.setattr(loading, "_has_newer_marker", lambda source, exc: True)
    _load(tmp_path, "def broken(:\n")
    assert seen["args"][:3] == [sys.executable, "-I", "-c"]
    assert "parse_module" in seen["args"][3] and "exec" not in seen["args"][3]
    assert seen["input"] == b"def broken(:\n"
    assert 0 < seen["timeout"] <= 10


def test_deep_brackets_never_reach_the_subprocess(tmp_path, monkeypatch):
    def no_subprocess(*args, **kwargs):
        raise AssertionError("deeply bracketed text must not be parsed by libcst")

    monkeypatch.setattr(loading.subprocess, "run", no_subprocess)
    monkeypatch.setattr(loading, "_has_newer_marker", lambda source, exc: True)
    loaded = _load(tmp_path, "x = " + "(" * (loading.MAX_NESTING + 1) + "\n")
    assert [e.code for e in loaded.errors] == ["ML001"]


def _syntax_error(text: str) -> SyntaxError:
    try:
        compile(text, "a.py", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc
    pytest.skip("the running interpreter accepts this text")


@pytest.mark.parametrize(
    ("text", "newer_than"),
    [
        ("try:\n    pass\nexcept* ValueError:\n    pass\n", (3, 11)),
        ("type Alias = int\n", (3, 12)),
        ("type Alias[T] = list[T]\n", (3, 12)),
        ("def f[T](x: T) -> T: ...\n", (3, 12)),
        ("async def f[T](x: T) -> T: ...\n", (3, 12)),
        ("class Box[T]: pass\n", (3, 12)),
        ('x = f"{d["a"]}"\n', (3, 12)),
        ('x = rf"{"\\n".join(y)}"\n', (3, 12)),
        ("def f[T = int](x: T) -> T: ...\n", (3, 13)),
        ("def f(*args: *Ts): pass\n", (3, 11)),
    ],
)
def test_marker_found_for_grammar_newer_than_the_interpreter(text, newer_than):
    if sys.version_info >= newer_than:
        pytest.skip("the running interpreter parses this grammar")
    assert loading._has_newer_marker(text, _syntax_error(text))


@pytest.mark.parametrize(
    "text",
    [
        "def broken(:\n",
        TRUNCATED_SUM,
        "type = 1 +\n",
        "x = 'f\"{' +\n",
        "print(f'{x}') +\n",
        "class C(:\n",
    ],
)
def test_no_marker_in_plain_syntax_errors(text):
    assert not loading._has_newer_marker(text, _syntax_error(text))
