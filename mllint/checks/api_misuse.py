"""ML7xx API misuse: calls that run without error and silently do something else.

- ML705 compares with NaN by ``==``/``!=`` (always False/True) and offers the
  ``isna``/``isnan`` call meant, as an unsafe fix.
- ML706 and ML707 are pandas rules: chained indexing in an assignment writes into
  an intermediate object, and ``df.dropna()`` as a statement throws its result
  away. Both judge an object to be pandas only by its origin
  (:mod:`mllint.analysis.dataframes`): a polars frame, an xarray dataset, a NumPy
  array or an object of unknown type with a method of the same name is never
  reported.
- ML710 (info) reports estimators and optimisers built without the
  hyperparameter whose default fits no particular data.

All four read the module's stdlib ``ast`` (a notebook's code cells as one module),
and only where something can be reported (issue #11: they run on every commit).
Before the tree is read (it may have to be parsed again), ``may_fire`` rules the
module out, exactly, from its text and its index entry: ML705 needs an ``==`` or
``!=`` next to a NaN in the text, ML710 a call of one of its classes among the
index's call sites, ML706 and ML707 a pandas import (see
:mod:`mllint.analysis.dataframes` for their further filters). ML705 and ML710 then
read only the statements whose lines take in those texts and calls (``_regions``),
not the whole module.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from itertools import pairwise
from typing import NamedTuple

from mllint.analysis.dataframes import (
    ACCESSOR_ATTRIBUTE,
    ACCESSORS,
    INDEXERS,
    LEAVES,
    SCALAR_INDEXERS,
    FrameFacts,
    Kind,
    PandasInference,
    Suspects,
    may_hold_frames,
    may_select,
)
from mllint.engine.findings import Edit, Fix, Severity
from mllint.engine.messages import shown
from mllint.engine.rules import Fixability, SourceRule
from mllint.project.index import dotted_name
from mllint.project.layout import NOT_TESTS, OWN_CODE
from mllint.syntax.ast_positions import AstPositions

#: Text that must occur in a module for pandas objects to be inferred in it at all.
_PANDAS_TRIGGERS = ("pandas", "seaborn", "as_frame", "to_pandas", "toPandas")


class _AstRule(SourceRule):
    """A rule over the module's ``ast``: ``may_fire`` rules the module out from its
    text and index entry, ``inspect`` finds, ``at`` reports a node."""

    def check(self) -> None:
        if not self.may_fire():
            return
        tree = self.ctx.index.tree(self.ctx.path)
        if tree is not None:
            self.inspect(tree)

    def may_fire(self) -> bool:
        """An exact pre-filter, asked before the tree is read (which may mean parsing
        the module again: the index keeps only the latest trees): False only when
        nothing in the module can be reported."""
        return True

    def inspect(self, tree: ast.Module) -> None:
        raise NotImplementedError

    @cached_property
    def positions(self) -> AstPositions:
        return AstPositions(self.ctx.source)

    def at(self, node: ast.AST, message: str, fix: Fix | None = None) -> None:
        line, column, end_line, end_column = self.positions.range(node)
        self.report(line, column, message, end_line, end_column, fix=fix)

    def text(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.ctx.source, node) or ast.unparse(node)


#: Context managers whose block is expected to raise or warn: a call there is made
#: for the exception, not for its result.
_EXPECTING = frozenset({"raises", "warns", "deprecated_call", "assertRaises", "assertRaisesRegex", "assertWarns",
                        "assertWarnsRegex"})


def _statements(body: list[ast.stmt]) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement under *body*, function and class bodies included (in no
    particular order), with whether it runs where an exception is expected (a
    ``try`` with handlers, a ``pytest.raises`` block): there a call may be made only
    to see whether it raises."""
    pending = [(statement, False) for statement in reversed(body)]
    while pending:
        statement, expecting = pending.pop()
        yield statement, expecting
        blocks: list[tuple[list[ast.stmt], bool]]
        if isinstance(statement, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            blocks = [(statement.body, expecting or bool(statement.handlers)),
                      *((handler.body, expecting) for handler in statement.handlers),
                      (statement.orelse, expecting), (statement.finalbody, expecting)]
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            expects = any(_last_name(item.context_expr) in _EXPECTING for item in statement.items)
            blocks = [(statement.body, expecting or expects)]
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            blocks = [(statement.body, False)]
        elif isinstance(statement, ast.Match):
            blocks = [(case.body, expecting) for case in statement.cases]
        else:
            inners = (getattr(statement, "body", None), getattr(statement, "orelse", None))
            blocks = [(inner, expecting) for inner in inners if isinstance(inner, list)]
        for block, inside in blocks:
            pending.extend((inner, inside) for inner in reversed(block))


class _Region(NamedTuple):
    """Part of a module: a simple statement, or one header value of a compound
    statement (a test, an iterable, a decorator, the arguments of a ``def``), with
    the compound statements it lies in, outermost first."""

    node: ast.AST
    around: tuple[ast.stmt, ...]


def _regions(body: list[ast.stmt], lines: list[int], around: tuple[ast.stmt, ...] = ()) -> Iterator[_Region]:
    """Regions under *body*, each once, among which every node whose lines take in
    one of the sorted *lines* lies: a statement's lines (from its first decorator)
    take in all of its parts, so a statement that takes in none of *lines* is
    skipped whole, and a compound one that does is entered block by block (its
    header values are regions). Costs the statements on the way, not the module."""
    for statement in body:
        decorators = getattr(statement, "decorator_list", None)
        first = min(statement.lineno, *(d.lineno for d in decorators)) if decorators else statement.lineno
        at = bisect.bisect_left(lines, first)
        if at == len(lines) or lines[at] > (statement.end_lineno or statement.lineno):
            continue
        blocks = _BLOCKS.get(type(statement))
        if blocks is None:
            yield _Region(statement, around)
            continue
        inner = (*around, statement)
        for name in statement._fields:
            if name not in blocks and name not in _CLAUSES:
                yield from (_Region(part, inner) for part in _parts(getattr(statement, name)))
        for clause in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            heads = (clause.type,) if isinstance(clause, ast.ExceptHandler) else (clause.pattern, clause.guard)
            yield from (_Region(part, inner) for part in heads if part is not None)
            yield from _regions(clause.body, lines, inner)
        for name in blocks:
            yield from _regions(getattr(statement, name), lines, inner)


#: the statement blocks of each kind of compound statement
_BLOCKS: Mapping[type, tuple[str, ...]] = {
    **{kind: ("body",) for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.AsyncWith)},
    **{kind: ("body", "orelse") for kind in (ast.For, ast.AsyncFor, ast.While, ast.If)},
    **{kind: ("body", "orelse", "finalbody") for kind in (ast.Try, getattr(ast, "TryStar", ast.Try))},
    ast.Match: (),
}
#: the fields of compound statements whose items have a header and a block of their own
_CLAUSES = ("handlers", "cases")


