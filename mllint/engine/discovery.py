"""Which project a path belongs to, and which of its files to read.

Inside a git work tree git decides what belongs to the project (tracked files
plus untracked files it does not ignore); elsewhere a walk applies the default
excludes. Paths named on the command line are linted even when the
configuration excludes them, as ruff does: a user naming a file or folder means
it. Pre-commit passes every staged file name, so its hooks pass
``--force-exclude`` to have the excludes apply to named paths too
(``force_excluded``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from mllint.project.git import GitUnavailable, ls_files, worktree_root

ROOT_MARKERS = ("pyproject.toml", "setup.py", ".git", "dvc.yaml")
LINTABLE_SUFFIXES = (".py", ".ipynb")


@dataclass
class Project:
    root: Path
    files: list[str] = field(default_factory=list)  # every project file, POSIX relative to root
    targets: list[str] = field(default_factory=list)  # files to lint, POSIX relative to root
    in_git: bool = False
    warnings: list[str] = field(default_factory=list)


def find_root(path: Path) -> Path:
    """The nearest folder at or above *path* holding a project marker, else *path*'s folder."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def _walk(root: Path, excluded: Callable[[str], bool], unreadable: list[str]) -> list[str]:
    """The files under *root* the excludes leave; a folder that cannot be listed
    is skipped, and said so in *unreadable*."""
    files: list[str] = []

    def skipped(error: OSError) -> None:
        where = Path(error.filename).relative_to(root).as_posix() if error.filename else "."
        unreadable.append(f"{where}: cannot read this folder ({error.strerror or error}); not linted")

    for folder, dirs, names in os.walk(root, followlinks=False, onerror=skipped):
        rel_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = sorted(d for d in dirs if not excluded(prefix + d + "/"))
        files.extend(prefix + name for name in sorted(names) if not excluded(prefix + name))
    return files


def _not_lintable(path: Path, root: Path) -> str | None:
    """Why the file at *path* is not read, or None when it is a regular file of the project.

    A symlink must lead to a file inside *root*; a broken link, a link loop, a FIFO,
    a socket or a device named ``.py`` is skipped with a reason, never opened.
    """
    try:
        if path.is_symlink() and not path.resolve(strict=True).is_relative_to(root):
            return "symlink leads outside the project; not followed"
        mode = path.stat().st_mode
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on 3.10-3.12
        return "broken symlink or symlink loop; not followed" if path.is_symlink() else "cannot be read; not linted"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device); not linted"
    return None


def project_files(root: Path, excluded: Callable[[str], bool], unreadable: list[str] | None = None) -> tuple[list[str], bool]:
    """All files of the project at *root*, and whether git listed them; folders
    that could not be listed are named in *unreadable*."""
    if worktree_root(root) is not None:
        try:
            listed = ls_files(root)
        except GitUnavailable:
            pass
        else:
            return [f for f in listed if not excluded(f)], True
    return _walk(root, excluded, unreadable if unreadable is not None else []), False


def force_excluded(path: Path, root: Path, excluded: Callable[[str], bool]) -> bool:
    """Whether the excludes cover *path* (a file or folder of the project at
    *root*, resolved), itself or through a folder above it; the root never is."""
    relative = path.relative_to(root).as_posix()
    if relative == ".":
        return False
    return excluded(relative + "/" if path.is_dir() else relative)


def _folder_files(root: Path, relative: str, files: list[str], excluded: Callable[[str], bool]) -> list[str]:
    """The files under a folder named on the command line, POSIX relative to *root*.

    An excluded folder is linted anyway, walked as if it were a root: the
    excludes apply to the paths below it, not to the folder itself (git's ignore
    rules still decide, inside a work tree, which files belong to the project).
    """
    if relative == ".":
        return files
    if not force_excluded(root / relative, root, excluded):
        return [f for f in files if f.startswith(relative + "/")]
    return [f"{relative}/{f}" for f in project_files(root / relative, excluded)[0]]


def group_by_root(paths: Iterable[Path]) -> dict[Path, list[Path]]:
    """The requested paths (resolved) grouped by their project root."""
    groups: dict[Path, list[Path]] = {}
    for raw in paths:
        path = raw.resolve()
        groups.setdefault(find_root(path).resolve(), []).append(path)
    return groups


def build_project(root: Path, paths: Iterable[Path], excluded: Callable[[str], bool]) -> Project:
    """List a project's files and the targets the requested *paths* select."""
    unreadable: list[str] = []
    files, in_git = project_files(root, excluded, unreadable)
    project = Project(root, files, in_git=in_git, warnings=unreadable)
    targets: list[str] = []
    for path in paths:
        relative = path.relative_to(root).as_posix()
        if path.is_dir():
            targets.extend(f for f in _folder_files(root, relative, files, excluded) if f.endswith(LINTABLE_SUFFIXES))
        else:
            targets.append(relative)
    for target in dict.fromkeys(targets):
        problem = _not_lintable(root / target, root)
        if problem is None:
            project.targets.append(target)
        else:
            project.warnings.append(f"{target}: {problem}")
    return project
