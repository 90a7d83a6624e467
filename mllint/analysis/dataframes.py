"""Which expressions of a module are pandas objects, judged by where they come from.

Rules about pandas misuse (chained assignment, a discarded ``df.dropna()``) must
never fire on a polars frame, an xarray dataset, a NumPy array or an object of
unknown type that happens to have a method of the same name. So an expression
counts as a pandas object only when its origin says so:

- a pandas constructor or reader: ``pd.read_csv(...)``, ``pd.DataFrame(...)``,
  ``pd.concat(...)``, ``pd.get_dummies(...)``, ... (qualified through the module's
  imports, so ``pl.read_csv`` of ``import polars as pl`` is not one);
  ``seaborn.load_dataset``; a scikit-learn dataset loaded with ``as_frame=True``;
  ``x.to_pandas()``;
- what pandas objects give: the frame-returning methods (``df.dropna()``,
  ``df.groupby(...).agg(...)``), items and columns (``df["a"]``, ``df.loc[...]``,
  ``df.a``), arithmetic and comparisons with them, the frames that
  ``train_test_split`` returns for frames, the groups of a ``groupby`` and the
  rows of ``iterrows`` iterated over, the items of a list of frames;
- a call of a function defined once at the module's top level that is annotated
  to return a DataFrame or Series, or whose every ``return`` gives the same pandas
  kind for the kinds of the arguments passed (``def load(): return pd.read_csv(p)``);
- a name bound to one of these; a function parameter annotated as a pandas
  ``DataFrame``/``Series``. Any other parameter is unknown.

The walk follows each scope in source order with a state (name -> kind). A name
rebound to something unknown stops being pandas; after a branch a name bound
differently on the ways in is unknown (one bound on one way only keeps that
binding: used after the other way it would not exist); a loop body starts from
what holds both before the loop and after one pass through it (a dry pass computes
that), so a name a later line of the loop rebinds is unknown at its top. A list of
frames that has items appended stops being one. A nested function sees a name of
the enclosing scope as pandas only if every binding of it there was the same
pandas kind. Attributes of objects (``self.df``), items of dicts and functions of
other modules are not followed.

The facts are the kinds of the expressions whose attributes or items the module
takes (the receivers of method calls, the objects of subscripts), which is what
the rules ask about.

Complexity: one pass over the module's ``ast``; a loop's body is walked once more
(dry) for each loop around it, and a module-level function's body once more for
each combination of argument kinds it is called with, so the cost is the module's
size times the depth of loop nesting, plus the called functions' sizes times their
distinct call signatures. What a function's definition says (a generator, a
``return`` with a value, a call of a module-level function, its parameters'
annotations) is found once per function; one that calls no module-level function
is walked once per distinct start state, and not at all if no ``return`` gives a
value (both exact: its result depends on nothing else); expressions are
dispatched on their type through a table. The facts of the module last asked
about are kept, since the rules of one file ask one after the other.

Cost. The rules run on every commit (issue #11: a run must cost a small multiple
of ``ast.parse``), so they ask the inference last, after three exact filters (a
module a filter rules out has nothing to report):

1. :func:`may_hold_frames`, from the index entry and the text, before the tree is
   read: no import of pandas, of ``seaborn.load_dataset`` or of a scikit-learn
   loader with ``as_frame``, and no ``to_pandas()``, means no pandas object;
2. the rule's own statements it would report if the objects in them were pandas
   (``x["a"][m] = v``, ``x.dropna()`` as a statement), found in the statements,
   without reading their expressions;
3. :class:`Suspects`: whether the receivers of those statements may be pandas at
   all, over-approximated without following the flow (one pass over the statements
   and the parts of the values they bind that can pass a pandas kind on, then a
   closure over the names): ``scores.append(x)`` on a list, ``model.eval()`` on
   the model a function returned, ``os.path.join(...)`` never are.

Measured (CPU time inside the four rules ML705-ML707 and ML710 together, in a
``--jobs 1 --no-cache`` run, minimum of 3; ``ast`` is reading and ``ast.parse`` of
the same files): torchmetrics 0.19 s -> 0.03 s (0.08x ``ast``), MONAI 0.65 s ->
0.10 s (0.13x), handson-ml2 0.15 s -> 0.045 s (1x: 26 notebooks, three of which the
inference must read), Kaggle-Competitions 3.0 s -> 1.5 s (1.6x), of which about
0.9 s is parsing again the trees of the 100 pandas modules, which the project
index no longer held when they were linted (it then kept the 256 latest); the
inference itself runs on 12 of them (92 before filter 3).
"""

from __future__ import annotations

import ast
import enum
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping, Union

from mllint.engine.context import Analysis, ProjectContext
from mllint.engine.findings import Reach
from mllint.project.index import ModuleInfo, dotted_name
from mllint.syntax.ast_walks import children


class Kind(enum.Enum):
    """What a pandas-derived value is, as far as the rules care."""

    FRAME = "frame"  # a DataFrame or a Series
    INDEX = "index"  # an Index (``df.columns``, ``pd.Index(...)``): immutable
    GROUPED = "grouped"  # groupby/rolling/resample/expanding/ewm: aggregations give frames
    INDEXER = "indexer"  # ``df.loc`` / ``df.iloc``: their items are frames
    ACCESSOR = "accessor"  # ``.str`` / ``.dt`` / ``.cat``: their methods give new objects
    BUNCH = "bunch"  # a scikit-learn dataset loaded with ``as_frame=True``


@dataclass(frozen=True)
class Items:
    """A tuple or list whose items have these kinds (``train_test_split(X, y)``)."""

    kinds: tuple["Value", ...]


@dataclass(frozen=True)
class Each:
    """An iterable whose every element has this kind (``pd.read_csv(f, chunksize=n)``)."""

    kind: "Value"


Value = Union[Kind, Items, Each, None]
_UNKNOWN: Any = object()  # not worked out yet (None is a result: nothing known)
State = dict[str, Value]

# --- where pandas objects come from -----------------------------------------------------------

