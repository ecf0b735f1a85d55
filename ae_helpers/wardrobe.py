"""Pictures for the Magic Wardrobe story (notebooks 01 and 02).

* ``pick_items``        a seeded, class-balanced handful of items (the clothes in the pile)
* ``messy_pile``        the clothes thrown on a heap: random places, random angles
* ``nearest_images``    the closest real photos to an image (is a generated item a copy?)
* ``empty_spot``        an empty spot between two neighbouring groups
* ``draw_autoencoder``  the two-part network as boxes and arrows (784 -> ... -> 2 -> ... -> 784)

Every drawing function takes a matplotlib ``ax`` (made for you when omitted) and returns it;
end the notebook cell with ``plt.show()``. Importing this module has no side effects.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.transforms import Affine2D

from .plots import _ax


def pick_items(labels, per_class=10, seed=0) -> torch.Tensor:
    """Indices of ``per_class`` random items of every class, in a random (seeded) order."""
    labels = torch.as_tensor(labels)
    gen = torch.Generator().manual_seed(seed)
    chosen = []
    for c in labels.unique().tolist():
        idx = (labels == c).nonzero().flatten()
        chosen.append(idx[torch.randperm(len(idx), generator=gen)[:per_class]])
    chosen = torch.cat(chosen)
    return chosen[torch.randperm(len(chosen), generator=gen)]


def _rgba(img) -> np.ndarray:
    """A 28x28 image in [0, 1] as dark cloth on a see-through background."""
    p = np.asarray(torch.as_tensor(img).detach().float().cpu().reshape(28, 28))
    rgba = np.empty((28, 28, 4))
    rgba[..., :3] = (1.0 - p)[..., None] * 0.85  # like cmap "gray_r", a little darker
    rgba[..., 3] = np.clip(p * 4.0, 0.0, 1.0)    # background (p = 0) is transparent
    return rgba


def messy_pile(images, ax=None, seed=0, size=1.0, spread=9.0, title="A messy pile of clothes"):
    """Throw ``images`` (N, 1, 28, 28) on a heap: random positions and angles (seeded).

    Later items land on top of earlier ones, as in a real pile. Returns
    ``(ax, positions, angles)``: positions (N, 2) in pile units, angles (N,) in degrees,
    so a notebook can circle a particular item afterwards.
    """
    images = torch.as_tensor(images).detach().cpu()
    rng = np.random.default_rng(seed)
    n = len(images)
    # a heap: dense in the middle, thinner at the edges
    positions = np.clip(rng.normal(0.0, spread / 3.2, size=(n, 2)), -spread / 2, spread / 2)
    angles = rng.uniform(-180.0, 180.0, size=n)
    ax = _ax(ax)
    half = size / 2
    for img, (px, py), angle in zip(images, positions, angles):
        artist = ax.imshow(_rgba(img), extent=(px - half, px + half, py - half, py + half),
                           interpolation="bilinear", zorder=2)
        artist.set_transform(Affine2D().rotate_deg_around(px, py, angle) + ax.transData)
    lim = spread / 2 + size
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_facecolor("#f3eee4")  # the floor
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax, positions, angles


@torch.no_grad()
def nearest_images(pool, image, k=1, batch_size=5000):
    """The ``k`` images of ``pool`` (N, 1, 28, 28) closest to ``image`` (MSE per pixel).

    Returns ``(indices, mses)``, closest first. Works in batches, so the 60,000 training
    images fit in memory easily.
    """
    target = torch.as_tensor(image).reshape(1, -1).float()
    errors = torch.cat([((xb.reshape(len(xb), -1) - target) ** 2).mean(1)
                        for xb in torch.as_tensor(pool).split(batch_size)])
    mses, indices = errors.topk(k, largest=False)
    return indices, mses


@torch.no_grad()
def empty_spot(codes, labels, neighbours=2, steps=41, middle=0.6):
    """An empty spot in a 2D map, between two neighbouring groups of codes.

    For every class, walk the straight line from its centre (mean code) to the centres of
    its ``neighbours`` nearest classes; on the ``middle`` part of each line measure the
    distance to the closest code. Returns ``(spot (2,), gap, (a, b))``: the spot farthest
    from every code, its distance ``gap`` to the closest code, and the two classes it lies
    between.
    """
    codes = torch.as_tensor(codes).detach().float()
    labels = torch.as_tensor(labels)
    classes = labels.unique().tolist()
    centres = torch.stack([codes[labels == c].mean(0) for c in classes])
    between = torch.cdist(centres, centres).fill_diagonal_(float("inf"))
    pairs = {tuple(sorted((i, int(j)))) for i in range(len(classes))
             for j in between[i].topk(neighbours, largest=False).indices}
    t = torch.linspace(0.5 - middle / 2, 0.5 + middle / 2, steps)[:, None]
    best = (None, -1.0, None)
    for i, j in sorted(pairs):
        line = centres[i] + t * (centres[j] - centres[i])           # (steps, 2)
        gaps = torch.cat([torch.cdist(line, part).min(1).values for part in codes.split(20000)])
        gaps = gaps.view(-1, steps).min(0).values
        k = int(gaps.argmax())
        if gaps[k] > best[1]:
            best = (line[k].clone(), float(gaps[k]), (classes[i], classes[j]))
    return best


def _box(ax, x, height, width, color, text, fontsize=9):
    ax.add_patch(FancyBboxPatch((x - width / 2, -height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=color, edgecolor="0.25", linewidth=1.0))
    ax.text(x, 0, text, ha="center", va="center", fontsize=fontsize, rotation=90 if height > 1.2 else 0)


def draw_autoencoder(sizes=(784, 256, 128, 2, 128, 256, 784), ax=None, images=None,
                     title="An autoencoder: two networks joined at the bottleneck"):
    """The two-part network as boxes (height ~ layer size) and arrows.

    ``sizes`` runs from the input through the bottleneck (the smallest size) to the output.
    ``images`` (optional): ``(original, reconstruction)`` drawn at the two ends.
    """
    sizes = list(sizes)
    mid = int(np.argmin(sizes))
    ax = _ax(ax, figsize=(11, 3.8))
    gap = 1.6
    xs = np.arange(len(sizes)) * gap
    heights = [0.5 + 2.4 * np.log(s) / np.log(max(sizes)) for s in sizes]
    for i, (x, s, h) in enumerate(zip(xs, sizes, heights)):
        if i == mid:
            color, text = "#ffd166", f"z: {s}"
        else:
            color = "#8ecae6" if i < mid else "#f4a3a8"
            text = f"{s}"
        _box(ax, x, h, 0.55 if i != mid else 0.8, color, text, fontsize=10)
        if i + 1 < len(sizes):
            ax.add_patch(FancyArrowPatch((x + 0.32, 0), (xs[i + 1] - 0.32, 0), arrowstyle="-|>",
                                         mutation_scale=14, color="0.3"))
            last = i + 1 in (mid, len(sizes) - 1)
            step = "Linear" + ("" if i + 1 == mid else "\n+ Sigmoid" if last else "\n+ ReLU")
            ax.text((x + xs[i + 1]) / 2, 0.12, step, ha="center", va="bottom", fontsize=7, color="0.3")
    top = max(heights) / 2 + 0.35
    for lo, hi, color, label in ((xs[0], xs[mid], "#219ebc", "ENCODER: compresses"),
                                 (xs[mid], xs[-1], "#d62828", "DECODER: reconstructs")):
        ax.annotate("", (lo, top), (hi, top), arrowprops={"arrowstyle": "<->", "color": color})
        ax.text((lo + hi) / 2, top + 0.12, label, ha="center", va="bottom", color=color,
                fontsize=11, weight="bold")
    ax.text(xs[mid], -max(heights) / 2 - 0.25, "bottleneck\n(latent code)", ha="center",
            va="top", fontsize=9)
    left, right = xs[0] - 0.6, xs[-1] + 0.6
    if images is not None:
        for img, x, label in zip(images, (xs[0] - 1.6, xs[-1] + 1.6), ("x (input)", "x' (output)")):
            p = np.asarray(torch.as_tensor(img).detach().float().cpu().reshape(28, 28))
            ax.imshow(p, cmap="gray_r", vmin=0, vmax=1, extent=(x - 0.7, x + 0.7, -0.7, 0.7), zorder=3)
            ax.text(x, -0.85, label, ha="center", va="top", fontsize=9)
        left, right = xs[0] - 2.5, xs[-1] + 2.5
    ax.set_xlim(left, right)
    ax.set_ylim(-max(heights) / 2 - 0.9, top + 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
