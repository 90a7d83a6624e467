"""What rules and analyses see: the project, module or notebook they check,
and how they report.

Contexts hold the expensive things lazily (positions, git facts, dependency
facts, shared analyses) so that a rule pays only for what it asks, once per
file or project. The project context owns the run's cache of analyses: every
rule that asks for ``project.analysis(SeedAnalysis)`` gets the same instance,
and the cache goes away with the context at the end of the project's run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Protocol, TypeVar

from mllint.engine.findings import Edit, Fix, RawFinding, Reach, Severity
from mllint.engine.options import Option, defaults
from mllint.engine.sources import SourceError, decode_text, read_bytes
from mllint.project.files import read_regular_head
from mllint.project.index import ModuleInfo, ProjectIndex
from mllint.project.kind import ProjectKind, project_kind
from mllint.project.layout import (
    GENERATED_HEAD,
    Role,
    has_generated_mark,
    package_folders,
    role_of,
)
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import CodeRange

    from mllint.engine.positions import Positions
    from mllint.project.ci import CIFacts
    from mllint.project.dependencies import DependencyFacts
    from mllint.project.dvc import DvcFacts
    from mllint.project.git import GitFacts
    from mllint.syntax.notebooks import Notebook
else:
    cst = deferred("libcst")

AnalysisT = TypeVar("AnalysisT", bound="Analysis")
SharedT = TypeVar("SharedT")


class Analysis:
    """Cross-module reasoning that several rules share (which functions seed,
    which functions serve predictions, ...). It returns facts; rules decide what
    to report and write the messages.

    An analysis is built at most once per project and run, by
    ``ProjectContext.analysis``, with its own options: the table
    ``[tool.mllint.analysis.<name>]``, or the rule option it was configured
    with before it became shared (``legacy_options``).
    """

    name: ClassVar[str]
    #: How far its facts about a module depend on more than that module (see
    #: ``Reach``); the cautious default is the whole project.
    reads: ClassVar[Reach] = Reach.PROJECT
    options: ClassVar[Mapping[str, Option]] = {}
    #: analysis option -> the ``CODE.option`` rule key that also sets it
    legacy_options: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def for_project(cls: type[AnalysisT], project: "ProjectContext", options: Mapping[str, Any]) -> AnalysisT:
        raise NotImplementedError

    @classmethod
    def summarise(cls, text: str) -> Any:
        """Facts about one module's text (JSON-able) that the analysis reads of
        every module; None: it keeps none. The runner computes them as it indexes
        a module and caches them with its index entry (``ModuleInfo.facts``), so
        that a run after an edit answers whole-project questions without reading
        every unchanged module. They depend on the text alone, never on options."""
        return None

    @classmethod
    def summarise_tree(cls, info: ModuleInfo, tree: ast.Module) -> Any:
        """Facts about one module's ``ast`` (JSON-able), drawn as the runner indexes
        it, while its tree is at hand: what an analysis reads of most modules it
        reaches, which would otherwise cost a parse each. Kept and cached with the
        index entry as ``summarise``'s are (read them with ``tree_facts``); they
        depend on the module alone, never on options. None: it keeps none."""
        return None

    @classmethod
    def tree_facts(cls, info: ModuleInfo) -> Any:
        """What ``summarise_tree`` drew of the module when it was indexed; None when
        it was indexed without this analysis or did not parse."""
        return info.facts.get(f"{cls.name}/tree")

    @classmethod
    def keep_tree_facts(cls, info: ModuleInfo, facts: Any) -> None:
        """Keep what ``summarise_tree`` drew in the module's index entry."""
        info.facts[f"{cls.name}/tree"] = facts

    def prepare(self) -> None:
        """Whole-project work that every process linting files (``--jobs``) would
        otherwise repeat. The runner calls it once, before the workers are
        forked, so that they share what it computed. Nothing by default: most
        analyses work per module, as they are asked."""

    def close(self) -> None:
        """Keep what later runs can reuse (in the ``FactsStore``) once this process
        has no more files to lint: what an analysis draws as walks ask for it is
        saved once, not each time it grows. Nothing by default."""

    @classmethod
    def answering(cls) -> bool:
        """Whether the analysis answers whole-project questions (it reads
        ``Reach.ANSWERS``, short of the whole project): then its ``answer`` keys
        the results of the rules asking it."""
        return Reach.ANSWERS in cls.reads and cls.reads.keyed_by_state

    def answer(self) -> Any:
        """For an analysis of ``Reach.ANSWERS``: everything it answers, as JSON-able
        data in a stable order. The cache keys the results of the rules asking it
        by this, so it must hold every fact the analysis gives; the analysis reads
        the project while it is built, never afterwards."""
        raise NotImplementedError(f"{type(self).__name__} answers no whole-project question (reads {self.reads!r})")


