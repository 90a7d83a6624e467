"""What git knows about the repository, asked through the ``git`` command.

mllint asks git rather than re-implementing ignore rules or reading the object
store: git already knows ``.gitignore``, ``.git/info/exclude``, global excludes
and attributes. Every question is batched (a small, constant number of git
processes, never one per file), and a missing ``git`` binary or a folder
outside a work tree is an answer ("no facts"), never an error.

Data-versioning rules (ML101, ML301) need to know whether a large artifact is
committed to git, stored with Git LFS, or ignored. These facts come from the
index, not from ``HEAD``: a file that was ``git add``-ed but not committed yet
is already on its way into history, and a repository without commits still has
an index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath

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
            # the linted repository's own configuration must run nothing: an
            # fsmonitor hook is a command git would run on `ls-files`/`status`
            ["git", "-c", "core.quotepath=off", "-c", "core.fsmonitor=false", *args],
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


GITLINK_MODE = "160000"  # a submodule entry: its object lives in another repository
LFS_FILTER = "lfs"


def relative_posix(path: str | os.PathLike[str], root: Path) -> str | None:
    """*path* as a normalised POSIX path relative to *root*, or None when outside it.

    Relative paths are taken as relative to *root* already; absolute ones are
    made relative (trying the resolved root too, so symlinked temp folders and
    ``/private`` prefixes on macOS still match).
    """
    text = os.fspath(path)
    if not text:
        return None
    candidate = PurePath(text)
    if candidate.is_absolute():
        for base in (root, root.resolve()):
            try:
                candidate = candidate.relative_to(base)
                break
            except ValueError:
                continue
        else:
            return None
    normalised = os.path.normpath(candidate.as_posix()).replace(os.sep, "/")
    if normalised == ".." or normalised.startswith("../"):
        return None
    return PurePosixPath(normalised).as_posix()


@dataclass
class GitFacts:
    """What git knows about the files of one work tree (paths relative to ``top``)."""

    top: Path
    tracked_sizes: dict[str, int] = field(default_factory=dict)
    lfs: frozenset[str] = frozenset()

    def _key(self, path: str | os.PathLike[str]) -> str | None:
        return relative_posix(path, self.top)

    def is_tracked(self, path: str | os.PathLike[str]) -> bool:
        """True when *path* is in the index (committed or staged)."""
        return self._key(path) in self.tracked_sizes

    def size(self, path: str | os.PathLike[str]) -> int | None:
        """Size in bytes of the blob git stores for *path*; None when untracked."""
        key = self._key(path)
        return self.tracked_sizes.get(key) if key is not None else None

    def is_lfs(self, path: str | os.PathLike[str]) -> bool:
        """True when ``.gitattributes`` routes *path* through the LFS filter."""
        return self._key(path) in self.lfs


def collect_git_facts(top: Path) -> GitFacts | None:
    """Tracked files, their blob sizes and LFS attributes for the work tree holding *top*.

    Returns None when git is missing or *top* is not inside a work tree. Uses
    at most five git processes whatever the size of the repository.
    """
    root = worktree_root(Path(top))
    if root is None:
        return None
    try:
        entries = _index_entries(root)
        sizes = _blob_sizes(root, entries)
        lfs = _lfs_paths(root, entries)
    except GitUnavailable:
        return None
    return GitFacts(top=root, tracked_sizes=sizes, lfs=lfs)


def ignored(top: Path, paths: Iterable[str | os.PathLike[str]]) -> set[str]:
    """Which of *paths* git ignores, answered by one ``git check-ignore`` process.

    Tracked files are never reported: once a file is in the index, ``.gitignore``
    no longer applies to it and it is part of the project (so we do not pass
    ``--no-index``). The answer holds the caller's own strings. Paths outside
    *top*, behind a symbolic link, or not encodable as UTF-8 cannot be asked
    about (git would abort the whole batch) and count as not ignored. Outside a
    work tree, or without git, nothing is ignored.
    """
    top = Path(top)
    asked: dict[str, list[str]] = {}
    symlink_cache: dict[str, bool] = {}
    for original in paths:
        key = relative_posix(original, top)
        if key is None or key == "." or not _encodable(key) or _beyond_symlink(top, key, symlink_cache):
            continue
        asked.setdefault(key, []).append(os.fspath(original))
    if not asked:
        return set()
    try:
        # Exit status 1 means "none of them is ignored"; run_git reports it as
        # GitUnavailable, which is the same answer: nothing ignored.
        out = run_git(top, "check-ignore", "-z", "--stdin", stdin="\0".join(asked) + "\0")
    except GitUnavailable:
        return set()
    result: set[str] = set()
    for key in _split_z(out):
        result.update(asked.get(key, ()))
    return result


def _split_z(out: str) -> list[str]:
    return [item for item in out.split("\0") if item]


def _encodable(path: str) -> bool:
    """run_git encodes stdin as strict UTF-8; undecodable file names cannot be fed."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _beyond_symlink(top: Path, key: str, cache: dict[str, bool]) -> bool:
    """True when a parent folder of *key* is a symlink (git refuses such paths)."""
    parts = PurePosixPath(key).parts[:-1]
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        if prefix not in cache:
            cache[prefix] = (top / prefix).is_symlink()
        if cache[prefix]:
            return True
    return False


