"""Training, and the shared pretrained model every notebook uses.

``train`` is the plain loop from notebook 04 with the conveniences added
(progress bar, validation, learning-rate schedule, determinism).
``pretrained`` loads the course's trained autoencoder from a verified cache, or
trains and saves it on first use.
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from . import data
from .cache import load_or_train
from .models import HIDDEN, Autoencoder, ConvAutoencoder
from .settings import cache_dir, course_seed, is_quick, seed_everything

ARCH_VERSION = 1
#: How the shared model is trained. Full mode: all 60,000 training images.
RECIPES = {
    "full": {"epochs": 24, "batch_size": 256, "lr": 5e-3, "n_train": 60000},
    "quick": {"epochs": 4, "batch_size": 256, "lr": 5e-3, "n_train": 8000},
}
#: The convolutional autoencoder of notebook 08 (``pretrained(..., arch="conv")``).
CONV = {"arch": "conv", "arch_version": 1, "channels": [32, 64], "upsampling": "transposed"}
CONV_RECIPES = {
    "full": {"epochs": 10, "batch_size": 256, "lr": 5e-3, "n_train": 60000},
    "quick": {"epochs": 2, "batch_size": 256, "lr": 5e-3, "n_train": 4000},
}
ARCHS = ("mlp", "conv")
TORCH_LOSSES = {"mse": F.mse_loss, "bce": F.binary_cross_entropy}


@contextmanager
def _deterministic():
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


@torch.no_grad()
def evaluate(model, x, loss="mse", batch_size=2000) -> float:
    """Mean loss of ``model`` on images ``x`` (averaged over every pixel)."""
    loss_fn = TORCH_LOSSES[loss]
    was_training = model.training
    model.eval()
    total = sum(loss_fn(model(xb), xb, reduction="sum").item() for xb in x.split(batch_size))
    model.train(was_training)
    return total / x.numel()


def train(model, x_train, x_val=None, *, epochs=10, batch_size=256, lr=5e-3, loss="mse",
          seed=0, corrupt=None, progress=True, desc="training"):
    """Train ``model`` to reconstruct ``x_train``; return the per-epoch history.

    ``loss`` is "mse" or "bce". ``corrupt(xb)`` (optional) changes the input batch
    while the target stays clean (a denoising autoencoder). The learning rate rises then
    falls within the run (one-cycle schedule), which reaches a good model in few epochs.
    ``seed`` fixes the batch order; seed before building the model to fix its initial
    weights too. Same seeds on the same machine -> identical weights.
    Returns ``{"train": [...], "val": [...], "seconds": s}`` (mean loss per pixel).
    """
    if loss not in TORCH_LOSSES:
        raise ValueError(f'loss must be "mse" or "bce", got {loss!r}')
    loss_fn = TORCH_LOSSES[loss]
    generator = seed_everything(seed)
    n = len(x_train)
    steps_per_epoch = (n + batch_size - 1) // batch_size
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch)
    history = {"train": [], "val": [], "seconds": 0.0}
    start = time.perf_counter()
    with _deterministic(), torch.enable_grad():  # trains even when the caller switched gradients off
        bar = tqdm(range(epochs), desc=desc, unit="epoch", disable=not progress)
        for _ in bar:
            model.train()
            order = torch.randperm(n, generator=generator)
            running = 0.0
            for i in range(0, n, batch_size):
                target = x_train[order[i:i + batch_size]]
                inputs = corrupt(target) if corrupt else target
                batch_loss = loss_fn(model(inputs), target)   # how far is x' from x?
                optimizer.zero_grad()
                batch_loss.backward()                         # which way should each weight move?
                optimizer.step()                              # move it a little
                schedule.step()
                running += batch_loss.item() * len(target)
            history["train"].append(running / n)
            if x_val is not None:
                history["val"].append(evaluate(model, x_val, loss))
            bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in history.items() if isinstance(v, list) and v})
    history["seconds"] = time.perf_counter() - start
    model.eval()
    return history


def pretrained_config(latent_dim=2, loss="mse", seed=None, quick=None, arch="mlp") -> dict:
    """The exact configuration that identifies a cached shared model.

    ``seed=None`` means the course's seed (``AE_SEED``, default 0).

    The MLP's configuration has no "arch" entry (it predates the others), so its
    checkpoint names stay what they always were; every other architecture names itself.
    """
    if arch not in ARCHS:
        raise ValueError(f"arch must be one of {', '.join(map(repr, ARCHS))}, got {arch!r}")
    mode = "quick" if (is_quick() if quick is None else quick) else "full"
    seed = course_seed() if seed is None else seed
    if arch == "conv":
        return {**CONV, "latent_dim": int(latent_dim), "loss": loss, "seed": int(seed), "mode": mode,
                **CONV_RECIPES[mode]}
    return {"arch_version": ARCH_VERSION, "latent_dim": int(latent_dim), "hidden": list(HIDDEN),
            "linear": False, "loss": loss, "seed": int(seed), "mode": mode, **RECIPES[mode]}


def checkpoint_path(config: dict):
    key = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:10]
    prefix = "ae" if config.get("arch", "mlp") == "mlp" else f"{config['arch']}ae"
    return cache_dir() / f"{prefix}_{config['latent_dim']}d_{config['loss']}_{config['mode']}_{key}.safetensors"


def build_model(config: dict):
    """The untrained model a configuration describes."""
    if config.get("arch", "mlp") == "conv":
        return ConvAutoencoder(config["latent_dim"], config["channels"], config["upsampling"])
    return Autoencoder(config["latent_dim"])


def pretrained(latent_dim=2, *, loss="mse", seed=None, quick=None, progress=True, retrain=False, arch="mlp"):
    """The course's shared trained ``Autoencoder`` (in eval mode).

    ``seed=None`` means the course's seed (``AE_SEED``, default 0); the seed is part of the
    checkpoint's key. ``arch="conv"`` gives the ``ConvAutoencoder`` of notebook 08 instead (its own checkpoints).

    Loaded from the checkpoint cache when a valid file for exactly this configuration
    exists; otherwise trained (progress bar) and saved. A damaged or mismatched file is
    replaced with a warning. ``model.history`` holds the training history and the test loss.
    Safe to call from several processes at once, and from a read-only shared cache (a class
    on one hub): see :mod:`ae_helpers.cache`.
    """
    config = pretrained_config(latent_dim, loss, seed, quick, arch)
    seed = config["seed"]
    seed_everything(seed)  # the initial weights depend on the seed too
    model = build_model(config)

    def fit():
        x_train, _ = data.load("train", config["n_train"])
        x_test, _ = data.load("test")
        kind = "" if arch == "mlp" else f"{arch} "
        history = train(model, x_train, epochs=config["epochs"], batch_size=config["batch_size"],
                        lr=config["lr"], loss=loss, seed=seed, progress=progress,
                        desc=f"training the {latent_dim}D {kind}autoencoder ({config['mode']} mode)")
        history["test"] = evaluate(model, x_test, loss)
        history["test_mse"] = evaluate(model, x_test, "mse")
        return history

    model.history = load_or_train(model, config, checkpoint_path(config).name, fit, retrain=retrain)
    return model.eval()
