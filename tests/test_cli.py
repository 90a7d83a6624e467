"""The command line, end to end through the installed entry point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mllint.testkit import notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
JSON_KEYS = ["code", "name", "category", "severity", "message", "path", "line", "column",
             "end_line", "end_column", "cell", "fix"]


def mllint(*args: str, cwd: Path = ROOT, module: bool = False) -> subprocess.CompletedProcess[str]:
    entry = [sys.executable, "-m", "mllint"] if module else [str(Path(sys.executable).with_name("mllint"))]
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([*entry, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def broken_project(tmp_path):
    write_files(
        tmp_path,
        {
            # only the engine's own diagnostics: the CLI is under test here, not the rules
            "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML0']\n",
            "ok.py": "import numpy as np\n",
            "bad.py": "def f(:\n    pass\n",
            "nb.ipynb": notebook_json([("markdown", "# t"), "x = 1\n", "def g(:\n"]),
        },
    )
    return tmp_path


def test_text_output_is_ruff_style(broken_project):
    done = mllint("check", ".", cwd=broken_project)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert "bad.py:1:7: ML001 syntax-error syntax error: invalid syntax" in lines
    assert any(line.startswith("nb.ipynb:cell 3:line 1:col ") and " ML001 syntax-error " in line for line in lines)
    assert "Found 2 findings (2 errors) in 3 files linted." in lines
    assert "\x1b[" not in done.stdout  # no colour when not on a terminal
    assert done.stderr == ""


def test_json_output_matches_the_spec(broken_project):
    done = mllint("check", "--format", "json", cwd=broken_project)
    assert done.returncode == 1
    findings = json.loads(done.stdout)
    assert [list(f) for f in findings] == [JSON_KEYS] * 2
    by_path = {f["path"]: f for f in findings}
    assert by_path["bad.py"]["cell"] is None
    assert by_path["bad.py"]["category"] == "engine"
    assert by_path["nb.ipynb"]["cell"] == 3 and by_path["nb.ipynb"]["line"] == 1


def test_paths_are_relative_to_the_current_directory(broken_project):
    done = mllint("check", "--format", "json", str(broken_project), cwd=broken_project.parent)
    paths = sorted(f["path"] for f in json.loads(done.stdout))
    assert paths == [f"{broken_project.name}/bad.py", f"{broken_project.name}/nb.ipynb"]


def test_output_is_deterministic(broken_project):
    first = mllint("check", "--format", "json", cwd=broken_project).stdout
    assert first == mllint("check", "--format", "json", cwd=broken_project).stdout


def test_exit_zero_fail_on_and_python_m(broken_project):
    assert mllint("check", "--exit-zero", cwd=broken_project).returncode == 0
    assert mllint("check", "--ignore", "ML001", cwd=broken_project).returncode == 0
    done = mllint("check", "--statistics", module=True, cwd=broken_project)
    assert done.returncode == 1
    assert done.stdout.split() == ["2", "ML001", "syntax-error", "2", "total"]


def test_show_source_prints_the_line_with_a_caret(broken_project):
    done = mllint("check", "--show-source", "bad.py", cwd=broken_project)
    assert "    | def f(:" in done.stdout
    assert "    |       ^" in done.stdout


def test_output_file(broken_project):
    done = mllint("check", "--format", "json", "--output-file", "out.json", cwd=broken_project)
    assert done.returncode == 1 and done.stdout == ""
    assert len(json.loads((broken_project / "out.json").read_text())) == 2


def test_bad_config_exits_2_with_one_line(broken_project):
    (broken_project / ".mllint.toml").write_text("selct = ['ML0']\n")
    done = mllint("check", cwd=broken_project)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == "mllint: error: .mllint.toml: selct: unknown key (did you mean 'select'?)"


def test_unknown_selector_on_the_command_line_is_a_usage_error(broken_project):
    done = mllint("check", "--select", "ML0,syntax-eror", cwd=broken_project)
    assert done.returncode == 2
    assert "did you mean 'syntax-error'?" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_path_is_a_usage_error(tmp_path):
    done = mllint("check", "nope.py", cwd=tmp_path)
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def test_rules_and_explain():
    table = mllint("rules")
    assert table.returncode == 0
    header = table.stdout.splitlines()[0].split()
    assert header == ["code", "name", "category", "severity", "scope", "fixable", "enabled"]
    assert any(line.split()[:2] == ["ML001", "syntax-error"] for line in table.stdout.splitlines())
    rows = json.loads(mllint("rules", "--format", "json").stdout)
    assert {"code": "ML003", "enabled": False}.items() <= next(r for r in rows if r["code"] == "ML003").items()
    explained = mllint("explain", "syntax-error")
    assert explained.returncode == 0
    assert explained.stdout.startswith("ML001 syntax-error (engine, error, module)")
    for section in ("## What", "## Why", "## Bad", "## Good", "## Fix"):
        assert section in explained.stdout
    assert "Reads: the file alone" in explained.stdout
    assert "Reads: the file and the project modules it imports" in mllint("explain", "ML701").stdout
    assert "whether another module imports the file" in mllint("explain", "ML201").stdout
    assert "Reads: the whole project" in mllint("explain", "ML202").stdout
    unknown = mllint("explain", "ML998")
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr


def test_leaky_example_fails_and_tidy_example_passes():
    leaky = mllint("check", "examples/churn-leaky")
    assert leaky.returncode == 1, leaky.stdout + leaky.stderr
    assert leaky.stdout.startswith("examples/churn-leaky")
    reported = {code[:3] for line in leaky.stdout.splitlines() if line.startswith("examples/")
                for code in re.findall(r"\bML\d{3}\b", line)[:1]}
    assert {"ML1", "ML2", "ML3", "ML4", "ML5", "ML6", "ML7", "ML8"} <= reported  # every family shows
    tidy = mllint("check", "examples/churn-tidy")
    assert tidy.returncode == 0, tidy.stdout + tidy.stderr
    assert tidy.stdout.startswith("All checks passed!")


def test_verbose_says_why_git_rules_do_not_apply(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "", "train.py": "import numpy as np\n"})
    quiet = mllint("check", "--select", "ML101", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    verbose = mllint("check", "--select", "ML101", "--verbose", cwd=tmp_path)
    assert "ML101: not applicable: the project is not in a git work tree" in verbose.stderr


def test_warnings_about_the_linted_code_are_not_printed(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "", "a.py": 'import re\npattern = re.compile("\\d+\\.\\[")\n'})
    done = subprocess.run(
        [sys.executable, "-W", "default", "-m", "mllint", "check", "--select", "ALL", "--exit-zero"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0
    assert done.stderr == ""
