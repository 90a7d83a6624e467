"""Data flow for ML701 (preprocessing-leakage): which rows each fitted
transformer saw, and which of those rows a split later sends to the test side.

A leak needs three facts at once, and each of them is a data-flow fact, not a
pattern on one line: a transformer (scaler, imputer, encoder that learns
statistics, vectoriser, decomposition, feature selector, over-sampler, or
scaling arithmetic such as ``X / X.max()``) is *fitted on some rows*; a split
(``train_test_split``, a CV splitter's ``split``, slices named like
``X_train``/``X_test``, or the folds of ``cross_val_score`` and of a search's
``fit``) *later sends some of those rows to the test side*; and the fitted
statistics *reach the split data* (the split input was derived from the
transformer's output, or the transformer is applied to a split part). A fit on
the test part of a split, of a transformer also fitted on the training part, is
the fourth case (the test data gets its own statistics).

How: each module (a notebook is one module, cells in order) and each function
body is a *unit*, walked once, statement by statement in source order, with an
environment from names (and dotted attribute names such as ``self.scaler``) to
abstract values. A value carries its *origins* (the datasets it derives from:
a root is any value assigned from nothing tracked, such as a ``read_csv``
result or a parameter, and a split part is a child origin of what was split,
so the train part of ``X`` is distinguishable from ``X``), the *fits* whose
output it carries, and, when known, the transformer instance it is, the tuple
it is (``train_test_split`` results unpack element by element), the split
indices it is (``for tr, te in kf.split(X)``). Renames, subscripts, methods
(``.drop``, ``.values``, ``.to_numpy()``), arithmetic, ``pd.concat`` and
``np.hstack`` propagate; branches of an ``if`` are walked from the same state
and merged; loop bodies are walked once. Calls to project functions (same
module or imported, resolved through the project index) are replaced by a
*summary* of the callee: its body walked as a unit with its parameters as
roots, then instantiated at the call site with the arguments' values (the fits
it makes on a parameter, the transformer or transformed data it returns, the
split it returns, the parameters it mutates). Summaries are computed on demand,
for the functions a linted file actually calls, and memoised per run.

Most modules are never walked (issue #11: the linter runs on every commit).
:meth:`LeakageAnalysis.may_leak` first decides, without parsing, whether the
walk could find anything: a leak needs a fit and, but for a transformer also
fitted on test-named data, a split, and each has necessary conditions that the
module's index entry (every call with a dotted callee, by qualified name) and
its text show: a transformer class constructed; a scaling function, or a
reduction word (``mean``, ``max``...) for statistics; a split or CV function, a
splitter or search class, or two names of a train/test pair that may be
assigned a row selection (one regex pass for candidates, then for each a look
back over the target list it would belong to and a parse of its line alone).
The conditions are gathered over the module and the project modules it calls
into, transitively (resolved only for calls through its imports, memoised per
module). The test is exact: a module it skips is one the walk finds nothing in
(checked on every module of the evaluation repositories by walking the skipped
ones anyway), so it changes what is computed, never what is found.

Complexity: the precondition is one pass over the text and the call names of
each module it reaches, once per run. Every walked unit is walked once per
run; a walk is linear in the unit's statements (each expression evaluated
once, dispatched by node type; an ``if`` copies the environment, so a unit
with *b* branches and *n* names costs O(statements + b * n)); value sets are
small. Summaries are memoised by (path, function), at most ``MAX_DEPTH`` deep
on a call chain, and a recursive call is treated as an unknown function (a
summary is made at the depth of its first request, so past ``MAX_DEPTH`` helper
calls deep, what a caller sees can depend on which file asked first).
Nothing the walk keeps points back at a walker, so the facts and the syntax
trees they point into are freed by reference counting, not by the collector.

Measured cost (user CPU of ``mllint check . --no-cache --jobs 1
--no-project-rules --select ML701`` minus the same with ``--select ML001``,
minimum of 3, on this project's 2-core machine; ast = CPU time of
``bench/run.py``'s reading and ``ast.parse`` of the corpus):

==========================  ========  ===================  ==================
corpus                      ast       ML701 before         ML701 now
==========================  ========  ===================  ==================
torchmetrics                0.38 s    +0.83 s (2.2x)       +0.03 s (0.08x)
Kaggle-Competitions         1.05 s    +6.3 s (6x)          +0.52 s (0.5x)
handson-ml2 (notebooks)     0.05 s    +0.55 s              +0.11 s
==========================  ========  ===================  ==================

What remains is the walk of the modules that can leak. In Kaggle-Competitions
that is 20 of 698 files, parsed again because the index's tree cache evicted
them (0.19 s of the 0.5 s; free when other rules read the trees too). In
handson-ml2 it is 15 of its 26 notebooks, which fit scalers and split; there
the bench's reference is no yardstick (it stops at each notebook's first
``%magic``): parsing their code as mllint does costs 0.35 s, and the walk 0.12 s.

Precision choices: only classes that learn statistics from rows count (a
one-hot or ordinal encoder only learns the category set, a label encoder only
the label set, and stateless transformers learn nothing; under-samplers drop
rows but make none up); models fitted on all rows are a different problem; a
split whose input already holds a separately loaded test set (Kaggle's
``pd.concat([train, test])`` and back) re-separates, it does not split; a split
whose test part is never read is dead code; anything unresolved stays silent.
"""

from __future__ import annotations

import ast
import re
import unicodedata
import warnings
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from operator import attrgetter
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping

from mllint.engine.context import Analysis, ProjectContext
from mllint.engine.findings import Reach
from mllint.project.index import ModuleInfo, ProjectIndex, dotted_name

TRAIN = "train"
TEST = "test"

#: Kinds of known instances.
TRANSFORMER, SPLITTER, SEARCH = "transformer", "splitter", "search"

#: Kinds of split: a split call or a splitter's ``split``, cross-validation folds, named slices.
SPLIT = "split"
FOLDS = "folds"
SLICES = "slices"

#: Fit families, for messages.
SCALE, ENCODE, IMPUTE, SELECT, DECOMPOSE, VECTORISE, RESAMPLE, COMPOSE, STATISTICS, BENIGN = (
    "scale", "encode", "impute", "select", "decompose", "vectorise", "resample", "compose", "statistics", "benign",
)

#: Transformers that learn statistics from the rows they are fitted on, by class
#: name, for the packages in ``_TRANSFORMER_PACKAGES``.
TRANSFORMERS: Mapping[str, str] = MappingProxyType({
    **dict.fromkeys(
        "StandardScaler MinMaxScaler MaxAbsScaler RobustScaler QuantileTransformer PowerTransformer "
        "KBinsDiscretizer SplineTransformer KernelCenterer".split(), SCALE),
    **dict.fromkeys(
        "TargetEncoder CatBoostEncoder LeaveOneOutEncoder WOEEncoder JamesSteinEncoder MEstimateEncoder "
        "GLMMEncoder QuantileEncoder SummaryEncoder CountEncoder".split(), ENCODE),
    **dict.fromkeys("SimpleImputer IterativeImputer KNNImputer".split(), IMPUTE),
    **dict.fromkeys(
        "SelectKBest SelectPercentile SelectFpr SelectFdr SelectFwe GenericUnivariateSelect RFE RFECV "
        "SelectFromModel SequentialFeatureSelector VarianceThreshold".split(), SELECT),
    **dict.fromkeys(
        "PCA IncrementalPCA KernelPCA SparsePCA MiniBatchSparsePCA TruncatedSVD NMF MiniBatchNMF FastICA "
        "FactorAnalysis LatentDirichletAllocation DictionaryLearning MiniBatchDictionaryLearning "
        "LinearDiscriminantAnalysis NeighborhoodComponentsAnalysis Nystroem TSNE Isomap LocallyLinearEmbedding "
        "SpectralEmbedding MDS UMAP".split(), DECOMPOSE),
    **dict.fromkeys("CountVectorizer TfidfVectorizer TfidfTransformer".split(), VECTORISE),
    **dict.fromkeys(
        "SMOTE ADASYN RandomOverSampler BorderlineSMOTE SVMSMOTE KMeansSMOTE SMOTENC SMOTEN SMOTEENN "
        "SMOTETomek".split(), RESAMPLE),
    #: transformers that learn no row statistics (a category or label set, nothing at all)
    **dict.fromkeys(
        "OneHotEncoder OrdinalEncoder LabelEncoder LabelBinarizer MultiLabelBinarizer Normalizer Binarizer "
        "PolynomialFeatures FunctionTransformer HashingVectorizer DictVectorizer MissingIndicator "
        "GaussianRandomProjection SparseRandomProjection RBFSampler BinaryEncoder HashingEncoder BaseNEncoder "
        "RandomUnderSampler".split(), BENIGN),
})
_TRANSFORMER_PACKAGES = frozenset({"sklearn", "imblearn", "category_encoders", "umap"})
#: Keras preprocessing layers that learn statistics when ``adapt``-ed (scalers).
KERAS_LAYERS = frozenset({"Normalization", "Discretization"})
#: Embeddings with no ``transform``: a fit on the test part is the only way to plot it.
_FIT_ONLY = frozenset({"TSNE", "MDS", "SpectralEmbedding"})
_COMPOSITE_CLASS: Mapping[str, str] = MappingProxyType({
    "Pipeline": "Pipeline", "make_pipeline": "Pipeline", "ColumnTransformer": "ColumnTransformer",
    "make_column_transformer": "ColumnTransformer", "FeatureUnion": "FeatureUnion", "make_union": "FeatureUnion",
})
_COMPOSITES = frozenset(_COMPOSITE_CLASS)
_SPLITTERS = frozenset(
    "KFold StratifiedKFold GroupKFold StratifiedGroupKFold ShuffleSplit StratifiedShuffleSplit GroupShuffleSplit "
    "RepeatedKFold RepeatedStratifiedKFold TimeSeriesSplit LeaveOneOut LeavePOut LeaveOneGroupOut LeavePGroupsOut "
    "PredefinedSplit MultilabelStratifiedKFold MultilabelStratifiedShuffleSplit".split())