def _parts(value: object) -> Iterator[ast.AST]:
    if isinstance(value, ast.AST):
        yield value
    elif isinstance(value, list):
        yield from (item for item in value if isinstance(item, ast.AST))


def _nodes(root: ast.AST) -> Iterator[ast.AST]:
    """*root* and every node under it but names, constants, contexts and operators
    (in no particular order): ``ast.walk`` for the rules' purposes, at half its cost."""
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, ast.AST) and type(item) not in LEAVES)
            elif isinstance(value, ast.AST) and type(value) not in LEAVES:
                pending.append(value)


def _lines(source: str, *patterns: re.Pattern[str]) -> list[int]:
    """The lines any of *patterns* matches on (where the match starts), sorted,
    numbered as ``ast`` numbers them."""
    starts = sorted(match.start() for pattern in patterns for match in pattern.finditer(source))
    found: list[int] = []
    line, position = 1, 0
    for start in starts:
        line += len(_NEWLINES.findall(source, position, start))
        position = start
        if not found or found[-1] != line:
            found.append(line)
    return found


#: what ``ast`` counts lines by
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _last_name(node: ast.expr) -> str | None:
    """``raises`` for ``pytest.raises(ValueError)``, ``self.assertRaises(E)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


# ------------------------------------------------------------------------ ML705


#: missing-value constants, by what they are: "nan" (a float), "tensor" (``torch.nan``,
#: which only ``torch.isnan`` tests on tensors), "NA" and "NaT" (only pandas tests them)
_NAN_NAMES: Mapping[str, str] = {
    "numpy.nan": "nan", "numpy.NaN": "nan", "numpy.NAN": "nan", "math.nan": "nan",
    "torch.nan": "tensor", "pandas.NA": "NA", "pandas.NaT": "NaT",
}
_FLOAT_CALLS = frozenset({"float", "numpy.float64", "numpy.float32", "numpy.float16", "numpy.double"})
#: the texts ``float`` reads as NaN that code spells (``float("nAn")`` would escape the triggers)
_NAN_TEXT = frozenset(f"{sign}{word}" for sign in ("", "+", "-") for word in ("nan", "NaN", "NAN", "Nan"))
#: the test a library offers: (is missing, is not missing)
_TESTS: Mapping[str, tuple[str, str]] = {
    "pandas": ("{ns}.isna({x})", "{ns}.notna({x})"),
    "numpy": ("{ns}.isnan({x})", "~{ns}.isnan({x})"),
    "torch": ("{ns}.isnan({x})", "~{ns}.isnan({x})"),
    "math": ("{ns}.isnan({x})", "not {ns}.isnan({x})"),
}
#: the libraries whose test the fix may use for a kind of constant, by preference:
#: ``pd.isna`` accepts anything, ``np.isnan`` numbers and arrays, ``math.isnan`` numbers only
_CANDIDATES: Mapping[str, tuple[str, ...]] = {
    "nan": ("pandas", "numpy", "math"), "tensor": ("torch",), "NA": ("pandas",), "NaT": ("pandas",),
}
#: the last part of every name in ``_NAN_NAMES``: a NaN operand spelled by name ends
#: with one of these words, or with a local alias of such a name
_NAN_WORDS = ("nan", "NaN", "NAN", "NA", "NaT")


def _nan_comparisons(words: Iterable[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The text of an ``==``/``!=`` with a NaN operand next to it, on either side: a
    dotted name ending in one of *words*, or a one-argument call (``float``) of a
    string literal that strips to a ``_NAN_TEXT``. Between the operator, brackets,
    dots and names there may be what Python allows there: spaces, line breaks,
    backslash continuations and up to a few comments (a comment runs to its line's
    end, so no text matches in two ways; and a bounded number of them keeps a
    search from rescanning a block of comments from every dot or word before it)."""
    skip = r"[\s\\]*(?:#[^\r\n]*[\r\n][\s\\]*){0,4}"
    opening = r"[\s\\(]*(?:#[^\r\n]*[\r\n][\s\\(]*){0,4}"  # what may stand between an operator and its operand
    closing = r"[\s\\),]*(?:#[^\r\n]*[\r\n][\s\\),]*){0,4}"  # ... between an operand and an operator
    dotted = rf"(?:[A-Za-z_]\w*{skip}\.{skip})*"
    word = rf"\b(?:{'|'.join(map(re.escape, words))})\b"
    space = r"(?:\s|\\(?:[tnrvf\n]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[0-7]{1,3}))*"
    text = r"[+-]?(?:nan|NaN|NAN|Nan)"
    operator = r"(?:==|!=)"
    right = rf"{operator}{opening}{dotted}(?:{word}|[A-Za-z_]\w*{skip}\({opening}[rRuU]?[\"']{{1,3}}{space}{text})"
    # the operand before the operator: a word ending a name, or the text ending a
    # literal (starting with the word keeps the search fast: it has a literal prefix)
    ends = "|".join(map(re.escape, sorted({*words, "nan", "NaN", "NAN", "Nan"})))
    left = rf"(?:{ends})(?:\b{closing}{operator}|{space}[\"']{{1,3}}{closing}{operator})"
    return re.compile(right), re.compile(left)  # apart, each keeps its literal prefix: twice as fast


