"""Assertion facts: which functions of a module are tests, and which of them can fail.

A test that asserts nothing passes whatever the code returns (ML403), and "does
the project have tests at all" (ML401) depends on the same notion of a test
function. Both need facts that one file's syntax cannot settle alone - a test
may assert through a helper of its module, a fixture in ``conftest.py`` or a
method of a base class in another module - so this module describes one
module's functions and classes as plain facts (does a function assert
directly, which calls does it make - ``super().m()`` included - which names
does it pass on, its ``parametrize`` values among them; is it, its class or
the module skipped unconditionally) and closes them over the module's own
helpers. Following calls *across* modules is left to the caller, which holds
the facts of every module it visits (``mllint.analysis.test_suite.TestSuite.facts``
and ``.hierarchy``).

It lives in the analysis layer because it is reasoning that rules share, built
on project facts (the pytest settings of ``mllint.project.pytest_config``, the
index's syntax trees): it reports nothing and holds no state between calls.

Cost, per module (nothing depends on the number of files in the project):
``assertion_facts`` walks the module's tree at most once, O(nodes) time, and
keeps O(functions + calls) memory. Imports and ``self.x = ...`` assignments are
statements, so only the statements are walked for them; each function body is
walked breadth first without its leaves (``mllint.syntax.ast_walks``) and only
up to its first assertion, which tests mostly make in their top-level
statements, so the whole body is walked only for functions that assert nothing
directly (helpers, fixtures, the tests ML403 looks for). The module-local
closure is a fixed point that adds at least one function per round, so
O(functions x calls) time in the worst case - test modules have tens of
functions, so it never shows. Callers that ask
for every test module pay O(total nodes) once, if they memoise the facts (the
``TestSuite`` analysis does). ``indexed_test_names`` reads only the index:
O(functions of the module).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from mllint.project.index import ModuleInfo, dotted_name, qualify
from mllint.project.pytest_config import PytestSettings, matches_prefix_or_glob
from mllint.syntax import ast_walks

PYTEST_ASSERTIONS = frozenset({"pytest.raises", "pytest.warns", "pytest.deprecated_call", "pytest.fail", "pytest.approx"})
_ASSERTION_LIBRARIES = ("pytest_check.", "approvaltests.")
_CHECKING_NAME = re.compile(r"(?:^|_)(?:check|verify|validate|expect|ensure)(?!point)|check$", re.IGNORECASE)
"""Names of helpers from outside the project that, by convention, raise when a check fails
(``check_estimator``, ``gradcheck``, ``verify_output``); ``checkpoint`` is not one."""


# ----------------------------------------------------------- tests in the index


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


# ------------------------------------------------------------- the facts (ast)


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
    """What it calls, in ``ast.walk`` order; empty when it asserts directly, as
    nothing then depends on what else it runs."""
    references: list[CallFact] = field(default_factory=list)
    """Names read but not called: a function passed on to be called
    (``mp.spawn(check_fn)``, ``launcher(script.main)``) runs as part of the test.
    Empty, as ``calls``, when it asserts directly."""
    is_fixture: bool = False
    fixture_name: str | None = None
    skipped: bool = False
    """Never runs to completion: a ``skip`` decorator, or a statement of its body
    that always skips (``pytest.skip(...)``, ``self.skipTest(...)``, ``pytest.xfail(...)``)."""
    returns_value: bool = False
    """Returns a value: a helper named like a test (``testing_data_config()``), as
    pytest itself warns when a test returns anything but None."""
    empty: bool = False
    """Its body does nothing (``pass``, ``...``, a docstring): a placeholder, often a
    test class opting out of a test it inherits (``def test_jit(self): pass  # not
    applicable``). It runs no code, so no result goes unchecked."""
    dropped_comparison: int | None = None
    """The line of the first comparison made as a statement (``out.shape == (2, 3)``
    without ``assert``), in a function that asserts nothing directly: a check meant
    and lost."""


@dataclass
class ClassFacts:
    qualname: str
    bases: tuple[str, ...]  # dotted text of each base
    methods: tuple[str, ...]
    skipped: bool = False  # a skip decorator, or ``pytestmark = pytest.mark.skip`` in its body
    attributes: dict[str, str] = field(default_factory=dict)
    """``self.name = dotted`` in its methods: a module or function kept on the instance
    (``self.script = test_metrics`` in ``setUp``), by attribute name."""


@dataclass
class AssertionFacts:
    """The functions and classes of one module, and which of them assert."""

    functions: dict[str, FunctionFacts]
    classes: dict[str, ClassFacts]
    aliases: dict[str, str]
    parse_failed: bool = False
    asserting: frozenset[str] = frozenset()
    """Keys of functions that assert directly or through another function of the module."""
    module_skipped: bool = False
    """``pytestmark = pytest.mark.skip`` or an unconditional ``pytest.skip`` at the top level."""

    @property
    def fixtures(self) -> dict[str, FunctionFacts]:
        return {f.fixture_name or f.key: f for f in self.functions.values() if f.is_fixture and f.owner is None}

    def asserting_methods(self) -> set[str]:
        """Short names of methods that assert (for calls on objects of unknown type)."""
        return {key.rsplit(".", 1)[1] for key in self.asserting if "." in key}

    def never_runs(self, function: FunctionFacts) -> bool:
        """Whether the test is skipped whatever happens: by itself, by its class or a
        base class of the module (pytest marks and ``unittest.skip`` are inherited),
        or with the whole module. Conditional skips (``skipif``) do not count."""
        if function.skipped or self.module_skipped:
            return True
        return function.owner is not None and any(c.skipped for c in self.class_chain(function.owner))

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
    helpers, mock assertions, pytest-check, pytest-regressions fixtures; a call
    that asks its callee to check (``subprocess.run(cmd, check=True)``,
    ``convert_to_torchscript(net, verify=True)``): it raises when the check fails;
    or one that turns warnings into errors (``warnings.simplefilter("error")``):
    the test then checks that the code warns of nothing."""
    return _is_assertion_function(call.func, qualify, imported_only=False) or _makes_warnings_errors(call, qualify) or any(
        keyword.arg is not None and _CHECKING_NAME.search(keyword.arg) is not None
        and isinstance(keyword.value, ast.Constant) and keyword.value.value is True
        for keyword in call.keywords
    )


