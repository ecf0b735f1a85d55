"""Drawings for the Magic Wardrobe story (notebooks 01 and 02, the slides).

* ``pile_layout``       where each item of the pile lands (seeded random places and angles)
* ``draw_pile``         the clothes thrown on a heap, drawn at those places
* ``draw_autoencoder``  the two-part network as boxes and arrows (784 -> ... -> 2 -> ... -> 784)

The plotting convention of :mod:`ae_helpers.plots`: data first, ``ax=None`` -> a new figure, the axes
returned; end the notebook cell with ``plt.show()``. The searches and the sampler of the story
(``pick_items``, ``emptiest_spots``, ``nearest_images``) are plain functions in :mod:`ae_helpers.latent`.
Importing this module has no side effects.
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.transforms import Affine2D

from .plots import get_ax


def _rgba(img) -> np.ndarray:
    """A 28x28 image in [0, 1] as dark cloth on a see-through background."""
    p = np.asarray(torch.as_tensor(img).detach().float().cpu().reshape(28, 28))
    rgba = np.empty((28, 28, 4))
    rgba[..., :3] = (1.0 - p)[..., None] * 0.85  # like cmap "gray_r", a little darker
    rgba[..., 3] = np.clip(p * 4.0, 0.0, 1.0)    # background (p = 0) is transparent
    return rgba


def pile_layout(n, seed=0, spread=9.0) -> tuple[np.ndarray, np.ndarray]:
    """Where ``n`` items thrown on a heap land: ``(positions (n, 2), angles (n,) in degrees)``, seeded.

    A heap: dense in the middle, thinner at the edges."""
    rng = np.random.default_rng(seed)
    positions = np.clip(rng.normal(0.0, spread / 3.2, size=(n, 2)), -spread / 2, spread / 2)
    angles = rng.uniform(-180.0, 180.0, size=n)
    return positions, angles


def draw_pile(images, positions, angles, ax=None, size=1.0, title="A messy pile of clothes"):
    """Draw ``images`` (N, 1, 28, 28) at ``positions`` (N, 2), turned by ``angles`` (see :func:`pile_layout`).

    Later items land on top of earlier ones, as in a real pile. Returns the axes."""
    images = torch.as_tensor(images).detach().cpu()
    ax = get_ax(ax)
    half = size / 2
    for img, (px, py), angle in zip(images, positions, angles):
        artist = ax.imshow(_rgba(img), extent=(px - half, px + half, py - half, py + half),
                           interpolation="bilinear", zorder=2)
        artist.set_transform(Affine2D().rotate_deg_around(px, py, angle) + ax.transData)
    lim = np.abs(np.asarray(positions)).max(initial=0.0) + size
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_facecolor("#f3eee4")  # the floor
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


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
    ax = get_ax(ax, figsize=(11, 3.8))
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
