"""Generate ``mllint/data/random_state.json``, the data table behind rule ML202.

This is a development-time script. It imports scikit-learn, lightgbm, xgboost and
catboost, which mllint itself never does: at lint time the rule only reads the JSON.
Run it from a separate virtual environment that has those libraries installed::

    python3 -m venv /tmp/sk
    /tmp/sk/bin/pip install scikit-learn lightgbm xgboost catboost
    /tmp/sk/bin/python scripts/generate_random_state_table.py

How the table is built
----------------------
* scikit-learn: every class or function exported by a public module (no ``_`` in
  its dotted path; ``__all__`` where a module has one, otherwise the objects defined
  in that module) whose signature has ``random_state``, plus public classmethods
  such as ``LearningCurveDisplay.from_estimator``. ``sklearn.utils.all_estimators()``
  is walked too, as a cross-check that no estimator is missed.
* lightgbm / xgboost / catboost: the scikit-learn-API classes exported by the
  top-level package, with the seed keyword names each library accepts. Their seed
  defaults to None in Python, where the native code then uses a fixed seed: the
  entries record that seed, so ML202 treats an unseeded model as reproducible.

Each entry records the seed parameter, its default, where it may be passed
positionally and, when randomness only matters for some settings, a condition.
Conditions are not guessed: the ``random_state`` docstring text is parsed, and
every entry whose text mentions another parameter of the same signature (or
whose signature has ``shuffle``) must have a hand-written decision in
``CURATED``. The script refuses to write the
table while any such entry is undecided or any decision is stale.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

OUTPUT = Path(__file__).resolve().parent.parent / "mllint" / "data" / "random_state.json"

# A curated decision lists alternatives; randomness matters when ANY
# alternative holds, and an alternative holds when ALL of its clauses hold.
# ``ALWAYS`` (no alternatives) means the seed matters for every setting.
# Clauses are built by the helpers below and combined with ``+`` (and).
Clause = tuple[Any, ...]
Alternative = tuple[Clause, ...]
ALWAYS: tuple[Alternative, ...] = ()


def truthy(keyword: str) -> Alternative:
    """The keyword's value (or default) is truthy."""
    return ((keyword, "truthy"),)


def one_of(keyword: str, *values: Any) -> Alternative:
    """The keyword's value (or default) is one of ``values``."""
    return ((keyword, "in", values),)


def is_float(keyword: str) -> Alternative:
    """The keyword's value (or default) is a float, e.g. ``cv=0.2`` (a split fraction)."""
    return ((keyword, "float"),)


def folds(keyword: str) -> Alternative:
    """The keyword's value (or default) is an int or None: a fold count, not a splitter."""
    return ((keyword, "folds"),)


SHUFFLE = (truthy("shuffle"),)
# A splitter passed as ``cv`` carries its own seed; ``shuffle`` then does nothing.
SHUFFLED_FOLDS = (truthy("shuffle") + folds("cv"),)

