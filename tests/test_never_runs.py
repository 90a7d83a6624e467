"""mllint never runs what it lints, and never opens a connection.

A repository whose every executable part (``setup.py``, ``conftest.py``,
``sitecustomize.py``, package ``__init__``, a ``.pth`` file, modules named like
the standard library, a notebook cell and its shell magics, the commands of CI
workflows, pre-commit hooks, DVC stages, Makefile, tox and nox, a local build
backend) appends to a marker file when executed or imported. Every command of
mllint runs on it, through the installed ``mllint`` script, and the marker must
never appear. The examples are then linted with sockets disabled, and every
attempt to make one is recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mllint.testkit import git, notebook_json, write_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MLLINT = str(Path(sys.executable).with_name("mllint"))


def hostile_files(marker: Path) -> dict[str, str]:
    """Files that append their own name to *marker* if anything executes them."""
    python = f"open({str(marker)!r}, 'a').write({{name!r}} + '\\n')\n"
    shell = f"echo {{name}} >> {marker}"
    modules = ["setup.py", "conftest.py", "sitecustomize.py", "usercustomize.py", "pkg/__init__.py", "pkg/model.py",
               "noxfile.py", "__main__.py", "evil_backend.py", "tests/test_model.py",
               # named like modules mllint imports: shadowing them would run this code
               "json.py", "re.py", "yaml.py", "libcst.py"]
    files = {name: python.format(name=name) + "import torch\nimport numpy as np\n" for name in modules}
    files["tests/test_model.py"] += "def test_model():\n    assert np.random.rand() < 2\n"
    files["setup.py"] += "from setuptools import setup\nsetup(name='evil', install_requires=['torch'])\n"
    files.update({
        "evil.pth": f"import os; os.system({shell.format(name='pth')!r})\n",
        "pyproject.toml": ("[build-system]\nrequires = []\nbuild-backend = 'evil_backend'\nbackend-path = ['.']\n\n"
                           "[project]\nname = 'evil'\ndependencies = ['torch']\n\n[project.scripts]\nevil = 'pkg.model:main'\n"),
        "train.ipynb": notebook_json([
            "import numpy as np\n" + python.format(name="notebook cell"),
            f"!{shell.format(name='notebook shell')}\n",
            f"%%bash\n{shell.format(name='notebook cell magic')}\n",
            "%run pkg/model.py\n",
        ]),
        ".github/workflows/ci.yml": (
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - run: {shell.format(name='github')}\n      - run: python setup.py test && pytest\n"
        ),
        ".gitlab-ci.yml": f"test:\n  script:\n    - {shell.format(name='gitlab')}\n",
        ".pre-commit-config.yaml": (
            "repos:\n  - repo: local\n    hooks:\n      - id: evil\n        name: evil\n"
            f"        entry: sh -c '{shell.format(name='pre-commit')}'\n        language: system\n"
        ),
        "dvc.yaml": f"stages:\n  train:\n    cmd: {shell.format(name='dvc')}\n    deps: [train.ipynb]\n    outs: [model.pkl]\n",
        "Makefile": f"test:\n\t{shell.format(name='make')}\n",
        "tox.ini": f"[tox]\nenv_list = py\n[testenv]\ncommands = sh -c '{shell.format(name='tox')}'\n",
        "scripts/test.sh": f"#!/bin/sh\n{shell.format(name='script')}\n",
        "Dockerfile": f"FROM python\nRUN {shell.format(name='docker')}\nCMD uvicorn app:app\n",
    })
    files["noxfile.py"] += f"import nox\n\n@nox.session\ndef tests(session):\n    session.run('sh', '-c', {shell.format(name='nox')!r})\n"
    return files


#: Every command of mllint, as a user or a hook would run it (``{baseline}``: a file outside the project).
COMMANDS = {
    **{f"check-{fmt}": ["check", "--select", "ALL", "--format", fmt] for fmt in ("text", "json", "sarif", "github", "junit", "markdown")},
    "check-jobs-2": ["check", "--select", "ALL", "--jobs", "2", "--show-source", "--statistics"],
    "check-diff": ["check", "--select", "ALL", "--diff", "--unsafe-fixes"],
    "hook-mllint": ["check", "--no-project-rules", "--force-exclude", "setup.py", "conftest.py", "train.ipynb"],
    "hook-mllint-project": ["check", "--force-exclude"],
    "report-markdown": ["report", "--select", "ALL"],
    "report-html": ["report", "--format", "html", "--output-file", "{baseline}.html"],
    "rules": ["rules"],
    "explain": ["explain", "ML201"],
    "version": ["--version"],
}
#: Commands that write to the project: run one after the other, after the others.
WRITING = {
    "check-write-baseline": ["check", "--write-baseline", "{baseline}"],
    "check-baseline": ["check", "--baseline", "{baseline}", "--config", "pyproject.toml"],
    "hook-mllint-fix": ["check", "--fix", "--no-project-rules", "--force-exclude", "pkg/model.py", "train.ipynb"],
    "check-fix": ["check", "--select", "ALL", "--fix"],
    "check-unsafe-fixes": ["check", "--select", "ALL", "--fix", "--unsafe-fixes", "--jobs", "2"],
    "check-fix-only": ["check", "--fix-only", "--unsafe-fixes", "--no-cache"],
    "init": ["init", "--baseline"],
}


def run(command: list[str], cwd: Path, **substitutions: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    args = [part.format(**substitutions) for part in command]
    return subprocess.run([MLLINT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=180)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    """(the hostile repository, in git, its files staged; the marker its code would write)."""
    outside = tmp_path_factory.mktemp("outside")
    marker = outside / "EXECUTED"
    root = tmp_path_factory.mktemp("hostile")
    write_files(root, hostile_files(marker))
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root, marker


def test_the_repository_does_write_its_marker_when_run(hostile, tmp_path):
    """The bait works: the files would leave the marker if anything ran them."""
    root, marker = hostile
    subprocess.run([sys.executable, "setup.py", "--version"], cwd=root, capture_output=True, timeout=60)
    subprocess.run(["make", "-n"], cwd=root, capture_output=True, timeout=60)  # -n: print only
    assert marker.read_text().splitlines()[:1] == ["setup.py"]
    marker.unlink()


def test_no_command_runs_or_imports_the_repository(hostile, tmp_path):
    root, marker = hostile
    assert not marker.exists()
    baseline = str(tmp_path / "baseline.json")
    done = {"check-text": run(COMMANDS["check-text"], root)}  # fills the cache the others read
    with ThreadPoolExecutor(max_workers=3) as pool:
        later = [name for name in COMMANDS if name not in done]
        done.update(zip(later, pool.map(lambda name: run(COMMANDS[name], root, baseline=baseline), later)))
    for name, command in WRITING.items():
        done[name] = run(command, root, baseline=baseline)
    failed = {name: result.stderr[-500:] for name, result in done.items() if result.returncode not in (0, 1)}
    assert failed == {}
    assert all("Traceback" not in result.stderr for result in done.values())
    assert json.loads(done["check-json"].stdout), "the repository was linted"
    assert not marker.exists(), marker.read_text()


def test_git_configuration_of_the_linted_repository_runs_nothing(tmp_path):
    marker = tmp_path / "EXECUTED"
    root = tmp_path / "repo"
    write_files(root, {"train.py": "import numpy as np\nx = np.random.rand(3)\n", "pyproject.toml": "[project]\nname = 'x'\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "config", "core.fsmonitor", f"echo fsmonitor >> {marker}; false")
    done = run(["check", "--select", "ALL"], root)
    assert done.returncode == 1, done.stderr
    assert not marker.exists()


def test_python_dash_m_in_the_repository_imports_none_of_its_modules(tmp_path):
    """``python -m`` puts the current folder first on sys.path: the repository's
    yaml.py or libcst.py would be imported in place of the library."""
    marker, root = tmp_path / "EXECUTED", tmp_path / "repo"
    write_files(root, hostile_files(marker))
    done = subprocess.run([sys.executable, "-m", "mllint", "check", "--no-cache"], cwd=root, capture_output=True, text=True, timeout=180)
    assert done.returncode in (0, 1), done.stderr
    assert not marker.exists(), marker.read_text()


# -- no connection ---------------------------------------------------------------------------------

NO_SOCKETS = """
import os, socket
_LOG = os.environ["MLLINT_SOCKET_LOG"]