_SEARCHES = frozenset("GridSearchCV RandomizedSearchCV HalvingGridSearchCV HalvingRandomSearchCV BayesSearchCV".split())
_CV_FUNCTIONS = frozenset(
    "cross_val_score cross_validate cross_val_predict learning_curve validation_curve permutation_test_score".split())
_SPLIT_FUNCTIONS = frozenset({"train_test_split"})
#: Functions that scale with statistics of their input, by qualified name.
_SCALING_FUNCTIONS = frozenset(
    [f"sklearn.preprocessing.{name}" for name in
     "scale minmax_scale maxabs_scale robust_scale quantile_transform power_transform".split()]
    + ["scipy.stats.zscore", "scipy.stats.mstats.zscore"])
#: ``sklearn.utils.resample`` draws with replacement: duplicated rows end up on both sides of a later split.
_RESAMPLING_FUNCTIONS = frozenset({"sklearn.utils.resample"})
_MODEL_SELECTION_PACKAGES = frozenset({"sklearn", "iterstrat", "skopt"})

_FIT = frozenset({"fit", "partial_fit", "adapt"})
_FIT_TRANSFORM = frozenset({"fit_transform"})
_RESAMPLE = frozenset({"fit_resample", "fit_sample"})
_APPLY = frozenset({"transform", "inverse_transform"})
#: Reductions whose result is a statistic over the rows (unless taken along a row).
_REDUCTIONS = frozenset("mean std var max min median ptp amax amin nanmean nanstd nanvar nanmax nanmin nanmedian".split())
#: Call names (last part) of the functions that scale or resample their input.
_SCALING_NAMES = frozenset(q.rpartition(".")[2] for q in _SCALING_FUNCTIONS | _RESAMPLING_FUNCTIONS)
#: The last part of every library callable the walk knows.
_LIBRARY_NAMES = frozenset(TRANSFORMERS).union(
    KERAS_LAYERS, _COMPOSITES, _SPLITTERS, _SEARCHES, _CV_FUNCTIONS, _SPLIT_FUNCTIONS, _REDUCTIONS, _SCALING_NAMES)
#: pandas methods that call a function on each column (or row, ``axis=1``).
_APPLYING = frozenset({"apply", "transform", "agg", "aggregate"})
#: Methods whose arguments' rows join the receiver's (``df.merge(other)``).
_COMBINING_METHODS = frozenset({"merge", "join", "append", "combine_first", "concat"})
#: Methods of unknown objects whose result is made from the rows of their argument.
_DERIVING_METHODS = frozenset({"transform", "fit_transform", "predict", "predict_proba", "decision_function",
                               "encode", "texts_to_sequences", "embed", "extract"})
#: Methods that add their arguments to the receiver (``rows.append(row)``).
_MUTATING = frozenset({"append", "extend", "insert", "add"})
#: Attributes and calls that describe data without carrying its rows.
_METADATA = frozenset({"shape", "columns", "dtypes", "dtype", "ndim", "size", "nbytes", "name", "names"})
_NO_DATA_CALLS = frozenset({"len", "print", "type", "isinstance", "issubclass", "id", "repr", "hasattr",
                            "display", "callable", "format"})

_TEST_WORDS = ("validation", "holdout", "valid", "test", "tst", "val", "dev")
_TRAIN_WORDS = ("training", "train", "trn")
#: What may be glued to a split word inside one name token (``Xtest``, ``testX``, ``traindf``).
_AFFIXES = frozenset({"x", "y", "df", "data", "set", "ds", "idx", "ix"})

MAX_DEPTH = 4

_Origin = Any  # Root | Part: frozen dataclasses below


@dataclass(frozen=True)
class Root:
    """A dataset nothing tracked produced: a load, a literal, a parameter, an unknown name."""

    key: tuple[Any, ...]
    label: str  # the name it was first bound to
    #: origins are hashed each time they enter a set; their keys nest, so once is enough
    hashed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hashed", hash((self.key, self.label)))

    def __hash__(self) -> int:
        return self.hashed


@dataclass(frozen=True)
class Part:
    """The train or test side of *split* applied to the rows of *parent*."""

    parent: _Origin
    split: "Split"
    role: str
    hashed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hashed", hash((self.parent, self.split, self.role)))

    def __hash__(self) -> int:
        return self.hashed


@dataclass(eq=False)
class Instance:
    """An object of a known class: a transformer, a CV splitter or a search."""

    cls: str
    kind: str  # "transformer", "splitter", "search"
    family: str = ""
    leaky: bool = True


@dataclass(eq=False)
class Fit:
    """A transformer fitted on rows, or statistics computed over them."""

    node: ast.AST  # where the linted module does it (a call of a helper that does it)
    data: frozenset
    #: the expression of the rows it saw, or what a message says instead
    data_shown: ast.AST | str
    family: str
    cls: str
    order: int
    instance: Instance | None = None
    data_name: str = ""  # the name the data argument is held in, if a plain name
    #: (helper qualname, path, line) of the fit a called project function makes
    via: tuple[str, str, int] | None = None
    #: the helper call that instantiated it (a token compared by identity: holding the
    #: instantiation would hold its walker, and a cycle keeps every tree alive until the
    #: collector runs)
    call: object | None = None

    # Source text only for messages: made when a leak is reported, not for every fit.
    @property
    def text(self) -> str:
        return _short(self.node)

    @property
    def data_text(self) -> str:
        return self.data_shown if isinstance(self.data_shown, str) else _short(self.data_shown, 40)


@dataclass(eq=False)
class Split:
    """Where rows are sent to train and test sides."""

    node: ast.AST
    text: str
    kind: str
    order: int
    inputs: "Value"
    test_used: bool = False
    roles: set[str] = field(default_factory=set)
    via: tuple[str, str, int] | None = None
    call: object | None = None

    @property
    def void(self) -> bool:
        """Named slices of which only one side was seen: not a split after all."""
        return self.kind == SLICES and self.roles != {TRAIN, TEST}


@dataclass(frozen=True)
class Apply:
    """A fitted transformer applied to rows (``transform``, scaling arithmetic)."""

    fit: Fit
    origins: frozenset


@dataclass(frozen=True, slots=True)
class Value:
    """What the walk knows about one value."""

    origins: frozenset = frozenset()
    fits: frozenset = frozenset()
    #: rows a statistic (``X.mean()``) was computed over
    stat: frozenset = frozenset()
    instance: Instance | None = None
    items: tuple["Value", ...] | None = None
    index: tuple[Split, str] | None = None  # train or test indices of a split
    element: "Value | None" = None  # what iterating over it yields
    #: one sample of a dataset (a loop variable): its statistics are per sample
    row: bool = False

    def plain(self) -> "Value":
        return Value(self.origins, self.fits, self.stat, row=self.row)


EMPTY = Value()
_EMPTY_SET: frozenset = frozenset()
#: Column names and other keys: iterating over them yields no samples.
_KEYS = Value(element=EMPTY)
#: ``range(n)``: iterating yields counters, and ``X[i]`` is one sample.
_COUNTERS = Value(element=Value(row=True))


def union(values: Iterable[Value]) -> Value:
    """A value made of all of *values* (structure is kept only when they agree)."""
    values = values if isinstance(values, list) else list(values)
    if len(values) < 2:
        return values[0] if values else EMPTY
    instances = {id(v.instance): v.instance for v in values if v.instance is not None}
    return Value(
        _EMPTY_SET.union(*[v.origins for v in values]),
        _EMPTY_SET.union(*[v.fits for v in values]),
        _EMPTY_SET.union(*[v.stat for v in values]),
        next(iter(instances.values())) if len(instances) == 1 else None,
        row=all(v.row for v in values),
    )


@dataclass(frozen=True)
class Leak:
    """A fact for ML701: *fit* leaks through *split* (kind ``split``), or is a
    fit on the test side while the training side has its own (kind ``test``;
    *split* is None when only the names tell, and *counterpart* names the
    training data then)."""

    kind: str
    fit: Fit
    split: Split | None
    counterpart: str = ""


# -- names ---------------------------------------------------------------------------------


def _match_case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word.capitalize()
    return word


def name_role(name: str) -> tuple[str, tuple[str, ...]] | None:
    """``train`` or ``test`` for names such as ``X_test``, ``x_val``, ``valid_df``,
    ``Xtest``, with the names the other side would have (``X_train``)."""
    tokens = name.split("_")
    for position, token in enumerate(tokens):
        low = token.lower()
        for words, role, others in ((_TEST_WORDS, TEST, _TRAIN_WORDS), (_TRAIN_WORDS, TRAIN, _TEST_WORDS)):
            for word in words:
                if low == word:
                    start = 0
                elif word != "dev" and low.startswith(word) and low[len(word):] in _AFFIXES:
                    start = 0
                elif word != "dev" and low.endswith(word) and low[: -len(word)] in _AFFIXES:
                    start = len(low) - len(word)
                else:
                    continue
                found = token[start:start + len(word)]
                counterparts = tuple(
                    "_".join([*tokens[:position], token[:start] + _match_case(found, other) + token[start + len(word):],
                              *tokens[position + 1:]])
                    for other in others
                )
                return role, counterparts
    return None


