"""The rule kinds: what a rule is, how it declares itself, how it reports.

A rule is one small class in ``mllint/checks/<category>.py``; its document in
``rules/`` gives the user-facing text, and the registry (``registry.py``)
collects the classes. Four kinds exist, by what they look at:

- ``ModuleRule``: one Python module or notebook, as a libcst tree. Module rules
  are batched: one traversal of each tree serves every enabled rule, and a tree
  is only built when some rule's ``triggers`` occur in the file's text.
- ``SourceRule``: one module, through its text, its stdlib ``ast`` tree and the
  project index; a file only such rules fire on is never parsed with libcst.
- ``NotebookRule``: a notebook's structure (cells, outputs, metadata).
- ``ProjectRule``: the repository as a whole (files, configs, git, DVC, the
  project index of every module).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Collection
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from mllint.engine.findings import Fix, Reach, Severity
from mllint.engine.options import Option
from mllint.project.layout import Role

if TYPE_CHECKING:
    import libcst as cst

    from mllint.engine.context import (
        Analysis,
        ModuleContext,
        NotebookContext,
        ProjectContext,
    )


class Fixability(str, Enum):
    """Which fixes a rule offers, as ``mllint rules`` shows them. A safe fix
    cannot change what correct code does and ``--fix`` applies it; an unsafe one
    might, and only ``--unsafe-fixes`` applies it."""

    NONE = "no"
    SAFE = "safe"
    UNSAFE = "unsafe"
    #: safe where the rule can tell the change keeps the behaviour, unsafe elsewhere
    SAFE_OR_UNSAFE = "safe/unsafe"


class Scope(str, Enum):
    PROJECT = "project"
    MODULE = "module"
    NOTEBOOK = "notebook"


CATEGORIES: dict[str, str] = {
    "ML0": "engine",
    "ML1": "data",
    "ML2": "reproducibility",
    "ML3": "model",
    "ML4": "testing",
    "ML5": "deployment",
    "ML6": "security",
    "ML7": "api-misuse",
    "ML8": "notebook",
}

_CODE = re.compile(r"ML\d{3}")
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class Rule:
    """Metadata shared by every rule kind. Subclasses set the class variables."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    scope: ClassVar[Scope]
    fixable: ClassVar[Fixability] = Fixability.NONE
    options: ClassVar[dict[str, Option]] = {}
    #: Rules that only make sense in a project using ML libraries.
    ml_only: ClassVar[bool] = False
    #: Findings point at secrets: reporters never echo their source lines.
    redact_source: ClassVar[bool] = False
    #: The roles of the files the rule applies to (``mllint.project.layout.Role``);
    #: the engine does not run a file rule on other files. Project rules decide
    #: themselves, from ``project.role(path)``.
    roles: ClassVar[frozenset[Role]] = frozenset(Role)
    #: The shared analyses the rule asks the project context for; their
    #: options are validated with the rule's and shown by ``mllint explain``.
    analyses: ClassVar[tuple[type["Analysis"], ...]] = ()
    #: How far the rule's own code reads beyond its file (``Reach``); what its
    #: analyses read is added by ``reach()``. Project rules read the project.
    reads: ClassVar[Reach] = Reach.FILE

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A malformed code or name fails where the rule is defined, not in a run."""
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            if not _CODE.fullmatch(cls.code):
                raise TypeError(f"{cls.__name__}: rule code {cls.code!r} is not ML + three digits")
            if not _NAME.fullmatch(cls.name):
                raise TypeError(f"{cls.__name__}: rule name {cls.name!r} is not kebab-case")

    @classmethod
    def category(cls) -> str:
        return CATEGORIES[cls.code[:3]]

    @classmethod
    def reach(cls) -> Reach:
        """What the rule's findings depend on beyond its file: its own reads and its analyses'."""
        return functools.reduce(operator.or_, (analysis.reads for analysis in cls.analyses), cls.reads)


class _FileRule(Rule):
    """What module-scoped rules share: the text pre-filter."""

    scope: ClassVar[Scope] = Scope.MODULE
    #: Substrings of which at least one must occur in the file's text for the
    #: rule to run (empty: always run). They keep files no rule can fire on
    #: from ever being analysed, and from being parsed with libcst.
    triggers: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def applies_to(cls, text: str) -> bool:
        """Whether the rule can fire on a module with this text. An override reads
        the text and ``triggers`` alone: rules sharing both share one answer per
        file (``gate_key``), as the serving rules share theirs."""
        return not cls.triggers or any(t in text for t in cls.triggers)

    @classmethod
    def gate_key(cls) -> tuple[object, tuple[str, ...]]:
        """What ``applies_to``'s answer depends on besides the text."""
        return cls.applies_to.__func__, cls.triggers  # type: ignore[attr-defined]


