"""Faults, through the real command line in temporary folders: unreadable files
and folders, FIFOs, sockets and devices named like source files, broken and
looping symlinks, files that change or vanish between discovery and reading,
cache entries that are no files, a worker killed mid-run, and ``--fix``
interrupted at every step or unable to write. The run finishes, says what it
skipped, keeps every other finding, and never leaves a truncated file.

(The cache's damaged, read-only and shared cases are in test_cache.py, the
worker API's dying worker in test_workers.py, ``--fix``'s refusal to overwrite
a file changed meanwhile in test_fix.py.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mllint.cli import main
from mllint.engine import runner
from mllint.engine.cache import CACHE_DIR
from mllint.testkit import notebook_json, write_files

UNSEEDED = "import numpy as np\n\nx = np.random.rand(3)\n"
TIMEOUT = 60


def mllint(*args: str, cwd: Path, prefix: tuple[str, ...] = (), timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([*prefix, sys.executable, "-m", "mllint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)


def findings(done: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    return sorted((f["path"], f["code"]) for f in json.loads(done.stdout))


def without_privileges() -> tuple[str, ...]:
    """A prefix that makes the command honour file permissions even as root."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return ("setpriv", "--bounding-set=-all", "--inh-caps=-all")


@pytest.fixture
def project(tmp_path) -> Path:
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\n\n[tool.mllint]\nselect = ['ML0', 'ML201']\n",
                           "good.py": UNSEEDED})
    return tmp_path


# -- files that cannot be read, or are no files ------------------------------------------------


def test_unreadable_file_and_folder(project):
    prefix = without_privileges()
    write_files(project, {"secret.py": UNSEEDED, "locked/inner.py": UNSEEDED})
    (project / "secret.py").chmod(0o000)
    (project / "locked").chmod(0o000)
    try:
        done = mllint("check", "--format", "json", "--no-cache", "--verbose", cwd=project, prefix=prefix)
    finally:
        (project / "secret.py").chmod(0o644)
        (project / "locked").chmod(0o755)
    assert findings(done) == [("good.py", "ML201"), ("secret.py", "ML001")]
    assert "cannot read file: Permission denied" in done.stdout
    assert "mllint: note: locked: cannot read this folder (Permission denied); not linted" in done.stderr


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()


def _device_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _broken_link(path: Path) -> None:
    path.symlink_to("nowhere.py")


def _looping_link(path: Path) -> None:
    path.symlink_to(path.name)


#: name -> (make, the note --verbose prints)
NOT_FILES = {
    "fifo": (_fifo, "not a regular file (a FIFO, socket or device); not linted"),
    "socket": (_socket, "not a regular file (a FIFO, socket or device); not linted"),
    "device-symlink": (_device_link, "symlink leads outside the project; not followed"),
    "broken-symlink": (_broken_link, "broken symlink or symlink loop; not followed"),
    "symlink-loop": (_looping_link, "broken symlink or symlink loop; not followed"),
}


@pytest.mark.parametrize(("make", "note"), NOT_FILES.values(), ids=NOT_FILES.keys())
def test_special_files_named_like_modules_are_skipped_with_a_note(project, make, note):
    for name in ("odd.py", "odd.ipynb"):
        make(project / name)
    done = mllint("check", "--format", "json", "--no-cache", "--verbose", cwd=project)
    assert findings(done) == [("good.py", "ML201")]
    assert f"mllint: note: odd.py: {note}" in done.stderr.splitlines()
    assert f"mllint: note: odd.ipynb: {note}" in done.stderr.splitlines()
    named = mllint("check", "odd.py", "--no-cache", cwd=project)  # named on the command line: skipped, or no such path
    if (project / "odd.py").exists():
        assert (named.returncode, named.stderr) == (0, "mllint: warning: no Python files or notebooks found under odd.py\n")
    else:
        assert named.returncode == 2 and "Path 'odd.py' does not exist" in named.stderr


PROJECT_FILES = ["requirements.txt", "Makefile", "dvc.yaml", ".github/workflows/ci.yml", "environment.yml", "tox.ini",
                 "setup.cfg", ".pre-commit-config.yaml", "params.yaml", ".dvc/config", "pytest.ini", "Dockerfile"]


@pytest.mark.parametrize("make", [_fifo, _device_link], ids=["fifo", "device-symlink"])
def test_project_files_that_are_no_files_are_not_read(tmp_path, make):
    """The project rules read these by name; a FIFO would block the read forever,
    /dev/zero would never end."""
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'demo'\ndependencies = ['numpy']\n", "train.py": UNSEEDED,
                           ".github/workflows/.keep": "", ".dvc/.keep": ""})
    for name in PROJECT_FILES:
        make(tmp_path / name)
    done = mllint("check", "--select", "ALL", "--format", "json", "--no-cache", cwd=tmp_path)
    assert ("train.py", "ML201") in findings(done)


# -- files that change between discovery and reading -------------------------------------------


def _delete(path: Path) -> None:
    path.unlink()


def _to_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _to_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _to_binary(path: Path) -> None:
    path.write_bytes(b"\x00\xff" * 100)


