"""The entry point: recognise dependency files by name, run each one's reader, then
follow the requirements files they reached.

Files that only state the Python version (``.python-version``, ``runtime.txt``)
are read here too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

from mllint.project.dependencies.accumulator import Collector, Reader
from mllint.project.dependencies.conda import read_conda
from mllint.project.dependencies.facts import LOCK_FILE_NAMES, DependencyFacts
from mllint.project.dependencies.pipfile import read_pipfile
from mllint.project.dependencies.pyproject import read_pyproject
from mllint.project.dependencies.requirements import read_requirement_files
from mllint.project.dependencies.setuptools import read_setup_cfg, read_setup_py


def collect_dependency_facts(root: Path, files: Iterable[str]) -> DependencyFacts:
    """Read the dependency files among *files* (POSIX paths relative to *root*).

    Never raises for bad input: unreadable or malformed files become warnings
    and whatever could be read is still returned.
    """
    collector = Collector(Path(root))
    for path in sorted(set(files), key=_depth_order):
        kind = _file_kind(path)
        if kind == "lock":
            collector.facts.lock_files.append(path)
        elif kind == "requirements":
            collector.seeds.append(path)
        elif kind is not None:
            collector.guarded(path, _READERS[kind])
    read_requirement_files(collector)
    return collector.finish()


_REQUIREMENTS_NAME = re.compile(r".*requirements.*\.txt")
_ENVIRONMENT_NAME = re.compile(r"environment[^/]*\.ya?ml")
_PYLOCK_NAME = re.compile(r"pylock\.[^/]+\.toml")
_CONDA_LOCK_SUFFIXES = (".conda-lock.yml", ".conda-lock.yaml")


def _file_kind(path: str) -> str | None:
    """Which reader a project file needs, by name alone; None for other files."""
    name = posixpath.basename(path)
    lower = name.lower()
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    if name in LOCK_FILE_NAMES or lower.endswith(_CONDA_LOCK_SUFFIXES) or _PYLOCK_NAME.fullmatch(name):
        return "lock"
    if _REQUIREMENTS_NAME.fullmatch(lower) or (parent == "requirements" and lower.endswith(".txt")):
        return "requirements"
    if _ENVIRONMENT_NAME.fullmatch(lower):
        return "conda"
    return {
        "pyproject.toml": "pyproject",
        "setup.cfg": "setup.cfg",
        "setup.py": "setup.py",
        "Pipfile": "pipfile",
        ".python-version": "python-version",
        "runtime.txt": "runtime",
    }.get(name)


def _depth_order(path: str) -> tuple[int, str]:
    """Root files first, so 'the first Python version found' is the top-level one."""
    return path.count("/"), path


def _read_python_version(collector: Collector, path: str, text: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split("#", 1)[0].strip()
        if value and value != "system":
            collector.python_at(path, number)
            return


def _read_runtime(collector: Collector, path: str, text: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^\s*python-\d", line):
            collector.python_at(path, number)
            return


_READERS: dict[str, Reader] = {
    "pyproject": read_pyproject,
    "setup.cfg": read_setup_cfg,
    "setup.py": read_setup_py,
    "pipfile": read_pipfile,
    "conda": read_conda,
    "python-version": _read_python_version,
    "runtime": _read_runtime,
}
