"""Figures of notebook 03 (the decoder); the addresses and statistics they show are in :mod:`ae_helpers.measures`.

* ``sigmoid_figure``        the sigmoid, one image's logits before it and its pixels after it
* ``address_on_map``        a chosen address on the map of real items, and what the decoder sews there
* ``copies_figure``         originals and their reconstructions, with each copy's error
* ``ranking_text``          that ranking as text, with its chains of ties
* ``variety_figure``        each class's average image, and variety against error
* ``inside_outside_figure`` new items inside the data and far outside it, with their nearest real photos
* ``spots_figure``          the emptiest spots on the map, and what the decoder sews there
* ``class_error_bars``, ``distance_histograms``, ``frame_cells`` (from :mod:`.nb03_maps`): the per-class error, one
  hatch per group of ties; how far new images are from their nearest real photo; frames around chosen cells of a
  decoded grid (and crosses at their addresses on a map)

Convention: data first, ``ax=None`` (or ``axes=None``, a 2-D grid ``axes[row, col]``; or ``fig=None``) creates a
figure, the axes are returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.transforms import Bbox

from .. import latent
from ..data import CLASS_NAMES
from ..plots import CLASS_COLORS, get_axes, image_row, latent_scatter
from .nb03_maps import class_error_bars, distance_histograms, frame_cells, names_clear_of  # noqa: F401 (03, 07)


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
    ax_map.scatter(*z, marker="*", s=350, color="black", edgecolor="white", zorder=7)   # above the class names,
    names_clear_of(ax_map, [np.asarray(z)], pad=10)                                      # which move off it
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


def ranking_text(values, names, tie=0.001, n_easy=2, n_hard=3):
    """Each class's value to 4 decimals, smallest first (all below is computed from these printed values); the
    neighbours in that ranking less than ``tie`` apart; the largest over the smallest; the ``n_easy`` smallest and
    ``n_hard`` largest, each list stopping where a chain of ties to a class outside it starts (those are named,
    with their places: the candidates are the ``n_easy`` easiest and ``n_hard`` hardest)."""
    values = np.round(np.asarray(values, dtype=float), 4)
    order = [int(c) for c in np.argsort(values, kind="stable")]
    gaps = [round(values[b] - values[a], 4) for a, b in zip(order, order[1:])]    # gaps[i]: order[i] to order[i + 1]
    last = len(order) - 1

    def apart(gap):                           # a zero gap is no gap: equal as printed
        return f"{gap:.4f} apart" if gap > 0 else "equal to 4 decimals"

    def group(ranks, outer, side, most):      # ranks: from the end inwards; outer: the first rank outside them
        keep, edge = len(ranks), outer
        while keep and gaps[min(ranks[keep - 1], edge)] < tie:      # the innermost kept ties with the next inwards
            keep, edge = keep - 1, ranks[keep - 1]
        text = ", ".join(names[order[r]] for r in sorted(ranks[:keep])) or "none untied"
        if keep < len(ranks):
            places = " and ".join(_ordinal(min(r, last - r) + 1) for r in ranks[keep:])
            text += (f" (the {len(ranks)} {most} considered; {', '.join(names[order[r]] for r in ranks[keep:])}, "
                     f"the {places}, left out: chained by ties to the next {side}, {names[order[outer]]}, "
                     f"{apart(gaps[min(ranks[-1], outer)])}: not told apart from it)")
        return text
    return "\n".join([*(f"{names[c]:12} {values[c]:.4f}" for c in order),
                      f"chained ties (each neighbour in this ranking less than {tie} from the next, so a chain's "
                      "ends can lie farther apart; a rough cut, not a measured run-to-run spread): "
                      + ("; ".join(f"{names[a]} ~ {names[b]}" for a, b, g in zip(order, order[1:], gaps) if g < tie)
                         or "none"),
                      f"the hardest class's error is {values.max() / values.min():.1f} times the easiest's; "
                      f"easiest: {group(list(range(n_easy)), n_easy, 'harder', 'easiest')}; "
                      f"hardest: {group(list(range(last, last - n_hard, -1)), last - n_hard, 'easier', 'hardest')}"])


def _ordinal(k):
    """1st, 2nd, 3rd, 4th, ... (for k up to 20)."""
    return f"{k}{dict([(1, 'st'), (2, 'nd'), (3, 'rd')]).get(k, 'th')}"


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


# where a point's label may go, in points from the dot: right, left, above, below, then farther out
_LABEL_SPOTS = [((7, 0), "left"), ((7, -8), "left"), ((-7, 0), "right"), ((-7, -8), "right"), ((0, 10), "center"),
                ((0, -12), "center"), ((10, 12), "left"), ((10, -20), "left"), ((-10, 12), "right"),
                ((-10, -20), "right"), ((20, 22), "left"), ((20, -30), "left"), ((-20, 22), "right"),
                ((-20, -30), "right"), ((0, 28), "center"), ((0, -36), "center"), ((40, 0), "left"),
                ((-40, 0), "right"), ((30, 40), "left"), ((-30, 40), "right"), ((30, -48), "left"),
                ((-30, -48), "right"), ((0, 50), "center"), ((0, -58), "center")]   # the farthest: crowded names


def _label_points(ax, xs, ys, names, colors, fontsize=8, avoid=(), boxed=False):
    """Name each point (xs[i], ys[i]) beside it, at the first spot of ``_LABEL_SPOTS`` where its label and the short
    leader line (in the dot's colour, ``colors[i]``) joining it to its dot stay inside the axes and cover no other
    dot, label, leader or box of ``avoid``; failing that, the first where only ``avoid`` is covered and the label lies
    nearer its own dot than any other (else the nearest such): each label names THAT dot, and all stay readable
    (``boxed``: on a white box above the class names, readable even over dots and names)."""
    extra = {"bbox": {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
             "zorder": 7} if boxed else {}
    renderer = ax.figure.canvas.get_renderer()
    ax.get_xlim(), ax.get_ylim()                      # settle the limits: the spots are found in screen space
    pad = 5 * ax.figure.dpi / 72                      # a dot's radius (s=60), in pixels
    centres = ax.transData.transform(np.column_stack([xs, ys]))
    dots = [Bbox.from_extents(cx - pad, cy - pad, cx + pad, cy + pad) for cx, cy in centres]
    placed = []
    for i, (x, y, name) in enumerate(zip(xs, ys, names)):
        others = placed + [d for j, d in enumerate(dots) if j != i]                   # other dots, labels, leaders
        tries = []                                                        # (rank: 0 best, label, box, leader)
        for offset, ha in _LABEL_SPOTS:
            label = ax.annotate(name, (x, y), textcoords="offset points", xytext=offset, ha=ha, fontsize=fontsize,
                                va="center", **extra, arrowprops={"arrowstyle": "-", "color": colors[i], "lw": 1.3,
                                                         "shrinkA": 1, "shrinkB": 4})
            box = label.get_window_extent(renderer)
            cx, cy = centres[i]
            near_x, near_y = np.clip(cx, box.x0, box.x1), np.clip(cy, box.y0, box.y1)   # the leader's end at the label
            line = Bbox.from_extents(min(cx, near_x) - 1, min(cy, near_y) - 1, max(cx, near_x) + 1, max(cy, near_y) + 1)
            box = box.expanded(1.05, 1.1)
            inside = ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1 and ax.bbox.y0 <= box.y0 and box.y1 <= ax.bbox.y1
            hits = [any(box.overlaps(t) or line.overlaps(t) for t in group) for group in (others, avoid)]
            mid = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
            gaps = np.hypot(*(centres - mid).T)                   # the label's centre to every dot's centre
            own = gaps[i] < np.delete(gaps, i).min(initial=np.inf)        # nearer its own dot than any other
            rank = 0 if inside and not any(hits) else 1 if inside and not hits[0] and own else 2 if own else 3
            tries.append((rank, label, box, line))
            label.set_visible(False)
            if rank == 0:
                break
        _, label, box, line = min(tries, key=lambda t: t[0])     # the first of the best rank
        for _, other, _, _ in tries:
            if other is not label:
                other.remove()
        label.set_visible(True)
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
                   title="inside the data (black), far outside (red)")
    for r, (name, (points, images, dists, nearest)) in enumerate(sets.items()):
        ax_map.scatter(*points.T, s=2, alpha=0.5, color=["black", "red"][r])     # small: the real items show through
        show = torch.linspace(0, len(points) - 1, n_show).long()
        for k, (row, label) in enumerate([(images[show], f"new, {name}"), (gallery[nearest[show]], "nearest real")]):
            axes = [fig.add_subplot(grid[2 * r + k, 5 + i]) for i in range(n_show)]
            image_row(row, [f"{v:.3f}" for v in dists[show]] if k == 0 else [""] * n_show, axes)  # MSE to nearest
            axes[0].set_ylabel(label, fontsize=8)
    fig.suptitle("New items and their nearest real photos (MSE to it above each): inside the data closer on average,\n"
                 "far outside farther on average and inkier; single items can break the rule", y=1.04)
    return ax_map


def spots_figure(codes, labels, spots, images, gaps, dists, ratios, fig=None, median=None):
    """The map with the spots marked and numbered, and the image decoded at each spot, titled with its latent
    distance to the nearest item (``gaps``), that distance in ``median`` spacings (if given: the text's rule) and
    in the item's own spacings (``ratios``: the explorer's), and the MSE of the image to its nearest real photo."""
    fig = fig or plt.figure(figsize=(14, 5.2))
    per_row = (len(spots) + 1) // 2
    grid = fig.add_gridspec(2, 4 + 2 * per_row, wspace=0.15)
    ax_map = fig.add_subplot(grid[:, :4])
    latent_scatter(codes, labels, ax=ax_map, s=1, alpha=0.3, legend=False, title="emptiest spots (x), training items")
    ax_map.scatter(*spots.T, marker="x", s=80, color="black", zorder=7)     # above the class names (zorder 6),
    names_clear_of(ax_map, np.asarray(spots), pad=6)                        # which move off the markers
    fig.canvas.draw()                                                       # settles where the class names go
    _label_points(ax_map, *np.asarray(spots).T, [str(k + 1) for k in range(len(spots))], ["black"] * len(spots),
                  fontsize=10, avoid=[t.get_window_extent() for t in ax_map.texts],   # numbers clear of the names,
                  boxed=True)                                                      # on white, above them
    for k, img in enumerate(images):
        ax = fig.add_subplot(grid[k // per_row, 4 + 2 * (k % per_row): 6 + 2 * (k % per_row)])
        ax.imshow(img.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        in_median = "" if median is None else f"{gaps[k] / median:.2f} median, "
        ax.set_title(f"{k + 1}: map dist. {gaps[k]:.3f}\n({in_median}{latent.ratio_text(ratios[k])} own sp.)\n"
                     f"pixel MSE to nearest photo {dists[k]:.3f}", fontsize=8)
        ax.set_axis_off()
    return ax_map