CHANGES = {"deleted": _delete, "became-a-fifo": _to_fifo, "became-a-folder": _to_folder, "became-binary": _to_binary}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_file_that_changes_after_discovery(project, monkeypatch, change):
    """Discovery lists the files, then they are read: whatever happens to one in
    between costs that file an ML001 (or ML002), never the run."""
    write_files(project, {"vanishing.py": UNSEEDED, "vanishing.ipynb": notebook_json([UNSEEDED])})
    discover = runner.build_project

    def then_change(*args, **kwargs):
        found = discover(*args, **kwargs)
        for name in ("vanishing.py", "vanishing.ipynb"):
            change(found.root / name)
        return found

    monkeypatch.setattr(runner, "build_project", then_change)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check", "--format", "json", "--no-cache", "--jobs", "1"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    reported = sorted((f["path"], f["code"]) for f in json.loads(result.stdout))
    assert reported == [("good.py", "ML201"), ("vanishing.ipynb", "ML002"), ("vanishing.py", "ML001")]


# -- the cache --------------------------------------------------------------------------------


def test_a_cache_entry_that_is_a_fifo_is_ignored(project):
    findings(mllint("check", "--format", "json", cwd=project))
    for entry in (project / CACHE_DIR).glob("??/*.json"):
        entry.unlink()
        os.mkfifo(entry)
    try:
        done = mllint("check", "--format", "json", cwd=project, timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("the run blocked on a cache entry that is a FIFO")
    assert findings(done) == [("good.py", "ML201")]


def test_a_cache_folder_that_is_a_file_or_a_dangling_link_is_not_used(project):
    uncached = findings(mllint("check", "--format", "json", "--no-cache", cwd=project))
    (project / CACHE_DIR).write_text("not a folder")
    assert findings(mllint("check", "--format", "json", cwd=project)) == uncached
    (project / CACHE_DIR).unlink()
    (project / CACHE_DIR).symlink_to(project / "missing" / "deeper")
    assert findings(mllint("check", "--format", "json", cwd=project)) == uncached


# -- a worker killed mid-run -----------------------------------------------------------------------

KILLING_RUN = """
import os, signal, sys
from mllint.engine.runner import Linter
lint_file = Linter._lint_file
parent = os.getpid()
def dying(self, source_file, *args):
    if source_file.path == "dies.py" and os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return lint_file(self, source_file, *args)
Linter._lint_file = dying
from mllint.cli import main
main(sys.argv[1:])
"""


def test_a_worker_killed_mid_run_costs_only_its_file(project):
    files = {f"pkg/m{n}.py": UNSEEDED for n in range(20)}
    write_files(project, {**files, "dies.py": UNSEEDED})
    args = ["check", "--format", "json", "--no-cache", "--jobs", "2"]
    done = subprocess.run([sys.executable, "-c", KILLING_RUN, *args], cwd=project, capture_output=True, text=True, timeout=TIMEOUT)
    reported = json.loads(done.stdout)
    [died] = [f for f in reported if f["path"] == "dies.py"]
    assert died["code"] == "ML000" and "died (signal 9)" in died["message"]
    assert sorted((f["path"], f["code"]) for f in reported if f["path"] != "dies.py") == sorted(
        [("good.py", "ML201")] + [(path, "ML201") for path in files])
    assert done.returncode == 1


# -- --fix interrupted, or unable to write ------------------------------------------------------

UNSAFE_LOAD = "import yaml\n\nconfig = yaml.load('a: 1')  # keep this comment\n"
FIXED_LOAD = UNSAFE_LOAD.replace("yaml.load(", "yaml.safe_load(")

#: Where a run is killed while it writes a fix: the replacement written but not
#: synced, synced, its mode set, about to be renamed over the file, renamed.
INTERRUPTED = """
import os, signal, sys
step = sys.argv[1]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
def then_die(real):
    def call(*args, **kwargs):
        real(*args, **kwargs)
        die()
    return call
if step == "replace-done":
    os.replace = then_die(os.replace)
else:
    setattr(os, step, die)
from mllint.cli import main
main(["check", "--fix", "--no-cache", "--jobs", "1"])
"""


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace", "replace-done"])
def test_fix_killed_at_any_step_leaves_the_file_whole(tmp_path, step):
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "load.py": UNSAFE_LOAD})
    done = subprocess.run([sys.executable, "-c", INTERRUPTED, step], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert (tmp_path / "load.py").read_text() == (FIXED_LOAD if step == "replace-done" else UNSAFE_LOAD)
    again = subprocess.run([sys.executable, "-m", "mllint", "check", "--fix", "--no-cache"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=TIMEOUT)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (tmp_path / "load.py").read_text() == FIXED_LOAD


FAILING_WRITE = """
import errno, os, sys
def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")
os.fsync = full
from mllint.cli import main
main(["check", "--fix", "--no-cache"])
"""


def test_fix_that_cannot_write_leaves_the_file_and_says_why(tmp_path):
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "load.py": UNSAFE_LOAD})
    done = subprocess.run([sys.executable, "-c", FAILING_WRITE], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "mllint: warning: load.py: not written: cannot write it: No space left on device" in done.stderr
    assert (tmp_path / "load.py").read_text() == UNSAFE_LOAD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["load.py", "pyproject.toml"]


def test_fix_in_a_read_only_folder_leaves_the_file_and_says_why(tmp_path):
    prefix = without_privileges()
    folder = tmp_path / "src"
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML601']\n", "src/load.py": UNSAFE_LOAD})
    folder.chmod(0o555)
    try:
        done = mllint("check", "--fix", "--no-cache", cwd=tmp_path, prefix=prefix)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "src/load.py: not written: cannot write it: Permission denied" in done.stderr
    assert (folder / "load.py").read_text() == UNSAFE_LOAD
    assert sorted(p.name for p in folder.iterdir()) == ["load.py"]
