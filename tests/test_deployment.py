"""ML501-ML506: prediction logging, model loading and monitoring in serving code."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint.testkit import codes, lint_tree, notebook_json, percent_cells

MODULE_RULES = ["ML501", "ML502", "ML503", "ML504", "ML505"]
ML5 = [*MODULE_RULES, "ML506"]
REPO = Path(__file__).resolve().parent.parent


def found(tmp_path: Path, files: dict[str, str], select: list[str] | None = None) -> list[tuple[str, str, int]]:
    """(code, path, line) of every ML5xx finding, sorted."""
    findings = lint_tree(tmp_path, files, select=select or MODULE_RULES)
    return sorted((f.code, f.path, f.line) for f in findings)


def found_codes(tmp_path: Path, files: dict[str, str], select: list[str] | None = None) -> list[str]:
    return sorted(code for code, _, _ in found(tmp_path, files, select))


FASTAPI_HEAD = '''\
import logging
import os

import mlflow
from fastapi import FastAPI
from pydantic import BaseModel

logger = logging.getLogger(__name__)
app = FastAPI()
MODEL_VERSION = os.environ["MODEL_VERSION"]
model = mlflow.pyfunc.load_model(f"models:/churn/{MODEL_VERSION}")


class Customer(BaseModel):
    tenure: int
    monthly_charges: float


@app.get("/health")
def health():
    return {"status": "ok"}

'''


def fastapi_app(handler: str) -> dict[str, str]:
    return {"app/main.py": FASTAPI_HEAD + handler}


# -- the "done when" cases: FastAPI ---------------------------------------------------


def test_fastapi_logging_version_input_and_output_via_extra_is_silent(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    features = [[customer.tenure, customer.monthly_charges]]
    churn = float(model.predict(features)[0])
    logger.info(
        "prediction",
        extra={"model_version": MODEL_VERSION, "features": features, "churn": churn},
    )
    return {"churn": churn}
'''
    assert found(tmp_path, fastapi_app(handler)) == []


def test_fastapi_handler_that_only_returns_the_prediction(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    churn = model.predict([[customer.tenure, customer.monthly_charges]])[0]
    return {"churn": float(churn)}
'''
    assert found(tmp_path, fastapi_app(handler)) == [("ML501", "app/main.py", 26)]


STREAMING_HANDLER = '''
@app.post("/generate")
@torch.inference_mode()
def generate(params: dict):
    top_p = float(params.get("top_p", 1.0))
    streamer = TextIteratorStreamer(tokenizer)
    thread = Thread(target=model.generate, kwargs=dict(inputs=params["ids"], top_p=top_p, streamer=streamer))
    thread.start()
    {log}
    return "".join(streamer)
'''


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("pass", [("ML501", "app/main.py", 33)]),
        ("logger.info('generated', extra={'model_version': MODEL_VERSION, 'params': params, 'streamer': streamer})", []),
    ],
)
def test_a_generation_run_in_a_thread_is_the_prediction(tmp_path, log, expected):
    """LLaVA's model worker streams what ``model.generate`` makes in a thread: that
    call is the prediction, not the ``params.get`` reading an option before it."""
    head = "from threading import Thread\n\nimport torch\nfrom transformers import TextIteratorStreamer\n"
    files = fastapi_app(STREAMING_HANDLER.format(log=log))
    files["app/main.py"] = head + files["app/main.py"] + "\ntokenizer = None\n"
    findings = lint_tree(tmp_path, files, select=["ML501"])
    assert sorted((f.code, f.path, f.line) for f in findings) == expected
    assert all("`model.generate`" in f.message for f in findings)


def test_print_is_not_logging(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    churn = model.predict([[customer.tenure, customer.monthly_charges]])[0]
    print(MODEL_VERSION, customer, churn)
    return {"churn": float(churn)}
'''
    assert found_codes(tmp_path, fastapi_app(handler)) == ["ML501"]


def test_log_without_model_version(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    churn = model.predict([[customer.tenure, customer.monthly_charges]])[0]
    logger.info("churn=%s for %s", churn, customer.dict())
    return {"churn": float(churn)}
'''
    assert found(tmp_path, fastapi_app(handler)) == [("ML502", "app/main.py", 27)]


def test_log_without_inputs(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    churn = model.predict([[customer.tenure, customer.monthly_charges]])[0]
    logger.info(f"model {MODEL_VERSION} predicted {churn}")
    return {"churn": float(churn)}
'''
    assert found(tmp_path, fastapi_app(handler)) == [("ML503", "app/main.py", 27)]


def test_logging_only_before_the_prediction_is_not_logging_it(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    logger.info("request received: %s", customer)
    return {"churn": float(model.predict([[customer.tenure, customer.monthly_charges]])[0])}
'''
    assert found_codes(tmp_path, fastapi_app(handler)) == ["ML501"]


def test_error_logging_in_except_is_not_prediction_logging(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    try:
        churn = model.predict([[customer.tenure, customer.monthly_charges]])[0]
    except ValueError:
        logger.exception("prediction failed")
        raise
    return {"churn": float(churn)}
'''
    assert found_codes(tmp_path, fastapi_app(handler)) == ["ML501"]


def test_model_loaded_inside_handler(tmp_path):
    files = {
        "api.py": '''\
import joblib
import structlog
from fastapi import FastAPI

log = structlog.get_logger()
app = FastAPI()


@app.post("/predict")
async def predict(payload: dict):
    model = joblib.load(f"models/churn-{payload['segment']}.joblib")
    churn = model.predict([payload["features"]])[0]
    log.info("prediction", model_version="3", features=payload["features"], churn=churn)
    return {"churn": churn}
'''
    }
    assert found(tmp_path, files) == [("ML504", "api.py", 11)]


def test_an_endpoint_that_reloads_the_model_predicting_nothing_loads_by_design(tmp_path):
    """``/reload`` (or a gRPC call that sets up the policy the next calls use) loads
    on request on purpose; the prediction endpoint uses what it loaded."""
    files = {
        "api.py": '''\
import joblib
import structlog
from fastapi import FastAPI

log = structlog.get_logger()
app = FastAPI()
model = joblib.load("models/churn-v3.joblib")


@app.post("/reload")
def reload(version: str):
    global model
    model = joblib.load(f"models/churn-{version}.joblib")
    return {"loaded": version}


@app.post("/predict")
def predict(payload: dict):
    churn = model.predict([payload["features"]])[0]
    log.info("prediction", model_version="3", features=payload["features"], churn=churn)
    return {"churn": churn}
'''
    }
    assert "ML504" not in found_codes(tmp_path, files)


def test_structlog_keyword_arguments_are_logged_values(tmp_path):
    files = {
        "api.py": '''\
import joblib
import structlog
from fastapi import APIRouter

log = structlog.get_logger(__name__).bind(service="churn")
router = APIRouter()
model = joblib.load("models/churn-v3.joblib")


@router.post("/predict")
async def predict(payload: dict):
    churn = model.predict([payload["features"]])[0]
    log.info("prediction", model_version="v3", features=payload["features"], churn=churn)
    return {"churn": churn}
'''
    }
    assert found(tmp_path, files) == []


def test_helper_that_logs_in_another_module(tmp_path):
    files = {
        "service/api.py": '''\
from fastapi import FastAPI

from service.model import MODEL_VERSION, model
from service.monitoring import log_prediction

app = FastAPI()


@app.post("/predict")
def predict(features: list[float]):
    churn = model.predict([features])[0]
    log_prediction(features, churn, MODEL_VERSION)
    return {"churn": churn}
''',
        "service/model.py": '''\
import os

import mlflow

MODEL_VERSION = os.environ.get("MODEL_VERSION", "3")
model = mlflow.sklearn.load_model(f"models:/churn/{MODEL_VERSION}")
''',
        "service/monitoring.py": '''\
import logging

logger = logging.getLogger("predictions")


def log_prediction(features, prediction, version):
    logger.info("prediction", extra={"features": features, "prediction": prediction, "version": version})
''',
    }
    assert found(tmp_path, files) == []


def test_helper_in_another_module_that_logs_without_version(tmp_path):
    files = {
        "service/api.py": '''\
from fastapi import FastAPI

from service.model import model
from service.monitoring import log_prediction

app = FastAPI()


@app.post("/predict")
def predict(features: list[float]):
    churn = model.predict([features])[0]
    log_prediction(features, churn)
    return {"churn": churn}
''',
        "service/model.py": "import mlflow\nmodel = mlflow.sklearn.load_model('models:/churn/3')\n",
        "service/monitoring.py": '''\
import logging

logger = logging.getLogger("predictions")


def log_prediction(features, prediction):
    logger.info("prediction %s for %s", prediction, features)
''',
    }
    assert found(tmp_path, files) == [("ML502", "service/api.py", 12)]


def test_prediction_in_a_service_module_is_followed(tmp_path):
    files = {
        "app/routes.py": '''\
from fastapi import APIRouter

from app.services.churn import score

router = APIRouter()


@router.post("/churn")
def churn(payload: dict):
    return {"churn": score(payload)}
''',
        "app/services/churn.py": '''\
import mlflow

_model = mlflow.pyfunc.load_model("models:/churn/Production")


def _features(payload):
    return [[payload["tenure"], payload["charges"]]]


def score(payload):
    return float(_model.predict(_features(payload))[0])
''',
    }
    # Reported where the handler calls into the service.
    assert found(tmp_path, files) == [("ML501", "app/routes.py", 10)]


def test_service_object_method_and_model_loaded_per_call(tmp_path):
    files = {
        "api.py": '''\
import logging

from fastapi import FastAPI

from predictor import ChurnPredictor

logger = logging.getLogger(__name__)
app = FastAPI()
predictor = ChurnPredictor()


@app.post("/predict")
def predict(payload: dict):
    result = predictor.predict(payload)
    logger.info("prediction", extra={"input": payload, "result": result, "model_version": predictor.version})
    return result
''',
        "predictor.py": '''\
import joblib


class ChurnPredictor:
    version = "2024-05-01"

    def predict(self, payload):
        model = joblib.load("artifacts/model.joblib")
        return model.predict([list(payload.values())])[0]
''',
    }
    assert found(tmp_path, files) == [("ML504", "predictor.py", 8), ("ML505", "predictor.py", 8)]


def test_fastapi_depends_dependency_that_loads_per_request(tmp_path):
    files = {
        "api.py": '''\
import logging

import joblib
from fastapi import Depends, FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()


def get_model():
    return joblib.load(MODEL_PATH)


@app.post("/predict")
def predict(payload: dict, model=Depends(get_model)):
    y = model.predict([payload["x"]])
    logger.info("pred", extra={"payload": payload, "y": y, "model_version": "1"})
    return {"y": y.tolist()}
'''
    }
    assert found(tmp_path, files) == [("ML504", "api.py", 11)]


def test_cached_or_lazily_loaded_model_is_not_per_request(tmp_path):
    files = {
        "api.py": '''\
import functools
import logging

import joblib
from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
_model = None


@functools.lru_cache(maxsize=1)
def cached_model():
    return joblib.load(os.environ["MODEL_PATH"])


def lazy_model():
    global _model
    if _model is None:
        _model = joblib.load(os.environ["MODEL_PATH"])
    return _model


@app.post("/a")
def a(payload: dict):
    y = cached_model().predict([payload["x"]])
    logger.info("pred", extra={"payload": payload, "y": y, "model_version": "1"})
    return y


@app.post("/b")
def b(payload: dict):
    y = lazy_model().predict([payload["x"]])
    logger.info("pred", extra={"payload": payload, "y": y, "model_version": "1"})
    return y
'''
    }
    assert found(tmp_path, files) == []


# -- ML505 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "load, expected",
    [
        ('joblib.load("model.pkl")', ["ML505"]),
        ('joblib.load(Path(__file__).parent / "artifacts" / "model.pkl")', ["ML505"]),
        ('joblib.load(os.path.join(BASE_DIR, "model.pkl"))', ["ML505"]),
        ('joblib.load(os.environ["MODEL_PATH"])', []),
        ('joblib.load(os.getenv("MODEL_PATH", "model.pkl"))', []),
        ('joblib.load(settings.model_path)', []),
        ('joblib.load("models/churn/v3/model.pkl")', []),
        ('mlflow.pyfunc.load_model("models:/churn/3")', []),
        ('mlflow.pyfunc.load_model(os.environ["MODEL_URI"])', []),
        ('mlflow.pyfunc.load_model("runs:/0a1b2c3d4e5f/model")', []),
        ('mlflow.pyfunc.load_model("model")', ["ML505"]),
        ('AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")', ["ML505"]),
        ('AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased", revision="0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")', []),
    ],
)
def test_unversioned_model_load_at_module_level_of_a_service(tmp_path, load, expected):
    source = f'''\
import logging
import os
from pathlib import Path

import joblib
import mlflow
from flask import Flask, request
from transformers import AutoModelForSequenceClassification

from config import settings

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
app = Flask(__name__)
model = {load}


@app.route("/predict", methods=["POST"])
def predict():
    y = model.predict([request.json["x"]])
    app.logger.info("pred %s %s %s", request.json, y, os.environ["MODEL_VERSION"])
    return {{"y": y.tolist()}}
'''
    files = {"service.py": source, "config.py": "settings = object()\n"}
    assert found_codes(tmp_path, files) == expected


def test_with_open_pickle_in_startup_hook(tmp_path):
    files = {
        "main.py": '''\
import logging
import pickle

from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
state = {}


@app.on_event("startup")
def load():
    with open("model.pkl", "rb") as f:
        state["model"] = pickle.load(f)


@app.post("/predict")
def predict(payload: dict):
    y = state["model"].predict([payload["x"]])
    logger.info("pred", extra={"payload": payload, "y": y, "model_version": "1"})
    return y
'''
    }
    assert found(tmp_path, files) == [("ML505", "main.py", 14)]


def test_constant_load_in_an_imported_model_module(tmp_path):
    files = {
        "api.py": '''\
from flask import Flask, jsonify, request

from model import predict_churn

app = Flask(__name__)


@app.post("/predict")
def predict():
    return jsonify(predict_churn(request.get_json()))
''',
        "model.py": '''\
import joblib

MODEL = joblib.load("churn.joblib")


def predict_churn(payload):
    return MODEL.predict([payload["features"]]).tolist()
''',
    }
    assert found(tmp_path, files) == [("ML501", "api.py", 10), ("ML505", "model.py", 3)]


def test_non_serving_script_that_predicts_is_silent(tmp_path):
    files = {
        "evaluate.py": '''\
import joblib
import pandas as pd

model = joblib.load("model.pkl")
test = pd.read_csv("data/test.csv")
print(model.predict(test.drop(columns="churn")))
''',
        "train.py": '''\
import logging

import joblib
from sklearn.linear_model import LogisticRegression

def request_handler(X, y):
    model = LogisticRegression().fit(X, y)
    joblib.dump(model, "model.pkl")
    return model.predict(X)
''',
    }
    assert found(tmp_path, files) == []


# -- handler detection --------------------------------------------------------------


FLASK_VARIANTS = {
    "route with methods": '''\
from flask import Flask, request

app = Flask(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    return {"y": model.predict([request.json["x"]]).tolist()}
''',
    "blueprint": '''\
from flask import Blueprint, request

bp = Blueprint("api", __name__)


@bp.post("/predict")
def predict():
    return {"y": model.predict([request.json["x"]]).tolist()}
''',
    "add_url_rule": '''\
from flask import Flask, request


def predict():
    return {"y": model.predict([request.json["x"]]).tolist()}


def create_app():
    app = Flask(__name__)
    app.add_url_rule("/predict", view_func=predict, methods=["POST"])
    return app
''',
    "method view": '''\
from flask import Flask, request
from flask.views import MethodView


class PredictAPI(MethodView):
    def post(self):
        return {"y": model.predict([request.json["x"]]).tolist()}
''',
}


@pytest.mark.parametrize("variant", sorted(FLASK_VARIANTS))
def test_flask_handlers(tmp_path, variant):
    source = "import joblib\nmodel = joblib.load(os.environ['M'])\n" + FLASK_VARIANTS[variant]
    assert found_codes(tmp_path, {"app.py": source}, ["ML501"]) == ["ML501"]


STARLETTE_AND_FASTAPI = {
    "add_api_route": '''\
from fastapi import FastAPI

async def predict(payload: dict):
    return {"y": model.predict([payload["x"]]).tolist()}

app = FastAPI()
app.add_api_route("/predict", predict, methods=["POST"])
''',
    "starlette Route": '''\
from starlette.applications import Starlette
from starlette.routing import Route

async def predict(request):
    payload = await request.json()
    return JSONResponse({"y": model.predict([payload["x"]]).tolist()})

app = Starlette(routes=[Route("/predict", predict, methods=["POST"])])
''',
    "api_route": '''\
import fastapi

app = fastapi.FastAPI()

@app.api_route("/predict", methods=["POST"])
async def predict(payload: dict):
    return {"y": model.predict([payload["x"]]).tolist()}
''',
}


@pytest.mark.parametrize("variant", sorted(STARLETTE_AND_FASTAPI))
def test_fastapi_and_starlette_handlers(tmp_path, variant):
    source = "import joblib\nmodel = joblib.load(os.environ['M'])\n" + STARLETTE_AND_FASTAPI[variant]
    assert found_codes(tmp_path, {"app.py": source}, ["ML501"]) == ["ML501"]


def test_django_view_wired_in_urls(tmp_path):
    files = {
        "predictor/views.py": '''\
import json

from django.http import JsonResponse

from .ml import model


def predict(request):
    payload = json.loads(request.body)
    return JsonResponse({"y": model.predict([payload["x"]]).tolist()})


def not_wired(request):
    return JsonResponse({"y": model.predict([[1]]).tolist()})


class PredictView(View):
    def post(self, request):
        return JsonResponse({"y": model.predict([json.loads(request.body)["x"]]).tolist()})
''',
        "predictor/urls.py": '''\
from django.urls import path

from . import views

urlpatterns = [
    path("predict/", views.predict, name="predict"),
    path("v2/predict/", views.PredictView.as_view()),
]
''',
        "predictor/ml.py": "import joblib\nimport os\nmodel = joblib.load(os.environ['MODEL'])\n",
    }
    assert found(tmp_path, files, ["ML501"]) == [("ML501", "predictor/views.py", 10), ("ML501", "predictor/views.py", 19)]


def test_bentoml_services(tmp_path):
    files = {
        "service_v1.py": '''\
import bentoml
from bentoml.io import JSON

runner = bentoml.sklearn.get("churn:latest").to_runner()
svc = bentoml.Service("churn", runners=[runner])


@svc.api(input=JSON(), output=JSON())
async def classify(payload: dict) -> dict:
    result = await runner.predict.async_run([payload["features"]])
    return {"churn": result.tolist()}
''',
        "service_v2.py": '''\
import logging

import bentoml

logger = logging.getLogger("bentoml")


@bentoml.service
class Churn:
    def __init__(self):
        self.model = bentoml.sklearn.load_model("churn:4fh2kxq3kwbz3gxb")

    @bentoml.api
    def classify(self, features: list[float]) -> float:
        churn = self.model.predict([features])[0]
        logger.info("churn", extra={"features": features, "churn": churn, "model_tag": "churn:4fh2kxq3kwbz3gxb"})
        return churn
''',
    }
    assert found(tmp_path, files) == [("ML501", "service_v1.py", 10), ("ML505", "service_v1.py", 4)]


SERVING_CLASSES = {
    "ray serve": '''\
from ray import serve
import torch


@serve.deployment
class Classifier:
    def __init__(self):
        self.net = torch.jit.load(os.environ["MODEL"])

    async def __call__(self, request):
        payload = await request.json()
        with torch.no_grad():
            out = self.net(torch.tensor(payload["x"]))
        return {"y": out.tolist()}
''',
    "kserve": '''\
import kserve
import joblib


class ChurnModel(kserve.Model):
    def load(self):
        self.clf = joblib.load(os.environ["MODEL"])
        self.ready = True

    def predict(self, payload, headers=None):
        return {"predictions": self.clf.predict(payload["instances"]).tolist()}
''',
    "seldon": '''\
import joblib


class ChurnModel:
    def __init__(self):
        self.clf = joblib.load(os.environ["MODEL"])

    def predict(self, X, features_names=None):
        return self.clf.predict_proba(X)
''',
    "mlflow pyfunc": '''\
import mlflow.pyfunc


class Wrapper(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.model = joblib.load(context.artifacts["model"])

    def predict(self, context, model_input):
        return self.model.predict(model_input)
''',
    "grpc servicer": '''\
import churn_pb2
import churn_pb2_grpc


class ChurnServicer(churn_pb2_grpc.ChurnServicer):
    def __init__(self, model):
        self.model = model

    def Predict(self, request, context):
        y = self.model.predict([list(request.features)])
        return churn_pb2.Reply(churn=float(y[0]))
''',
    "torchserve": '''\
import torch
from ts.torch_handler.base_handler import BaseHandler


class Handler(BaseHandler):
    def inference(self, data, *args, **kwargs):
        with torch.no_grad():
            return self.model(data)
''',
}


@pytest.mark.parametrize("variant", sorted(SERVING_CLASSES))
def test_model_serving_framework_classes(tmp_path, variant):
    assert found_codes(tmp_path, {"serve.py": "import os\n" + SERVING_CLASSES[variant]}) == ["ML501"]


FUNCTION_HANDLERS = {
    "lambda": '''\
import json
import joblib

model = joblib.load(os.environ["MODEL"])


def handler(event, context):
    body = json.loads(event["body"])
    return {"statusCode": 200, "body": json.dumps(model.predict([body["x"]]).tolist())}
''',
    "azure functions": '''\
import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    y = model.predict([req.get_json()["x"]])
    return func.HttpResponse(str(y))
''',
    "cloud functions": '''\
import functions_framework


@functions_framework.http
def predict(request):
    return {"y": model.predict([request.get_json()["x"]]).tolist()}
''',
    "sagemaker": '''\
import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(input_data, model):
    return model.predict(input_data)
''',
}


@pytest.mark.parametrize("variant", sorted(FUNCTION_HANDLERS))
def test_cloud_function_handlers(tmp_path, variant):
    assert found_codes(tmp_path, {"handler.py": "import os\n" + FUNCTION_HANDLERS[variant]}, ["ML501"]) == ["ML501"]


def test_configured_serving_decorator(tmp_path):
    service = '''\
import joblib
from platform_sdk.serving import endpoint

model = joblib.load(os.environ["MODEL"])


@endpoint(name="churn")
def churn(payload):
    return model.predict([payload["x"]]).tolist()
'''
    assert found_codes(tmp_path / "plain", {"svc.py": service}, ["ML501"]) == []
    configured = {
        "svc.py": service,
        "pyproject.toml": '[tool.mllint.rules.ML501]\nserving-decorators = ["platform_sdk.serving.endpoint"]\n',
    }
    assert found_codes(tmp_path / "configured", configured, ["ML501"]) == ["ML501"]


def test_configured_decorator_option_must_be_a_list(tmp_path):
    from mllint.engine.config import ConfigError

    files = {"svc.py": "x = 1\n", "pyproject.toml": '[tool.mllint.rules.ML501]\nserving-decorators = "endpoint"\n'}
    with pytest.raises(ConfigError, match="serving-decorators"):
        lint_tree(tmp_path, files, select=ML5)


# -- prediction detection ------------------------------------------------------------


@pytest.mark.parametrize(
    "setup, call",
    [
        ("model = joblib.load(os.environ['M'])", "model.predict_proba(X)"),
        ("model = joblib.load(os.environ['M'])", "model.decision_function(X)"),
        ("pipeline = joblib.load(os.environ['M'])", "pipeline.transform(X)"),
        ("clf = joblib.load(os.environ['M'])", "clf(X)"),
        ("generator = transformers.pipeline('text-generation', model=os.environ['M'])", "generator(X)"),
        ("lm = transformers.AutoModelForCausalLM.from_pretrained(os.environ['M'])", "lm.generate(X)"),
        ("session = onnxruntime.InferenceSession(os.environ['M'])", "session.run(None, {'x': X})"),
    ],
)
def test_prediction_forms(tmp_path, setup, call):
    source = f'''\
import os

import joblib
import onnxruntime
import transformers
from fastapi import FastAPI

app = FastAPI()
{setup}


@app.post("/predict")
def predict(X: list):
    return {{"y": {call}}}
'''
    assert found_codes(tmp_path, {"api.py": source}, ["ML501"]) == ["ML501"]


def test_non_model_calls_are_not_predictions(tmp_path):
    source = '''\
import os

import joblib
from fastapi import FastAPI

app = FastAPI()
scaler = joblib.load(os.environ["SCALER"])


def predict(x):  # a local function named predict is not a model
    return x


@app.post("/scale")
def scale(X: list):
    # model.predict(X) in a comment is not a call
    """model.predict(X) in a docstring is not a call either."""
    return {"x": scaler.transform(X).tolist(), "y": predict(X)}
'''
    assert found_codes(tmp_path, {"api.py": source}, ["ML501"]) == []


# -- log analysis ------------------------------------------------------------------


LOG_FORMS_OK = {
    "positional args": 'logger.info("version=%s input=%s y=%s", MODEL_VERSION, payload, y)',
    "f-string": 'logger.info(f"model_version={MODEL_VERSION} input={payload} y={y}")',
    "percent formatting": 'logger.info("v=%s x=%s y=%s" % (model.metadata.version, payload, y))',
    "dict built before": 'record = {"input": payload}\n    record["model_version"] = MODEL_VERSION\n    record.update(y=y)\n    logger.info(json.dumps(record))',
    "loguru kwargs": 'loguru.logger.bind(model_version=MODEL_VERSION).info("prediction", payload=payload, y=y)',
    "mlflow": 'mlflow.log_dict({"payload": payload, "y": y, "run_id": RUN_ID}, "prediction.json")',
    "store write": 'db.add(PredictionLog(features=payload, churn=y, model_version=MODEL_VERSION))\n    db.commit()',
    "request id": 'logger.info("pred", extra={"request_id": request_id, "y": y, "model_sha": MODEL_SHA})',
}


@pytest.mark.parametrize("form", sorted(LOG_FORMS_OK))
def test_log_forms_that_record_version_and_input(tmp_path, form):
    source = f'''\
import json
import logging
import os

import loguru
import mlflow
from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
MODEL_VERSION = RUN_ID = MODEL_SHA = os.environ["V"]
model = mlflow.pyfunc.load_model(os.environ["MODEL_URI"])


@app.post("/predict")
def predict(payload: dict, request_id: str, db=None):
    y = model.predict([payload["x"]])
    {LOG_FORMS_OK[form]}
    return {{"y": y}}
'''
    assert found(tmp_path, {"api.py": source}) == []


def test_logging_the_prediction_alone_is_not_logging_the_input(tmp_path):
    source = '''\
import logging

import mlflow
from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
model = mlflow.pyfunc.load_model("models:/churn/3")


@app.post("/predict")
def predict(payload: dict):
    y = model.predict([payload["x"]])
    label = int(y[0] > 0.5)
    logger.info("model_version=3 prediction=%s label=%s", y, label)
    return {"y": label}
'''
    assert found_codes(tmp_path, {"api.py": source}) == ["ML503"]


def test_contextvars_bound_request_id_and_version_apply_to_module_logs(tmp_path):
    source = '''\
import uuid

import mlflow
import structlog
from fastapi import FastAPI, Request

log = structlog.get_logger()
app = FastAPI()
model = mlflow.pyfunc.load_model("models:/churn/3")


@app.middleware("http")
async def bind_ids(request: Request, call_next):
    structlog.contextvars.bind_contextvars(request_id=str(uuid.uuid4()), model_uri="models:/churn/3")
    return await call_next(request)


@app.post("/predict")
def predict(payload: dict):
    y = model.predict([payload["x"]])
    log.info("prediction", y=y.tolist())
    return {"y": y.tolist()}
'''
    assert found_codes(tmp_path, {"api.py": source}) == []


# -- ML506 ----------------------------------------------------------------------------


SERVICE = '''\
import logging
import os

import joblib
from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
model = joblib.load(os.environ["MODEL_PATH"])


@app.post("/predict")
def predict(payload: dict):
    y = model.predict([payload["x"]])
    logger.info("pred", extra={"payload": payload, "y": y, "model_version": os.environ["V"]})
    return {"y": y.tolist()}
'''


def test_no_monitoring_when_selected(tmp_path):
    findings = lint_tree(tmp_path, {"api.py": SERVICE}, select=["ML506"])
    assert [(f.code, f.path, f.line, f.severity.value) for f in findings] == [("ML506", "api.py", 13, "info")]


def test_info_rule_is_off_by_default(tmp_path):
    from mllint.testkit import lint_as_configured, write_files

    write_files(tmp_path, {"api.py": SERVICE})
    findings = lint_as_configured(tmp_path)
    assert "ML506" not in codes(findings)


@pytest.mark.parametrize(
    "extra",
    [
        {"metrics.py": "from prometheus_client import Counter\nPREDICTIONS = Counter('p', 'predictions')\n"},
        {"drift.py": "from evidently.report import Report\n"},
        {"requirements.txt": "fastapi==0.110.0\nwhylogs==1.3.0\n"},
        {"instrument.py": "from opentelemetry import trace\n"},
    ],
)
def test_monitoring_silences_ml506(tmp_path, extra):
    assert found(tmp_path, {"api.py": SERVICE, **extra}, ["ML506"]) == []


def test_ml506_needs_a_service_that_predicts(tmp_path):
    health_only = '''\
import numpy as np
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
def health():
    return {"ok": True}
'''
    assert found(tmp_path, {"api.py": health_only}, ["ML506"]) == []


def test_ml506_only_in_ml_projects(tmp_path):
    # No ML import anywhere: the project is not an ML project.
    service = '''\
from fastapi import FastAPI

from engine import model

app = FastAPI()


@app.post("/predict")
def predict(payload: dict):
    return {"y": model.predict(payload["x"])}
'''
    files = {"api.py": service, "engine.py": "class M:\n    def predict(self, x):\n        return x\nmodel = M()\n"}
    assert found(tmp_path, files, ["ML506"]) == []


# -- notebooks, aliases, robustness --------------------------------------------------------


def test_notebook_service_finding_lands_on_its_cell(tmp_path):
    cells = percent_cells('''\
import joblib
from fastapi import FastAPI as API
# %%
app = API()
model = joblib.load(os.environ["M"])
# %%
@app.post("/predict")
def predict(payload: dict):
    return model.predict([payload["x"]]).tolist()
''')
    findings = lint_tree(tmp_path, {"serve.ipynb": notebook_json(cells)}, select=["ML501"])
    assert [(f.code, f.cell, f.line) for f in findings] == [("ML501", 3, 3)]


def test_a_notebook_reports_the_loads_its_handlers_reach_not_those_of_its_other_cells(tmp_path):
    """A notebook's module level is mostly the training around its handlers: a
    model loaded there from a constant path is not served code's (ML505), a
    load in the handler is a per-request load (ML504), whatever else is linted."""
    cells = percent_cells('''\
import joblib
from fastapi import FastAPI
from transformers import AutoModel
# %%
encoder = AutoModel.from_pretrained("bert-base-uncased")
# %%
app = FastAPI()
# %%
@app.post("/predict")
def predict(payload: dict):
    model = joblib.load("model.joblib")
    return {"y": model.predict([payload["x"]]).tolist()}
''')
    files = {"serve.ipynb": notebook_json(cells), "api.py": "import joblib\nmodel = joblib.load('model.pkl')\n"}
    findings = lint_tree(tmp_path, files, select=["ML504", "ML505"])
    assert [(f.path, f.code, f.cell) for f in findings] == [("serve.ipynb", "ML504", 4), ("serve.ipynb", "ML505", 4)]


def test_finding_can_be_suppressed(tmp_path):
    handler = '''
@app.post("/predict")
def predict(customer: Customer):
    return {"churn": float(model.predict([[customer.tenure]])[0])}  # mllint: ignore[ML501]
'''
    findings = lint_tree(tmp_path, fastapi_app(handler), select=ML5)
    assert "ML501" not in codes(findings)


def test_broken_and_odd_modules_do_not_crash(tmp_path):
    files = {
        "broken.py": "from fastapi import FastAPI\napp = FastAPI(\n",
        "empty.py": "",
        "cycle_a.py": "from cycle_b import x\ny = x\n",
        "cycle_b.py": "from cycle_a import y\nx = y\n",
        "recursive.py": '''\
from fastapi import FastAPI
app = FastAPI()


def f(x):
    return g(x)


def g(x):
    return f(x)


class A(A):
    pass


class B(C):
    pass


class C(B):
    pass


@app.post("/p")
def p(payload: dict):
    return f(payload)
''',
    }
    findings = lint_tree(tmp_path, files, select=ML5)
    assert "ML000" not in codes(findings)
    assert [f.path for f in findings if f.code == "ML001"] == ["broken.py"]


# -- the example projects ---------------------------------------------------------------


def test_churn_leaky_example_shows_every_deployment_rule():
    findings = lint_tree(REPO / "examples" / "churn-leaky", select=ML5)
    assert sorted(set(codes(findings))) == ML5


def test_churn_tidy_example_is_clean():
    findings = lint_tree(REPO / "examples" / "churn-tidy", select=ML5)
    assert [f for f in findings if f.code.startswith("ML5")] == []


# -- regressions found on public serving repositories -----------------------------------


def test_annotated_service_object_is_followed_into_its_logging(tmp_path):
    # fastapi-ml-skeleton: the model object comes from app.state, typed by an annotation.
    files = {
        "routes.py": '''\
from fastapi import APIRouter
from starlette.requests import Request

from services import HousePriceModel

router = APIRouter()


@router.post("/predict")
def post_predict(request: Request, block: dict):
    model: HousePriceModel = request.app.state.model
    return model.predict(block)
''',
        "services.py": '''\
import joblib
from loguru import logger


class HousePriceModel:
    def __init__(self, path):
        self.model = joblib.load(path)

    def predict(self, payload):
        prediction = self.model.predict([list(payload.values())])
        logger.info(prediction)
        return prediction
''',
    }
    assert found(tmp_path, files) == [("ML502", "routes.py", 12), ("ML503", "routes.py", 12)]


def test_prediction_method_handed_to_a_batch_mapper(tmp_path):
    # Made-With-ML: ds.map_batches(predictor.predict_proba) inside the Ray Serve handler's helper.
    source = '''\
from fastapi import FastAPI
from ray import serve

app = FastAPI()


def predict_proba(ds, predictor):
    return ds.map_batches(predictor.predict_proba).take_all()


@serve.deployment
@serve.ingress(app)
class Deployment:
    @app.post("/predict/")
    async def _predict(self, request):
        return {"results": predict_proba(await request.json(), self.predictor)}
'''
    assert found(tmp_path, {"serve.py": source}) == [("ML501", "serve.py", 8)]


def test_callbacks_receiving_the_prediction_count_as_logging(tmp_path):
    # mlops-zoomcamp: predictions are published to a stream through callbacks.
    source = '''\
import mlflow


class ModelService:
    def __init__(self, model, model_version=None, callbacks=None):
        self.model = model
        self.model_version = model_version
        self.callbacks = callbacks or []

    def lambda_handler(self, event):
        for record in event["Records"]:
            prediction = float(self.model.predict(record["features"])[0])
            prediction_event = {"version": self.model_version, "prediction": prediction, "ride_id": record["id"]}
            for callback in self.callbacks:
                callback(prediction_event)


service = ModelService(mlflow.pyfunc.load_model("models:/rides/3"))


def lambda_handler(event, context):
    return service.lambda_handler(event)
'''
    assert found(tmp_path, {"lambda_function.py": source}) == []


def test_serialising_a_result_is_not_a_store_write(tmp_path):
    # yolov5's REST API: df.to_json(orient="records") only serialises; a model held in a dict is called.
    source = '''\
import torch
from flask import Flask, request

app = Flask(__name__)
models = {}


@app.route("/v1/detect/<model>", methods=["POST"])
def predict(model):
    results = models[model](request.files["image"].read(), size=640)
    return results.pandas().xyxy[0].to_json(orient="records")


if __name__ == "__main__":
    models["yolov5s"] = torch.hub.load("ultralytics/yolov5", "yolov5s", force_reload=True)
    app.run()
'''
    assert found(tmp_path, {"restapi.py": source}) == [("ML501", "restapi.py", 10), ("ML505", "restapi.py", 15)]


def test_tokenizer_calls_are_preprocessing_and_checkpoint_weights_version_the_hub_model(tmp_path):
    source = '''\
import os

import torch
from transformers import AutoModel, AutoTokenizer
import kserve


class Encoder(kserve.Model):
    def load(self):
        self.tokenizer = AutoTokenizer.from_pretrained(os.environ["MODEL_DIR"])
        base = AutoModel.from_pretrained("bert-base-uncased")
        base.load_state_dict(torch.load(os.environ["WEIGHTS"], weights_only=True))
        self.model = base

    def preprocess(self, payload, headers=None):
        return self.tokenizer(payload["text"], return_tensors="pt")
'''
    assert found(tmp_path, {"model.py": source}) == []


def test_constant_path_through_a_constructor_parameter(tmp_path):
    # fastAPI-ML-quickstart: Model(Path(__file__).parent / "model.joblib") loads in __init__ -> load().
    files = {
        "api/main.py": '''\
from fastapi import Depends, FastAPI

from .ml.model import Model, get_model

app = FastAPI()


@app.post("/predict")
def predict(data: list, model: Model = Depends(get_model)):
    return {"y": model.predict(data).tolist()}
''',
        "api/ml/model.py": '''\
from pathlib import Path

import joblib


class Model:
    def __init__(self, model_path):
        self._model_path = model_path
        self.load()

    def predict(self, X):
        return self._model.predict(X)

    def load(self):
        self._model = joblib.load(self._model_path)


model = Model(Path(__file__).parent / "model.joblib")


def get_model():
    return model
''',
    }
    assert found(tmp_path, files) == [("ML501", "api/main.py", 10), ("ML505", "api/ml/model.py", 15)]


def test_platform_payload_logger_covers_kserve_models(tmp_path):
    model = '''\
import os

import joblib
import kserve


class Churn(kserve.Model):
    def load(self):
        self.clf = joblib.load(os.environ["MODEL"])

    def predict(self, payload, headers=None):
        return {"predictions": self.clf.predict(payload["instances"]).tolist()}
'''
    manifest = '''\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: churn
spec:
  predictor:
    logger:
      mode: all
      url: http://payload-logger.default/
    containers:
      - image: churn:1.4.0
'''
    assert found_codes(tmp_path / "bare", {"model.py": model}) == ["ML501"]
    assert found_codes(tmp_path / "logged", {"model.py": model, "deploy/isvc.yaml": manifest}) == []


# -- loads through project helpers: reported where the path is passed ----------------

LOAD_HELPER = '''\
import pickle


def load_model(path):
    with open(path, "rb") as f:
        return pickle.load(f)
'''

FLASK_PREDICT = '''\
import logging

from flask import Flask, request

from {module} import load_model

logger = logging.getLogger(__name__)
app = Flask(__name__)
{setup}

@app.route("/predict", methods=["POST"])
def predict():
{body}    y = model.predict([request.json["x"]]).tolist()
    logger.info("pred", extra={{"x": request.json, "y": y, "model_version": "7"}})
    return {{"y": y}}
'''


def flask_service(module: str, setup: str = "", body: str = "") -> str:
    return FLASK_PREDICT.format(module=module, setup=setup, body=body)


@pytest.mark.parametrize(("files", "expected"), [
    # module level: the constant path is passed at the call
    ({"src/__init__.py": "", "src/utils.py": LOAD_HELPER,
      "src/api.py": flask_service("src.utils", setup='model = load_model("models/model.pkl")\n')},
     [("ML505", "src/api.py", 9)]),
    # per request, through a sibling module
    ({"utils.py": LOAD_HELPER, "api.py": flask_service("utils", body='    model = load_model("model.pkl")\n')},
     [("ML504", "api.py", 13), ("ML505", "api.py", 13)]),
    # per request with a configured path: only ML504, still at the call
    ({"utils.py": LOAD_HELPER, "api.py": flask_service("utils", body='    model = load_model(CONFIG["path"])\n')},
     [("ML504", "api.py", 13)]),
    # the helper picks the file itself: reported in the helper, where the constant is
    ({"utils.py": "import joblib\n\n\ndef load_model():\n    return joblib.load('model.joblib')\n",
      "api.py": flask_service("utils", setup="model = load_model()\n")},
     [("ML505", "utils.py", 5)]),
])
def test_a_helper_wrapping_a_load_is_reported_at_the_call_that_passes_the_path(tmp_path, files, expected):
    assert found(tmp_path, files) == expected


@pytest.mark.parametrize("setup", [
    'model = load_model("models/churn/v3/model.pkl")\n',
    'model = load_model(os.environ["MODEL_PATH"])\n',
    'model = load_model("models/model-1.2.0.pkl")\n',
])
def test_a_helper_load_of_a_versioned_or_configured_path_is_silent(tmp_path, setup):
    files = {"src/utils.py": LOAD_HELPER, "src/api.py": "import os\n" + flask_service("src.utils", setup=setup)}
    assert found(tmp_path, files) == []


# -- TFLite and TF Serving ------------------------------------------------------------

TFLITE_SERVICE = '''\
import logging

import tensorflow as tf
from fastapi import FastAPI

logger = logging.getLogger(__name__)
app = FastAPI()
{setup}

@app.post("/predict")
def predict(features: list):
{body}    interpreter.set_tensor(0, [features])
    interpreter.invoke()
    y = interpreter.get_tensor(1).tolist()
{log}    return {{"y": y}}
'''


@pytest.mark.parametrize(("setup", "body", "log", "expected"), [
    ('interpreter = tf.lite.Interpreter(model_path="model.tflite")\ninterpreter.allocate_tensors()\n', "", "",
     [("ML501", "api.py", 15), ("ML505", "api.py", 8)]),
    ("", '    interpreter = tf.lite.Interpreter(model_path=MODEL_PATH)\n', "",
     [("ML501", "api.py", 14), ("ML504", "api.py", 12)]),
    ('interpreter = tf.lite.Interpreter(model_path="models/v4/model.tflite")\n', "",
     '    logger.info("pred", extra={"features": features, "y": y, "model_version": "4"})\n', []),
])
def test_a_tflite_interpreter_is_a_model_load_and_invoke_a_prediction(tmp_path, setup, body, log, expected):
    files = {"api.py": TFLITE_SERVICE.format(setup=setup, body=body, log=log)}
    assert found(tmp_path, files) == expected


TF_SERVING_CLIENT = '''\
import logging

import grpc
import tensorflow as tf
from fastapi import FastAPI
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

logger = logging.getLogger(__name__)
app = FastAPI()
stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel("serving:8500"))


@app.post("/predict")
def predict(features: list):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "churn"
    request.inputs["features"].CopyFrom(tf.make_tensor_proto([features]))
    response = stub.Predict(request, 10.0)
{log}    return {{"y": list(response.outputs["y"].float_val)}}
'''


@pytest.mark.parametrize(("log", "expected"), [
    ("", [("ML501", "api.py", 18)]),
    ('    logger.info("pred", extra={"features": features, "model_version": request.model_spec.version})\n', []),
])
def test_a_tf_serving_predict_call_is_a_served_prediction(tmp_path, log, expected):
    assert found(tmp_path, {"api.py": TF_SERVING_CLIENT.format(log=log)}) == expected


# -- what is not a model load, not a prediction, not a version ------------------------


def test_a_pickle_named_as_another_artifact_is_not_a_model_load(tmp_path):
    setup = ('stop = pickle.load(open("pkl/stopwords.pkl", "rb"))\n'
             'encoder = joblib.load("label_encoder.joblib")\n'
             'model = pickle.load(open("pkl/classifier.pkl", "rb"))\n')
    files = {"api.py": "import joblib\nimport pickle\n" + flask_service("utils", setup=setup), "utils.py": LOAD_HELPER}
    assert found(tmp_path, files) == [("ML505", "api.py", 13)]


@pytest.mark.parametrize(("path", "expected"), [
    ("models/model_C=1.0.bin", ["ML505"]),
    ("models/rf_depth-10.pkl", ["ML505"]),
    ("models/model-1.2.0.pkl", []),
])
def test_a_hyperparameter_in_the_file_name_is_not_a_version(tmp_path, path, expected):
    files = {"api.py": "import joblib\n" + flask_service("utils", setup=f'model = joblib.load("{path}")\n'), "utils.py": LOAD_HELPER}
    assert found_codes(tmp_path, files) == expected


MODEL_ADMIN = '''\
from fastapi import Depends, FastAPI

from app.deps import get_client, get_service
from app.service import ModelService

app = FastAPI()


@app.get("/models/current")
def current(service: ModelService = Depends(get_service)):
    return service.current_model()


@app.post("/models/{model_id}/activate")
def activate(model_id: int, service: ModelService = Depends(get_service)):
    return service.activate_model(model_id)


@app.get("/models")
def listing(client=Depends(get_client)):
    return client.list_models()
'''


def test_model_management_endpoints_do_not_serve_predictions(tmp_path):
    files = {
        "app/api.py": MODEL_ADMIN,
        "app/deps.py": "from app.service import ModelService\n\n\ndef get_service():\n    return ModelService()\n",
        "app/service.py": (
            "class ModelService:\n    def current_model(self):\n        return {'name': 'churn'}\n\n"
            "    def activate_model(self, model_id):\n        return {'id': model_id}\n"
        ),
    }
    assert found(tmp_path, files, select=ML5) == []


def test_a_model_attribute_called_on_an_input_is_still_a_prediction(tmp_path):
    source = '''\
from fastapi import FastAPI

app = FastAPI()


class Service:
    def __init__(self, sentiment_model):
        self.sentiment_model = sentiment_model

    def score(self, text):
        return self.sentiment_model(text)


service = Service(None)


@app.post("/score")
def score(text: str):
    return service.sentiment_model(text)
'''
    assert found(tmp_path, {"api.py": source}) == [("ML501", "api.py", 19)]


def test_a_tflite_interpreter_held_by_a_service_object(tmp_path):
    source = '''\
import numpy as np
import tflite_runtime.interpreter as tflite
from flask import Flask, request

app = Flask(__name__)


class Classifier:
    def __init__(self):
        self.interpreter = tflite.Interpreter(model_path="model.tflite")
        self.interpreter.allocate_tensors()

    def classify(self, pixels):
        self.interpreter.set_tensor(0, np.asarray([pixels]))
        self.interpreter.invoke()
        return self.interpreter.get_tensor(1)


classifier = Classifier()


@app.route("/classify", methods=["POST"])
def classify():
    return {"y": classifier.classify(request.json["pixels"]).tolist()}
'''
    assert found(tmp_path, {"api.py": source}) == [("ML501", "api.py", 15), ("ML505", "api.py", 10)]


def test_a_prediction_on_data_the_handler_makes_itself_is_an_evaluation_not_served(tmp_path):
    source = '''\
from fastapi import FastAPI

from model import model, holdout

app = FastAPI()


@app.get("/evaluation/report")
def report(threshold: float = 0.5):
    X, y = holdout(seed=123)
    scores = model.predict_proba(X)[:, 1]
    return {"accuracy": float(((scores > threshold) == y).mean())}


@app.post("/predict")
def predict(features: list):
    return {"y": float(model.predict_proba([features])[0, 1])}
'''
    files = {"api.py": source, "model.py": "import os\nimport joblib\nmodel = joblib.load(os.environ['MODEL'])\n"
             "def holdout(seed):\n    return make_data(seed)\n"}
    assert found(tmp_path, files) == [("ML501", "api.py", 17)]


# -- the repository of a serving framework ------------------------------------------------

MLSERVER_RUNTIME = '''\
from mlserver import MLModel


class CatboostModel(MLModel):
    async def load(self):
        self._model = load_catboost(self.settings.parameters.uri)

    async def predict(self, payload):
        return to_response(self._model.predict(decode(payload)))
'''


@pytest.mark.parametrize(
    ("path", "reported"),
    [
        # the framework's own runtimes and their tests serve whatever model a user deploys
        ("runtimes/catboost/mlserver_catboost/catboost.py", False),
        ("runtimes/catboost/tests_catboost/helpers/model.py", False),
        # its documentation shows serving as users do it
        ("docs/examples/catboost/serve-model.py", True),
    ],
)
def test_the_framework_repository_serves_no_model_itself(tmp_path, path, reported):
    files = {"mlserver/__init__.py": "from .model import MLModel\n", "mlserver/model.py": "class MLModel:\n    pass\n",
             "runtimes/catboost/mlserver_catboost/__init__.py": "", "runtimes/catboost/tests_catboost/__init__.py": "",
             "runtimes/catboost/tests_catboost/helpers/__init__.py": "", path: MLSERVER_RUNTIME}
    assert bool([f for f in found(tmp_path, files, ["ML501"]) if f[1] == path]) is reported


def test_a_framework_installed_not_defined_marks_handlers(tmp_path):
    files = {"service/__init__.py": "", "service/model.py": MLSERVER_RUNTIME}
    assert found(tmp_path, files, ["ML501"]) == [("ML501", "service/model.py", 9)]
