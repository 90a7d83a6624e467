"""Thin wrapper around the ``git`` command.

mllint asks git rather than re-implementing ignore rules or reading the object
store: git already knows ``.gitignore``, ``.git/info/exclude``, global excludes
and attributes. Every call is batched (one process for many paths) and a missing
``git`` binary or a folder outside a work tree is an answer ("no facts"), never
an error.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 60


class GitUnavailable(Exception):
    """git is not installed, or the folder is not inside a git work tree."""


def run_git(cwd: Path, *args: str, stdin: str | None = None) -> str:
    """Run ``git args`` in *cwd* and return its stdout, decoded as UTF-8.

    Raises GitUnavailable when git is missing or exits non-zero, so callers
    fall back to "not a git project" instead of crashing.
    """
    if shutil.which("git") is None:
        raise GitUnavailable("git is not installed")
    try:
        completed = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            input=stdin.encode("utf-8", "surrogateescape") if stdin is not None else None,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitUnavailable(str(exc)) from exc
    if completed.returncode != 0:
        raise GitUnavailable(completed.stderr.decode("utf-8", "replace").strip())
    return completed.stdout.decode("utf-8", "surrogateescape")


def worktree_root(path: Path) -> Path | None:
    """The top of the git work tree holding *path*, or None outside one."""
    folder = path if path.is_dir() else path.parent
    try:
        top = run_git(folder, "rev-parse", "--show-toplevel").strip()
    except GitUnavailable:
        return None
    return Path(top).resolve() if top else None


def ls_files(top: Path, *, include_untracked: bool = True) -> list[str]:
    """Files git tracks (and, by default, untracked files it does not ignore).

    Paths are POSIX, relative to *top*. ``-z`` keeps unusual file names intact.
    """
    args = ["ls-files", "-z", "--cached"]
    if include_untracked:
        args += ["--others", "--exclude-standard"]
    out = run_git(top, *args)
    seen: dict[str, None] = {}
    for name in out.split("\0"):
        if name:
            seen.setdefault(name, None)
    return list(seen)