CURATED: dict[str, tuple[Alternative, ...]] = {
    # --- seed used only when data is shuffled (splitters, SGD-style solvers) ---
    "sklearn.model_selection.train_test_split": SHUFFLE,
    "sklearn.model_selection.KFold": SHUFFLE,
    "sklearn.model_selection.StratifiedKFold": SHUFFLE,
    "sklearn.model_selection.GroupKFold": SHUFFLE,
    "sklearn.model_selection.StratifiedGroupKFold": SHUFFLE,
    "sklearn.model_selection.check_cv": SHUFFLED_FOLDS,
    "sklearn.model_selection.learning_curve": SHUFFLE,
    "sklearn.model_selection.LearningCurveDisplay.from_estimator": SHUFFLE,
    "sklearn.preprocessing.TargetEncoder": SHUFFLED_FOLDS,
    "sklearn.linear_model.PassiveAggressiveClassifier": SHUFFLE,
    "sklearn.linear_model.PassiveAggressiveRegressor": SHUFFLE,
    "sklearn.linear_model.Perceptron": SHUFFLE,
    # Not in its docstring, but SGDOneClassSVM shuffles like the other SGD models.
    "sklearn.linear_model.SGDOneClassSVM": SHUFFLE,
    # SGD also draws the early-stopping validation split from the seed.
    "sklearn.linear_model.SGDClassifier": (truthy("shuffle"), truthy("early_stopping")),
    "sklearn.linear_model.SGDRegressor": (truthy("shuffle"), truthy("early_stopping")),
    "sklearn.datasets.fetch_covtype": SHUFFLE,
    "sklearn.datasets.fetch_rcv1": SHUFFLE,
    "sklearn.datasets.fetch_kddcup99": (truthy("shuffle"), one_of("subset", "SA")),
    # These three shuffle with a fixed default seed, so they only count if that changes.
    "sklearn.datasets.fetch_20newsgroups": SHUFFLE,
    "sklearn.datasets.fetch_olivetti_faces": SHUFFLE,
    "sklearn.datasets.load_files": SHUFFLE,
    "sklearn.datasets.make_circles": (truthy("shuffle"), truthy("noise")),
    "sklearn.datasets.make_moons": (truthy("shuffle"), truthy("noise")),
    # --- seed used only by some solvers ---
    # PCA/KernelPCA/LLE with the default "auto" solver may pick a randomized or
    # ARPACK solver for large inputs; both converge to the same leading
    # components (signs are normalised), so only an explicit choice is reported.
    "sklearn.decomposition.PCA": (one_of("svd_solver", "arpack", "randomized"),),
    "sklearn.decomposition.KernelPCA": (one_of("eigen_solver", "arpack", "randomized"),),
    "sklearn.manifold.LocallyLinearEmbedding": (one_of("eigen_solver", "arpack"),),
    # The docstring says ``solver`` but the parameter is ``eigen_solver``.
    "sklearn.manifold.locally_linear_embedding": (one_of("eigen_solver", "arpack"),),
    "sklearn.decomposition.FactorAnalysis": (one_of("svd_method", "randomized"),),
    "sklearn.linear_model.LogisticRegression": (one_of("solver", "sag", "saga", "liblinear"),),
    "sklearn.linear_model.LogisticRegressionCV": (one_of("solver", "sag", "saga", "liblinear"),),
    "sklearn.linear_model.Ridge": (one_of("solver", "sag", "saga"),),
    "sklearn.linear_model.RidgeClassifier": (one_of("solver", "sag", "saga"),),
    "sklearn.linear_model.ridge_regression": (one_of("solver", "sag", "saga"),),
    "sklearn.linear_model.ElasticNet": (one_of("selection", "random"),),
    "sklearn.linear_model.ElasticNetCV": (one_of("selection", "random"),),
    "sklearn.linear_model.Lasso": (one_of("selection", "random"),),
    "sklearn.linear_model.LassoCV": (one_of("selection", "random"),),
    "sklearn.linear_model.MultiTaskElasticNet": (one_of("selection", "random"),),
    "sklearn.linear_model.MultiTaskElasticNetCV": (one_of("selection", "random"),),
    "sklearn.linear_model.MultiTaskLasso": (one_of("selection", "random"),),
    "sklearn.linear_model.MultiTaskLassoCV": (one_of("selection", "random"),),
    "sklearn.linear_model.Lars": (truthy("jitter"),),
    "sklearn.linear_model.LassoLars": (truthy("jitter"),),
    # ``dual="auto"`` picks the (deterministic) primal problem when
    # n_samples > n_features, so only an explicit ``dual=True`` is reported.
    "sklearn.svm.LinearSVC": (one_of("dual", True),),
    "sklearn.svm.SVC": (truthy("probability"),),
    "sklearn.svm.NuSVC": (truthy("probability"),),
    # --- seed used only by some initialisations / options ---
    # NMF's default init picks "nndsvda" (deterministic up to randomized SVD).
    "sklearn.decomposition.NMF": (one_of("init", "nndsvdar", "random"), truthy("shuffle")),
    "sklearn.decomposition.non_negative_factorization": (
        one_of("init", "nndsvdar", "random"),
        truthy("shuffle"),
    ),
    # MiniBatchNMF walks its batches in order; it has no ``shuffle``.
    "sklearn.decomposition.MiniBatchNMF": (one_of("init", "nndsvdar", "random"),),
    "sklearn.decomposition.FastICA": (one_of("w_init", None),),
    "sklearn.decomposition.fastica": (one_of("w_init", None),),
    "sklearn.manifold.MDS": (one_of("init", "random"),),
    "sklearn.manifold.smacof": (one_of("init", None),),
    # A centroid array as ``init`` makes k-means deterministic.
    "sklearn.cluster.KMeans": (one_of("init", "k-means++", "random"),),
    "sklearn.cluster.k_means": (one_of("init", "k-means++", "random"),),
    "sklearn.dummy.DummyClassifier": (one_of("strategy", "stratified", "uniform"),),
    "sklearn.neighbors.NeighborhoodComponentsAnalysis": (one_of("init", "random"),),
    "sklearn.multioutput.ClassifierChain": (one_of("order", "random"),),
    "sklearn.multioutput.RegressorChain": (one_of("order", "random"),),
    # The default estimator is a decision stump, which is random; a custom
    # estimator carries (and is checked for) its own random_state.
    "sklearn.ensemble.AdaBoostClassifier": (one_of("estimator", None),),
    "sklearn.gaussian_process.GaussianProcessClassifier": (truthy("n_restarts_optimizer"),),
    "sklearn.gaussian_process.GaussianProcessRegressor": (truthy("n_restarts_optimizer"),),
    "sklearn.impute.IterativeImputer": (
        truthy("n_nearest_features"),
        one_of("imputation_order", "random"),
        truthy("sample_posterior"),
    ),
    "sklearn.feature_extraction.image.PatchExtractor": (truthy("max_patches"),),
    "sklearn.feature_extraction.image.extract_patches_2d": (truthy("max_patches"),),
    "sklearn.metrics.silhouette_score": (truthy("sample_size"),),
    "sklearn.cluster.estimate_bandwidth": (truthy("n_samples"),),
    # Subsampling of large inputs: these change results materially, unlike the
    # "auto" solvers above, so they count unless subsampling is switched off.
    "sklearn.preprocessing.KBinsDiscretizer": (truthy("subsample"),),
    "sklearn.preprocessing.QuantileTransformer": (truthy("subsample"),),
    "sklearn.preprocessing.quantile_transform": (truthy("subsample"),),
    # The docstring says "when resources != 'n_samples'", but the code draws
    # the random sample subsets exactly when resource == "n_samples".
    "sklearn.model_selection.HalvingGridSearchCV": (one_of("resource", "n_samples"),),
    "sklearn.model_selection.TunedThresholdClassifierCV": (is_float("cv"),),
    # --- docstring mentions another parameter, but the seed matters regardless ---
    "sklearn.cluster.SpectralClustering": ALWAYS,
    "sklearn.cluster.spectral_clustering": ALWAYS,
    "sklearn.manifold.SpectralEmbedding": ALWAYS,
    "sklearn.manifold.spectral_embedding": ALWAYS,
    "sklearn.decomposition.DictionaryLearning": ALWAYS,
    "sklearn.decomposition.MiniBatchDictionaryLearning": ALWAYS,
    "sklearn.decomposition.MiniBatchSparsePCA": ALWAYS,
    "sklearn.decomposition.dict_learning_online": ALWAYS,
    "sklearn.ensemble.AdaBoostRegressor": ALWAYS,
    "sklearn.ensemble.ExtraTreesClassifier": ALWAYS,
    "sklearn.ensemble.ExtraTreesRegressor": ALWAYS,
    "sklearn.ensemble.RandomForestClassifier": ALWAYS,
    "sklearn.ensemble.RandomForestRegressor": ALWAYS,
    "sklearn.ensemble.GradientBoostingClassifier": ALWAYS,
    "sklearn.ensemble.GradientBoostingRegressor": ALWAYS,
    "sklearn.tree.DecisionTreeClassifier": ALWAYS,
    "sklearn.tree.DecisionTreeRegressor": ALWAYS,
    "sklearn.tree.ExtraTreeClassifier": ALWAYS,
    "sklearn.tree.ExtraTreeRegressor": ALWAYS,
    "sklearn.mixture.GaussianMixture": ALWAYS,
    "sklearn.mixture.BayesianGaussianMixture": ALWAYS,
    "sklearn.neural_network.MLPClassifier": ALWAYS,
    "sklearn.neural_network.MLPRegressor": ALWAYS,
    "sklearn.kernel_approximation.Nystroem": ALWAYS,
    "sklearn.model_selection.HalvingRandomSearchCV": ALWAYS,
    "sklearn.model_selection.permutation_test_score": ALWAYS,
    "sklearn.ensemble.BaggingClassifier": ALWAYS,
    "sklearn.ensemble.BaggingRegressor": ALWAYS,
    # The docstring says "noise", but the features themselves are drawn at random.
    "sklearn.datasets.make_friedman1": ALWAYS,
    "sklearn.datasets.make_friedman2": ALWAYS,
    "sklearn.datasets.make_friedman3": ALWAYS,
    # Generators that take ``shuffle`` but draw their samples at random anyway.
    "sklearn.datasets.make_biclusters": ALWAYS,
    "sklearn.datasets.make_blobs": ALWAYS,
    "sklearn.datasets.make_checkerboard": ALWAYS,
    "sklearn.datasets.make_classification": ALWAYS,
    "sklearn.datasets.make_gaussian_quantiles": ALWAYS,
    "sklearn.datasets.make_regression": ALWAYS,
}

