"""A quick baseline to compare the forest against. Run: python baseline.py"""

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score


def main():
    df = pd.read_csv("data/churn.csv")
    X = df[["tenure", "monthly_charges"]]
    y = df["churned"]
    baseline = LogisticRegression(C=0.5, max_iter=1000)
    baseline.fit(X, y)
    print("baseline accuracy", accuracy_score(y, baseline.predict(X)))
    joblib.dump(baseline, "baseline.joblib")


if __name__ == "__main__":
    main()
