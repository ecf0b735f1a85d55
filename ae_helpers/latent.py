"""Plain maths on codes, one function per question. Every function takes and returns tensors and
works the same for codes of any size: 2 numbers per item, 16, or 784 raw pixels (images are
flattened for you). Distances are Euclidean and computed in chunks of queries, so 10,000 x 60,000
items fit in memory.

* neighbours:   ``nearest`` (k nearest, optionally never itself), ``nearest_item`` (index and distance),
  ``typical_gap``, ``knn_predict``, ``knn_accuracy``, ``precision_at_k``
* recalling or inventing: ``local_spacing``, ``verdict``, ``verdict_grade``, ``grade_points``, ``VERDICT_GRADES``
  (graded by the latent distance to the nearest real item, in units of the spacing of the items around it)
* picking items: ``first_of_each_class``, ``pick_items`` (seeded, class-balanced), ``nearest_images``
  (the closest real photos to an image, by pixel MSE)
* the map: ``extent``, ``interpolate``, ``emptiest_spots``, ``sewable_spot``
* the linear reference: ``pca_fit``, ``pca_project``, ``pca_reconstruct``, ``pca_mse``, ``pca_errors``,
  ``principal_angles``
"""

from __future__ import annotations

import math

import torch

from ._tensors import flat as _flat
from .pca import pca_errors, pca_fit, pca_mse, pca_project, pca_reconstruct, principal_angles  # noqa: F401 (one path)


def _labels(y, n: int, name: str) -> torch.Tensor:
    y = torch.as_tensor(y).long().flatten()
    if len(y) != n:
        raise ValueError(f"{name} has {len(y)} labels for {n} items: one label per item, please")
    return y


def _pair(queries, gallery, exclude_self: bool):
    """``queries`` and ``gallery`` as (N, D) float tensors, checked to fit each other."""
    q, g = _flat(queries, "queries"), _flat(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} numbers per item but the gallery has {g.shape[1]}")
    if exclude_self and len(q) != len(g):
        raise ValueError("exclude_self=True needs the queries to be the gallery itself (same number of rows)")
    return q, g


def _distances(q, g, exclude_self: bool, chunk: int, **cdist):
    """The (chunk, G) distance matrices of ``chunk`` queries at a time; with ``exclude_self`` an item's
    distance to itself is infinite."""
    for start in range(0, len(q), chunk):
        d = torch.cdist(q[start:start + chunk], g, **cdist)
        if exclude_self:
            rows = torch.arange(len(d))
            d[rows, rows + start] = float("inf")
        yield d


def nearest(queries, gallery, k: int = 10, exclude_self: bool = False, chunk: int = 1000):
    """Indices (Q, k) of the ``k`` gallery items closest to each query, nearest first.

    ``exclude_self=True`` when the queries *are* the gallery (same rows, same order):
    an item is then never its own neighbour.
    """
    q, g = _pair(queries, gallery, exclude_self)
    if not 1 <= k <= len(g) - exclude_self:
        raise ValueError(f"k must be between 1 and {len(g) - exclude_self}, got {k}")
    return torch.cat([d.topk(k, dim=1, largest=False).indices for d in _distances(q, g, exclude_self, chunk)])


def nearest_item(queries, gallery, exclude_self: bool = False, chunk: int = 1000):
    """``(indices (Q,), distances (Q,))``: the gallery item closest to each query and its exact distance.

    ``exclude_self=True`` when the queries *are* the gallery: an item is then never its own nearest item.
    """
    q, g = _pair(queries, gallery, exclude_self)
    if len(g) < 1 + exclude_self:
        raise ValueError(f"the gallery needs at least {1 + exclude_self} items, got {len(g)}")
    best = [d.min(1) for d in _distances(q, g, exclude_self, chunk, compute_mode="donot_use_mm_for_euclid_dist")]
    return torch.cat([b.indices for b in best]), torch.cat([b.values for b in best])


def typical_gap(codes, quantile: float = 0.5, sample: int = 1000, seed: int = 0) -> float:
    """The typical gap between neighbouring items: the distance from a real item to its nearest other
    real item, at ``quantile`` (0.5: the median), measured on ``sample`` items picked with ``seed``."""
    codes = _flat(codes, "codes")
    picked = torch.randperm(len(codes), generator=torch.Generator().manual_seed(seed))[:sample]
    gaps = torch.cat([_gaps_of(codes, part) for part in picked.split(50)])  # 50 x N distances at a time
    return max(float(torch.quantile(gaps, quantile)), 1e-6)


