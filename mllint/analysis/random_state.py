"""Which library callables take a seed, and when leaving it unset matters (rule ML202).

The data lives in ``mllint/data/random_state.json``, generated offline by
``scripts/generate_random_state_table.py`` from the installed scikit-learn,
lightgbm, xgboost and catboost: mllint never imports those libraries itself.

A call is described to :func:`needs_random_state` the way a static analyser sees
it: the keyword arguments with their *literal* values (or :data:`UNKNOWN` when
the value is a name, call or other expression), how many positional arguments
were given, and whether a ``**mapping`` was splatted in. Whenever the analyser
cannot know, the answer leans towards "not needed": a false alarm about seeding
costs users more trust than a missed one.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable, Final, Mapping

from mllint.engine.context import Analysis, ProjectContext
from mllint.engine.findings import Reach


class _Unknown(enum.Enum):
    """Type of :data:`UNKNOWN`; an enum so the sentinel survives pickling between workers."""

    UNKNOWN = "UNKNOWN"

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown.UNKNOWN
"""Value of a keyword argument that is not a literal (a variable, call, ...)."""


def _is_fold_count(value: object) -> bool:
    # An int (not bool) or None means "build a splitter"; anything else is a splitter object.
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


_OPS: Final[dict[str, Callable[[object, tuple[object, ...]], bool]]] = {
    "truthy": lambda value, _values: bool(value),
    "in": lambda value, values: value in values,
    "float": lambda value, _values: isinstance(value, float),
    "folds": lambda value, _values: _is_fold_count(value),
}

_OP_TEXT: Final[dict[str, str]] = {
    "truthy": "is truthy",
    "float": "is a float",
    "folds": "is a fold count (int or None)",
}


@dataclass(frozen=True)
class Clause:
    """One test on one keyword argument, e.g. ``shuffle`` is truthy."""

    keyword: str
    op: str
    default: object
    values: tuple[object, ...] = ()
    positional_index: int | None = None

    def holds(self, keywords: Mapping[str, object], positional_count: int) -> bool:
        """Whether the test is known to pass for this call.

        A non-literal value, or the keyword passed positionally (whose value the
        caller did not give us), counts as "not known to pass".
        """
        if self.keyword in keywords:
            value = keywords[self.keyword]
        elif self.positional_index is not None and positional_count > self.positional_index:
            return False
        else:
            value = self.default
        if value is UNKNOWN:
            return False
        return _OPS[self.op](value, self.values)

    def describe(self) -> str:
        """Human-readable form for messages, e.g. "`solver` in {'sag'} (default 'lbfgs')"."""
        if self.op == "in":
            test = "in {" + ", ".join(repr(value) for value in self.values) + "}"
        else:
            test = _OP_TEXT[self.op]
        return f"`{self.keyword}` {test} (default {self.default!r})"


@dataclass(frozen=True)
class Condition:
    """When the seed matters: any alternative holds, each needing all its clauses."""

    alternatives: tuple[tuple[Clause, ...], ...]

    def holds(self, keywords: Mapping[str, object], positional_count: int) -> bool:
        """Whether randomness is known to affect this call."""
        return any(
            all(clause.holds(keywords, positional_count) for clause in alternative)
            for alternative in self.alternatives
        )

    def describe(self) -> str:
        """Human-readable form, e.g. "`shuffle` is truthy (default True)"."""
        return " or ".join(
            " and ".join(clause.describe() for clause in alternative)
            for alternative in self.alternatives
        )


@dataclass(frozen=True)
class RandomStateEntry:
    """A callable whose result depends on a seed argument.

    ``qualname`` is the canonical public import path. ``aliases`` are other
    keyword names that set the same seed (``seed`` for xgboost). ``positional_index``
    is where the seed may be passed positionally (None: keyword-only).
    ``max_positional`` is how many positional arguments the signature accepts
    (None: unlimited). ``default`` is the seed's default; an int default means the
    callable is already reproducible. ``condition`` is None when the seed always
    matters.
    """

    qualname: str
    param: str
    aliases: tuple[str, ...]
    positional_index: int | None
    condition: Condition | None
    default: object = None
    max_positional: int | None = None


def _clause(raw: Mapping[str, Any]) -> Clause:
    op = raw["op"]
    if op not in _OPS:
        raise ValueError(f"unknown condition op {op!r} in random_state.json")
    return Clause(
        keyword=raw["keyword"],
        op=op,
        default=raw.get("default"),
        values=tuple(raw.get("values", ())),
        positional_index=raw.get("positional_index"),
    )


def _entry(qualname: str, raw: Mapping[str, Any]) -> RandomStateEntry:
    when = raw.get("when")
    condition = (
        Condition(tuple(tuple(_clause(clause) for clause in alt) for alt in when)) if when else None
    )
    return RandomStateEntry(
        qualname=qualname,
        param=raw["param"],
        aliases=tuple(raw.get("aliases", ())),
        positional_index=raw.get("positional_index"),
        condition=condition,
        default=raw.get("default"),
        max_positional=raw.get("max_positional"),
    )


@dataclass(frozen=True)
class RandomStateTable(Analysis):
    """The table, read once per run from the package data (through
    importlib.resources, so that it works from a wheel or zip)."""

    #: entries by canonical path
    entries: Mapping[str, RandomStateEntry]
    #: other public paths mapped to canonical ones
    paths: Mapping[str, str]

    name = "random-state-table"
    reads = Reach.IMPORTS

    @classmethod
    def load(cls) -> "RandomStateTable":
        text = resources.files("mllint.data").joinpath("random_state.json").read_text("utf-8")
        data = json.loads(text)
        return cls({name: _entry(name, raw) for name, raw in data["entries"].items()}, dict(data["paths"]))

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "RandomStateTable":
        return cls.load()

    def lookup(self, qualified_name: str) -> RandomStateEntry | None:
        """The entry for a fully qualified public name, e.g. ``sklearn.model_selection.KFold``.

        Any public path works (``sklearn.utils.extmath.randomized_svd`` as well as
        ``sklearn.decomposition.randomized_svd``); private module paths do not.
        """
        return self.entries.get(self.paths.get(qualified_name, qualified_name))


def _is_fixed_seed(default: object) -> bool:
    return isinstance(default, int) and not isinstance(default, bool)


def needs_random_state(
    entry: RandomStateEntry,
    keywords: Mapping[str, object],
    positional_count: int,
    has_star_kwargs: bool,
) -> bool:
    """Whether a call to ``entry`` leaves randomness unseeded and should be reported.

    ``keywords`` maps each keyword argument to its literal value or :data:`UNKNOWN`.
    For a ``*args`` splat pass a ``positional_count`` large enough to cover any
    position (e.g. ``sys.maxsize``): the seed might be among the arguments.

    Not needed when the seed (or an alias) is passed with any value, when a
    ``**mapping`` is splatted, when the seed's position is covered by positional
    arguments, when there are more positional arguments than the recorded
    signature accepts (an older API or a different object), when the default seed
    is a fixed int, or when a condition is not known to hold.
    """
    if has_star_kwargs:
        return False
    if entry.param in keywords or any(alias in keywords for alias in entry.aliases):
        return False
    if entry.positional_index is not None and positional_count > entry.positional_index:
        return False
    if entry.max_positional is not None and positional_count > entry.max_positional:
        return False
    if _is_fixed_seed(entry.default):
        return False
    return entry.condition is None or entry.condition.holds(keywords, positional_count)
