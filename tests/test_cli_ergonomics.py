"""Paths, output and CI ergonomics of ``mllint check``, end to end: named paths
are linted even when excluded (unless ``--force-exclude``, which the pre-commit
hooks pass), an empty run says so, NO_COLOR/FORCE_COLOR, ``--output-format``,
the ``--statistics`` total, and the GitHub Action's steps run for real."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mllint.testkit import git, write_files

ROOT = Path(__file__).resolve().parent.parent
MLLINT = str(Path(sys.executable).with_name("mllint"))
UNSAFE = "import pickle\n\nmodel = pickle.load(open('model.pkl', 'rb'))\n"
COLOUR_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")


def mllint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in COLOUR_VARIABLES}
    return subprocess.run([MLLINT, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env={**base, **(env or {})})


def linted(done: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted({f["path"] for f in json.loads(done.stdout)})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_files(
        tmp_path,
        {
            "pyproject.toml": "[tool.mllint]\nselect = ['ML601']\nextend-exclude = ['scratch/']\n",
            "serve.py": UNSAFE,
            "scratch/model_io.py": UNSAFE,
            "scratch/.venv/lib.py": UNSAFE,
            "build/old.py": UNSAFE,
        },
    )
    return tmp_path


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["."], ["serve.py"]),
        (["scratch/model_io.py"], ["scratch/model_io.py"]),  # an excluded file, named
        (["scratch"], ["scratch/model_io.py"]),  # an excluded folder: excludes still apply below it
        (["build", "serve.py"], ["build/old.py", "serve.py"]),  # a folder the default excludes skip
    ],
)
@pytest.mark.parametrize("in_git", [False, True])
def test_named_paths_are_linted_even_when_excluded(project, paths, expected, in_git):
    if in_git:  # git lists the files: untracked ones it does not ignore count too
        git(project, "init", "-q")
        git(project, "add", "serve.py")
    assert linted(mllint("check", "--format", "json", *paths, cwd=project)) == expected


@pytest.mark.parametrize("paths", [["scratch/model_io.py"], ["scratch"], ["build"], ["scratch", "build/old.py"]])
def test_force_exclude_applies_the_excludes_to_named_paths(project, paths):
    done = mllint("check", "--force-exclude", *paths, cwd=project)
    assert done.returncode == 0
    assert done.stdout == ""
    assert done.stderr == f"mllint: warning: no Python files or notebooks found under {', '.join(paths)}\n"
    assert linted(mllint("check", "--force-exclude", "--format", "json", "serve.py", *paths, cwd=project)) == ["serve.py"]


def test_the_pre_commit_hooks_pass_force_exclude(project):
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert all("--force-exclude" in hook["entry"].split() for hook in hooks.values())
    entry = shlex.split(hooks["mllint"]["entry"])
    assert entry[0] == "mllint"
    staged = ["serve.py", "scratch/model_io.py", "build/old.py"]
    done = subprocess.run([MLLINT, *entry[1:], "--format", "json", *staged], cwd=project, capture_output=True, text=True, timeout=300)
    assert linted(done) == ["serve.py"]


def test_a_run_that_lints_nothing_says_so(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML0']\n", "docs/index.md": "# docs\n"})
    done = mllint("check", "docs", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == ""
    assert done.stderr == "mllint: warning: no Python files or notebooks found under docs\n"
    assert mllint("check", cwd=tmp_path).stderr == "mllint: warning: no Python files or notebooks found under .\n"


@pytest.mark.parametrize(
    "args, env, coloured",
    [
        ([], {}, False),  # not a terminal
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "0"}, False),
        ([], {"NO_COLOR": "1"}, False),
        ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ([], {"NO_COLOR": ""}, False),  # empty: not set (no-color.org)
        (["--color"], {"NO_COLOR": "1"}, True),  # the flag wins
        (["--no-color"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_follows_the_flag_then_no_color_and_force_color(project, args, env, coloured):
    done = mllint("check", *args, cwd=project, env=env)
    assert done.returncode == 1
    assert ("\x1b[" in done.stdout) is coloured


def test_a_report_written_to_a_file_is_never_coloured(project):
    mllint("check", "--output-file", "out.txt", cwd=project, env={"FORCE_COLOR": "1"})
    text = (project / "out.txt").read_text()
    assert "ML601" in text and "\x1b[" not in text


def test_output_format_is_an_alias_of_format(project):
    alias = mllint("check", "--output-format", "json", cwd=project)
    assert alias.returncode == 1
    assert alias.stdout == mllint("check", "--format", "json", cwd=project).stdout
    assert linted(alias) == ["serve.py"]


@pytest.mark.parametrize(
    "paths, lines",
    [
        (["serve.py", "build"], ["2  ML601  unsafe-deserialization", "2  total"]),
        (["serve.py", "build", "scratch"] + [f"extra{i}.py" for i in range(8)],
         ["10  ML601  unsafe-deserialization", " 1  ML001  syntax-error", "11  total"]),
        (["empty"], ["0  total"]),
    ],
)
def test_statistics_end_with_a_total(project, paths, lines):
    (project / "empty").mkdir()
    for i in range(7):
        (project / f"extra{i}.py").write_text(UNSAFE)
    (project / "extra7.py").write_text(UNSAFE + "def f(:\n")
    done = mllint("check", "--select", "ML601,ML001", "--statistics", *paths, cwd=project)
    assert done.stdout.splitlines() == lines


# -- the GitHub Action --------------------------------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def test_action_is_a_composite_that_uses_its_inputs():
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    assert {"paths", "args", "fail-on", "python-version"} <= declared
    used = {name for s in STEPS for name in INPUT.findall(yaml.safe_dump(s))}
    used |= {m for s in STEPS for m in re.findall(r"inputs\.([\w-]+)", str(s.get("if", "")))}
    assert used == declared
    assert step("Set up Python")["uses"].startswith("actions/setup-python@")
    assert step("Set up Python")["if"] == "inputs.python-version != ''"
    assert 'pip install --quiet "$GITHUB_ACTION_PATH"' in step("Install mllint")["run"]
    upload = next(s for s in STEPS if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "-o mllint.sarif" in step("mllint (SARIF for code scanning)")["run"]
    assert upload["with"]["sarif_file"] == "mllint.sarif"
    assert STEPS.index(upload) > STEPS.index(step("mllint (SARIF for code scanning)"))
    assert STEPS[-1]["name"] == "mllint"  # the gate runs last, after the reports


def test_every_check_option_the_action_uses_exists():
    from mllint.cli import check

    known = {opt for param in check.params for opt in param.opts}
    formats = next(p for p in check.params if p.name == "output_format").type.choices
    scripts = " ".join(line for s in STEPS for line in s.get("run", "").splitlines() if '/mllint" check ' in line)
    assert {"--format", "-o", "--exit-zero", "--fail-on"} <= set(re.findall(r"\s(--[\w-]+|-o)\b", scripts)) <= known
    assert set(re.findall(r"--format (\w+)", scripts)) == {"sarif", "markdown"}
    assert {"sarif", "markdown"} <= set(formats)


def run_action_steps(project: Path, tmp_path: Path, inputs: dict[str, str]) -> tuple[list[int], Path]:
    """Run the action's mllint steps with bash as the runner would (mllint already
    installed in the action's virtual environment), returning their exit codes."""
    venv_bin = tmp_path / "runner" / "mllint-venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "mllint").symlink_to(MLLINT)
    summary = tmp_path / "summary.md"
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
    codes = []
    for s in STEPS:
        if "run" not in s or s["name"] == "Install mllint":
            continue
        env = {k: INPUT.sub(lambda m: values[m.group(1)], str(v)) for k, v in s.get("env", {}).items()}
        env |= {"RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_STEP_SUMMARY": str(summary), "PATH": os.environ["PATH"]}
        codes.append(subprocess.run(["bash", "-e", "-c", s["run"]], cwd=project, env=env, capture_output=True, text=True, timeout=300).returncode)
    return codes, summary


def test_action_steps_report_then_gate(project, tmp_path):
    codes, summary = run_action_steps(project, tmp_path, {"args": "--select ML601"})
    assert codes == [0, 0, 1]  # SARIF and summary never fail the job; the gate does
    assert (project / "mllint.sarif").is_file()
    assert summary.stat().st_size > 0
    (tmp_path / "again").mkdir()
    excluded, _ = run_action_steps(project, tmp_path / "again", {"paths": "scratch", "args": "--select ML601 --force-exclude"})
    assert excluded == [0, 0, 0]  # the paths and args inputs reach every run
