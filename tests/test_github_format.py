"""``--format github``: workflow commands that the Actions runner turns into
annotations, escaped as the runner unescapes them and capped as GitHub caps them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mllint.cli import main
from mllint.testkit import notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent
#: ML604 made an error, ML601 a warning, ML003 (an unused suppression) info
SEVERITIES = "[tool.mllint]\nselect = ['ML601', 'ML604', 'ML003']\n[tool.mllint.severity]\nML604 = 'error'\n"


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--format", "github", *args], catch_exceptions=False)


def mixed_project(root: Path, count: int) -> None:
    """*count* errors, warnings and notices, one per line, in line order within each kind."""
    lines = ["import pickle", "import pandas as pd"]
    for i in range(count):
        lines += [f"d{i} = pd.read_csv('http://example.com/{i}.csv')", f"m{i} = pickle.load(open('m{i}.pkl', 'rb'))", f"x{i} = {i}  # noqa: ML601"]
    write_files(root, {"pyproject.toml": SEVERITIES, "load.py": "\n".join(lines) + "\n"})


def kinds(output: str) -> list[str]:
    return [line[2:].split(" ", 1)[0].split("::", 1)[0] for line in output.splitlines()]


def line_numbers(output: str, kind: str) -> list[int]:
    return [int(line.split(",line=")[1].split(",")[0]) for line in output.splitlines() if line.startswith(f"::{kind} file=")]


@pytest.mark.parametrize(
    ("count", "shown", "closing"),
    [
        (3, (3, 3, 3), None),
        (10, (10, 10, 10), None),
        (11, (10, 10, 9), "4 more findings not annotated (1 error, 1 warning, 2 notices)"),
        (12, (10, 10, 9), "7 more findings not annotated (2 errors, 2 warnings, 3 notices)"),
    ],
)
def test_most_severe_first_ten_of_each_kind_and_a_closing_notice(tmp_path, monkeypatch, count, shown, closing):
    mixed_project(tmp_path, count)
    monkeypatch.chdir(tmp_path)
    done = check()
    assert done.exit_code == 1
    errors, warnings, notices = shown
    expected = ["error"] * errors + ["warning"] * warnings + ["notice"] * notices + (["notice"] if closing else [])
    assert kinds(done.stdout) == expected
    assert line_numbers(done.stdout, "error") == [3 + 3 * i for i in range(errors)]
    assert line_numbers(done.stdout, "warning") == [4 + 3 * i for i in range(warnings)]
    last = done.stdout.splitlines()[-1]
    if closing:
        assert last.startswith(f"::notice::mllint: {closing}: GitHub shows at most 10 errors, 10 warnings and 10 notices")
        assert "--format sarif" in last
    else:
        assert last.startswith("::notice file=load.py,")


def test_title_names_the_rule(tmp_path, monkeypatch):
    mixed_project(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    first = check().stdout.splitlines()[0]
    assert first.startswith("::error file=load.py,line=3,col=")
    assert ",title=ML604 insecure-download::`pandas.read_csv` fetches from " in first


def test_messages_and_properties_are_escaped(tmp_path, monkeypatch):
    write_files(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n",
            "we,ird:100%.py": 'import pickle\nm = pickle.load(open("a\\r\\nb%.pkl", "rb"))\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    (line,) = check().stdout.splitlines()
    assert line.startswith("::warning file=we%2Cird%3A100%25.py,line=2,col=5,endLine=2,endColumn=43,title=ML601 unsafe-deserialization::")
    assert "own artifact `a%0D%0Ab%25.pkl`; load only" in line
    assert "\r" not in line


def test_notebook_annotation_is_on_the_line_of_the_ipynb_file(tmp_path, monkeypatch):
    notebook = notebook_json([("markdown", "# Load"), "import pickle\n", "path = 'm.pkl'\nmodel = pickle.load(open(path, 'rb'))\n"])
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "eda.ipynb": notebook})
    monkeypatch.chdir(tmp_path)
    (line,) = check().stdout.splitlines()
    head, message = line.split("::")[1:]
    assert head.startswith("warning file=eda.ipynb,line=") and ",col=" not in head
    physical = int(head.split("line=")[1].split(",")[0])
    assert "model = pickle.load(open(path" in notebook.splitlines()[physical - 1]
    assert message.startswith("cell 3, line 2: `pickle.load`")


def test_leaky_example_through_python_m():
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "check", "--format", "github", "examples/churn-leaky"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("::error file=examples/churn-leaky/") and lines[-1].startswith("::notice::mllint: ")
    assert "::warning file=examples/churn-leaky/pyproject.toml,line=1,title=ML404 no-ci::" in done.stdout