# -- origins -----------------------------------------------------------------------------


def _chain(origin: _Origin) -> Iterator[_Origin]:
    """The origin and its ancestors, innermost first."""
    while True:
        yield origin
        if not isinstance(origin, Part):
            return
        origin = origin.parent


def _roots(origins: Iterable[_Origin]) -> Iterator[Root]:
    for origin in origins:
        for item in _chain(origin):
            if isinstance(item, Root):
                yield item


def _saw_test(fit: Fit, split: Split) -> bool:
    """Whether *fit* saw rows that *split* sends to its test side: all the rows it
    splits (or a superset), or its test part itself."""
    inputs = split.inputs.origins
    for seen in fit.data:
        for origin in inputs:
            if seen in _chain(origin):
                return True
        if any(isinstance(o, Part) and o.split is split and o.role == TEST for o in _chain(seen)):
            return True
    return False


def _splits_of(origins: Iterable[_Origin], role: str) -> Iterator[Split]:
    """The splits whose *role* side the origins come from."""
    for origin in origins:
        for item in _chain(origin):
            if isinstance(item, Part) and item.role == role:
                yield item.split


def _side(origins: frozenset) -> tuple[str, Split] | None:
    """The side of a split all of a value's rows come from (slices that turned out
    not to be a split are looked through)."""
    sides: dict[tuple[str, int], tuple[str, Split]] = {}
    for origin in origins:
        while isinstance(origin, Part) and origin.split.void:
            origin = origin.parent
        if not isinstance(origin, Part):
            return None
        sides[(origin.role, id(origin.split))] = (origin.role, origin.split)
    return next(iter(sides.values())) if len(sides) == 1 else None


# -- classifying calls ---------------------------------------------------------------------


def transformer_class(qualified: str) -> tuple[str, str] | None:
    """(class name, family) for a transformer class's qualified name."""
    top, _, _ = qualified.partition(".")
    last = qualified.rpartition(".")[2]
    if top in ("keras", "tensorflow", "tf_keras"):
        return (last, SCALE) if last in KERAS_LAYERS else None
    if top in _TRANSFORMER_PACKAGES and last in TRANSFORMERS:
        return last, TRANSFORMERS[last]
    return None


def _model_selection(qualified: str, names: frozenset[str]) -> str | None:
    last = qualified.rpartition(".")[2]
    return last if qualified.partition(".")[0] in _MODEL_SELECTION_PACKAGES and last in names else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The argument given at *position* or as *name*."""
    for index, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            return None
        if index == position:
            return argument
    return _keyword(call, name)


def _along_rows(call: ast.Call, axis_position: int) -> bool:
    """Whether a reduction is taken over the rows (axis 0, all axes, or the
    default), not along each row."""
    axis = _keyword(call, "axis")
    if axis is None and len(call.args) > axis_position:
        axis = call.args[axis_position]
    if axis is None:
        return True
    if isinstance(axis, ast.Constant):
        return axis.value in (0, None, "index", "rows")
    if isinstance(axis, ast.Tuple):
        return any(isinstance(e, ast.Constant) and e.value == 0 for e in axis.elts)
    return False


def _short(node: ast.AST, limit: int = 60) -> str:
    """Source text of a node for a message, elided in the middle of long calls."""
    text = ast.unparse(node)
    if len(text) <= limit:
        return text
    if isinstance(node, ast.Call):
        head, shown = _short(node.func, limit - 5), []
        for argument in [*node.args, *node.keywords]:
            part = ast.unparse(argument)
            if len(head) + sum(len(p) + 2 for p in shown) + len(part) > limit - 5:
                break
            shown.append(part)
        return f"{head}({', '.join([*shown, '…'])})"
    return text[: limit - 1] + "…"


def _base_name(node: ast.expr) -> str:
    """``X_test`` for ``X_test``, ``X_test[cols]``, ``X_test.values``."""
    while isinstance(node, (ast.Subscript, ast.Attribute)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        node = node.func.value if isinstance(node, ast.Call) else node.value  # type: ignore[union-attr]
    return node.id if isinstance(node, ast.Name) else ""


_ROW_METHODS = frozenset({"sample", "head", "tail", "take"})
_THROUGH = frozenset({"values", "iloc", "loc", "T"})
_THROUGH_CALLS = frozenset({"copy", "reset_index", "to_numpy", "astype", "reshape"})


def _sliced(node: ast.expr) -> ast.expr | None:
    """The container a row-selecting expression takes rows from: ``X`` for
    ``X[:100]``, ``df.iloc[idx].values``, ``df.sample(frac=0.8)``,
    ``df.drop(train.index)`` and ``X[5000:] / 255.``; None for anything else."""
    if isinstance(node, ast.BinOp):
        return _sliced(node.left)
    if isinstance(node, ast.Attribute) and node.attr in _THROUGH and not isinstance(node.value, ast.Name):
        return _sliced(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        if method in _THROUGH_CALLS:
            return _sliced(node.func.value)
        if method in _ROW_METHODS:
            return node.func.value
        first = node.args[0] if node.args else _keyword(node, "index")
        if method == "drop" and isinstance(first, ast.Attribute) and first.attr == "index":
            return node.func.value
        return None
    if isinstance(node, ast.Subscript):
        if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str) and name_role(node.slice.value):
            return None  # ``dataset["test"]`` comes split
        value = node.value
        if isinstance(value, ast.Attribute) and value.attr in ("iloc", "loc"):
            value = value.value
        return value
    return None


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _pure(node: ast.expr) -> bool:
    """No calls: evaluating it twice has no effect."""
    return not any(isinstance(n, (ast.Call, ast.NamedExpr, ast.Lambda, ast.Await, ast.Yield)) for n in ast.walk(node))


_TRY_BLOCKS = ("body", "orelse", "finalbody", "handlers")
#: The blocks of each compound statement (not of functions and classes), in the order
#: they are pushed: a table instead of five ``getattr`` per statement.
_BLOCKS: Mapping[type, tuple[str, ...]] = MappingProxyType({
    ast.If: ("body", "orelse"), ast.For: ("body", "orelse"), ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"), ast.With: ("body",), ast.AsyncWith: ("body",), ast.Try: _TRY_BLOCKS,
    getattr(ast, "TryStar", ast.Try): _TRY_BLOCKS, ast.Match: ("cases",), ast.ExceptHandler: ("body",),
    ast.match_case: ("body",),
})


def _statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The statements of *body* and of its blocks (not expressions), without the
    bodies of functions and classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for name in _BLOCKS.get(type(node), ()):
            stack.extend(reversed(getattr(node, name)))


def _bound(target: ast.expr) -> Iterator[str]:
    """The names an assignment target binds (not ``df`` in ``df[col] = ...``)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _bound(element)
    elif isinstance(target, ast.Starred):
        yield from _bound(target.value)


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        return [node.target]
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return [item.optional_vars for item in node.items if item.optional_vars is not None]
    return []


def _unit_names(body: list[ast.stmt]) -> tuple[frozenset[str], dict[str, set[str]]]:
    """The names a unit binds, and those it binds from row-selecting expressions
    (candidates for named slices) with the containers they take rows from, as
    ``ast.dump`` texts. Linear in the unit's statements."""
    assigned: set[str] = set()
    sliced: dict[str, set[str]] = {}
    for node in _statements(body):
        for target in _targets(node):
            assigned.update(_bound(target))
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) and len(target.elts) == len(node.value.elts):
                pairs = list(zip(target.elts, node.value.elts))
            for name, value in pairs:
                container = _sliced(value) if isinstance(name, ast.Name) else None
                if container is not None:
                    sliced.setdefault(name.id, set()).add(ast.dump(container))
    return frozenset(assigned), sliced


# -- summaries of project functions ---------------------------------------------------------


@dataclass
class Summary:
    """What calling a project function does to the caller's data."""

    qualname: str
    path: str
    params: tuple[str, ...]
    param_roots: dict[str, Root]
    result: Value
    fits: list[Fit]
    splits: list[Split]
    applies: list[Apply]
    current: dict[Instance, Fit]
    updates: dict[str, Value]  # parameters mutated in place (``df[col] = ...``)
    leaks: list[Leak]


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
    args = node.args
    return tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])


def definitions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function of a module by dotted qualname (``f``, ``C.m``, ``f.inner``)."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    stack: list[tuple[list[ast.stmt], str]] = [(tree.body, "")]
    while stack:
        body, prefix = stack.pop()
        for node in _statements(body):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{node.name}"
                if not isinstance(node, ast.ClassDef):
                    found.setdefault(name, node)
                stack.append((node.body, name + "."))
    return found


