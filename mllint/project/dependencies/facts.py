"""What the dependency rules are told: requirements, declaration and lock files,
the Python version, and which requirements ML204 should report.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

LOCK_FILE_NAMES = frozenset(
    {
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "pixi.lock",
        "Pipfile.lock",
        "conda-lock.yml",
        "conda-lock.yaml",
        "pylock.toml",
    }
)
CONCRETE_SOURCES = frozenset({"requirements", "conda"})
"""Sources that describe an installable environment rather than a package's ranges."""

PathFilter = Callable[[str], bool]
"""Which files a question is about (the rule decides, from file roles)."""


#: Folders that hold a project's requirement files for the folder above them.
REQUIREMENT_FOLDERS = frozenset({"requirements", "reqs", "requirements.d", "env", "envs", "environment", "environments"})


def _everything(path: str) -> bool:
    return True


def declaring_folder(path: str) -> str:
    """The folder whose files a declaration file declares the environment of: its
    own, or the one above a ``requirements/`` (``env/``, ...) folder."""
    folder = posixpath.dirname(path)
    return posixpath.dirname(folder) if posixpath.basename(folder).lower() in REQUIREMENT_FOLDERS else folder


def _within(path: str, folder: str) -> bool:
    return folder == "" or path == folder or path.startswith(folder + "/")


def depth_order(path: str) -> tuple[int, str]:
    """Root files first, then by path: the stable order of findings and evidence,
    and the reading order that makes the top-level Python version the one found."""
    return path.count("/"), path


@dataclass(frozen=True)
class Requirement:
    """One declared dependency, located in the file that declares it."""

    name: str | None
    text: str
    path: str
    line: int
    pinned: bool
    source: str


@dataclass(frozen=True)
class Unpinned:
    """A requirement ML204 reports, and the other files that declare the same
    name without a pin (reported here once, not again in each of them)."""

    requirement: Requirement
    also: tuple[str, ...] = ()


@dataclass
class DependencyFacts:
    """Everything the dependency rules need to know about a project."""

    declaration_files: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    constraints: list[Requirement] = field(default_factory=list)
    """Entries of pip constraints files (``-c`` targets, ``*constraints*.txt``):
    they pin what is installed but declare nothing."""
    lock_files: list[str] = field(default_factory=list)
    pinned_conda_files: list[str] = field(default_factory=list)
    """conda (and MLflow ``python_env``) environments whose every entry is pinned."""
    python_version: tuple[str, int] | None = None
    warnings: list[str] = field(default_factory=list)

    def declaring_for(self, path: str) -> list[str]:
        """The declaration files that may declare the environment of the file at
        *path*: those under the deepest folder above it that declares one, so
        that in a repository of several projects each with its own
        requirements, a project's files are not declared by a neighbour's
        (``docker/requirements.txt`` still counts for ``notebooks/`` when the
        root declares too); every file when no folder above *path* declares."""
        folders = {declaring_folder(file) for file in self.declaration_files}
        above = [folder for folder in folders if _within(posixpath.dirname(path), folder)]
        if not above:
            return list(self.declaration_files)
        nearest = max(above, key=len)
        return [file for file in self.declaration_files if _within(declaring_folder(file), nearest)]

    @property
    def declares_dependencies(self) -> bool:
        """True when any dependency declaration exists (ML205 is silent then)."""
        return bool(self.declaration_files)

    @property
    def conda_fully_pinned(self) -> bool:
        """Whether some conda environment pins every entry (it fixes an environment)."""
        return bool(self.pinned_conda_files)

    def fully_pinned_requirement_files(self) -> list[str]:
        """Requirements files whose every requirement is pinned: they act as a lock."""
        by_file: dict[str, list[bool]] = {}
        for req in self.requirements:
            if req.source == "requirements":
                by_file.setdefault(req.path, []).append(req.pinned)
        return sorted(path for path, pins in by_file.items() if all(pins))

    def is_locked(self, path: str) -> bool:
        """Whether a lock file sits in the folder of *path* or above it (a monorepo's
        ``service/Pipfile.lock`` locks that service, not its neighbours)."""
        folders = (posixpath.dirname(lock) for lock in self.lock_files)
        return any(folder == "" or path.startswith(folder + "/") for folder in folders)

    def pinned_names(self, counted: PathFilter = _everything, concrete_only: bool = False) -> set[str]:
        """Names pinned in *counted* files by a constraint or a declaration (with
        *concrete_only*, a declaration in a requirements file or environment)."""
        declared = (r for r in self.requirements if not concrete_only or r.source in CONCRETE_SOURCES)
        return _pinned([*self.constraints, *declared], counted)

    def unpinned_requirements(self, counted: PathFilter = _everything) -> list[Unpinned]:
        """The requirements ML204 reports in an application, root files first.

        Nothing in the folder of a lock file and below it. Otherwise every
        unpinned line of a requirements file or conda environment (they are
        meant to be the environment) unless a constraints file pins its name,
        and the unpinned ranges of package metadata (pyproject, setup.py/cfg,
        Pipfile) unless a fully pinned requirements file or conda environment
        already fixes the environment, or an environment file or constraints
        file pins that name. A name declared unpinned in several files is
        reported at the first and names the others.
        """
        environment_pinned = any(map(counted, [*self.pinned_conda_files, *self.fully_pinned_requirement_files()]))
        concrete_pins = self.pinned_names(counted, concrete_only=True)
        constraint_pins = _pinned(self.constraints, counted)
        candidates = [
            req
            for req in self.requirements
            if not req.pinned
            and counted(req.path)
            and not self.is_locked(req.path)
            and (
                req.name not in constraint_pins
                if req.source in CONCRETE_SOURCES
                else not environment_pinned and req.name not in concrete_pins
            )
        ]
        return _once_per_name(candidates)

    def environment_locks(self, counted: PathFilter = _everything) -> list[str]:
        """Files that fix a whole environment among *counted*: lock files and fully
        pinned conda environments, root files first."""
        return sorted((p for p in [*self.lock_files, *self.pinned_conda_files] if counted(p)), key=depth_order)

    def unlocked_ranges(self, counted: PathFilter = _everything) -> list[Requirement]:
        """A library's unpinned requirements in *counted* files whose name no
        *counted* file or constraints file pins, in (path, line) order: what its
        development and CI installs resolve afresh every time."""
        pinned = self.pinned_names(counted)
        return [r for r in self.requirements if not r.pinned and counted(r.path) and r.name not in pinned]


def _pinned(entries: list[Requirement], counted: PathFilter) -> set[str]:
    return {r.name for r in entries if r.pinned and r.name is not None and counted(r.path)}


def _once_per_name(candidates: list[Requirement]) -> list[Unpinned]:
    """Each name at the first file declaring it (root files first), with the others;
    requirements without a known name are each their own."""
    ordered = sorted(candidates, key=lambda r: (*depth_order(r.path), r.line))
    files: dict[str, list[str]] = {}
    for req in ordered:
        if req.name is not None and req.path not in files.setdefault(req.name, []):
            files[req.name].append(req.path)
    return [
        Unpinned(req, tuple(files[req.name][1:]) if req.name is not None else ())
        for req in ordered
        if req.name is None or files[req.name][0] == req.path
    ]