# Deprecation sentinels ("deprecated", "warn") stand for the old default; the
# table records the value the library actually uses. Keyed by (entry, keyword).
SENTINEL_DEFAULTS = ("deprecated", "warn")
EFFECTIVE_DEFAULTS: dict[tuple[str, str], Any] = {
    ("sklearn.svm.SVC", "probability"): False,
    ("sklearn.svm.NuSVC", "probability"): False,
    ("sklearn.preprocessing.TargetEncoder", "shuffle"): True,
    ("sklearn.preprocessing.TargetEncoder", "random_state"): None,
    # "warn" announces the change from "random" to "classical_mds" in 1.10.
    ("sklearn.manifold.MDS", "init"): "random",
}

# Public objects that take ``random_state`` but are left out of the table.
PLOT_ONLY = "plotting only: the seed picks which samples are drawn in the figure"
EXCLUDED: dict[str, str] = {
    "sklearn.model_selection.BaseShuffleSplit": "abstract base class, not instantiated by users",
    "sklearn.inspection.PartialDependenceDisplay": PLOT_ONLY,
    "sklearn.inspection.PartialDependenceDisplay.from_estimator": PLOT_ONLY,
    "sklearn.metrics.PredictionErrorDisplay.from_estimator": PLOT_ONLY,
    "sklearn.metrics.PredictionErrorDisplay.from_predictions": PLOT_ONLY,
}

