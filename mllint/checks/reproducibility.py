"""ML2xx reproducibility: seeds, random_state, deterministic torch, pinned environments.

ML201 and ML203 are path rules: they run on entry points (notebooks, modules
with a ``__main__`` block, scripts nobody imports) and follow calls into the
project through :mod:`mllint.analysis.seeding`. ML202 reads the scikit-learn-style table
of :mod:`mllint.analysis.random_state` and asks the seeding analysis whether NumPy is
seeded first. ML204-ML206 read the dependency inventory of :mod:`mllint.project.dependencies`.
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cached_property, partial
from typing import Callable, Iterator

from mllint.analysis.model_facts import training_sites
from mllint.analysis.random_state import UNKNOWN, RandomStateTable, needs_random_state
from mllint.analysis.seeding import (
    GENERATOR,
    SEED_CALL,
    EntryReport,
    Hop,
    SeedAnalysis,
    Trail,
    UnseededUse,
)
from mllint.engine.context import ModuleContext, ProjectContext
from mllint.engine.findings import Reach, Severity
from mllint.engine.rules import ProjectRule, SourceRule
from mllint.project.dependencies import Requirement, Unpinned, depth_order
from mllint.project.index import dotted_name
from mllint.project.layout import NOT_TESTS, OWN_CODE, Role
from mllint.syntax.ast_positions import AstPositions


def _entry_report(ctx: ModuleContext) -> EntryReport | None:
    """The seeding walk of this module, or None when it is not an entry point."""
    analysis = ctx.project.analysis(SeedAnalysis)
    if not analysis.is_entry_point(ctx.info):
        return None
    return analysis.entry_report(ctx.info, ctx.source)


def _reported_hop(trail: Trail, path: str) -> int:
    """Index of the deepest hop that is still in the linted module: the finding's place."""
    for position in range(len(trail) - 1, -1, -1):
        if trail[position].path == path:
            return position
    return 0


def _subject(trail: Trail, position: int) -> str:
    """The start of a message: the reported call and, if indirect, what it reaches."""
    hop, last = trail[position], trail[-1]
    if position == len(trail) - 1:
        return f"`{last.event.text}`"
    via = f"via `{last.event.name}` at {last.path}:{last.event.line}"
    if hop.event.kind == "import":
        return f"`import {hop.event.text}` ({via})"
    return f"`{hop.event.text}()` ({via})"


#: ``seeded_at`` when the entry file's call that draws is the one that seeds, later, inside it.
_IN_THE_CALL = "the call"


def _unseeded_message(use: UnseededUse, seeded_at: str | None, subject: str) -> str:
    """*seeded_at*: where the library is seeded after the use, if it is."""
    library = use.library
    if library == "jax":
        return (f"{subject} builds a JAX key from the clock, so every run differs; "
                "derive the key from a fixed or configured seed")
    if use.draw == GENERATOR:
        return (f"{subject} creates a `{library}` generator without a seed, so it differs on every run; "
                "pass a seed to it")
    if seeded_at is _IN_THE_CALL:
        return (f"{subject} draws from the `{library}` random generator before the code it runs seeds it; "
                f"call `{SEED_CALL[library]}` before it")
    if seeded_at is not None:
        return (f"{subject} draws from the `{library}` random generator before it is seeded ({seeded_at}); "
                "move the seeding before the first random use")
    return (f"{subject} draws from the `{library}` random generator, but `{library}` is never seeded on this path; "
            f"call `{SEED_CALL[library]}` first")


def _report_trail(ctx: ModuleContext, code: str, trail: Trail, message: Callable[[str], str]) -> None:
    position = _reported_hop(trail, ctx.path)
    event = trail[position].event
    column = AstPositions(ctx.source).column(event.line, event.column)
    ctx.report_at(code, event.line, column, message(_subject(trail, position)))


def _where(ctx: ModuleContext, line: int) -> str:
    """A line of the linted file as users see it: "line 12", or "cell 4" in a notebook."""
    if ctx.notebook is not None:
        return f"cell {ctx.notebook.locate(line)[0]}"
    return f"line {line}"


