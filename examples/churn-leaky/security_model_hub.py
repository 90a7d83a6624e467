"""Fetch a pretrained text encoder and reference data for churn-reason tagging (ML601-ML604)."""

import pandas as pd
import torch
from sqlalchemy import create_engine
from transformers import AutoModel, AutoTokenizer

WAREHOUSE_URL = "postgresql://analyst:Tr0ub4dor3x@warehouse.example-bank.com/churn"  # ML602
REASONS_URL = "http://data.example-bank.com/churn/reasons.csv"  # ML604: plain HTTP


def load_encoder():
    name = "example-bank/churn-reason-encoder"
    tokenizer = AutoTokenizer.from_pretrained(name)
    model = AutoModel.from_pretrained(name, trust_remote_code=True)  # ML603: revision not pinned
    return tokenizer, model


def load_reason_head(path):
    return torch.load(path)  # ML601: weights_only not set


def load_reasons():
    return pd.read_csv(REASONS_URL)


def load_customers():
    return pd.read_sql("select * from customers", create_engine(WAREHOUSE_URL))
