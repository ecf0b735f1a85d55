"""Statistics the notebooks teach about images and models (one number per image, or one per model).

Latent-space statistics (neighbours, spacing, the verdict) live in :mod:`ae_helpers.latent`; figures only draw
(:mod:`ae_helpers.figures`). Each function here is tested in ``tests/test_measures.py``.
"""

from __future__ import annotations

import torch


def per_image_mse(a, b) -> torch.Tensor:
    """One number per image: the mean squared difference of its pixels."""
    return ((a - b) ** 2).flatten(1).mean(1)


def sharpness(images) -> torch.Tensor:
    """Mean absolute difference between neighbouring pixels (across and down), one number per image:
    edges score high, blur low."""
    dx = (images[..., :, 1:] - images[..., :, :-1]).abs().flatten(1).mean(1)
    dy = (images[..., 1:, :] - images[..., :-1, :]).abs().flatten(1).mean(1)
    return (dx + dy) / 2


# -- statistics of notebooks 01-04 (added below this line) --


# -- statistics of notebooks 05-08 (added below this line) --