class FactsStore(Protocol):
    """Where an analysis keeps facts about one module between runs (the result
    cache, ``ProjectCache``): facts drawn from one module's text alone that cost a
    parse to draw again. Read back for the module's present bytes and the same
    *variant* (the analysis options that shape them), so that after an edit only
    the edited module's are drawn again, not those of every module a walk reaches."""

    def load_facts(self, kind: str, path: str, variant: Any) -> Any:
        """The JSON data saved for the module's present bytes, or None."""

    def save_facts(self, kind: str, path: str, variant: Any, facts: Any) -> None:
        """Keep *facts* (JSON data); a failed write only costs the entry."""


@dataclass(frozen=True)
class Replacement:
    """A fix expressed on CST nodes; turned into text edits once positions exist.
    With *after*, each text is inserted after its node instead of replacing it."""

    message: str
    changes: tuple[tuple[cst.CSTNode, cst.CSTNode | str], ...]
    safe: bool = True
    after: bool = False


@dataclass
class _Pending:
    code: str
    node: cst.CSTNode
    message: str
    fix: Fix | Replacement | None
    severity: Severity | None = None


@dataclass
class ProjectContext:
    """The repository being linted: its files, index, configuration and facts."""

    root: Path
    files: list[str]  # every project file, POSIX relative to root, ignore rules applied
    index: ProjectIndex
    #: every rule's options, defaults filled in (by code)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: analyses' options as configured (by analysis name); the analysis declares the defaults
    analysis_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    findings: list[RawFinding] = field(default_factory=list)
    #: (code, why the rule had nothing to say), e.g. "not a git work tree"; shown with --verbose
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: where analyses keep facts about single modules between runs; None without a cache
    facts_store: FactsStore | None = None
    _texts: dict[str, str | None] = field(default_factory=dict, repr=False)
    _roles: dict[str, Role] = field(default_factory=dict, repr=False)
    _analyses: dict[type[Analysis], Analysis] = field(default_factory=dict, repr=False)

    def report(self, code: str, path: str, message: str, line: int = 0, column: int = 0) -> None:
        """Report about a project file (POSIX relative path) or the project (``"."``)."""
        self.findings.append(RawFinding(code, message, line, column, line, column, path=path))

    def note(self, code: str, message: str) -> None:
        """Say why *code* does not apply here; the CLI prints it with ``--verbose``."""
        self.notes.append((code, message))

    def options(self, code: str) -> Mapping[str, Any]:
        """Rule *code*'s options: its defaults, overridden by the configuration."""
        return self.rule_options.get(code, {})

    def analysis(self, kind: type[AnalysisT]) -> AnalysisT:
        """The project's *kind* analysis, built on first use and shared by every rule."""
        found = self._analyses.get(kind)
        if found is None:
            options = {**defaults(dict(kind.options)), **self.analysis_options.get(kind.name, {})}
            found = self._analyses[kind] = kind.for_project(self, options)
        return found  # type: ignore[return-value]

    def close(self) -> None:
        """Drop the analyses built in the run. They refer back to the context, so
        without this the project's facts and trees would stay alive until the
        cyclic collector found them: on a 560-file library that collection took
        a tenth of the run (half a million objects). Released here, reference
        counting frees them as the run ends. Each analysis is closed first."""
        for analysis in self._analyses.values():
            analysis.close()
        self._analyses.clear()
        self._texts.clear()

    def module_source(self, path: str) -> str | None:
        """A Python module's text as the index read it (PEP 263 decoded; a
        notebook's cells), else the file read as UTF-8."""
        return self.index.source(path) or self.read_text(path)

    def read_text(self, path: str) -> str | None:
        """A project file's text (UTF-8), or None when unreadable; cached."""
        if path not in self._texts:
            try:
                self._texts[path] = decode_text(read_bytes(self.root / path))
            except SourceError:
                self._texts[path] = None
        return self._texts[path]

    @cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    @cached_property
    def kind(self) -> ProjectKind:
        """A distributable library or an application, with the evidence."""
        return project_kind(self.files, self.read_text)

    @cached_property
    def _packages(self) -> frozenset[str]:
        return package_folders(self.files)

    def role(self, path: str) -> Role:
        """What the file at *path* (POSIX, relative to the root) is for: by its
        path, and for a Python module also by its head (``has_generated_mark``)."""
        role = self._roles.get(path)
        if role is None:
            folder = path.rpartition("/")[0]
            role = role_of(path, in_package=folder in self._packages)
            if role is not Role.GENERATED and path.endswith(".py") and has_generated_mark(self._head(path)):
                role = Role.GENERATED
            self._roles[path] = role
        return role

    def _head(self, path: str) -> str:
        """The start of a module's text: the index's copy if it holds one, else read
        from disk (the first bytes alone: every linted module's role is asked)."""
        text = self._texts.get(path) or self.index.held_source(path)
        if text is not None:
            return text[:GENERATED_HEAD]
        try:
            return read_regular_head(self.root / path, GENERATED_HEAD).decode("utf-8", "replace")
        except OSError:  # a FIFO or device named ``.py`` is reported when it is read, never opened here
            return ""

    @property
    def is_ml_project(self) -> bool:
        return self.index.is_ml_project

    @cached_property
    def git(self) -> "GitFacts | None":
        from mllint.project.git import collect_git_facts, worktree_root

        return collect_git_facts(self.root) if worktree_root(self.root) is not None else None

    @cached_property
    def dvc(self) -> "DvcFacts":
        from mllint.project.dvc import collect_dvc_facts

        return collect_dvc_facts(self.root, self.files)

    @cached_property
    def dependencies(self) -> "DependencyFacts":
        from mllint.project.dependencies import collect_dependency_facts

        return collect_dependency_facts(self.root, self.files)

    @cached_property
    def ci(self) -> "CIFacts":
        from mllint.project.ci import collect_ci_facts

        return collect_ci_facts(self.root, self.files)