def _index_entries(root: Path) -> dict[str, str]:
    """Path -> blob id for every file in the index (staged or committed).

    Submodules are skipped: they are not files of this repository. During a
    merge conflict a path has several stages; the last one listed wins.
    """
    entries: dict[str, str] = {}
    for record in _split_z(run_git(root, "ls-files", "-z", "--stage")):
        meta, sep, path = record.partition("\t")
        fields = meta.split()
        if not sep or len(fields) != 3 or fields[0] == GITLINK_MODE:
            continue
        entries[path] = fields[1]
    return entries


def _blob_sizes(root: Path, entries: dict[str, str]) -> dict[str, int]:
    """Blob sizes from one ``git cat-file --batch-check``.

    In a partial clone git would download missing blobs just to size them, so
    there (and for any object git reports missing) the size of the checked-out
    file stands in; mllint never touches the network.
    """
    if not entries:
        return {}
    object_sizes: dict[str, int] = {}
    if not _is_partial_clone(root):
        query = "\n".join(dict.fromkeys(entries.values())) + "\n"
        out = run_git(root, "cat-file", "--batch-check=%(objectname) %(objectsize)", stdin=query)
        for line in out.splitlines():
            oid, _, size = line.partition(" ")
            if size.isdigit():
                object_sizes[oid] = int(size)
    sizes: dict[str, int] = {}
    for path, oid in entries.items():
        size = object_sizes.get(oid)
        sizes[path] = size if size is not None else _worktree_size(root, path)
    return sizes


def _is_partial_clone(root: Path) -> bool:
    try:
        return bool(run_git(root, "config", "--get", "extensions.partialClone").strip())
    except GitUnavailable:  # exit status 1: the key is not set
        return False


def _worktree_size(root: Path, path: str) -> int:
    try:
        return (root / path).lstat().st_size
    except OSError:
        return 0


def _lfs_paths(root: Path, entries: dict[str, str]) -> frozenset[str]:
    """Tracked paths whose ``filter`` attribute is ``lfs``, from one ``git check-attr``.

    Reading attributes needs no git-lfs binary: ``.gitattributes`` is enough.
    """
    paths = [path for path in entries if _encodable(path)]
    if not paths:
        return frozenset()
    out = run_git(root, "check-attr", "-z", "--stdin", "filter", stdin="\0".join(paths) + "\0")
    fields = out.split("\0")
    return frozenset(
        fields[i]
        for i in range(0, len(fields) - 2, 3)
        if fields[i + 1] == "filter" and fields[i + 2] == LFS_FILTER
    )
