import pandas as pd

from churn.train import train


def test_train_learns_a_separable_problem(tmp_path):
    path = tmp_path / "churn.csv"
    pd.DataFrame({"tenure": [1, 2, 30, 40] * 5, "churned": [1, 1, 0, 0] * 5}).to_csv(path, index=False)
    model = train(str(path), n_estimators=5, seed=0)
    assert list(model.predict(pd.DataFrame({"tenure": [1, 40]}))) == [1, 0]