_WARNING_FILTERS = frozenset({"warnings.simplefilter", "warnings.filterwarnings", "pytest.mark.filterwarnings"})


def _makes_warnings_errors(call: ast.Call, qualify: Callable[[str], str | None]) -> bool:
    """``warnings.simplefilter("error")``, ``warnings.filterwarnings("error", ...)`` or, as
    a test's decorator, ``pytest.mark.filterwarnings("error::UserWarning")``: a warning
    the filter matches fails the test. A filter set for the whole suite (pytest's
    ``filterwarnings`` setting, ``pytestmark``) is the suite's policy, not a check a test makes."""
    dotted = dotted_name(call.func)
    if dotted is None or qualify(dotted) not in _WARNING_FILTERS:
        return False
    action = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "action"), None)
    return isinstance(action, ast.Constant) and isinstance(action.value, str) and action.value.startswith("error")


def _expects_an_exception(decorator: ast.Call, qualify: Callable[[str], str | None]) -> bool:
    """``@pytest.mark.xfail(raises=ValueError)`` on a test: any other outcome than that
    exception fails it (another exception) or reports it as passing unexpectedly,
    like ``pytest.raises`` written as a mark."""
    dotted = dotted_name(decorator.func)
    return dotted is not None and qualify(dotted) == "pytest.mark.xfail" and any(
        keyword.arg == "raises" for keyword in decorator.keywords
    )


def is_assertion_reference(node: ast.expr, qualify: Callable[[str], str | None]) -> bool:
    """An assertion function passed on rather than called (``partial(pytest.raises, ...)``,
    ``map(np.testing.assert_equal, a, b)``, ``checker = self.assertEqual``): it runs, so it
    checks. Only imported names and ``self``/``cls`` methods: a local variable that happens
    to be called ``assert_ok`` is a value, not a check."""
    return _is_assertion_function(node, qualify, imported_only=True)


def _is_assertion_function(func: ast.expr, qualify: Callable[[str], str | None], imported_only: bool) -> bool:
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if last is None:
        return False
    dotted = dotted_name(func)
    root = dotted.split(".", 1)[0] if dotted else None
    qualified = qualify(dotted) if dotted else None
    if imported_only and qualified is None and root not in ("self", "cls"):
        return False
    bare = last.lstrip("_")
    if bare.lower().startswith("assert"):
        return True
    if dotted is None or root is None:
        return False
    if root in ("self", "cls") and bare.startswith("fail"):
        return True
    if last == "check" and root.endswith("regression") and "." in dotted:
        return True  # pytest-regressions: data_regression.check(...)
    if qualified is None:
        return False
    if qualified.rsplit(".", 1)[-1].lstrip("_").lower().startswith("assert"):
        return True  # imported under another name: `from numpy.testing import assert_equal as same`
    return qualified in PYTEST_ASSERTIONS or qualified.startswith(_ASSERTION_LIBRARIES)


