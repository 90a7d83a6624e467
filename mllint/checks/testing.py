"""Testing and code-quality rules (ML401-ML406).

The earlier generation of ML linters only asked "is there a CI file?". These
rules ask what matters for regression safety: do tests exist, can they fail,
do they touch the ML code, does CI run them, and is the pipeline code in
importable modules rather than only in notebooks.

This module holds rules only: where the tests are and what their modules
assert are facts of the shared ``mllint.analysis.test_suite.TestSuite``
analysis (test discovery follows pytest, ``mllint.project.pytest_config``;
assertion facts come from ``mllint.analysis.assertions``), and CI follows the
commands down to the test runner (``mllint.project.ci``). ``_AssertionJudge``
stays here: it is ML403's policy for when a test "can fail" (how far calls are
followed, which library bases and unseen fixtures get the benefit of the
doubt), not a fact other rules build on.
"""

from __future__ import annotations

import builtins
import re
from pathlib import PurePosixPath

from mllint.analysis.assertions import (
    AssertionFacts,
    CallFact,
    FunctionFacts,
    find_test_functions,
    is_testcase_base,
    local_targets,
)
from mllint.analysis.test_suite import (
    TestSuite,
    project_module,
    reachable_modules,
    resolve_project_function,
)
from mllint.engine.context import ModuleContext, ProjectContext
from mllint.engine.findings import Severity
from mllint.engine.rules import ProjectRule, SourceRule
from mllint.project.ci import CIConfig, static_analysis_tools
from mllint.project.index import ML_LIBRARIES, ModuleInfo
from mllint.project.layout import OWN_CODE
from mllint.project.pytest_config import conftest_paths

# ------------------------------------------------------------------ shared helpers


def _has_tests(suite: TestSuite) -> bool:
    """Some module defines a test (or cannot be read, and may well define one)."""
    return any(suite.is_test_module(info) for info in suite.index.modules.values())


def _has_python(project: ProjectContext) -> bool:
    return bool(project.index.modules)


def _size(project: ProjectContext, path: str) -> int:
    return len(project.read_text(path) or "")


# ------------------------------------------------------------------------ ML401


class NoTests(ProjectRule):
    """A project without regression tests cannot tell when a change breaks the pipeline."""

    code = "ML401"
    name = "no-tests"
    severity = Severity.WARNING
    analyses = (TestSuite,)

    def check(self, project: ProjectContext) -> None:
        if not _has_python(project):
            return
        suite = project.analysis(TestSuite)
        if _has_tests(suite):
            return
        where = f" with the pytest settings in `{suite.settings.source}`" if suite.settings.source else ""
        project.report(
            self.code, ".",
            f"no tests found{where}: add regression tests for the data processing and model code "
            "(e.g. `tests/test_train.py` with test functions that assert)",
        )


# ------------------------------------------------------------------------ ML402


class MLCodeUntested(ProjectRule):
    """Tests that never import the model or data code guard everything but what matters."""

    code = "ML402"
    name = "ml-code-untested"
    severity = Severity.INFO
    ml_only = True
    analyses = (TestSuite,)

    def check(self, project: ProjectContext) -> None:
        index = project.index
        suite = project.analysis(TestSuite)
        tests = suite.test_modules()  # only modules that define tests: a `test.py` script is not one
        if not tests:
            return  # no tests at all: ML401 says so
        ml_modules = [m for m in index.modules.values() if m.uses_ml and suite.is_pipeline_code(m)]
        if not ml_modules:
            return
        conftests = [index.modules[p] for p in project.files if PurePosixPath(p).name == "conftest.py" and p in index.modules]
        reached = reachable_modules(index, [*tests, *conftests])
        if any(m.path in reached for m in ml_modules):
            return
        test_text = "\n".join(project.read_text(t.path) or "" for t in tests)
        if any(PurePosixPath(m.path).name in test_text for m in ml_modules):
            return  # run as a script, e.g. subprocess.run(["python", "train.py", ...])
        largest = max(ml_modules, key=lambda m: (_size(project, m.path), m.path))
        others = len(ml_modules) - 1
        scope = f"this module nor any of the {others} other modules with ML code" if others else "this module, the only one with ML code"
        project.report(
            self.code, largest.path,
            f"the tests import neither {scope}: add tests that import the data processing and "
            "training code and check what it produces",
        )


# ------------------------------------------------------------------------ ML403

#: Library base classes whose methods (apart from ``assert*``/``fail*``) do not check results.
_LIBRARY_TEST_BASES = ("unittest.", "django.", "absl.", "tensorflow.", "parameterized.", "asynctest.",
                       "twisted.", "pytest.")


