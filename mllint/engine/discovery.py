"""Which project a path belongs to, and which of its files to read.

Inside a git work tree git decides what belongs to the project (tracked files
plus untracked files it does not ignore); elsewhere a walk applies the default
excludes. Explicit file arguments are always linted: pre-commit passes the
staged file names, and a user naming a file means it.
"""

from __future__ import annotations

import os
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


def _walk(root: Path, excluded: Callable[[str], bool]) -> list[str]:
    files: list[str] = []
    for folder, dirs, names in os.walk(root, followlinks=False, onerror=lambda _err: None):
        rel_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = sorted(d for d in dirs if not excluded(prefix + d + "/"))
        files.extend(prefix + name for name in sorted(names) if not excluded(prefix + name))
    return files


def _inside(path: Path, root: Path) -> bool:
    """Whether *path*, with symlinks resolved, stays inside *root*."""
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def project_files(root: Path, excluded: Callable[[str], bool]) -> tuple[list[str], bool]:
    """All files of the project at *root*, and whether git listed them."""
    if worktree_root(root) is not None:
        try:
            listed = ls_files(root)
        except GitUnavailable:
            pass
        else:
            return [f for f in listed if not excluded(f)], True
    return _walk(root, excluded), False


def group_by_root(paths: Iterable[Path]) -> dict[Path, list[Path]]:
    """The requested paths (resolved) grouped by their project root."""
    groups: dict[Path, list[Path]] = {}
    for raw in paths:
        path = raw.resolve()
        groups.setdefault(find_root(path).resolve(), []).append(path)
    return groups


def build_project(root: Path, paths: Iterable[Path], excluded: Callable[[str], bool]) -> Project:
    """List a project's files and the targets the requested *paths* select."""
    files, in_git = project_files(root, excluded)
    project = Project(root, files, in_git=in_git)
    targets: list[str] = []
    for path in paths:
        relative = path.relative_to(root).as_posix()
        if path.is_dir():
            prefix = "" if relative == "." else relative + "/"
            targets.extend(f for f in files if f.startswith(prefix) and f.endswith(LINTABLE_SUFFIXES))
        else:
            targets.append(relative)
    for target in dict.fromkeys(targets):
        full = root / target
        if full.is_symlink() and not _inside(full, root):
            project.warnings.append(f"{target}: symlink leads outside the project; not followed")
        elif full.is_file():
            project.targets.append(target)
    return project
