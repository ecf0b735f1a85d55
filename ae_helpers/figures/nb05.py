"""Figures of notebook 05 (the latent space): the same items rebuilt from 2 ... 32 numbers.

Its statistics (who hangs next to whom) are in :mod:`ae_helpers.measures`.
Convention: data first, ``axes=None`` creates a figure, the axes are returned.
"""

from __future__ import annotations

from .. import plots


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
