"""Whether the project is a distributable library or an application.

A library (a ``[project]`` table with a build backend, or a ``setup.py`` /
``setup.cfg`` that declares install requirements) publishes version *ranges* on
purpose, ships its package source to other people's environments and keeps its
examples and tests beside it; an application, service or collection of scripts
and notebooks is the environment itself. A packaged project that is deployed
as a service (a compose file, a Procfile, a Dockerfile that starts a server) is
an application: it is packaged for its own deployment, not for other people's. Rules that judge pinning or entry
points ask which one this is, and the answer carries its evidence for messages
and ``--verbose``.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from typing import Callable, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class ProjectKind:
    library: bool
    evidence: str  # why, in words ("pyproject.toml: [project] built with hatchling.build")


def project_kind(files: Iterable[str], read_text: Callable[[str], str | None]) -> ProjectKind:
    """The kind of the project whose root-relative *files* are given; *read_text*
    reads one of them (None when unreadable). Only the root's packaging files count."""
    present = set(files)
    packaged = _packaging(present, read_text)
    if packaged is None:
        return ProjectKind(False, "no packaging metadata with a build backend or install requirements")
    service = _service_evidence(present, read_text)
    if service is not None:
        return ProjectKind(False, f"{packaged}, but deployed as a service ({service})")
    return ProjectKind(True, packaged)


def _packaging(present: set[str], read_text: Callable[[str], str | None]) -> str | None:
    """Why the project is a distributable package, or None."""
    if "pyproject.toml" in present:
        found = _from_pyproject(read_text("pyproject.toml"))
        if found is not None:
            return found
    if "setup.cfg" in present and _setup_cfg_installs(read_text("setup.cfg")):
        return "setup.cfg declares install_requires"
    if "setup.py" in present and _setup_py_installs(read_text("setup.py")):
        return "setup.py calls setup() with install_requires or with arguments built in code"
    return None


_SERVICE_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml", "Procfile", "app.yaml")
#: ``[ \t]*``, not ``\s*``: from every line start, ``\s*`` would rescan all the blank lines below it.
_SERVER_COMMAND = re.compile(r"^[ \t]*(?:CMD|ENTRYPOINT)\b.*\b(?:uvicorn|gunicorn|hypercorn|flask|streamlit|bentoml|"
                             r"mlflow\s+models\s+serve|torchserve|serve\s+run|fastapi\s+run)\b", re.MULTILINE | re.IGNORECASE)


def _service_evidence(present: set[str], read_text: Callable[[str], str | None]) -> str | None:
    """The root file that deploys the project as a service, if any."""
    for name in _SERVICE_FILES:
        if name in present:
            return name
    if "Dockerfile" in present and _SERVER_COMMAND.search(read_text("Dockerfile") or ""):
        return "Dockerfile starts a server"
    return None


def _from_pyproject(text: str | None) -> str | None:
    try:
        data = tomllib.loads(text or "")
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None
    project = data.get("project")
    backend = data.get("build-system", {}).get("build-backend") if isinstance(data.get("build-system"), dict) else None
    if isinstance(project, dict) and isinstance(backend, str) and backend:
        return f"pyproject.toml: [project] built with {backend}"
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict) and poetry.get("packages") is not False and isinstance(backend, str) and "poetry" in backend:
        return f"pyproject.toml: [tool.poetry] built with {backend}"
    return None


def _setup_cfg_installs(text: str | None) -> bool:
    return text is not None and "install_requires" in text


def _setup_py_installs(text: str | None) -> bool:
    """``setup(..., install_requires=...)`` in the text, read with ``ast`` (never
    run); or ``setup(**arguments)``, whose arguments (install requirements
    included) are built in code, often read from the package's own
    ``__setup__.py`` or a requirements folder."""
    if not text or "setup" not in text:
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not _names_setup(node.func):
            continue
        if any(k.arg == "install_requires" or k.arg is None for k in node.keywords):
            return True
    return False


def _names_setup(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "setup") or (isinstance(func, ast.Attribute) and func.attr == "setup")
