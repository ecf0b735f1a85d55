"""One wardrobe per model in the latent explorer: a model's codes of the real items, their spacing, its map.

The explorer can hold several models with a 2D latent space (notebook 05: the plain autoencoder and notebook
06's VAE) and switches between them; each has its own :class:`Wardrobe`, built once. Where a model hangs an item is
its code: ``model.encode(x)`` for an autoencoder, the centre ``mu`` of ``(mu, logvar) = model.encode(x)`` for a VAE;
what Brian sews at z is ``model.decoder(z)`` for both.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .. import latent
from ..data import CLASS_NAMES, as_tensors
from ..measures import per_image_mse
from .view import render_map


def images_and_labels(data, what: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A torchvision dataset (or Subset) or an ``(images, labels)`` pair -> float images, int labels."""
    if isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = torch.as_tensor(data[0]).float(), torch.as_tensor(data[1]).long()
    elif hasattr(data, "targets") or isinstance(data, torch.utils.data.Subset):
        x, y = as_tensors(data)
    else:
        raise TypeError(f"{what} must be a Fashion-MNIST dataset or an (images, labels) pair, got {type(data)}")
    x = x.reshape(-1, 1, 28, 28)
    if len(x) != len(y) or len(x) < 2:
        raise ValueError(f"{what}: need at least 2 images and one label per image, got {len(x)} and {len(y)}")
    return x, y


def check_2d(model) -> None:
    """A flat map needs exactly two coordinates: a one-line ValueError for any other latent size."""
    dim = getattr(model, "latent_dim", None)
    if dim != 2:
        raise ValueError(
            f"LatentExplorer draws a flat 2D map, so it needs an autoencoder with latent_dim=2 "
            f"(two numbers per item); this model has latent_dim={dim}. Use pretrained(2); compare "
            "bigger latent sizes by their reconstructions instead.")
    if not hasattr(model, "decoder"):
        raise ValueError(f"LatentExplorer needs a model with a .decoder (Brian); {type(model).__name__} has none")


def is_vae(model) -> bool:
    """A VAE's ``encode`` gives ``(mu, logvar)``; a plain autoencoder's gives the code itself."""
    with torch.no_grad():
        return isinstance(model.encode(torch.zeros(1, 1, 28, 28)), (tuple, list))


class TwoD(nn.Module):
    """A plain autoencoder or a VAE, seen as the explorer sees it: ``encode(x) -> z`` (a VAE's ``mu``),
    ``decode(z)`` (its decoder), ``latent_dim`` 2."""

    def __init__(self, model):
        super().__init__()
        self.model, self.vae, self.latent_dim = model.eval(), is_vae(model), 2
        self.decoder = model.decoder
        self.history = getattr(model, "history", {})

    def encode(self, x):
        z = self.model.encode(x)
        return z[0] if self.vae else z

    def decode(self, z):
        return self.decoder(z).reshape(-1, 1, 28, 28)

    def forward(self, x):
        return self.decode(self.encode(x))


def two_d(model) -> TwoD:
    return model if isinstance(model, TwoD) else TwoD(model)


class Wardrobe:
    """A model's wardrobe: ``train_codes`` (searched for the nearest real item), ``test_codes`` (the map's dots),
    ``spacing`` and ``threshold`` of the verdict (see :class:`~ae_helpers.explorer.LatentExplorer`), the map
    (``map_picture``, ``geometry``) and, once asked, ``test_errors`` (each map item's per-image MSE)."""

    def __init__(self, name, model, x_train, x_test, y_test, *, margin, map_size, dpi, max_map_points):
        check_2d(model)
        self.name, self.model = name, model.eval()
        self._hanger = two_d(model)                            # encode -> z, a VAE's mu
        self.train_codes, self.test_codes = self.encode(x_train), self.encode(x_test)
        self._x_test = x_test
        self._cx, self._cy = (np.ascontiguousarray(c) for c in self.train_codes.numpy().T)
        self._d2, self._tmp = np.empty_like(self._cx), np.empty_like(self._cx)  # no allocation per move
        self.spacing = latent.local_spacing(self.train_codes)  # how far apart the items hang around each one
        self.threshold = latent.VERDICT_GRADES[-2][0] * self.spacing  # farther from item i: "far"
        self._spacing = self.spacing.tolist()  # a Python float per item: no tensor indexing per move
        self.map_picture, self.geometry = render_map(self.test_codes, y_test,
                                                     latent.extent(self.test_codes, margin, quantile=0.001),
                                                     map_size, dpi, max_map_points)
        self._test_errors = None

    @torch.no_grad()
    def encode(self, x) -> torch.Tensor:
        """Where the model hangs the images ``x`` (N, 1, 28, 28): codes (N, 2) (a VAE's centres ``mu``)."""
        return torch.cat([self._hanger.encode(xb) for xb in x.split(4096)]).float()

    def decode(self, z) -> torch.Tensor:
        """What Brian sews at the codes ``z`` (N, 2): images (N, 1, 28, 28)."""
        with torch.inference_mode():
            return self.model.decoder(torch.as_tensor(z, dtype=torch.float32))

    @property
    def test_errors(self) -> torch.Tensor:
        """How well Brian copies each map item: ``measures.per_image_mse`` of decode(encode(x)) and x, (N,)."""
        if self._test_errors is None:
            errors = [per_image_mse(self.decode(self.encode(xb)), xb) for xb in self._x_test.split(4096)]
            self._test_errors = torch.cat(errors)
        return self._test_errors

    def _distances(self, z1, z2) -> np.ndarray:
        d2, tmp = self._d2, self._tmp
        np.square(np.subtract(self._cx, z1, out=d2), out=d2)
        d2 += np.square(np.subtract(self._cy, z2, out=tmp), out=tmp)
        return d2

    def nearest_k(self, z1, z2, k) -> np.ndarray:
        """Indices of the ``k`` training items whose codes are nearest (z1, z2), nearest first."""
        d2 = self._distances(z1, z2)
        k = min(int(k), len(d2))
        idx = np.argpartition(d2, k - 1)[:k] if k < len(d2) else np.arange(len(d2))
        return idx[np.argsort(d2[idx], kind="stable")]

    def find_nearest(self, z1, z2, y_train) -> dict:
        """The real training item whose code is nearest to (z1, z2), and a verdict."""
        d2 = self._distances(z1, z2)
        i = int(d2.argmin())
        dist, spacing = math.sqrt(float(d2[i])), self._spacing[i]
        grade = latent.verdict_grade(dist, spacing)
        return {"index": i, "label": int(y_train[i]), "class": CLASS_NAMES[int(y_train[i])],
                "distance": dist, "spacing": spacing, "ratio": dist / spacing, "grade": grade,
                "far": grade == len(latent.VERDICT_GRADES) - 1, "verdict": latent.verdict(dist, spacing)}
