"""What the dependency rules are told: requirements, declaration and lock files,
the Python version, and which requirements ML204 should report.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

LOCK_FILE_NAMES = frozenset(
    {"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "conda-lock.yaml", "pylock.toml"}
)
CONCRETE_SOURCES = frozenset({"requirements", "conda"})
"""Sources that describe an installable environment rather than a package's ranges."""


@dataclass(frozen=True)
class Requirement:
    """One declared dependency, located in the file that declares it."""

    name: str | None
    text: str
    path: str
    line: int
    pinned: bool
    source: str


@dataclass
class DependencyFacts:
    """Everything the dependency rules need to know about a project."""

    declaration_files: list[str] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    lock_files: list[str] = field(default_factory=list)
    conda_fully_pinned: bool = False
    python_version: tuple[str, int] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def declares_dependencies(self) -> bool:
        """True when any dependency declaration exists (ML205 is silent then)."""
        return bool(self.declaration_files)

    def fully_pinned_requirement_files(self) -> list[str]:
        """Requirements files whose every requirement is pinned: they act as a lock."""
        by_file: dict[str, list[bool]] = {}
        for req in self.requirements:
            if req.source == "requirements":
                by_file.setdefault(req.path, []).append(req.pinned)
        return sorted(path for path, pins in by_file.items() if all(pins))

    def unpinned_requirements(self) -> list[Requirement]:
        """The requirements ML204 should report, in (path, line) order.

        Nothing in the folder of a lock file and below it (a monorepo's
        ``service/Pipfile.lock`` locks that service, not its neighbours).
        Otherwise every unpinned line of a requirements file or conda
        environment (they are meant to be the environment), and the unpinned
        ranges of package metadata (pyproject, setup.py/cfg, Pipfile) unless a
        fully pinned requirements file or conda environment already fixes the
        environment.
        """
        locked = [posixpath.dirname(lock) for lock in self.lock_files]
        environment_pinned = self.conda_fully_pinned or bool(self.fully_pinned_requirement_files())
        return [
            req
            for req in self.requirements
            if not req.pinned
            and (req.source in CONCRETE_SOURCES or not environment_pinned)
            and not any(folder == "" or req.path.startswith(folder + "/") for folder in locked)
        ]
