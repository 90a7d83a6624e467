"""A small neural network for churn, trained with PyTorch. Run: python train_torch.py"""

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    df = pd.read_csv("data/churn.csv")
    X = torch.tensor(df.drop(columns=["churned"]).values, dtype=torch.float32)
    y = torch.tensor(df["churned"].values, dtype=torch.float32)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