#: pandas functions that build a DataFrame or Series (qualified, ``pandas.`` left out).
_CONSTRUCTORS = frozenset({
    "DataFrame", "Series", "DataFrame.from_dict", "DataFrame.from_records", "concat", "merge", "merge_asof",
    "merge_ordered", "get_dummies", "pivot_table", "pivot", "crosstab", "melt", "wide_to_long", "json_normalize",
    "io.json.json_normalize", "from_dummies",
})
#: pandas functions that return a Series for a Series and something else for other input.
_LIKE_ARGUMENT = frozenset({"to_datetime", "to_numeric", "to_timedelta", "cut", "qcut", "isna", "isnull", "notna",
                            "notnull"})
_INDEX_CONSTRUCTORS = frozenset({"Index", "MultiIndex.from_arrays", "MultiIndex.from_tuples", "MultiIndex.from_product",
                                 "MultiIndex.from_frame", "date_range", "period_range", "timedelta_range",
                                 "interval_range", "RangeIndex", "DatetimeIndex", "CategoricalIndex"})
#: readers whose result is not one frame whatever the arguments: a pickle holds anything,
#: ``read_html`` returns a list
_NOT_FRAME_READERS = frozenset({"read_pickle", "read_html"})
#: reader arguments that make the result an iterator of chunks
_CHUNKED = frozenset({"chunksize", "iterator"})
#: methods of anything that return a pandas frame (polars, pyarrow, datasets, xarray, Spark)
_TO_PANDAS = frozenset({"to_pandas", "toPandas"})

#: DataFrame/Series methods that return a DataFrame or Series (never a scalar).
FRAME_METHODS = frozenset({
    "abs", "add", "add_prefix", "add_suffix", "append", "apply", "applymap", "asfreq", "assign", "astype",
    "at_time", "between", "between_time", "bfill", "backfill", "clip", "combine", "combine_first", "compare",
    "convert_dtypes", "copy", "corrwith", "cummax", "cummin", "cumprod", "cumsum", "describe", "diff", "div",
    "divide", "drop", "drop_duplicates", "droplevel", "dropna", "duplicated", "eq", "explode", "ffill", "fillna",
    "filter", "first", "floordiv", "ge", "gt", "head", "infer_objects", "interpolate", "isin", "isna", "isnull",
    "join", "last", "le", "lt", "map", "mask", "melt", "merge", "mod", "mode", "mul", "multiply", "ne", "nlargest",
    "nsmallest", "notna", "notnull", "pad", "pct_change", "pivot", "pivot_table", "pow", "query", "radd", "rank",
    "reindex", "reindex_like", "rename", "rename_axis", "reorder_levels", "replace", "reset_index", "rmul", "round",
    "rsub", "rtruediv", "sample", "select_dtypes", "set_axis", "set_index", "shift", "sort_index", "sort_values",
    "stack", "sub", "subtract", "swapaxes", "swaplevel", "tail", "take", "to_frame", "transform", "transpose",
    "truediv", "truncate", "tz_convert", "tz_localize", "unstack", "value_counts", "where", "xs",
})
#: methods that give a DataFrame's matrix when called without another object
#: (``df.corr()``); a Series' (``s.corr(other)``) give a number
_MATRICES = frozenset({"corr", "cov"})
#: methods that group or window a frame; aggregating the result gives frames again
_GROUPING_METHODS = frozenset({"groupby", "rolling", "expanding", "ewm", "resample"})
#: methods of grouped and windowed objects that give frames
_AGGREGATIONS = frozenset({
    "agg", "aggregate", "apply", "bfill", "count", "cumcount", "cummax", "cummin", "cumprod", "cumsum", "describe",
    "diff", "ffill", "fillna", "filter", "first", "head", "idxmax", "idxmin", "last", "max", "mean", "median", "min",
    "nth", "nunique", "ohlc", "pct_change", "prod", "quantile", "rank", "sem", "shift", "size", "std", "sum", "tail",
    "transform", "value_counts", "var", "corr", "cov",
})
#: Index methods that give an Index
_INDEX_METHODS = frozenset({
    "append", "astype", "copy", "delete", "difference", "drop", "drop_duplicates", "droplevel", "dropna", "fillna",
    "insert", "intersection", "map", "rename", "set_names", "sort_values", "symmetric_difference", "union", "unique",
})
#: methods that iterate (label, frame) pairs
_PAIR_ITERATORS = frozenset({"iterrows", "items", "iteritems"})
#: list methods that add items: a list of frames may hold anything afterwards
_LIST_MUTATORS = frozenset({"append", "extend", "insert"})
#: methods that give a pandas object for some pandas object (any method of an accessor does)
_GIVE_PANDAS = FRAME_METHODS | _MATRICES | _GROUPING_METHODS | _PAIR_ITERATORS | _AGGREGATIONS | _INDEX_METHODS
INDEXERS = frozenset({"loc", "iloc"})
#: scalar indexers: their items are single values
SCALAR_INDEXERS = frozenset({"at", "iat"})
ACCESSORS = frozenset({"str", "dt", "cat"})
#: ``.str``, ``.dt``, ``.cat`` in a module's text, with what may stand between the dot
#: and the name (spaces, line breaks and comments inside brackets, a backslash
#: continuation); a comment runs to its line's end, so no text can be matched in two
#: ways (a line of ``#`` after a dot would otherwise take exponential time)
#: At most a few comments between the dot and the name (each runs to its line's
#: end): an unbounded run would rescan a comment block from every dot before it.
ACCESSOR_ATTRIBUTE = re.compile(r"\.[\s\\]*(?:#[^\r\n]*[\r\n][\s\\]*){0,4}(?:str|dt|cat)\b")
#: attributes of DataFrame/Series that are not columns (or not pandas objects);
#: any other attribute of a frame that is not a method name is a column
_NOT_COLUMNS = frozenset({
    "values", "shape", "dtypes", "dtype", "size", "ndim", "empty", "name", "names", "plot", "style", "sparse",
    "array", "flags", "attrs", "axes", "hist", "boxplot", "nbytes", "is_unique", "is_monotonic_increasing",
    "is_monotonic_decreasing", "hasnans", "real", "imag", "iloc", "loc", "at", "iat", "str", "dt", "cat", "T",
    "columns", "index", "keys", "info", "to_numpy", "tolist", "to_list", "to_dict", "to_csv", "to_parquet",
    "to_json", "to_excel", "to_pickle", "to_sql", "to_string", "to_markdown", "to_html", "to_records", "item",
    "items", "iterrows", "itertuples", "iteritems", "memory_usage", "pipe", "update", "insert", "pop", "sum",
    "mean", "median", "min", "max", "std", "var", "count", "nunique", "unique", "agg", "aggregate", "corr", "cov",
    "idxmax", "idxmin", "quantile", "prod", "any", "all", "squeeze", "eval", "get", "equals", "to_xarray",
    "to_period", "to_timestamp", "groups", "ngroups", "indices", "first_valid_index", "last_valid_index",
})
#: attributes of a scikit-learn ``Bunch`` that hold frames when loaded ``as_frame=True``
_BUNCH_FRAMES = frozenset({"data", "target", "frame"})