@dataclass
class NotebookContext:
    """A notebook's structure, for notebook rules."""

    path: str  # POSIX relative to the project root
    notebook: "Notebook"
    project: ProjectContext
    findings: list[RawFinding] = field(default_factory=list)

    def report(self, code: str, cell: int, message: str, line: int = 1, column: int = 1, fix: Fix | None = None) -> None:
        """Report *cell*; a *fix*'s edits are in the cell's own lines and columns."""
        self.findings.append(RawFinding(code, message, line, column, line, column, cell=cell, fix=fix))

    def options(self, code: str) -> Mapping[str, Any]:
        return self.project.options(code)


class ModuleContext:
    """One module (or notebook as a module) for module rules.

    Qualified names come from the module's import table in the project index
    (no libcst scope metadata: that costs ~35x ``ast.parse``). Positions are
    computed only if a rule reports something in this file.
    """

    def __init__(
        self,
        path: str,
        source: str,
        module: cst.Module | None,
        info: ModuleInfo,
        project: ProjectContext,
        notebook: "Notebook | None" = None,
    ) -> None:
        self.path = path
        self.source = source
        self.module = module
        self.info = info
        self.project = project
        self.notebook = notebook
        #: The chain of nodes from the Module down to the parent of the node
        #: being visited; maintained by the traversal.
        self.ancestors: list[cst.CSTNode] = []
        self._pending: list[_Pending] = []
        self.findings: list[RawFinding] = []
        self._shared: dict[object, object] = {}

    @property
    def index(self) -> ProjectIndex:
        return self.project.index

    def shared(self, kind: Callable[[ModuleContext], SharedT]) -> SharedT:
        """What *kind* builds from this module, built when first asked and shared
        by the rules asking after (as ``ProjectContext.analysis`` is for the
        project): a table several rules' questions read."""
        found = self._shared.get(kind)
        if found is None:
            found = self._shared[kind] = kind(self)
        return found  # type: ignore[return-value]

    @property
    def is_notebook(self) -> bool:
        return self.notebook is not None

    def options(self, code: str) -> Mapping[str, Any]:
        return self.project.options(code)

    # -- names -----------------------------------------------------------

    def dotted(self, node: cst.CSTNode) -> str | None:
        """``a.b.c`` for a Name/Attribute chain, else None."""
        parts: list[str] = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if isinstance(node, cst.Name):
            parts.append(node.value)
            return ".".join(reversed(parts))
        return None

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """The imported thing an expression names (``np.random.seed`` ->
        ``numpy.random.seed``), or None when its root is not an import."""
        dotted = self.dotted(node)
        return self.info.qualify(dotted) if dotted is not None else None

    def call_name(self, call: cst.Call) -> str | None:
        return self.qualified_name(call.func)

    def code_for(self, node: cst.CSTNode) -> str:
        assert self.module is not None, "source code of nodes exists only for parsed modules"
        return self.module.code_for_node(node)

    # -- reporting -------------------------------------------------------

    def report_node(
        self,
        code: str,
        node: cst.CSTNode,
        message: str,
        fix: Fix | Replacement | None = None,
        severity: Severity | None = None,
    ) -> None:
        self._pending.append(_Pending(code, node, message, fix, severity))

    def report_at(
        self,
        code: str,
        line: int,
        column: int,
        message: str,
        end_line: int | None = None,
        end_column: int | None = None,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> None:
        """Report at a position found without the tree (e.g. a regex on the text)."""
        self.findings.append(
            RawFinding(
                code, message, line, column,
                end_line if end_line is not None else line,
                end_column if end_column is not None else column,
                fix=fix,
                severity=severity,
            )
        )

    def replace(self, node: cst.CSTNode, new: cst.CSTNode | str, message: str, *, safe: bool = True) -> Replacement:
        return Replacement(message, ((node, new),), safe)

    def insert_after(self, node: cst.CSTNode, text: str, message: str, *, safe: bool = True) -> Replacement:
        return Replacement(message, ((node, text),), safe, after=True)

    @cached_property
    def _positions(self) -> Positions:
        # imported with libcst's code generation, which only a parsed module needs
        from mllint.engine.positions import Positions

        assert self.module is not None, "node positions exist only for parsed modules"
        return Positions(self.module)

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where *node* is. Reports are placed together after the traversal, in one
        code generation; ask here only for what a report's text needs."""
        return self._positions.of(node)

    def resolve(self) -> list[RawFinding]:
        """Turn node reports into positioned findings (after the traversal)."""
        asked = [pending.node for pending in self._pending]
        asked += [old for pending in self._pending if isinstance(pending.fix, Replacement) for old, _ in pending.fix.changes]
        where = self._positions.of_all(asked) if asked else {}
        for pending in self._pending:
            fix = pending.fix
            if isinstance(fix, Replacement):
                fix = self._to_fix(fix, where)
            at = where[pending.node]
            self.findings.append(
                RawFinding(
                    pending.code,
                    pending.message,
                    at.start.line,
                    at.start.column + 1,
                    at.end.line,
                    at.end.column + 1,
                    fix=fix,
                    severity=pending.severity,
                )
            )
        self._pending.clear()
        return self.findings

    def _to_fix(self, replacement: Replacement, where: Mapping[cst.CSTNode, CodeRange]) -> Fix:
        edits: list[Edit] = []
        for old, new in replacement.changes:
            at = where[old]
            start = at.end if replacement.after else at.start
            text = new if isinstance(new, str) else self.module.code_for_node(new)
            edits.append(Edit(start.line, start.column + 1, at.end.line, at.end.column + 1, text))
        return Fix(replacement.message, tuple(edits), replacement.safe)
