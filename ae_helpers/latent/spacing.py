"""How far apart the real items hang, and the verdict graded by it: does a point of the map hang among real items,
near real items, or far from real items? (Where the point hangs, not how Brian's picture there looks.)

* ``typical_gap``: the typical distance from an item to its nearest other item
* ``local_spacing`` (``SPACING_NEIGHBOURS``): the spacing of the items around each item
* ``VERDICT_GRADES``, ``verdict_grade``, ``ratio_text``, ``verdict``, ``grade_points``: the grades (the latent
  distance to the nearest real item, in units of the spacing of the items around it) and their words
"""

from __future__ import annotations

import math

import torch

from .._tensors import chunked_distances, flat
from .neighbours import nearest_item


def typical_gap(codes, quantile: float = 0.5, sample: int = 1000, seed: int = 0) -> float:
    """The typical gap between neighbouring items: the distance from a real item to its nearest other
    real item, at ``quantile`` (0.5: the median), measured on ``sample`` items picked with ``seed``."""
    codes = flat(codes, "codes")
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
    codes = flat(codes, "codes")
    if not 1 <= k < len(codes):
        raise ValueError(f"k must be between 1 and {len(codes) - 1} (the number of other items), got {k}")
    kth = _kth_distances(codes, k)
    return kth.clamp_max(float(torch.quantile(kth, cap_quantile))).clamp_min(1e-6)


def _kth_distances(codes, k):
    """Exact distance from each item to its ``k``-th nearest other item (itself, at 0, is the first of k + 1)."""
    exact = {"compute_mode": "donot_use_mm_for_euclid_dist"}
    if codes.shape[1] != 2 or len(codes) < 2000:  # all pairs, 1000 items at a time
        blocks = chunked_distances(codes, codes, False, 1000, **exact)
        return torch.cat([d.topk(k + 1, largest=False).values[:, -1] for d in blocks])
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
#: a point hangs "among real items"; up to 1.5 times it, in or just outside the neighbourhood, "near real items";
#: beyond, well outside the nearest item's neighbourhood, "far from real items". The words name a place, not a
#: judgement of the picture Brian sews there. The kernel-free explorer page gets them through its exported data,
#: so both explorers agree.
VERDICT_GRADES = ((0.5, "among real items"),
                  (1.5, "near real items"),
                  (math.inf, "far from real items"))


def verdict_grade(distance: float, spacing: float) -> int:
    """0 (among real items), 1 (near real items) or 2 (far from real items): ``distance`` (from a point to its
    nearest real item) in units of ``spacing`` (that item's :func:`local_spacing`); see :data:`VERDICT_GRADES`."""
    ratio = float(distance) / float(spacing)
    return next(k for k, (most, _) in enumerate(VERDICT_GRADES) if ratio <= most)


def ratio_text(ratio, decimals: int = 2, limits: bool = True) -> str:
    """A distance in spacings with ``decimals`` (2) decimals, rounded *up*, so that the printed number never crosses
    a grade's limit (0.5, 1.5): 0.501 (near) shows as 0.51, not 0.50 (which would read "among real items"). A ratio
    just below a limit gets more decimals rather than print as the limit itself: 1.495 (near) shows as 1.495, not
    1.50, which a reader could not place. ``limits=False`` (any other rounded-up number) skips that."""
    ratio, edges = float(ratio), [most for most, _ in VERDICT_GRADES if limits and math.isfinite(most)]
    for places in range(decimals, decimals + 5):
        shown = math.ceil(ratio * 10 ** places - 1e-9) / 10 ** places
        if not any(shown == edge > ratio for edge in edges):
            break
    return f"{shown:.{places}f}"


def verdict(distance: float, spacing: float) -> str:
    """A graded phrase for a point whose nearest real item is ``distance`` away in the latent space; ``spacing``
    is that item's :func:`local_spacing`, the distance from it to its 10th nearest real item."""
    words = VERDICT_GRADES[verdict_grade(distance, spacing)][1]
    return (f"latent distance to the nearest real item {float(distance):.3f} = "
            f"{ratio_text(float(distance) / float(spacing))}x its spacing ({float(spacing):.3f}, the distance from "
            f"that item to its {SPACING_NEIGHBOURS}th nearest real item): the point hangs {words}")


def grade_points(points, codes, spacing=None) -> dict:
    """The verdict for many points at once: ``{"index", "distance", "ratio", "grade"}`` (tensors (Q,)): each
    point's nearest item of ``codes``, its latent distance, that distance in units of the item's
    :func:`local_spacing` (pass ``spacing`` to reuse one computed before) and the grade (:func:`verdict_grade`)."""
    codes = flat(codes, "codes")
    spacing = local_spacing(codes) if spacing is None else torch.as_tensor(spacing).float()
    index, distance = nearest_item(points, codes)
    ratio = distance / spacing[index]
    bounds = torch.tensor([most for most, _ in VERDICT_GRADES[:-1]])
    return {"index": index, "distance": distance, "ratio": ratio,
            "grade": torch.bucketize(ratio, bounds)}  # ratio <= bound[0] -> 0, ...
