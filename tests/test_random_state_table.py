"""Tests for the ML202 seed table: lookup, the needs-a-seed decision, and the data file."""

from __future__ import annotations

import json
import pickle
from importlib import resources

import pytest

from mllint.analysis.random_state import UNKNOWN, RandomStateTable, needs_random_state

lookup = RandomStateTable.load().lookup


def needs(name: str, positional: int = 0, star_kwargs: bool = False, **keywords: object) -> bool:
    """Whether ``name(<positional args>, **keywords)`` should be reported."""
    entry = lookup(name)
    assert entry is not None, name
    return needs_random_state(entry, keywords, positional, star_kwargs)


def raw_table() -> dict:
    text = resources.files("mllint.data").joinpath("random_state.json").read_text("utf-8")
    return json.loads(text)


# --- lookup -------------------------------------------------------------------------


def test_lookup_unconditional_estimator() -> None:
    entry = lookup("sklearn.ensemble.RandomForestClassifier")
    assert entry is not None
    assert entry.qualname == "sklearn.ensemble.RandomForestClassifier"
    assert entry.param == "random_state"
    assert entry.aliases == ()
    assert entry.positional_index is None
    assert entry.condition is None


def test_lookup_conditional_splitter_describes_condition() -> None:
    entry = lookup("sklearn.model_selection.KFold")
    assert entry is not None and entry.condition is not None
    assert entry.condition.describe() == "`shuffle` is truthy (default False)"


def test_lookup_solver_condition_describes_values() -> None:
    entry = lookup("sklearn.linear_model.LogisticRegression")
    assert entry is not None and entry.condition is not None
    assert entry.condition.describe() == (
        "`solver` in {'sag', 'saga', 'liblinear'} (default 'lbfgs')"
    )


def test_lookup_other_public_path_resolves_to_canonical_entry() -> None:
    entry = lookup("sklearn.utils.extmath.randomized_svd")
    assert entry is not None
    assert entry.qualname == "sklearn.decomposition.randomized_svd"
    lgbm = lookup("lightgbm.sklearn.LGBMClassifier")
    assert lgbm is not None and lgbm.qualname == "lightgbm.LGBMClassifier"


def test_lookup_third_party_aliases() -> None:
    xgb = lookup("xgboost.XGBClassifier")
    cat = lookup("catboost.CatBoostClassifier")
    assert xgb is not None and xgb.param == "random_state" and "seed" in xgb.aliases
    assert cat is not None and cat.param == "random_seed" and cat.aliases == ("random_state",)
    assert cat.positional_index is not None


@pytest.mark.parametrize(
    "name",
    [
        "sklearn.linear_model.LinearRegression",  # deterministic, not in the table
        "sklearn.ensemble._forest.RandomForestClassifier",  # private path
        "RandomForestClassifier",
        "",
    ],
)
def test_lookup_unknown_names(name: str) -> None:
    assert lookup(name) is None


# --- needs_random_state: unconditional ---------------------------------------------


def test_unconditional_needs_seed_until_passed() -> None:
    assert needs("sklearn.ensemble.RandomForestClassifier", n_estimators=100)
    assert not needs("sklearn.ensemble.RandomForestClassifier", random_state=0)


def test_seed_passed_as_variable_counts() -> None:
    assert not needs("sklearn.cluster.KMeans", random_state=UNKNOWN)


def test_star_kwargs_counts_as_passed() -> None:
    assert not needs("sklearn.ensemble.RandomForestClassifier", star_kwargs=True)


def test_fixed_default_seed_is_not_reported() -> None:
    assert not needs("sklearn.datasets.fetch_20newsgroups")
    assert not needs("sklearn.linear_model.Perceptron")


def test_make_generators_and_utilities() -> None:
    assert needs("sklearn.datasets.make_classification", n_samples=100)
    assert needs("sklearn.utils.shuffle", positional=2)
    assert needs("sklearn.utils.resample", positional=1)
    assert needs("sklearn.manifold.TSNE")


# --- needs_random_state: conditions ------------------------------------------------


def test_kfold_shuffle_condition() -> None:
    assert not needs("sklearn.model_selection.KFold")
    assert not needs("sklearn.model_selection.KFold", n_splits=5, shuffle=False)
    assert needs("sklearn.model_selection.KFold", shuffle=True)
    assert needs("sklearn.model_selection.StratifiedKFold", n_splits=5, shuffle=True)
    assert not needs("sklearn.model_selection.KFold", n_splits=5, shuffle=True, random_state=0)


def test_non_literal_shuffle_is_not_reported() -> None:
    assert not needs("sklearn.model_selection.KFold", shuffle=UNKNOWN)


def test_more_positionals_than_signature_is_not_reported() -> None:
    # KFold(5, True, 0): old positional API, the seed may well be the third argument.
    assert not needs("sklearn.model_selection.KFold", positional=3)


def test_condition_keyword_passed_positionally_is_unknown() -> None:
    # StratifiedGroupKFold(n_splits, shuffle, random_state) accepts positionals.
    assert not needs("sklearn.model_selection.StratifiedGroupKFold", positional=2)
    assert needs("sklearn.model_selection.StratifiedGroupKFold", positional=1, shuffle=True)


def test_seed_passed_positionally() -> None:
    # fast_mcd(X, support_fraction, cov_computation_method, random_state)
    assert needs("sklearn.covariance.fast_mcd", positional=3)
    assert not needs("sklearn.covariance.fast_mcd", positional=4)


