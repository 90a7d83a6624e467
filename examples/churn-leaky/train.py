"""Train the churn model. Run: python train.py"""

import pickle

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split


def load_data(path):
    df = pd.read_csv(path)
    df["tenure_noise"] = df["tenure"] + np.random.normal(0, 0.1, len(df))
    return df


def main():
    df = load_data("data/churn.csv")
    X = df.drop(columns=["churned"])
    y = df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    model = RandomForestClassifier(n_estimators=200)
    model.fit(X_train, y_train)
    print("accuracy", model.score(X_test, y_test))
    with open("model.pkl", "wb") as f:
        pickle.dump(model, f)


if __name__ == "__main__":
    main()
