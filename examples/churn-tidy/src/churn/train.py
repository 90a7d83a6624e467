"""Train the churn model and record it with MLflow. Run: python -m churn.train --seed 42"""

import argparse

import mlflow
import mlflow.sklearn
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from churn.utils import set_seed


def train(data_path: str, n_estimators: int, seed: int) -> RandomForestClassifier:
    set_seed(seed)
    df = pd.read_csv(data_path)
    X = df.drop(columns=["churned"])
    y = df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=seed)
    model = RandomForestClassifier(n_estimators=n_estimators, random_state=seed)
    with mlflow.start_run():
        mlflow.log_params({"n_estimators": n_estimators, "seed": seed})
        model.fit(X_train, y_train)
        mlflow.log_metric("test_accuracy", model.score(X_test, y_test))
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--n-estimators", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    train(args.data, args.n_estimators, args.seed)


if __name__ == "__main__":
    main()
