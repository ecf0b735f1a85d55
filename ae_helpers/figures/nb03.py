"""Figures of notebook 03 (the decoder); the addresses and statistics they show are in :mod:`ae_helpers.measures`.

* ``sigmoid_figure``        the sigmoid, one image's logits before it and its pixels after it
* ``address_on_map``        a chosen address on the map of real items, and what the decoder sews there
* ``copies_figure``         originals and their reconstructions, with each copy's error
* ``class_error_bars``      mean reconstruction error per class, easiest to hardest
* ``ranking_text``          that ranking as text, with its chains of ties
* ``variety_figure``        each class's average image, and variety against error
* ``inside_outside_figure`` new items near the data and far outside it, with their nearest real photos
* ``distance_histograms``   how far new images are from their nearest real photo
* ``spots_figure``          the emptiest spots on the map, and what the decoder sews there
* ``frame_cells``           frames around chosen cells of a decoded grid (and crosses at their addresses on a map)

Convention: data first, ``ax=None`` (or ``axes=None``, a 2-D grid ``axes[row, col]``; or ``fig=None``) creates a
figure, the axes are returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from .. import latent
from ..data import CLASS_NAMES
from ..measures import grid_points
from ..plots import CLASS_COLORS, get_ax, get_axes, image_row, latent_scatter


def sigmoid_figure(logits, image, z, axes=None):
    """Left: the sigmoid curve over a histogram of ``logits``; middle and right: the logits and the pixels."""
    axes = get_axes(axes, 1, 3, (12, 3.4), f"What Brian sews at z = ({z[0]:.1f}, {z[1]:.1f})")
    curve, before, after = axes[0]
    t = torch.linspace(-10, 10, 200)
    curve.plot(t, torch.sigmoid(t), color="C0", label="sigmoid σ(t)")
    curve.set_ylabel("σ(t), the pixel's ink (0 to 1)", color="C0")
    counts = curve.twinx()                                 # the histogram has its own scale: how many logits
    counts.hist(logits.flatten(), bins=40, color="C1", alpha=0.5, label="this image's logits")
    counts.set_ylabel("number of the 784 logits", color="C1")
    curve.set_zorder(counts.get_zorder() + 1)              # the curve in front of the histogram
    curve.patch.set_visible(False)
    curve.set_title("sigmoid: any number → (0, 1)")
    curve.set_xlabel("logit t")
    curve.legend(loc="upper left", fontsize=8)
    counts.legend(loc="center left", fontsize=8)
    bound = float(logits.abs().max())                      # logits: a diverging scale centred at 0 (not ink)
    for ax, pic, title, scale, cmap, unit in [
            (before, logits, "before the sigmoid (logits, not ink)", {"vmin": -bound, "vmax": bound}, "RdBu_r",
             "logit (any number; < 0: blue)"),
            (after, image, "after the sigmoid (pixels, 0 to 1)", {"vmin": 0, "vmax": 1}, "gray_r",
             "ink (0 white, 1 black)")]:
        shown = ax.imshow(pic.reshape(28, 28), cmap=cmap, **scale)
        plt.colorbar(shown, ax=ax, label=unit)
        ax.set_title(title)
        ax.set_axis_off()
    plt.gcf().tight_layout()
    return axes


def address_on_map(codes, labels, z, image, axes=None):
    """The map of real ``codes``, a star at the address ``z`` (2,), and the decoded ``image`` beside it."""
    axes = get_axes(axes, 1, 2, (10, 4.6), width_ratios=[1.6, 1])
    ax_map, ax_image = axes[0]
    latent_scatter(codes, labels, ax=ax_map, s=2, alpha=0.3, title="the wardrobe (test items)")
    ax_map.scatter(*z, marker="*", s=350, color="black", edgecolor="white", zorder=5)
    ax_image.imshow(image.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    ax_image.set_title(f"decoded z = ({z[0]:.1f}, {z[1]:.1f})")
    ax_image.set_axis_off()
    plt.gcf().tight_layout()
    return axes


def copies_figure(originals, copies, errors, titles, axes=None):
    """Rows of originals (R, C, 1, 28, 28) each followed by a row of their copies with their MSE to their original."""
    rows, cols = len(originals), len(originals[0])
    axes = get_axes(axes, 2 * rows, cols, (1.3 * cols, 3.1 * rows),
                    "Every class: originals and their reconstructions from a 2-number address")
    for r in range(rows):
        image_row(originals[r], titles, axes[2 * r])
        image_row(copies[r], [f"copy: {e:.3f} to own" for e in errors[r]], axes[2 * r + 1])
        axes[2 * r, 0].set_ylabel("original", fontsize=9)
        axes[2 * r + 1, 0].set_ylabel("Brian's copy", fontsize=9)
    plt.gcf().tight_layout()
    return axes


def class_error_bars(class_error, overall, ax=None):
    """Horizontal bars of the per-class error, easiest at the bottom, with the overall mean dashed."""
    ax = get_ax(ax, figsize=(8, 3.8))
    order = np.argsort(class_error)
    ax.barh([CLASS_NAMES[c] for c in order], class_error[order], color=[CLASS_COLORS[c] for c in order])
    ax.axvline(overall, color="black", linestyle="--", label=f"all items: {overall:.4f}")
    ax.set_xlabel("mean reconstruction error (MSE per pixel of each copy to its own photo), test set")
    ax.set_title("Which clothes Brian finds hard (longest bar = hardest)")
    ax.legend()
    plt.gcf().tight_layout()
    return ax


def ranking_text(values, names, tie=0.001, n_easy=2, n_hard=3):
    """Each class's value, smallest first; the neighbours in that ranking within ``tie`` of each other; the largest
    over the smallest; the ``n_easy`` smallest and ``n_hard`` largest, and whether each group ties with the next."""
    order = [int(c) for c in np.argsort(values)]
    pairs = [(a, b) for a, b in zip(order, order[1:]) if values[b] - values[a] < tie]

    def group(picked, outer):                            # the names; does the innermost tie with the next outside?
        inner = picked[-1] if order.index(outer) > order.index(picked[-1]) else picked[0]
        gap = abs(values[outer] - values[inner])
        tied = f" ({names[inner]} and the next, {names[outer]}, {gap:.4f} apart: a tie)" if gap < tie else ""
        return ", ".join(names[c] for c in picked) + tied
    return "\n".join([*(f"{names[c]:12} {values[c]:.4f}" for c in order),
                      f"ties (neighbours in this ranking less than {tie} apart; their order can change from run "
                      "to run): " + ("; ".join(f"{names[a]} ~ {names[b]}" for a, b in pairs) or "none"),
                      f"the hardest class's error is {max(values) / min(values):.1f} times the easiest's; "
                      f"easiest: {group(order[:n_easy], order[n_easy])}; "
                      f"hardest: {group(order[-n_hard:], order[-n_hard - 1])}"])


def variety_figure(class_mean, class_variety, class_error, fig=None):
    """Top: each class's average image (easiest to hardest); bottom: variety against reconstruction error."""
    fig = fig or plt.figure(figsize=(13, 4.2))
    order = np.argsort(class_error)
    correlation = np.corrcoef(class_variety, class_error)[0, 1]
    grid = fig.add_gridspec(2, 10, height_ratios=[1, 2.4], hspace=0.5)
    image_row(class_mean[order], [f"{CLASS_NAMES[c]}\nvariety {class_variety[c]:.3f}" for c in order],
              [fig.add_subplot(grid[0, i]) for i in range(10)])
    ax = fig.add_subplot(grid[1, 2:8])
    for c in range(10):
        ax.scatter(class_variety[c], class_error[c], color=CLASS_COLORS[c], s=60)
    ax.set_xlabel("variety of the class (mean squared distance to the class average)")
    ax.set_ylabel("reconstruction error")
    line = np.polyval(np.polyfit(class_variety, class_error, 1), np.sort(class_variety))
    ax.plot(np.sort(class_variety), line, color="grey", linestyle="--", linewidth=1, label="the trend (straight line)")
    ax.legend(fontsize=8, loc="upper left")
    _label_points(ax, class_variety, class_error, CLASS_NAMES, CLASS_COLORS)
    ax.set_title(f"Top: average item of each class, easiest to hardest.  Correlation: {correlation:.2f}")
    return ax


