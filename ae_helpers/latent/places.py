"""Places on the 2D map and items to show: the map's extent, straight paths, the emptiest spots, a spot the
decoder sews into a real-looking item, and seeded, class-balanced picks of items.

* the map: ``extent``, ``interpolate``, ``emptiest_spots``, ``sewable_spot``
* picking items: ``central_item``, ``first_of_each_class``, ``pick_items``
"""

from __future__ import annotations

import torch

from .._tensors import flat
from .neighbours import nearest_item


def extent(codes, margin: float = 0.1, quantile: float = 0.0) -> tuple[float, float, float, float]:
    """``(z1_min, z1_max, z2_min, z2_max)`` of 2D codes, widened by ``margin`` of the range on each side.

    ``quantile > 0`` ignores that share of outliers at each end (e.g. 0.001)."""
    codes = flat(codes, "codes")
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
def emptiest_spots(codes, n: int = 8, min_gap: float = 0.0, grid: int = 60, within: float = 1.5, apart: float = 0.1):
    """Up to ``n`` spread-out points of a 2D map that are farthest from every code (and farther than ``min_gap``),
    each more than ``apart`` of the box's diagonal from those kept before it (``apart=0``: every candidate).

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
        if apart <= 0 or all((candidates[i] - candidates[j]).norm() > apart * (high - low).norm() for j in chosen):
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


def central_item(codes, labels, class_index: int) -> int:
    """The index of the item of class ``class_index`` nearest the middle (median) of its class's ``codes``: a real
    item, even when the class's cluster is shaped like a ring and its median lies in a hole."""
    members = (torch.as_tensor(labels).flatten() == class_index).nonzero()[:, 0]
    if len(members) == 0:
        raise ValueError(f"no item of class {class_index} among the {len(labels)} labels")
    codes = flat(codes, "codes")
    middle = codes[members].median(0).values
    return int(members[(codes[members] - middle).norm(dim=1).argmin()])


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
