"""Plain-data results of linting: severities, findings and their fixes, and how
far a rule's findings depend on more than its file.

The engine's leaf module. Findings and fixes are plain, picklable values that
never hold CST nodes, so reporters and any later consumer can keep them after
the trees are gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntFlag


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls(text.strip().lower())


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Reach(IntFlag):
    """What a file rule's findings depend on beyond its own file: what the result
    cache (``engine/cache.py``) keys the rule's findings on, so that a change
    elsewhere re-runs exactly the rules it can affect. A set of what is read:
    a rule reaches what its own code and its analyses read (``Rule.reach``), and
    what it does not read does not key its findings (ML601 reads the settings,
    for the torch version, and no imported module: editing one leaves its
    findings cached). tests/test_reach.py runs every rule with its reads
    recorded and fails when one reads beyond what it declares."""

    #: the file's own text, syntax tree and index entry, its path and role
    FILE = 0
    #: the project modules the file imports, directly or through others (their
    #: text, trees and index entries), and which modules the project has
    IMPORTS = 1
    #: the project's settings: its list of files (so also which modules it has),
    #: every file that is not a Python module or notebook (dependency
    #: declarations, packaging and tool configuration, DVC files, data files by
    #: size) and the modules that configure rather than run: ``setup.py`` and
    #: pytest's ``conftest.py``; with the facts drawn from them
    #: (``ProjectContext.kind``, ``dvc``, ``dependencies``)
    SETTINGS = 2
    #: whether another project module imports the file
    #: (``ProjectIndex.is_imported``): a script nobody imports is an entry point
    GRAPH = 4
    #: whole-project answers of analyses that are small enough to key results by
    #: (``Analysis.answer``): whether the project tracks experiments, which of
    #: its functions save models. An edit re-runs the rule only when an answer
    #: changes
    ANSWERS = 8
    #: anything in the project: every module, git's view of the files, the CI
    #: configuration with the scripts its commands run
    PROJECT = 31

    @property
    def keyed_by_state(self) -> bool:
        """Whether results of this reach are keyed by what the whole project's
        modules decide (``engine.cache.ProjectState``: import closures, the import
        graph, the analyses' answers), which is known once the project is indexed."""
        return self != Reach.PROJECT and bool(self & (Reach.IMPORTS | Reach.GRAPH | Reach.ANSWERS))


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions (1-based lines and columns)."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True)
class Fix:
    """A proposed change, shown in ``--format json``. ``safe`` fixes cannot change
    the behaviour of correct code; the others are suggestions."""

    message: str
    edits: tuple[Edit, ...]
    safe: bool = True
    #: The fix also empties the ``outputs`` of the finding's notebook cell: what
    #: a notebook rule offers when the problem is in saved outputs, not in code.
    clear_outputs: bool = False

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "message": self.message,
            "applicability": "safe" if self.safe else "unsafe",
            "edits": [
                {
                    "line": e.line,
                    "column": e.column,
                    "end_line": e.end_line,
                    "end_column": e.end_column,
                    "content": e.content,
                }
                for e in self.edits
            ],
        }
        if self.clear_outputs:
            data["clear_outputs"] = True
        return data


@dataclass(frozen=True)
class _Located:
    """What every report says: which rule, what, and where (1-based lines and
    columns; line 0 means "about the whole file")."""

    code: str
    message: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    cell: int | None = None
    fix: Fix | None = None


@dataclass(frozen=True)
class Finding(_Located):
    """One reported problem, as users see it.

    ``path`` is the POSIX path as shown to the user (relative to the current
    directory); ``"."`` when the finding is about the project. For notebooks
    ``cell`` is 1-based among all cells and the line/columns are within that cell.
    """

    path: str = "."
    severity: Severity = Severity.WARNING
    #: the .ipynb file's own line for notebook findings (CI formats anchor there)
    physical_line: int | None = field(default=None, compare=False)
    #: the reported source line, for ``--show-source``
    source_line: str | None = field(default=None, compare=False)
    #: identity across edits elsewhere in the file (``engine/fingerprints.py``)
    fingerprint: str = field(default="", compare=False)

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code, self.message)


@dataclass(frozen=True)
class RawFinding(_Located):
    """A finding before suppressions, severity and notebook mapping: lines of a
    notebook refer to its concatenated Python source unless ``cell`` is set."""

    path: str | None = None  # project rules: POSIX path relative to the root
    #: This finding's severity when it differs from the rule's default (e.g. a
    #: risk that depends on where the data comes from); configuration still wins.
    severity: Severity | None = None