SKIPPED_MODULE_PARTS = {"tests", "externals", "experimental", "conftest"}


@dataclass(frozen=True)
class ThirdParty:
    """A gradient-boosting library's scikit-learn API and its seed keywords."""

    package: str
    param: str
    aliases: tuple[str, ...]
    #: the seed the native code uses when the Python default (None) is left: a
    #: fixed number, so an unseeded model is reproducible all the same
    native_seed: int


THIRD_PARTY = (
    # LightGBM maps ``seed`` and ``random_seed`` (passed through **kwargs) onto
    # the same C++ ``seed`` parameter as ``random_state``.
    # Left None, the C++ code uses its fixed default seeds (bagging_seed=3,
    # feature_fraction_seed=2, data_random_seed=1, ...): recorded as 0.
    ThirdParty("lightgbm", "random_state", ("random_seed", "seed"), native_seed=0),
    # XGBoost accepts the native ``seed`` booster parameter through **kwargs.
    # Left None, the booster's ``seed`` parameter keeps its default, 0.
    ThirdParty("xgboost", "random_state", ("seed",), native_seed=0),
    # CatBoost's own name is ``random_seed``; ``random_state`` is its alias.
    # Left None, CatBoost trains with random_seed=0.
    ThirdParty("catboost", "random_seed", ("random_state",), native_seed=0),
)


