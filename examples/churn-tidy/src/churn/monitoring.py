"""Prediction logging and service metrics for the churn service."""

import json
import logging

import pandas as pd
from prometheus_client import Counter, Histogram

logger = logging.getLogger("churn.predictions")

PREDICTIONS = Counter("churn_predictions_total", "Predictions served", ["model_uri"])
CHURN_SCORE = Histogram("churn_score", "Predicted churn probability", buckets=[i / 10 for i in range(11)])


def log_prediction(request_id: str, model_uri: str, features: pd.DataFrame, churn: float) -> None:
    """One structured line per prediction: enough to audit it, replay it and watch for drift."""
    PREDICTIONS.labels(model_uri=model_uri).inc()
    CHURN_SCORE.observe(churn)
    record = {
        "request_id": request_id,
        "model_uri": model_uri,
        "features": features.to_dict(orient="records")[0],
        "churn": churn,
    }
    logger.info(json.dumps(record))
