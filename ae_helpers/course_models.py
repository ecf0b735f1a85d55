"""The course's shared trained models: one :class:`ModelConfig` describes each, ``pretrained`` loads or trains it,
:data:`COURSE_MODELS` lists them and :func:`check_report` says which a cache holds.

``pretrained(latent_dim, arch=..., seed=...)`` is what the notebooks call: the course's model for those
arguments (``ModelConfig.course``), loaded from a verified cache or trained once and saved
(:mod:`ae_helpers.cache`). Tests and experiments pass their own small ``config=ModelConfig(...)``.
``pretrained(2, arch="vae")`` is notebook 06's variational autoencoder (:class:`~ae_helpers.models.VAE`).

A checkpoint's name ends in the sha256 of ``config.key()``, a JSON dict whose format is frozen (the MLP's
has no "arch" entry and says ``"linear": false``), so every cache ever filled stays valid. Nothing here
touches the global random generators (see :mod:`ae_helpers.training`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from . import data
from .cache import load_or_train, write_risk
from .checkpoint import CheckpointError, read_checkpoint
from .losses import mse, vae_loss
from .models import CHANNELS, HIDDEN, VAE, Autoencoder, ConvAutoencoder
from .settings import cache_dir, course_seed, is_quick
from .training import evaluate, train

ARCHS = ("mlp", "conv", "vae")
KINDS = {"mlp": "autoencoder", "conv": "conv autoencoder", "vae": "variational autoencoder"}   # for messages

#: Every shared model the notebooks and slides load, as keyword arguments of ``pretrained()``
#: (the mode, quick or full, comes from ``AE_QUICK``). Add new shared models here.
COURSE_MODELS: tuple[dict, ...] = (*({"latent_dim": d} for d in (2, 4, 8, 16, 32)),   # notebooks 01-07, slides
                                    *({"latent_dim": d, "arch": "conv"} for d in (2, 16)),  # notebook 08
                                    {"latent_dim": 2, "arch": "vae"})                       # notebook 06, explorers

#: How the course's shared models are trained: (arch, mode) -> recipe. Full mode: all 60,000 training images.
RECIPES = {
    ("mlp", "full"): {"epochs": 24, "batch_size": 256, "lr": 5e-3, "n_train": 60000},
    ("mlp", "quick"): {"epochs": 4, "batch_size": 256, "lr": 5e-3, "n_train": 8000},
    ("conv", "full"): {"epochs": 10, "batch_size": 64, "lr": 2e-2, "n_train": 60000},    # notebook 08
    ("conv", "quick"): {"epochs": 2, "batch_size": 64, "lr": 2e-2, "n_train": 4000},
    ("vae", "full"): {"epochs": 8, "batch_size": 256, "lr": 3e-3, "n_train": 12000},      # notebook 06
    ("vae", "quick"): {"epochs": 4, "batch_size": 256, "lr": 3e-3, "n_train": 4000},
}


def _check_arch(arch: str) -> None:
    if arch not in ARCHS:
        raise ValueError(f"arch must be one of {', '.join(map(repr, ARCHS))}, got {arch!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Everything that identifies a trained model: architecture, loss, seed and training recipe.

    ``mode`` ("full" or "quick") is a label in the checkpoint's name. ``hidden`` is the MLP's hidden
    widths; ``channels`` and ``upsampling`` are the convolutional model's (notebook 08). ``loss`` is "mse" or
    "bce" for the autoencoders, "vae" (``losses.vae_loss``, the only one it trains with) for the VAE; None
    (the default) picks "vae" for the VAE and "mse" for the others.
    """

    latent_dim: int = 2
    arch: str = "mlp"
    loss: str | None = None
    seed: int = 0
    mode: str = "full"
    epochs: int = 24
    batch_size: int = 256
    lr: float = 5e-3
    n_train: int = 60000
    hidden: tuple[int, ...] = HIDDEN
    channels: tuple[int, ...] = CHANNELS
    upsampling: str = "transposed"

    def __post_init__(self):
        _check_arch(self.arch)
        if self.loss is None:
            object.__setattr__(self, "loss", "vae" if self.arch == "vae" else "mse")
        if (self.arch == "vae") != (self.loss == "vae"):
            raise ValueError(f'the VAE (arch="vae") trains with its own loss, loss="vae", and only it does; got '
                             f"arch={self.arch!r} with loss={self.loss!r}")

    @classmethod
    def course(cls, latent_dim=2, arch="mlp", loss=None, seed=None, quick=None) -> ModelConfig:
        """The course's shared model: ``seed=None`` is the course's seed (``AE_SEED``, default 0);
        ``quick=None`` follows ``AE_QUICK``; ``loss=None``: "mse" ("vae" for the VAE)."""
        _check_arch(arch)
        mode = "quick" if (is_quick() if quick is None else quick) else "full"
        return cls(latent_dim=int(latent_dim), arch=arch, loss=loss,
                   seed=int(course_seed() if seed is None else seed), mode=mode, **RECIPES[arch, mode])

    def with_recipe(self, **changes) -> ModelConfig:
        """A copy with some fields changed, e.g. ``config.with_recipe(epochs=1, n_train=512)``."""
        return replace(self, **changes)

    def key(self) -> dict:
        """The JSON dict stored in the checkpoint and hashed into its name (a frozen format: see the module)."""
        recipe = {"latent_dim": self.latent_dim, "loss": self.loss, "seed": self.seed, "mode": self.mode,
                  "epochs": self.epochs, "batch_size": self.batch_size, "lr": self.lr, "n_train": self.n_train}
        if self.arch == "conv":
            return {"arch": "conv", "arch_version": 2, "channels": list(self.channels),   # 2: channels-last
                    "upsampling": self.upsampling, **recipe}
        if self.arch == "vae":
            return {"arch": "vae", "arch_version": 1, **recipe}
        return {"arch_version": 1, "hidden": list(self.hidden), "linear": False, **recipe}

    def describe(self) -> str:
        """E.g. "2D variational autoencoder (quick mode)"."""
        return f"{self.latent_dim}D {KINDS[self.arch]} ({self.mode} mode)"

    def checkpoint_name(self) -> str:
        digest = hashlib.sha256(json.dumps(self.key(), sort_keys=True).encode()).hexdigest()[:10]
        prefix = {"mlp": "ae", "conv": "convae", "vae": "vae"}[self.arch]
        return f"{prefix}_{self.latent_dim}d_{self.loss}_{self.mode}_{digest}.safetensors"

    def build(self):
        """The untrained model this configuration describes (random weights from torch's generator)."""
        if self.arch == "conv":
            return ConvAutoencoder(self.latent_dim, self.channels, self.upsampling)
        if self.arch == "vae":
            return VAE(self.latent_dim)
        return Autoencoder(self.latent_dim, self.hidden)


