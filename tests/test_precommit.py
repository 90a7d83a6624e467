"""The pre-commit hooks, run by the real ``pre-commit try-repo`` against a
temporary git repository (pre-commit installs mllint from this checkout)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mllint.testkit import git, notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))

pytestmark = pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit is not installed (test extra)")


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["mllint"]["types_or"] == ["python", "jupyter"]
    assert "--no-project-rules" in hooks["mllint"]["entry"]
    assert hooks["mllint-project"]["pass_filenames"] is False
    assert hooks["mllint-fix"]["types_or"] == ["python", "jupyter"]
    assert hooks["mllint-fix"]["entry"] == hooks["mllint"]["entry"].replace("check", "check --fix")


@pytest.fixture(scope="module")
def mllint_repo(tmp_path_factory) -> Path:
    """A committed copy of this checkout: try-repo needs a git repository."""
    copy = tmp_path_factory.mktemp("mllint-src")
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info")
    shutil.copytree(ROOT, copy, dirs_exist_ok=True, ignore=ignore)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "snapshot")
    return copy


def try_repo(repo: Path, mllint_repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(mllint_repo), hook, "--all-files", "--color", "never"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )


def test_hooks_run_with_real_pre_commit(tmp_path, mllint_repo, tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    repo = tmp_path / "project"
    write_files(
        repo,
        {
            "ok.py": "import numpy as np\n",
            "broken.py": "def f(:\n",
            "nb.ipynb": notebook_json(["x = 1\n", "def g(:\n"]),
            "README.md": "not python\n",
        },
    )
    git(repo, "init", "-q")
    git(repo, "add", "-A")

    done = try_repo(repo, mllint_repo, "mllint", home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "broken.py:1:7: ML001 syntax-error" in done.stdout
    assert "nb.ipynb:cell 2:line 1" in done.stdout

    (repo / "broken.py").write_text("def f():\n    pass\n")
    (repo / "nb.ipynb").write_text(notebook_json(["x = 1\n"]))
    git(repo, "add", "-A")
    per_file = try_repo(repo, mllint_repo, "mllint", home)
    assert per_file.returncode == 0, per_file.stdout + per_file.stderr
    assert "ML401" not in per_file.stdout  # project rules are the other hook's job

    project = try_repo(repo, mllint_repo, "mllint-project", home)
    assert project.returncode == 1, project.stdout + project.stderr
    assert ".: ML401 no-tests" in project.stdout


def test_fix_hook_runs_with_real_pre_commit(tmp_path, mllint_repo, tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    repo = tmp_path / "project"
    write_files(
        repo,
        {
            "pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n",
            "load.py": "import torch\nnet.load_state_dict(torch.load('w.pt'))\n",
            "nb.ipynb": notebook_json(["import yaml\n", "cfg = yaml.load('lr: 0.1')"]),
            "other.py": "x = 1\n",
        },
    )
    git(repo, "init", "-q")
    git(repo, "add", "-A")

    fixing = try_repo(repo, mllint_repo, "mllint-fix", home)
    assert fixing.returncode == 1, fixing.stdout + fixing.stderr  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in fixing.stdout
    assert (repo / "load.py").read_text() == "import torch\nnet.load_state_dict(torch.load('w.pt', weights_only=True))\n"
    assert (repo / "nb.ipynb").read_text() == notebook_json(["import yaml\n", "cfg = yaml.safe_load('lr: 0.1')"])
    assert (repo / "other.py").read_text() == "x = 1\n"

    git(repo, "add", "-A")
    again = try_repo(repo, mllint_repo, "mllint-fix", home)
    assert again.returncode == 0, again.stdout + again.stderr
