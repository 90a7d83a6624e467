"""The project's test suite: which modules are tests, what they reach, what they assert.

The testing rules (ML401-ML403, ML406) ask cross-module questions about the
tests: does pytest or unittest collect this file, do the tests import the ML
code (directly or through other project modules), does a helper a test calls
in another module assert. ``TestSuite`` answers them once per run for every
rule that asks (``project.analysis(TestSuite)``): it reads the pytest settings
once, remembers each file's kind and each module's assertion facts, and goes
away with the run's project context. It returns facts; the rules in
``mllint.checks.testing`` decide what to report.

It lives in the analysis layer because it is shared reasoning built on project
facts (``mllint.project.pytest_config``, the project index and its syntax trees)
and on ``mllint.analysis.assertions``.

Cost, for a project of F files and M indexed modules:

- building the analysis reads at most five configuration files and
  ``effective_testpaths`` matches each ``testpaths`` entry against the F file
  names: O(F x testpaths);
- ``kind`` is O(1) after the first question about a path (memoised: O(F) memory
  at most); ``test_modules`` is O(M);
- ``facts`` walks a module's tree once (O(nodes), see
  ``mllint.analysis.assertions``) and keeps the facts of every module asked
  for, O(functions + calls) each; only test modules, their ``conftest.py``
  files and the project modules their helpers resolve to are ever asked for;
- ``reachable_modules`` visits each project module at most once: O(M x names
  referenced per module x the cost of ``ProjectIndex.find_module``).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from mllint.analysis.assertions import AssertionFacts, assertion_facts
from mllint.engine.context import Analysis, ProjectContext
from mllint.project.index import FunctionInfo, ModuleInfo, ProjectIndex
from mllint.project.pytest_config import (
    PytestSettings,
    effective_testpaths,
    is_pytest_file,
    is_unittest_file,
    read_pytest_settings,
)

_NOT_PIPELINE_DIRS = frozenset({"tests", "test", "testing", "docs", "doc", "examples", "example",
                                "benchmarks", "benchmark", "bench"})
_NOT_PIPELINE_FILES = frozenset({"setup.py", "conftest.py", "noxfile.py"})


class TestSuite(Analysis):
    """Where a project's tests are and what their modules assert, computed once per run."""

    __test__ = False  # a class named Test*, not a test class: pytest must not collect it
    name = "test-suite"

    def __init__(
        self,
        index: ProjectIndex,
        settings: PytestSettings,
        testpaths: tuple[str, ...],
        files: frozenset[str],
        read_text: Callable[[str], str | None],
    ) -> None:
        self.index = index
        self.settings = settings
        #: the ``testpaths`` that name something in the project (pytest ignores the rest)
        self.testpaths = testpaths
        self.files = files
        self._read_text = read_text
        self._kinds: dict[str, bool | None] = {}
        self._facts: dict[str, AssertionFacts] = {}

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> TestSuite:
        settings = read_pytest_settings(project.files, project.read_text)
        return cls(project.index, settings, effective_testpaths(settings, project.files), project.file_set,
                   project.read_text)

    def kind(self, path: str) -> bool | None:
        """True for a file pytest collects, False for one only unittest loads, None otherwise."""
        if path not in self._kinds:
            if is_pytest_file(path, self.settings, self.testpaths):
                self._kinds[path] = True
            else:
                self._kinds[path] = False if is_unittest_file(path) else None
        return self._kinds[path]

    def test_modules(self) -> list[ModuleInfo]:
        """The indexed Python modules pytest or unittest would collect."""
        return [m for m in self.index.modules.values() if not m.is_notebook and self.kind(m.path) is not None]

    def is_pipeline_code(self, info: ModuleInfo) -> bool:
        """A Python module that belongs to the project's ML code (not tests, docs, examples, tooling)."""
        if info.is_notebook or self.kind(info.path) is not None:
            return False
        path = PurePosixPath(info.path)
        return path.name not in _NOT_PIPELINE_FILES and not _NOT_PIPELINE_DIRS.intersection(path.parts[:-1])

    def facts(self, path: str) -> AssertionFacts:
        """The assertion facts of a project module, from the index's syntax tree; a
        module that does not parse gives empty facts. Memoised for the run."""
        found = self._facts.get(path)
        if found is None:
            found = self._facts[path] = assertion_facts(self._tree(path))
        return found

    def _tree(self, path: str) -> ast.Module | None:
        tree = self.index.tree(path)
        if tree is not None or path in self.index.modules:
            return tree
        # A project file the index could not decode (e.g. a bad PEP 263 declaration):
        # read it as UTF-8, as ``ProjectContext.read_text`` does.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(self._read_text(path) or "")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def project_module(index: ProjectIndex, name: str, importer: ModuleInfo) -> ModuleInfo | None:
    """The project module an imported or called name lives in (``pkg.model.Net`` -> pkg/model.py)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        found = index.find_module(".".join(parts[:end]), importer)
        if found is not None:
            return found
    return None


def resolve_project_function(
    index: ProjectIndex, qualified: str, importer: ModuleInfo, hops: int = 3
) -> tuple[ModuleInfo, FunctionInfo] | None:
    """``index.resolve_function`` that also follows re-exports: a package's
    ``__init__`` importing the name from a submodule (``from .testing import helper``)."""
    for _ in range(hops + 1):
        found = index.resolve_function(qualified, importer)
        if found is not None:
            return found
        parts = qualified.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = index.find_module(".".join(parts[:split]), importer)
            if module is None:
                continue
            target = module.aliases.get(parts[split])
            if target is None:
                return None
            qualified, importer = ".".join([target, *parts[split + 1 :]]), module
            break
        else:
            return None
    return None


def reachable_modules(index: ProjectIndex, starts: Iterable[ModuleInfo]) -> set[str]:
    """Paths of project modules the *starts* import, directly or through other project modules."""
    seen: set[str] = set()
    frontier = list(starts)
    while frontier:
        current = frontier.pop()
        for name in _referenced_names(current):
            found = project_module(index, name, current)
            if found is not None and found.path not in seen:
                seen.add(found.path)
                frontier.append(found)
    return seen


def _referenced_names(info: ModuleInfo) -> set[str]:
    names = set(info.imports)
    names.update(site.name for site in info.toplevel_calls)
    names.update(site.name for function in info.functions.values() for site in function.calls)
    return names