@dataclass
class Found:
    """One callable that takes a seed, with every public path it is exported under."""

    obj: Callable[..., Any]
    signature: inspect.Signature
    doc_owner: Any
    param: str
    aliases: tuple[str, ...]
    paths: set[str]
    positional_name: str = ""
    #: the seed used when the parameter is left at None (``ThirdParty.native_seed``)
    native_seed: int | None = None

    def __post_init__(self) -> None:
        self.positional_name = self.positional_name or self.param


def public_modules(package: Any) -> list[Any]:
    """The package and its submodules whose dotted path has no private component."""
    modules = [package]
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts) or SKIPPED_MODULE_PARTS & set(parts):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError as exc:  # optional dependency of one submodule
            print(f"skipping {info.name}: {exc}", file=sys.stderr)
    return modules


def exported_names(module: Any) -> list[str]:
    """Names a user imports from ``module``: its ``__all__``, else what it defines."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return sorted(set(names))
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    )


def public_callables(module: Any) -> Iterator[tuple[str, Any, Any]]:
    """(public path, callable, docstring owner) of each scikit-learn callable in ``module``.

    Public classmethods (``LearningCurveDisplay.from_estimator``) are included.
    """
    for name in exported_names(module):
        value = getattr(module, name, None)
        if not callable(value) or not getattr(value, "__module__", "").startswith("sklearn"):
            continue
        path = f"{module.__name__}.{name}"
        yield path, value, value
        if inspect.isclass(value):
            for attr, member in vars(value).items():
                if isinstance(member, (classmethod, staticmethod)) and not attr.startswith("_"):
                    yield f"{path}.{attr}", getattr(value, attr), member.__func__


def inherited_param_signature(cls: type, param: str) -> inspect.Signature | None:
    """The first ``__init__`` in the MRO that names ``param`` (xgboost forwards via **kwargs)."""
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is not None and param in inspect.signature(init).parameters:
            return inspect.signature(init)
    return None


def sklearn_callables() -> dict[int, Found]:
    """Every public scikit-learn class, function or classmethod that takes ``random_state``."""
    import sklearn

    # Importing these enablers makes the experimental estimators public.
    from sklearn.experimental import (
        enable_halving_search_cv,  # noqa: F401
        enable_iterative_imputer,  # noqa: F401
    )
    from sklearn.utils import all_estimators

    found: dict[int, Found] = {}
    for module in public_modules(sklearn):
        for path, obj, doc_owner in public_callables(module):
            try:
                signature = inspect.signature(obj)
            except (TypeError, ValueError):
                continue
            if "random_state" not in signature.parameters:
                continue
            if inspect.isclass(obj) and inspect.isabstract(obj):
                continue
            # Keyed by the underlying function or class: bound classmethods are fresh objects.
            item = Found(obj, signature, doc_owner, "random_state", (), set())
            found.setdefault(id(doc_owner), item).paths.add(path)

    for name, cls in all_estimators():
        if "random_state" in inspect.signature(cls).parameters and id(cls) not in found:
            if not inspect.isabstract(cls):
                raise SystemExit(f"estimator {name} takes random_state but has no public path")
    return found


def third_party_callables() -> dict[int, Found]:
    """The scikit-learn-API estimators of lightgbm, xgboost and catboost."""
    found: dict[int, Found] = {}
    for lib in THIRD_PARTY:
        package = importlib.import_module(lib.package)
        for name in exported_names(package):
            cls = getattr(package, name)
            if not (inspect.isclass(cls) and hasattr(cls, "fit")):
                continue
            if inherited_param_signature(cls, lib.param) is None:
                continue
            defining = cls.__module__
            paths = {f"{lib.package}.{name}"}
            if not any(part.startswith("_") for part in defining.split(".")):
                paths.add(f"{defining}.{name}")
            found[id(cls)] = Found(cls, inspect.signature(cls), cls, lib.param, lib.aliases, paths,
                                   native_seed=lib.native_seed)
    return found


def catboost_generic_model() -> dict[int, Found]:
    """``catboost.CatBoost(params)`` takes its seed only inside the ``params`` dict.

    It is recorded with ``params`` as the accepted keyword and position, so a
    call that passes any params is treated as possibly seeded.
    """
    import catboost

    cls = catboost.CatBoost
    paths = {"catboost.CatBoost", f"{cls.__module__}.CatBoost"}
    found = Found(cls, inspect.signature(cls), cls, "random_seed", ("params",), paths, "params", native_seed=0)
    return {id(cls): found}


def canonical_path(paths: set[str]) -> str:
    """The shortest public path (fewest dots, then alphabetical): what users import."""
    return min(paths, key=lambda path: (path.count("."), path))


def random_state_doc(doc_owner: Any) -> str:
    """The numpydoc text describing ``random_state``, whitespace-collapsed."""
    doc = inspect.getdoc(doc_owner) or ""
    # The "random_state : ..." line, then its indented description (blank lines included).
    section = r"^random_state\b[^\n]*\n((?:[ \t]+[^\n]*\n|\n(?=[ \t]))*)"
    match = re.search(section, doc + "\n", re.M)
    return " ".join(match.group(1).split()) if match else ""


def mentioned_params(text: str, signature: inspect.Signature, param: str) -> list[str]:
    """Other parameters named in the seed's docstring: a hint that it is conditional."""
    return [
        name
        for name in signature.parameters
        if name not in (param, "self", "cls")
        and re.search(rf"(?<![\w.]){re.escape(name)}(?![\w(])", text)
    ]