#: Packages whose classes, used as bases of test helpers, hold no checks of their own.
_NOT_TEST_HELPER_PACKAGES = ML_LIBRARIES | {"abc", "typing", "enum", "collections", "dataclasses", "builtins"}

#: How many modules deep calls into project code are followed from a test.
PROJECT_HOPS = 2


class AssertionlessTest(SourceRule):
    """A test that asserts nothing passes whatever the code returns: false confidence."""

    code = "ML403"
    name = "test-without-assertion"
    severity = Severity.WARNING
    roles = OWN_CODE
    # Test files name their tests (test_*, Test*, TestCase); custom pytest naming
    # that never spells "test" is the documented gap.
    triggers = ("test", "Test")
    analyses = (TestSuite,)

    def check(self) -> None:
        ctx = self.ctx
        if ctx.is_notebook:
            return
        suite = ctx.project.analysis(TestSuite)
        kind = suite.kind(ctx.path)
        if kind is None:
            return
        facts = suite.facts(ctx.path)
        tests = list(find_test_functions(facts, suite.settings, pytest_file=kind))
        judge = _AssertionJudge(ctx, facts, suite, {test.key for test in tests})
        for test in tests:
            if facts.never_runs(test) or test.returns_value or test.empty:
                continue  # skipped whatever happens, a helper named like a test, or a placeholder: it claims nothing
            if not judge.can_fail(test):
                name = test.key.rsplit(".", 1)[-1]
                if test.dropped_comparison is not None:
                    advice = (f"the comparison on line {test.dropped_comparison} is computed and thrown away: "
                              "write `assert` before it")
                else:
                    advice = ("check the result with `assert`, `pytest.raises` or a testing helper such as "
                              "`np.testing.assert_allclose`")
                ctx.report_at(self.code, test.line, test.column,
                              f"test `{name}` asserts nothing, so it passes whatever the code returns: {advice}")


