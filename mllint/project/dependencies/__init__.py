"""Dependency facts: what a project declares, how exactly it pins it, and where.

Rules ML204 (unpinned-dependencies), ML205 (dependencies-undeclared) and ML206
(python-version-unspecified) all need the same static inventory of a project's
dependency files, so it is built once here. Files are only read as text:
``setup.py`` is parsed with :mod:`ast` and never executed, and nothing touches the
network (a remote ``-r https://...`` include is reported as a warning, not fetched).

Pinning decisions, fixed here because rules report on them:

* PEP 508 requirement: pinned when one clause is ``===V`` or ``==V`` without a
  wildcard; in requirements files also when the line carries ``--hash``, when
  another line of the same install (the file or one it includes with ``-r``) pins
  the name, or when a constraints file that applies to the file (its own ``-c`` or
  that of a file including it through ``-r``) pins the name. Constraints files
  (``-c`` targets, ``*constraints*.txt``) are recorded as ``constraints``: they pin
  but declare nothing.
* VCS requirement (``git+https://host/repo@ref``, Poetry ``rev``, Pipfile ``ref``):
  pinned only when the ref is a full commit id (40 or 64 hex digits). Tags and
  branches move; abbreviated ids can become ambiguous, and pip documents full ids.
* Direct URL: pinned when it names a distribution file (``.whl``, ``.tar.gz``,
  ``.zip``...) or carries a ``#sha256=``-style hash; any other URL is not pinned.
* Local paths (``-e .``, ``./libs/x``, ``file://...``) are the project's own code,
  not requirements to pin, so they are left out.
* Poetry and Pipfile: a bare version ``"1.2.3"`` means ``==1.2.3``; ``^``, ``~``,
  ``*`` and ranges are not pinned.
* conda: ``==V``, ``=V=build``, ``name V`` or ``=V`` with at least three release
  components. ``=1.26`` is a prefix match (``1.26.*``) in conda, so it is not pinned.
  ``python`` is the Python version and ``pip`` the installer: neither is reported
  as a requirement nor needed for ``conda_fully_pinned``.

Which files: requirements and constraints files, pyproject/setup.py/setup.cfg,
Pipfile, conda environments under the names people use (``environment*.yml``,
``conda.yaml``, ``env.yml``...), the ``conda_env``/``python_env`` an MLflow
``MLproject`` names, lock files by name, and Python-version files. Files in the
folder of an MLflow ``MLmodel`` are skipped: MLflow writes them for a saved model.

Layout: :mod:`.inventory` is the entry point and :mod:`.facts` its result;
:mod:`.accumulator` holds the state readers share, :mod:`.specs` judges requirement
strings and :mod:`.requirements` reads pip syntax and includes; :mod:`.pyproject`,
:mod:`.setuptools`, :mod:`.pipfile` and :mod:`.conda` read one format each, with
:mod:`.keyed` and :mod:`.sourcelines` serving several of them.
"""

from mllint.project.dependencies.accumulator import MAX_FILE_BYTES
from mllint.project.dependencies.facts import (
    CONCRETE_SOURCES,
    LOCK_FILE_NAMES,
    DependencyFacts,
    Requirement,
    Unpinned,
    depth_order,
)
from mllint.project.dependencies.inventory import collect_dependency_facts
from mllint.project.dependencies.specs import normalize_name

__all__ = [
    "CONCRETE_SOURCES",
    "LOCK_FILE_NAMES",
    "MAX_FILE_BYTES",
    "DependencyFacts",
    "Requirement",
    "Unpinned",
    "collect_dependency_facts",
    "depth_order",
    "normalize_name",
]