_NAN_COMPARISONS = _nan_comparisons(_NAN_WORDS)


class NanEquality(_AstRule):
    """``x == np.nan`` is always False: NaN is unequal to everything, itself included."""

    code = "ML705"
    name = "nan-equality"
    severity = Severity.ERROR
    fixable = Fixability.UNSAFE
    roles = OWN_CODE
    triggers = ("nan", "Na", "NA")

    def may_fire(self) -> bool:
        return bool(self._comparison_lines)

    @cached_property
    def _comparison_lines(self) -> list[int]:
        """The lines where an ``==``/``!=`` stands next to a NaN (``_nan_comparisons``):
        a name of one (``np.nan``), a local alias of one (``from numpy import nan as
        missing``) or a ``float("nan")``. A comparison reported holds such a text, so
        its lines take in the line the text starts on."""
        source = self.ctx.source
        if "==" not in source and "!=" not in source:
            return []
        aliases = [local for local, target in self.ctx.info.aliases.items() if target in _NAN_NAMES]
        return _lines(source, *(_nan_comparisons((*_NAN_WORDS, *aliases)) if aliases else _NAN_COMPARISONS))

    def inspect(self, tree: ast.Module) -> None:
        compares = [node for region in _regions(tree.body, self._comparison_lines) for node in _nodes(region.node)
                    if isinstance(node, ast.Compare)]
        imports = _top_level_imports(tree) if compares else {}
        for node in compares:
            operands = [node.left, *node.comparators]
            for position, operator in enumerate(node.ops):
                if not isinstance(operator, (ast.Eq, ast.NotEq)):
                    continue
                left, right = operands[position], operands[position + 1]
                left_nan, right_nan = self._nan(left), self._nan(right)
                nan = left_nan or right_nan
                if nan is None or (left_nan and right_nan):
                    continue  # no NaN, or NaN against NaN (a demonstration)
                operand = right if left_nan else left
                negated = isinstance(operator, ast.NotEq)
                fix = self._fix(node, operand, nan, negated, imports) if len(node.ops) == 1 else None
                self.at(node, self._message(node, nan, negated, fix), fix)
                break

    def _nan(self, node: ast.expr) -> str | None:
        """The kind of missing-value constant *node* is (see ``_NAN_NAMES``), if it is one."""
        dotted = dotted_name(node)
        if dotted is not None:
            return _NAN_NAMES.get(self.ctx.info.qualify(dotted) or "")
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            name = dotted_name(node.func)
            qualified = (self.ctx.info.qualify(name) or name) if name is not None else None
            argument = node.args[0]
            if (qualified in _FLOAT_CALLS and isinstance(argument, ast.Constant)
                    and isinstance(argument.value, str) and argument.value.strip() in _NAN_TEXT):
                return "nan"
        return None

    def _fix(self, node: ast.Compare, operand: ast.expr, nan: str, negated: bool,
             imports: dict[str, tuple[str, int]]) -> Fix | None:
        """The test meant, through a library the module already imported before the
        comparison; None when none fits (no import is ever added)."""
        for library in _CANDIDATES[nan]:
            imported = imports.get(library)
            if imported is not None and imported[1] < node.lineno:
                template = _TESTS[library][negated]
                replacement = template.format(ns=imported[0], x=self.text(operand))
                line, column, end_line, end_column = self.positions.range(node)
                return Fix(f"replace with `{shown(replacement)}`",
                           (Edit(line, column, end_line, end_column, replacement),), safe=False)
        return None

    def _message(self, node: ast.Compare, nan: str, negated: bool, fix: Fix | None) -> str:
        compared = f"`{shown(self.text(node))}`"
        if nan == "NA":
            what = f"{compared} gives `pd.NA`, never True (and `if` on it raises): `pd.NA` propagates through comparisons"
        else:
            always = "True" if negated else "False"
            value = "NaT" if nan == "NaT" else "NaN"
            what = f"{compared} is always {always}: {value} is unequal to everything, itself included"
        if fix is not None:
            return f"{what}; {fix.message.replace('replace with', 'use')}"
        tests = "`pd.notna(x)` or `~np.isnan(x)`" if negated else "`pd.isna(x)` or `np.isnan(x)`"
        return f"{what}; use {tests}"