def _gaps_of(codes, idx):
    """Exact distance from each item ``idx`` to its nearest other item."""
    d = torch.cdist(codes[idx], codes, compute_mode="donot_use_mm_for_euclid_dist")
    d[torch.arange(len(idx)), idx] = float("inf")  # not its own neighbour
    return d.min(1).values


#: How many neighbours measure the spacing of the real items around an item (:func:`local_spacing`).
SPACING_NEIGHBOURS = 10


def local_spacing(codes, k: int = SPACING_NEIGHBOURS, cap_quantile: float = 0.99) -> torch.Tensor:
    """How far apart the real items hang around each item (N,): the distance from the item to its ``k``-th
    nearest other item, capped at the ``cap_quantile`` of these distances (so that a lone item far from the rest
    does not make a wide region around itself look crowded). Small in a dense cluster, large at a sparse edge.
    The course measures it on the training codes, the items the decoder learned from. Exact; 2D codes use a
    grid of cells (60,000 codes: about a second).
    """
    codes = _flat(codes, "codes")
    if not 1 <= k < len(codes):
        raise ValueError(f"k must be between 1 and {len(codes) - 1} (the number of other items), got {k}")
    kth = _kth_distances(codes, k)
    return kth.clamp_max(float(torch.quantile(kth, cap_quantile))).clamp_min(1e-6)


def _kth_distances(codes, k):
    """Exact distance from each item to its ``k``-th nearest other item (itself, at 0, is the first of k + 1)."""
    exact = {"compute_mode": "donot_use_mm_for_euclid_dist"}
    if codes.shape[1] != 2 or len(codes) < 2000:  # all pairs, 1000 items at a time
        return torch.cat([d.topk(k + 1, largest=False).values[:, -1] for d in _distances(codes, codes, False, 1000,
                                                                                           **exact)])
    low = codes.min(0).values
    side = float((codes.max(0).values - low).clamp_min(1e-6).prod().sqrt()) * math.sqrt(2 * (k + 1) / len(codes))
    cell = ((codes - low) / side).long()
    cols, rows = int(cell[:, 0].max()) + 1, int(cell[:, 1].max()) + 1
    key, order = (cell[:, 0] * rows + cell[:, 1]).sort()
    points, out = codes[order], torch.empty(len(codes))
    cells, counts = torch.unique_consecutive(key, return_counts=True)
    for c, start, m in zip(cells.tolist(), (counts.cumsum(0) - counts).tolist(), counts.tolist()):
        col, row, reach, query = divmod(c, rows) + (1, points[start:start + m])
        while True:  # search the cells within `reach` of this one; every item nearer than reach * side is there
            lows = [x * rows + max(row - reach, 0) for x in range(max(col - reach, 0), min(col + reach, cols - 1) + 1)]
            ends = torch.searchsorted(key, torch.tensor([[lo, lo - max(row - reach, 0) + min(row + reach, rows - 1)
                                                          + 1] for lo in lows]))
            candidates = torch.cat([points[a:b] for a, b in ends.tolist()])
            if len(candidates) > k:
                kth = torch.cdist(query, candidates, **exact).topk(k + 1, largest=False).values[:, -1]
                if kth.max() <= reach * side or len(candidates) == len(codes):
                    break
                reach = max(reach + 1, math.ceil(float(kth.max()) / side))
            else:
                reach *= 2
        out[order[start:start + m]] = kth
    return out


#: The verdict's grades, defined once: (up to this many times the local spacing of the nearest real item,
#: words). The spacing is the radius of the item's neighbourhood (its 10 nearest neighbours): within half of it
#: a point is "recalling" that item; up to 1.5 times it, in or just outside the neighbourhood, "a variation";
#: beyond, well outside every item's neighbourhood, "inventing". The kernel-free explorer page gets them
#: through its exported data, so both explorers agree.
VERDICT_GRADES = ((0.5, "recalling a real item"),
                  (1.5, "a variation close to real items"),
                  (math.inf, "inventing, away from all real items"))