#: node types nothing is under that an analysis looks for (names, constants, contexts, operators)
LEAVES = frozenset({ast.Name, ast.Constant, *(kind for base in (ast.expr_context, ast.operator, ast.boolop,
                                                                ast.unaryop, ast.cmpop)
                                               for kind in base.__subclasses__())})


def is_column_attribute(attribute: str) -> bool:
    """Whether ``df.<attribute>`` reads a column (not an API attribute or method)."""
    return not (attribute in _NOT_COLUMNS or attribute in FRAME_METHODS or attribute in _GROUPING_METHODS
                or attribute.startswith("_"))


def may_hold_frames(info: ModuleInfo, source: str) -> bool:
    """Whether any pandas object can arise in the module, judged from its imports and
    text before its tree is read: every origin the inference knows needs one of
    pandas (readers, constructors, annotations), ``seaborn.load_dataset``, a
    scikit-learn loader with ``as_frame`` or a ``to_pandas()``/``toPandas()`` call
    (functions of other modules are not followed). Exact: a module for which this
    is False has no pandas kind at all, so the inference is skipped."""
    if "to_pandas" in source or "toPandas" in source:
        return True
    packages = {target.partition(".")[0] for target in info.aliases.values()}
    return "pandas" in packages or ("seaborn" in packages and "load_dataset" in source) or (
        "sklearn" in packages and "as_frame" in source)


def may_select(node: ast.expr) -> bool:
    """The half of :meth:`FrameFacts.is_selection` that needs no inference: *node* has
    the shape of a selection (an item, or an attribute that would be a column), so
    it is one if what it is taken from is a frame."""
    return isinstance(node, ast.Subscript) or (isinstance(node, ast.Attribute) and is_column_attribute(node.attr))


@dataclass(frozen=True)
class FrameFacts:
    """The pandas kinds of one module's expressions whose attributes or items are
    taken (``df`` in ``df.dropna()``, ``df["a"]`` in ``df["a"][m] = v``)."""

    tree: ast.Module  # the nodes the ids below belong to (kept alive, so ids stay theirs)
    kinds: Mapping[int, Value]

    def kind_of(self, node: ast.AST) -> Value:
        return self.kinds.get(id(node))

    def is_selection(self, node: ast.AST) -> bool:
        """Whether *node* selects part of a pandas frame: ``df["a"]``, ``df[mask]``,
        ``df.loc[...]``, ``df.iloc[...]``, the column attribute ``df.a``. Writing
        into such a selection writes into an intermediate object."""
        if isinstance(node, ast.Subscript):
            return self.kind_of(node.value) in (Kind.FRAME, Kind.INDEXER)
        if isinstance(node, ast.Attribute):
            return self.kind_of(node.value) is Kind.FRAME and is_column_attribute(node.attr)
        return False


@dataclass(frozen=True)
class Suspects:
    """What may be a pandas object in one module, over-approximated without
    following the flow (see :func:`suspect_names`). A rule asks it first, about the
    receivers it would report on, and runs the inference only if one is suspect."""

    tree: ast.Module
    #: None: anything may be (the module binds names inside expressions, ``:=``)
    names: frozenset[str] | None
    reads: _Reads

    def may_be_pandas(self, node: ast.expr) -> bool:
        """False only if the inference gives *node* no pandas kind: no value that
        flows into it (:meth:`_Reads.of`) is a suspect name or makes a pandas object.
        *node* is evaluated in the state of its scope, as a statement's parts are
        (the variables of comprehensions and lambdas are not looked at)."""
        return self.names is None or not self.names.isdisjoint(self.reads.of(node))


class PandasInference(Analysis):
    """Per-module pandas facts, built on demand for the module a rule checks."""

    name = "pandas-inference"
    reads = Reach.IMPORTS

    def __init__(self) -> None:
        self._last: FrameFacts | None = None
        self._suspects: Suspects | None = None

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "PandasInference":
        return cls()

    def facts(self, tree: ast.Module, info: ModuleInfo) -> FrameFacts:
        """The facts of *tree*, the module *info* describes (computed once per tree)."""
        if self._last is None or self._last.tree is not tree:
            self._last = infer_frames(tree, info)
        return self._last

    def suspects(self, tree: ast.Module, info: ModuleInfo, source: str) -> Suspects:
        """What may be pandas in *tree* (of *source*), computed once per tree."""
        if self._suspects is None or self._suspects.tree is not tree:
            reads = _Reads(info, frozenset(n.name for n in tree.body if isinstance(n, ast.FunctionDef)),
                           accessors=bool(ACCESSOR_ATTRIBUTE.search(source)))
            self._suspects = Suspects(tree, suspect_names(tree, info, reads) if ":=" not in source else None, reads)
        return self._suspects


