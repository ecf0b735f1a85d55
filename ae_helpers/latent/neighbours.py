"""Nearest neighbours in any space: codes of any size, or images (flattened for you). Distances are Euclidean
and exact, computed in chunks of queries, so 10,000 x 60,000 items fit in memory.

* ``nearest`` (the k nearest, optionally never itself), ``nearest_item`` (index and distance of the nearest)
* ``nearest_images``: the closest real photos to an image, by pixel MSE
* ``knn_predict``, ``knn_accuracy`` (labels by a vote of the k nearest), ``precision_at_k`` (retrieval)
"""

from __future__ import annotations

import math

import torch

from .._tensors import as_labels, chunked_distances, flat, pair


def nearest(queries, gallery, k: int = 10, exclude_self: bool = False, chunk: int = 1000):
    """Indices (Q, k) of the ``k`` gallery items closest to each query, nearest first.

    ``exclude_self=True`` when the queries *are* the gallery (same rows, same order):
    an item is then never its own neighbour.
    """
    q, g = pair(queries, gallery, exclude_self)
    if not 1 <= k <= len(g) - exclude_self:
        raise ValueError(f"k must be between 1 and {len(g) - exclude_self}, got {k}")
    blocks = chunked_distances(q, g, exclude_self, chunk)
    return torch.cat([d.topk(k, dim=1, largest=False).indices for d in blocks])


def nearest_item(queries, gallery, exclude_self: bool = False, chunk: int = 1000):
    """``(indices (Q,), distances (Q,))``: the gallery item closest to each query and its exact distance.

    ``exclude_self=True`` when the queries *are* the gallery: an item is then never its own nearest item.
    """
    q, g = pair(queries, gallery, exclude_self)
    if len(g) < 1 + exclude_self:
        raise ValueError(f"the gallery needs at least {1 + exclude_self} items, got {len(g)}")
    blocks = chunked_distances(q, g, exclude_self, chunk, compute_mode="donot_use_mm_for_euclid_dist")
    best = [d.min(1) for d in blocks]
    return torch.cat([b.indices for b in best]), torch.cat([b.values for b in best])


@torch.no_grad()
def nearest_images(gallery, image, k=1, batch_size=5000):
    """The ``k`` images of ``gallery`` (N, 1, 28, 28) closest to ``image`` by pixels (MSE per pixel).

    Returns ``(indices, mses)``, closest first. Works in batches, so the 60,000 training
    images fit in memory easily.
    """
    target = torch.as_tensor(image).reshape(1, -1).float()
    errors = torch.cat([((xb.reshape(len(xb), -1) - target) ** 2).mean(1)
                        for xb in torch.as_tensor(gallery).split(batch_size)])
    mses, indices = errors.topk(k, largest=False)
    return indices, mses