class _AssertionJudge:
    """Decides whether a test can fail on a wrong result.

    A test can fail when it asserts directly or through a helper of its own
    module (``mllint.analysis.assertions`` computes that closure); otherwise what
    it calls or hands on to be called (a callback, a bound method given to a
    runner) is followed: fixtures and methods from ``conftest.py``, methods of its
    class hierarchy across the project's test-support modules (``self.m()``,
    ``super().m()``), and project test-support functions up to ``PROJECT_HOPS``
    modules away. What cannot be seen (a base class from an unknown library, a
    fixture from a plugin) is given the benefit of the doubt.
    """

    def __init__(self, ctx: ModuleContext, facts: AssertionFacts, suite: TestSuite, tests: set[str]) -> None:
        self.ctx = ctx
        self.facts = facts
        self.suite = suite
        self.tests = tests
        conftests = [suite.facts(p) for p in conftest_paths(ctx.path, suite.files)]
        self.fixtures: dict[str, bool] = {}
        self.methods: set[str] = facts.asserting_methods()
        for conftest in reversed([facts, *conftests]):  # nearest definition wins
            for name, fixture in conftest.fixtures.items():
                self.fixtures[name] = fixture.key in conftest.asserting
            if conftest is not facts:
                self.methods |= conftest.asserting_methods()
        self._verdicts: dict[tuple[str, str, int], bool] = {}
        self._open: set[tuple[str, str, int]] = set()
        self._cyclic = False

    def can_fail(self, test: FunctionFacts) -> bool:
        if test.key in self.facts.asserting or "benchmark" in test.params:
            return True  # pytest-benchmark tests time code, they do not check it
        return self._function_checks(self.ctx.info, test.key, PROJECT_HOPS)

    def _function_checks(self, module: ModuleInfo, key: str, hops: int) -> bool:
        """Whether the function *key* of *module* asserts, in its module or in what it
        runs elsewhere (*hops* more modules away). Verdicts are memoised; a function
        met again while it is being judged (recursion) counts as not checking, and
        verdicts that depended on that are not kept."""
        node = (module.path, key, hops)
        if node in self._verdicts:
            return self._verdicts[node]
        if node in self._open:
            self._cyclic = True
            return False
        facts = self.suite.facts(module.path)
        function = facts.functions.get(key)
        if function is None:
            return False
        if key in facts.asserting:
            return True
        self._open.add(node)
        outer, self._cyclic = self._cyclic, False
        verdict = any(self._call_checks(module, function, call, hops) for call in function.calls) or any(
            self._call_checks(module, function, ref, hops, referenced=True) for ref in function.references
        )
        if verdict or not self._cyclic:
            self._verdicts[node] = verdict
        self._cyclic = outer or self._cyclic
        self._open.discard(node)
        return verdict

    def _call_checks(self, module: ModuleInfo, function: FunctionFacts, call: CallFact, hops: int,
                     referenced: bool = False) -> bool:
        """Whether a call (or a function passed on, *referenced*) in *function* checks."""
        facts = self.suite.facts(module.path)
        local = local_targets(facts, function, call)
        if local:
            return any(self._function_checks(module, target, hops) for target in local)
        head, _, rest = call.dotted.partition(".")
        if head in ("self", "cls", "super()") and function.owner and rest and "." not in rest:
            return self._inherited_checks(module, function.owner, rest, hops, skip_own=head == "super()")
        if head == "self" and function.owner and "." in rest and self._attribute_checks(module, function.owner, rest, hops):
            return True
        if head in function.params:
            if module.path != self.ctx.path or not (function.key in self.tests or function.is_fixture):
                return False  # an argument of a helper, not a fixture: what is passed is judged where it is passed
            if rest:
                return rest.rsplit(".", 1)[-1] in self.methods
            # An unseen fixture (a plugin's) that is called gets the benefit of the doubt.
            return self.fixtures.get(head, not referenced)
        qualified = module.qualify(call.dotted)
        if qualified is not None:
            return self._project_function_checks(qualified, module, hops)
        return bool(rest) and rest.rsplit(".", 1)[-1] in self.methods

    def _project_function_checks(self, qualified: str, importer: ModuleInfo, hops: int) -> bool:
        """Whether a project function asserts (a test helper that runs a script through
        a subprocess helper that raises on failure); library functions were credited by
        name in the module closure."""
        found = resolve_project_function(self.ctx.index, qualified, importer)
        if found is None or hops < 1:
            return False
        module, function = found
        if not self._is_test_support(module):
            return False  # the code under test: its own `raise` and `assert` check inputs, not results
        return self._function_checks(module, function.qualname, hops - 1)

    def _is_test_support(self, module: ModuleInfo) -> bool:
        """Test files, conftest and test utilities (``tests/helpers.py``, ``testing_utils.py``)."""
        path = PurePosixPath(module.path)
        return self.suite.kind(module.path) is not None or any(
            "test" in part.lower() for part in path.with_suffix("").parts
        )

    def _inherited_checks(self, module: ModuleInfo, owner: str, method: str, hops: int, skip_own: bool) -> bool:
        """``self.method()`` or ``super().method()``: the definitions in the class
        hierarchy (across the project's test-support modules; the code under test's
        methods check inputs, not results), or, when a test-support class inherits
        from a class mllint cannot see, the benefit of the doubt."""
        hierarchy = self.suite.hierarchy(module, owner)
        definitions = [ref for ref in (hierarchy.classes[1:] if skip_own else hierarchy.classes)
                       if method in ref.facts.methods and self._is_test_support(ref.module)]
        if any(self._function_checks(ref.module, f"{ref.facts.qualname}.{method}", hops) for ref in definitions):
            return True
        if method.startswith("__") and method.endswith("__"):
            return False  # constructors and protocol methods of an unseen base do not check results
        return any(_may_hold_checks(base) and self._is_test_support(named_in) for named_in, base in hierarchy.outside)

    def _attribute_checks(self, module: ModuleInfo, owner: str, rest: str, hops: int) -> bool:
        """``self.script.main`` where a method of the class hierarchy stored an imported
        module or object on the instance (``self.script = test_metrics``): the project
        function it names."""
        attribute, _, member = rest.partition(".")
        for ref in self.suite.hierarchy(module, owner).classes:
            value = ref.facts.attributes.get(attribute)
            qualified = ref.module.qualify(value) if value is not None else None
            if qualified is not None:
                return self._project_function_checks(f"{qualified}.{member}", ref.module, hops)
        return False


def _may_hold_checks(qualified: str) -> bool:
    """Whether a base class mllint cannot see may define checking helpers (a test
    library's ``ModelTester``, a name from a star import): not ``object`` and other
    builtins, not ``unittest``/``pytest`` and the like (whose methods apart from
    ``assert*``/``fail*``, credited by name, do not check results), not a class of an
    ML library or of the standard typing modules (``torch.nn.Module``, ``abc.ABC``)
    unless its name says it is for testing."""
    if qualified == "object" or (is_testcase_base(qualified) and "." not in qualified):
        return False
    if qualified.startswith(_LIBRARY_TEST_BASES):
        return False
    if "." not in qualified:
        return not hasattr(builtins, qualified)
    return "test" in qualified.lower() or qualified.split(".", 1)[0] not in _NOT_TEST_HELPER_PACKAGES


# ------------------------------------------------------------------------ ML404

