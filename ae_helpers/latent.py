"""Plain maths on codes: nearest neighbours, kNN classification, retrieval precision, PCA,
principal angles. Every function takes and returns tensors, and works the same for codes of
any size: 2 numbers per item, 16, or 784 raw pixels (images are flattened for you).

Distances are Euclidean and computed in chunks of queries, so 10,000 x 60,000 items fit
in memory.
"""

from __future__ import annotations

import torch


def _flat(x, name: str) -> torch.Tensor:
    x = torch.as_tensor(x)
    if x.dim() < 2:
        raise ValueError(f"{name} must hold one row per item, shape (N, D) or images (N, 1, 28, 28); "
                         f"got shape {tuple(x.shape)}")
    return x.flatten(1).float()


def _labels(y, n: int, name: str) -> torch.Tensor:
    y = torch.as_tensor(y).long().flatten()
    if len(y) != n:
        raise ValueError(f"{name} has {len(y)} labels for {n} items: one label per item, please")
    return y


def nearest(queries, gallery, k: int = 10, exclude_self: bool = False, chunk: int = 1000):
    """Indices (Q, k) of the ``k`` gallery items closest to each query, nearest first.

    ``exclude_self=True`` when the queries *are* the gallery (same rows, same order):
    an item is then never its own neighbour.
    """
    q, g = _flat(queries, "queries"), _flat(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} numbers per item but the gallery has {g.shape[1]}")
    if exclude_self and len(q) != len(g):
        raise ValueError("exclude_self=True needs the queries to be the gallery itself (same number of rows)")
    if not 1 <= k <= len(g) - exclude_self:
        raise ValueError(f"k must be between 1 and {len(g) - exclude_self}, got {k}")
    out = []
    for start in range(0, len(q), chunk):
        d = torch.cdist(q[start:start + chunk], g)
        if exclude_self:
            rows = torch.arange(len(d))
            d[rows, rows + start] = float("inf")
        out.append(d.topk(k, dim=1, largest=False).indices)
    return torch.cat(out)


def knn_predict(train_x, train_y, test_x, k: int = 5) -> torch.Tensor:
    """Label of each test item by majority vote of its ``k`` nearest training items.

    A tie goes to the smallest label among the tied ones.
    """
    train_x = _flat(train_x, "train_x")
    train_y = _labels(train_y, len(train_x), "train_y")
    idx = nearest(test_x, train_x, k)
    votes = torch.zeros(len(idx), int(train_y.max()) + 1).scatter_add_(
        1, train_y[idx], torch.ones(idx.shape))
    return votes.argmax(1)  # argmax returns the first (smallest) label of a tie


def knn_accuracy(train_x, train_y, test_x, test_y, k: int = 5) -> float:
    """Fraction of test items whose kNN-predicted label is right."""
    test_y = _labels(test_y, len(_flat(test_x, "test_x")), "test_y")
    return (knn_predict(train_x, train_y, test_x, k) == test_y).float().mean().item()


def precision_at_k(codes, labels, k: int = 10) -> float:
    """Retrieval: for every item, the share of its ``k`` nearest *other* items with its label, averaged."""
    codes = _flat(codes, "codes")
    labels = _labels(labels, len(codes), "labels")
    idx = nearest(codes, codes, k, exclude_self=True)
    return (labels[idx] == labels[:, None]).float().mean().item()


def pca_fit(x, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (D,) and the top ``k`` principal directions (D, k) of ``x``, largest variance first."""
    x = _flat(x, "x")
    if not 1 <= k <= x.shape[1]:
        raise ValueError(f"k must be between 1 and {x.shape[1]}, got {k}")
    mean = x.double().mean(0).float()
    centred = x - mean
    _, vecs = torch.linalg.eigh((centred.T @ centred).double())   # ascending eigenvalues
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