_SKIP_EXCEPTIONS = re.compile(r"SkipTest$|Skipped$|skip\.Exception$")


def raises_a_failure(node: ast.Raise) -> bool:
    """A ``raise`` that fails the test on purpose. A bare re-raise only passes
    an error on, ``NotImplementedError`` marks a stub and ``SkipTest`` skips."""
    name = _raised_name(node)
    if name is None:
        return True
    return name != "" and not name.endswith("NotImplementedError") and _SKIP_EXCEPTIONS.search(name) is None


def _raised_name(node: ast.Raise) -> str | None:
    """The dotted name of what a ``raise`` raises; "" for a bare re-raise, None when not a name."""
    if node.exc is None:
        return ""
    return dotted_name(node.exc.func if isinstance(node.exc, ast.Call) else node.exc)


# ------------------------------------------------------------- skipped tests

_SKIP_MARKS = frozenset({"pytest.mark.skip", "unittest.skip", "unittest.case.skip"})
_SKIP_CALLS = frozenset({"pytest.skip", "pytest.xfail"})
"""Imperative skips: they raise at once, so the test ends skipped (or xfailed), never passed."""
_SKIP_METHODS = frozenset({"self.skipTest", "cls.skipTest"})


def _is_skip_mark(node: ast.expr, qualify: Callable[[str], str | None], marks: set[str]) -> bool:
    """A decorator or ``pytestmark`` value that always skips: ``pytest.mark.skip``,
    ``unittest.skip(...)``, ``pytest.mark.xfail(run=False)``, a module-level name bound to
    one, or a list of marks holding one. ``skipif`` and ``xfail`` (which runs) do not."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_skip_mark(item, qualify, marks) for item in node.elts)
    target = node.func if isinstance(node, ast.Call) else node
    dotted = dotted_name(target)
    if dotted is None:
        return False
    if dotted in marks:
        return True
    qualified = qualify(dotted)
    if qualified in _SKIP_MARKS:
        return True
    return qualified == "pytest.mark.xfail" and isinstance(node, ast.Call) and any(
        k.arg == "run" and isinstance(k.value, ast.Constant) and k.value.value is False for k in node.keywords
    )


def _always_skips(statements: list[ast.stmt], qualify: Callable[[str], str | None]) -> bool:
    """Whether running *statements* always ends in a skip: one of them (at their own
    level, not inside a loop, ``try`` or ``with``) skips, or is an ``if`` whose every
    branch always skips. A skip under a condition leaves the test to be judged."""
    for statement in statements:
        if isinstance(statement, ast.If):
            if statement.orelse and _always_skips(statement.body, qualify) and _always_skips(statement.orelse, qualify):
                return True
        elif isinstance(statement, ast.Raise):
            name = _raised_name(statement)
            if name and _SKIP_EXCEPTIONS.search(name):
                return True
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            dotted = dotted_name(statement.value.func)
            if dotted in _SKIP_METHODS or (dotted is not None and qualify(dotted) in _SKIP_CALLS):
                return True
    return False


_PARAMETRIZE = frozenset({"parametrize", "parameterize", "expand", "parameters", "named_parameters"})
"""Decorators whose arguments are the test's inputs (pytest, parameterized, absl)."""


def _parametrize_arguments(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    arguments: list[ast.expr] = []
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and (dotted_name(decorator.func) or "").rsplit(".", 1)[-1] in _PARAMETRIZE:
            arguments.extend([*decorator.args, *(k.value for k in decorator.keywords)])
    return arguments


def callee_text(node: ast.expr) -> str | None:
    """The dotted text of a called or referenced expression; ``super().name`` for a
    method reached through ``super()``; None for anything else (``f()()``, ``x[0]()``)."""
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "super"):
        return f"super().{node.attr}"
    return dotted_name(node)


def has_checking_name(dotted: str) -> bool:
    return _CHECKING_NAME.search(dotted.rsplit(".", 1)[-1].lstrip("_")) is not None


