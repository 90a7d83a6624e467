"""The entry point: recognise dependency files by name, run each one's reader, then
follow the requirements files they reached.

Files that only state the Python version (``.python-version``, ``.tool-versions``,
``runtime.txt``) are read here too, and ``MLproject`` files, which name an
environment file, before everything else.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from mllint.project.dependencies.accumulator import Collector, Reader
from mllint.project.dependencies.conda import (
    mlproject_environments,
    read_cog,
    read_conda,
    read_python_env,
)
from mllint.project.dependencies.facts import (
    LOCK_FILE_NAMES,
    DependencyFacts,
    depth_order,
)
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
    paths = sorted(set(files), key=depth_order)
    model_folders = {posixpath.dirname(path) for path in paths if posixpath.basename(path) == "MLmodel"}
    named = mlproject_environments(collector, [path for path in paths if posixpath.basename(path) == "MLproject"])
    for path in paths:
        if posixpath.dirname(path) in model_folders:
            continue  # written by MLflow next to a saved model: a record, not a declaration
        kind = named.get(path) or _file_kind(path)
        if kind == "lock":
            collector.facts.lock_files.append(path)
        elif kind == "requirements":
            collector.seeds.append(path)
        elif kind == "constraints":
            collector.constraint_seeds.append(path)
        elif kind is not None:
            collector.guarded(path, _READERS[kind])
    read_requirement_files(collector)
    return collector.finish()


_REQUIREMENTS_NAME = re.compile(r".*requirements.*\.txt")
_CONSTRAINTS_NAME = re.compile(r".*constraints.*\.txt")
_ENVIRONMENT_NAME = re.compile(r"(?:environment[^/]*|env|conda|conda[-_]env(?:ironment)?)\.ya?ml")
_LOCK_NAME = re.compile(
    r"pylock\.[^/]+\.toml"  # PEP 751
    r"|[^/]*\.conda-lock\.ya?ml|[^/]*conda[^/]*\.lock"  # conda-lock, explicit conda lists
    r"|requirements[^/]*\.lock"  # rye
)
_PIP_LOCK_NAME = re.compile(r"[^/]*[-_.]lock\.txt")
"""``pip-compile`` outputs named as locks; read as requirements when so named."""


def _file_kind(path: str) -> str | None:
    """Which reader a project file needs, by name alone; None for other files."""
    name = posixpath.basename(path)
    lower = name.lower()
    parent = posixpath.basename(posixpath.dirname(path)).lower()
    if name in LOCK_FILE_NAMES or _LOCK_NAME.fullmatch(lower):
        return "lock"
    if _CONSTRAINTS_NAME.fullmatch(lower):
        return "constraints"
    if _REQUIREMENTS_NAME.fullmatch(lower) or (parent == "requirements" and lower.endswith(".txt")):
        return "requirements"
    if _PIP_LOCK_NAME.fullmatch(lower):
        return "lock"
    if _ENVIRONMENT_NAME.fullmatch(lower):
        return "conda"
    return {
        "python_env.yaml": "python-env",
        "python_env.yml": "python-env",
        "cog.yaml": "cog",
        "pyproject.toml": "pyproject",
        "setup.cfg": "setup.cfg",
        "setup.py": "setup.py",
        "Pipfile": "pipfile",
        ".python-version": "python-version",
        ".tool-versions": "tool-versions",
        "runtime.txt": "runtime",
    }.get(name)


def _first_line(collector: Collector, path: str, text: str, states_python: Callable[[str], bool]) -> None:
    """The Python version is at the first line of a version file that states one."""
    for number, line in enumerate(text.splitlines(), 1):
        if states_python(line.split("#", 1)[0].strip()):
            collector.python_at(path, number)
            return


def _pyenv_line(line: str) -> bool:
    """``.python-version``: any version but ``system``."""
    return bool(line) and line != "system"


def _asdf_line(line: str) -> bool:
    """asdf's (and mise's) ``.tool-versions``: ``python 3.11.4``."""
    words = line.split()
    return len(words) >= 2 and words[0] == "python" and words[1] != "system"


def _runtime_line(line: str) -> bool:
    """Heroku-style ``runtime.txt``: ``python-3.11.4``."""
    return bool(re.match(r"^python-\d", line))


_READERS: dict[str, Reader] = {
    "pyproject": read_pyproject,
    "setup.cfg": read_setup_cfg,
    "setup.py": read_setup_py,
    "pipfile": read_pipfile,
    "conda": read_conda,
    "python-version": partial(_first_line, states_python=_pyenv_line),
    "runtime": partial(_first_line, states_python=_runtime_line),
    "tool-versions": partial(_first_line, states_python=_asdf_line),
    "python-env": read_python_env,
    "cog": read_cog,
}