class _Instantiation:
    """A summary's events and values, re-made at one call site with the arguments' values."""

    def __init__(self, walker: "_Walker", summary: Summary, call: ast.Call, arguments: dict[str, tuple[Value, ast.expr]]) -> None:
        self.walker = walker
        self.summary = summary
        self.call = call
        self.arguments = {summary.param_roots[name]: pair for name, pair in arguments.items()}
        self.token = object()  # what the fits and splits it makes call it
        self._fits: dict[int, Fit | None] = {}
        self._splits: dict[int, Split] = {}
        self._instances: dict[int, Instance] = {}

    @cached_property
    def text(self) -> str:
        return _short(self.call)

    def mentions_parameters(self, origins: Iterable[_Origin]) -> bool:
        return any(root in self.arguments for root in _roots(origins))

    def origins(self, origins: Iterable[_Origin]) -> tuple[frozenset, frozenset]:
        """Origins in the caller's terms, and the fits the arguments bring with them."""
        mapped: set[_Origin] = set()
        fits: set[Fit] = set()
        for origin in origins:
            if isinstance(origin, Part):
                parents, carried = self.origins((origin.parent,))
                mapped.update(Part(p, self.split(origin.split), origin.role) for p in parents)
                fits.update(carried)
            elif origin in self.arguments:
                value = self.arguments[origin][0]
                mapped.update(value.origins)
                fits.update(value.fits)
            else:
                mapped.add(origin)
        return frozenset(mapped), frozenset(fits)

    def value(self, value: Value) -> Value:
        origins, carried = self.origins(value.origins)
        stat, _ = self.origins(value.stat)
        return Value(
            origins,
            frozenset(f for f in map(self.fit, value.fits) if f is not None) | carried,
            stat,
            self.instance(value.instance),
            tuple(self.value(v) for v in value.items) if value.items is not None else None,
            (self.split(value.index[0]), value.index[1]) if value.index is not None else None,
            self.value(value.element) if value.element is not None else None,
        )

    def _via(self, line: int, via: tuple[str, str, int] | None) -> tuple[str, str, int]:
        return via or (self.summary.qualname, self.summary.path, line)

    def fit(self, fit: Fit) -> Fit | None:
        """The caller's copy of a fit the callee makes (None: statistics of one sample)."""
        if id(fit) in self._fits:
            return self._fits[id(fit)]
        seen = set(_roots(fit.data))
        passed = [pair for root, pair in self.arguments.items() if root in seen]
        if fit.family == STATISTICS and any(value.row for value, _ in passed):
            self._fits[id(fit)] = None
            return None
        data, _ = self.origins(fit.data)
        argument = passed[0][1] if passed else None
        made = self._fits[id(fit)] = Fit(
            self.call, data, argument if argument is not None else fit.data_shown,
            fit.family, fit.cls, self.walker.tick(), self.instance(fit.instance),
            data_name=_base_name(argument) if argument is not None else "",
            via=self._via(getattr(fit.node, "lineno", 0), fit.via), call=self.token,
        )
        self.walker.fits.append(made)
        return made

    def split(self, split: Split) -> Split:
        made = self._splits.get(id(split))
        if made is None:
            made = self._splits[id(split)] = Split(
                self.call, self.text, split.kind, self.walker.tick(), EMPTY, split.kind == FOLDS, set(split.roles),
                via=self._via(getattr(split.node, "lineno", 0), split.via), call=self.token,
            )
            made.inputs = self.value(split.inputs)
            self.walker.splits.append(made)
        return made

    def instance(self, instance: Instance | None) -> Instance | None:
        if instance is None:
            return None
        made = self._instances.get(id(instance))
        if made is None:
            made = self._instances[id(instance)] = Instance(instance.cls, instance.kind, instance.family, instance.leaky)
            fit = self.summary.current.get(instance)
            made_fit = self.fit(fit) if fit is not None else None
            if made_fit is not None:
                self.walker.current[made] = made_fit
        return made

    def apply(self) -> Value:
        """Bring the callee's effects into the caller; the call's value."""
        summary = self.summary
        for fit in summary.fits:
            if self.mentions_parameters(fit.data):
                self.fit(fit)
        for split in summary.splits:
            if self.mentions_parameters(split.inputs.origins):
                self.split(split)
        for applied in summary.applies:
            made = self.fit(applied.fit) if self.mentions_parameters(applied.origins) else None
            if made is not None:
                self.walker.applies.append(Apply(made, self.origins(applied.origins)[0]))
        for name, update in summary.updates.items():
            pair = self.arguments.get(summary.param_roots[name])
            if pair is not None and isinstance(pair[1], (ast.Name, ast.Attribute)):
                self.walker.update(pair[1], self.value(update))
        result = self.value(summary.result)
        passed = [value for root, (value, _) in self.arguments.items() if root in set(_roots(summary.result.origins))]
        return _as_row(result) if any(value.row for value in passed) else result  # made from a sample


# -- the walk ------------------------------------------------------------------------------


