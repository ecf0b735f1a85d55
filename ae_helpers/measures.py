"""Statistics the notebooks teach about images and models (one number per image, or one per model).

Latent-space statistics (neighbours, spacing, the verdict) live in :mod:`ae_helpers.latent`; figures only draw
(:mod:`ae_helpers.figures`). Each function here is tested in ``tests/test_measures.py``.
"""

from __future__ import annotations

import torch

from . import latent
from .data import CLASS_NAMES


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

# notebook 02: what the two axes of the wardrobe follow, and which classes mix as neighbours

def visual_properties(images) -> dict:
    """Three simple numbers per photo: ink (the mean pixel: the item's area times how dark it is drawn),
    height and width (the rows / columns with ink)."""
    ink = (images > 0.2).float()                     # pixels that are clearly part of the item
    return {"ink": images.flatten(1).mean(1), "height": ink.amax(3).sum((1, 2)),
            "width": ink.amax(2).sum((1, 2))}


def top_classes(labels, idx, top: int = 2) -> list[tuple[str, float]]:
    """The ``top`` most common classes among the items ``idx``, with their share of them, most common first."""
    counts = torch.bincount(labels[idx], minlength=len(CLASS_NAMES))
    return [(CLASS_NAMES[c], (counts[c] / len(idx)).item()) for c in counts.argsort(descending=True)[:top].tolist()]


def axis_table(codes, images, labels, share=0.05) -> dict:
    """For each axis: its correlation with each visual property, and the two classes that crowd the lowest
    and the highest ``share`` of the items. ``{"corr": {prop: [c_z1, c_z2]}, "low": [...], "high": [...]}``,
    where ``low[axis]`` is ``[(class, share), (class, share)]``."""
    props = visual_properties(images)
    corr = {name: [torch.corrcoef(torch.stack([codes[:, a], v]))[0, 1].item() for a in range(codes.shape[1])]
            for name, v in props.items()}
    order, n_end = codes.argsort(0), int(len(codes) * share)
    return {"corr": corr, "share": share,
            "low": [top_classes(labels, order[:n_end, a]) for a in range(codes.shape[1])],
            "high": [top_classes(labels, order[-n_end:, a]) for a in range(codes.shape[1])]}


def strongest_property(table, axis: int) -> tuple[str, float]:
    """The visual property that goes most strongly (largest |correlation|) with ``axis``, and its correlation."""
    name = max(table["corr"], key=lambda p: abs(table["corr"][p][axis]))
    return name, table["corr"][name][axis]


def neighbour_purity(codes, labels, sample, k=10):
    """For the items ``sample``: the share of their ``k`` nearest other items of the same class, per class
    (purity, (10,)), and how often each pair of classes meets as neighbours (share of all pairs, (10, 10),
    upper triangle)."""
    n = len(CLASS_NAMES)
    neighbours = latent.nearest(codes[sample], codes, k + 1)[:, 1:]   # the nearest is the item itself
    mine, theirs = labels[sample][:, None].expand(-1, k), labels[neighbours]
    purity = torch.stack([(theirs[mine[:, 0] == c] == c).float().mean() for c in range(n)])
    a, b = torch.minimum(mine, theirs).flatten(), torch.maximum(mine, theirs).flatten()
    pairs = torch.bincount((a * n + b)[a != b], minlength=n * n).float().view(n, n) / mine.numel()
    return purity, pairs


def top_pairs(pairs, top=5) -> list[tuple[str, str, float]]:
    """The ``top`` pairs of classes that meet most often as neighbours (of :func:`neighbour_purity`), with
    their share of all neighbour pairs, most often first."""
    n = len(CLASS_NAMES)
    return [(CLASS_NAMES[i // n], CLASS_NAMES[i % n], pairs.flatten()[i].item())
            for i in pairs.flatten().argsort(descending=True)[:top].tolist()]


# notebook 03: addresses near the data, far outside it, and on a grid

def near_the_data(codes, train_codes, spacing=None, n=200, generator=None):
    """``n`` random addresses in the rectangle of ``codes`` that notebook 05's explorer would call "recalling a
    real item" or "a variation close to real items" (:func:`latent.grade_points` against ``train_codes``, the
    items the decoder learned from; ``spacing``: their :func:`latent.local_spacing`, computed if not given): new
    addresses among the real ones, not in a gap. Returns ``(points (n, 2), radius)``, ``radius`` = the farthest
    of them from an address of ``codes``."""
    codes, train_codes = torch.as_tensor(codes).float(), torch.as_tensor(train_codes).float()
    spacing = latent.local_spacing(train_codes) if spacing is None else spacing
    low, high = codes.min(0).values, codes.max(0).values
    kept = []
    while sum(len(k) for k in kept) < n:
        candidates = low + (high - low) * torch.rand(4 * n, 2, generator=generator)
        kept.append(candidates[latent.grade_points(candidates, train_codes, spacing)["grade"] < 2])
    points = torch.cat(kept)[:n]
    return points, float(latent.nearest_item(points, codes)[1].max())


def ring_around(codes, factor=3.0, n=200):
    """``n`` addresses on an ellipse around the middle of the data's rectangle, ``factor`` times its half-size."""
    low, high = codes.min(0).values, codes.max(0).values
    angle = torch.linspace(0, 2 * torch.pi, n + 1)[:-1]
    return (low + high) / 2 + factor * (high - low) / 2 * torch.stack([angle.cos(), angle.sin()], dim=1)


def grid_points(extent, n=15):
    """The (n * n, 2) addresses of an ``n`` x ``n`` grid covering ``extent`` (``(z1_min, z1_max, z2_min,
    z2_max)``), row by row from the top left: the cells of ``plots.decoded_grid``."""
    x0, x1, y0, y1 = extent
    return torch.cartesian_prod(torch.linspace(y1, y0, n), torch.linspace(x0, x1, n)).flip(1)





# -- statistics of notebooks 05-08 (added below this line) --