class UnseededRandomness(SourceRule):
    """Unseeded randomness makes a training run impossible to repeat, so results
    cannot be compared, debugged or audited. Checked per entry point, across modules."""

    code = "ML201"
    name = "unseeded-randomness"
    severity = Severity.WARNING
    roles = NOT_TESTS
    triggers = ("import",)
    analyses = (SeedAnalysis,)

    def check(self) -> None:
        report = _entry_report(self.ctx)
        if report is None or (self.ctx.project.role(self.ctx.path) is Role.BENCHMARK and not _trains(self.ctx, report)):
            return  # a benchmark that trains nothing times operations: its random inputs decide no result
        for use in report.unseeded:
            if _draws_example_inputs(self.ctx.project, use.trail[-1]):
                continue
            seeded_at = None
            if use.seeded_later is not None:
                seed = use.seeded_later[_reported_hop(use.seeded_later, self.ctx.path)].event
                drawn = use.trail[_reported_hop(use.trail, self.ctx.path)].event
                same_call = (seed.line, seed.column) == (drawn.line, drawn.column)
                seeded_at = _IN_THE_CALL if same_call else _where(self.ctx, seed.line)
            _report_trail(self.ctx, self.code, use.trail, partial(_unseeded_message, use, seeded_at))


#: Calls that trace or export a model with example inputs: their values fix shapes, not results.
_EXPORTS = frozenset({"torch.onnx.export", "torch.onnx.dynamo_export", "torch.jit.trace", "torch.jit.trace_module",
                      "torch.export.export"})


def _draws_example_inputs(project: ProjectContext, draw: Hop) -> bool:
    """Whether the draw is in a function (or import-time code) that exports or traces a
    model: random tensors there are the example inputs the export runs the model on
    (``torch.onnx.export(model, torch.randn(1, 3, 224, 224), path)``)."""
    info = project.index.module(draw.path)
    if info is None:
        return False
    line = draw.event.line
    for calls in (info.toplevel_calls, *(function.calls for function in info.functions.values())):
        if any(site.line == line for site in calls):
            return any(site.name in _EXPORTS for site in calls)
    return False


def _trains(ctx: ModuleContext, report: EntryReport) -> bool:
    """Whether the entry point trains: a fit or a backward-and-step loop in the module,
    or PyTorch training on its path through other modules."""
    return report.training is not None or any(True for _ in training_sites(ctx.info))


class NondeterministicTorch(SourceRule):
    """Seeds alone do not make GPU training repeatable: cuDNN autotuning and
    nondeterministic kernels change results between identical runs."""

    code = "ML203"
    name = "nondeterministic-torch"
    severity = Severity.INFO
    roles = NOT_TESTS
    triggers = ("import",)
    analyses = (SeedAnalysis,)

    def check(self) -> None:
        report = _entry_report(self.ctx)
        if report is None or report.training is None or report.deterministic:
            return
        _report_trail(
            self.ctx,
            self.code,
            report.training,
            lambda subject: f"{subject} trains with PyTorch without deterministic algorithms; call "
            "`torch.use_deterministic_algorithms(True)` and keep `torch.backends.cudnn.benchmark = False` before it",
        )


# -- ML202 -------------------------------------------------------------------------


