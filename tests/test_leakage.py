"""ML701 preprocessing-leakage: fits that see the rows a later split sends to the
test side, across renames, notebook cells and project helpers; and the silent
look-alikes (pipelines in cross-validation, fits on the training part, fits on
other data, models fitted on everything, per-sample normalisation)."""

from __future__ import annotations

import ast
import gc
import textwrap
import time
import weakref

import pytest

from mllint.analysis.leakage import LeakageAnalysis
from mllint.project.index import ProjectIndex, index_module
from mllint.testkit import lint_tree, notebook_json

HEAD = """\
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler, MinMaxScaler, OneHotEncoder, LabelEncoder, scale
from sklearn.model_selection import train_test_split, cross_val_score, GridSearchCV, KFold
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

df = pd.read_csv("data.csv")
X = df.drop("target", axis=1)
y = df["target"]
"""


def ml701(tmp_path, files: dict[str, str]):
    return [f for f in lint_tree(tmp_path, files, select=["ML701"]) if f.code == "ML701"]


def leaks(tmp_path, body: str, filename: str = "train.py"):
    return ml701(tmp_path, {filename: HEAD + textwrap.dedent(body)})


LEAKS = {
    "fit_transform-then-split": """
        X_scaled = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X_scaled, y)
        model = LogisticRegression().fit(X_train, y_train)
        print(model.score(X_test, y_test))
    """,
    "rename-chain": """
        features = X
        scaler = StandardScaler()
        scaler.fit(features)
        scaled = scaler.transform(features)
        data = pd.DataFrame(scaled, columns=X.columns)
        inputs = data.values
        a, b, c, d = train_test_split(inputs, y, test_size=0.2)
        print(LogisticRegression().fit(a, c).score(b, d))
    """,
    "same-name-reassigned": """
        X = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    """,
    "predict-instead-of-score": """
        X = MinMaxScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        model = LogisticRegression().fit(X_train, y_train)
        print(accuracy_score(y_test, model.predict(X_test)))
    """,
    "fit-on-all-then-transform-each-part": """
        scaler = StandardScaler().fit(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_train = scaler.transform(X_train)
        X_test = scaler.transform(X_test)
        LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    """,
    "refit-on-all-after-the-split": """
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        scaler = StandardScaler()
        scaler.fit(X)
        X_train_s, X_test_s = scaler.transform(X_train), scaler.transform(X_test)
    """,
    "selection-before-split": """
        X_new = SelectKBest(chi2, k=10).fit_transform(X, y)
        X_train, X_test, y_train, y_test = train_test_split(X_new, y)
        LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    """,
    "imputer-in-a-column-assignment": """
        df[["age", "income"]] = SimpleImputer().fit_transform(df[["age", "income"]])
        train, test = train_test_split(df)
        print(test.shape)
    """,
    "max-scaling-before-split": """
        X = X / X.max()
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "standardising-by-hand": """
        X = (X - X.mean()) / X.std()
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "min-max-by-hand-with-saved-statistics": """
        low, high = np.min(X, axis=0), np.max(X, axis=0)
        X = (X - low) / (high - low)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "scale-function": """
        X = scale(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "cross-validation-only": """
        X_scaled = StandardScaler().fit_transform(X)
        scores = cross_val_score(LogisticRegression(), X_scaled, y, cv=5)
    """,
    "search-on-scaled-training-part": """
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        scaler = StandardScaler()
        X_train_s = scaler.fit_transform(X_train)
        search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]})
        search.fit(X_train_s, y_train)
    """,
    "kfold-loop": """
        X_s = PCA(n_components=5).fit_transform(X)
        for train_idx, test_idx in KFold(5).split(X_s):
            model = LogisticRegression().fit(X_s[train_idx], y[train_idx])
            print(model.score(X_s[test_idx], y[test_idx]))
    """,
    "named-slices": """
        X = StandardScaler().fit_transform(X)
        X_train, X_test = X[:800], X[800:]
        y_train, y_test = y[:800], y[800:]
        LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    """,
    "pandas-sample-and-drop": """
        df[["a", "b"]] = StandardScaler().fit_transform(df[["a", "b"]])
        train = df.sample(frac=0.8, random_state=0)
        test = df.drop(train.index)
        print(len(test))
    """,
    "pipeline-of-transformers-only": """
        prep = make_pipeline(SimpleImputer(), StandardScaler())
        X_p = prep.fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X_p, y)
        print(X_test)
    """,
    "column-transformer-with-a-custom-step": """
        from mylib import AddRatios
        num = Pipeline([("ratios", AddRatios()), ("scale", StandardScaler())])
        prep = ColumnTransformer([("num", num, ["a", "b"]), ("cat", OneHotEncoder(), ["c"])])
        X_p = prep.fit_transform(X)
        scores = cross_val_score(LogisticRegression(), X_p, y)
    """,
    "helper-in-the-same-module": """
        def standardise(frame):
            scaler = StandardScaler()
            return scaler.fit_transform(frame)

        X_std = standardise(X)
        X_train, X_test, y_train, y_test = train_test_split(X_std, y)
        print(X_test)
    """,
    "helper-returns-the-fitted-scaler": """
        def fitted_scaler(frame):
            scaler = StandardScaler()
            scaler.fit(frame)
            return scaler

        scaler = fitted_scaler(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_train = scaler.transform(X_train)
        print(X_test)
    """,
    "helper-mutates-its-argument": """
        def normalise(frame, columns):
            frame[columns] = StandardScaler().fit_transform(frame[columns])

        normalise(df, ["a", "b"])
        train, test = train_test_split(df)
        print(test)
    """,
    "helper-returns-the-split": """
        def holdout(features, labels):
            return train_test_split(features, labels, test_size=0.2)

        X_s = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = holdout(X_s, y)
        print(X_test)
    """,
    "inside-a-function": """
        def main():
            data = pd.read_csv("other.csv")
            features = data.drop("y", axis=1)
            features = StandardScaler().fit_transform(features)
            a, b, c, d = train_test_split(features, data["y"])
            return LogisticRegression().fit(a, c).score(b, d)
    """,
    "fit-on-the-test-part": """
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        scaler = StandardScaler()
        X_train = scaler.fit_transform(X_train)
        X_test = scaler.fit_transform(X_test)
    """,
    "fit-on-separately-loaded-test-data": """
        train = pd.read_csv("train.csv")
        test = pd.read_csv("test.csv")
        scaler = StandardScaler()
        train_x = scaler.fit_transform(train)
        test_x = scaler.fit_transform(test)
    """,
    "helper-fits-each-part-separately": """
        def prepare(frame):
            return StandardScaler().fit_transform(frame)

        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_train = prepare(X_train)
        X_test = prepare(X_test)
    """,
    "smote-before-split": """
        from imblearn.over_sampling import SMOTE
        X_res, y_res = SMOTE().fit_resample(X, y)
        X_train, X_test, y_train, y_test = train_test_split(X_res, y_res)
        LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    """,
    "tfidf-on-every-document": """
        texts = df["text"]
        vectors = TfidfVectorizer(min_df=2).fit_transform(texts)
        X_train, X_test, y_train, y_test = train_test_split(vectors, y)
        LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    """,
    "keras-normalization-adapted-on-everything": """
        from tensorflow import keras
        norm = keras.layers.Normalization()
        norm.adapt(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        model = keras.Sequential([keras.layers.Dense(1)])
        model.fit(norm(X_train), y_train)
        model.evaluate(norm(X_test), y_test)
    """,
    "scaling-column-by-column": """
        for column in ["a", "b", "c"]:
            df[column] = MinMaxScaler().fit_transform(df[[column]])
        train, test = train_test_split(df, test_size=0.2)
        print(test)
    """,
    "standardising-listed-columns": """
        for column in ["a", "b"]:
            df[column] = (df[column] - df[column].mean()) / df[column].std()
        train, test = train_test_split(df)
        print(test)
    """,
    "normalising-every-column-in-a-helper": """
        def normalise(frame):
            result = frame.copy()
            for name in frame.columns:
                low, high = frame[name].min(), frame[name].max()
                result[name] = (frame[name] - low) / (high - low)
            return result

        train, test = train_test_split(normalise(df))
        print(test)
    """,
    "collected-in-a-list": """
        vectoriser = TfidfVectorizer()
        texts = []
        for text in df["text"]:
            texts.append(text.lower())
        X = vectoriser.fit_transform(texts)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "columns-chosen-by-a-selector": """
        selector = SelectKBest(chi2, k=5).fit(X, y)
        chosen = X.columns[selector.get_support()]
        X_train, X_test, y_train, y_test = train_test_split(X[chosen], y)
        print(X_test)
    """,
    "time-series-windows": """
        series = df[["value"]].values
        scaler = MinMaxScaler(feature_range=(0, 1))
        series = scaler.fit_transform(series)
        train_size = int(len(series) * 0.67)
        train, test = series[0:train_size, :], series[train_size:len(series), :]
        print(len(train), len(test))
    """,
    "upsampling-with-replacement": """
        from sklearn.utils import resample
        majority, minority = df[df.target == 0], df[df.target == 1]
        upsampled = resample(minority, replace=True, n_samples=len(majority), random_state=0)
        balanced = pd.concat([majority, upsampled])
        train, test = train_test_split(balanced)
        print(test)
    """,
    "standardising-in-apply": """
        normalised = X.apply(lambda column: (column - column.mean()) / column.std())
        X_train, X_test, y_train, y_test = train_test_split(normalised, y)
        print(X_test)
    """,
    "scipy-zscore": """
        from scipy.stats import zscore
        X = zscore(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "concatenated-features": """
        extra = pd.read_csv("extra.csv")
        scaled = StandardScaler().fit_transform(X)
        features = np.hstack([scaled, extra.values])
        X_train, X_test, y_train, y_test = train_test_split(features, y)
        print(X_test)
    """,
}


@pytest.mark.parametrize("body", LEAKS.values(), ids=LEAKS.keys())
def test_leak_is_reported(tmp_path, body):
    found = leaks(tmp_path, body)
    assert len(found) == 1, [f.message for f in found]


SILENT = {
    "fit-on-train-transform-test": """
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        scaler = StandardScaler()
        X_train = scaler.fit_transform(X_train)
        X_test = scaler.transform(X_test)
        LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    """,
    "pipeline-in-cross_val_score": """
        model = make_pipeline(StandardScaler(), LogisticRegression())
        scores = cross_val_score(model, X, y, cv=5)
    """,
    "pipeline-in-a-grid-search": """
        pipe = Pipeline([("scale", StandardScaler()), ("select", SelectKBest(k=5)), ("clf", LogisticRegression())])
        search = GridSearchCV(pipe, {"clf__C": [0.1, 1.0]})
        search.fit(X, y)
    """,
    "imblearn-pipeline-in-cross-validation": """
        from imblearn.over_sampling import SMOTE
        from imblearn.pipeline import make_pipeline as make_imb_pipeline
        scores = cross_val_score(make_imb_pipeline(SMOTE(), LogisticRegression()), X, y)
    """,
    "fit-on-a-different-dataset": """
        reference = pd.read_csv("reference.csv")
        scaler = StandardScaler().fit(reference)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_test = scaler.transform(X_test)
        other = scaler.fit_transform(reference)
    """,
    "exploratory-fit-on-everything-then-refit-on-train": """
        import matplotlib.pyplot as plt
        pca = PCA(n_components=2)
        plt.scatter(*pca.fit_transform(X).T)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        pca.fit(X_train)
        LogisticRegression().fit(pca.transform(X_train), y_train).score(pca.transform(X_test), y_test)
    """,
    "scaled-copy-is-not-what-gets-split": """
        X_std = StandardScaler().fit_transform(X)
        print(X_std.mean())
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "unsupervised-notebook": """
        from sklearn.cluster import KMeans
        X_s = StandardScaler().fit_transform(X)
        labels = KMeans(3).fit_predict(X_s)
    """,
    "model-fitted-on-everything": """
        model = LogisticRegression().fit(X, y)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(model.score(X_test, y_test))
    """,
    "pipeline-ending-in-a-model-fitted-on-everything": """
        model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(model.score(X_test, y_test))
    """,
    "encoders-that-learn-only-categories": """
        df["city"] = LabelEncoder().fit_transform(df["city"])
        dummies = OneHotEncoder().fit_transform(df[["colour"]])
        X_train, X_test, y_train, y_test = train_test_split(df, y)
        print(X_test)
    """,
    "test-part-never-used": """
        X = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        LogisticRegression().fit(X_train, y_train)
    """,
    "kaggle-combined-train-and-test": """
        train = pd.read_csv("train.csv")
        test = pd.read_csv("test.csv")
        both = pd.concat([train, test])
        both[["a"]] = StandardScaler().fit_transform(both[["a"]])
        train_part = both[: len(train)]
        test_part = both[len(train):]
        print(test_part)
    """,
    "per-sample-normalisation-in-a-helper": """
        def normalise(image):
            return image / image.max()

        images = [normalise(image) for image in np.load("images.npy")]
        train_images, test_images = images[:800], images[800:]
        print(test_images)
    """,
    "per-sample-normalisation-in-a-loop": """
        signals = []
        for signal in np.load("signals.npy"):
            signals.append((signal - signal.mean()) / signal.std())
        X_train, X_test = train_test_split(signals)
        print(X_test)
    """,
    "row-wise-apply": """
        normalised = X.apply(lambda row: row / row.max(), axis=1)
        X_train, X_test, y_train, y_test = train_test_split(normalised, y)
        print(X_test)
    """,
    "bootstrap-of-the-test-part": """
        from sklearn.utils import resample
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        model = LogisticRegression().fit(X_train, y_train)
        scores = [model.score(*resample(X_test, y_test)) for _ in range(100)]
    """,
    "dataset-that-comes-split": """
        from datasets import load_dataset
        data = load_dataset("imdb")
        vectoriser = MinMaxScaler().fit(data["train"])
        train, test = data["train"], data["test"]
        print(vectoriser.transform(test))
    """,
    "statistics-of-the-validation-part-for-a-plot": """
        X_train, X_valid, y_train, y_valid = train_test_split(X, y)
        Z = PCA(2).fit(X_train).transform(X_valid)
        Z = (Z - Z.min()) / (Z.max() - Z.min())
        print(Z)
    """,
    "per-sample-normalisation-by-index": """
        images = np.load("images.npy")
        normalised = []
        for i in range(len(images)):
            normalised.append(images[i] / images[i].max())
        X_train, X_test = train_test_split(np.array(normalised))
        print(X_test)
    """,
    "statistics-of-the-training-part": """
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_test = (X_test - X_train.mean()) / X_train.std()
        X_train = (X_train - X_train.mean()) / X_train.std()
    """,
    "constant-scaling": """
        X = X / 255.0
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "row-wise-normalisation": """
        X = X / X.sum(axis=1, keepdims=True)
        X = X / X.max(axis=1)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "embedding-the-test-part-for-a-plot": """
        from sklearn.manifold import TSNE
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        train_2d = TSNE().fit_transform(X_train)
        test_2d = TSNE().fit_transform(X_test)
        pca_test = PCA(2).fit_transform(X_test)
    """,
    "separately-loaded-train-and-test": """
        train = pd.read_csv("train.csv")
        test = pd.read_csv("test.csv")
        scaler = StandardScaler().fit(train[["a"]])
        X_train = scaler.transform(train[["a"]])
        X_test = scaler.transform(test[["a"]])
    """,
    "look-alike-classes": """
        class Scaler:
            def fit_transform(self, data):
                return data

        StandardScaler = Scaler
        X = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test)
    """,
    "scaling-a-different-dataset-than-the-split": """
        other = pd.read_csv("other.csv")
        other = (other - other.mean()) / other.std()
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(X_test, other)
    """,
}


@pytest.mark.parametrize("body", SILENT.values(), ids=SILENT.keys())
def test_silent(tmp_path, body):
    assert leaks(tmp_path, body) == []


def test_message_names_the_fit_the_data_and_the_split(tmp_path):
    [finding] = leaks(tmp_path, """
        scaler = StandardScaler()
        X_scaled = scaler.fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X_scaled, y)
        print(X_test)
    """)
    assert finding.line == 19
    assert finding.message.startswith(
        "`scaler.fit_transform(X)` (line 19) fits a `StandardScaler` on every row of `X`, which "
        "`train_test_split` (line 20) later splits into train and test: test statistics leak into training; "
        "fit on the training part only, or put the `StandardScaler` in a Pipeline with the model")


def test_cross_validation_message_names_the_cv_call(tmp_path):
    [finding] = leaks(tmp_path, LEAKS["cross-validation-only"])
    assert "which `cross_val_score` (line 19) later splits into cross-validation folds" in finding.message
    assert "put the `StandardScaler` in a Pipeline with the model handed to `cross_val_score`" in finding.message


def test_test_fit_message(tmp_path):
    [finding] = leaks(tmp_path, LEAKS["fit-on-the-test-part"])
    assert finding.line == 21
    assert "`scaler.fit_transform(X_test)` (line 21) fits a `StandardScaler` on the test part of " \
           "`train_test_split` (line 18)" in finding.message
    [named] = leaks(tmp_path, LEAKS["fit-on-separately-loaded-test-data"])
    assert "on `test` although `train` has its own fit" in named.message


def test_statistics_message(tmp_path):
    [finding] = leaks(tmp_path, LEAKS["standardising-by-hand"])
    assert finding.message.startswith("`(X - X.mean()) / X.std()` (line 18) scales with statistics over every row of `X`")
    assert "compute the statistics on the training part only" in finding.message


def test_a_named_slice_pairs_with_a_slice_of_the_same_data(tmp_path):
    # The test rows are cut off first and scaled with the remaining rows' statistics (right);
    # those rows are later sliced into training and validation (the statistics saw both).
    # `test_targets` is no counterpart of `train_targets`: it takes other rows.
    findings = leaks(tmp_path, """
        data = pd.read_csv("bikes.csv")
        test_data = data[-500:]
        data = data[:-500]
        for each in ["cnt", "temp"]:
            mean, std = data[each].mean(), data[each].std()
            data.loc[:, each] = (data[each] - mean) / std
            test_data.loc[:, each] = (test_data[each] - mean) / std
        features, targets = data.drop("cnt", axis=1), data["cnt"]
        test_features, test_targets = test_data.drop("cnt", axis=1), test_data["cnt"]
        train_features, train_targets = features[:-100], targets[:-100]
        val_features, val_targets = features[-100:], targets[-100:]
        model = LogisticRegression().fit(train_features, train_targets)
        print(model.score(val_features, val_targets), model.score(test_features, test_targets))
    """)
    assert [f.line for f in findings] == [23]
    assert "the `train_features`/`val_features` slicing (line 27)" in findings[0].message


def test_helper_in_another_module(tmp_path):
    files = {
        "project/__init__.py": "",
        "project/features.py": textwrap.dedent("""
            from sklearn.preprocessing import StandardScaler

            def add_scaled(frame):
                scaler = StandardScaler()
                return scaler.fit_transform(frame)
        """),
        "train.py": textwrap.dedent("""
            import pandas as pd
            from sklearn.model_selection import train_test_split
            from project.features import add_scaled

            data = pd.read_csv("data.csv")
            features = add_scaled(data.drop(columns="y"))
            X_train, X_test, y_train, y_test = train_test_split(features, data["y"])
            print(X_test)
        """),
    }
    [finding] = ml701(tmp_path, files)
    assert finding.path.endswith("train.py") and finding.line == 7
    assert "`add_scaled(data.drop(columns='y'))` (line 7) fits a `StandardScaler` (in `add_scaled`, " \
           "project/features.py line 6) on every row of `data.drop(columns='y')`" in finding.message


def test_helper_that_leaks_inside_itself_is_reported_once_in_the_helper(tmp_path):
    files = {
        "prep.py": textwrap.dedent("""
            from sklearn.preprocessing import StandardScaler
            from sklearn.model_selection import train_test_split

            def prepare(X, y):
                X = StandardScaler().fit_transform(X)
                return train_test_split(X, y)
        """),
        "train.py": textwrap.dedent("""
            import numpy as np
            from prep import prepare

            X_train, X_test, y_train, y_test = prepare(np.load("x.npy"), np.load("y.npy"))
            print(X_test)
        """),
    }
    found = ml701(tmp_path, files)
    assert [(f.path, f.line) for f in found] == [("prep.py", 6)]


NOTEBOOK = [
    "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.model_selection import train_test_split\n",
    "df = pd.read_csv('data.csv')\nX, y = df.drop(columns='y'), df['y']\n",
    ("markdown", "Scale the features"),
    "scaler = StandardScaler()\nX_scaled = scaler.fit_transform(X)\n",
    "data = X_scaled\n",
    "X_train, X_test, y_train, y_test = train_test_split(data, y)\n",
    "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X_train, y_train).score(X_test, y_test)\n",
]


def test_fit_in_an_earlier_notebook_cell(tmp_path):
    [finding] = ml701(tmp_path, {"eda.ipynb": notebook_json(NOTEBOOK)})
    assert (finding.cell, finding.line) == (4, 2)
    assert "`scaler.fit_transform(X)` (cell 4) fits a `StandardScaler` on every row of `X`, which " \
           "`train_test_split` (cell 6) later splits" in finding.message


def test_notebook_that_splits_first_is_silent(tmp_path):
    cells = [*NOTEBOOK[:3],
             "X_train, X_test, y_train, y_test = train_test_split(X, y)\n",
             "scaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)\n",
             "X_test = scaler.transform(X_test)\n"]
    assert ml701(tmp_path, {"eda.ipynb": notebook_json(cells)}) == []


def test_tests_are_not_checked(tmp_path):
    assert ml701(tmp_path, {"tests/test_scaling.py": HEAD + textwrap.dedent(LEAKS["fit_transform-then-split"])}) == []


def test_one_finding_per_fit_even_with_many_splits(tmp_path):
    found = leaks(tmp_path, """
        X = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(cross_val_score(LogisticRegression(), X, y), X_test)
    """)
    assert len(found) == 1 and "`train_test_split`" in found[0].message


def test_helper_defined_in_an_earlier_cell(tmp_path):
    cells = [
        NOTEBOOK[0],
        "def add_features(frame):\n    frame = frame.copy()\n    frame[['a', 'b']] = StandardScaler().fit_transform(frame[['a', 'b']])\n"
        "    return frame\n",
        NOTEBOOK[1],
        "features = add_features(X)\n",
        "X_train, X_test, y_train, y_test = train_test_split(features, y, random_state=0)\nprint(X_test.shape)\n",
    ]
    [finding] = ml701(tmp_path, {"eda.ipynb": notebook_json(cells)})
    assert finding.cell == 4
    assert finding.message.startswith("`add_features(X)` (cell 4) fits a `StandardScaler` (in `add_features`, cell 2) "
                                      "on every row of `X`, which `train_test_split` (cell 5) later splits")


# -- the precondition: modules that cannot leak are never walked ----------------------------

def walked(tmp_path, monkeypatch, files: dict[str, str]) -> tuple[list[str], list]:
    """The modules ML701's data-flow walk ran on, and the findings."""
    paths: list[str] = []
    walk = LeakageAnalysis.leaks

    def recording(self, info, tree):
        paths.append(info.path)
        return walk(self, info, tree)

    monkeypatch.setattr(LeakageAnalysis, "leaks", recording)
    return paths, ml701(tmp_path, {name: textwrap.dedent(text) for name, text in files.items()})


NOT_WALKED = {
    "torch-loop-with-split-words": {"train.py": """
        import torch

        def train(model, train_loader, val_loader):
            for x, y in train_loader:
                loss = (model(x) - y).pow(2).mean()
            return [model(x).max() for x, _ in val_loader]

        train(torch.nn.Linear(2, 1), make_loader("train"), make_loader("val"))
    """},
    "statistics-without-a-split": {"train.py": """
        import numpy as np
        train_size = 0.8
        X = np.load("x.npy")
        X = (X - X.mean()) / X.std()
    """},
    "split-names-as-keyword-arguments": {"train.py": """
        import numpy as np
        X = np.load("x.npy")
        X = X / X.max()
        fit_and_score(X_train=X[:800], X_test=X[800:])
    """},
    "split-names-as-attributes": {"train.py": """
        import numpy as np
        X = np.load("x.npy")
        X = X / X.max()
        config.X_train = X[:800]
        config.X_test = X[800:]
    """},
    "split-names-in-a-comment-and-a-string": {"train.py": """
        import numpy as np
        X = np.load("x.npy")
        X = X / X.max()
        # X_train = X[:800]
        usage = "X_test = X[800:]"
    """},
    "names-assigned-something-else-than-rows": {"train.py": """
        import numpy as np
        X = np.load("x.npy")
        X = X / X.max()
        X_train = load_part("train")
        X_test = load_part("test")
    """},
    "split-in-a-helper-no-statistics": {
        "utils.py": """
            def holdout(X):
                X_train = X[:800]
                X_test = X[800:]
                return X_train, X_test
        """,
        "train.py": """
            import numpy as np
            from utils import holdout
            X_train, X_test = holdout(np.load("x.npy"))
            print(X_test)
        """,
    },
}


@pytest.mark.parametrize("files", NOT_WALKED.values(), ids=NOT_WALKED.keys())
def test_module_that_cannot_leak_is_not_walked(tmp_path, monkeypatch, files):
    paths, found = walked(tmp_path, monkeypatch, files)
    assert "train.py" not in paths and found == []
    # exact, not a guess: the walk, forced to run, finds nothing either
    monkeypatch.setattr(LeakageAnalysis, "may_leak", lambda self, info: True)
    paths, found = walked(tmp_path, monkeypatch, files)
    assert "train.py" in paths and found == []


WALKED = {
    "transformer-fitted-before-a-split": {"train.py": HEAD + textwrap.dedent(LEAKS["fit_transform-then-split"])},
    "slices-as-a-tuple-over-two-lines": {"train.py": """
        import numpy as np
        X = np.load("x.npy")
        X = X / X.max()
        (X_train,
         X_test) = X[:800], X[800:]
        print(X_test)
    """},
    "slices-after-a-line-continuation": {"train.py": """
        import numpy as np
        X = np.load("x.npy")
        X = X / X.max()
        X_train, \\
            X_test = X[:800], X[800:]
        print(X_test)
    """},
    "non-ascii-identifiers-the-parser-normalises": {"train.py": """
        import numpy as np
        X = np.load("x.npy")
        X = X / X.max()
        X_\uff54rain = X[:800]  # the rule's triggers need a plain word: split
        X_test = X[800:]
        print(X_test, "données")
    """},
    "split-in-another-module": {
        "utils.py": """
            def holdout(X):
                X_train = X[:800]
                X_test = X[800:]
                return X_train, X_test
        """,
        "train.py": """
            import numpy as np
            from utils import holdout
            X = np.load("x.npy")
            X = (X - X.mean()) / X.std()
            X_train, X_test = holdout(X)
            print(X_test)
        """,
    },
    "transformer-made-in-another-module": {
        "utils.py": """
            from sklearn.preprocessing import StandardScaler

            def make_scaler():
                return StandardScaler()
        """,
        "train.py": """
            import numpy as np
            from sklearn.model_selection import train_test_split
            from utils import make_scaler
            X, y = np.load("x.npy"), np.load("y.npy")
            X = make_scaler().fit_transform(X)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
            print(X_test)
        """,
    },
}


@pytest.mark.parametrize("files", WALKED.values(), ids=WALKED.keys())
def test_module_that_leaks_is_walked(tmp_path, monkeypatch, files):
    paths, found = walked(tmp_path, monkeypatch, files)
    assert "train.py" in paths
    assert [f.path for f in found] == ["train.py"]


def test_split_by_a_helper_is_quoted_as_code(tmp_path, monkeypatch):
    _, [finding] = walked(tmp_path, monkeypatch, WALKED["split-in-another-module"])
    assert "which `holdout(X)` (line 6; it splits at utils.py line 3) later splits into train and test" \
        in finding.message


def analysis_of(source: str, path: str = "train.py") -> tuple[LeakageAnalysis, object, ast.Module]:
    tree = ast.parse(source)
    info = index_module(path, source, tree=tree)
    index = ProjectIndex()
    index.add(info, source, tree)
    return LeakageAnalysis(index), info, tree


#: How the text decides whether names may be a train/test pair of assigned row selections
#: (with statistics present, that decides whether the module is walked).
PAIRS = {
    "x_train = X[:800]\nx_test = X[800:]": True,
    "x_train, x_test = X[:800], X[800:]": True,
    "(x_train, x_test) = X[:800], X[800:]": True,
    "a = x_train = X[:800]\nx_test = X[800:]": True,
    "if n: x_train = X[:800]\nelse: x_test = X[800:]": True,
    "x_train = X[:800]; x_test = X[800:]": True,
    "x_train = (X[:800]\n           / 255.)\nx_test = X[800:]": True,
    "f(x_train, x_test)": False,
    "f(x_train=X[:800], x_test=X[800:])": False,
    "def f(x_train, x_test): pass": False,
    "[x_train, x_test] = X[:800], X[800:]": False,
    "self.x_train = X[:800]\nself.x_test = X[800:]": False,
    "x_train = load()\nx_test = load()": False,
    "x_train = X[:800]\nprint(x_test)": False,
}


@pytest.mark.parametrize("text, walks", PAIRS.items(), ids=range(len(PAIRS)))
def test_precondition_reads_assigned_pairs(text, walks):
    source = f"import numpy as np\nX = np.load('x.npy')\nm = X.mean()\n{text}\n"
    analysis, info, _ = analysis_of(source)
    assert analysis.may_leak(info) is walks


def test_nested_library_calls_are_walked_once(tmp_path):
    """Each argument is evaluated once: evaluating the arguments of an unknown
    library call twice doubled the work at every level of nesting."""
    depth = 24
    source = "import numpy as np\nX_train = np.load('x.npy')\nx = " + "np.log(" * depth + "X_train" + ")" * depth + "\n"
    analysis, info, tree = analysis_of(source)
    start = time.process_time()
    assert analysis.leaks(info, tree) == []
    assert time.process_time() - start < 1.0


def test_a_walk_leaves_no_cycles():
    """Nothing the walk keeps refers back to it: the analysis, and the syntax trees
    its facts point into, are freed as soon as the run drops them, not by the collector."""
    source = HEAD + textwrap.dedent(LEAKS["rename-chain"]) + textwrap.dedent("""
        def helper(frame):
            return StandardScaler().fit_transform(frame)

        X_train, X_test, y_train, y_test = train_test_split(helper(X), y)
        print(X_test)
    """)
    analysis, info, tree = analysis_of(source)
    gc.disable()
    try:
        assert analysis.leaks(info, tree)
        alive = weakref.ref(analysis)
        del analysis
        assert alive() is None
    finally:
        gc.enable()
