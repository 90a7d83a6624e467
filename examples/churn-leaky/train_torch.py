"""A small neural network for churn, trained with PyTorch. Run: python train_torch.py"""

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def evaluate(model, loader):
    correct = 0
    for xb, yb in loader:
        logits = model.forward(xb)
        correct += ((logits.squeeze(1) > 0) == yb.bool()).sum().item()
    return correct / len(loader.dataset)


def main():
    df = pd.read_csv("data/churn.csv")
    X = torch.tensor(df[["tenure", "monthly_charges"]].values, dtype=torch.float32)
    y = torch.tensor(df["churned"].values, dtype=torch.float32)
    train_set, val_set = random_split(TensorDataset(X, y), [0.8, 0.2])
    loader = DataLoader(train_set, batch_size=32, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=256)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(10):
        total_loss = 0.0
        for xb, yb in loader:
            loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
            total_loss += loss
        print(f"epoch {epoch}: loss {total_loss.item() / len(loader):.4f}, accuracy {evaluate(model, val_loader):.3f}")


if __name__ == "__main__":
    main()