# where a point's label may go, in points from the dot: right, left, above, below, then the corners farther out
_LABEL_SPOTS = [((7, 0), "left"), ((7, -8), "left"), ((-7, 0), "right"), ((-7, -8), "right"), ((0, 10), "center"),
                ((0, -12), "center"), ((10, 12), "left"), ((10, -20), "left"), ((-10, 12), "right"),
                ((-10, -20), "right"), ((20, 22), "left"), ((20, -30), "left"), ((-20, 22), "right"),
                ((-20, -30), "right"), ((0, 28), "center"), ((0, -36), "center")]


def _label_points(ax, xs, ys, names, colors, fontsize=8, avoid=()):
    """Name each point (xs[i], ys[i]) beside it, at the first spot of ``_LABEL_SPOTS`` where its label and the short
    leader line (in the dot's colour, ``colors[i]``) joining it to its dot stay inside the axes and cover no other
    dot, label, leader or box of ``avoid`` (else the last spot): each label names THAT dot, and all stay readable."""
    renderer = ax.figure.canvas.get_renderer()
    ax.get_xlim(), ax.get_ylim()                      # settle the limits: the spots are found in screen space
    pad = 5 * ax.figure.dpi / 72                      # a dot's radius (s=60), in pixels
    centres = ax.transData.transform(np.column_stack([xs, ys]))
    dots = [Bbox.from_extents(cx - pad, cy - pad, cx + pad, cy + pad) for cx, cy in centres]
    placed = []
    for i, (x, y, name) in enumerate(zip(xs, ys, names)):
        taken = placed + list(avoid) + [d for j, d in enumerate(dots) if j != i]      # other dots, labels, leaders
        for k, (offset, ha) in enumerate(_LABEL_SPOTS):
            label = ax.annotate(name, (x, y), textcoords="offset points", xytext=offset, ha=ha, fontsize=fontsize,
                                va="center", arrowprops={"arrowstyle": "-", "color": colors[i], "lw": 1.3,
                                                         "shrinkA": 1, "shrinkB": 4})
            box = label.get_window_extent(renderer)
            cx, cy = centres[i]
            near_x, near_y = np.clip(cx, box.x0, box.x1), np.clip(cy, box.y0, box.y1)   # the leader's end at the label
            line = Bbox.from_extents(min(cx, near_x) - 1, min(cy, near_y) - 1, max(cx, near_x) + 1, max(cy, near_y) + 1)
            box = box.expanded(1.05, 1.1)
            inside = ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1 and ax.bbox.y0 <= box.y0 and box.y1 <= ax.bbox.y1
            free = not any(box.overlaps(t) or line.overlaps(t) for t in taken)
            if (inside and free) or k == len(_LABEL_SPOTS) - 1:
                break
            label.remove()
        placed += [box, line]
    return placed


