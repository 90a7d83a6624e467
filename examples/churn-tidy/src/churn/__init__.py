"""Churn prediction: data preparation, training and serving."""
