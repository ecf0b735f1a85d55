"""Figures of notebook 03 on the map and its distances (re-exported by :mod:`.nb03`).

* ``distance_histograms``   how far new images are from their nearest real photo
* ``frame_cells``           frames around chosen cells of a decoded grid (and crosses at their addresses on a map)
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.patches import Rectangle

from ..measures import grid_points
from ..plots import get_ax


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
