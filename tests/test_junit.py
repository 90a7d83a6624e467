"""``--format junit``: JUnit XML that CI test-report views parse, with one
test per rule and file, a failure per finding, and counts that add up."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mllint.cli import main
from mllint.plugins import builtin_rules
from mllint.testkit import notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent
RULES = builtin_rules()


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--format", "junit", *args], catch_exceptions=False)


def cases(root: ET.Element) -> list[ET.Element]:
    return root.findall("./testsuite/testcase")


def assert_counts_add_up(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    for suite in [*root.findall("testsuite"), root]:
        tested = suite.findall(".//testcase")
        assert int(suite.get("tests")) == len(tested)
        assert int(suite.get("failures")) == sum(1 for case in tested if case.find("failure") is not None)
        assert suite.get("errors") == "0"


def test_leaky_example_has_a_failure_per_finding_grouped_by_category():
    def run(output_format: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "mllint", "check", "--format", output_format, "examples/churn-leaky"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        ).stdout

    findings = json.loads(run("json"))
    root = ET.fromstring(run("junit"))
    assert_counts_add_up(root)
    failures = root.findall(".//failure")
    assert len(failures) == len(findings)
    categories = [suite.get("name") for suite in root.findall("testsuite")]
    assert len(categories) == len(set(categories)) and {f["category"] for f in findings} <= set(categories)
    codes = [case.get("name").split()[0] for case in cases(root)]
    assert codes == sorted(codes)  # suites in code order, cases in code order within them
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            assert case.get("classname") == f"mllint.{suite.get('name')}"
            code = case.get("name").split()[0]
            assert RULES[code].category() == suite.get("name")
    for finding in findings:
        name = f"{finding['code']} {finding['name']} {finding['path']}"
        (case,) = [c for c in cases(root) if c.get("name") == name]
        where = f"{finding['path']}:{finding['line']}:{finding['column']}" if finding["line"] and finding["cell"] is None else finding["path"]
        assert any(f.get("message", "").endswith(finding["message"]) and f.text.startswith(where) for f in case.findall("failure"))
    (no_ci,) = [c for c in cases(root) if c.get("name").startswith("ML404 ")]
    assert no_ci.get("file") == "examples/churn-leaky/pyproject.toml"


SAFE_LOAD = "import yaml\nconfig = yaml.load(open('c.yaml'), Loader=yaml.SafeLoader)\n"
PICKLE_LOAD = "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n"
CLEAN_NOTEBOOK = notebook_json(["x = 1\n"])


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # ML601 read a file that loads YAML and found nothing; ML605 had no notebook to read
        ({"clean.py": SAFE_LOAD}, {("ML601 unsafe-deserialization", False)}),
        ({"clean.py": SAFE_LOAD, "nb.ipynb": CLEAN_NOTEBOOK},
         {("ML601 unsafe-deserialization", False), (f"ML605 {RULES['ML605'].name}", False)}),
        # a rule with findings is a failing case per file, not also a passing one
        ({"clean.py": SAFE_LOAD, "load.py": PICKLE_LOAD, "serve.py": PICKLE_LOAD},
         {("ML601 unsafe-deserialization load.py", True), ("ML601 unsafe-deserialization serve.py", True)}),
        ({"notes.md": "nothing to lint here\n", "empty.py": "x = 1\n"}, set()),
    ],
)
def test_passing_cases_are_rules_that_checked_something(tmp_path, monkeypatch, files, expected):
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601', 'ML605']\n", **files})
    monkeypatch.chdir(tmp_path)
    done = check()
    assert done.exit_code == (1 if any(failed for _, failed in expected) else 0)
    root = ET.fromstring(done.stdout)
    assert_counts_add_up(root)
    assert {(case.get("name"), case.find("failure") is not None) for case in cases(root)} == expected


def test_failures_say_where_and_what(tmp_path, monkeypatch):
    notebook = notebook_json([("markdown", "# Load"), "import pickle\n", "path = 'm.pkl'\nmodel = pickle.load(open(path, 'rb'))\n"])
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "serve.py": PICKLE_LOAD, "eda.ipynb": notebook})
    monkeypatch.chdir(tmp_path)
    root = ET.fromstring(check().stdout)
    by_file = {case.get("file"): case.find("failure") for case in cases(root)}
    assert by_file["serve.py"].text.startswith("serve.py:2:9: ML601 unsafe-deserialization `pickle.load` can execute")
    assert by_file["serve.py"].get("type") == "warning"
    assert by_file["eda.ipynb"].text.startswith("eda.ipynb:cell 3:line 2:col 9: ML601 unsafe-deserialization ")
    assert by_file["eda.ipynb"].get("message").startswith("cell 3, line 2: `pickle.load`")


def test_markup_and_control_characters_are_escaped(tmp_path, monkeypatch):
    write_files(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n",
            "a&b<c>.py": 'import pickle\nm = pickle.load(open("x<&\\"\\x01]]>.pkl", "rb"))\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    root = ET.fromstring(check().stdout)
    (case,) = cases(root)
    assert case.get("file") == "a&b<c>.py"
    failure = case.find("failure")
    assert 'artifact `x<&"\\x01]]>.pkl`' in failure.get("message")
    assert failure.text.startswith("a&b<c>.py:2:5: ")