class ModuleRule(_FileRule):
    """A rule over one module's libcst tree.

    Implement ``visit_<Node>``/``leave_<Node>`` methods; call ``self.report``.
    ``leave_Module`` runs last and suits whole-file conclusions.
    """

    #: the node types whose ``visit_``/``leave_`` methods the class defines,
    #: found once when the class is defined so the traversal need not look
    node_hooks: ClassVar[tuple[tuple[str, ...], tuple[str, ...]]] = ((), ())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        visits, leaves = [], []
        for attr in dir(cls):
            member = getattr(cls, attr, None)
            if not callable(member):
                continue
            if attr.startswith("visit_") and attr.count("_") == 1:
                visits.append(attr[len("visit_"):])
            elif attr.startswith("leave_") and attr.count("_") == 1:
                leaves.append(attr[len("leave_"):])
        cls.node_hooks = (tuple(visits), tuple(leaves))

    def __init__(self, ctx: "ModuleContext") -> None:
        super().__init__()
        self.ctx = ctx

    @classmethod
    def can_fire(cls, ctx: "ModuleContext") -> bool:
        """A second, exact pre-filter after ``triggers``, asked before the file is
        parsed with libcst: whether the module's stdlib ``ast`` (``ctx.index.tree``)
        holds anything the rule reports on. Parsing and walking with libcst costs
        about 9x ``ast.parse``, so a rule whose triggers match many files it never
        fires on (a word such as "save") should answer from the ``ast`` here."""
        return True

    @classmethod
    def lines_read(cls, ctx: "ModuleContext") -> Collection[int] | None:
        """The lines of the nodes the rule may report, when all it reads besides
        is the function around each and the module's statements outside functions
        and classes; None (the default) when it may read anything. Asked after
        ``can_fire``: if every rule running on a file names its lines, libcst
        parses the file with the other functions left blank
        (``mllint.syntax.pruning``), a fraction of the whole."""
        return None

    def report(self, node: cst.CSTNode, message: str, fix: Fix | None = None) -> None:
        self.ctx.report_node(self.code, node, message, fix)


class SourceRule(_FileRule):
    """A module rule that needs no libcst tree: it reads the module's text, its
    entry in the project index and other modules (typically with the stdlib
    ``ast``), and reports positions it found itself.

    A file on which only source rules fire is never parsed with libcst, which
    costs about 5x ``ast.parse`` and another 4x to walk.
    """

    def __init__(self, ctx: "ModuleContext") -> None:
        self.ctx = ctx

    def check(self) -> None:
        raise NotImplementedError

    def report(
        self,
        line: int,
        column: int,
        message: str,
        end_line: int | None = None,
        end_column: int | None = None,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> None:
        """Report at 1-based *line* and *column* of the module's text; a *fix*'s
        edits use the same coordinates (a notebook's concatenated cells)."""
        self.ctx.report_at(self.code, line, column, message, end_line, end_column, severity, fix)


class NotebookRule(Rule):
    """A rule over a notebook's cells, outputs and metadata."""

    scope: ClassVar[Scope] = Scope.NOTEBOOK

    def check(self, nb: "NotebookContext") -> None:
        raise NotImplementedError


class ProjectRule(Rule):
    """A rule over the whole repository. It runs once per project root."""

    scope: ClassVar[Scope] = Scope.PROJECT
    reads: ClassVar[Reach] = Reach.PROJECT

    def check(self, project: "ProjectContext") -> None:
        raise NotImplementedError


class EngineDiagnostic(Rule):
    """Codes the engine itself emits (ML000-ML003); they have no check method."""