class _Walker:
    """One unit (a module's top level or a function body), statement by statement."""

    def __init__(self, analysis: "LeakageAnalysis", info: ModuleInfo, key: tuple[str, str],
                 body: list[ast.stmt], params: tuple[str, ...] = (), depth: int = 0) -> None:
        self.analysis = analysis
        self.info = info
        self.key = key
        self.body = body
        self.depth = depth
        self.env: dict[str, Value] = {}
        self.fits: list[Fit] = []
        self.splits: list[Split] = []
        self.applies: list[Apply] = []
        self.current: dict[Instance, Fit] = {}
        self.returns: list[Value] = []
        self.updated: set[str] = set()
        assigned, self.row_assigned = _unit_names(body)
        self.assigned = assigned | set(params)
        self.slices: dict[frozenset, Split] = {}
        self.param_roots = {name: Root((key, "param", name), name) for name in params}
        for name, root in self.param_roots.items():
            self.env[name] = Value(frozenset({root}))
        self._order = 0

    def tick(self) -> int:
        self._order += 1
        return self._order

    # -- statements

    def run(self) -> "_Walker":
        self.block(self.body)
        return self

    def block(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        handler = _STATEMENTS.get(type(node))
        if handler is not None:  # definitions, imports, ``pass``...: nothing flows
            handler(self, node)

    def assignment(self, node: ast.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.assign(target, value, node.value)

    def annotated(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.eval(node.value), node.value)

    def augmented(self, node: ast.AugAssign) -> None:
        value = self.binary(node, node.target, self.eval(node.target), self.eval(node.value), node.op)
        if isinstance(node.target, ast.Name):
            self.bind(node.target.id, value)
        else:
            self.update(node.target, value)

    def loop(self, node: ast.For | ast.AsyncFor) -> None:
        iterated = self.eval(node.iter)
        self.assign(node.target, _element(iterated), None)
        self.block(node.body)
        self.block(node.orelse)

    def condition(self, node: ast.If) -> None:
        self.eval(node.test)
        self.branches([node.body, node.orelse])

    def repeat(self, node: ast.While) -> None:
        self.eval(node.test)
        self.block(node.body)
        self.block(node.orelse)

    def context(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            value = self.eval(item.context_expr)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, value, None)
        self.block(node.body)

    def match(self, node: ast.Match) -> None:
        self.eval(node.subject)
        self.branches([case.body for case in node.cases])

    def returned(self, node: ast.Return) -> None:
        returned = self.eval(node.value) if node.value is not None else EMPTY
        _read(returned)  # the caller gets the test side
        self.returns.append(returned)

    def expressions(self, node: ast.Expr | ast.Assert | ast.Raise | ast.Delete) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.eval(child)

    def attempt(self, node: ast.Try) -> None:
        for body in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
            self.block(body)

    def branches(self, bodies: list[list[ast.stmt]]) -> None:
        """Walk alternatives from the same state and keep what any of them binds."""
        start = self.env
        ends = []
        for body in bodies:
            self.env = dict(start)
            self.block(body)
            ends.append(self.env)
        # every branch holds at least the names of the start: only those bound anew need a merge
        merged = dict(start)
        changed = {name for env in ends for name, value in env.items() if start.get(name) is not value}
        for name in changed:
            values = [env[name] for env in ends if name in env]
            merged[name] = values[0] if all(v is values[0] for v in values) else union(values)
        self.env = merged

    # -- bindings

    def bind(self, name: str, value: Value) -> None:
        self.env[name] = value

    def rooted(self, value: Value, node: ast.AST, label: str | None = None) -> Value:
        """*value*, made a dataset of its own if nothing tracked produced it (a load,
        a literal, an unknown call): what is fitted, split or bound has rows. The
        dataset is named *label*, else the node's text."""
        if value.origins or value.row or value.instance is not None or value.index is not None \
                or value.element is not None or value.stat:
            return value  # a loop counter stays one
        key = (self.key, "def", getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        root = Root(key, label if label is not None else _short(node, 40))
        return Value(frozenset({root}), value.fits, value.stat, value.instance, value.items, value.index, value.element,
                     value.row)

    def assign(self, target: ast.expr, value: Value, source: ast.expr | None) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target, value, source)
        elif isinstance(target, ast.Name):
            if source is not None:
                value = self.named_slice(target.id, source, value)
            self.bind(target.id, self.rooted(value, target, target.id))
        elif isinstance(target, ast.Attribute):
            dotted = dotted_name(target)
            if dotted is not None:
                self.bind(dotted, value)
        elif isinstance(target, ast.Subscript):
            self.eval(target.slice)
            self.update(target.value, value)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value.plain(), None)

    def unpack(self, target: ast.Tuple | ast.List, value: Value, source: ast.expr | None) -> None:
        """``a, b = ...``: element by element when the value's structure is known."""
        count = len(target.elts)
        starred = any(isinstance(t, ast.Starred) for t in target.elts)
        sources: list[ast.expr | None] = [None] * count
        if isinstance(source, (ast.Tuple, ast.List)) and len(source.elts) == count:
            sources = list(source.elts)
        if value.items is not None and len(value.items) == count and not starred:
            for element, item, element_source in zip(target.elts, value.items, sources):
                self.assign(element, item, element_source)
            return
        for element in target.elts:
            self.assign(element, value.plain(), None)

    def update(self, target: ast.expr, value: Value) -> None:
        """``df[col] = value``: the container now also holds *value*."""
        while isinstance(target, (ast.Subscript, ast.Attribute)) and dotted_name(target) not in self.env:
            target = target.value
        dotted = dotted_name(target)
        current = self.env.get(dotted) if dotted is not None else None
        if dotted is None or current is None or current.instance is not None:
            return
        self.env[dotted] = Value(current.origins | value.origins, current.fits | value.fits, current.stat, current.instance,
                                 current.items, current.index, current.element, current.row)
        self.updated.add(dotted)

    def named_slice(self, name: str, source: ast.expr, value: Value) -> Value:
        """``X_train = X[:n]`` with ``X_test = X[n:]`` elsewhere in the unit: a split of ``X``."""
        role = self.analysis.role(name) if name in self.row_assigned else None
        container = _sliced(source)
        if role is None or container is None:
            return value
        # the other side takes its rows from the same container: ``y_val`` is no counterpart
        # of ``y_train = targets[:n]`` when it is ``test_data[columns]``
        taken = ast.dump(container)
        counterpart = next((c for c in role[1] if taken in self.row_assigned.get(c, ())), None)
        if counterpart is None or not _pure(container):
            return value
        base = self.eval(container, read=False)
        if not base.origins or any(isinstance(o, Part) and o not in base.origins and not base.origins.isdisjoint(_chain(o))
                                   for o in value.origins):
            return value  # no data, or already a side of a split (``X.loc[train_index]``)
        split = self.slices.get(base.origins)
        if split is None:
            train, test = (name, counterpart) if role[0] == TRAIN else (counterpart, name)
            split = self.slices[base.origins] = Split(source, f"the `{train}`/`{test}` slicing", SLICES, self.tick(), base)
            self.splits.append(split)
        else:
            split.inputs = union([split.inputs, base]).plain()
        split.roles.add(role[0])
        parts = frozenset(Part(o, split, role[0]) for o in base.origins)
        return Value((value.origins - base.origins) | parts, value.fits, value.stat)

    # -- expressions

    def eval(self, node: ast.expr | None, read: bool = True) -> Value:
        if node is None:
            return EMPTY
        handler = _EXPRESSIONS.get(type(node))
        if handler is not None:
            return handler(self, node, read)
        # any other expression joins its parts
        return union([self.eval(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]).plain()

    def sequence(self, node: ast.Tuple | ast.List, read: bool) -> Value:
        items = tuple(self.eval(e) for e in node.elts)
        joined = union(list(items))
        whole = Value(joined.origins, joined.fits, joined.stat)
        # ``for df in [train, test]`` walks whole datasets, ``for c in ["a", "b"]`` names; what
        # ``[]`` will hold is appended later
        return Value(joined.origins, joined.fits, joined.stat, items=items, element=whole if items else None)

    def named(self, node: ast.NamedExpr, read: bool) -> Value:
        value = self.eval(node.value)
        self.assign(node.target, value, node.value)
        return value

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> Value:
        """The loop variables are bound only inside."""
        saved = dict(self.env)
        values = []
        for generator in node.generators:
            iterated = self.eval(generator.iter)
            values.append(iterated.plain())
            self.assign(generator.target, _element(iterated), None)
            values.extend(self.eval(condition) for condition in generator.ifs)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        values.extend(self.eval(part) for part in parts)
        self.env = saved
        joined = union(values)
        return Value(joined.origins, joined.fits, joined.stat)

    def name(self, name: str, read: bool = True) -> Value:
        value = self.env.get(name)
        if value is None:
            if name in self.info.aliases and name not in self.assigned:
                return EMPTY
            value = self.env[name] = Value(frozenset({Root((self.key, "name", name), name)}))
        if read:
            _read(value)
        return value

    def attribute(self, node: ast.Attribute, read: bool) -> Value:
        dotted = dotted_name(node)
        if dotted is not None and dotted in self.env:
            value = self.env[dotted]
            if read:
                _read(value)
            return value
        owner = self.eval(node.value, read)
        if owner.instance is not None:
            fit = self.current.get(owner.instance)
            return Value(fits=frozenset({fit})) if fit is not None else EMPTY
        if node.attr in _METADATA:
            return _KEYS  # ``for column in df.columns`` walks names, not samples
        return owner.plain()

    def subscript(self, node: ast.Subscript, read: bool) -> Value:
        container = self.eval(node.value, read)
        index = self.eval(node.slice, read)
        position = node.slice.value if isinstance(node.slice, ast.Constant) else None
        if isinstance(position, str) and self.analysis.role(position) is not None:
            # ``dataset["train"]``: a part the data came with, not rows of the whole
            return Value(frozenset({Root((self.key, "key", container.origins, position), position)}), container.fits)
        if container.items is not None and isinstance(position, int) and -len(container.items) <= position < len(container.items):
            return container.items[position]
        indices = [index] if index.index is not None else [i for i in index.items or () if i.index is not None]
        if indices:
            split, role = indices[0].index  # type: ignore[misc]
            if role == TEST and read:
                split.test_used = True
            return Value(frozenset(Part(o, split, role) for o in container.origins), container.fits | index.fits,
                         container.stat)
        # ``X[i]`` with a loop counter ``i``: one sample
        return Value(container.origins, container.fits | index.fits, container.stat,
                     row=container.row or (index.row and not index.origins))

    def binary(self, node: ast.BinOp | ast.AugAssign, left_node: ast.expr, left: Value, right: Value,
               op: ast.operator) -> Value:
        """Arithmetic joins its operands; ``X - X.mean()`` and ``X / X.max()`` also
        scale *X* with statistics over the rows the statistic saw."""
        value = Value(left.origins | right.origins, left.fits | right.fits,
                      left.stat if left.origins else left.stat | right.stat, row=left.row or right.row)
        if not isinstance(op, (ast.Sub, ast.Div)) or not right.stat or not left.origins:
            return value
        if not any(seen in _chain(o) for o in left.origins for seen in right.stat):
            return value
        inner = [f for f in left.fits if f.family == STATISTICS and isinstance(f.node, ast.BinOp)
                 and any(f.node is n for n in ast.walk(left_node))]
        for superseded in inner:  # ``(X - X.min()) / (X.max() - X.min())`` is one scaling
            self.fits.remove(superseded)
            self.applies = [a for a in self.applies if a.fit is not superseded]
        seen = next((n for n in ast.walk(left_node) if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript))), left_node)
        fit = Fit(node, right.stat, seen, STATISTICS, "", self.tick(), data_name=_base_name(seen))
        self.fits.append(fit)
        self.applies.append(Apply(fit, left.origins))
        return Value(value.origins, (value.fits - frozenset(inner)) | {fit}, value.stat)

    # -- calls

    def call(self, node: ast.Call) -> Value:
        dotted = dotted_name(node.func)
        if dotted is not None and dotted.partition(".")[0] in self.assigned:
            dotted = None  # a local: neither an import nor a project function
        qualified = self.info.qualify(dotted) if dotted is not None else None
        if qualified is not None:
            made = self.library_call(node, qualified)
            if made is not None:
                return made
        helper = self.analysis.resolve(self.info, dotted) if dotted is not None and self.depth < MAX_DEPTH else None
        summary = self.analysis.summary(*helper, self.depth + 1) if helper is not None else None
        if summary is not None:
            return self.instantiate(summary, node)
        if isinstance(node.func, ast.Attribute) and qualified is None:
            receiver = self.eval(node.func.value)
            if receiver.instance is not None:
                return self.method(node, receiver.instance, node.func.attr)
            return self.data_method(node, receiver, node.func.attr)
        callee = self.env.get(node.func.id) if isinstance(node.func, ast.Name) else self.eval(node.func)
        if callee is not None and callee.instance is not None and callee.instance.kind == TRANSFORMER:
            return self.method(node, callee.instance, "__call__")
        arguments = self.arguments(node)
        values = list(arguments.values())
        builtin = node.func.id if isinstance(node.func, ast.Name) and node.func.id not in self.assigned else ""
        if builtin in _NO_DATA_CALLS:
            return EMPTY
        if builtin in ("enumerate", "zip") and values:
            elements = [_COUNTERS.element, _element(values[0])] if builtin == "enumerate" \
                else [_element(v) for v in values]
            joined = union(values)
            return Value(joined.origins, joined.fits, joined.stat, element=Value(items=tuple(elements)), row=joined.row)
        if builtin == "range":
            return _COUNTERS
        if builtin in ("next", "list", "iter", "tuple") and len(values) == 1:
            return values[0].element if builtin == "next" and values[0].element is not None else values[0]
        first = arguments.get(id(node.args[0])) if node.args else None
        if first is not None and first.element is not None:  # ``tqdm(range(n))``, ``sorted(kf.split(X))``
            joined = union(values)
            return Value(joined.origins, joined.fits, joined.stat, element=first.element, row=joined.row)
        return union(values).plain()

    def arguments(self, node: ast.Call) -> dict[int, Value]:
        """Each argument's value, by the id of its expression (evaluated once, in order)."""
        values = {id(a): self.eval(a) for a in node.args}
        values.update((id(k.value), self.eval(k.value)) for k in node.keywords)
        return values

    @staticmethod
    def pick(arguments: dict[int, Value], node: ast.expr | None) -> Value:
        return arguments.get(id(node), EMPTY) if node is not None else EMPTY

    def library_call(self, node: ast.Call, qualified: str) -> Value | None:
        """Constructors, splits, cross-validation and scaling functions of the ML libraries;
        None for any other call, whose arguments the caller evaluates (once: evaluating
        them here too would double the work at every level of nesting)."""
        last = qualified.rpartition(".")[2]
        if last not in _LIBRARY_NAMES:
            return None
        transformer = transformer_class(qualified)
        if last in _COMPOSITES and qualified.partition(".")[0] in ("sklearn", "imblearn"):
            return self.composite(node, last)
        if _model_selection(qualified, _SPLIT_FUNCTIONS):
            return self.split_call(node, last)
        resampling = qualified in _RESAMPLING_FUNCTIONS and not _is_false(_keyword(node, "replace"))
        if transformer is None and qualified not in _SCALING_FUNCTIONS and not resampling \
                and not (qualified.startswith("numpy.") and last in _REDUCTIONS) \
                and not any(_model_selection(qualified, names) for names in (_SPLITTERS, _SEARCHES, _CV_FUNCTIONS)):
            return None
        arguments = self.arguments(node)
        if transformer is not None:
            return Value(instance=Instance(transformer[0], TRANSFORMER, transformer[1], transformer[1] != BENIGN))
        if _model_selection(qualified, _SPLITTERS):
            return Value(instance=Instance(last, SPLITTER))
        if _model_selection(qualified, _SEARCHES):
            return Value(instance=Instance(last, SEARCH))
        if _model_selection(qualified, _CV_FUNCTIONS):
            return self.folds(node, arguments, _argument(node, 1, "X"), last)
        if qualified in _SCALING_FUNCTIONS or resampling:
            data_node = _argument(node, 0, "X")
            data = self.pick(arguments, data_node)
            if data.row or data_node is None:
                return data.plain()
            data = self.rooted(data, data_node)
            family = STATISTICS if qualified in _SCALING_FUNCTIONS else RESAMPLE
            fit = self.new_fit(node, data, data_node, family, last if family == RESAMPLE else "", None)
            resampled = Value(data.origins, data.fits | {fit})
            arrays = [self.pick(arguments, a) for a in node.args]
            if family == RESAMPLE and len(arrays) > 1:
                return replace(resampled, items=tuple(Value(a.origins, a.fits | {fit}) for a in arrays))
            return resampled
        if qualified.startswith("numpy.") and last in _REDUCTIONS:
            data = self.pick(arguments, _argument(node, 0, "a"))
            if _along_rows(node, 1) and data.origins and not data.row:
                return Value(fits=data.fits, stat=data.origins)
            return data.plain()
        return None

    def composite(self, node: ast.Call, kind: str) -> Value:
        """A ColumnTransformer or FeatureUnion with a known statistics-learning part
        is a transformer; a Pipeline too, unless it ends in a model (or in an unknown step)."""
        arguments = self.arguments(node)
        if kind in ("make_pipeline", "make_union"):
            steps = [(a, arguments[id(a)]) for a in node.args]
        else:
            position = 0 if kind == "make_column_transformer" else 1
            listed = list(node.args) if kind == "make_column_transformer" else [
                node.args[0] if node.args else
                _keyword(node, "steps") or _keyword(node, "transformers") or _keyword(node, "transformer_list")]
            pairs = [(arguments.get(id(e), EMPTY), e) for e in listed if e is not None]
            if kind != "make_column_transformer" and pairs:
                value, literal = pairs[0]
                elements = literal.elts if isinstance(literal, (ast.List, ast.Tuple)) else [None] * len(value.items or ())
                pairs = list(zip(value.items or (), elements))
            steps = [
                (element.elts[position] if isinstance(element, (ast.Tuple, ast.List)) else None, value.items[position])
                for value, element in pairs if value.items is not None and len(value.items) > position
            ]
        instances = [value.instance for _, value in steps]
        if not any(i is not None and i.kind == TRANSFORMER and i.leaky for i in instances):
            return EMPTY
        last, final = steps[-1][0], instances[-1]
        if kind in ("Pipeline", "make_pipeline") and not (
                (isinstance(last, ast.Constant) and last.value in ("passthrough", None))
                or (final is not None and final.kind == TRANSFORMER)):
            return EMPTY
        return Value(instance=Instance(_COMPOSITE_CLASS.get(kind, kind), TRANSFORMER, COMPOSE))

    def method(self, node: ast.Call, instance: Instance, method: str) -> Value:
        """A call on a transformer, splitter or search."""
        arguments = self.arguments(node)
        data_node = _argument(node, 0, "X")
        data = self.pick(arguments, data_node)
        if data_node is not None:
            data = self.rooted(data, data_node)
        if instance.kind == SPLITTER and method == "split":
            split = self.new_split(node, [data], SPLIT, _short(node.func))
            return Value(element=Value(items=(Value(index=(split, TRAIN)), Value(index=(split, TEST)))))
        if instance.kind == SEARCH and method == "fit":
            return self.folds(node, arguments, data_node, _short(node.func))
        if instance.kind != TRANSFORMER:
            return union(arguments.values()).plain()
        if method in _FIT or method in _FIT_TRANSFORM or method in _RESAMPLE:
            if not instance.leaky:
                return Value(instance=instance) if method in _FIT else data.plain()
            seen = union([data, self.pick(arguments, _argument(node, 1, "y"))]) if method in _RESAMPLE else data
            fit = self.current[instance] = self.new_fit(node, seen, data_node, instance.family, instance.cls, instance)
            if method in _FIT:
                return Value(instance=instance)
            if method in _RESAMPLE:
                resampled = Value(seen.origins, seen.fits | {fit})
                return replace(resampled, items=(resampled, resampled))
            return Value(data.origins, data.fits | {fit})
        fit = self.current.get(instance)
        if fit is None:
            return data.plain()
        if method in _APPLY or method == "__call__":
            self.applies.append(Apply(fit, data.origins))
        return Value(data.origins, data.fits | {fit})

    def data_method(self, node: ast.Call, receiver: Value, method: str) -> Value:
        """A method of a data value: it keeps the receiver's rows (and joins the
        arguments' for ``merge``/``join``/``append``); a lambda given to ``apply``
        sees a column (``axis=1``: a row)."""
        arguments = list(self.arguments(node).values())
        function = node.args[0] if node.args else _keyword(node, "func")
        if method in _APPLYING and isinstance(function, ast.Lambda) and len(function.args.args) == 1:
            saved = dict(self.env)
            self.bind(function.args.args[0].arg, replace(receiver.plain(), row=receiver.row or not _along_rows(node, 1)))
            arguments.append(self.eval(function.body))
            self.env = saved
        if method in _REDUCTIONS and receiver.origins and not receiver.row and _along_rows(node, 0):
            return Value(fits=receiver.fits, stat=receiver.origins)
        if method in _METADATA or method == "keys":
            return _KEYS
        if method in _MUTATING and isinstance(node.func, ast.Attribute):
            self.update(node.func.value, union(arguments))
        carried = frozenset().union(*(a.fits for a in arguments))
        first = self.arguments_of(node, arguments)
        if method in _DERIVING_METHODS and first is not None:  # ``encoder.encode(X_test)``: rows of ``X_test``
            return Value(first.origins, receiver.fits | carried, row=first.row)
        origins = receiver.origins
        if method in _COMBINING_METHODS:
            origins = origins.union(*(a.origins for a in arguments))
        return Value(origins, receiver.fits | carried, receiver.stat, element=receiver.element)

    @staticmethod
    def arguments_of(node: ast.Call, values: list[Value]) -> Value | None:
        """The value of the first positional argument, from the call's evaluated arguments."""
        return values[0] if node.args and not isinstance(node.args[0], ast.Starred) and values else None

    def new_fit(self, node: ast.Call, data: Value, data_node: ast.expr | None, family: str, cls: str,
                instance: Instance | None) -> Fit:
        fit = Fit(node, data.origins, data_node if data_node is not None else "its input",
                  family, cls, self.tick(), instance, data_name=_base_name(data_node) if data_node is not None else "")
        self.fits.append(fit)
        return fit

    def new_split(self, node: ast.Call, inputs: list[Value], kind: str, text: str) -> Split:
        split = Split(node, text, kind, self.tick(), union(inputs).plain(), kind == FOLDS, {TRAIN, TEST})
        self.splits.append(split)
        return split

    def split_call(self, node: ast.Call, name: str) -> Value:
        arguments = self.arguments(node)
        arrays = [arguments[id(a)] for a in node.args if not isinstance(a, ast.Starred)]
        split = self.new_split(node, arrays, SPLIT, name)
        items = tuple(Value(frozenset(Part(o, split, role) for o in array.origins), array.fits, array.stat)
                      for array in arrays for role in (TRAIN, TEST))
        return Value(items=items)

    def folds(self, node: ast.Call, arguments: dict[int, Value], data_node: ast.expr | None, text: str) -> Value:
        self.new_split(node, [self.pick(arguments, data_node)], FOLDS, text)
        return union(arguments.values()).plain()

    def instantiate(self, summary: Summary, node: ast.Call) -> Value:
        values = self.arguments(node)
        arguments: dict[str, tuple[Value, ast.expr]] = {}
        if not any(isinstance(a, ast.Starred) for a in node.args):
            arguments.update((name, (self.rooted(values[id(a)], a, name), a)) for name, a in zip(summary.params, node.args))
        arguments.update((k.arg, (self.rooted(values[id(k.value)], k.value, k.arg), k.value))
                         for k in node.keywords if k.arg in summary.param_roots)
        return _Instantiation(self, summary, node, arguments).apply()

    # -- results

    def leaks(self) -> list[Leak]:
        """One fact per fit that leaks, with the first split it leaks through."""
        found: dict[int, Leak] = {}
        for fit in self.fits:
            test = self.test_fit(fit)
            if test is not None:
                found[id(fit)] = test
        for split in sorted(self.splits, key=lambda s: s.order):
            if _real_split(split):
                for fit in sorted(split.inputs.fits, key=lambda f: f.order):
                    _leak(found, fit, split)
        for applied in self.applies:  # applied to training rows of a split whose test rows it saw
            for split in _splits_of(applied.origins, TRAIN):
                if _real_split(split):
                    _leak(found, applied.fit, split)
        return sorted(found.values(), key=lambda leak: leak.fit.order)

    def test_fit(self, fit: Fit) -> Leak | None:
        """A fit on the test side of a split (or on a test-named value whose
        training counterpart exists) of a class also fitted on the training side."""
        if fit.family == STATISTICS or fit.cls in _FIT_ONLY or fit.instance is None:
            return None
        side = _side(fit.data)
        if side is not None:
            role, split = side
            trained = any(other.cls == fit.cls and _side(other.data) == (TRAIN, split) for other in self.fits)
            return Leak(TEST, fit, split) if role == TEST and trained else None
        if any(isinstance(o, Part) and not o.split.void for o in fit.data):
            return None
        named = self.analysis.role(fit.data_name) if fit.data_name else None
        if named is None or named[0] != TEST:
            return None
        counterpart = next((c for c in named[1] if c in self.env), None)
        trained = any(other.cls == fit.cls and other.data_name == counterpart for other in self.fits)
        return Leak(TEST, fit, None, counterpart) if counterpart and trained else None

    def summary(self, qualname: str, path: str) -> Summary:
        result = union(self.returns)
        if len(self.returns) == 1:
            result = self.returns[0]
        elif self.returns and len({len(r.items) if r.items is not None else -1 for r in self.returns} - {-1}) == 1 \
                and all(r.items is not None for r in self.returns):
            columns = zip(*(r.items for r in self.returns if r.items is not None))
            result = replace(result, items=tuple(union(c) for c in columns))
        updates = {name: self.env[name] for name in self.param_roots if name in self.updated}
        return Summary(qualname, path, tuple(self.param_roots), dict(self.param_roots), result, self.fits,
                       self.splits, self.applies, dict(self.current), updates, self.leaks())