def suspect_names(tree: ast.Module, info: ModuleInfo, reads: _Reads) -> frozenset[str]:
    """The names the inference may bind to a pandas object (or to a list or tuple
    holding one), with ``_PANDAS`` standing for a call that makes one: a name is
    suspect if a parameter of that name is annotated as a frame, or if some
    assignment, augmented assignment or ``for`` anywhere in the module binds it to
    a value into which a suspect flows (:meth:`_Reads.of`); a module-level function
    is suspect if it is annotated to return a frame or some ``return`` in it gives
    such a value. Bindings inside expressions (``:=``) are not looked at: the
    caller suspects everything in a module that has them.

    Cost: one pass over the statements and the parts of the values they bind that
    flow into them (no flow, no loop passes, no function walked per call), then a
    closure over the names."""
    suspects = {_PANDAS}
    readers: dict[str, list[list[str]]] = {}  # a name -> the names bound by values it flows into

    def bind(bound: list[str], value: ast.expr) -> None:
        for name in reads.of(value):
            readers.setdefault(name, []).append(bound)

    for statement in _every_statement(tree.body):
        if isinstance(statement, ast.Assign):
            bind([name for target in statement.targets for name in _bound_names(target)], statement.value)
        elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)) and statement.value is not None:
            bind(_bound_names(statement.target), statement.value)
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            bind(_bound_names(statement.target), statement.iter)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            suspects.update(name for name, value in _params(statement.args, info).items() if value is not None)
    for function in tree.body:
        if isinstance(function, ast.FunctionDef) and function.name in reads.defined:
            if function.returns is not None and _annotation_kind(function.returns, info) is Kind.FRAME:
                suspects.add(function.name)
            for statement in _every_statement(function.body):
                if isinstance(statement, ast.Return) and statement.value is not None:
                    bind([function.name], statement.value)
    pending = list(suspects)
    while pending:
        for bound in readers.pop(pending.pop(), ()):
            fresh = [name for name in bound if name not in suspects]
            suspects.update(fresh)
            pending.extend(fresh)
    return frozenset(suspects)


#: stands for a call that makes a pandas object from nothing pandas (``pd.read_csv(p)``)
_PANDAS = "<pandas>"


@dataclass(frozen=True)
class _Reads:
    """What flows into the value of an expression, as the inference computes it
    (``_Walker._expr``): the names whose kinds it can pass on, ``_PANDAS`` if it
    makes a pandas object, the module-level functions it calls. What cannot pass a
    pandas kind on is left out: the arguments of ``len(df)`` and of
    ``np.asarray(df)`` (a call of something that is not pandas gives nothing), the
    receiver of ``df.to_numpy()`` (not a method that gives a pandas object; unless
    the module has ``.str``/``.dt``/``.cat``: an accessor's every method gives a
    Series), the key of ``df[k]``, the test of ``a if c else b``, lambdas, dicts,
    sets, strings."""

    info: ModuleInfo
    #: the module-level functions: a call of one may give a frame, for its body or its arguments
    defined: frozenset[str]
    #: whether the module may take an accessor (any method of one gives a pandas object)
    accessors: bool

    def of(self, node: ast.expr) -> set[str]:
        found: set[str] = set()
        pending = [node]
        while pending:
            match pending.pop():
                case ast.Name(id=name):
                    found.add(name)
                case ast.Attribute(value=owner) | ast.Subscript(value=owner):
                    pending.append(owner)
                case ast.Call() as call:
                    pending += self._call(call, found)
                case ast.BinOp(left=left, right=right):
                    pending += (left, right)
                case ast.Compare(left=left, ops=[operator], comparators=comparators) if (
                        type(operator) not in _NOT_ELEMENTWISE):
                    pending += (left, *comparators)
                case ast.UnaryOp(op=operator, operand=operand) if type(operator) is not ast.Not:
                    pending.append(operand)
                case ast.Tuple(elts=parts) | ast.List(elts=parts):
                    pending += (part for part in parts if not isinstance(part, ast.Starred))
                case ast.IfExp(body=body, orelse=orelse):
                    pending += (body, orelse)
                case ast.NamedExpr(value=value):
                    pending.append(value)
                case ast.ListComp(elt=produced, generators=generators) | ast.GeneratorExp(
                        elt=produced, generators=generators):
                    pending += (produced, *(generator.iter for generator in generators))
        return found

    def _call(self, call: ast.Call, found: set[str]) -> list[ast.expr]:
        """What flows into a call's value (as ``_Walker._call`` computes it); notes in
        *found* the functions that make or may give a pandas object."""
        func = call.func
        arguments = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
        flows: list[ast.expr] = []
        if isinstance(func, ast.Name) and func.id in self.defined:  # its body, for these arguments
            found.add(func.id)
            flows = [*arguments, *(k.value for k in call.keywords)]
        dotted = dotted_name(func)
        qualified = self.info.qualify(dotted) if dotted is not None else None
        if qualified is not None:
            if _makes_frames(qualified):
                found.add(_PANDAS)
            elif qualified.startswith("sklearn.") and qualified.endswith(".train_test_split"):
                flows += arguments
        elif isinstance(func, ast.Attribute):
            if func.attr in _TO_PANDAS:
                found.add(_PANDAS)
            elif self.accessors or func.attr in _GIVE_PANDAS:
                flows.append(func.value)
        elif isinstance(func, ast.Name) and func.id in ("enumerate", "zip"):
            flows += arguments
        return flows


#: comparisons that give no frame for frames
_NOT_ELEMENTWISE = frozenset({ast.Is, ast.IsNot, ast.In, ast.NotIn})


def _makes_frames(qualified: str) -> bool:
    """Whether a call of *qualified* may give a pandas object when given none
    (:func:`_library_call`): a pandas function, ``seaborn.load_dataset``, a
    scikit-learn dataset loader."""
    return qualified.partition(".")[0] == "pandas" or qualified == "seaborn.load_dataset" or \
        qualified.startswith("sklearn.datasets.")


def _every_statement(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of *body* and of every block in them, bodies of functions and classes included."""
    pending = list(body)
    while pending:
        statement = pending.pop()
        yield statement
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None)
            if isinstance(block, list):
                pending.extend(block)
        for clause in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            pending.extend(clause.body)


def _bound_names(target: ast.expr) -> list[str]:
    """The names an assignment to *target* binds (``a, *b = ...``; not ``x.a`` or ``x[i]``)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for part in target.elts for name in _bound_names(part)]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return []