def positional_index(signature: inspect.Signature, name: str) -> int | None:
    """Index at which ``name`` may be passed positionally, or None if keyword-only/absent."""
    for index, parameter in enumerate(signature.parameters.values()):
        if parameter.name == name:
            kinds = (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
            return index if parameter.kind in kinds else None
    return None


def max_positional(signature: inspect.Signature) -> int | None:
    """How many positional arguments the signature accepts (None: unlimited, ``*args``)."""
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind == parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def effective_default(value: Any, key: str, keyword: str) -> Any:
    """A default as JSON: a literal, with deprecation sentinels resolved."""
    if (key, keyword) in EFFECTIVE_DEFAULTS:
        return EFFECTIVE_DEFAULTS[key, keyword]
    if isinstance(value, str) and value in SENTINEL_DEFAULTS:
        raise SystemExit(f"{key}: {keyword}={value!r} is a sentinel; add it to EFFECTIVE_DEFAULTS")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SystemExit(f"{key}: default {keyword}={value!r} is not a JSON scalar")


def clause_json(clause: Clause, signature: inspect.Signature, where: str) -> dict[str, Any]:
    """A curated clause with the keyword's default and position read from the signature."""
    keyword, op, *rest = clause
    parameter = signature.parameters.get(keyword)
    if parameter is None or parameter.default is parameter.empty:
        raise SystemExit(f"{where}: condition keyword {keyword!r} has no default in the signature")
    out: dict[str, Any] = {
        "default": effective_default(parameter.default, where, keyword),
        "keyword": keyword,
        "op": op,
    }
    if op == "in":
        out["values"] = list(rest[0])
    elif op not in ("truthy", "float", "folds"):
        raise SystemExit(f"{where}: unknown op {op!r}")
    index = positional_index(signature, keyword)
    if index is not None:
        out["positional_index"] = index
    return out


def seed_default(found: Found) -> Any:
    """Default of the seed parameter (None when it only lives in a params dict), or
    the native seed a None default stands for."""
    signature = found.signature
    if found.param not in signature.parameters and inspect.isclass(found.obj):
        signature = inherited_param_signature(found.obj, found.param) or signature
    seed = signature.parameters.get(found.param)
    default = None if seed is None or seed.default is seed.empty else seed.default
    return found.native_seed if default is None and found.native_seed is not None else default


def entry_json(found: Found, key: str, undecided: list[str]) -> dict[str, Any]:
    """The JSON record of one table entry."""
    signature = found.signature
    out: dict[str, Any] = {
        "default": effective_default(seed_default(found), key, found.param),
        "max_positional": max_positional(signature),
        "param": found.param,
    }
    if found.aliases:
        out["aliases"] = sorted(found.aliases)
    index = positional_index(signature, found.positional_name)
    if index is not None:
        out["positional_index"] = index
    if key in CURATED:
        alternatives = [
            [clause_json(clause, signature, key) for clause in alternative]
            for alternative in CURATED[key]
        ]
        if alternatives:
            out["when"] = alternatives
    elif "shuffle" in signature.parameters or mentioned_params(
        random_state_doc(found.doc_owner), signature, found.param
    ):
        undecided.append(key)
    return out


def library_versions() -> dict[str, str]:
    """Versions of the libraries the table was generated from."""
    versions = {}
    for dist, module in (("scikit-learn", "sklearn"), ("lightgbm", "lightgbm"),
                         ("xgboost", "xgboost"), ("catboost", "catboost")):
        versions[dist] = importlib.import_module(module).__version__
    return versions


def build_table() -> dict[str, Any]:
    """Walk the libraries and assemble the whole JSON document."""
    found = {**sklearn_callables(), **third_party_callables(), **catboost_generic_model()}
    entries: dict[str, Any] = {}
    paths: dict[str, str] = {}
    undecided: list[str] = []
    for item in found.values():
        key = canonical_path(item.paths)
        if key in EXCLUDED:
            continue
        entries[key] = entry_json(item, key, undecided)
        for path in item.paths - {key}:
            paths[path] = key
    known = {canonical_path(item.paths) for item in found.values()}
    decided = set(CURATED) | set(EXCLUDED) | {key for key, _ in EFFECTIVE_DEFAULTS}
    stale = sorted(decided - known)
    if undecided or stale:
        raise SystemExit(
            "random_state docstring mentions other parameters, or shuffle is a parameter; "
            "decide in CURATED:\n  "
            + "\n  ".join(undecided)
            + "\nstale CURATED/EXCLUDED/EFFECTIVE_DEFAULTS keys:\n  "
            + "\n  ".join(stale)
        )
    return {
        "comment": "ML202 table generated by scripts/generate_random_state_table.py; do not edit.",
        "entries": entries,
        "generated_from": library_versions(),
        "paths": paths,
    }


def main() -> None:
    """Write the table deterministically (sorted keys, indent 1)."""
    warnings.filterwarnings("ignore")
    table = build_table()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(table['entries'])} entries, {len(table['paths'])} extra paths to {OUTPUT}")


if __name__ == "__main__":
    main()
