"""Churn prediction service.

The model is a registered MLflow version chosen by configuration and loaded once
at startup; every prediction is logged with the model URI, the request id and the
input features (see churn.monitoring).
"""

import os
import uuid

import mlflow.pyfunc
import pandas as pd
from flask import Flask, jsonify, request

from churn.monitoring import log_prediction

MODEL_URI = os.environ.get("CHURN_MODEL_URI", "models:/churn/1")

app = Flask(__name__)
model = mlflow.pyfunc.load_model(MODEL_URI)


@app.get("/health")
def health():
    return {"status": "ok", "model_uri": MODEL_URI}


@app.post("/predict")
def predict():
    request_id = request.headers.get("X-Request-ID", str(uuid.uuid4()))
    features = pd.DataFrame([request.get_json()["features"]])
    churn = float(model.predict(features)[0])
    log_prediction(request_id, MODEL_URI, features, churn)
    return jsonify({"churn": churn, "request_id": request_id})