def _record(what):
    with open(_LOG, "a") as log:
        log.write(what + "\\n")

class _NoSocket(socket.socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        _record(f"socket({family}, {type})")
        raise OSError("network disabled by the test")

def _refuse(name):
    def refused(*args, **kwargs):
        _record(f"{name}{args!r}")
        raise OSError("network disabled by the test")
    return refused

socket.socket = _NoSocket
for _name in ("create_connection", "getaddrinfo", "gethostbyname", "socketpair", "fromfd"):
    setattr(socket, _name, _refuse(_name))
_record("loaded")
"""


@pytest.mark.parametrize("command", [["check", "--select", "ALL", "--jobs", "2"], ["report", "--no-cache"]], ids=["check", "report"])
def test_the_examples_are_linted_without_a_single_socket(tmp_path, command):
    (tmp_path / "sitecustomize.py").write_text(NO_SOCKETS)
    log = tmp_path / "sockets.log"
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "MLLINT_SOCKET_LOG": str(log)}
    env.pop("FORCE_COLOR", None)
    for example in ("churn-leaky", "churn-tidy"):
        done = subprocess.run([MLLINT, *command, str(EXAMPLES / example)], capture_output=True, text=True, env=env, timeout=180)
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    assert log.read_text().splitlines() == ["loaded", "loaded"]  # the guard ran, and nothing asked for a socket
