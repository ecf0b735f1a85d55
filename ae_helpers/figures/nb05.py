"""Figures and statistics of notebook 05 (the latent space): who hangs next to whom, the loss per latent size,
the same items rebuilt from 2 ... 32 numbers.

Convention: data first, ``ax=None`` creates a figure, the axes are returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from .. import latent, plots
from ..data import CLASS_NAMES

#: Kinds of clothing that look alike: the three shoes, and the four tops with sleeves or without.
SHOES = ("Sandal", "Sneaker", "Ankle boot")
TOPS = ("T-shirt/top", "Pullover", "Coat", "Shirt")


def neighbour_classes(codes, labels) -> torch.Tensor:
    """For every item, the class of its nearest *other* item in the latent space (distance between codes)."""
    labels = torch.as_tensor(labels)
    return labels[latent.nearest_item(codes, codes, exclude_self=True)[0]]


def share(neighbour, labels, of, among) -> float:
    """Share of the items whose class is in ``of`` whose nearest other item has a class in ``among``."""
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


def rebuilt_by_size(originals, rows: dict, axes=None):
    """A grid: the originals on top, then one row per latent size (``rows``: size -> images)."""
    names = ["original"] + [f"d = {d}" for d in rows]
    images = [originals, *rows.values()]
    if axes is None:
        _, axes = plt.subplots(len(images), len(originals),
                               figsize=(1.1 * len(originals), 1.25 * len(images)), squeeze=False)
    for r, (row, name) in enumerate(zip(images, names)):
        plots.image_row(row, axes=axes[r])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    axes[0, 0].figure.suptitle(f"The same test items, rebuilt from {', '.join(map(str, rows))} numbers")
    return axes