def assertion_facts(tree: ast.Module | None) -> AssertionFacts:
    """Facts for a module's tree; a module that did not parse (None) gives empty facts."""
    if tree is None:
        return AssertionFacts({}, {}, {}, parse_failed=True)
    try:
        return _Collector(tree).facts()
    except RecursionError:
        return AssertionFacts({}, {}, {}, parse_failed=True)


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> imported name, for recognising assertion helpers imported under
    another name (``from numpy.testing import assert_equal as same``).

    Deliberately not the index's ``ModuleInfo.aliases``: that table also resolves
    relative imports (``from .helpers import assert_close as same`` names a project
    function, which the caller judges by following it into its module, not by its
    name), keeps the first ``import a.b`` of a name where this keeps the last, and
    meets nested imports in another order. Using it would change which tests ML403
    reports.
    """
    aliases: dict[str, str] = {}
    for node in ast_walks.statements(tree.body):
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
        self.resolve = partial(qualify, self.aliases)
        self.functions: dict[str, FunctionFacts] = {}
        self.classes: dict[str, ClassFacts] = {}
        self.marks = _skip_mark_names(tree.body, self.resolve)

    def facts(self) -> AssertionFacts:
        self._body(self.tree.body, None)
        facts = AssertionFacts(self.functions, self.classes, self.aliases)
        facts.asserting = _local_closure(facts)
        facts.module_skipped = "pytestmark" in self.marks or _always_skips(self.tree.body, self.resolve)
        return facts

    def _body(self, statements: list[ast.stmt], owner: str | None) -> None:
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._function(statement, owner)
            elif isinstance(statement, ast.ClassDef):
                self._class(statement, owner)
            elif isinstance(statement, (ast.If, ast.Try, ast.With, ast.AsyncWith)):
                for block in ("body", "orelse", "finalbody"):
                    self._body(getattr(statement, block, []), owner)
                for handler in getattr(statement, "handlers", []):
                    self._body(handler.body, owner)

    def _class(self, node: ast.ClassDef, owner: str | None) -> None:
        qualname = f"{owner}.{node.name}" if owner else node.name
        bases = tuple(d for d in map(dotted_name, node.bases) if d is not None)
        methods = tuple(s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
        skipped = any(_is_skip_mark(d, self.resolve, self.marks) for d in node.decorator_list) or bool(
            {"pytestmark", "__unittest_skip__"} & _skip_mark_names(node.body, self.resolve, self.marks)
        )
        self.classes[qualname] = ClassFacts(qualname, bases, methods, skipped)
        self._body(node.body, qualname)

    def _function(self, function: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None) -> None:
        key = f"{owner}.{function.name}" if owner else function.name
        is_fixture, fixture_name = _is_fixture(function)
        skipped = _always_skips(function.body, self.resolve) or any(
            _is_skip_mark(d, self.resolve, self.marks) for d in function.decorator_list
        )
        facts = FunctionFacts(key, function.lineno, function.col_offset + 1, owner, _parameters(function),
                              direct=False, is_fixture=is_fixture, fixture_name=fixture_name, skipped=skipped,
                              returns_value=_returns_value(function.body), empty=_does_nothing(function.body))
        facts.direct = any(isinstance(d, ast.Call) and (_makes_warnings_errors(d, self.resolve)
                                                        or _expects_an_exception(d, self.resolve))
                           for d in function.decorator_list)
        self._scan(function.body, facts, calls=True)
        if not facts.direct:
            facts.dropped_comparison = next((
                statement.lineno for statement in ast_walks.statements(function.body)
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Compare)
            ), None)
        if owner is not None:
            _note_self_attributes(function, self.classes[owner].attributes)
        # A parametrised test runs what its parameters hold: `[_check_sum, _check_cat]`,
        # `pytest.raises(TypeError)` as the expected outcome.
        self._scan(_parametrize_arguments(function), facts, calls=False)
        self.functions[key] = facts

    def _scan(self, roots: list[ast.stmt] | list[ast.expr], facts: FunctionFacts, calls: bool) -> None:
        """Record what *roots* assert, call (if *calls*) and pass on, into *facts*.

        One walk per root, breadth first as ``ast.walk``, so calls and references
        keep their order. A function that asserts directly can fail whatever else
        it runs, so nothing asks what it calls: the walk stops at its first
        assertion (tests mostly assert in their top-level statements, which a
        breadth-first walk meets first) and its facts keep no calls or references."""
        if facts.direct:
            return
        called: set[int] = set()
        if any(self._record(node, facts, calls, called) for root in roots for node in ast_walks.without_leaves(root)):
            facts.direct = True
            facts.calls.clear()
            facts.references.clear()

    def _record(self, node: ast.AST, facts: FunctionFacts, calls: bool, called: set[int]) -> bool:
        """Whether *node* asserts; if it does not, the call (if *calls*) or the
        reference it makes is added to *facts*. *called* holds the ids of the
        callees and chain parts met so far, which are not references."""
        if isinstance(node, ast.Assert) or (isinstance(node, ast.Raise) and raises_a_failure(node)):
            return True
        if isinstance(node, ast.Call):
            if is_assertion_call(node, self.resolve):
                return True
            text = callee_text(node.func)
            if text is not None and calls:
                facts.calls.append(CallFact(text, node.lineno))
            called.add(id(node.func))
        elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            if isinstance(node, ast.Attribute):
                called.add(id(node.value))  # only the whole chain `mod.fn` is a reference
            text = callee_text(node) if id(node) not in called else None
            if text is not None:
                if is_assertion_reference(node, self.resolve):
                    return True
                facts.references.append(CallFact(text, node.lineno))
        return False


def _does_nothing(body: list[ast.stmt]) -> bool:
    """Whether the statements are all ``pass``, ``...`` or a string (a docstring)."""
    return all(
        isinstance(statement, ast.Pass)
        or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and (statement.value.value is Ellipsis or isinstance(statement.value.value, str)))
        for statement in body
    )


def _returns_value(body: list[ast.stmt]) -> bool:
    """Whether the statements (not functions or classes defined in them) return a value."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
        elif isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)))
    return False


