"""Figures of notebook 03 on the map, its distances and the per-class error (re-exported by :mod:`.nb03`).

* ``class_error_bars``      mean reconstruction error per class, easiest to hardest, one hatch per group of ties
* ``distance_histograms``   how far new images are from their nearest real photo
* ``frame_cells``           frames around chosen cells of a decoded grid (and crosses at their addresses on a map)
* ``names_clear_of``        moves the class names of a map off chosen markers (hides a name that finds no room)
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.artist import Artist
from matplotlib.patches import Patch, Rectangle

from ..data import CLASS_NAMES
from ..measures import grid_points
from ..plots import CLASS_COLORS, get_ax


def class_error_bars(class_error, overall, ax=None, tie=None):
    """Bars of the per-class error, easiest at the bottom, mean dashed; neighbours less than ``tie`` apart (as in
    ``nb03.ranking_text``) are tied, and each group of bars joined by ties (a chain) gets its own hatch and legend
    entry, with its spread from the easiest to the hardest bar of the group."""
    ax = get_ax(ax, figsize=(9, 4.6))
    order = np.argsort(np.round(np.asarray(class_error, dtype=float), 4), kind="stable")   # as ranking_text
    values = np.round(class_error[order], 4)
    close = np.diff(values) < (tie or 0)                         # each bar to the next harder one
    group = np.cumsum(np.r_[True, ~close]) - 1                   # bars joined by ties share a number
    sizes = np.bincount(group)
    tied_groups = [g for g in range(len(sizes)) if sizes[g] > 1]
    hatches = dict(zip(tied_groups, ["//", "..", "xx", "\\\\", "++", "oo"] * 2))
    ax.barh([CLASS_NAMES[c] for c in order], class_error[order], color=[CLASS_COLORS[c] for c in order],
            hatch=[hatches.get(g) for g in group], edgecolor=["black" if g in hatches else "none" for g in group])
    handles = [ax.axvline(overall, color="black", linestyle="--", label=f"all items: {overall:.4f}")]
    for g, hatch in hatches.items():
        first, last = np.flatnonzero(group == g)[[0, -1]]
        handles.append(Patch(fill=False, hatch=hatch, label=f"chained (each neighbour < {tie} apart): "
                             f"{CLASS_NAMES[order[first]]} to {CLASS_NAMES[order[last]]}, "
                             f"{values[last] - values[first]:.4f} end to end"))
    ax.set_xlabel("mean reconstruction error (MSE per pixel of each copy to its own photo), test set")
    ax.set_title("Which clothes Brian finds hard (longest bar = hardest)")
    ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)   # clear of bars
    ax.figure.tight_layout()
    return ax


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


class _ClearOf(Artist):
    """Drawn after the class names are spread apart and before they are drawn: moves a name that covers one of the
    ``points`` (data coordinates; ``pad``: the marker's half size in points) to the first free offset, up, down or
    sideways, clear of the other names; hides it when none is free (the markers are drawn above the names anyway)."""

    def __init__(self, ax, names, points, pad):
        super().__init__()
        self.names, self.points, self.pad = names, np.asarray(points, dtype=float).reshape(-1, 2), pad
        self.set_zorder(names[0].get_zorder() - 0.005)               # after plots._Repel (names' zorder - 0.01)
        ax.add_artist(self)

    def draw(self, renderer):
        marks = self.axes.transData.transform(self.points)
        scale = 72 / self.axes.figure.dpi                            # pixels -> points
        pad = self.pad / scale

        def covers(box):
            return any(box.x0 - pad < x < box.x1 + pad and box.y0 - pad < y < box.y1 + pad for x, y in marks)
        for name in self.names:
            if not name.get_visible() or not covers(name.get_window_extent(renderer)):
                continue
            start, box = name.xyann, name.get_window_extent(renderer)
            up, side = box.height / 2 + pad + 1, box.width / 2 + pad + 1       # enough to clear a covered marker
            steps = [(0, up), (0, -up), (-side, 0), (side, 0), (0, 2 * up), (0, -2 * up), (-2 * side, 0), (2 * side, 0)]
            others = [n.get_window_extent(renderer) for n in self.names if n is not name and n.get_visible()]
            for dx, dy in steps:                                     # clear of the markers and the other names
                name.xyann = (start[0] + dx * scale, start[1] + dy * scale)
                moved = name.get_window_extent(renderer)
                if not covers(moved) and not any(moved.overlaps(o) for o in others):
                    break
            else:
                name.xyann = start
                name.set_visible(False)


def names_clear_of(ax, points, pad=8):
    """Keep the class names written on ``ax`` (``plots.class_labels``) off the markers at ``points`` (N, 2)."""
    names = [t for t in ax.texts if t.get_zorder() == 6]              # plots.class_labels' names
    if names:
        _ClearOf(ax, names, points, pad)
