"""The rule framework: what a rule is, how it declares itself, how it reports.

A rule is one small class in ``mllint/checks/<category>.py``. Defining the
class registers it (``__init_subclass__``); its document in ``rules/`` gives the
user-facing text. Three kinds exist, by what they look at:

- ``ModuleRule``: one Python module or notebook, as a libcst tree. Module rules
  are batched: one traversal of each tree serves every enabled rule, and a tree
  is only built when some rule's ``triggers`` occur in the file's text.
- ``NotebookRule``: a notebook's structure (cells, outputs, metadata).
- ``ProjectRule``: the repository as a whole (files, configs, git, DVC, the
  project index of every module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator

import libcst as cst

from mllint.engine.findings import Fix, Severity

if TYPE_CHECKING:
    from mllint.engine.context import ModuleContext, NotebookContext, ProjectContext


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


@dataclass(frozen=True)
class Option:
    """A configurable rule option (``[tool.mllint.rules.<code>]``).

    ``kind`` is one of "int", "bool", "str", "str-list", "size" (a byte size
    such as ``"5MiB"``); config validation and ``mllint explain`` use it.
    """

    default: Any
    kind: str
    help: str


class Rule:
    """Metadata shared by every rule kind. Subclasses set the class variables."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    scope: ClassVar[Scope]
    fixable: ClassVar[bool] = False
    options: ClassVar[dict[str, Option]] = {}
    #: Rules that only make sense in a project using ML libraries.
    ml_only: ClassVar[bool] = False
    #: Findings point at secrets: reporters never echo their source lines.
    redact_source: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            _register(cls)

    @classmethod
    def category(cls) -> str:
        return CATEGORIES[cls.code[:3]]


class _FileRule(Rule):
    """What module-scoped rules share: the text pre-filter."""

    scope: ClassVar[Scope] = Scope.MODULE
    #: Substrings of which at least one must occur in the file's text for the
    #: rule to run (empty: always run). They keep files no rule can fire on
    #: from ever being analysed, and from being parsed with libcst.
    triggers: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return not cls.triggers or any(t in text for t in cls.triggers)


class ModuleRule(_FileRule, cst.BatchableCSTVisitor):
    """A rule over one module's libcst tree.

    Implement ``visit_<Node>``/``leave_<Node>`` methods; call ``self.report``.
    ``leave_Module`` runs last and suits whole-file conclusions.
    """

    def __init__(self, ctx: "ModuleContext") -> None:
        super().__init__()
        self.ctx = ctx

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
    ) -> None:
        """Report at 1-based *line* and *column* of the module's text."""
        self.ctx.report_at(self.code, line, column, message, end_line, end_column, severity)


class NotebookRule(Rule):
    """A rule over a notebook's cells, outputs and metadata."""

    scope: ClassVar[Scope] = Scope.NOTEBOOK

    def check(self, nb: "NotebookContext") -> None:
        raise NotImplementedError


class ProjectRule(Rule):
    """A rule over the whole repository. It runs once per project root."""

    scope: ClassVar[Scope] = Scope.PROJECT

    def check(self, project: "ProjectContext") -> None:
        raise NotImplementedError


class EngineDiagnostic(Rule):
    """Codes the engine itself emits (ML000-ML003); they have no check method."""


_REGISTRY: dict[str, type[Rule]] = {}


def _register(cls: type[Rule]) -> None:
    code, name = cls.code, cls.name
    if not _CODE.fullmatch(code):
        raise TypeError(f"{cls.__name__}: rule code {code!r} is not ML + three digits")
    if not _NAME.fullmatch(name):
        raise TypeError(f"{cls.__name__}: rule name {name!r} is not kebab-case")
    for other in _REGISTRY.values():
        if other.code == code or other.name == name:
            raise TypeError(f"{cls.__name__} reuses the code or name of {other.__name__}")
    _REGISTRY[code] = cls


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule by code, sorted. Importing the checks registers them."""
    import mllint.checks  # noqa: F401  (import for its side effect: registration)

    return dict(sorted(_REGISTRY.items()))


def rule_by_code(code: str) -> type[Rule]:
    return all_rules()[code]


def iter_rules(kind: type[Rule], codes: Iterable[str]) -> Iterator[type[Rule]]:
    rules = all_rules()
    for code in sorted(codes):
        rule = rules.get(code)
        if rule is not None and issubclass(rule, kind):
            yield rule