def _literal(node: ast.expr) -> object:
    """The value of a literal argument (``-1`` included), or UNKNOWN."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _literal(node.operand)
        return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else UNKNOWN
    if isinstance(node, ast.Constant) and node.value is not ...:
        return node.value
    return UNKNOWN


#: Ensembles that seed the estimator they are given from their own ``random_state``
#: (``_set_random_states``): the inner estimator needs no seed of its own.
SEEDING_META_ESTIMATORS = frozenset(
    {
        "sklearn.ensemble.BaggingClassifier", "sklearn.ensemble.BaggingRegressor",
        "sklearn.ensemble.AdaBoostClassifier", "sklearn.ensemble.AdaBoostRegressor",
        "imblearn.ensemble.BalancedBaggingClassifier", "imblearn.ensemble.EasyEnsembleClassifier",
        "imblearn.ensemble.RUSBoostClassifier",
    }
)


class RandomStateUnset(SourceRule):
    """An estimator or splitter without ``random_state`` gives a different model
    or split on every run, so metrics move for no reason. Reads names, keywords
    and literals only, so it walks the stdlib ``ast``."""

    code = "ML202"
    name = "random-state-unset"
    severity = Severity.WARNING
    roles = OWN_CODE
    #: lightgbm, xgboost and catboost seed their native code when left unset (see the table)
    triggers = ("sklearn",)
    analyses = (RandomStateTable, SeedAnalysis)
    #: whether NumPy is seeded before a call asks every entry point reaching it
    reads = Reach.PROJECT

    def check(self) -> None:
        table = self.ctx.project.analysis(RandomStateTable)
        if not any(table.lookup(site.name) for site in self.ctx.info.call_sites()):
            return  # the index's calls, by qualified name: no tree to walk
        tree = self.ctx.index.tree(self.ctx.path)
        if tree is None:
            return
        positions = AstPositions(self.ctx.source)
        seeds_what_it_is_given = partial(_seeds_what_it_is_given, table, self.ctx.info.qualify)
        seeded_later = _SeededLater(tree, seeds_what_it_is_given)
        for call, seeded_by_ensemble in _calls(tree, seeds_what_it_is_given):
            dotted = dotted_name(call.func)
            name = self.ctx.info.qualify(dotted) if dotted is not None else None
            entry = table.lookup(name) if name is not None else None
            if entry is None or seeded_by_ensemble:
                continue
            keywords = {kw.arg: _literal(kw.value) for kw in call.keywords if kw.arg is not None}
            starred = any(isinstance(arg, ast.Starred) for arg in call.args)
            count = sys.maxsize if starred else len(call.args)
            star_kwargs = any(kw.arg is None for kw in call.keywords)
            if not needs_random_state(entry, keywords, count, star_kwargs):
                continue
            if seeded_later(call) or self._numpy_seeded(call):  # scikit-learn draws from NumPy's generator when left unset
                continue
            short = entry.qualname.rsplit(".", 1)[-1]
            random = f"is random when {entry.condition.describe()}," if entry.condition is not None else "is random"
            line, column, end_line, end_column = positions.range(call)
            self.report(
                line,
                column,
                f"`{short}` {random} but `{entry.param}` is not set; pass `{entry.param}=<seed>` so that results repeat",
                end_line,
                end_column,
            )

    def _numpy_seeded(self, call: ast.Call) -> bool:
        """Whether NumPy's global generator is seeded on every path before the call runs:
        scikit-learn draws from it when ``random_state`` is None, so the result repeats.
        In a library's package source only seeding in the code around the call counts:
        its users call it from paths the project does not contain."""
        project = self.ctx.project
        callers = not (project.kind.library and project.role(self.ctx.path) is Role.SOURCE)
        return project.analysis(SeedAnalysis).seeded_before(self.ctx.info, "numpy", call.lineno, call.col_offset, callers)


#: An argument that hands a call a seed: ``random_state``, ``seed``, ``rng``.
_SEED_WORDS = re.compile(r"random_state|seed|(?:^|_)rng(?:$|_)", re.IGNORECASE)


#: Methods giving a test harness the parameters of the instances it tests (skbase's
#: convention: sktime, skpro). The harness seeds every ``random_state`` among them,
#: nested ones included (``set_random_state``, as scikit-learn's estimator checks do).
_TEST_PARAMETER_SETS = frozenset({"get_test_params", "_get_test_params"})


class _SeededLater:
    """Whether an estimator made without a seed gets one once it is made: a
    library makes a default estimator and seeds it with its own ``random_state``
    (sktime's ``_clone_estimator(estimator, random_state)``, scikit-learn's
    ``est.set_params(random_state=rs)`` or ``set_random_state(est, rs)``,
    ``est.random_state = rs``). The estimator is followed through the name or
    ``self`` attribute it is bound to: a name in the rest of its function (or of
    the module, a notebook's cells), an attribute in every method of its class
    (``fit`` seeds what ``__init__`` made). An estimator in the parameter sets a
    class gives its test harness (``get_test_params``) is seeded by the harness."""

    def __init__(self, tree: ast.Module, seeds_what_it_is_given: Callable[[ast.Call], bool]) -> None:
        self._tree = tree
        self._seeds_what_it_is_given = seeds_what_it_is_given

    @cached_property
    def _parents(self) -> dict[int, ast.AST]:
        """Drawn when a call needs a seed, which most files with an estimator never do."""
        return {id(child): node for node in ast.walk(self._tree) for child in ast.iter_child_nodes(node)}

    def __call__(self, call: ast.Call) -> bool:
        function = self._enclosing(call, (ast.FunctionDef, ast.AsyncFunctionDef))
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and function.name in _TEST_PARAMETER_SETS:
            return True
        bound = self._binding(call)
        if bound is None:
            return False
        name, scope = bound
        for node in ast.walk(scope):
            if isinstance(node, ast.Call) and node.lineno >= call.lineno and _seeds(node, name, self._seeds_what_it_is_given):
                return True
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Attribute) and _SEED_WORDS.search(t.attr) and dotted_name(t.value) == name
                       for t in targets):
                    return True
        return False

    def _binding(self, call: ast.Call) -> tuple[str, ast.AST] | None:
        """The name (``est``, ``self.est``) the call's result is bound to, and where to look for its seeding."""
        node: ast.AST = call
        parent = self._parents.get(id(node))
        while isinstance(parent, (ast.IfExp, ast.BoolOp)):  # ``est = est or RandomForestClassifier()``
            node, parent = parent, self._parents.get(id(parent))
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target = parent.targets[0]
        elif isinstance(parent, ast.AnnAssign):
            target = parent.target
        else:
            return None
        name = dotted_name(target)
        function = self._enclosing(call, (ast.FunctionDef, ast.AsyncFunctionDef))
        if name is None:
            return None
        if isinstance(target, ast.Attribute) and name.startswith("self.") and function is not None:
            return name, self._enclosing(function, (ast.ClassDef,)) or function
        return (name, function or self._tree) if isinstance(target, ast.Name) else None

    def _enclosing(self, node: ast.AST, kinds: tuple[type[ast.AST], ...]) -> ast.AST | None:
        parent = self._parents.get(id(node))
        while parent is not None and not isinstance(parent, kinds):
            parent = self._parents.get(id(parent))
        return parent


def _seeds_what_it_is_given(table: RandomStateTable, qualify: Callable[[str], str | None], call: ast.Call) -> bool:
    """Whether *call* seeds the estimators it is given: an ensemble that seeds them
    (``SEEDING_META_ESTIMATORS``), or a call taking a seed that is not itself a
    random estimator or splitter (whose seed is its own: ``RandomizedSearchCV(est,
    random_state=0)`` seeds the search): the project's own estimator
    (``TSFreshClassifier(random_state=rs, estimator=RandomForestClassifier())``),
    a helper (``_clone_estimator(est, random_state)``, ``set_random_state(est, 0)``)."""
    dotted = dotted_name(call.func)
    qualified = qualify(dotted) if dotted is not None else None
    if qualified in SEEDING_META_ESTIMATORS:
        return True
    if qualified is not None and table.lookup(qualified) is not None:
        return False
    words = [dotted or "", *(kw.arg for kw in call.keywords if kw.arg is not None and not _is_none(kw.value)),
             *(dotted_name(arg) or "" for arg in call.args)]
    return any(_SEED_WORDS.search(word.rpartition(".")[2]) for word in words)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _seeds(call: ast.Call, name: str, seeds_what_it_is_given: Callable[[ast.Call], bool]) -> bool:
    """Whether *call* hands the estimator bound to *name* a seed."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "set_params" and name in _names_in(func.value):
        return any(kw.arg is not None and _SEED_WORDS.search(kw.arg) for kw in call.keywords)
    values = [*call.args, *(kw.value for kw in call.keywords)]
    return any(dotted_name(value) == name for value in values) and seeds_what_it_is_given(call)


def _names_in(node: ast.AST) -> set[str]:
    """The dotted names in an expression (``clone(est)`` holds ``clone`` and ``est``)."""
    return {dotted for child in ast.walk(node) if (dotted := dotted_name(child)) is not None}


def _calls(tree: ast.AST, seeds_what_it_is_given: Callable[[ast.Call], bool]) -> Iterator[tuple[ast.Call, bool]]:
    """Every call in source order, with whether it is an argument of a call seeding
    what it is given (``BaggingClassifier(DecisionTreeClassifier(), random_state=0)``)."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_ensemble = stack.pop()
        arguments: frozenset[int] = frozenset()
        if isinstance(node, ast.Call):
            yield node, in_ensemble
            if seeds_what_it_is_given(node):
                arguments = frozenset(id(arg) for arg in [*node.args, *node.keywords])
        elif isinstance(node, ast.keyword) and in_ensemble:
            arguments = frozenset({id(node.value)})
        stack.extend((child, id(child) in arguments) for child in reversed(list(ast.iter_child_nodes(node))))


# -- ML204-ML206 -------------------------------------------------------------------


_VCS = re.compile(r"(?:^|@\s*)(?:git|hg|svn|bzr)\+", re.I)


def _pin_advice(req: Requirement) -> str:
    if _VCS.search(req.text):
        return "pin it to a full commit id"
    if "://" in req.text:
        return "point it at one released file with a `#sha256=` hash"
    return f"pin it with `{req.name or 'name'}==<version>`"


#: Dependency files there describe no environment the project trains or develops in.
_NOT_AN_ENVIRONMENT = frozenset({Role.GENERATED, Role.DOCS})
#: A library's examples and benchmarks run against it in their own environments, not its CI's.
_NOT_A_LIBRARY_ENVIRONMENT = _NOT_AN_ENVIRONMENT | {Role.EXAMPLE, Role.BENCHMARK}
_PACKAGING_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


def _some(paths: list[str] | tuple[str, ...], shown: int = 3) -> str:
    """``a, b, c and 4 more`` for messages."""
    head = ", ".join(paths[:shown])
    return f"{head} and {len(paths) - shown} more" if len(paths) > shown else head


def _counted(project: ProjectContext, excluded: frozenset[Role]) -> Callable[[str], bool]:
    """Which dependency files a question is about: those whose role is not *excluded*."""
    return lambda path: project.role(path) not in excluded


#: A conda match-spec naming a version prefix (``ipython=8.17``): conda installs any ``8.17.*`` release.
_CONDA_PREFIX = re.compile(r"^[\w.-]+\s*=\s*(\d+(?:\.\d+)?)$")


def _unpinned_message(unpinned: Unpinned) -> str:
    req = unpinned.requirement
    also = f" (also unpinned in {_some(unpinned.also)})" if unpinned.also else ""
    advice = _pin_advice(req)
    prefix = _CONDA_PREFIX.match(req.text) if req.source == "conda" else None
    state = f"fixes only `{prefix.group(1)}` (conda installs any {prefix.group(1)}.* release)" if prefix else "is not pinned"
    return f"`{req.text}` {state}{also} and the project has no lock file; {advice} or commit a lock file"


def _packaging_file(project: ProjectContext) -> tuple[str, int]:
    """Where a library's ranges are declared: its root packaging file, at its first requirement."""
    facts = project.dependencies
    declared = [f for f in _PACKAGING_FILES if f in facts.declaration_files] or [
        f for f in _PACKAGING_FILES if f in project.file_set
    ]
    if not declared:
        return ".", 0
    lines = [r.line for r in facts.requirements if r.path == declared[0]]
    return declared[0], min(lines, default=1)


class UnpinnedDependencies(ProjectRule):
    """Unpinned requirements resolve to whatever is newest on install day, so the
    environment that trained a model cannot be rebuilt. A library publishes ranges
    on purpose: for it, what matters is whether its development and CI environment
    is locked, which is reported once."""

    code = "ML204"
    name = "unpinned-dependencies"
    severity = Severity.WARNING
    ml_only = True

    def check(self, project: ProjectContext) -> None:
        if project.kind.library:
            self._check_library(project)
            return
        for unpinned in project.dependencies.unpinned_requirements(_counted(project, _NOT_AN_ENVIRONMENT)):
            req = unpinned.requirement
            project.report(self.code, req.path, _unpinned_message(unpinned), line=req.line, column=1)

    def _check_library(self, project: ProjectContext) -> None:
        facts = project.dependencies
        counted = _counted(project, _NOT_A_LIBRARY_ENVIRONMENT)
        locks = facts.environment_locks(counted)
        if locks:
            project.note(self.code, f"a library's ranges are intended and {locks[0]} locks its development environment")
            return
        ranges = facts.unlocked_ranges(counted)
        if not ranges:
            return
        path, line = _packaging_file(project)
        files = sorted({r.path for r in ranges}, key=depth_order)
        first = min(ranges, key=lambda r: (r.path != path, *depth_order(r.path), r.line))
        more = f" and {len(ranges) - 1} more unpinned requirements in {_some(files)} are" if ranges[1:] else " is"
        project.report(
            self.code,
            path,
            f"the project is packaged as a library ({project.kind.evidence}), whose ranges are fine, but no lock file "
            "or constraints file fixes the environment that development, CI or a deployment installs: "
            f"`{first.text}` ({first.path}:{first.line}){more} "
            "resolved anew on every install; commit a lock file (`uv lock`, `pdm lock`, `pixi`) or a constraints "
            "file that CI installs with (`pip install -c constraints.txt`)",
            line=line,
            column=1,
        )


class DependenciesUndeclared(ProjectRule):
    """Without any dependency declaration nobody can install what the code needs."""

    code = "ML205"
    name = "dependencies-undeclared"
    severity = Severity.WARNING
    ml_only = True

    def check(self, project: ProjectContext) -> None:
        if not project.dependencies.declares_dependencies:
            project.report(
                self.code,
                ".",
                "the project declares no dependencies (no requirements*.txt, pyproject dependencies, setup.py/cfg, "
                "Pipfile or conda environment file); declare them with exact versions",
            )


class PythonVersionUnspecified(ProjectRule):
    """Library wheels, pickles and numerics differ between Python versions."""

    code = "ML206"
    name = "python-version-unspecified"
    severity = Severity.INFO
    ml_only = True

    def check(self, project: ProjectContext) -> None:
        if project.dependencies.python_version is None:
            project.report(
                self.code,
                ".",
                "no Python version is declared; set `requires-python` in pyproject.toml, add `.python-version`, "
                "or pin `python` in environment.yml",
            )