def infer_frames(tree: ast.Module, info: ModuleInfo) -> FrameFacts:
    kinds: dict[int, Value] = {}
    _Walker(info, kinds, _Functions(_module_functions(tree))).run(tree)
    return FrameFacts(tree, kinds)


def _module_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """The module-level functions defined once (a name defined twice is ambiguous)."""
    found: dict[str, ast.FunctionDef] = {}
    twice: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            if node.name in found:
                twice.add(node.name)
            found[node.name] = node
    return {name: node for name, node in found.items() if name not in twice}


@dataclass
class _Functions:
    """The module's functions and what their calls return, by the kinds of the arguments."""

    defined: dict[str, ast.FunctionDef]
    returns: dict[tuple[str, tuple[Value, ...], tuple[tuple[str, Value], ...]], Value] = field(default_factory=dict)
    shapes: dict[str, _Shape] = field(default_factory=dict)
    #: what functions that call no module-level function return, by their start state
    leaves: dict[tuple[str, tuple[tuple[str, Value], ...]], Value] = field(default_factory=dict)

    def shape(self, function: ast.FunctionDef, info: ModuleInfo) -> _Shape:
        shape = self.shapes.get(function.name)
        if shape is None:
            shape = self.shapes[function.name] = _Shape.of(function, info, self.defined)
        return shape


@dataclass(frozen=True)
class _Shape:
    """What a module-level function's definition says before any call of it is
    walked, found once per function (not once per combination of argument kinds)."""

    #: annotated to return a DataFrame or Series
    annotated_frame: bool
    #: every call gives nothing known: a generator, or no ``return`` gives a value
    gives_nothing: bool
    #: whether its body calls a module-level function by name (walking it may work
    #: out what those calls return: it cannot be skipped even when it gives nothing)
    calls_defined: bool
    #: its parameters' kinds from their annotations
    params: State

    @classmethod
    def of(cls, function: ast.FunctionDef, info: ModuleInfo, defined: Mapping[str, ast.FunctionDef]) -> _Shape:
        """One pass over the body; a ``return`` or ``yield`` counts only outside the
        functions, classes and lambdas nested in it (a call anywhere in it)."""
        generator = returns_value = calls_defined = False
        pending: list[tuple[ast.AST, bool]] = [(statement, True) for statement in function.body]
        while pending:
            node, own = pending.pop()
            if isinstance(node, ast.Call):
                calls_defined = calls_defined or (isinstance(node.func, ast.Name) and node.func.id in defined)
            elif own and isinstance(node, ast.Return):
                returns_value = returns_value or node.value is not None
            elif own and isinstance(node, (ast.Yield, ast.YieldFrom)):
                generator = True
            inner = own and not isinstance(node, _NEW_SCOPES)
            pending.extend((child, inner) for child in children(node) if type(child) not in LEAVES)
        annotated = function.returns is not None and _annotation_kind(function.returns, info) is Kind.FRAME
        return cls(annotated, generator or not returns_value, calls_defined, _params(function.args, info))


