"""The serving analysis behind ML5xx: vocabularies, handler detection and value flow."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest

import mllint.analysis.serving as serving_module
from mllint.analysis.serving import ServingAnalysis, may_define_handlers
from mllint.analysis.serving_flow import (
    carries_identity,
    carries_request_id,
    is_model_ident,
    is_versioned,
    words,
)
from mllint.engine.context import ProjectContext
from mllint.project.index import ProjectIndex, index_module


def project(tmp_path: Path, files: dict[str, str], decorators: tuple[str, ...] = ()) -> ServingAnalysis:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    index = ProjectIndex(index_module(name, text) for name, text in files.items() if name.endswith(".py"))
    return ServingAnalysis(ProjectContext(tmp_path, sorted(files), index), decorators)


def handlers(analysis: ServingAnalysis, path: str) -> list[tuple[str, str]]:
    serving = analysis.serving(path)
    return [(h.qualname, h.kind) for h in serving.handlers] if serving is not None else []


# -- vocabularies -------------------------------------------------------------


def test_words_split_identifiers_and_text():
    assert words("modelVersion") == ["model", "version"]
    assert words("MODEL_RUN_ID") == ["model", "run", "id"]
    assert words("XRequestID") == ["x", "request", "id"]


@pytest.mark.parametrize("term", ["model_version", "self.model.metadata.version", "run_id", "MODEL_SHA", "modelUri", "tag", "served by v3"])
def test_identity_terms(term):
    assert carries_identity(frozenset({term}))


@pytest.mark.parametrize("term", ["model", "shape", "input_shape", "tagging", "model_name", "prediction"])
def test_not_identity_terms(term):
    assert not carries_identity(frozenset({term}))


def test_request_ids():
    assert carries_request_id(frozenset({"x-request-id"}))
    assert carries_request_id(frozenset({"context.aws_request_id"}))
    assert not carries_request_id(frozenset({"request", "id_token"}))


@pytest.mark.parametrize("name, expected", [
    ("model", True), ("_model", True), ("sentiment_pipeline", True), ("clf", True), ("ort_session", True),
    ("get_model", False), ("model_path", False), ("Model", False), ("scaler", False), ("tokenizer", False),
    ("list_models", False), ("register_model", False), ("activate_model", False), ("compare_models", False),
])
def test_model_identifiers(name, expected):
    assert is_model_ident(name) is expected


@pytest.mark.parametrize("path, hub, expected", [
    ("model.pkl", False, False),
    ("models:/churn/3", False, True),
    ("models:/churn@champion", False, True),
    ("runs:/abc/model", False, True),
    ("artifacts/v2/model.pkl", False, True),
    ("model-1.4.0.joblib", False, True),
    ("model_20240501.pkl", False, True),
    ("churn:4fh2kxq3kwbz3gxb", False, True),
    ("churn:latest", False, False),
    ("yolov8n.pt", False, False),
    ("resnet50.pth", False, False),
    ("distilbert-base-uncased-finetuned-sst-2-english", True, False),
    ("org/model", True, False),
    # a hyperparameter setting distinguishes configurations, not versions
    ("models/model_C=1.0.bin", False, False),
    ("models/rf_depth-10.pkl", False, False),
    ("models/lr_0.01/model.pt", False, False),
    ("models/model_C=1.0_v2.bin", False, True),
])
def test_versioned_references(path, hub, expected):
    assert is_versioned(path, hub) is expected


# -- handler detection ---------------------------------------------------------------


def test_health_endpoint_is_a_handler_that_does_not_predict(tmp_path):
    analysis = project(tmp_path, {"api.py": '''\
from fastapi import FastAPI
app = FastAPI()

@app.get("/health")
def health():
    return {"ok": True}
'''})
    assert handlers(analysis, "api.py") == [("health", "route")]
    assert list(analysis.serving("api.py").predicting_handlers()) == []


def test_routes_on_an_app_imported_from_another_module(tmp_path):
    analysis = project(tmp_path, {
        "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
        "app/views.py": "from app import app\n\n@app.route('/predict', methods=['POST'])\ndef predict():\n    return 1\n",
    })
    assert handlers(analysis, "app/views.py") == [("predict", "route")]


def test_look_alike_decorators_are_not_routes(tmp_path):
    analysis = project(tmp_path, {"cache.py": '''\
import functools

registry = {}

@functools.lru_cache()
def get(x):
    return registry.get(x)

@property
def post(self):
    return None
'''})
    assert handlers(analysis, "cache.py") == []


def test_registered_class_view_from_another_module(tmp_path):
    analysis = project(tmp_path, {
        "api/resources.py": '''\
class Predict:
    def post(self):
        return model.predict([[1]])

    def helper(self):
        return None
''',
        "api/app.py": '''\
from flask import Flask
from flask_restful import Api

from api.resources import Predict

app = Flask(__name__)
Api(app).add_resource(Predict, "/predict")
''',
    })
    assert handlers(analysis, "api/resources.py") == [("Predict.post", "registered class-based view")]


def test_configured_decorators_match_by_qualified_name_or_suffix(tmp_path):
    source = "from sdk.serve import endpoint\n\n@endpoint\ndef score(payload):\n    return payload\n"
    assert handlers(project(tmp_path / "a", {"svc.py": source}), "svc.py") == []
    configured = project(tmp_path / "b", {"svc.py": source}, ("sdk.serve.endpoint",))
    assert handlers(configured, "svc.py") == [("score", "configured serving decorator")]
    short = project(tmp_path / "c", {"svc.py": source}, ("endpoint",))
    assert handlers(short, "svc.py") == [("score", "configured serving decorator")]


def test_startup_hooks(tmp_path):
    analysis = project(tmp_path, {"api.py": '''\
from contextlib import asynccontextmanager
from fastapi import FastAPI

@asynccontextmanager
async def lifespan(app):
    yield

app = FastAPI(lifespan=lifespan)

@app.on_event("startup")
def warm_up():
    pass

@app.get("/health")
def health():
    return {"ok": True}
'''})
    assert analysis.serving("api.py").startup == ["lifespan", "warm_up"]


NO_HANDLERS = "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.on_event('startup')\ndef warm_up():\n    pass\n"


def test_a_module_without_handlers_is_not_serving_code(tmp_path):
    """Its startup hooks run nothing a request reaches."""
    analysis = project(tmp_path, {"api.py": NO_HANDLERS})
    assert analysis.serving("api.py") is None


def test_views_nothing_holds_are_let_go_and_made_again(tmp_path, monkeypatch):
    """A library may have hundreds of modules that may serve: only the views
    used last are kept, so that their trees go when the index lets them go."""
    monkeypatch.setattr(serving_module, "KEPT_VIEW_TEXT", 1)
    analysis = project(tmp_path, {"a.py": NO_HANDLERS, "b.py": NO_HANDLERS})
    assert analysis.serving("a.py") is None
    first = weakref.ref(analysis.view("a.py"))
    assert analysis.view("a.py") is first()  # kept while it is the last used
    analysis.view("b.py")
    assert first() is None
    again = analysis.view("a.py")
    assert again is not None and list(again.functions) == ["warm_up"]


def test_project_base_class_that_is_a_kserve_model(tmp_path):
    analysis = project(tmp_path, {
        "base.py": "import kserve\n\nclass Base(kserve.Model):\n    pass\n",
        "model.py": "from base import Base\n\nclass Churn(Base):\n    def predict(self, payload, headers=None):\n        return payload\n",
    })
    assert handlers(analysis, "model.py") == [("Churn.predict", "KServe model")]


PREDICT = "    def predict(self, payload, headers=None):\n        return payload\n"


@pytest.mark.parametrize(
    "model",
    [
        "import base\n\nclass Churn(base.Base):\n" + PREDICT,
        "from base import Base as Served\n\nclass Churn(\n    Served,\n):\n" + PREDICT,
        "from base import Base\n\nclass Middle(Base):\n    pass\n\nclass Churn(Middle):\n" + PREDICT,
    ],
    ids=["module-qualified", "aliased-multiline", "through-a-local-base"],
)
def test_subclasses_of_a_project_serving_class_are_found_however_named(tmp_path, model):
    analysis = project(tmp_path, {"base.py": "import kserve\n\nclass Base(kserve.Model):\n    pass\n", "model.py": model})
    assert ("Churn.predict", "KServe model") in handlers(analysis, "model.py")


def test_a_module_deriving_from_a_project_class_that_cannot_serve_is_not_analysed(tmp_path):
    analysis = project(tmp_path, {
        "layers.py": "import torch\n\nclass Block(torch.nn.Module):\n    pass\n",
        "net.py": "from layers import Block\n\nclass Net(Block):\n    def predict(self, x):\n        return x\n",
    })
    assert analysis.serving("net.py") is None


def test_a_module_whose_classes_derive_from_no_project_class_is_not_analysed(tmp_path):
    analysis = project(tmp_path, {
        "base.py": "import kserve\n\nclass Base(kserve.Model):\n    pass\n",
        "other.py": "import base\nimport torch\n\nclass Net(torch.nn.Module):\n    def predict(self, x):\n        return base.Base\n",
    })
    assert analysis.serving("other.py") is None


# -- flows -----------------------------------------------------------------------------


def test_flow_events_follow_calls_into_methods_and_keep_order(tmp_path):
    analysis = project(tmp_path, {
        "svc.py": '''\
import logging
import joblib
from fastapi import FastAPI

log = logging.getLogger(__name__)
app = FastAPI()


class Scorer:
    def __init__(self):
        self.model = joblib.load(os.environ["M"])

    def score(self, rows):
        return self.model.predict(rows)


scorer = Scorer()


@app.post("/score")
def score(payload: dict):
    log.debug("scoring")
    y = scorer.score(payload["rows"])
    log.info("scored", extra={"y": y})
    return y
''',
    })
    events = analysis.serving("svc.py").flows["score"]
    assert [(e.kind, e.function) for e in events] == [("log", "score"), ("predict", "Scorer.score"), ("log", "score")]
    assert events[2].facts.prediction and not events[2].facts.input


def test_input_taint_flows_through_assignments_and_helpers(tmp_path):
    analysis = project(tmp_path, {
        "svc.py": '''\
import logging
import pandas as pd
from fastapi import FastAPI

log = logging.getLogger(__name__)
app = FastAPI()


def to_frame(body):
    return pd.DataFrame([body])


@app.post("/score")
def score(body: dict):
    frame = to_frame(body)
    log.info("frame", extra={"rows": frame})
    return 1
''',
    })
    (event,) = analysis.serving("svc.py").flows["score"]
    assert event.facts.input


def test_the_analysis_is_built_once_per_project_context(tmp_path):
    index = ProjectIndex()
    ctx = ProjectContext(tmp_path, [], index)
    assert ctx.analysis(ServingAnalysis) is ctx.analysis(ServingAnalysis)
    other = ProjectContext(tmp_path, [], index)
    assert other.analysis(ServingAnalysis) is not ctx.analysis(ServingAnalysis)


@pytest.mark.parametrize(
    ("config", "decorators"),
    [
        ("", ()),
        ('[tool.mllint.rules.ML501]\nserving-decorators = ["sdk.endpoint"]\n', ("sdk.endpoint",)),
        ('[tool.mllint.analysis.serving]\ndecorators = ["sdk.endpoint"]\n', ("sdk.endpoint",)),
    ],
)
def test_decorators_are_an_option_of_the_analysis_and_the_legacy_rule_key_still_works(tmp_path, config, decorators):
    from mllint.engine.config import build_settings, load_config
    from mllint.plugins import builtin_rules

    (tmp_path / "pyproject.toml").write_text("[tool.mllint]\n" + config, encoding="utf-8")
    rules = builtin_rules()
    settings = build_settings(load_config(tmp_path / "pyproject.toml", rules), rules)
    ctx = ProjectContext(tmp_path, [], ProjectIndex(), settings.rule_options, settings.analysis_options)
    assert ctx.analysis(ServingAnalysis).decorators == decorators


def test_unreadable_and_non_utf8_modules_are_skipped(tmp_path):
    (tmp_path / "bad.py").write_bytes(b"\xff\xfe\x00 not python")
    index = ProjectIndex([index_module("bad.py", "x = 1\n")])
    analysis = ServingAnalysis(ProjectContext(tmp_path, ["bad.py"], index))
    assert analysis.serving("bad.py") is None
    assert analysis.all_serving() == []


def test_a_serving_class_is_found_whatever_module_is_asked_first(tmp_path):
    """Modules whose classes derive from each other's: whether one may serve is
    whether its bases lead to a module that names a framework, in any order of
    asking (a module asked while a cycle through it was open was once taken for
    one that cannot serve)."""
    files = {
        "base.py": "import kserve\n\nclass Base(kserve.Model):\n    pass\n",
        "a.py": "import b\nfrom base import Base\n\nclass Plain(b.Helper):\n    pass\n\nclass Served(Base):\n    pass\n",
        "b.py": "import a\n\nclass Helper:\n    pass\n\nclass Churn(a.Served):\n" + PREDICT,
    }
    for first in ("a.py", "b.py", "base.py"):
        analysis = project(tmp_path / first, files)
        analysis.serving(first)
        assert handlers(analysis, "b.py") == [("Churn.predict", "KServe model")], first


@pytest.mark.parametrize(
    ("text", "may_serve"),
    [
        ("import bottle\n", True),
        ("from quart import Quart\n", True),
        ("x = 1  # a memory bottleneck\n", False),
        ("quarter = 0.25\n", False),
        ("def init():\n    pass\n\ndef run(data):\n    return data\n", True),
        ("async def predict_fn(data, model):\n    return data\n", True),
        ("class Job:\n    def run(self):\n        pass\n", False),
        ("from ray import serve\n\n@serve.deployment\nclass Model:\n    pass\n", True),
        ("from ray import serve\n\nserve.run(app)\n", False),
        ("import ray.serve\n", True),
        ("# a head that may serve as a predictor\n", False),
        ("from kserve import Model\n", True),
        ("ctx = get_context('forkserver')\n", False),
    ],
    ids=["bottle", "quart", "bottleneck", "quarter", "azure-run", "sagemaker-async", "a-method-run",
         "ray-serve-deployment", "ray-serve-run-alone", "ray-serve-import", "serve-in-a-comment", "kserve",
         "forkserver"],
)
def test_serving_candidates_are_named_as_their_handlers_need(text, may_serve):
    """The text test that decides which modules are parsed for handlers: a framework
    named as a word, an entry point at the top level, a Ray Serve deployment."""
    assert may_define_handlers(text) is may_serve
