"""Shared helpers."""

import random

import numpy as np


def set_seed(seed: int) -> None:
    """Seed every random generator the project uses, so runs repeat exactly."""
    random.seed(seed)
    np.random.seed(seed)