#: nodes whose body is a scope of its own: a ``return`` or ``yield`` there is not the enclosing function's
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _annotation_kind(annotation: ast.expr, info: ModuleInfo) -> Value:
    """FRAME for ``pd.DataFrame``, ``pd.Series``, ``"pd.DataFrame"`` and ``Optional`` / ``X | None`` of them."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except (SyntaxError, ValueError):
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        real = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        return _annotation_kind(real[0], info) if len(real) == 1 else None
    if isinstance(annotation, ast.Subscript) and _qualified(annotation.value, info) in ("typing.Optional",):
        return _annotation_kind(annotation.slice, info)
    return Kind.FRAME if _qualified(annotation, info) in ("pandas.DataFrame", "pandas.Series") else None


def _params(args: ast.arguments, info: ModuleInfo) -> State:
    """Parameters are unknown, unless annotated as a DataFrame or Series."""
    return {a.arg: _annotation_kind(a.annotation, info) if a.annotation is not None else None
            for a in _arguments(args)}


def _qualified(node: ast.expr, info: ModuleInfo) -> str | None:
    dotted = dotted_name(node)
    return info.qualify(dotted) if dotted is not None else None


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def element(value: Value) -> Value:
    """The kind of what iterating *value* gives."""
    if isinstance(value, Each):
        return value.kind
    if isinstance(value, Items):
        return value.kinds[0] if value.kinds and len(set(value.kinds)) == 1 else None
    if value is Kind.GROUPED:
        return Items((None, Kind.FRAME))  # (key, group)
    return None


def _merge(first: State, second: State) -> State:
    """What holds at a join point: a name bound differently on the two ways in is
    unknown; a name bound on one way only keeps that binding (used after coming the
    other way, it would not exist)."""
    merged = dict(first)
    for name, value in second.items():
        merged[name] = value if merged.get(name, value) == value else None
    return merged


def _merge_all(states: list[State]) -> State:
    merged = states[0]
    for state in states[1:]:
        merged = _merge(merged, state)
    return merged


class _Walker:
    """Walks one module: every scope in source order, nested functions after their scope."""

    def __init__(self, info: ModuleInfo, kinds: dict[int, Value], functions: _Functions,
                 returned: list[Value] | None = None) -> None:
        self.info = info
        self.kinds = kinds
        self.functions = functions
        self.recording = returned is None
        #: when working out what a function returns: the kinds of its ``return`` values
        self.returned = returned

    def run(self, tree: ast.Module) -> None:
        self._scope(tree.body, {})

    def _scope(self, body: list[ast.stmt], inherited: State, params: State | None = None, *,
               is_class: bool = False) -> None:
        """Walk one scope's *body*; then the functions and classes it defines, each
        seeing the names that were bound to a single kind throughout this scope (a
        class body's names are not visible in its methods)."""
        scope = _Scope(state={**inherited, **(params or {})})
        for name, value in (params or {}).items():
            scope.note(name, value)
        self._block(body, scope)
        visible = inherited if is_class else {
            **{n: v for n, v in inherited.items() if n not in scope.bound}, **scope.stable()}
        for definition in scope.definitions:
            if isinstance(definition, ast.ClassDef):
                self._scope(definition.body, visible, is_class=True)
            else:
                self._scope(definition.body, visible, _params(definition.args, self.info))


    # -- statements ------------------------------------------------------------------------

    def _block(self, body: Iterable[ast.stmt], scope: "_Scope") -> None:
        for statement in body:
            self._statement(statement, scope)

    def _statement(self, node: ast.stmt, scope: "_Scope") -> None:
        if isinstance(node, ast.Assign):
            value = self._expr(node.value, scope.state)
            for target in node.targets:
                self._bind(target, value, scope)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._bind(node.target, self._expr(node.value, scope.state), scope)
        elif isinstance(node, ast.AugAssign):
            combined = self._expr(ast.BinOp(node.target, node.op, node.value), scope.state, record=False)
            self._expr(node.value, scope.state)
            self._bind(node.target, combined, scope)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            each = element(self._expr(node.iter, scope.state))
            self._loop(node, scope, lambda s: self._bind(node.target, each, s))
        elif isinstance(node, ast.While):
            self._expr(node.test, scope.state)
            self._loop(node, scope, lambda s: None)
        elif isinstance(node, ast.If):
            self._expr(node.test, scope.state)
            self._branches([node.body, node.orelse], scope, fallthrough=False)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self._expr(item.context_expr, scope.state)
                if item.optional_vars is not None:
                    self._bind(item.optional_vars, None, scope)
            self._block(node.body, scope)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self._try(node, scope)
        elif isinstance(node, ast.Match):
            self._expr(node.subject, scope.state)
            for case in node.cases:
                for name in _pattern_names(case.pattern):
                    scope.bind(name, None)
            self._branches([c.body for c in node.cases], scope, fallthrough=True)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                self._expr(decorator, scope.state)
            scope.bind(node.name, None)
            if self.recording:
                scope.definitions.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                scope.bind((alias.asname or alias.name).split(".")[0], None)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self._bind(target, None, scope)
        elif isinstance(node, ast.Return):
            value = self._expr(node.value, scope.state) if node.value is not None else None
            if self.returned is not None:
                self.returned.append(value)
        else:  # Expr, Raise, Assert, ...: only the expressions they evaluate
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self._expr(child, scope.state)

    def _branches(self, bodies: list[list[ast.stmt]], scope: "_Scope", *, fallthrough: bool) -> None:
        """Alternative bodies from the same state; afterwards what all of them (and, with
        *fallthrough*, not entering any) agree on."""
        entry = scope.state
        ends = [entry] if fallthrough else []
        for body in bodies:
            scope.state = dict(entry)
            self._block(body, scope)
            ends.append(scope.state)
        scope.state = _merge_all(ends)

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, scope: "_Scope",
              bind_target: Callable[["_Scope"], None]) -> None:
        """A loop body starts from what holds before the loop and after one pass (the
        pass is dry: it records nothing); after the loop, from what holds both without
        entering it and after the body, the ``else`` runs."""
        entry = dict(scope.state)
        if self.recording:
            self.recording = False
            bind_target(scope)
            self._block(node.body, scope)
            self.recording = True
            scope.state = _merge(entry, scope.state)
        bind_target(scope)
        self._block(node.body, scope)
        scope.state = _merge(entry, scope.state)
        self._block(node.orelse, scope)

    def _try(self, node: ast.Try, scope: "_Scope") -> None:
        entry = dict(scope.state)
        self._block(node.body, scope)
        handler_start = _merge(entry, scope.state)
        self._block(node.orelse, scope)
        ends = [scope.state]
        for handler in node.handlers:
            scope.state = dict(handler_start)
            if handler.type is not None:
                self._expr(handler.type, scope.state)
            if handler.name:
                scope.bind(handler.name, None)
            self._block(handler.body, scope)
            ends.append(scope.state)
        scope.state = _merge_all(ends)
        self._block(node.finalbody, scope)

    def _bind(self, target: ast.expr, value: Value, scope: "_Scope") -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            parts = target.elts
            starred = any(isinstance(p, ast.Starred) for p in parts)
            if isinstance(value, Items) and not starred and len(value.kinds) == len(parts):
                for part, kind in zip(parts, value.kinds):
                    self._bind(part, kind, scope)
            else:
                each = value.kind if isinstance(value, Each) and not starred else None
                for part in parts:
                    self._bind(part.value if isinstance(part, ast.Starred) else part, each, scope)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, None, scope)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            self._expr(target, scope.state)  # ``df["a"][m] = v`` reads ``df["a"]``: its kind is a fact

    # -- expressions -----------------------------------------------------------------------

    def _expr(self, node: ast.expr, state: State, record: bool = True) -> Value:
        """The kind of *node*; records the kinds of the objects whose attributes and items it takes.
        Dispatched on the node's type (this is the hot path: every expression of the module)."""
        kind = type(node)
        if kind is ast.Name:
            return state.get(node.id)
        if kind is ast.Constant:
            return None
        handler = _EXPRESSIONS.get(kind)
        if handler is not None:
            return handler(self, node, state, record)
        for child in children(node):
            if isinstance(child, ast.expr):
                self._expr(child, state, record)
        return None

    def _expr_attribute(self, node: ast.Attribute, state: State, record: bool) -> Value:
        return _attribute(self._owner(node.value, state, record), node.attr)

    def _expr_subscript(self, node: ast.Subscript, state: State, record: bool) -> Value:
        owner = self._owner(node.value, state, record)
        self._expr(node.slice, state, record)
        return _item(owner, node.slice)

    def _expr_unary(self, node: ast.UnaryOp, state: State, record: bool) -> Value:
        operand = self._expr(node.operand, state, record)
        return operand if operand is Kind.FRAME and not isinstance(node.op, ast.Not) else None

    def _expr_sequence(self, node: ast.Tuple | ast.List, state: State, record: bool) -> Value:
        return Items(tuple([self._expr(e, state, record) for e in node.elts]))

    def _expr_conditional(self, node: ast.IfExp, state: State, record: bool) -> Value:
        self._expr(node.test, state, record)
        body, orelse = self._expr(node.body, state, record), self._expr(node.orelse, state, record)
        return body if body == orelse else None

    def _expr_named(self, node: ast.NamedExpr, state: State, record: bool) -> Value:
        value = self._expr(node.value, state, record)
        state[node.target.id] = value
        return value

    def _expr_lambda(self, node: ast.Lambda, state: State, record: bool) -> Value:
        parameters = {a.arg for a in _arguments(node.args)}
        inner = {k: v for k, v in state.items() if k not in parameters}
        self._expr(node.body, inner, record)
        return None

    def _returns(self, function: ast.FunctionDef, arguments: list[Value], keywords: dict[str, Value]) -> Value:
        """What a call of a module-level function returns, given its arguments' kinds:
        its annotation if it names a frame, else the kind every ``return`` of its body
        gives (found by walking the body once per combination of argument kinds)."""
        shape = self.functions.shape(function, self.info)
        if shape.annotated_frame:
            return Kind.FRAME
        key = (function.name, tuple(arguments), tuple(sorted(keywords.items())))
        if key in self.functions.returns:
            return self.functions.returns[key]
        self.functions.returns[key] = None  # while working it out: a recursive call gives nothing
        if shape.gives_nothing and not shape.calls_defined:
            return None  # walking the body would change nothing
        params = dict(shape.params)
        positional = [*function.args.posonlyargs, *function.args.args]
        for parameter, kind in zip(positional, arguments):
            params[parameter.arg] = params[parameter.arg] or kind
        for name, kind in keywords.items():
            if name in params:
                params[name] = params[name] or kind
        start = {n: v for n, v in params.items() if v is not None}
        # a function that calls no module-level function gives what its start state
        # says, whatever the call's stack: calls that start it alike share one walk
        alike = (function.name, tuple(start.items())) if not shape.calls_defined else None
        result = self.functions.leaves.get(alike, _UNKNOWN) if alike is not None else _UNKNOWN
        if result is _UNKNOWN:
            returned: list[Value] = []
            _Walker(self.info, self.kinds, self.functions, returned)._block(function.body, _Scope(state=start))
            result = returned[0] if returned and not shape.gives_nothing and all(r == returned[0] for r in returned) \
                else None
            if alike is not None:
                self.functions.leaves[alike] = result
        self.functions.returns[key] = result
        return result

    def _owner(self, node: ast.expr, state: State, record: bool) -> Value:
        value = self._expr(node, state, record)
        if value is not None and record and self.recording:
            self.kinds[id(node)] = value
        return value

    def _operation(self, node: ast.BinOp | ast.Compare, state: State, record: bool) -> Value:
        if isinstance(node, ast.BinOp):
            operands = [node.left, node.right]
            plain = not isinstance(node.op, ast.Mod) or not _is_text(node.left)  # ``"%s" % df`` is text
        else:
            operands = [node.left, *node.comparators]
            plain = len(node.ops) == 1 and not isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.In, ast.NotIn))
        values = [self._expr(operand, state, record) for operand in operands]
        return Kind.FRAME if plain and Kind.FRAME in values else None

    def _comprehension(self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp, state: State,
                       record: bool) -> Value:
        inner = dict(state)
        for generator in node.generators:
            each = element(self._expr(generator.iter, inner, record))
            scope = _Scope(state=inner)
            self._bind(generator.target, each, scope)
            inner = scope.state
            for condition in generator.ifs:
                self._expr(condition, inner, record)
        if isinstance(node, ast.DictComp):
            self._expr(node.key, inner, record)
            self._expr(node.value, inner, record)
            return None
        produced = self._expr(node.elt, inner, record)
        return Each(produced) if produced is not None and not isinstance(node, ast.SetComp) else None

    def _call(self, node: ast.Call, state: State, record: bool) -> Value:
        func = node.func
        receiver = self._owner(func.value, state, record) if isinstance(func, ast.Attribute) else None
        if not isinstance(func, ast.Attribute):
            self._expr(func, state, record)
        arguments = [self._expr(a.value if isinstance(a, ast.Starred) else a, state, record) for a in node.args]
        keywords = {k.arg: self._expr(k.value, state, record) for k in node.keywords if k.arg is not None}
        function = self.functions.defined.get(func.id) if isinstance(func, ast.Name) else None
        if function is not None and state.get(func.id) is None:
            if any(isinstance(a, ast.Starred) for a in node.args) or len(keywords) < len(node.keywords):
                arguments, keywords = [], {}  # ``*args``/``**kwargs``: which parameter gets what is unknown
            return self._returns(function, arguments, keywords)
        qualified = _qualified(func, self.info)
        if qualified is not None:  # a call of something imported
            return _library_call(qualified, node, arguments)
        if isinstance(func, ast.Attribute):
            if func.attr in _TO_PANDAS:
                return Kind.FRAME
            if isinstance(receiver, (Items, Each)) and func.attr in _LIST_MUTATORS and isinstance(func.value, ast.Name):
                state[func.value.id] = None  # ``frames.append(x)``: the list may hold anything now
            return _method(receiver, func.attr, len(node.args))
        if isinstance(func, ast.Name) and func.id in ("enumerate", "zip"):
            kinds = [element(a) for a in arguments]
            return Each(Items((None, *kinds) if func.id == "enumerate" else tuple(kinds)))
        return None


