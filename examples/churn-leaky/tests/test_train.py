from train import load_data


def test_load_data(tmp_path):
    path = tmp_path / "churn.csv"
    path.write_text("tenure,churned\n1,0\n2,1\n")
    load_data(path)
