"""Plotting boilerplate, written once: image rows, latent maps, decoded grids, loss curves, error by size.

Every function draws on a matplotlib ``ax`` (made for you when omitted) and returns it,
so notebooks can combine them; end a notebook cell with ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.offsetbox import AnnotationBbox, OffsetImage
from matplotlib.ticker import MaxNLocator

from .data import CLASS_NAMES
from .measures import grid_points

#: One colour per class (hex, in ``CLASS_NAMES`` order), the same in every figure, the explorers and the slides:
#: Matthew Petroff's ten colours for colour-vision deficiencies (arXiv 2107.02270; matplotlib's "petroff10"),
#: placed so that the kinds that hang side by side (tops; footwear) get the colours farthest apart.
#: ``benchmarks/bench_palette.py`` prints how far apart they stay under deuteranopia, protanopia and tritanopia.
CLASS_COLORS = ("#bd1f01", "#94a4a2", "#832db6", "#b9ac70", "#717581",
                "#ffa90e", "#92dadd", "#3f90da", "#e76300", "#a96b59")
#: The class names on a map: dark text with a white halo, readable on dots of any colour.
LABEL_STYLE = {"fontsize": 8, "weight": "bold", "color": "#111111", "ha": "center", "va": "center",
               "path_effects": [patheffects.withStroke(linewidth=3, foreground="white")]}


def get_ax(ax=None, figsize=(6, 6)):
    """``ax``, or a new figure's axes of size ``figsize`` when ``ax`` is None: the course's plotting convention
    (data first, ``ax=None`` -> a new figure, return the axes)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def get_axes(axes=None, nrows: int = 1, ncols: int = 1, figsize=(6, 6), suptitle=None, **subplots):
    """``axes``, or a new figure's ``nrows`` x ``ncols`` grid of axes (always 2-D, ``axes[row, col]``) when
    ``axes`` is None: :func:`get_ax` for figures of several panels. A new figure gets the title ``suptitle``;
    other keywords (e.g. ``width_ratios``) go to ``plt.subplots``."""
    if axes is None:
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, **subplots)
        if suptitle:
            fig.suptitle(suptitle)
    return axes


def image_row(images, titles=None, axes=None, suptitle=None, size=1.3, fontsize=8, cmap="gray_r"):
    """Images (a tensor or a list of 28x28 images) side by side, each with its own title."""
    images = [torch.as_tensor(img).detach().float().cpu() for img in images]
    new_figure = axes is None
    if new_figure:
        axes = get_axes(None, 1, len(images), (size * len(images), size * 1.25), suptitle)[0]
    for i, (ax, img) in enumerate(zip(axes, images)):
        ax.imshow(img.reshape(28, 28).numpy(), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=fontsize)
    if new_figure:
        axes[0].figure.tight_layout()  # after the titles, so they are taken into account
    return axes


class _Repel(Artist):
    """Drawn just before the class names (a lower zorder): moves overlapping names apart, in screen pixels, and
    keeps them inside the axes. It runs at every draw, so later limits, sizes and layouts are taken into account."""

    def __init__(self, ax, names, pad=2.0):
        super().__init__()
        self.names, self.pad = names, pad
        self.set_zorder(names[0].get_zorder() - 0.01)
        ax.add_artist(self)

    def draw(self, renderer):
        ax = self.axes
        anchors = ax.transData.transform([n.xy for n in self.names])
        box = ax.bbox
        shown = [n for n, (x, y) in zip(self.names, anchors) if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1]
        for n in self.names:
            n.set_visible(n in shown)
        if not shown:
            return
        centre = ax.transData.transform([n.xy for n in shown])
        half = np.array([[e.width / 2 + self.pad, e.height / 2 + self.pad]
                         for e in (n.get_window_extent(renderer) for n in shown)])
        pos = nudge(centre, half, (box.x0, box.y0, box.x1, box.y1))
        scale = 72 / ax.figure.dpi  # pixels -> points
        for n, p, c in zip(shown, pos, centre):
            n.xyann = tuple((p - c) * scale)


def nudge(centres, half, bounds, steps=200):
    """Centres of boxes (``half``: half width and height of each) moved apart until no two overlap (a repel
    pass: each overlapping pair moves apart along the shorter overlap) and kept inside ``bounds`` (x0, y0, x1, y1)
    where the box fits."""
    pos = np.asarray(centres, float).copy()
    lo, hi = np.array(bounds[:2]) + half, np.array(bounds[2:]) - half
    for _ in range(steps):
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                gap = pos[j] - pos[i]
                overlap = half[i] + half[j] - np.abs(gap)
                if (overlap <= 0).any():
                    continue
                k = int(np.argmin(overlap))          # the cheaper direction
                push = (overlap[k] / 2 + 0.5) * (1 if gap[k] > 0 or (gap[k] == 0 and i % 2) else -1)
                pos[i, k] -= push
                pos[j, k] += push
                moved = True
        pos = np.where(lo <= hi, np.clip(pos, lo, np.maximum(lo, hi)), pos)
        if not moved:
            break
    return pos


def class_medians(codes, labels) -> dict[int, np.ndarray]:
    """``{class: its median code}`` (per coordinate) for the classes present in ``labels``."""
    codes, labels = (np.asarray(torch.as_tensor(a).detach().cpu()) for a in (codes, labels))
    return {c: np.median(codes[labels == c], axis=0) for c in range(len(CLASS_NAMES)) if (labels == c).any()}


