"""Version 2 of the churn service: more endpoints, same habits (ML501-ML506)."""

import logging

import joblib
from flask import Flask, jsonify, request

logger = logging.getLogger(__name__)
app = Flask(__name__)
model = joblib.load("model.joblib")  # ML505: which model is this? no version, no registry


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/v1/predict")
def predict_v1():
    features = request.get_json()["features"]
    return jsonify({"churn": int(model.predict([features])[0])})  # ML501: never logged


@app.post("/v2/predict")
def predict_v2():
    features = request.get_json()["features"]
    churn = int(model.predict([features])[0])
    logger.info("churn prediction for %s: %s", features, churn)  # ML502: which model?
    return jsonify({"churn": churn})


@app.post("/v3/predict")
def predict_v3():
    churn = int(model.predict([request.get_json()["features"]])[0])
    logger.info("churn=%s", churn, extra={"model_version": "3"})  # ML503: for which input?
    return jsonify({"churn": churn})


@app.post("/batch")
def predict_batch():
    batch_model = joblib.load("model.joblib")  # ML504: loaded on every request
    rows = request.get_json()["rows"]
    churn = batch_model.predict(rows).tolist()
    logger.info("batch", extra={"model_version": "v3", "rows": rows, "churn": churn})
    return jsonify({"churn": churn})