#: How the walk runs each kind of statement (a table: no chain of ``isinstance`` per statement).
_STATEMENTS: Mapping[type, Any] = MappingProxyType({
    ast.Assign: _Walker.assignment, ast.AnnAssign: _Walker.annotated, ast.AugAssign: _Walker.augmented,
    ast.For: _Walker.loop, ast.AsyncFor: _Walker.loop, ast.If: _Walker.condition, ast.While: _Walker.repeat,
    ast.With: _Walker.context, ast.AsyncWith: _Walker.context, ast.Match: _Walker.match, ast.Return: _Walker.returned,
    **dict.fromkeys((ast.Expr, ast.Assert, ast.Raise, ast.Delete), _Walker.expressions),
    ast.Try: _Walker.attempt, getattr(ast, "TryStar", ast.Try): _Walker.attempt,
})
#: How the walk evaluates each kind of expression (a table: ``eval`` is the hottest call).
_EXPRESSIONS: Mapping[type, Any] = MappingProxyType({
    ast.Constant: lambda walker, node, read: EMPTY,
    ast.Lambda: lambda walker, node, read: EMPTY,
    ast.Name: lambda walker, node, read: walker.name(node.id, read),
    ast.Attribute: _Walker.attribute,
    ast.Subscript: _Walker.subscript,
    ast.Call: lambda walker, node, read: walker.call(node),
    ast.BinOp: lambda walker, node, read: walker.binary(node, node.left, walker.eval(node.left), walker.eval(node.right),
                                                        node.op),
    ast.Tuple: _Walker.sequence,
    ast.List: _Walker.sequence,
    ast.Starred: lambda walker, node, read: walker.eval(node.value, read),
    ast.NamedExpr: _Walker.named,
    **dict.fromkeys((ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp),
                    lambda walker, node, read: walker.comprehension(node)),
})