def inside_outside_figure(codes, labels, sets, gallery, n_show=8, fig=None):
    """``sets``: {name: (points, images, MSEs, nearest indices)} for "inside" and "outside": each image's MSE to
    its most similar photo of ``gallery`` and that photo's index; the map with both sets of points, and ``n_show``
    of each set's images above their nearest real photo."""
    fig = fig or plt.figure(figsize=(14, 6))
    grid = fig.add_gridspec(2 * len(sets), 5 + n_show, wspace=0.1, hspace=0.35)
    ax_map = fig.add_subplot(grid[:, :4])
    latent_scatter(codes, labels, ax=ax_map, s=1, alpha=0.3, legend=False, names=False,   # names: crowded here
                   title="near the data (black), far outside (red)")
    for r, (name, (points, images, dists, nearest)) in enumerate(sets.items()):
        ax_map.scatter(*points.T, s=2, alpha=0.5, color=["black", "red"][r])     # small: the real items show through
        show = torch.linspace(0, len(points) - 1, n_show).long()
        for k, (row, label) in enumerate([(images[show], f"new, {name}"), (gallery[nearest[show]], "nearest real")]):
            axes = [fig.add_subplot(grid[2 * r + k, 5 + i]) for i in range(n_show)]
            image_row(row, [f"to nearest {v:.3f}" for v in dists[show]] if k == 0 else [""] * n_show, axes)
            axes[0].set_ylabel(label, fontsize=8)
    fig.suptitle("New items and their nearest real photos (MSE to it above each): near the data closer on average,\n"
                 "far outside farther on average and inkier; single items can break the rule", y=1.04)
    return ax_map


