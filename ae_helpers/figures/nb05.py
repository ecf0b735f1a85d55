"""Figures of notebook 05 (the latent space): class names on the map, an interpolation row, the same items
rebuilt from 2 ... 32 numbers.

Its statistics (who hangs next to whom) are in :mod:`ae_helpers.measures`.
Convention: data first, ``axes=None`` creates a figure, the axes are returned.
"""

from __future__ import annotations

import torch

from .. import plots
from ..latent import ratio_text


def rebuilt_by_size(originals, rows: dict, classes=None, axes=None):
    """A grid: the originals on top (titled with ``classes``, their class names, if given), then one row per latent
    size (``rows``: size -> images)."""
    names = ["original"] + [f"d = {d}" for d in rows]
    images = [originals, *rows.values()]
    axes = plots.get_axes(axes, len(images), len(originals), figsize=(1.1 * len(originals), 1.25 * len(images)))
    for r, (row, name) in enumerate(zip(images, names)):
        plots.image_row(row, classes if r == 0 else None, axes=axes[r])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    axes[0, 0].figure.suptitle(f"The same test items, rebuilt from {', '.join(map(str, rows))} numbers")
    return axes


def label_classes(ax, codes, labels, names):
    """Each class's name written at the median of its items' ``codes`` on ``ax`` (so frames need no colour key)."""
    codes, labels = codes.detach().cpu(), labels.detach().cpu()
    for k, name in enumerate(names):
        members = codes[labels == k]
        if len(members):
            x, y = members.median(0).values.tolist()
            ax.text(x, y, name, ha="center", va="center", fontsize=9, weight="bold", zorder=5,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    return ax


def central_item(codes, labels, class_index: int) -> int:
    """The index of the item of class ``class_index`` nearest the middle (median) of its class's ``codes``."""
    members = (labels == class_index).nonzero()[:, 0]
    middle = codes[members].median(0).values
    return int(members[(codes[members] - middle).norm(dim=1).argmin()])


def interpolation_row(photo_a, path, photo_b, near, label_a, label_b, grades):
    """A's photo, the decoded ``path`` and B's photo in one row; each step titled with its distance to the nearest
    training item (``near``: the explorer's ``find_nearest`` answers) and that item's class; ``grades``: short
    verdict words."""
    titles = [f"{ratio_text(n['ratio'])} spacings\nfrom a real\n{n['class']}:\n{grades[n['grade']]}" for n in near]
    plots.image_row(torch.cat([photo_a[None], path, photo_b[None]]),
                    [f"A: {label_a}\n(photo)"] + titles + [f"B: {label_b}\n(photo)"], size=1.7, fontsize=8,
                    suptitle=f"{label_a} -> {label_b}: {len(path)} decoded steps between the two photos, each titled "
                             "with its distance to the nearest training item and that item's class")