def _as_row(value: Value) -> Value:
    """*value* as one sample (with its parts, if it is a tuple)."""
    items = tuple(map(_as_row, value.items)) if value.items is not None else None
    return Value(value.origins, value.fits, value.stat, value.instance, items, value.index, value.element, True)


def _element(value: Value) -> Value:
    """What a loop over *value* binds: its known element, else one of its samples."""
    return value.element if value.element is not None else Value(value.origins, value.fits, value.stat, row=True)


def _read(value: Value) -> None:
    """A use of a value: the test side of the splits it comes from is used."""
    for origin in value.origins:
        while isinstance(origin, Part):
            if origin.role == TEST:
                origin.split.test_used = True
            origin = origin.parent
    if value.items is not None:
        for item in value.items:
            _read(item)


def _leak(found: dict[int, Leak], fit: Fit, split: Split) -> None:
    if id(fit) in found or (fit.call is not None and fit.call is split.call):
        return  # already known, or both inside one helper call: reported in the helper
    if _saw_test(fit, split):
        found[id(fit)] = Leak(SPLIT, fit, split)


def _real_split(split: Split) -> bool:
    """A split whose test side is used, with both sides (named slices), that does not
    re-separate a separately loaded test set (``pd.concat([train, test])`` and back)."""
    if not split.test_used or split.void:
        return False
    return not any((role := name_role(root.label)) is not None and role[0] == TEST
                   for root in _roots(split.inputs.origins))


# -- the precondition: what a module can possibly do, without parsing it -------------------

#: Call names (last part) that make a transformer whose fit learns row statistics.
_LEAKY_CLASSES = frozenset(name for name, family in TRANSFORMERS.items() if family != BENIGN) | KERAS_LAYERS
#: Call names that split, or make a splitter or a search whose ``split``/``fit`` splits.
_SPLITTING_NAMES = _SPLIT_FUNCTIONS | _CV_FUNCTIONS | _SPLITTERS | _SEARCHES
_REDUCTION_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_REDUCTIONS, key=len, reverse=True))})\b", re.ASCII)
_SPLIT_WORD = "|".join(sorted(_TEST_WORDS + _TRAIN_WORDS, key=len, reverse=True))
#: A name holding a split word, followed by what may follow an assignment target:
#: ``=`` (not ``==``), the next target (``,``), the end of a parenthesised target, or a
#: comment or line break inside one. Matched on the lowered ASCII text (see ``_plain``).
#: The rest of the name after the word holds no other split word: the match is made
#: from the name's last one, and a failing match from each word stops at the next,
#: where a plain ``\w*`` would rescan a long name from each of its words.
_ROLE_TARGET = re.compile(
    rf"(?:{_SPLIT_WORD})((?:(?!{_SPLIT_WORD})\w)*)[ \t\f]*(?:=(?!=)|[,)\]#\\\r\n])", re.ASCII)
_IDENTIFIER_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plain(source: str) -> str:
    """The text as the identifiers the parser sees, lowered: NFKC-normalised (as
    Python normalises identifiers), every remaining non-ASCII character made a
    ``z`` (an identifier stays one word; no split word or affix holds a ``z``)."""
    if not source.isascii():
        source = _NON_ASCII.sub("z", unicodedata.normalize("NFKC", source))
    return source.lower()


def _back(text: str, end: int, chars: str) -> int:
    """Where the run of *chars* that ends at *end* starts."""
    start = end
    while start > 0:
        window = text[max(0, start - 32):start]
        kept = window.rstrip(chars)
        start -= len(window) - len(kept)
        if kept:
            break
    return start


_SPACE = " \t\f\\\r\n"
_BLANK = " \t\f"
_NAME_CHARS = _IDENTIFIER_CHARS + "."
#: Characters before an ``=`` that make it an operator (``==``, ``<=``, ``:=``, ``+=``...).
_OPERATOR_CHARS = "=!<>:+-*/%&|^@"


def _may_be_target(text: str, start: int) -> bool:
    """Whether the name at *start* may be an assignment target: alone, in a chain
    (``a = b = ...``) or in a tuple (``a, (b, c) = ...``). Walks back over the
    target list it would belong to (names, commas, ``=``, opening parentheses)
    and says no for an attribute or when that leads into the parentheses of a call or a
    definition (an argument, keyword argument or parameter) or into a list, set,
    dict or subscript; anything else it meets (an operator, a quote, a closing
    bracket, a statement boundary, a line holding a comment) may start a statement."""
    if start and text[start - 1] == ".":
        return False  # an attribute
    position, separator_next = start, True
    while True:
        blank = _back(text, position, _SPACE)
        if "\n" in text[blank:position] or "\r" in text[blank:position]:
            line_start = max(text.rfind("\n", 0, blank), text.rfind("\r", 0, blank)) + 1
            if "#" in text[line_start:blank]:
                return True
        position = blank
        if position == 0:
            return True
        char = text[position - 1]
        if not separator_next:  # an element of the target list: a (dotted, starred) name
            if char not in _IDENTIFIER_CHARS:
                return True
            position = _back(text, position, _NAME_CHARS)
            position -= position > 0 and text[position - 1] == "*"
            separator_next = True
        elif char == "," or (char == "=" and (position < 2 or text[position - 2] not in _OPERATOR_CHARS)):
            position -= 1
            separator_next = False
        elif char == "(":
            before = _back(text, position - 1, _BLANK)
            if before > 0 and (text[before - 1] in _IDENTIFIER_CHARS or text[before - 1] in ")]"):
                return False
            position -= 1
        else:
            return char not in "[{"