def distance_histograms(distances: dict, ax=None):
    """``{label: MSE of each new image to its nearest real photo}`` as overlaid histograms."""
    ax = get_ax(ax, figsize=(7, 3.2))
    bins = np.linspace(0, max(d.max().item() for d in distances.values()), 40)
    for (label, d), color in zip(distances.items(), ["black", "red", "C0"]):
        ax.hist(d, bins=bins, alpha=0.6, color=color, label=label)
    ax.set_xlabel("MSE of the new image to its nearest real photo (a squared difference)")
    ax.set_ylabel("number of points")
    ax.legend()
    return ax


def spots_figure(codes, labels, spots, images, gaps, dists, ratios, fig=None):
    """The map with the spots marked and numbered, and the image decoded at each spot, titled with its latent
    distance to the nearest item (``gaps``), that distance in the item's spacings (``ratios``) and the MSE of the
    image to its nearest real photo (``dists``)."""
    fig = fig or plt.figure(figsize=(14, 4.4))
    per_row = (len(spots) + 1) // 2
    grid = fig.add_gridspec(2, 4 + 2 * per_row, wspace=0.15)
    ax_map = fig.add_subplot(grid[:, :4])
    latent_scatter(codes, labels, ax=ax_map, s=1, alpha=0.3, legend=False, title="emptiest spots (x), training items")
    ax_map.scatter(*spots.T, marker="x", s=80, color="black", zorder=5.5)   # below the class names (zorder 6)
    fig.canvas.draw()                                                       # settles where the class names go
    _label_points(ax_map, *np.asarray(spots).T, [str(k + 1) for k in range(len(spots))], ["black"] * len(spots),
                  fontsize=10, avoid=[t.get_window_extent() for t in ax_map.texts])   # numbers clear of the names
    for k, img in enumerate(images):
        ax = fig.add_subplot(grid[k // per_row, 4 + 2 * (k % per_row): 6 + 2 * (k % per_row)])
        ax.imshow(img.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{k + 1}: {gaps[k]:.3f} away ({latent.ratio_text(ratios[k])} own sp.)\n"
                     f"to nearest photo {dists[k]:.3f}", fontsize=8)
        ax.set_axis_off()
    return ax_map


def frame_cells(ax_grid, extent, n, chosen, ax_map=None, color="red"):
    """A frame around each ``chosen`` cell (a boolean mask over ``measures.grid_points``) of a decoded grid drawn
    on ``ax_grid``, and a small cross at its address on ``ax_map``. The grid's addresses run from edge to edge of
    ``extent``; the picture is moved half a cell outwards so that each cell is centred on its address, and both
    axes get the same limits."""
    x0, x1, y0, y1 = extent
    w, h = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)       # from one address to the next
    shown = (x0 - w / 2, x1 + w / 2, y0 - h / 2, y1 + h / 2)
    ax_grid.images[-1].set_extent(shown)
    points = grid_points(extent, n)
    for x, y in points[torch.as_tensor(chosen)].tolist():
        ax_grid.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, fill=False, edgecolor=color, linewidth=1))
    for ax in [ax_grid] + ([ax_map] if ax_map is not None else []):
        ax.set_xlim(shown[:2])
        ax.set_ylim(shown[2:])
    if ax_map is not None:
        ax_map.scatter(*points[torch.as_tensor(chosen)].T, marker="x", s=12, color=color, linewidths=0.8, zorder=4)
