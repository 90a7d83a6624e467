"""The project's test suite: which modules are tests, what they reach, what they assert.

The testing rules (ML401-ML403, ML406) ask cross-module questions about the
tests: does pytest or unittest collect this file and does it define a test,
do the tests import the ML code (directly or through other project modules),
which project classes does a test class inherit from, does a helper a test
calls in another module assert. ``TestSuite`` answers them once per run for every
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
- ``hierarchy`` visits each class of a hierarchy once and resolves each base
  once (``ProjectIndex.find_module`` per dotted prefix, re-exports followed up
  to three times); it is memoised per class, so a run pays it once for every
  class whose inherited methods a test calls;
- ``is_test_module`` reads the index once per module (memoised);
- ``reachable_modules`` visits each project module at most once: O(M x names
  referenced per module x the cost of ``ProjectIndex.find_module``).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TypeVar

from mllint.analysis.assertions import (
    AssertionFacts,
    ClassFacts,
    assertion_facts,
    indexed_test_names,
)
from mllint.engine.context import Analysis, ProjectContext
from mllint.engine.findings import Reach
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
_T = TypeVar("_T")


@dataclass(frozen=True)
class ClassRef:
    """A class of a project module, with its facts."""

    module: ModuleInfo
    facts: ClassFacts


@dataclass
class Hierarchy:
    """A class and the classes it inherits from, across the project's modules."""

    classes: list[ClassRef] = field(default_factory=list)
    """The class itself first, then its bases, breadth first (an approximation of the MRO)."""
    outside: list[tuple[ModuleInfo, str]] = field(default_factory=list)
    """Bases that are not project classes, qualified through the imports where possible
    (``unittest.TestCase``, ``somelib.testing.ModelTester``), with the module of the
    class that names them."""


class TestSuite(Analysis):
    """Where a project's tests are and what their modules assert, computed once per run."""

    __test__ = False  # a class named Test*, not a test class: pytest must not collect it
    name = "test-suite"
    #: which files are tests and how pytest collects them (the file list, pytest's
    #: configuration and conftest.py files), and the helpers tests import
    reads = Reach.IMPORTS | Reach.SETTINGS

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
        self._with_tests: dict[str, bool] = {}
        self._hierarchies: dict[tuple[str, str], Hierarchy] = {}

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

    def is_test_module(self, info: ModuleInfo) -> bool:
        """A module pytest or unittest would collect that defines a test (or cannot be
        read, and may well define one). A script named ``test*.py`` without a test
        function (``test.py`` that evaluates a model) is not a test: it neither counts
        as testing the code it imports nor makes the project one with tests."""
        if info.is_notebook:
            return False
        kind = self.kind(info.path)
        if kind is None:
            return False
        if info.path not in self._with_tests:
            source = None if kind else self.index.source(info.path) or self._read_text(info.path)
            self._with_tests[info.path] = info.parse_failed or bool(
                indexed_test_names(info, self.settings, kind, source)
            )
        return self._with_tests[info.path]

    def test_modules(self) -> list[ModuleInfo]:
        """The indexed Python modules that define tests pytest or unittest would collect."""
        return [m for m in self.index.modules.values() if self.is_test_module(m)]

    def is_pipeline_code(self, info: ModuleInfo) -> bool:
        """A Python module that belongs to the project's ML code (not tests, docs, examples, tooling)."""
        if info.is_notebook or self.is_test_module(info):
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

    def hierarchy(self, module: ModuleInfo, qualname: str) -> Hierarchy:
        """The class *qualname* of *module* and its bases: those defined in the module,
        and those imported from other project modules (``from tests.base import Base``,
        ``from .common import Mixin``, re-exports included), followed through their own
        bases. Memoised for the run."""
        key = (module.path, qualname)
        found = self._hierarchies.get(key)
        if found is None:
            found = self._hierarchies[key] = self._walk_hierarchy(module, qualname)
        return found

    def _walk_hierarchy(self, module: ModuleInfo, qualname: str) -> Hierarchy:
        hierarchy = Hierarchy()
        pending = [(module, qualname)]
        seen: set[tuple[str, str]] = set()
        while pending:
            current, name = pending.pop(0)
            if (current.path, name) in seen:
                continue
            seen.add((current.path, name))
            facts = self.facts(current.path).classes.get(name)
            if facts is None:
                continue
            hierarchy.classes.append(ClassRef(current, facts))
            for base in facts.bases:
                if base in self.facts(current.path).classes:
                    pending.append((current, base))
                    continue
                qualified = current.qualify(base) or base
                resolved = resolve_project_name(self.index, qualified, current, self._class_named)
                if resolved is None:
                    hierarchy.outside.append((current, qualified))
                else:
                    pending.append(resolved)
        return hierarchy

    def _class_named(self, module: ModuleInfo, name: str) -> str | None:
        return name if name in self.facts(module.path).classes else None

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
    def defined(module: ModuleInfo, name: str) -> FunctionInfo | None:
        # A class called as a function: its __init__ runs.
        return module.functions.get(name) or module.functions.get(f"{name}.__init__")

    return resolve_project_name(index, qualified, importer, defined, hops)


def resolve_project_name(
    index: ProjectIndex,
    qualified: str,
    importer: ModuleInfo,
    defined: Callable[[ModuleInfo, str], _T | None],
    hops: int = 3,
) -> tuple[ModuleInfo, _T] | None:
    """The project module defining a qualified name and what *defined* finds for the
    rest of the name in it (``pkg.mod.Class.method`` -> pkg/mod.py and ``Class.method``).

    The longest prefix that names a project module is the module; when it does not
    define the rest, a package's re-export of it (``from .sub import name`` in
    ``__init__``) is followed, up to *hops* times.
    """
    for _ in range(hops + 1):
        parts = qualified.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = index.find_module(".".join(parts[:split]), importer)
            if module is None:
                continue
            found = defined(module, ".".join(parts[split:]))
            if found is not None:
                return module, found
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