def verdict_grade(distance: float, spacing: float) -> int:
    """0 (recalling), 1 (a variation near real items) or 2 (inventing): ``distance`` (from a point to its
    nearest real item) in units of ``spacing`` (that item's :func:`local_spacing`); see :data:`VERDICT_GRADES`."""
    ratio = float(distance) / float(spacing)
    return next(k for k, (most, _) in enumerate(VERDICT_GRADES) if ratio <= most)


def ratio_text(ratio) -> str:
    """A distance in spacings with 2 decimals, rounded *up*, so that the printed number never crosses a grade's
    limit (0.5, 1.5): 0.501 (a variation) shows as 0.51, not 0.50 (which would read recalling)."""
    return f"{math.ceil(float(ratio) * 100 - 1e-9) / 100:.2f}"


def verdict(distance: float, spacing: float) -> str:
    """A graded phrase for a point whose nearest real item is ``distance`` away in the latent space, where the
    real items around that item hang ``spacing`` apart (its :func:`local_spacing`)."""
    words = VERDICT_GRADES[verdict_grade(distance, spacing)][1]
    return (f"latent distance to the nearest real item {float(distance):.3f} = "
            f"{ratio_text(float(distance) / float(spacing))}x the spacing of the real items around it "
            f"({float(spacing):.3f}): {words}")


def grade_points(points, codes, spacing=None) -> dict:
    """The verdict for many points at once: ``{"index", "distance", "ratio", "grade"}`` (tensors (Q,)): each
    point's nearest item of ``codes``, its latent distance, that distance in units of the item's
    :func:`local_spacing` (pass ``spacing`` to reuse one computed before) and the grade (:func:`verdict_grade`)."""
    codes = _flat(codes, "codes")
    spacing = local_spacing(codes) if spacing is None else torch.as_tensor(spacing).float()
    index, distance = nearest_item(points, codes)
    ratio = distance / spacing[index]
    bounds = torch.tensor([most for most, _ in VERDICT_GRADES[:-1]])
    return {"index": index, "distance": distance, "ratio": ratio,
            "grade": torch.bucketize(ratio, bounds)}  # ratio <= bound[0] -> 0, ...


def first_of_each_class(labels, n: int = 1) -> torch.Tensor:
    """Indices of the first ``n`` items of every class present, in class order: shape (C,) for ``n=1``,
    else (n, C) (row ``r`` holds each class's ``r``-th item)."""
    labels = torch.as_tensor(labels).flatten()
    columns = []
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().flatten()
        if len(idx) < n:
            raise ValueError(f"class {c} has only {len(idx)} items; asked for the first {n}")
        columns.append(idx[:n])
    out = torch.stack(columns, 1)
    return out[0] if n == 1 else out


def pick_items(labels, per_class: int = 10, seed: int = 0) -> torch.Tensor:
    """Indices of ``per_class`` random items of every class, in a random (seeded) order."""
    labels = torch.as_tensor(labels).flatten()
    gen = torch.Generator().manual_seed(seed)
    chosen = []
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().flatten()
        chosen.append(idx[torch.randperm(len(idx), generator=gen)[:per_class]])
    chosen = torch.cat(chosen)
    return chosen[torch.randperm(len(chosen), generator=gen)]


@torch.no_grad()
def nearest_images(pool, image, k=1, batch_size=5000):
    """The ``k`` images of ``pool`` (N, 1, 28, 28) closest to ``image`` by pixels (MSE per pixel).

    Returns ``(indices, mses)``, closest first. Works in batches, so the 60,000 training
    images fit in memory easily.
    """
    target = torch.as_tensor(image).reshape(1, -1).float()
    errors = torch.cat([((xb.reshape(len(xb), -1) - target) ** 2).mean(1)
                        for xb in torch.as_tensor(pool).split(batch_size)])
    mses, indices = errors.topk(k, largest=False)
    return indices, mses


def extent(codes, margin: float = 0.1, quantile: float = 0.0) -> tuple[float, float, float, float]:
    """``(z1_min, z1_max, z2_min, z2_max)`` of 2D codes, widened by ``margin`` of the range on each side.

    ``quantile > 0`` ignores that share of outliers at each end (e.g. 0.001)."""
    codes = _flat(codes, "codes")
    if codes.shape[1] != 2:
        raise ValueError(f"extent is for 2D codes (N, 2), got {tuple(codes.shape)}")
    lo, hi = torch.quantile(codes, quantile, dim=0), torch.quantile(codes, 1 - quantile, dim=0)
    pad = (hi - lo).clamp_min(1e-3) * margin
    return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def interpolate(a, b, steps: int = 10) -> torch.Tensor:
    """``steps`` codes (steps, D) on the straight line from code ``a`` to code ``b``, both ends included."""
    a, b = torch.as_tensor(a).float().flatten(), torch.as_tensor(b).float().flatten()
    t = torch.linspace(0, 1, steps)[:, None]
    return (1 - t) * a + t * b