_REMOTE_TEST_HINT = re.compile(r"test|tox|(?:^|[/_.-])ci(?:[/_.-]|$)", re.IGNORECASE)
"""Reusable workflows and actions mllint cannot read, whose name says they run tests."""
_MAIN_CI_NAMES = ("test", "ci", "check", "build", "main", "python", "push", "pr")


class NoCI(ProjectRule):
    """Tests that only run on a developer's machine stop being run; CI makes them a gate."""

    code = "ML404"
    name = "no-ci"
    severity = Severity.WARNING
    analyses = (TestSuite,)

    def check(self, project: ProjectContext) -> None:
        if not _has_python(project):
            return
        facts = project.ci
        configs = facts.configs
        if not configs:
            project.report(
                self.code, ".",
                "no CI configuration found: add a workflow (e.g. `.github/workflows/tests.yml`) that "
                "runs the tests on every push and pull request",
            )
            return
        if any(c.runs_tests or _uses_test_workflow(c) for c in configs):
            return
        if not _has_tests(project.analysis(TestSuite)):
            return  # there is nothing for CI to run yet: ML401 says so
        target = _main_config(configs)
        names = ", ".join(f"`{c.path}`" for c in configs[:3]) + (", ..." if len(configs) > 3 else "")
        unread = [w for w in facts.warnings if any(w.startswith(f"{c.path}:") for c in configs)]
        note = f" (could not read {unread[0]})" if unread else ""
        which = "this CI configuration does not run" if len(configs) == 1 else (
            f"none of the {len(configs)} CI configurations ({names}) runs"
        )
        project.report(
            self.code, target.path,
            f"{which} the tests{note}: add a step that runs them (`pytest`, `tox`, `nox`, "
            "`make test`, `python -m unittest`, ...)",
        )


def _uses_test_workflow(config: CIConfig) -> bool:
    """A remote reusable workflow or an action, not readable here, named for testing."""
    for _, ref in config.uses:
        name = ref.split("@", 1)[0]
        if "/.github/workflows/" in name or name.startswith("./"):
            name = name.rsplit("/", 1)[-1]
        elif name.count("/") >= 1:
            name = name.split("/", 1)[1]  # an action: its repository (and path), not its owner
        if _REMOTE_TEST_HINT.search(name):
            return True
    return False


def _main_config(configs: list[CIConfig]) -> CIConfig:
    """The configuration a reader would look at first for the test job."""
    def rank(config: CIConfig) -> tuple[int, str]:
        stem = PurePosixPath(config.path).stem.lower()
        for number, needle in enumerate(_MAIN_CI_NAMES):
            if needle in stem:
                return number, config.path
        return len(_MAIN_CI_NAMES), config.path

    return min(configs, key=rank)


# ------------------------------------------------------------------------ ML405


class NoStaticAnalysis(ProjectRule):
    """Linters and type checkers catch whole classes of bugs before a run costs GPU hours."""

    code = "ML405"
    name = "no-static-analysis"
    severity = Severity.INFO

    def check(self, project: ProjectContext) -> None:
        if not _has_python(project):
            return
        if static_analysis_tools(project.root, project.files, project.ci):
            return
        project.report(
            self.code, ".",
            "no linter or type checker configured: add ruff (or flake8/pylint) and mypy or pyright, "
            "in `pyproject.toml` or `.pre-commit-config.yaml`, and run them in CI",
        )


# ------------------------------------------------------------------------ ML406


class NotebookOnlyPipeline(ProjectRule):
    """Pipeline code kept only in notebooks cannot be imported, reused, reviewed or tested."""

    code = "ML406"
    name = "notebook-only-pipeline"
    severity = Severity.WARNING
    ml_only = True
    analyses = (TestSuite,)

    def check(self, project: ProjectContext) -> None:
        index = project.index
        notebooks = [m for m in index.modules.values() if m.is_notebook and m.uses_ml]
        if not notebooks:
            return
        suite = project.analysis(TestSuite)
        if any(m.uses_ml for m in index.modules.values() if not m.is_notebook and not suite.is_test_module(m)):
            return  # ML code also lives in Python modules
        for notebook in notebooks:
            if any(project_module(index, name, notebook) is not None for name in notebook.imports):
                return  # the notebooks reuse a module of the project
        largest = max(notebooks, key=lambda m: (_size(project, m.path), m.path))
        count = f"{len(notebooks)} notebooks" if len(notebooks) > 1 else "one notebook"
        project.report(
            self.code, largest.path,
            f"the ML code lives only in notebooks ({count}, none importing a project module): move "
            "data preparation and training into a Python module that notebooks and scripts import",
        )
