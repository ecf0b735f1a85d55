"""Input checks and the chunked distance search shared by the maths modules (:mod:`ae_helpers.latent`,
:mod:`ae_helpers.pca`)."""

from __future__ import annotations

import torch

#: The most distances one block of :func:`chunked_distances` holds (float32: 16 MB).
BLOCK_VALUES = 2 ** 22


def flat(x, name: str) -> torch.Tensor:
    """``x`` as a float tensor (N, D): one row per item, images flattened; else a ``ValueError`` naming it."""
    x = torch.as_tensor(x)
    if x.dim() < 2:
        raise ValueError(f"{name} must hold one row per item, shape (N, D) or images (N, 1, 28, 28); "
                         f"got shape {tuple(x.shape)}")
    return x.flatten(1).float()


def as_labels(y, n: int, name: str) -> torch.Tensor:
    """``y`` as ``n`` integer labels (n,), else a ``ValueError`` naming it."""
    y = torch.as_tensor(y).long().flatten()
    if len(y) != n:
        raise ValueError(f"{name} has {len(y)} labels for {n} items: one label per item, please")
    return y


def pair(queries, gallery, exclude_self: bool):
    """``queries`` and ``gallery`` as (N, D) float tensors, checked to fit each other."""
    q, g = flat(queries, "queries"), flat(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} numbers per item but the gallery has {g.shape[1]}")
    if exclude_self and len(q) != len(g):
        raise ValueError("exclude_self=True needs the queries to be the gallery itself (same number of rows)")
    return q, g


def chunked_distances(q, g, exclude_self: bool, chunk: int, **cdist):
    """The (chunk, G) distance matrices of ``chunk`` queries at a time; with ``exclude_self`` an item's
    distance to itself is infinite. ``cdist``: keyword arguments of ``torch.cdist``. A block holds at most
    ``BLOCK_VALUES`` distances (16 MB), whatever ``chunk`` asks: a large gallery gets fewer queries per block."""
    chunk = max(1, min(chunk, BLOCK_VALUES // max(1, len(g))))
    for start in range(0, len(q), chunk):
        d = torch.cdist(q[start:start + chunk], g, **cdist)
        if exclude_self:
            rows = torch.arange(len(d))
            d[rows, rows + start] = float("inf")
        yield d
        del d   # the caller holds the block; the next one is made without this one still alive here
