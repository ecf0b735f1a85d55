"""Shared fixtures. Tests that need Fashion-MNIST use the real data (``make test`` and
CI make sure it is there) and fail, not skip, when it is missing."""

import importlib.util
import shutil
from pathlib import Path

import pytest
import torch

from ae_helpers import data

SLIDES = Path(__file__).resolve().parents[1] / "slides"


@pytest.fixture(scope="session")
def real_data():
    """A few thousand real training images and 1,000 held-out test images."""
    x_train, y_train = data.load("train", 3000)
    x_test, y_test = data.load("test", 1000)
    return x_train, y_train, x_test, y_test


#: One epoch on 512 images: enough to test caching, not to learn much.
TINY_RECIPE = {"epochs": 1, "batch_size": 256, "lr": 5e-3, "n_train": 512}


def tiny_config(latent_dim=2, arch="mlp", **changes):
    """A small ``ModelConfig`` for tests (quick mode; the conv model with 4 and 8 channels, 256 images)."""
    from ae_helpers.course_models import ModelConfig

    config = ModelConfig(latent_dim=latent_dim, arch=arch, mode="quick", **TINY_RECIPE)
    if arch == "conv":
        config = config.with_recipe(channels=(4, 8), n_train=256)
    return config.with_recipe(**changes)


@pytest.fixture
def tiny_cache(monkeypatch, tmp_path):
    """A temporary, empty model cache (``AE_CACHE_DIR``), quick mode; pass ``config=tiny_config()`` to pretrained."""
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AE_QUICK", "1")
    return tmp_path / "cache"


@pytest.fixture
def tiny_course(tiny_cache, monkeypatch):
    """For code that asks for the course's models by name (the CLI's ``train --all``): the
    course's quick recipes shrunk to :data:`TINY_RECIPE`. Tests that call ``pretrained`` pass a config instead."""
    from ae_helpers import course_models

    monkeypatch.setitem(course_models.RECIPES, ("mlp", "quick"), TINY_RECIPE)
    monkeypatch.setitem(course_models.RECIPES, ("conv", "quick"), {**TINY_RECIPE, "n_train": 256})
    monkeypatch.setitem(course_models.RECIPES, ("vae", "quick"), TINY_RECIPE)
    return tiny_cache


def weights(model) -> dict:
    return {k: v.clone() for k, v in model.state_dict().items()}


def same_weights(a, b) -> bool:
    wa, wb = weights(a), weights(b)
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


def load_slides_build():
    """slides/build.py (the deck's build script, run by ``make slides``) as a module."""
    path = SLIDES / "build.py"
    assert path.is_file(), f"{path} (the deck's build script, run by `make slides`) is missing"
    spec = importlib.util.spec_from_file_location("slides_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def deck_buildable() -> bool:
    """Whether the deck can be built here: npm can fetch reveal.js and MathJax, or slides/node_modules has them."""
    return shutil.which("npm") is not None or (SLIDES / "node_modules").is_dir()


@pytest.fixture(scope="session")
def quick_deck(tmp_path_factory):
    """The deck and the explorer page beside it, built ONCE per test run (quick mode) into a temporary
    folder; returns index.html. tests/test_slides.py and the browser tests share it."""
    build = load_slides_build()
    if not deck_buildable():
        pytest.fail(build.NPM_MISSING, pytrace=False)
    return build.build(tmp_path_factory.mktemp("deck"), quick=True, quiet=True)
