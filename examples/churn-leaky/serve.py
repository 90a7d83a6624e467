"""A small prediction service for the churn model."""

import pickle

from flask import Flask, jsonify, request

app = Flask(__name__)

with open("model.pkl", "rb") as f:
    model = pickle.load(f)


@app.route("/predict", methods=["POST"])
def predict():
    features = request.get_json()["features"]
    prediction = model.predict([features])[0]
    return jsonify({"churn": int(prediction)})
