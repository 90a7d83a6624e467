"""Which files and functions are tests, found the way pytest and unittest find them.

The testing rules (ML401-ML403) must agree with the test runner: a file pytest
never collects is not a test, however it is named, and a test pytest runs is
judged even when it lives in an unusual place. So discovery follows pytest's
own settings - ``python_files``, ``python_classes``, ``python_functions``,
``testpaths`` and ``norecursedirs`` from the first of ``pytest.ini``,
``.pytest.ini``, ``pyproject.toml``, ``tox.ini``, ``setup.cfg`` at the project
root that configures pytest - plus what ``python -m unittest discover`` loads
(``test*.py`` files with ``TestCase`` classes).

The second half describes one test module's functions and classes as plain
facts (does a function assert directly, which calls does it make) so that the
rules can decide, across modules, whether a test can ever fail.
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import PurePosixPath

from mllint.project.index import ModuleInfo, dotted_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# --------------------------------------------------------------- pytest settings

_DEFAULT_NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")
_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
_INI_SECTIONS = {"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest", "setup.cfg": "tool:pytest"}


@dataclass(frozen=True)
class PytestSettings:
    """The collection settings pytest would use for the project."""

    python_files: tuple[str, ...] = ("test_*.py", "*_test.py")
    python_classes: tuple[str, ...] = ("Test",)
    python_functions: tuple[str, ...] = ("test",)
    testpaths: tuple[str, ...] = ()
    norecursedirs: tuple[str, ...] = _DEFAULT_NORECURSE
    source: str | None = None
    """The configuration file the settings came from (None: pytest's defaults)."""


def read_pytest_settings(files: Iterable[str], read: Callable[[str], str | None]) -> PytestSettings:
    """Settings from the first root-level file that configures pytest, as pytest picks it.

    ``pytest.ini`` wins even without a ``[pytest]`` section; the others count
    only when they hold pytest's section (``[tool.pytest.ini_options]``,
    ``[pytest]``, ``[tool:pytest]``). Unreadable or malformed files are skipped.
    """
    present = set(files)
    texts = tuple((name, read(name) or "") for name in _CONFIG_FILES if name in present)
    return _settings_from(texts)


@lru_cache(maxsize=64)
def _settings_from(texts: tuple[tuple[str, str], ...]) -> PytestSettings:
    for name, text in texts:
        options = _toml_options(text) if name == "pyproject.toml" else _ini_options(name, text)
        if options is not None:
            return _settings(options, name)
    return PytestSettings()


def _toml_options(text: str) -> dict[str, list[str]] | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None
    tool = data.get("tool")
    pytest_table = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(pytest_table, dict):
        return None
    # pytest < 9 reads [tool.pytest.ini_options]; pytest 9 also reads [tool.pytest] itself.
    table = pytest_table.get("ini_options", pytest_table)
    if not isinstance(table, dict):
        return None
    options: dict[str, list[str]] = {}
    for key, value in table.items():
        if isinstance(value, str):
            options[key] = _split_args(value)
        elif isinstance(value, list):
            options[key] = [item for item in value if isinstance(item, str)]
    return options


def _ini_options(name: str, text: str) -> dict[str, list[str]] | None:
    section = _INI_SECTIONS[name]
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {} if name.endswith("pytest.ini") else None
    if not parser.has_section(section):
        return {} if name.endswith("pytest.ini") else None
    return {key: _split_args(value) for key, value in parser.items(section)}


def _split_args(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def _settings(options: dict[str, list[str]], source: str) -> PytestSettings:
    defaults = PytestSettings()

    def pick(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = options.get(key)
        return tuple(value) if value else default

    testpaths = tuple(p.strip("/").removeprefix("./") for p in options.get("testpaths", []) if p.strip("/."))
    return PytestSettings(
        python_files=pick("python_files", defaults.python_files),
        python_classes=pick("python_classes", defaults.python_classes),
        python_functions=pick("python_functions", defaults.python_functions),
        testpaths=testpaths,
        norecursedirs=pick("norecursedirs", defaults.norecursedirs),
        source=source,
    )


# ------------------------------------------------------------------ test files

_GLOB = re.compile(r"[*?\[]")


def matches_prefix_or_glob(name: str, patterns: Iterable[str]) -> bool:
    """pytest's rule for ``python_classes``/``python_functions``: a prefix, or a glob."""
    return any(name.startswith(p) or (_GLOB.search(p) is not None and fnmatchcase(name, p)) for p in patterns)


def _matches_python_files(path: str, patterns: Iterable[str]) -> bool:
    """pytest's ``fnmatch_ex``: patterns without ``/`` match the base name only."""
    name = PurePosixPath(path).name
    return any(fnmatchcase(path, f"*/{p}") or fnmatchcase(path, p) if "/" in p else fnmatchcase(name, p)
               for p in patterns)


def _in_skipped_directory(path: str, norecursedirs: tuple[str, ...]) -> bool:
    return any(fnmatchcase(part, pattern) for part in PurePosixPath(path).parts[:-1] for pattern in norecursedirs)


def _under(path: str, testpath: str) -> bool:
    if _GLOB.search(testpath):
        parts = PurePosixPath(path).parts
        return any(fnmatchcase("/".join(parts[:n]), testpath) for n in range(1, len(parts) + 1))
    return path == testpath or path.startswith(testpath + "/")


def effective_testpaths(settings: PytestSettings, files: Iterable[str]) -> tuple[str, ...]:
    """``testpaths`` that name something in the project; pytest ignores the rest,
    and falls back to the whole project when none matches."""
    paths = list(files)
    return tuple(tp for tp in settings.testpaths if any(_under(f, tp) for f in paths))


def is_pytest_file(path: str, settings: PytestSettings, testpaths: tuple[str, ...] = ()) -> bool:
    """Whether ``pytest`` (run at the root without arguments) would collect *path*."""
    if not path.endswith(".py") or PurePosixPath(path).name == "conftest.py":
        return False
    if _in_skipped_directory(path, settings.norecursedirs):
        return False
    if testpaths and not any(_under(path, tp) for tp in testpaths):
        return False
    return _matches_python_files(path, settings.python_files)


def is_unittest_file(path: str) -> bool:
    """Whether ``python -m unittest discover`` would import *path* (pattern ``test*.py``)."""
    return fnmatchcase(PurePosixPath(path).name, "test*.py") and not _in_skipped_directory(path, _DEFAULT_NORECURSE)


def conftest_paths(path: str, files: Iterable[str]) -> list[str]:
    """The ``conftest.py`` files whose fixtures a test at *path* sees, nearest first."""
    present = set(files)
    folder = PurePosixPath(path).parent
    candidates = [folder / "conftest.py", *(parent / "conftest.py" for parent in folder.parents)]
    return [c.as_posix() for c in candidates if c.as_posix() in present]


def indexed_test_names(info: ModuleInfo, settings: PytestSettings, pytest_file: bool, source: str | None) -> list[str]:
    """Test functions of an indexed module (qualnames), decided from the index alone.

    A cheap answer for "does the project have tests": a pytest file's
    functions and methods named like tests (in classes without ``__init__``),
    and ``test*`` methods in a ``unittest`` file that mentions ``TestCase``.
    """
    names = []
    classes_with_init = {q.rsplit(".", 1)[0] for q in info.functions if q.endswith(".__init__")}
    unittest_style = source is not None and "TestCase" in source
    for qualname in info.functions:
        owner, _, name = qualname.rpartition(".")
        if pytest_file and matches_prefix_or_glob(name, settings.python_functions):
            if not owner or owner not in classes_with_init or unittest_style:
                names.append(qualname)
        elif owner and unittest_style and name.startswith("test"):
            names.append(qualname)
    return names


# --------------------------------------------------------- module facts (ast)

PYTEST_ASSERTIONS = frozenset({"pytest.raises", "pytest.warns", "pytest.deprecated_call", "pytest.fail", "pytest.approx"})
_ASSERTION_LIBRARIES = ("pytest_check.", "approvaltests.")
_CHECKING_NAME = re.compile(r"(?:^|_)(?:check|verify|validate|expect|ensure)(?!point)|check$", re.IGNORECASE)
"""Names of helpers from outside the project that, by convention, raise when a check fails
(``check_estimator``, ``gradcheck``, ``verify_output``); ``checkpoint`` is not one."""


@dataclass(frozen=True)
class CallFact:
    """A call inside a function: its dotted callee text (``self.check``, ``np.testing.x``)."""

    dotted: str
    line: int


@dataclass
class FunctionFacts:
    """One function or method (nested definitions count as part of it)."""

    key: str  # "f" or "Class.method" (nested classes: "Outer.Inner.method")
    line: int
    column: int
    owner: str | None  # the class qualname for methods
    params: tuple[str, ...]
    direct: bool  # asserts by itself: assert, raise, an assertion call
    calls: list[CallFact] = field(default_factory=list)
    references: list[CallFact] = field(default_factory=list)
    """Names read but not called: a function passed on to be called
    (``mp.spawn(check_fn)``, ``launcher(script.main)``) runs as part of the test."""
    is_fixture: bool = False
    fixture_name: str | None = None


@dataclass
class ClassFacts:
    qualname: str
    bases: tuple[str, ...]  # dotted text of each base
    methods: tuple[str, ...]


@dataclass
class ModuleFacts:
    """The functions and classes of one module, and which of them assert."""

    functions: dict[str, FunctionFacts]
    classes: dict[str, ClassFacts]
    aliases: dict[str, str]
    parse_failed: bool = False
    asserting: frozenset[str] = frozenset()
    """Keys of functions that assert directly or through another function of the module."""

    @property
    def fixtures(self) -> dict[str, FunctionFacts]:
        return {f.fixture_name or f.key: f for f in self.functions.values() if f.is_fixture and f.owner is None}

    def asserting_methods(self) -> set[str]:
        """Short names of methods that assert (for calls on objects of unknown type)."""
        return {key.rsplit(".", 1)[1] for key in self.asserting if "." in key}

    def class_chain(self, qualname: str) -> list[ClassFacts]:
        """The class and its bases defined in this module, nearest first."""
        chain: list[ClassFacts] = []
        pending = [qualname]
        while pending:
            name = pending.pop(0)
            facts = self.classes.get(name)
            if facts is None or facts in chain:
                continue
            chain.append(facts)
            pending.extend(facts.bases)
        return chain

    def external_bases(self, qualname: str) -> list[str]:
        """Bases in the class chain that are not classes of this module (dotted text)."""
        return [base for facts in self.class_chain(qualname) for base in facts.bases if base not in self.classes]


def is_testcase_base(dotted: str) -> bool:
    """A base class name that makes a ``unittest``-style test case (``unittest.TestCase``,
    ``tf.test.TestCase``, ``absltest.TestCase``, Django's ``SimpleTestCase``...)."""
    return "TestCase" in dotted.rsplit(".", 1)[-1]


def is_assertion_call(call: ast.Call, qualify: Callable[[str], str | None]) -> bool:
    """A call that fails the test on wrong results: ``assert*``/``fail`` methods,
    ``pytest.raises``/``warns``/``fail``/``approx``, numpy/pandas/torch testing
    helpers, mock assertions, pytest-check, pytest-regressions fixtures."""
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if last is None:
        return False
    bare = last.lstrip("_")
    if bare.lower().startswith("assert"):
        return True
    dotted = dotted_name(func)
    if dotted is None:
        return False
    root = dotted.split(".", 1)[0]
    if root in ("self", "cls") and bare.startswith("fail"):
        return True
    if last == "check" and root.endswith("regression") and "." in dotted:
        return True  # pytest-regressions: data_regression.check(...)
    qualified = qualify(dotted)
    if qualified is None:
        return False
    if qualified.rsplit(".", 1)[-1].lstrip("_").lower().startswith("assert"):
        return True  # imported under another name: `from numpy.testing import assert_equal as same`
    return qualified in PYTEST_ASSERTIONS or qualified.startswith(_ASSERTION_LIBRARIES)


_NOT_FAILURES = re.compile(r"NotImplementedError$|SkipTest$|Skipped$|skip\.Exception$")


def raises_a_failure(node: ast.Raise) -> bool:
    """A ``raise`` that fails the test on purpose. A bare re-raise only passes
    an error on, ``NotImplementedError`` marks a stub and ``SkipTest`` skips."""
    if node.exc is None:
        return False
    target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    name = dotted_name(target)
    return name is None or _NOT_FAILURES.search(name) is None


def has_checking_name(dotted: str) -> bool:
    return _CHECKING_NAME.search(dotted.rsplit(".", 1)[-1].lstrip("_")) is not None


def module_facts(source: str) -> ModuleFacts:
    """Facts for *source*; a module that does not parse gives empty facts."""
    return _module_facts(source)


@lru_cache(maxsize=256)
def _module_facts(source: str) -> ModuleFacts:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ModuleFacts({}, {}, {}, parse_failed=True)
    try:
        return _Collector(tree).facts()
    except RecursionError:
        return ModuleFacts({}, {}, {}, parse_failed=True)


def _aliases(tree: ast.Module) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                head = alias.name.split(".", 1)[0]
                aliases[alias.asname or head] = alias.name if alias.asname else head
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _is_fixture(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[bool, str | None]:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        dotted = dotted_name(target) or ""
        if dotted.rsplit(".", 1)[-1] == "fixture":
            name = None
            if isinstance(decorator, ast.Call):
                for keyword in decorator.keywords:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                        name = keyword.value.value
            return True, name
    return False, None


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    args = function.args
    return tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])


class _Collector:
    """Walks a module's top level, classes (also nested) and the statements
    that define things conditionally (``if``/``try``/``with`` blocks)."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.aliases = _aliases(tree)
        self.functions: dict[str, FunctionFacts] = {}
        self.classes: dict[str, ClassFacts] = {}

    def facts(self) -> ModuleFacts:
        self._body(self.tree.body, None)
        facts = ModuleFacts(self.functions, self.classes, self.aliases)
        facts.asserting = _local_closure(facts)
        return facts

    def _body(self, statements: list[ast.stmt], owner: str | None) -> None:
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._function(statement, owner)
            elif isinstance(statement, ast.ClassDef):
                qualname = f"{owner}.{statement.name}" if owner else statement.name
                bases = tuple(d for d in map(dotted_name, statement.bases) if d is not None)
                methods = tuple(s.name for s in statement.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
                self.classes[qualname] = ClassFacts(qualname, bases, methods)
                self._body(statement.body, qualname)
            elif isinstance(statement, (ast.If, ast.Try, ast.With, ast.AsyncWith)):
                for block in ("body", "orelse", "finalbody"):
                    self._body(getattr(statement, block, []), owner)
                for handler in getattr(statement, "handlers", []):
                    self._body(handler.body, owner)

    def _function(self, function: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None) -> None:
        key = f"{owner}.{function.name}" if owner else function.name
        is_fixture, fixture_name = _is_fixture(function)
        facts = FunctionFacts(key, function.lineno, function.col_offset + 1, owner, _parameters(function),
                              direct=False, is_fixture=is_fixture, fixture_name=fixture_name)
        qualify = self._qualify
        called: set[int] = set()
        for node in (n for statement in function.body for n in ast.walk(statement)):
            if isinstance(node, ast.Assert) or (isinstance(node, ast.Raise) and raises_a_failure(node)):
                facts.direct = True
            elif isinstance(node, ast.Call):
                if is_assertion_call(node, qualify):
                    facts.direct = True
                dotted = dotted_name(node.func)
                if dotted is not None:
                    facts.calls.append(CallFact(dotted, node.lineno))
                called.add(id(node.func))
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                if isinstance(node, ast.Attribute):
                    called.add(id(node.value))  # only the whole chain `mod.fn` is a reference
                dotted = dotted_name(node) if id(node) not in called else None
                if dotted is not None:
                    facts.references.append(CallFact(dotted, node.lineno))
        self.functions[key] = facts

    def _qualify(self, dotted: str) -> str | None:
        head, _, rest = dotted.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target


def local_targets(facts: ModuleFacts, function: FunctionFacts, call: CallFact) -> list[str]:
    """Functions of the same module a call may run: ``f()``, ``self.m()``/``cls.m()``
    through the class and its local bases, ``Class.m()``."""
    head, _, rest = call.dotted.partition(".")
    if not rest:
        return [head] if head in facts.functions and facts.functions[head].owner is None else []
    if head in ("self", "cls") and function.owner and "." not in rest:
        return [f"{c.qualname}.{rest}" for c in facts.class_chain(function.owner) if rest in c.methods][:1]
    if call.dotted in facts.functions:
        return [call.dotted]
    return []


def _local_closure(facts: ModuleFacts) -> frozenset[str]:
    """Functions asserting directly, through a module-local callee, or through a
    call to something outside the module whose name says it checks."""
    asserting = {
        f.key for f in facts.functions.values()
        if f.direct or any(has_checking_name(c.dotted) and not local_targets(facts, f, c) for c in f.calls)
    }
    changed = True
    while changed:
        changed = False
        for function in facts.functions.values():
            if function.key in asserting:
                continue
            runs = [*function.calls, *function.references]
            if any(t in asserting for call in runs for t in local_targets(facts, function, call)):
                asserting.add(function.key)
                changed = True
    return frozenset(asserting)


def find_test_functions(facts: ModuleFacts, settings: PytestSettings, pytest_file: bool) -> Iterator[FunctionFacts]:
    """The module's test functions as pytest (*pytest_file*) or unittest would run them.

    pytest: module-level functions matching ``python_functions``; methods
    matching it in classes without ``__init__`` (test classes, and the mixins
    and base classes they inherit tests from); ``test*`` methods of
    ``TestCase`` classes. unittest: ``test*`` methods of ``TestCase`` classes.
    """
    for function in facts.functions.values():
        name = function.key.rsplit(".", 1)[-1]
        if function.owner is None:
            if pytest_file and matches_prefix_or_glob(name, settings.python_functions) and not function.is_fixture:
                yield function
            continue
        testcase = any(is_testcase_base(b) for b in facts.external_bases(function.owner))
        if testcase and name.startswith("test"):
            yield function
        elif pytest_file and not testcase and matches_prefix_or_glob(name, settings.python_functions):
            if "__init__" not in facts.classes[function.owner].methods and not function.is_fixture:
                yield function