def _line_assigns(lines: list[str], number: int, name: str) -> bool:
    """Whether line *number* (0-based) may assign *name* from a row selection.

    Parsed alone, the line either does (``X_train = X[:n]``), or is a piece of
    a parenthesised target list that goes on over several lines (``X_train,``:
    the name alone or an element of a tuple), or does not parse (a statement
    that goes on). A line that parses is the module's own statement unless it
    is such a piece or the line before continues into it with a backslash, so
    anything else it says (a call, a comment, ``X_train = load()``) is final."""
    if number and lines[number - 1].rstrip("\r").endswith("\\"):
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = ast.parse(lines[number].strip()).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    if name in map(_plain, _unit_names(body)[1]):
        return True
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        return False
    value = body[0].value
    elements = value.elts if isinstance(value, ast.Tuple) else [value]
    return any(isinstance(e, ast.Name) and _plain(e.id) == name for e in elements)


def _slice_pair(source: str, text: str) -> bool:
    """Whether two names that may be assigned a row selection are a train/test
    pair (``X_train``/``X_test``): necessary for a named slice (both sides
    assigned in one unit) anywhere in the module. *text* is ``_plain(source)``;
    ``name_role`` is case-blind, and its counterparts of a lowered name are the
    lowered counterparts. Candidates come from one regex pass; each occurrence
    of a name in a candidate pair is then checked by looking back at the target
    list it would belong to and by parsing its line alone."""
    occurrences: dict[str, list[int]] = {}
    for match in _ROLE_TARGET.finditer(text):
        start = _back(text, match.start(), _IDENTIFIER_CHARS)
        occurrences.setdefault(text[start:match.end(1)], []).append(start)
    # line numbers agree between the text and the source (neither NFKC nor the
    # ``z`` makes a line break); a lone ``\r`` ends lines the split would miss
    lines = source.split("\n") if "\r" not in text.replace("\r\n", "") else None
    breaks: list[int] = []  # where the text's lines end, once a line is asked for
    assigned: dict[str, bool] = {}

    def line_assigns(start: int, name: str) -> bool:
        if lines is None:
            return True
        if not breaks:
            breaks.extend(match.start() for match in re.finditer("\n", text))
        return _line_assigns(lines, bisect_left(breaks, start), name)

    def target(name: str) -> bool:
        if name not in assigned:
            assigned[name] = any(_may_be_target(text, start) and line_assigns(start, name) for start in occurrences[name])
        return assigned[name]

    for name in occurrences:
        role = name_role(name)
        if role is not None and any(other in occurrences and target(other) for other in role[1]) and target(name):
            return True
    return False


class _Reach:
    """What one module's own code can do for a leak, from its index entry (every
    call with a dotted callee, by qualified name) and its text. Each fact is a
    necessary condition of what the walk finds: a fit of a transformer needs its
    class constructed here or returned by a helper; scaling statistics need a
    scaling function or a reduction (a word of the text); a split needs a split
    function, a splitter or search class, or a train/test pair of names assigned
    row selections. The text facts are computed when asked, at most once; the
    text is read from the index then, not held (a project's texts are not all
    kept at once)."""

    def __init__(self, read: Callable[[], str], calls: set[str], helpers: tuple[str, ...], constructs: bool) -> None:
        self._read = read
        self.lasts = {name.rpartition(".")[2] for name in calls}
        self.helpers = helpers  # paths of the project modules whose functions it calls
        self.constructs = constructs or not self.lasts.isdisjoint(_LEAKY_CLASSES)

    @cached_property
    def scales(self) -> bool:
        return not self.lasts.isdisjoint(_SCALING_NAMES) or _REDUCTION_WORD.search(_plain(self._read())) is not None

    @cached_property
    def splits(self) -> bool:
        if not self.lasts.isdisjoint(_SPLITTING_NAMES):
            return True
        source = self._read()
        return _slice_pair(source, _plain(source))


_SITE_NAME = attrgetter("name")
#: A module with no tree: the walk never reads it.
_NOTHING = _Reach(str, set(), (), False)


def _text_of(index: ProjectIndex, path: str) -> str:
    return index.source(path) or ""


def _call_names(info: ModuleInfo) -> set[str]:
    names = set(map(_SITE_NAME, info.toplevel_calls))
    for function in info.functions.values():
        names.update(map(_SITE_NAME, function.calls))
    return names


class LeakageAnalysis(Analysis):
    """Leaks per module and function, with project functions summarised on demand."""

    name = "leakage"
    reads = Reach.IMPORTS

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "LeakageAnalysis":
        return cls(project.index)

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self._summaries: dict[tuple[str, str], Summary | None] = {}
        self._definitions: dict[str, dict[str, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self._resolved: dict[tuple[str, str], tuple[ModuleInfo, str] | None] = {}
        self._functions: dict[tuple[str, str], tuple[ModuleInfo, str] | None] = {}
        self._roles: dict[str, tuple[str, tuple[str, ...]] | None] = {}
        self._reach: dict[str, _Reach] = {}
        self._module_suffixes: frozenset[str] | None = None

    def role(self, name: str) -> tuple[str, tuple[str, ...]] | None:
        """:func:`name_role`, memoised: the walk asks it of every name it binds."""
        if name not in self._roles:
            self._roles[name] = name_role(name)
        return self._roles[name]

    def may_leak(self, info: ModuleInfo) -> bool:
        """Whether the walk can find a leak in the module: a transformer is
        constructed in it or in a project module it calls into (transitively), or
        scaling statistics and a split can both occur there. Exact: each part is a
        necessary condition of a fit, a split or a fit on test-named data. Cheap:
        no parse; the call names of each module reached, and its text only while
        the answer is open (splits first: they are the rarer)."""
        reached = [self.reach(info.path)]
        seen = {info.path}
        for reach in reached:  # grows while it is read: breadth first
            if reach.constructs:
                return True
            for path in reach.helpers:
                if path not in seen:
                    seen.add(path)
                    reached.append(self.reach(path))
        return any(reach.splits for reach in reached) and any(reach.scales for reach in reached)

    def reach(self, path: str) -> _Reach:
        """The memoised :class:`_Reach` of one module."""
        reach = self._reach.get(path)
        if reach is None:
            info = self.index.module(path)
            if info is None or info.parse_failed or self.index.source(path) is None:
                reach = _NOTHING
            else:
                calls = _call_names(info)
                # the walk follows a call through the imports only
                heads = {target.partition(".")[0] for target in info.aliases.values()}
                found = (self.function(name, info) for name in calls if name.partition(".")[0] in heads)
                helpers = tuple(sorted({f[0].path for f in found if f is not None and f[0].path != path}))
                # the index names ``self.m()`` after the class, the walk through an import named ``self``
                read = partial(_text_of, self.index, path)
                reach = _Reach(read, calls, helpers, constructs="self" in info.aliases)
            self._reach[path] = reach
        return reach

    def function(self, qualified: str, importer: ModuleInfo) -> tuple[ModuleInfo, str] | None:
        """The project function (not a method, not a class) a qualified call name
        reaches from *importer*: ``pkg.mod.f`` is function ``f`` of the module the
        index finds for ``pkg.mod`` (where ``ProjectIndex.resolve_function`` would
        look first; anything it finds further out is a method or a class). Memoised
        by the importer's folder, all the lookup depends on; the index finds a module
        only by a name that ends a project module's dotted name, so a library call
        never searches."""
        if self._module_suffixes is None:
            self._module_suffixes = frozenset(
                name.split(".", cut)[-1] for name in self.index.import_names() for cut in range(name.count(".") + 1))
        module_name, _, function = qualified.rpartition(".")
        if module_name not in self._module_suffixes:
            return None
        key = (importer.path.rpartition("/")[0], qualified)
        if key not in self._functions:
            module = self.index.find_module(module_name, importer)
            self._functions[key] = (module, function) if module is not None and function in module.functions else None
        return self._functions[key]

    def leaks(self, info: ModuleInfo, tree: ast.Module) -> list[Leak]:
        """Every leak in the module: its top level (a notebook's cells in order) and
        each function body."""
        found = _Walker(self, info, (info.path, ""), tree.body).run().leaks()
        if info.path not in self._definitions:
            self._definitions[info.path] = definitions(tree)
        for qualname in self._definitions[info.path]:
            summary = self.summary(info, qualname, 0)
            if summary is not None:
                found.extend(summary.leaks)
        return found

    def resolve(self, info: ModuleInfo, dotted: str) -> tuple[ModuleInfo, str] | None:
        """The project function a call of *dotted* (not a local name) reaches: one
        of the module's own, or an imported one."""
        if dotted in info.functions and "." not in dotted:
            return info, dotted
        key = (info.path, dotted)
        if key not in self._resolved:
            qualified = info.qualify(dotted)
            self._resolved[key] = self.function(qualified, info) if qualified is not None else None
        return self._resolved[key]

    def summary(self, info: ModuleInfo, qualname: str, depth: int) -> Summary | None:
        """The memoised summary of a project function (None while it is being made:
        a recursive call is an unknown function)."""
        key = (info.path, qualname)
        if key in self._summaries:
            return self._summaries[key]
        definitions_ = self._definitions.get(info.path)
        if definitions_ is None:
            tree = self.index.tree(info.path)
            definitions_ = self._definitions[info.path] = definitions(tree) if tree is not None else {}
        node = definitions_.get(qualname)
        if node is None:
            return None
        self._summaries[key] = None
        walker = _Walker(self, info, key, node.body, _parameters(node), depth).run()
        made = self._summaries[key] = walker.summary(qualname, info.path)
        return made
