"""``--format sarif``: SARIF 2.1.0 that the official schema accepts and that
GitHub code scanning can place, rank and track across pushes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from mllint.cli import main
from mllint.engine.catalogue import doc_for
from mllint.plugins import builtin_rules
from mllint.reporters import sarif
from mllint.testkit import init_git, notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
LOAD = 'model = pickle.load(open("m.pkl", "rb"))'


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--format", "sarif", *args], catch_exceptions=False)


def valid_run(output: str) -> dict:
    log = json.loads(output)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    return log["runs"][0]


def location(result: dict) -> tuple[str, dict]:
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    return physical["artifactLocation"]["uri"], physical["region"]


@pytest.fixture(scope="module")
def leaky() -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "mllint", "check", "--format", "sarif", "examples/churn-leaky"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 1, done.stderr
    return valid_run(done.stdout)


def test_leaky_example_validates_and_every_result_names_its_rule(leaky):
    rules = leaky["tool"]["driver"]["rules"]
    assert leaky["results"]
    for result in leaky["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        uri, region = location(result)
        assert uri.startswith("examples/churn-leaky/") and region["startLine"] >= 1
    assert "uri" not in leaky["originalUriBaseIds"]["%SRCROOT%"]  # no absolute path in the output
    assert leaky["invocations"] == [{"executionSuccessful": True}]


def test_every_rule_is_described_from_its_document(leaky):
    registry = builtin_rules()
    described = leaky["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in described] == list(registry)
    for rule in described:
        meta, doc = registry[rule["id"]], doc_for(rule["id"])
        assert doc is not None
        assert rule["name"] == meta.name
        assert rule["shortDescription"]["text"] == doc.summary()
        assert rule["fullDescription"]["markdown"] == doc.sections["What"].strip()
        assert "\n" not in rule["fullDescription"]["text"].split("\n\n")[0]  # hard wraps joined
        for section in ("What", "Why", "Bad", "Good", "Fix"):
            assert f"## {section}\n\n{doc.sections[section].strip()}" in rule["help"]["markdown"]
        assert rule["help"]["text"].startswith("What\n\n")
        assert rule["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[meta.severity.value]
        assert rule["properties"]["tags"] == [meta.category()]
        expected_score = {"error": "8.0", "warning": "5.0", "info": "2.0"}[meta.severity.value]
        assert rule["properties"].get("security-severity") == (expected_score if rule["id"].startswith("ML6") else None)
        assert "helpUri" not in rule


def test_notebook_findings_point_at_the_line_of_the_ipynb_file(leaky):
    notebook_results = [r for r in leaky["results"] if location(r)[0].endswith(".ipynb")]
    assert notebook_results
    for result in notebook_results:
        uri, region = location(result)
        cell, line = (int(part.split()[1]) for part in result["message"]["text"].split(":")[0].split(", "))
        notebook_text = (ROOT / uri).read_text(encoding="utf-8")
        source = "".join(json.loads(notebook_text)["cells"][cell - 1]["source"]).splitlines()[line - 1]
        assert json.dumps(source)[1:-1] in notebook_text.splitlines()[region["startLine"] - 1]
        assert set(region) == {"startLine"}


def test_notebook_region_and_message_in_a_written_project(tmp_path, monkeypatch):
    notebook = notebook_json([("markdown", "# Load"), "import pickle\n", f"path = 'm.pkl'\n{LOAD}\n"])
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "eda.ipynb": notebook})
    monkeypatch.chdir(tmp_path)
    (result,) = valid_run(check().stdout)["results"]
    uri, region = location(result)
    assert uri == "eda.ipynb"
    assert result["message"]["text"].startswith("cell 3, line 2: `pickle.load`")
    physical = notebook.splitlines()[region["startLine"] - 1]
    assert "pickle.load" in physical and physical.strip().startswith('"model = ')


def fingerprinted(output: str) -> dict[str, int]:
    return {r["partialFingerprints"]["mllint/v1"]: location(r)[1]["startLine"] for r in valid_run(output)["results"]}


def test_fingerprints_survive_reruns_and_lines_inserted_above(tmp_path, monkeypatch):
    # the two loads have the same text and the same neighbours: one fingerprint, two occurrences
    body = f"import pickle\nx = 1\n{LOAD}\nx = 1\n{LOAD}\nx = 1\n"
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "serve.py": body})
    monkeypatch.chdir(tmp_path)
    first = check().stdout
    assert check().stdout == first
    before = fingerprinted(first)
    assert len(before) == 2 and sorted(key.rsplit(":", 1)[1] for key in before) == ["0", "1"]
    assert len({key.rsplit(":", 1)[0] for key in before}) == 1
    (tmp_path / "serve.py").write_text("# moved down\n\n\n" + body.replace("x = 1\n", "x = 1\n\n", 1), encoding="utf-8")
    after = fingerprinted(check().stdout)
    assert set(after) == set(before)
    assert [after[key] - before[key] for key in sorted(before)] == [4, 4]


@pytest.mark.parametrize(
    ("files", "anchor"),
    [
        ({}, "README.md"),
        ({"README.rst": "hi\n"}, "README.rst"),
        ({".github/workflows/ci.yml": "on: push\njobs: {}\n", "README.md": "hi\n"}, ".github/workflows/ci.yml"),
        ({"requirements-dev.txt": "pytest==8.0\n", "requirements.txt": "scikit-learn==1.4.0\n"}, "requirements.txt"),
        ({"setup.py": "from setuptools import setup\nsetup()\n", "requirements.txt": "numpy==1.26\n"}, "setup.py"),
        ({"setup.py": "from setuptools import setup\nsetup()\n", "pyproject.toml": "[project]\nname = 'p'\n"}, "pyproject.toml"),
    ],
)
def test_project_findings_point_at_a_file_of_the_project(tmp_path, monkeypatch, files, anchor):
    project = tmp_path / "proj"
    write_files(project, {"train.py": "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit([[0]], [0])\n", **files})
    init_git(project, commit=False)
    monkeypatch.chdir(tmp_path)
    (result,) = valid_run(check("--select", "ML401", "proj").stdout)["results"]
    assert location(result) == (f"proj/{anchor}", {"startLine": 1})


def test_a_project_finding_about_a_file_points_at_that_file(leaky):
    (result,) = [r for r in leaky["results"] if r["ruleId"] == "ML101"]
    assert location(result) == ("examples/churn-leaky/data/churn.csv", {"startLine": 1})


def test_paths_are_relative_uris(tmp_path, monkeypatch):
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "my model,v1#.py": f"import pickle\n{LOAD}\n"})
    monkeypatch.chdir(tmp_path)
    (result,) = valid_run(check().stdout)["results"]
    assert location(result)[0] == "my%20model%2Cv1%23.py"


def test_results_beyond_the_limit_are_cut_most_severe_kept(tmp_path, monkeypatch):
    assert sarif.MAX_RESULTS == 25_000
    code = "import pickle\nimport pandas as pd\n" + "".join(
        f"m{i} = pickle.load(open('m{i}.pkl', 'rb'))\nd{i} = pd.read_csv('http://example.com/{i}.csv')\n" for i in range(3)
    )
    config = "[tool.mllint]\nselect = ['ML601', 'ML604']\n[tool.mllint.severity]\nML604 = 'error'\n"
    write_files(tmp_path, {"pyproject.toml": config, "load.py": code})
    monkeypatch.chdir(tmp_path)
    uncut = valid_run(check().stdout)
    assert len(uncut["results"]) == 6 and uncut["invocations"] == [{"executionSuccessful": True}]
    monkeypatch.setattr(sarif, "MAX_RESULTS", 4)
    cut = valid_run(check().stdout)
    assert [(r["ruleId"], location(r)[1]["startLine"]) for r in cut["results"]] == [
        ("ML601", 3), ("ML604", 4), ("ML604", 6), ("ML604", 8)
    ]
    (invocation,) = cut["invocations"]
    assert invocation["executionSuccessful"] is True
    (notification,) = invocation["toolExecutionNotifications"]
    assert "6 results" in notification["message"]["text"] and "the 2 least severe were left out" in notification["message"]["text"]
