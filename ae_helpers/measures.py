"""Statistics the notebooks teach about images and models (one number per image, or one per model).

Latent-space geometry (nearest items, spacing, the verdict) lives in :mod:`ae_helpers.latent` (the statistics here
build on it); figures only draw (:mod:`ae_helpers.figures`). Each function is tested in ``tests/test_measures.py``.
"""

from __future__ import annotations

import torch

from . import latent
from .data import CLASS_NAMES


def per_image_mse(a, b) -> torch.Tensor:
    """One number per image: the mean squared difference of its pixels."""
    return ((a - b) ** 2).flatten(1).mean(1)


def nearest_photos(images, gallery) -> tuple[torch.Tensor, torch.Tensor]:
    """For each image: the index of the most similar photo of ``gallery`` (the smallest pixel distance) and the
    MSE per pixel to it, ``(indices (N,), mses (N,))``; ``latent.nearest_images`` is the same search for one
    image and its ``k`` closest photos."""
    idx, _ = latent.nearest_item(torch.as_tensor(images).flatten(1), torch.as_tensor(gallery).flatten(1))
    return idx, per_image_mse(images, gallery[idx])


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
    """``n`` random addresses in the rectangle of ``codes`` that notebook 05's explorer would call "among real
    items" or "near real items" (:func:`latent.grade_points` against ``train_codes``, the
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

#: Kinds of clothing that look alike: the three shoes, and the four tops with sleeves or without.
SHOES = ("Sandal", "Sneaker", "Ankle boot")
TOPS = ("T-shirt/top", "Pullover", "Coat", "Shirt")


def neighbour_classes(codes, labels) -> torch.Tensor:
    """For every item, the class of its nearest *other* item (distance between codes)."""
    return torch.as_tensor(labels)[latent.nearest_item(codes, codes, exclude_self=True)[0]]


def neighbour_share(neighbour, labels, of, among) -> float:
    """Share of the items whose class is in ``of`` whose nearest other item (``neighbour``, from
    :func:`neighbour_classes`) has a class in ``among`` (class names)."""
    of_ids = torch.tensor([CLASS_NAMES.index(c) for c in of])
    among_ids = torch.tensor([CLASS_NAMES.index(c) for c in among])
    mine = torch.isin(torch.as_tensor(labels), of_ids)
    return torch.isin(neighbour[mine], among_ids).float().mean().item()


def top_neighbours(neighbour, labels, label: str, n: int = 3) -> str:
    """"Trouser 88%, Dress 7%, ...": the commonest classes among the nearest neighbours of one class."""
    mine = torch.as_tensor(labels) == CLASS_NAMES.index(label)
    counts = torch.bincount(neighbour[mine], minlength=len(CLASS_NAMES))
    top = counts.argsort(descending=True)[:n]
    return ", ".join(f"{CLASS_NAMES[k]} {counts[k] / mine.sum():.0%}" for k in top.tolist())


def neighbour_mixups(neighbour, labels) -> dict:
    """``{class name: (share of its items whose nearest other item is of another class, the commonest of
    those other classes)}`` for each class present, from :func:`neighbour_classes`."""
    labels = torch.as_tensor(labels)
    out = {}
    for c in labels.unique().tolist():
        mine = labels == c
        foreign = neighbour[mine & (neighbour != c)]
        common = CLASS_NAMES[int(foreign.mode().values)] if len(foreign) else None
        out[CLASS_NAMES[c]] = ((neighbour[mine] != c).float().mean().item(), common)
    return out


def one_per_class_pair(candidates, pairs, labels, n=10):
    """Up to ``n`` of ``candidates`` (indices into ``pairs`` of item indices): first one per pair of classes,
    in order, then the rest, so that a picture shows as many different blends as it can."""
    firsts, rest, seen = [], [], set()
    for k in candidates:
        classes = tuple(sorted(int(labels[i]) for i in pairs[k]))
        (rest if classes in seen else firsts).append(k)
        seen.add(classes)
    return (firsts + rest)[:n]


def grade_counts(grades) -> list[int]:
    """How many points got each grade of the explorer's verdict (one count per ``latent.VERDICT_GRADES``)."""
    return [list(grades).count(grade) for grade in range(len(latent.VERDICT_GRADES))]