#: how ``_Walker._expr`` reads each kind of expression that has a rule of its own
_EXPRESSIONS: Mapping[type, Callable[[_Walker, Any, State, bool], Value]] = MappingProxyType({
    ast.Attribute: _Walker._expr_attribute, ast.Subscript: _Walker._expr_subscript, ast.Call: _Walker._call,
    ast.BinOp: _Walker._operation, ast.Compare: _Walker._operation, ast.UnaryOp: _Walker._expr_unary,
    ast.Tuple: _Walker._expr_sequence, ast.List: _Walker._expr_sequence, ast.IfExp: _Walker._expr_conditional,
    ast.NamedExpr: _Walker._expr_named, ast.Lambda: _Walker._expr_lambda, ast.ListComp: _Walker._comprehension,
    ast.GeneratorExp: _Walker._comprehension, ast.SetComp: _Walker._comprehension,
    ast.DictComp: _Walker._comprehension,
})


@dataclass
class _Scope:
    """The state of one scope while it is walked, and what was bound in it."""

    state: State
    bound: set[str] = field(default_factory=set)
    #: the functions and classes defined in the scope, walked after it
    definitions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = field(default_factory=list)
    #: the kind of every binding of each name so far (None once two differ)
    _kinds: dict[str, Value] = field(default_factory=dict)

    def bind(self, name: str, value: Value) -> None:
        """Bind *name*; an unknown value is kept as None, not forgotten, so that a join
        point tells a name bound to something else from one not bound at all."""
        self.note(name, value)
        self.state[name] = value

    def note(self, name: str, value: Value) -> None:
        """Remember *name*'s binding for :meth:`stable` (a second, different kind spoils it)."""
        if name in self.bound and self._kinds.get(name) != value:
            value = None
        self.bound.add(name)
        self._kinds[name] = value

    def stable(self) -> State:
        """Names every binding of which in this scope gave the same pandas kind."""
        return {name: value for name, value in self._kinds.items() if value is not None}


