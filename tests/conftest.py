"""Shared fixtures. Tests that need Fashion-MNIST use the real data (``make test`` and
CI make sure it is there) and fail, not skip, when it is missing."""

import pytest
import torch

from ae_helpers import data


@pytest.fixture(scope="session")
def real_data():
    """A few thousand real training images and 1,000 held-out test images."""
    x_train, y_train = data.load("train", 3000)
    x_test, y_test = data.load("test", 1000)
    return x_train, y_train, x_test, y_test


@pytest.fixture
def tiny_recipe(monkeypatch, tmp_path):
    """Make ``pretrained()`` train a tiny model into a temporary cache."""
    from ae_helpers import training

    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AE_QUICK", "1")
    monkeypatch.setitem(training.RECIPES, "quick", {"epochs": 1, "batch_size": 256, "lr": 5e-3, "n_train": 512})
    return tmp_path / "cache"


def weights(model) -> dict:
    return {k: v.clone() for k, v in model.state_dict().items()}


def same_weights(a, b) -> bool:
    wa, wb = weights(a), weights(b)
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)
