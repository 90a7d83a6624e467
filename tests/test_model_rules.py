"""ML301-ML304: model versioning, experiment tracking, hard-coded hyperparameters,
evaluation on training data."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from mllint.analysis.model_facts import SaveHelper, _helper, without_hyperparameters
from mllint.project.index import ProjectIndex, index_module
from mllint.testkit import codes, lint_source, lint_tree, notebook_json

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

FIT = "from sklearn.linear_model import LogisticRegression\nclf = LogisticRegression()\nclf.fit(X, y)\n"


# -- ML301 unversioned-model-artifact -------------------------------------------------


@pytest.mark.parametrize("source", [
    "import joblib\njoblib.dump(clf, 'model.pkl')\n",
    "import joblib as jl\nMODEL_PATH = 'models/churn.joblib'\njl.dump(model, MODEL_PATH)\n",
    "import torch\ntorch.save(net.state_dict(), 'checkpoints/best.pt')\n",
    "import pickle\nwith open('model.pkl', 'wb') as f:\n    pickle.dump(model, f)\n",
    "import os, joblib\nOUT = 'models'\njoblib.dump(clf, os.path.join(OUT, 'model.pkl'))\n",
    "from pathlib import Path\nimport torch\ntorch.save(model, Path('models') / 'model.pt')\n",
    "model.save('churn.h5')\n",
    "booster.save_model('xgb.json')\n",
    "model.save_pretrained('outputs/churn-bert')\n",
    "import tensorflow as tf\ntf.saved_model.save(model, 'export/churn')\n",
    "import joblib\nbaseline.fit(X, y)\njoblib.dump(baseline, 'baseline.joblib')\n",
    "import pickle\nfrom sklearn.svm import SVC\nfitted = SVC().fit(X, y)\npickle.dump(fitted, open('svc.pkl', 'wb'))\n",
])
def test_model_saved_to_constant_path_is_reported(tmp_path: Path, source: str) -> None:
    assert codes(lint_source(tmp_path, source, select=["ML301"])) == ["ML301"]


def test_finding_points_at_the_save_call(tmp_path: Path) -> None:
    findings = lint_source(tmp_path, "import joblib\n\nMODEL = 'model.pkl'\njoblib.dump(clf, MODEL)\n", select=["ML301"])

    assert [(f.line, f.column) for f in findings] == [(4, 1)]
    assert "`model.pkl`" in findings[0].message and "`joblib.dump`" in findings[0].message


@pytest.mark.parametrize("source", [
    "import joblib, time\njoblib.dump(clf, f'models/model-{int(time.time())}.pkl')\n",
    "import joblib\njoblib.dump(clf, f'models/{run_id}/model.pkl')\n",
    "import joblib\njoblib.dump(clf, 'models/model-{}.pkl'.format(version))\n",
    "import os, joblib\njoblib.dump(clf, os.path.join(args.output_dir, 'model.pkl'))\n",
    "import torch\n\ndef save(model, path):\n    torch.save(model.state_dict(), path)\n",
    "from pathlib import Path\nimport torch\ntorch.save(model, Path(out_dir) / 'model.pt')\n",
    "import joblib\njoblib.dump(clf, 'models/model_v3.pkl')\n",
    "import joblib\njoblib.dump(clf, 'models/model-20240131.pkl')\n",
    "import pickle\npickle.dump(vocabulary, open('vocab.pkl', 'wb'))\n",
    "import numpy as np\nnp.save('model.npy', weights)\n",
    "img.save('figure.png')\n",
    "tokenizer.save_pretrained('outputs/tokenizer')\n",
    "from fvcore.common.checkpoint import PeriodicCheckpointer\n"
    "periodic_checkpointer = PeriodicCheckpointer(checkpointer, 1000)\n"
    "periodic_checkpointer.save('running_checkpoint', iteration=it)\n",
    "# joblib.dump(clf, 'model.pkl')\nimport joblib\n",
    "def dump(a, b):\n    pass\ndump(model, 'model.pkl')\n",
    "import os, torch\nout_dir = 'out'\nexec(open('configurator.py').read())\n"
    "torch.save(checkpoint, os.path.join(out_dir, 'ckpt.pt'))\n",
    "import joblib\nPATH = 'm.pkl'\nglobals().update(overrides)\njoblib.dump(clf, PATH)\n",
])
def test_versioned_variable_or_non_model_saves_are_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML301"]) == []


def test_model_registry_elsewhere_in_the_project_silences(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {
        "train.py": "import torch\ntorch.save(model, 'model.pt')\n",
        "register.py": "import mlflow.pytorch\nmlflow.pytorch.log_model(model, 'model')\n",
    }, select=["ML301"])

    assert findings == []


def test_path_covered_by_a_dvc_out_is_silent(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {
        "src/train.py": "import joblib\njoblib.dump(clf, 'models/model.pkl')\n",
        "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    outs:\n      - models\n",
    }, select=["ML301"])

    assert findings == []


def test_path_outside_the_dvc_outs_is_still_reported(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {
        "train.py": "import joblib\njoblib.dump(clf, 'artifacts/model.pkl')\n",
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    outs:\n      - models\n",
    }, select=["ML301"])

    assert codes(findings) == ["ML301"]


def test_saves_in_tests_are_silent(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {"tests/test_train.py": "import joblib\njoblib.dump(clf, 'model.pkl')\n"}, select=["ML301"])
    assert findings == []


# -- ML302 no-experiment-tracking -----------------------------------------------------

LIBRARY = '[project]\nname = "lib"\n[build-system]\nbuild-backend = "hatchling.build"\n'
TRAINING = "from sklearn.linear_model import LogisticRegression\n\ndef train(X, y):\n    return LogisticRegression().fit(X, y)\n\nmodel = LogisticRegression()\nmodel.fit([[0]], [0])\n"


@pytest.mark.parametrize(
    ("files", "reported"),
    [
        ({"src/app/__init__.py": "", "src/app/train.py": TRAINING}, True),  # an application's package trains
        ({"pyproject.toml": LIBRARY, "src/lib/__init__.py": "", "src/lib/train.py": TRAINING}, False),  # a library's API
        ({"pyproject.toml": LIBRARY, "scripts/train.py": TRAINING}, True),  # a library's own training script
        ({"examples/train.py": TRAINING}, False),
        ({"docs/tutorial.py": TRAINING}, False),
        ({"tests/test_train.py": TRAINING}, False),
    ],
)
def test_ml302_counts_training_runs_not_demonstrations_or_library_apis(tmp_path, files, reported):
    assert codes(lint_tree(tmp_path, files, select=["ML302"])) == (["ML302"] if reported else [])



def test_training_without_tracker_is_reported_at_the_first_training_call(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {
        "src/prepare.py": "import pandas as pd\ndf = pd.read_csv('x.csv')\n",
        "src/train.py": "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n"
                        "scaler = StandardScaler()\nscaler.fit(X)\n" + FIT,
    }, select=["ML302"])

    assert codes(findings) == ["ML302"]
    assert findings[0].path.endswith("src/train.py")
    assert findings[0].line == 7
    assert "`clf.fit`" in findings[0].message


def test_torch_loop_counts_as_training(tmp_path: Path) -> None:
    source = (
        "import torch\n\ndef train(model, loader, optimizer):\n    for x, y in loader:\n"
        "        optimizer.zero_grad()\n        loss = model(x).sum()\n        loss.backward()\n        optimizer.step()\n"
    )
    findings = lint_source(tmp_path, source, select=["ML302"])

    assert codes(findings) == ["ML302"]
    assert findings[0].line == 7


@pytest.mark.parametrize("tracker", [
    "import mlflow\nmlflow.log_metric('acc', 1.0)\n",
    "import wandb\nwandb.init()\n",
    "from dvclive import Live\n",
    "from torch.utils.tensorboard import SummaryWriter\n",
    "from pytorch_lightning.loggers import CSVLogger\n",
    "import tensorflow as tf\ncb = tf.keras.callbacks.TensorBoard('logs')\n",
    "from aim import Run\n",
    "import comet_ml\n",
])
def test_any_tracker_in_the_project_silences(tmp_path: Path, tracker: str) -> None:
    findings = lint_tree(tmp_path, {"train.py": FIT, "tracking.py": tracker}, select=["ML302"])
    assert findings == []


HF_TRAINING = (
    "from transformers import Trainer, TrainingArguments\n\n"
    "def main(model, data, output_dir):\n    args = TrainingArguments(output_dir, {args})\n"
    "    trainer = Trainer(model=model, args=args, train_dataset=data)\n    trainer.train()\n\n\n"
    "if __name__ == '__main__':\n    main(None, None, 'out')\n"
)


@pytest.mark.parametrize(
    ("args", "files", "reported"),
    [
        ("report_to='wandb'", {}, False),
        ("report_to=['tensorboard', 'wandb']", {}, False),
        # a recipe or a launch script configures the trainer (alignment-handbook, LLaVA)
        ("**recipe", {"recipes/sft/config.yaml": "learning_rate: 2.0e-05\nreport_to:\n- tensorboard\n- wandb\n"}, False),
        ("**recipe", {"scripts/finetune.sh": "deepspeed train.py \\\n    --report_to wandb \\\n    --bf16 True\n"}, False),
        ("**recipe", {"configs/run.json": '{"report_to": ["mlflow"], "seed": 1}'}, False),
        # turned off, or nothing said
        ("report_to='none'", {}, True),
        ("**recipe", {"recipes/sft/config.yaml": "report_to: none\n"}, True),
        ("**recipe", {}, True),
    ],
)
def test_a_trainers_report_to_naming_a_tracker_tracks(tmp_path, args, files, reported):
    tree = {"train.py": HF_TRAINING.format(args=args), **files}
    assert codes(lint_tree(tmp_path, tree, select=["ML302"])) == (["ML302"] if reported else [])


def test_a_report_to_in_a_project_not_training_with_hugging_face_is_not_read(tmp_path):
    tree = {"train.py": FIT, "configs/run.yaml": "report_to: wandb\n"}
    assert codes(lint_tree(tmp_path, tree, select=["ML302"])) == ["ML302"]


def test_dvc_metrics_count_as_tracking(tmp_path: Path) -> None:
    findings = lint_tree(tmp_path, {
        "train.py": FIT,
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    metrics:\n      - metrics.json:\n          cache: false\n",
    }, select=["ML302"])

    assert findings == []


@pytest.mark.parametrize("source", [
    "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\nscaler = StandardScaler()\nscaler.fit(X)\n",
    "import torch\nmodel.train()\n",
    "import numpy as np\nx = np.zeros(3)\n",
])
def test_no_training_is_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML302"]) == []


def test_training_only_in_tests_is_silent(tmp_path: Path) -> None:
    assert lint_tree(tmp_path, {"tests/test_model.py": FIT}, select=["ML302"]) == []


# -- ML303 hardcoded-hyperparameters -------------------------------------------------

SCRIPT = (
    "import torch\nfrom sklearn.ensemble import GradientBoostingClassifier\n\n"
    "def main():\n"
    "    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n"
    "    gb = GradientBoostingClassifier(learning_rate=0.1, n_estimators=100)\n"
    "    model.fit(X, y, epochs=10, batch_size=32)\n\n"
    "if __name__ == '__main__':\n    main()\n"
)


def test_hardcoded_hyperparameters_are_reported_once_per_entry_point(tmp_path: Path) -> None:
    findings = lint_source(tmp_path, SCRIPT, select=["ML303"])

    assert [f.line for f in findings] == [5]
    assert "`torch.optim.Adam` gets hard-coded `lr`, `weight_decay` (and 2 more calls in this file)" in findings[0].message


def test_keras_fit_literals_are_hyperparameters(tmp_path: Path) -> None:
    source = "import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.fit(X, y, epochs=10, batch_size=32)\n"
    findings = lint_tree(tmp_path, {"train.py": source}, select=["ML303"])

    assert codes(findings) == ["ML303"]
    assert "`model.fit` gets hard-coded `epochs`, `batch_size`;" in findings[0].message


def test_positional_learning_rate_of_a_torch_optimizer(tmp_path: Path) -> None:
    source = "import torch\nopt = torch.optim.SGD(model.parameters(), 0.01)\nmodel.fit(X)\n"
    findings = lint_tree(tmp_path, {"train.py": source}, select=["ML303"])

    assert codes(findings) == ["ML303"]
    assert "`lr`" in findings[0].message


@pytest.mark.parametrize("path", ["train.ipynb", "examples/train.py", "tutorials/train.py"])
def test_notebooks_and_examples_show_their_hyperparameters_on_purpose(tmp_path: Path, path: str) -> None:
    source = "import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.fit(X, y, epochs=10, batch_size=32)\n"
    files = {path: notebook_json([source]) if path.endswith(".ipynb") else source}
    assert lint_tree(tmp_path, files, select=["ML303"]) == []


@pytest.mark.parametrize("config", [
    ("cli.py", "import argparse\n"),
    ("conf.py", "from omegaconf import OmegaConf\n"),
    ("params.yaml", "lr: 0.001\n"),
    ("settings.py", "from dataclasses import dataclass\n\n@dataclass\nclass TrainConfig:\n    lr: float = 1e-3\n"),
])
def test_project_with_a_configuration_mechanism_is_silent(tmp_path: Path, config: tuple[str, str]) -> None:
    findings = lint_tree(tmp_path, {"train.py": SCRIPT, config[0]: config[1]}, select=["ML303"])
    assert findings == []


@pytest.mark.parametrize("source", [
    "import torch\n\ndef build(model):\n    return torch.optim.Adam(model.parameters(), lr=1e-3)\n",  # not an entry point
    "import torch\n\nif __name__ == '__main__':\n    opt = torch.optim.Adam(model.parameters(), lr=lr)\n",
    "import numpy as np\n\nif __name__ == '__main__':\n    np.linspace(0, 1, num=10)\n    plot(alpha=0.5)\n",
])
def test_variables_library_modules_and_unrelated_calls_are_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML303"]) == []


# -- ML304 evaluated-on-training-data -------------------------------------------------


@pytest.mark.parametrize("evaluation", [
    "print(clf.score(X_train, y_train))\n",
    "from sklearn.metrics import accuracy_score\nprint(accuracy_score(y_train, clf.predict(X_train)))\n",
    "from sklearn import metrics\npred = clf.predict(X_train)\nprint(metrics.f1_score(y_train, pred))\n",
])
def test_only_evaluation_on_the_fitted_data_is_reported(tmp_path: Path, evaluation: str) -> None:
    source = "from sklearn.svm import SVC\nclf = SVC()\nclf.fit(X_train, y_train)\n" + evaluation
    findings = lint_source(tmp_path, source, select=["ML304"])

    assert codes(findings) == ["ML304"]
    assert "`clf`" in findings[0].message and "`X_train`" in findings[0].message


def test_inside_a_function_and_fit_returning_self(tmp_path: Path) -> None:
    source = (
        "from sklearn.linear_model import LogisticRegression\n\n"
        "def run(X, y):\n    model = LogisticRegression().fit(X, y)\n    return model.score(X, y)\n"
    )
    findings = lint_source(tmp_path, source, select=["ML304"])

    assert [f.line for f in findings] == [5]


@pytest.mark.parametrize("source", [
    "clf.fit(X_train, y_train)\nprint(clf.score(X_train, y_train))\nprint(clf.score(X_test, y_test))\n",
    "clf.fit(X_train, y_train)\nprint(clf.score(X_test, y_test))\n",
    "from sklearn.metrics import accuracy_score\nclf.fit(X_train, y_train)\n"
    "print(accuracy_score(y_train, clf.predict(X_train)), accuracy_score(y_test, clf.predict(X_test)))\n",
    "from sklearn.model_selection import cross_val_score\nclf.fit(X, y)\n"
    "print(cross_val_score(clf, X, y).mean(), clf.score(X, y))\n",
    "km.fit(X)\nlabels = km.predict(X)\n",
    "scaler.fit(X)\nprint(scaler.score(X))\n",
    "a.fit(X, y)\nprint(b.score(X, y))\n",
    "# clf.fit(X, y)\n# clf.score(X, y)\nimport sklearn\n",
])
def test_held_out_evaluation_or_no_evaluation_is_silent(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, "import sklearn\n" + source, select=["ML304"]) == []


def test_a_rebound_prediction_name_is_not_the_training_prediction(tmp_path: Path) -> None:
    source = (
        "from sklearn.metrics import mean_squared_error\n"
        "svm.fit(X_train, y_train)\ny_pred = svm.predict(X_train)\n"
        "errors = [mean_squared_error(y_val, y_pred) for y_pred in gbrt.staged_predict(X_val)]\n"
        "y_pred = other.predict(X_val)\nprint(mean_squared_error(y_val, y_pred))\n"
    )
    assert lint_source(tmp_path, source, select=["ML304"]) == []


@pytest.mark.parametrize(("source", "lines"), [
    # ``x`` is bound again to the validation data: evaluating on it is held out
    ("x, y = encode(train_loader)\nclf.fit(x, y)\nprint(f1_score(y, clf.predict(x)))\n"
     "x, y = encode(val_loader)\nprint(f1_score(y, clf.predict(x)))\n", []),
    ("X = train[cols]\nclf.fit(X, y)\nX = test[cols]\nprint(clf.score(X, y_test))\n", []),
    # bound before the fit, or only after the last evaluation: the same data
    ("X = load()\nX = X.dropna()\nclf.fit(X, y)\nprint(clf.score(X, y))\n", [5]),
    ("clf.fit(X, y)\nprint(clf.score(X, y))\nX = None\n", [3]),
])
def test_a_name_bound_again_after_the_fit_holds_other_data(tmp_path: Path, source: str, lines: list[int]) -> None:
    source = "from sklearn.metrics import f1_score\n" + source
    assert [f.line for f in lint_source(tmp_path, source, select=["ML304"])] == lines


def test_separate_functions_are_separate_scopes(tmp_path: Path) -> None:
    source = (
        "import sklearn\n\ndef train():\n    clf.fit(X, y)\n    return clf.score(X, y)\n\n"
        "def evaluate():\n    return clf.score(X_test, y_test)\n"
    )
    findings = lint_source(tmp_path, source, select=["ML304"])

    assert [f.line for f in findings] == [5]


_TRAIN_SCORE = (
    "from sklearn.linear_model import LinearRegression\nfrom sklearn.metrics import mean_squared_error\n\n"
    "def train(X_train, y_train):\n    lr = LinearRegression()\n    lr.fit(X_train, y_train)\n"
    "    print('training MSE', mean_squared_error(y_train, lr.predict(X_train)))\n"
)


@pytest.mark.parametrize("after", [
    "    return lr\n",
    "    return lr, X_train.shape\n",
    "    registry['lr'] = lr\n",
    "    evaluate(lr, X_val, y_val)\n",
    "    trainer.evaluate(lr, X_val, y_val)\n",
    "    fitted.append(lr)\n",
])
def test_a_model_leaving_its_function_may_be_evaluated_where_it_goes(tmp_path: Path, after: str) -> None:
    """``train`` prints the training error and hands the model on (to its caller, a
    registry, an evaluation): the held-out evaluation is elsewhere."""
    assert lint_source(tmp_path, _TRAIN_SCORE + after, select=["ML304"]) == []


@pytest.mark.parametrize("after", [
    "    return mean_squared_error(y_train, lr.predict(X_train))\n",  # the score leaves, not the model
    "    joblib.dump(lr, 'lr.joblib')\n",  # saved: no evaluation in this run
    "    print(lr)\n",
])
def test_a_model_that_stays_in_its_function_or_is_only_saved_is_reported(tmp_path: Path, after: str) -> None:
    assert set(codes(lint_source(tmp_path, "import joblib\n" + _TRAIN_SCORE + after, select=["ML304"]))) == {"ML304"}


def test_notebook_evaluation_lands_on_its_cell(tmp_path: Path) -> None:
    cells = ["from sklearn.tree import DecisionTreeClassifier\ntree = DecisionTreeClassifier()\n",
             "tree.fit(X, y)\n", "tree.score(X, y)\n"]
    findings = lint_tree(tmp_path, {"explore.ipynb": notebook_json(cells)}, select=["ML304"])

    assert [(f.cell, f.line) for f in findings] == [(3, 1)]


# -- examples -----------------------------------------------------------------------

MODEL_CODES = {"ML301", "ML302", "ML303", "ML304"}


def test_leaky_example_violates_the_model_rules() -> None:
    found = set(codes(lint_tree(EXAMPLES / "churn-leaky", select=sorted(MODEL_CODES)))) & MODEL_CODES
    assert found == MODEL_CODES


def test_tidy_example_follows_the_model_rules() -> None:
    assert set(codes(lint_tree(EXAMPLES / "churn-tidy", select=sorted(MODEL_CODES)))) & MODEL_CODES == set()


# -- ML301 through project helpers that wrap a save -------------------------------------

PICKLE_HELPER = "import pickle\n\ndef save_model(obj, path):\n    with open(path, 'wb') as f:\n        pickle.dump(obj, f)\n"


@pytest.mark.parametrize(("files", "where"), [
    ({"train.py": PICKLE_HELPER + "pipeline.fit(X, y)\nsave_model(pipeline, 'model.bin')\n"}, ("train.py", 7)),
    ({"src/__init__.py": "", "src/utils.py": "import joblib\n\ndef save_object(file_path, obj):\n    joblib.dump(obj, file_path)\n",
      "train.py": "from src.utils import save_object\n\nsave_object('artifacts/model.pkl', model)\n"}, ("train.py", 3)),
    ({"src/utils.py": "import joblib\n\ndef save_object(file_path, obj):\n    joblib.dump(obj, file_path)\n",
      "src/train.py": "from utils import save_object\n\nsave_object(obj=clf, file_path='clf.pkl')\n"}, ("src/train.py", 3)),
    ({"io_utils.py": "import torch\n\ndef _write(m, p):\n    torch.save(m.state_dict(), p)\n\ndef save_checkpoint_to(model, path):\n    _write(model, path)\n",
      "train.py": "from io_utils import save_checkpoint_to\nsave_checkpoint_to(net, 'best.pt')\n"}, ("train.py", 2)),
    ({"persist.py": "def persist(model, path):\n    model.save(path)\n",
      "train.py": "import persist\npersist.persist(model, 'churn.keras')\n"}, ("train.py", 2)),
    ({"train.py": "import joblib\nmodel = LogisticRegression().fit(X, y)\n\ndef dump_to(path):\n    joblib.dump(model, path)\n\ndump_to('m.pkl')\n"},
     ("train.py", 7)),
    ({"train.py": PICKLE_HELPER + "save_model(clf, 'models/model_C=1.0.bin')\n"}, ("train.py", 6)),  # a setting, not a version
])
def test_a_helper_wrapping_a_save_is_reported_at_its_call_with_the_constant_path(tmp_path: Path, files, where) -> None:
    findings = lint_tree(tmp_path, files, select=["ML301"])

    assert [(f.path, f.line) for f in findings] == [where]
    assert "(which calls `" in findings[0].message


@pytest.mark.parametrize("files", [
    {"train.py": PICKLE_HELPER + "save_model(pipeline, args.output)\n"},  # a variable path
    {"train.py": PICKLE_HELPER + "save_model(pipeline, f'model-{run_id}.bin')\n"},
    {"train.py": PICKLE_HELPER + "save_model(vocabulary, 'vocab.bin')\n"},  # not a model
    {"train.py": PICKLE_HELPER + "save_model(clf, 'models/model_v3.bin')\n"},  # versioned
    # the helper chooses the file itself (by a name): not a path parameter, left alone
    {"train.py": "import joblib, os\n\ndef save(model, name):\n    joblib.dump(model, os.path.join(OUT, name))\n\nsave(clf, 'clf.pkl')\n"},
    # the parameter is replaced before the save
    {"train.py": "import joblib\n\ndef save(model, path):\n    path = stamp(path)\n    joblib.dump(model, path)\n\nsave(clf, 'clf.pkl')\n"},
    {"persist.py": "def persist(obj, path):\n    obj.save(path)\n", "train.py": "from persist import persist\npersist(tokenizer, 'tok.keras')\n"},
    # a method of the same name on some object is not the project's helper
    {"train.py": PICKLE_HELPER + "store.save_model(clf, 'model.bin')\n"},
])
def test_helpers_with_a_variable_versioned_or_non_model_argument_are_silent(tmp_path: Path, files) -> None:
    assert lint_tree(tmp_path, files, select=["ML301"]) == []


@pytest.mark.parametrize(("path", "kept"), [
    ("models/model_C=1.0.bin", "models/model_.bin"),
    ("rf_depth-10.pkl", "rf_.pkl"),
    ("model_lr_0.001_bs32.pt", "model__.pt"),
    ("model_v3.pkl", "model_v3.pkl"),
    ("model-20240131.pkl", "model-20240131.pkl"),
    ("model-1.2.0.pkl", "model-1.2.0.pkl"),
    ("model_version=2.pkl", "model_version=2.pkl"),
    ("resnet50.pth", "resnet50.pth"),
])
def test_hyperparameters_in_a_file_name_are_not_a_version(path: str, kept: str) -> None:
    assert without_hyperparameters(path) == kept


@pytest.mark.parametrize(
    "source",
    [
        "from sklearn.mixture import GaussianMixture\ngm = GaussianMixture(3)\ngm.fit(X)\nprint(gm.score(X))\n",
        "from sklearn.cluster import KMeans\nkm = KMeans(3).fit(X)\nprint(km.score(X))\n",
    ],
)
def test_ml304_unsupervised_models_are_scored_on_their_own_data_on_purpose(tmp_path: Path, source: str) -> None:
    assert lint_source(tmp_path, source, select=["ML304"]) == []


def test_ml304_a_supervised_fit_scored_on_its_training_data_is_reported(tmp_path: Path) -> None:
    source = "from sklearn.svm import SVC\nclf = SVC().fit(X, y=labels)\nprint(clf.score(X, labels))\n"
    assert codes(lint_source(tmp_path, source, select=["ML304"])) == ["ML304"]


def test_a_save_helper_read_back_from_json_is_the_helper_found() -> None:
    """What the result cache keeps of a module's helpers (``FactsStore``) is read back whole."""
    info, index = index_module("io_utils.py", PICKLE_HELPER), ProjectIndex()
    index.add(info, PICKLE_HELPER)
    helper = _helper(index, info, "save_model", {})
    assert helper is not None
    assert SaveHelper.from_json(json.loads(json.dumps(asdict(helper)))) == helper


@pytest.mark.parametrize("damage", [
    lambda data: data.update(saver=1),
    lambda data: data["path"].update(path_at="1"),
    lambda data: data["path"].update(obj_keywords=[2]),
    lambda data: data["path"].pop("needs_model"),
    lambda data: data.update(path=[]),
], ids=["saver-not-a-name", "position-not-a-number", "keyword-not-a-name", "missing-part", "wrong-shape"])
def test_a_damaged_save_helper_is_refused(damage) -> None:
    info, index = index_module("io_utils.py", PICKLE_HELPER), ProjectIndex()
    index.add(info, PICKLE_HELPER)
    data = json.loads(json.dumps(asdict(_helper(index, info, "save_model", {}))))
    damage(data)
    with pytest.raises((TypeError, KeyError, AttributeError)):
        SaveHelper.from_json(data)
