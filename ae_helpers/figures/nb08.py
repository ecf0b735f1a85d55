"""Figures and printed tables of notebook 08 (going further): the boilerplate behind its pictures.

Its statistic (the checker score) is in :mod:`ae_helpers.measures`.
Convention: data first, ``axes=None`` creates the figure, the axes are returned.
"""

from __future__ import annotations

import torch

from ..data import CLASS_NAMES
from ..measures import checker_score
from ..plots import get_axes, image_row


def model_table(rows: dict) -> str:
    """The comparison of section 1: one line per (architecture, latent size)."""
    lines = [f"{'model':>22} {'params':>8} {'test MSE':>9} {'x PCA':>6} {'sharpness ratio':>15} {'mult-adds':>10}"]
    for (name, d), r in rows.items():
        lines.append(f"{name + f' {d}-D':>22} {r['params']:>8,} {r['mse']:>9.4f} {r['x PCA']:>6.3f} "
                     f"{r['sharpness']:>15.3f} {r['mult-adds']:>10,}")
    return "\n".join(lines)


def reconstructions(rows_of_images: dict, labels, axes=None):
    """One row per model (first row: the originals, titled with their kinds)."""
    n_rows, n = len(rows_of_images), len(labels)
    axes = get_axes(axes, n_rows, n, figsize=(1.3 * n, 1.45 * n_rows))
    for row, (label, images) in enumerate(rows_of_images.items()):
        image_row(images, [CLASS_NAMES[int(c)] for c in labels] if row == 0 else None, axes[row])
        axes[row][0].set_ylabel(label, fontsize=9)
    return axes


def coverage_figure(coverage: dict, axes=None):
    """What each output pixel receives from a flat input (all weights 1), one panel per upsampling layer."""
    axes = get_axes(axes, 1, len(coverage), figsize=(3.7 * len(coverage), 3.9))
    for ax, (name, cov) in zip(axes[0], coverage.items()):
        ax.imshow(cov.numpy(), cmap="viridis", interpolation="nearest")
        inner = cov[2:-2, 2:-2]
        spread = f"{inner.min():.0f}" + (f" to {inner.max():.0f}" if inner.max() > inner.min() else " everywhere")
        border = f"\n(the border: down to {cov.min():.0f})" if cov.min() < inner.min() else ""
        ax.set_title(f"{name}\ninside: receives {spread}{border}", fontsize=9)
        ax.set_axis_off()
    return axes


def decoded_rows(decoded: dict, axes=None):
    """One row per decoder, each picture stretched from its darkest to its lightest pixel, this draw's checker score
    in the label."""
    n = len(next(iter(decoded.values())))
    axes = get_axes(axes, len(decoded), n, figsize=(1.7 * n, 1.9 * len(decoded)))
    for row, (name, images) in enumerate(decoded.items()):
        low = images.amin(dim=(-1, -2), keepdim=True)
        stretched = (images - low) / (images.amax(dim=(-1, -2), keepdim=True) - low).clamp_min(1e-12)
        image_row(stretched, None, axes[row], cmap="viridis")
        axes[row][0].set_ylabel(f"{name}\nchecker {checker_score(images):.2f}\n(one draw)", fontsize=8)
    return axes


def knn_table(knn: dict, sizes, n_test: int, n_gallery: int, published: tuple[float, str] | None = None) -> str:
    """kNN (k=5) accuracy per code size: autoencoder, convolutional autoencoder, PCA, and raw pixels.

    ``n_gallery``: the training items that vote; ``published``: (accuracy, source) of a published raw-pixel figure,
    printed to the percent.
    """
    lines = [f"kNN (k=5) accuracy on {n_test:,} test items, votes from {n_gallery:,} training items   (chance: 10%)",
             f"{'numbers per item':>16} {'autoencoder':>12} {'conv AE':>8} {'PCA':>6}"]
    for d in sizes:
        conv = f"{knn['conv', d]:.1%}" if ("conv", d) in knn else ""
        lines.append(f"{d:>16} {knn['mlp', d]:>12.1%} {conv:>8} {knn['pca', d]:>6.1%}")
    lines.append(f"{'784 raw pixels':>16} {knn['pixels', 784]:>12.1%}")
    if published:
        lines.append(f"{'published':>16} {published[0]:>12.0%}   raw pixels, kNN ({published[1]})")
    return "\n".join(lines)


def recipe_table(recipes: dict) -> str:
    """Side by side, how each model was trained: ``{model name: {what: value}}`` (the same keys for each)."""
    names = list(recipes)
    lines = [f"{'':>20}" + "".join(f"{name:>17}" for name in names)]
    for key in recipes[names[0]]:
        lines.append(f"{key:>20}" + "".join(f"{recipes[name][key]:>17,}" for name in names))
    return "\n".join(lines)


def search_figure(images, labels, query: int, found: dict, axes=None):
    """For each search space, the query and its hits (green title: same kind as the query, red: not)."""
    k = len(next(iter(found.values())))
    axes = get_axes(axes, len(found), k + 1, figsize=(14, 1.9 * len(found)))
    for row, (name, hits) in enumerate(found.items()):
        image_row(torch.cat([images[query:query + 1], images[hits]]),
                  ["query"] + [CLASS_NAMES[int(labels[i])] for i in hits], axes[row], fontsize=7)
        for ax, i in zip(axes[row][1:], hits):
            ax.title.set_color("green" if labels[i] == labels[query] else "red")
        same = int((labels[hits] == labels[query]).sum())
        axes[row][0].set_ylabel(f"{name}\n{same} of {k} same kind", fontsize=8)
    return axes


def damage_rows(blocks: dict, axes=None):
    """Blocks of rows: for each kind of damage, the input and what each model makes of it."""
    n_rows = sum(len(outs) for outs in blocks.values())
    n = len(next(iter(next(iter(blocks.values())).values())))
    axes = get_axes(axes, n_rows, n, figsize=(1.5 * n, 1.6 * n_rows))
    row = 0
    for damage, outs in blocks.items():
        for label, images in outs.items():
            image_row(images, None, axes[row])
            axes[row][0].set_ylabel(f"{damage}:\n{label}", fontsize=8)
            row += 1
    return axes