def test_train_test_split_shuffles_by_default() -> None:
    assert needs("sklearn.model_selection.train_test_split", positional=2)
    assert needs("sklearn.model_selection.train_test_split", positional=2, test_size=0.2)
    assert not needs("sklearn.model_selection.train_test_split", positional=2, shuffle=False)
    assert not needs("sklearn.model_selection.train_test_split", positional=2, random_state=42)
    assert not needs("sklearn.model_selection.train_test_split", positional=2, star_kwargs=True)


def test_pca_only_explicit_randomized_or_arpack() -> None:
    assert not needs("sklearn.decomposition.PCA")
    assert not needs("sklearn.decomposition.PCA", n_components=2, svd_solver="auto")
    assert not needs("sklearn.decomposition.PCA", svd_solver="full")
    assert not needs("sklearn.decomposition.PCA", svd_solver=UNKNOWN)
    assert needs("sklearn.decomposition.PCA", svd_solver="randomized")
    assert needs("sklearn.decomposition.PCA", svd_solver="arpack")
    assert needs("sklearn.decomposition.TruncatedSVD")


def test_logistic_regression_solver_condition() -> None:
    assert not needs("sklearn.linear_model.LogisticRegression")
    assert not needs("sklearn.linear_model.LogisticRegression", solver="lbfgs")
    assert needs("sklearn.linear_model.LogisticRegression", solver="saga")
    assert needs("sklearn.linear_model.LogisticRegression", solver="liblinear")
    assert not needs("sklearn.linear_model.LogisticRegression", solver="saga", random_state=0)


def test_svc_probability_condition() -> None:
    assert not needs("sklearn.svm.SVC")
    assert needs("sklearn.svm.SVC", probability=True)


def test_any_of_alternatives() -> None:
    # SGD: shuffle (default True) or early_stopping.
    assert needs("sklearn.linear_model.SGDClassifier")
    assert not needs("sklearn.linear_model.SGDClassifier", shuffle=False)
    assert needs("sklearn.linear_model.SGDClassifier", shuffle=False, early_stopping=True)


def test_all_of_clauses_with_fold_count() -> None:
    # TargetEncoder shuffles only folds it builds itself from an int ``cv``.
    assert needs("sklearn.preprocessing.TargetEncoder", cv=3)
    assert not needs("sklearn.preprocessing.TargetEncoder", cv=UNKNOWN)
    assert not needs("sklearn.preprocessing.TargetEncoder", cv=3, shuffle=False)


def test_float_condition() -> None:
    assert not needs("sklearn.model_selection.TunedThresholdClassifierCV", positional=1)
    assert needs("sklearn.model_selection.TunedThresholdClassifierCV", positional=1, cv=0.2)
    assert not needs("sklearn.model_selection.TunedThresholdClassifierCV", positional=1, cv=5)


@pytest.mark.parametrize(
    ("name", "param", "aliases"),
    [
        ("xgboost.XGBClassifier", "random_state", ("seed",)),
        ("xgboost.sklearn.XGBRegressor", "random_state", ("seed",)),
        ("lightgbm.LGBMRegressor", "random_state", ("random_seed", "seed")),
        ("catboost.CatBoostClassifier", "random_seed", ("random_state",)),
        ("catboost.CatBoost", "random_seed", ("params",)),
    ],
)
def test_gradient_boosting_models_seed_their_native_code(name: str, param: str, aliases: tuple[str, ...]) -> None:
    """Left unset, the seed is None in Python and a fixed number in the native code
    (xgboost's and catboost's 0, lightgbm's C++ default seeds): a model repeats."""
    entry = lookup(name)
    assert entry is not None and (entry.param, entry.aliases) == (param, aliases)
    assert entry.default == 0
    assert not needs(name)
    assert not needs(name, n_estimators=10, subsample=0.8)


# --- the data file ------------------------------------------------------------------


def test_json_is_sorted_and_deterministic() -> None:
    text = resources.files("mllint.data").joinpath("random_state.json").read_text("utf-8")
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True) + "\n"


def test_table_header_and_size() -> None:
    table = raw_table()
    assert set(table["generated_from"]) == {"scikit-learn", "lightgbm", "xgboost", "catboost"}
    sklearn_entries = [name for name in table["entries"] if name.startswith("sklearn.")]
    assert len(sklearn_entries) >= 100
    assert all(lookup(name) is not None for name in table["entries"])


def test_every_extra_path_points_at_an_entry() -> None:
    table = raw_table()
    assert table["paths"]
    for path, canonical in table["paths"].items():
        assert canonical in table["entries"], path
        entry = lookup(path)
        assert entry is not None and entry.qualname == canonical


def test_unknown_sentinel_survives_pickling() -> None:
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN
    assert repr(UNKNOWN) == "UNKNOWN"


def test_every_entry_is_satisfied_by_its_seed_or_aliases() -> None:
    for name in raw_table()["entries"]:
        entry = lookup(name)
        assert entry is not None
        for keyword in (entry.param, *entry.aliases):
            assert not needs_random_state(entry, {keyword: UNKNOWN}, 0, False), (name, keyword)


def test_unconditional_unseeded_entries_need_a_seed_when_called_bare() -> None:
    bare = [lookup(name) for name in raw_table()["entries"]]
    unconditional = [e for e in bare if e and e.condition is None and e.default is None]
    assert len(unconditional) > 50
    assert all(needs_random_state(entry, {}, 0, False) for entry in unconditional)
