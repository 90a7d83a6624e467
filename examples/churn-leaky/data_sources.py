"""Where the churn data comes from. Run: python data_sources.py"""

import pandas as pd

RAW_EXPORT = "/home/alice/exports/churn_2023.csv"
PUBLIC_MIRROR = "https://example.com/datasets/telco-churn.csv"


def load_raw() -> pd.DataFrame:
    return pd.read_csv(RAW_EXPORT)


def load_public() -> pd.DataFrame:
    return pd.read_csv(PUBLIC_MIRROR)


if __name__ == "__main__":
    print(load_public().head())