def _top_level_imports(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """``import numpy as np`` at module level: library -> (local name, line), the first one."""
    found: dict[str, tuple[str, int]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name in _TESTS:
                    found.setdefault(alias.name, (alias.asname or alias.name, statement.lineno))
    return found


# ------------------------------------------------------------------------ ML706


class _PandasRule(_AstRule):
    """A rule about pandas objects: it runs only where one can arise, and asks the
    inference (the costly part) only when the module has a statement it would report
    if the objects involved were pandas ones."""

    triggers = _PANDAS_TRIGGERS
    analyses = (PandasInference,)

    def may_fire(self) -> bool:
        return may_hold_frames(self.ctx.info, self.ctx.source)

    def frames(self, tree: ast.Module) -> FrameFacts:
        return self.ctx.project.analysis(PandasInference).facts(tree, self.ctx.info)

    def suspects(self, tree: ast.Module) -> Suspects:
        return self.ctx.project.analysis(PandasInference).suspects(tree, self.ctx.info, self.ctx.source)


class ChainedAssignment(_PandasRule):
    """``df["a"][mask] = v`` writes into an intermediate object, maybe a copy: ``df`` may not change."""

    code = "ML706"
    name = "chained-assignment"
    severity = Severity.WARNING
    roles = OWN_CODE

    def inspect(self, tree: ast.Module) -> None:
        targets, calls = _writes_into_selections(tree)
        if not targets and not calls:
            return
        suspects = self.suspects(tree)  # a write goes into part of a frame only if it selects from what may be one
        targets = [t for t in targets if suspects.may_be_pandas(_selected_from(_without_indexer(t.value)))]
        calls = [(call, method) for call, method in calls if suspects.may_be_pandas(_selected_from(method.value))]
        if not targets and not calls:
            return
        facts = self.frames(tree)
        for target in targets:
            if facts.is_selection(_without_indexer(target.value)):
                self.at(target, (
                    f"chained indexing `{shown(self.text(target))} = ...` writes into an intermediate "
                    f"object, which may be a copy, so {_root(target)} may not be updated (and never is under "
                    "Copy-on-Write, the default from pandas 3.0); select rows and columns in one step: "
                    f"`{_root(target, plain=True)}.loc[rows, column] = value`"
                ))
        for call, method in calls:
            if facts.is_selection(method.value):
                frame, name = _root(method.value), _root(method.value, plain=True)
                self.at(call, (
                    f"`{shown(self.text(method.value))}.{method.attr}(..., inplace=True)` modifies an intermediate "
                    f"object selected from {frame}, not {frame} itself (under Copy-on-Write, the default from pandas "
                    f"3.0, the change never reaches it); assign the result instead: "
                    f"`{name}[column] = {name}[column].{method.attr}(...)`"
                ))


def _writes_into_selections(tree: ast.Module) -> tuple[list[ast.Subscript], list[tuple[ast.Call, ast.Attribute]]]:
    """What ML706 reports when the objects are pandas ones, found without the
    inference: item assignments into something shaped like a selection
    (``x["a"][m] = v``, ``x.a[m] = v``, ``x["a"].loc[m] = v``) and ``inplace=True``
    calls on one (``x["a"].fillna(0, inplace=True)``)."""
    targets: list[ast.Subscript] = []
    calls: list[tuple[ast.Call, ast.Attribute]] = []
    for statement, _ in _statements(tree.body):
        if isinstance(statement, ast.Assign):
            written: Iterable[ast.expr] = (t for target in statement.targets for t in _flat_targets(target))
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
            written = (statement.target,)
        elif isinstance(statement, ast.Expr):
            call = statement.value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and may_select(call.func.value):
                inplace = _keyword(call, "inplace")
                if inplace is not None and _is_true(inplace.value):
                    calls.append((call, call.func))
            continue
        else:
            continue
        targets.extend(t for t in written if isinstance(t, ast.Subscript) and may_select(_without_indexer(t.value)))
    return targets, calls


def _selected_from(selection: ast.expr) -> ast.expr:
    """``df`` for ``df["a"]`` and ``df.a``: what :func:`may_select` says a selection is taken from."""
    assert isinstance(selection, (ast.Subscript, ast.Attribute))
    return selection.value


def _flat_targets(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        for part in target.elts:
            yield from _flat_targets(part)
    elif isinstance(target, ast.Starred):
        yield from _flat_targets(target.value)
    else:
        yield target


def _root(node: ast.expr, *, plain: bool = False) -> str:
    """The frame a selection starts from, quoted (``df`` for ``df.loc[m]["a"]``), or
    "the frame" when it is no name; *plain*: unquoted, ``df`` when it is no name."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id if plain else f"`{node.id}`"
    return "df" if plain else "the frame"


def _without_indexer(node: ast.expr) -> ast.expr:
    """``df["a"]`` for ``df["a"].loc``: the object an indexer belongs to."""
    if isinstance(node, ast.Attribute) and node.attr in INDEXERS | SCALAR_INDEXERS:
        return node.value
    return node


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


# ------------------------------------------------------------------------ ML707

#: pandas methods that return a new object and leave the receiver as it is (several
#: took ``inplace=True``): called as a statement, their work is lost.
DISCARDED_METHODS = frozenset({
    "abs", "add_prefix", "add_suffix", "append", "assign", "astype", "bfill", "clip", "convert_dtypes",
    "drop", "drop_duplicates", "droplevel", "dropna", "eval", "ffill", "fillna", "infer_objects", "interpolate",
    "join", "mask", "merge", "query", "reindex", "rename", "rename_axis", "reorder_levels", "replace",
    "reset_index", "round", "set_axis", "set_index", "set_names", "sort_index", "sort_values", "swaplevel",
    "truncate", "tz_convert", "tz_localize", "where",
})
_NEW_OBJECT: Mapping[Kind, str] = {
    Kind.FRAME: "a new DataFrame or Series", Kind.INDEX: "a new Index", Kind.ACCESSOR: "a new Series",
}
#: lines that start a cell in a ``.py`` file run cell by cell (``# %%`` in VS Code,
#: Spyder and jupytext; the ``####`` separators of sphinx-gallery; the ``# In[3]:`` of a
#: notebook exported by nbconvert): each cell's last expression is displayed there too
_CELL_MARKER = re.compile(r"# ?%%|#{20,}|# In\[[ \d]*\]:")
#: expressions that may evaluate to what a name was bound to (an attribute's value is
#: decided by its name alone; any other expression is never an accessor)
_MAY_HOLD = (ast.Name, ast.Subscript, ast.Call, ast.IfExp, ast.NamedExpr)


class InplaceResultDiscarded(_PandasRule):
    """``df.dropna()`` as a statement: the cleaned frame is thrown away and ``df`` is unchanged."""

    code = "ML707"
    name = "inplace-result-discarded"
    severity = Severity.WARNING
    roles = NOT_TESTS

    def inspect(self, tree: ast.Module) -> None:
        discarded = self._discarded_calls(tree)
        if discarded:
            suspects = self.suspects(tree)
            discarded = [(call, method) for call, method in discarded if suspects.may_be_pandas(method.value)]
        if not discarded:
            return
        facts = self.frames(tree)
        for call, method in discarded:
            kind = facts.kind_of(method.value)
            if kind not in _NEW_OBJECT or (kind is not Kind.ACCESSOR and method.attr not in DISCARDED_METHODS):
                continue
            owner = method.value
            if kind is Kind.ACCESSOR and isinstance(owner, ast.Attribute):
                owner = owner.value  # ``df["a"].str.lower()`` leaves ``df["a"]`` as it is
            called, unchanged = shown(self.text(method), 40), shown(self.text(owner), 30)
            self.at(call, (
                f"`{called}(...)` returns {_NEW_OBJECT[kind]} and leaves `{unchanged}` unchanged; "
                f"the result is discarded here: assign it (`{unchanged} = {called}(...)`)"
            ))

    def _discarded_calls(self, tree: ast.Module) -> list[tuple[ast.Call, ast.Attribute]]:
        """What ML707 reports when the receivers are pandas objects, found without the
        inference: method calls as statements, not displayed, not made for an exception,
        that return a new object if the receiver is a frame (a method of
        ``DISCARDED_METHODS``) or an accessor (any method)."""
        found: list[tuple[ast.Call, ast.Attribute]] = []
        statements: list[ast.Expr] = []
        for statement, expecting in _statements(tree.body):
            if expecting or not isinstance(statement, ast.Expr):
                continue
            call = statement.value
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            if call.func.attr not in DISCARDED_METHODS and not self._may_be_accessor(call.func.value):
                continue
            inplace = _keyword(call, "inplace")
            if _has_star_kwargs(call) or (inplace is not None and not _is_false(inplace.value)):
                continue
            found.append((call, call.func))
            statements.append(statement)
        if not found:
            return found
        displayed = self._displayed(tree, statements)
        return [pair for pair, statement in zip(found, statements) if id(statement) not in displayed]

    def _may_be_accessor(self, node: ast.expr) -> bool:
        """Whether *node* may be a ``.str``/``.dt``/``.cat`` accessor: only an attribute
        of that name makes one, which a name, item, call or conditional may then hold."""
        if isinstance(node, ast.Attribute):
            return node.attr in ACCESSORS
        return isinstance(node, _MAY_HOLD) and self._has_accessors

    @cached_property
    def _has_accessors(self) -> bool:
        return bool(ACCESSOR_ATTRIBUTE.search(self.ctx.source))

    def _displayed(self, tree: ast.Module, statements: list[ast.Expr]) -> set[int]:
        """Which of the expression *statements* have their value displayed: the last
        top-level statement of a notebook cell (unless a ``;`` silences it), that is
        one the next top-level statement does not follow in its cell. A ``.py`` file
        beside a notebook of the same name is a copy of it whose cell boundaries are
        gone (an export): any of its top-level expressions may have ended a cell."""
        top = {id(statement): number for number, statement in enumerate(tree.body)}
        statements = [statement for statement in statements if id(statement) in top]
        if not statements or self._copies_notebook():
            return {id(statement) for statement in statements}
        lines = _LINES.split(self.ctx.source)
        cell_of = self._cells(lines)
        if cell_of is None:
            return set()
        displayed = set()
        for statement in statements:
            following = top[id(statement)] + 1
            ends_cell = following == len(tree.body) or cell_of(tree.body[following].lineno) != cell_of(statement.lineno)
            if ends_cell and not _silenced(statement, lines, self.positions):
                displayed.add(id(statement))
        return displayed

    def _copies_notebook(self) -> bool:
        path = self.ctx.path
        return path.endswith(".py") and path[:-3] + ".ipynb" in self.ctx.index.modules  # which modules exist: Reach.IMPORTS

    def _cells(self, lines: list[str]) -> Callable[[int], int] | None:
        """A function from a line to its cell, or None when the module is no notebook
        and has no cell markers."""
        notebook = self.ctx.notebook
        if notebook is not None:
            return lambda line: notebook.locate(line)[0]
        starts = [number for number, text in enumerate(lines, start=1) if _CELL_MARKER.match(text)]
        if not starts:
            return None
        return lambda line: bisect.bisect_right(starts, line)


_LINES = re.compile(r"\r\n|\r|\n")


def _silenced(statement: ast.stmt, lines: list[str], positions: AstPositions) -> bool:
    """A ``;`` after the cell's last expression stops Jupyter displaying it."""
    end_line = statement.end_lineno or statement.lineno
    column = positions.column(end_line, statement.end_col_offset or 0)
    return 0 < end_line <= len(lines) and lines[end_line - 1][column - 1:].lstrip().startswith(";")


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


# ------------------------------------------------------------------------ ML710


class _Hyperparameter(NamedTuple):
    #: keyword names that set it (any one will do); the first is the one named in messages
    keywords: tuple[str, ...]
    #: 0-based position of the first keyword among the positional arguments
    position: int
    #: the default, as the message quotes it
    default: str
    #: how to choose it, as the message suggests
    advice: str


_CLUSTERS = "from silhouette scores or the elbow of the inertia curve"
_SKLEARN: Mapping[str, _Hyperparameter] = {
    "KMeans": _Hyperparameter(("n_clusters",), 0, "`n_clusters=8`", _CLUSTERS),
    "MiniBatchKMeans": _Hyperparameter(("n_clusters",), 0, "`n_clusters=8`", _CLUSTERS),
    "SpectralClustering": _Hyperparameter(("n_clusters",), 0, "`n_clusters=8`", _CLUSTERS),
    "DBSCAN": _Hyperparameter(("eps",), 0, "`eps=0.5`, a distance meaningful only at some scale of the data",
                              "from the knee of the sorted k-nearest-neighbour distances"),
    "GaussianMixture": _Hyperparameter(("n_components",), 0, "`n_components=1`, a single Gaussian",
                                       "by BIC or AIC over a range of values"),
}
#: torch optimisers and their default learning rates
_TORCH_OPTIMIZERS: Mapping[str, str] = {
    "SGD": "1e-3", "Adam": "1e-3", "AdamW": "1e-3", "RAdam": "1e-3", "NAdam": "2e-3", "Adamax": "2e-3",
    "RMSprop": "1e-2", "Adagrad": "1e-2",
}
#: the last names of the classes in the tables
_BUILT = frozenset({*_SKLEARN, *_TORCH_OPTIMIZERS, "DataLoader"})
_DATA_LOADER = _Hyperparameter(("batch_size", "batch_sampler"), 1, "`batch_size=1`, one sample per step",
                               "for the model, the data and the memory at hand")
#: calls that keep the estimators given to them as they are (every other call an
#: estimator is handed to may set its parameters: a search, a meta-estimator)
_KEEPS_PARAMETERS = frozenset({"make_pipeline", "make_union"})


class HyperparameterDefault(_AstRule):
    """A data-dependent hyperparameter left at its default was never chosen for this data."""

    code = "ML710"
    name = "hyperparameter-default"
    severity = Severity.INFO
    roles = NOT_TESTS
    triggers = (*_SKLEARN, "optim", "DataLoader")

    def may_fire(self) -> bool:
        return bool(self._call_lines)

    @cached_property
    def _call_lines(self) -> list[int]:
        """The lines of the module's calls (from the index) that may build one of the
        table's classes: their last name is the class's, or (a module-level function
        shadowing an import, which the index names after the module) an alias of it."""
        info = self.ctx.info
        if not any(target.partition(".")[0] in ("sklearn", "torch") for target in info.aliases.values()):
            return []
        aliases = info.aliases
        lines = set()
        for calls in (info.toplevel_calls, *(function.calls for function in info.functions.values())):
            for site in calls:
                last = site.name.rpartition(".")[2]
                if last in _BUILT or aliases.get(last, "").rpartition(".")[2] in _BUILT:
                    lines.add(site.line)
        return sorted(lines)

    def inspect(self, tree: ast.Module) -> None:
        candidates = []
        for region in _regions(tree.body, self._call_lines):
            calls = [node for node in _nodes(region.node) if isinstance(node, ast.Call)]
            for call in calls:
                if _has_star_kwargs(call) or any(isinstance(a, ast.Starred) for a in call.args):
                    continue
                dotted = dotted_name(call.func)
                qualified = self.ctx.info.qualify(dotted) if dotted is not None else None
                found = _hyperparameter(qualified) if qualified is not None else None
                if found is not None and not _sets(call, found[1]) and not (
                        isinstance(region.node, ast.Expr) and region.node.value is call):  # ``KMeans()`` in a cell
                    candidates.append(_Construction(call, qualified or "", *found, region, calls))
        named: set[str] | None = None
        for candidate in candidates:
            call, library, hyperparameter = candidate.call, candidate.library, candidate.hyperparameter
            if library == "sklearn":
                if id(call) in _handed_over(candidate.neighbours) or _in_method(candidate.region.around):
                    continue
                if named is None:
                    named = _named_elsewhere(tree)
                if hyperparameter.keywords[0] in named:
                    continue
            if hyperparameter is _DATA_LOADER and (_in_made_up_scope(candidate.region.around) or _synthetic(call)):
                continue
            self.at(call.func, (
                f"`{candidate.qualified.rpartition('.')[2]}` is built without `{hyperparameter.keywords[0]}`, so it "
                f"uses the default {hyperparameter.default}, which was not chosen for this data; set it explicitly, "
                f"{hyperparameter.advice}"
            ))


class _Construction(NamedTuple):
    """A call that builds one of the table's classes without its hyperparameter."""

    call: ast.Call
    qualified: str
    library: str
    hyperparameter: _Hyperparameter
    region: _Region
    #: the calls of its region, among them any it is handed to
    neighbours: list[ast.Call]


def _hyperparameter(qualified: str) -> tuple[str, _Hyperparameter] | None:
    """(library, what must be set) for an estimator, optimiser or loader class."""
    package, _, rest = qualified.partition(".")
    name = rest.rpartition(".")[2]
    if package == "sklearn" and name in _SKLEARN:
        return package, _SKLEARN[name]
    if package == "torch" and rest.startswith("optim.") and name in _TORCH_OPTIMIZERS:
        return package, _Hyperparameter(("lr",), 1, f"learning rate of {_TORCH_OPTIMIZERS[name]}",
                                        "e.g. from a learning-rate sweep, and keep it in the run's configuration")
    if package == "torch" and rest.startswith("utils.data.") and name == "DataLoader":
        return package, _DATA_LOADER
    return None


def _handed_over(calls: list[ast.Call]) -> set[int]:
    """Calls passed straight to another call (``GridSearchCV(KMeans(), grid)``,
    ``ClusterCentroids(estimator=KMeans())``), which may set their parameters: true of
    scikit-learn's searches and meta-estimators, not of torch's wrappers."""
    handed = set()
    for call in calls:
        if _last_name(call.func) in _KEEPS_PARAMETERS:
            continue
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(argument, ast.Call):
                handed.add(id(argument))
    return handed


def _in_method(around: tuple[ast.stmt, ...]) -> bool:
    """Whether a region lies in a method of a class: an estimator built there is the
    class's own fallback (``self.estimator_ = KMeans(random_state=self.random_state)``
    in a meta-estimator), a default of its API for its users to override."""
    return any(isinstance(outer, ast.ClassDef) and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef))
               for outer, inner in pairwise(around))


def _named_elsewhere(tree: ast.Module) -> set[str]:
    """Parameter names the module sets some other way: in ``set_params(...)`` and in
    strings (a search grid's ``"kmeans__n_clusters"``)."""
    named = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 100:
            named.add(node.value.rpartition("__")[2])
        elif isinstance(node, ast.Call) and _last_name(node.func) == "set_params":
            named.update(k.arg for k in node.keywords if k.arg)
    return named


#: words naming made-up data (``RandomDataset``, ``dummy_data``), for which no batch size is chosen
_SYNTHETIC = frozenset({"random", "randn", "rand", "fake", "dummy", "boring", "synthetic", "toy", "mock"})
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _synthetic(loader: ast.Call) -> bool:
    """A loader over made-up data (``DataLoader(RandomDataset(32, 64))``): a demonstration
    or a test fixture, whose batch size nobody needs to choose. ``random_split`` of real
    data is real data."""
    dataset = loader.args[0] if loader.args else getattr(_keyword(loader, "dataset"), "value", None)
    if isinstance(dataset, ast.Call):
        dataset = dataset.func
    return _names_made_up_data(_last_name(dataset) if dataset is not None else None)


def _names_made_up_data(name: str | None) -> bool:
    words = {w.lower() for w in _WORDS.findall(name or "")}
    return bool(words & _SYNTHETIC) and "split" not in words


def _in_made_up_scope(around: tuple[ast.stmt, ...]) -> bool:
    """Whether a region lies in a class or function named for made-up data (``class
    BoringDataModule``, ``def fake_loader()``): fixtures and demonstrations."""
    return any(isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
               and _names_made_up_data(node.name) for node in around)


def _sets(call: ast.Call, hyperparameter: _Hyperparameter) -> bool:
    """Whether the call passes the hyperparameter, by keyword or position, or (for an
    optimiser) in every parameter group (``SGD([{"params": p, "lr": 0.1}])``)."""
    if any(k.arg in hyperparameter.keywords for k in call.keywords):
        return True
    if len(call.args) > hyperparameter.position:
        return True
    groups = call.args[0] if call.args else None
    return (hyperparameter.keywords == ("lr",) and isinstance(groups, (ast.List, ast.Tuple)) and bool(groups.elts)
            and all(isinstance(g, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "lr" for k in g.keys)
                    for g in groups.elts))