def class_labels(codes, labels, ax, **style):
    """Write each class's name at its median code, with a halo (:data:`LABEL_STYLE`, changed by ``style``);
    names that would overlap are nudged apart when the figure is drawn. Returns the annotations, whose ``xy``
    is the median."""
    style = {**LABEL_STYLE, **style}
    names = [ax.annotate(CLASS_NAMES[c], xy=tuple(m), xytext=(0, 0), textcoords="offset points", zorder=6,
                         **style) for c, m in class_medians(codes, labels).items()]
    if names:
        _Repel(ax, names)
    return names


@torch.no_grad()
def latent_scatter(codes, labels, ax=None, s=3, alpha=0.5, legend=None, title="The latent space", names=True):
    """2D codes coloured by class; with ``names`` each class's name is written at its median code
    (:func:`class_labels`). ``legend``: a legend of the classes present (default: only without ``names``)."""
    codes = np.asarray(torch.as_tensor(codes).detach().cpu())
    labels = np.asarray(torch.as_tensor(labels).cpu())
    ax = get_ax(ax)
    for c, name in enumerate(CLASS_NAMES):
        pts = codes[labels == c]
        if not len(pts):
            continue                                   # the legend lists only the classes plotted
        ax.scatter(pts[:, 0], pts[:, 1], s=s, alpha=alpha, color=CLASS_COLORS[c], label=name, rasterized=True)
    if names:
        class_labels(codes, labels, ax)
    if legend or (legend is None and not names):
        ax.legend(markerscale=12 / max(s, 1), fontsize=8, loc="best", framealpha=0.85)
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    if title:
        ax.set_title(title)
    return ax


def image_scatter(images, positions, ax=None, zoom=0.6, labels=None, frame=True):
    """Thumbnails of ``images`` drawn at 2D ``positions`` (a wardrobe of real items)."""
    images = torch.as_tensor(images).detach().cpu()
    positions = np.asarray(torch.as_tensor(positions).detach().cpu())
    ax = get_ax(ax)
    for i, (img, (px, py)) in enumerate(zip(images, positions)):
        color = CLASS_COLORS[int(labels[i])] if labels is not None else "0.5"
        box = OffsetImage(img.reshape(28, 28).numpy(), cmap="gray_r", zoom=zoom, norm=plt.Normalize(0, 1))
        ax.add_artist(AnnotationBbox(box, (px, py), frameon=frame, pad=0.1,
                                     bboxprops={"edgecolor": color, "linewidth": 1.2}))
    pad = 0.05 * (positions.max(0) - positions.min(0) + 1e-9)
    ax.set_xlim(positions[:, 0].min() - pad[0], positions[:, 0].max() + pad[0])
    ax.set_ylim(positions[:, 1].min() - pad[1], positions[:, 1].max() + pad[1])
    return ax


@torch.no_grad()
def decoded_grid(model, extent, n=15, ax=None, title="What the decoder makes at each point"):
    """Decode an ``n`` x ``n`` grid of points covering ``extent`` (``latent.extent``) and show them as one picture."""
    imgs = model.decode(grid_points(extent, n)).reshape(n, n, 28, 28).permute(0, 2, 1, 3).reshape(n * 28, n * 28)
    ax = get_ax(ax)
    ax.imshow(imgs.numpy(), cmap="gray_r", vmin=0, vmax=1, extent=extent, aspect="auto", interpolation="nearest")
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    if title:
        ax.set_title(title)
    return ax


def loss_curves(histories, ax=None, title="Loss per epoch", ylabel="loss per pixel"):
    """``{"name": history}`` (from ``train``) or one history -> train (solid) and validation (dashed) curves."""
    if "train" in histories:
        histories = {"": histories}
    ax = get_ax(ax, figsize=(6, 4))
    for i, (name, h) in enumerate(histories.items()):
        color = f"C{i}"
        epochs = np.arange(1, len(h["train"]) + 1)
        ax.plot(epochs, h["train"], color=color, label=f"{name} training".strip())
        if h.get("val"):
            ax.plot(epochs, h["val"], color=color, linestyle="--", label=f"{name} validation".strip())
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs: no ticks at 1.5, 2.5, ...
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def error_by_size(ae_mse: dict, pca_mse: dict, ax=None, title="Error against the latent size"):
    """Test MSE per pixel against the latent size: the autoencoders (``{size: MSE}``, a line) and PCA
    (``{k: MSE}``, grey squares), on a log-2 axis of sizes."""
    ax = get_ax(ax, figsize=(6.5, 4))
    sizes, ks = sorted(ae_mse), sorted(pca_mse)
    ax.plot(ks, [pca_mse[k] for k in ks], "s--", color="0.5", label="PCA (linear): fitted on the training photos")
    ax.plot(sizes, [ae_mse[d] for d in sizes], "o-", color="C3", label="autoencoder: one trained model per size")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(d) for d in sizes])
    ax.set_xlabel("latent size (numbers per item; each step doubles it)")
    ax.set_ylabel("MSE per pixel on the test photos (both)")
    ax.set_title(title)
    ax.legend()
    return ax
