"""Input checks shared by the maths modules (latent, pca)."""

from __future__ import annotations

import torch


def flat(x, name: str) -> torch.Tensor:
    x = torch.as_tensor(x)
    if x.dim() < 2:
        raise ValueError(f"{name} must hold one row per item, shape (N, D) or images (N, 1, 28, 28); "
                         f"got shape {tuple(x.shape)}")
    return x.flatten(1).float()