def _library_call(qualified: str, call: ast.Call, arguments: list[Value]) -> Value:
    """What a call of a pandas, seaborn or scikit-learn function returns."""
    package, _, rest = qualified.partition(".")
    first = arguments[0] if arguments else None
    if package == "pandas":
        if rest in _CONSTRUCTORS:
            return Kind.FRAME
        if rest in _LIKE_ARGUMENT:
            return Kind.FRAME if first is Kind.FRAME else None
        if rest in _INDEX_CONSTRUCTORS:
            return Kind.INDEX
        if rest.startswith("read_") and "." not in rest and rest not in _NOT_FRAME_READERS:
            return _reader(rest, call)
        return None
    if qualified == "seaborn.load_dataset":
        return Kind.FRAME
    if qualified.startswith("sklearn.datasets.") and rest.rpartition(".")[2].startswith(("fetch_", "load_")):
        if not _is_true(getattr(_keyword(call, "as_frame"), "value", None)):
            return None
        return Items((Kind.FRAME, Kind.FRAME)) if _is_true(getattr(_keyword(call, "return_X_y"), "value", None)) \
            else Kind.BUNCH
    if package == "sklearn" and rest.endswith(".train_test_split"):
        if any(isinstance(a, ast.Starred) for a in call.args):
            return None
        return Items(tuple(k if k is Kind.FRAME else None for k in arguments for _ in range(2)))
    return None


def _reader(name: str, call: ast.Call) -> Value:
    """A ``pandas.read_*`` result: one frame, or chunks of frames, or unknown (a dict
    of sheets, as ``read_excel(sheet_name=None)`` returns)."""
    if any(k.arg in _CHUNKED for k in call.keywords):
        return Each(Kind.FRAME)
    if any(k.arg is None for k in call.keywords):
        return None  # ``**options`` may ask for chunks
    sheet = _keyword(call, "sheet_name")
    if sheet is not None and not (isinstance(sheet.value, ast.Constant) and isinstance(sheet.value.value, (str, int))):
        return None
    return Kind.FRAME


def _method(receiver: Value, method: str, positional: int) -> Value:
    if receiver is Kind.FRAME:
        if method in FRAME_METHODS or (method in _MATRICES and positional == 0):
            return Kind.FRAME
        if method in _GROUPING_METHODS:
            return Kind.GROUPED
        if method in _PAIR_ITERATORS:
            return Each(Items((None, Kind.FRAME)))
        return None
    if receiver is Kind.GROUPED:
        return Kind.FRAME if method in _AGGREGATIONS else None
    if receiver is Kind.INDEX:
        return Kind.INDEX if method in _INDEX_METHODS else None
    if receiver is Kind.ACCESSOR:
        return Kind.FRAME
    return None


def _attribute(owner: Value, attribute: str) -> Value:
    if owner is Kind.FRAME:
        if attribute in INDEXERS:
            return Kind.INDEXER
        if attribute in ACCESSORS:
            return Kind.ACCESSOR
        if attribute in ("columns", "index"):
            return Kind.INDEX
        if attribute == "T":
            return Kind.FRAME
        return Kind.FRAME if is_column_attribute(attribute) else None
    if owner is Kind.GROUPED:
        return Kind.GROUPED if is_column_attribute(attribute) and attribute not in _AGGREGATIONS else None
    if owner is Kind.INDEX:
        return Kind.ACCESSOR if attribute == "str" else None
    if owner is Kind.ACCESSOR:
        return Kind.FRAME  # ``s.dt.year``, ``s.cat.codes``
    if owner is Kind.BUNCH:
        return Kind.FRAME if attribute in _BUNCH_FRAMES else None
    return None


def _item(owner: Value, key: ast.expr) -> Value:
    if owner in (Kind.FRAME, Kind.INDEXER):
        return Kind.FRAME
    if owner is Kind.GROUPED:
        return Kind.GROUPED
    if owner is Kind.BUNCH:
        text = key.value if isinstance(key, ast.Constant) else None
        return Kind.FRAME if text in _BUNCH_FRAMES else None
    if isinstance(owner, Items) and isinstance(key, ast.Constant) and isinstance(key.value, int):
        index = key.value
        return owner.kinds[index] if -len(owner.kinds) <= index < len(owner.kinds) else None
    if isinstance(owner, (Items, Each)) and not isinstance(key, ast.Slice):
        return element(owner)
    return None


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _arguments(args: ast.arguments) -> list[ast.arg]:
    return [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]


def _pattern_names(pattern: ast.pattern) -> list[str]:
    """Names a ``case`` pattern binds."""
    names = []
    for node in ast.walk(pattern):
        name = getattr(node, "name", None) or getattr(node, "rest", None)
        if isinstance(name, str):
            names.append(name)
    return names