@torch.no_grad()
def emptiest_spots(codes, n: int = 8, min_gap: float = 0.0, grid: int = 60, within: float = 1.5):
    """Up to ``n`` spread-out points of a 2D map that are farthest from every code (and farther than ``min_gap``).

    The candidates are the points of a ``grid`` x ``grid`` lattice over the codes' bounding box that lie
    inside the outline of the cloud (within ``within`` standard deviations of its centre, Mahalanobis).
    Returns ``(spots (k, 2), gaps (k,))``, emptiest first; ``gaps`` is each spot's distance to the nearest code.
    """
    codes = torch.as_tensor(codes).detach().float()
    low, high = codes.min(0).values, codes.max(0).values
    candidates = torch.cartesian_prod(torch.linspace(low[0], high[0], grid), torch.linspace(low[1], high[1], grid))
    spread = torch.linalg.cholesky(torch.cov(codes.T))
    standardised = torch.linalg.solve_triangular(spread, (candidates - codes.mean(0)).T, upper=False)
    candidates = candidates[standardised.norm(dim=0) < within]
    gap = nearest_item(candidates, codes)[1]
    chosen: list[int] = []
    for i in gap.argsort(descending=True).tolist():
        if gap[i] <= min_gap or len(chosen) == n:
            break
        if all((candidates[i] - candidates[j]).norm() > 0.1 * (high - low).norm() for j in chosen):
            chosen.append(i)
    return candidates[chosen], gap[chosen]


@torch.no_grad()
def sewable_spot(decode, codes, images, min_gap: float, n: int = 12, ink_share: float = 0.5):
    """The emptiest spot (of :func:`emptiest_spots`) where ``decode`` sews more than a faint ghost.

    "More than a ghost": the decoded item has at least ``ink_share`` of the ink (mean pixel value) of a
    typical (median) one of ``images``. Returns ``(spot (2,), gap, ghosts)``: ``ghosts`` emptier spots
    gave less ink. Raises ``ValueError`` when no candidate qualifies (lower ``min_gap``).
    """
    spots, gaps = emptiest_spots(codes, n=n, min_gap=min_gap)
    ink = decode(spots).flatten(1).mean(1)
    typical_ink = torch.as_tensor(images).flatten(1).mean(1).median()
    good = (ink >= ink_share * typical_ink).nonzero().flatten()
    if len(good) == 0:
        raise ValueError(f"none of the {len(spots)} emptiest spots farther than {min_gap:.3g} from every code "
                         "decodes to more than a faint ghost; try a smaller min_gap")
    k = int(good[0])
    return spots[k], float(gaps[k]), k


def knn_predict(train_x, train_y, test_x, k: int = 5, chunk: int | None = None) -> torch.Tensor:
    """Label of each test item by majority vote of its ``k`` nearest training items (exact Euclidean search).

    A tie in the vote goes to the smallest label among the tied ones; of training items at exactly the same
    distance, the earlier one counts as nearer. ``chunk``: test items searched at a time against the whole
    training set (default: as many as keep their block of distances at about 64 MB).
    """
    train_x = _flat(train_x, "train_x")
    train_y = _labels(train_y, len(train_x), "train_y")
    q, g = _pair(test_x, train_x, exclude_self=False)
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
    test_y = _labels(test_y, len(_flat(test_x, "test_x")), "test_y")
    return (knn_predict(train_x, train_y, test_x, k, chunk) == test_y).float().mean().item()


def precision_at_k(codes, labels, k: int = 10) -> float:
    """Retrieval: for every item, the share of its ``k`` nearest *other* items with its label, averaged."""
    codes = _flat(codes, "codes")
    labels = _labels(labels, len(codes), "labels")
    idx = nearest(codes, codes, k, exclude_self=True)
    return (labels[idx] == labels[:, None]).float().mean().item()