def knn_predict(train_x, train_y, test_x, k: int = 5, chunk: int | None = None) -> torch.Tensor:
    """Label of each test item by majority vote of its ``k`` nearest training items (exact Euclidean search).

    A tie in the vote goes to the smallest label among the tied ones; of training items at exactly the same
    distance, the earlier one counts as nearer. ``chunk``: test items searched at a time against the whole
    training set (default: as many as keep their block of distances at about 64 MB).
    """
    train_x = flat(train_x, "train_x")
    train_y = as_labels(train_y, len(train_x), "train_y")
    q, g = pair(test_x, train_x, exclude_self=False)
    if not 1 <= k <= len(g):
        raise ValueError(f"k must be between 1 and {len(g)} (the number of training items), got {k}")
    chunk = chunk or max(1, 2 ** 24 // len(g))
    g_sq = torch.cat([(block.double() ** 2).sum(1) for block in g.split(4096)])    # 4096 rows at a time
    scores = torch.full((min(chunk, len(q)), -(-len(g) // _BLOCK) * _BLOCK), math.inf)  # reused by every chunk
    idx = torch.cat([_knn_chunk(part, g, g_sq, k, scores) for part in q.split(chunk)])
    votes = torch.zeros(len(idx), int(train_y.max()) + 1).scatter_add_(1, train_y[idx], torch.ones(idx.shape))
    return votes.argmax(1)  # argmax returns the first (smallest) label of a tie


_BLOCK = 64  # columns per block in _smallest


@torch.no_grad()
def _knn_chunk(q, g, g_sq, k: int, scores, extra: int = 10) -> torch.Tensor:
    """The exact ``k`` nearest gallery items (Q, k) of a few queries, nearest first, ties in gallery order.

    ||q - g||^2 = ||q||^2 + ||g||^2 - 2 q.g: one float32 matrix product scores the whole gallery and picks the
    ``k + extra`` best candidates, whose distances are then recomputed exactly (float64) and sorted. The product's
    rounding error is bounded (``error``); where an item outside the candidates could still be nearer than the
    k-th, that query is compared with the whole gallery exactly instead (rare: for none of Fashion-MNIST's 10,000
    test items by pixels, for 8 by the 2-D codes of notebook 08).
    """
    m, n = min(k + extra, len(g)), len(q)
    part = scores[:n]                          # (n, gallery padded to whole blocks); the padding stays infinite
    torch.addmm(g_sq.float(), q, g.T, alpha=-2, out=part[:, :len(g)])   # ||g||^2 - 2 q.g = distance^2 - ||q||^2
    approx, cand = _smallest(part, m)
    q64 = q.double()
    exact = torch.stack([((q64 - g[cand[:, j]].double()) ** 2).sum(1) for j in range(m)], 1)
    exact, cand = exact.gather(1, cand.argsort(1)), cand.sort(1).values          # candidates in gallery order,
    order = exact.sort(dim=1, stable=True).indices[:, :k]                          # so ties keep gallery order
    best, kth = cand.gather(1, order), exact.gather(1, order)[:, -1]
    q_sq = (q64 ** 2).sum(1)
    error = (q.shape[1] + 2) * torch.finfo(torch.float32).eps * (q_sq + 2 * g_sq.max()) + 1e-9 * kth
    unsure = (q_sq + approx.amax(1) - error <= kth) & (m < len(g))   # an outsider might be nearer than the k-th
    for row in unsure.nonzero().flatten().tolist():
        d = torch.cat([((q64[row] - block.double()) ** 2).sum(1) for block in g.split(4096)])
        best[row] = d.sort(stable=True).indices[:k]
    return best


def _smallest(scores, m: int):
    """``(values, columns)``, each (n, m): the ``m`` smallest entries of each row, in no particular order.

    ``scores``' width is a whole number of blocks of ``_BLOCK`` columns. The m smallest entries of a row lie in
    the m blocks with the smallest minima, so only those blocks are searched (3x faster than topk on a long row).
    """
    n, width = scores.shape
    minima = scores.view(n, width // _BLOCK, _BLOCK).amin(2)
    blocks = minima.topk(min(m, len(minima[0])), dim=1, largest=False).indices
    columns = (blocks[:, :, None] * _BLOCK + torch.arange(_BLOCK)).flatten(1)
    values, j = scores.gather(1, columns).topk(m, dim=1, largest=False)
    return values, columns.gather(1, j)


def knn_accuracy(train_x, train_y, test_x, test_y, k: int = 5, chunk: int | None = None) -> float:
    """Fraction of test items whose kNN-predicted label (:func:`knn_predict`) is right."""
    test_y = as_labels(test_y, len(flat(test_x, "test_x")), "test_y")
    return (knn_predict(train_x, train_y, test_x, k, chunk) == test_y).float().mean().item()


def precision_at_k(codes, labels, k: int = 10) -> float:
    """Retrieval: for every item, the share of its ``k`` nearest *other* items with its label, averaged."""
    codes = flat(codes, "codes")
    labels = as_labels(labels, len(codes), "labels")
    idx = nearest(codes, codes, k, exclude_self=True)
    return (labels[idx] == labels[:, None]).float().mean().item()