def _note_self_attributes(function: ast.FunctionDef | ast.AsyncFunctionDef, attributes: dict[str, str]) -> None:
    """Record the ``self.name = dotted`` assignments of a method in *attributes*
    (dotted names only: what an import made available, not a computed value);
    where one is assigned twice, the one ``ast.walk`` of its statement meets last wins."""
    for node in (n for statement in function.body for n in ast_walks.statements([statement])):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], dotted_name(node.value)
            if (value is not None and isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == "self"):
                attributes[target.attr] = value


def _skip_mark_names(statements: list[ast.stmt], resolve: Callable[[str], str | None],
                     known: set[str] | None = None) -> set[str]:
    """Names the *statements* bind to a skip mark (``skip_gpu = pytest.mark.skip(...)``,
    ``pytestmark = [pytest.mark.skip]``, also through a name in *known*), or
    ``__unittest_skip__ = True``."""
    names: set[str] = set()
    for statement in statements:
        if not isinstance(statement, ast.Assign):
            continue
        targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        value = statement.value
        if _is_skip_mark(value, resolve, names | (known or set())) or (
            "__unittest_skip__" in targets and isinstance(value, ast.Constant) and value.value is True
        ):
            names.update(targets)
    return names


def local_targets(facts: AssertionFacts, function: FunctionFacts, call: CallFact) -> list[str]:
    """Functions of the same module a call may run: ``f()``, ``self.m()``/``cls.m()``
    through the class and its local bases, ``super().m()`` through the local bases,
    ``Class.m()``."""
    head, _, rest = call.dotted.partition(".")
    if not rest:
        return [head] if head in facts.functions and facts.functions[head].owner is None else []
    if head in ("self", "cls", "super()") and function.owner and "." not in rest:
        chain = facts.class_chain(function.owner)
        if head == "super()":
            chain = chain[1:]  # the bases, not the class itself
        return [f"{c.qualname}.{rest}" for c in chain if rest in c.methods][:1]
    if call.dotted in facts.functions:
        return [call.dotted]
    return []


def _local_closure(facts: AssertionFacts) -> frozenset[str]:
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


def find_test_functions(facts: AssertionFacts, settings: PytestSettings, pytest_file: bool) -> Iterator[FunctionFacts]:
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
        collectable = "__init__" not in facts.classes[function.owner].methods and not function.is_fixture
        pytest_method = pytest_file and not testcase and collectable and matches_prefix_or_glob(
            name, settings.python_functions
        )
        if (testcase and name.startswith("test")) or pytest_method:
            yield function