#: 95 % of the draws of a 2D standard normal fall inside this radius (sqrt of the chi-square(2) 95 % point).
RADIUS_95 = (-2 * torch.log(torch.tensor(0.05))).sqrt().item()


def hole_flags(draws, codes) -> torch.Tensor:
    """True for each draw that 05's explorer would call "far from real items" (``latent.grade_points``)."""
    return latent.grade_points(draws, codes)["grade"] == len(latent.VERDICT_GRADES) - 1


def paired_two_se(differences, correction: int = 1) -> tuple[float, float]:
    """Mean of paired ``differences`` (a - b on the SAME items), 2 std / sqrt(n): its 2 SE (std over n - correction)."""
    d = torch.as_tensor(differences) * 1.0                 # True / False count as 1 / 0
    return d.mean().item(), 2 * (d.std(correction=correction) / len(d) ** 0.5).item()


def draw_measures(codes, labels, draws, decoded=None, gallery=None, centre=0.0, spread=1.0) -> dict:
    """How random ``draws`` relate to the real items' ``codes`` (and, optionally, their decoded pictures).

    * ``reach``: share of real items inside the region where 95 % of the draws land (the circle of N(0, I);
      for draws ``centre + spread * N(0, I)``, that circle moved and stretched the same way);
    * ``mix``: total variation distance between the classes of the items nearest to the draws and 10 % each;
    * ``holes``: share of draws that 05's explorer would call "far from real items" (``latent.grade_points``);
    * with ``decoded`` and ``gallery`` (real photos): ``nearest_photo``, the median pixel MSE from each decoded
      draw to its nearest photo in the gallery (low = close to some real photo in pixels, which a faint blur also
      is: pixel MSE favours the average, notebook 04), and the mean ``sharpness`` of the decoded draws.
    """
    closest, _ = latent.nearest_item(draws, codes)
    mix = torch.bincount(labels[closest], minlength=10).float() / len(draws)
    out = {"reach": (((codes - centre) / spread).norm(dim=1) <= RADIUS_95).float().mean().item(),
           "mix": 0.5 * (mix - 0.1).abs().sum().item(), "holes": hole_flags(draws, codes).float().mean().item()}
    if decoded is not None:
        out["nearest_photo"] = nearest_photos(decoded, gallery)[1].median().item()
        out["sharpness"] = sharpness(decoded).mean().item()
    return out


def checker_score(images) -> float:
    """How much of the image's contrast lies in the finest even/odd patterns (0 = none).

    Three patterns of +1/-1 signs: the checkerboard ((row + column) even or odd), stripes along the rows (row even
    or odd) and along the columns; for each, the share of the contrast that sits in it (0 to 1); the score adds the
    three shares, so it lies between 0 and 3: a sum of shares, not itself a share.
    """
    i, j = torch.arange(28)[:, None], torch.arange(28)[None, :]
    patterns = [((i + j) % 2) * 2 - 1, (i % 2) * 2 - 1 + 0 * j, (j % 2) * 2 - 1 + 0 * i]
    centred = images - images.mean(dim=(-1, -2), keepdim=True)
    contrast = centred.abs().mean(dim=(-1, -2))
    return sum(((centred * sign).mean(dim=(-1, -2)).abs() / contrast).mean().item() for sign in patterns)


def representative(items, labels, coordinate, n):
    """``n`` of ``items``, each class about as often as among all of them (largest remainders: a class with 46% of
    the items gets 3 of 6), commonest class first, and within a class spread evenly along ``coordinate``."""
    labels, coordinate = torch.as_tensor(labels)[items], torch.as_tensor(coordinate)[items]
    counts = torch.bincount(labels, minlength=len(CLASS_NAMES))
    quota = n * counts.double() / len(items)
    take = quota.floor().long()
    by_remainder = sorted(range(len(counts)), key=lambda c: (-float(quota[c] - take[c]), -int(counts[c]), c))
    for c in by_remainder[:n - int(take.sum())]:
        take[c] += 1
    picked = []
    for c in sorted(range(len(counts)), key=lambda c: (-int(counts[c]), c)):
        if take[c]:
            mine = items[labels == c][coordinate[labels == c].argsort()]
            picked.append(mine[((torch.arange(int(take[c])) + 0.5) * len(mine) / int(take[c])).long()])
    return torch.cat(picked)
