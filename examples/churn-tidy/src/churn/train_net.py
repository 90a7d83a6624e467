"""A small neural network for churn, trained with PyTorch and recorded with MLflow.
Run: python -m churn.train_net --seed 42"""

import argparse

import mlflow
import mlflow.pytorch
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

from churn.utils import set_seed


def evaluate(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += ((model(xb).squeeze(1) > 0) == yb.bool()).sum().item()
    return correct / len(loader.dataset)


def train(data_path: str, epochs: int, batch_size: int, lr: float, seed: int) -> nn.Module:
    set_seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    df = pd.read_csv(data_path)
    X = torch.tensor(df[["tenure", "monthly_charges"]].values, dtype=torch.float32)
    y = torch.tensor(df["churned"].values, dtype=torch.float32)
    train_set, val_set = random_split(TensorDataset(X, y), [0.8, 0.2])
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=batch_size)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    with mlflow.start_run():
        mlflow.log_params({"epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed})
        for epoch in range(epochs):
            model.train()
            total_loss = 0.0
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = nn.functional.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb)
                loss.backward()
                optimizer.step()
                total_loss += loss.item()
            mlflow.log_metric("train_loss", total_loss / len(loader), step=epoch)
            mlflow.log_metric("val_accuracy", evaluate(model, val_loader), step=epoch)
        mlflow.pytorch.log_model(model, "net", registered_model_name="churn-net")
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/churn.csv")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    train(args.data, args.epochs, args.batch_size, args.lr, args.seed)


if __name__ == "__main__":
    main()