def checkpoint_path(config: ModelConfig):
    """Where ``config``'s checkpoint lives in the cache (``AE_CACHE_DIR``)."""
    return cache_dir() / config.checkpoint_name()


def pretrained(latent_dim=2, *, loss=None, seed=None, quick=None, progress=True, retrain=False, arch="mlp",
               config: ModelConfig | None = None):
    """The course's shared trained ``Autoencoder`` (in eval mode), or the model ``config`` describes.

    ``seed=None`` means the course's seed (``AE_SEED``, default 0); the seed is part of the
    checkpoint's key. ``arch="conv"`` gives the ``ConvAutoencoder`` of notebook 08 instead (its own checkpoints);
    ``arch="vae"`` notebook 06's ``VAE``: ``vae.encode(x)`` gives each item's ``(mu, logvar)``, and
    ``vae.decoder(mu)`` the image sewn at the centre ``mu`` (pixels in [0, 1]).

    Loaded from the checkpoint cache when a valid file for exactly this configuration
    exists; otherwise trained (progress bar) and saved. A damaged or mismatched file is
    replaced with a warning. ``model.history`` holds the training history and the test loss.
    Safe to call from several processes at once, and from a read-only shared cache (a class
    on one hub): see :mod:`ae_helpers.cache`.
    """
    config = config or ModelConfig.course(latent_dim, arch, loss, seed, quick)
    with torch.random.fork_rng(devices=[]):  # the initial weights depend on the seed; the caller's state stays
        torch.manual_seed(config.seed)
        model = config.build()

    def fit():
        x_train, _ = data.load("train", config.n_train)
        x_test, _ = data.load("test")
        loss = vae_loss if config.arch == "vae" else config.loss
        history = train(model, x_train, epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
                        loss=loss, seed=config.seed, progress=progress, desc=f"training the {config.describe()}")
        history["test"] = evaluate(model, x_test, loss)   # the VAE's: a dict, loss and its parts, per image
        if config.arch == "vae":   # its reconstruction at each cloud's centre (eval mode)
            history["test_mse"] = evaluate(model, x_test, lambda vae, inputs, target: mse(target, vae(inputs)[0]))
        else:
            history["test_mse"] = history["test"] if config.loss == "mse" else evaluate(model, x_test, "mse")
        return history

    model.history = load_or_train(model, config.key(), config.checkpoint_name(), fit, retrain=retrain)
    return model.eval()


def check_report(folder: str | Path | None = None) -> tuple[str, bool]:
    """What the cache ``folder`` (default: ``AE_CACHE_DIR``) holds for :data:`COURSE_MODELS` (both modes) and
    whether each file verifies; the report of ``python -m ae_helpers check``.

    Returns ``(text, ok)``; ``ok`` is False when a course model file is present but fails verification.
    """
    folder = Path(folder) if folder else cache_dir()
    lines, ok, known = [f"model cache  {folder}" + ("" if folder.is_dir() else "  (does not exist)")], True, set()
    for quick in (False, True):
        for kwargs in COURSE_MODELS:
            config = ModelConfig.course(**kwargs, quick=quick)
            path = folder / config.checkpoint_name()
            known.add(path.name)
            label = f"  {config.mode:5s} {', '.join(f'{k}={v}' for k, v in kwargs.items()):24s}"
            if not path.exists():
                lines.append(f"{label} missing   ({path.name})")
                continue
            try:
                _, saved, extra = read_checkpoint(path)
                if saved != config.key():
                    raise CheckpointError(f"trained with another configuration: {saved}")
                lines.append(f"{label} OK        ({path.name}, test MSE {extra.get('test_mse', float('nan')):.4f})")
            except CheckpointError as exc:
                ok = False
                lines.append(f"{label} DAMAGED   {exc}")
    files = sorted(folder.glob("*.safetensors")) if folder.is_dir() else []
    others = [p.name for p in files if p.name not in known]
    if others:
        lines.append(f"  other files (not course models): {', '.join(others)}")
    risk = write_risk(folder, files)
    if risk:
        lines.append(risk)
    return "\n".join(lines), ok
