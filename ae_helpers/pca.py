"""PCA, the linear reference: the best any *linear* encoder and decoder can do (notebooks 02, 05, 08).

Also available as ``ae_helpers.latent.pca_fit`` etc. (one import path for the latent-space maths).
"""

from __future__ import annotations

import torch

from ._tensors import flat as _flat


def pca_fit(x, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (D,) and the top ``k`` principal directions (D, k) of ``x``, largest variance first."""
    x = _flat(x, "x")
    if not 1 <= k <= x.shape[1]:
        raise ValueError(f"k must be between 1 and {x.shape[1]}, got {k}")
    parts = x.split(10_000)                      # 10,000 rows at a time: no full-size copy of x is made
    mean = (sum(p.double().sum(0) for p in parts) / len(x)).float()
    scatter = sum(((p - mean).T @ (p - mean)).double() for p in parts)   # the centred x's x^T x, (D, D)
    _, vecs = torch.linalg.eigh(scatter)                                  # ascending eigenvalues
    return mean, vecs[:, -k:].flip(1).float()


def pca_project(x, mean, components) -> torch.Tensor:
    """PCA codes (N, k): the coordinates of ``x`` along the components."""
    return (_flat(x, "x") - mean) @ components


def pca_reconstruct(codes, mean, components) -> torch.Tensor:
    """Back from PCA codes to flat vectors (N, D)."""
    return codes @ components.T + mean


def pca_mse(x_fit, x_eval, k: int) -> float:
    """Mean squared error per value of PCA with ``k`` components fitted on ``x_fit``, measured on ``x_eval``."""
    mean, components = pca_fit(x_fit, k)
    recon = pca_reconstruct(pca_project(x_eval, mean, components), mean, components)
    return ((recon - _flat(x_eval, "x_eval")) ** 2).mean().item()


def pca_errors(x_eval, mean, components) -> torch.Tensor:
    """MSE per value on ``x_eval`` of PCA with the first k = 1 ... K of ``components`` (entry k - 1).

    The components are orthonormal, so the error with k of them is the total squared distance from the
    mean minus the squares of the first k PCA codes: one projection gives every k.
    """
    x_eval = _flat(x_eval, "x_eval")
    codes = pca_project(x_eval, mean, components)
    total = ((x_eval - mean) ** 2).sum()
    return (total - (codes ** 2).sum(0).cumsum(0)) / x_eval.numel()


def principal_angles(a, b) -> torch.Tensor:
    """Angles in degrees (smallest first) between the spaces spanned by the columns of ``a`` and ``b``.

    0° everywhere: the same subspace; 90°: a direction of one space is perpendicular to all of the other.
    """
    a, b = torch.as_tensor(a).double(), torch.as_tensor(b).double()
    if a.dim() != 2 or b.dim() != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(f"a and b must be matrices (D, k) with the same D, got {tuple(a.shape)} and {tuple(b.shape)}")
    qa, qb = torch.linalg.qr(a).Q, torch.linalg.qr(b).Q
    cosines = torch.linalg.svdvals(qa.T @ qb).clamp(-1, 1)
    return torch.rad2deg(torch.arccos(cosines)).float()
