"""Figures of notebook 04 (reconstruction loss): the graded photocopies, one pixel's loss curves, the BCE floor,
the empty parts of the wardrobe, overfitting curves, the blur of an average (the notebook computes what they show).

Convention: data first, ``ax=None`` (or ``axes=None``, a 2-D grid ``axes[row, col]``) creates a figure, the axes are
returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from .. import latent, plots
from ..measures import per_image_mse


def photocopies(original, copies: dict, grades: dict, axes=None):
    """The original and each spoiled copy, titled with its (MSE, BCE) grade."""
    axes = plots.get_axes(axes, 1, len(copies) + 1, (13, 3.3),
                          "Photocopies of one pair of trousers, graded by two losses")
    titles = ["original\n"] + [f"{name}\nMSE {m:.4f}   BCE {b:.3f}" for name, (m, b) in grades.items()]
    plots.image_row(torch.cat([original, *copies.values()]), titles, axes[0])
    axes[0, 0].figure.tight_layout()
    return axes


def spoiled_copies(original):
    """Section 2's photocopies of ``original``: exact, blurred (a 5x5 binomial blur), shifted 2 px right, noisy
    (typical size 0.1, clamped to [0, 1]) and faded (x0.6); and each one's (MSE, BCE), both per pixel."""
    gauss = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])
    kernel = (gauss[:, None] * gauss[None, :]) / gauss.sum() ** 2          # weights sum to 1
    copies = {
        "exact copy": original.clone(),
        "blurred": F.conv2d(original, kernel.view(1, 1, 5, 5), padding=2),
        "shifted 2 px right": torch.roll(original, shifts=2, dims=3),
        "noisy": (original + 0.1 * torch.randn(original.shape)).clamp(0, 1),
        "faded (low toner, x0.6)": original * 0.6,
    }
    costs = {name: (F.mse_loss(c, original).item(), F.binary_cross_entropy(c, original).item())
             for name, c in copies.items()}
    return copies, costs


def pixel_curves(x_pixel: float, x_hat_values, bce_curve, mse_curve, ax=None):
    """One target pixel: BCE and MSE against the prediction, with each minimum marked."""
    ax = plots.get_ax(ax, figsize=(7, 4))
    best_bce, best_mse = x_hat_values[bce_curve.argmin()], x_hat_values[mse_curve.argmin()]
    ax.plot(x_hat_values, bce_curve, label=f"BCE (→∞ at x' = 0 and 1; drawn from {x_hat_values[0]:g} "
            f"to {x_hat_values[-1]:g})", color="C0")
    ax.plot(x_hat_values, mse_curve, label="MSE", color="C1")
    ax.axvline(x_pixel, color="grey", linestyle=":", label=f"x' = x = {x_pixel}")
    ax.scatter([best_bce], [bce_curve.min()], color="C0", zorder=5)
    ax.annotate(f"BCE minimum {bce_curve.min():.3f} (not 0!)", (best_bce, bce_curve.min()), xytext=(0.45, 1.3),
                arrowprops={"arrowstyle": "->"})
    ax.scatter([best_mse], [mse_curve.min()], color="C1", zorder=5)
    ax.annotate(f"MSE minimum {mse_curve.min():.0f}", (best_mse, mse_curve.min()), xytext=(0.5, 0.35),
                arrowprops={"arrowstyle": "->"})
    ax.set_ylim(0, 3)
    ax.set_xlabel("prediction x'")
    ax.set_ylabel("loss for this one pixel")
    ax.set_title(f"Target pixel x = {x_pixel}: both losses are smallest at x' = x")
    ax.legend()
    return ax


def floor_map(original, floor, axes=None):
    """The photo and its BCE floor (the entropy of each pixel), side by side."""
    axes = plots.get_axes(axes, 1, 2, (8, 3.4))
    photo, floor_ax = axes[0]
    photo.imshow(original.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    photo.set_title("original")
    shown = floor_ax.imshow(floor.reshape(28, 28), cmap="magma")
    photo.figure.colorbar(shown, ax=floor_ax)
    floor_ax.set_title(f"BCE floor per pixel, mean {floor.mean():.3f}")
    for ax in axes[0]:
        ax.set_axis_off()
    photo.figure.tight_layout()
    return axes


def wardrobe_gaps(codes, labels, grid, empty, spots, made_up, n_far: int, title: str, outline=None, within=1.5,
                  far=None, inside=None):
    """The map with its empty space (``grid[empty]``) in grey and the chosen empty spots, numbered (those where
    ``far`` (k,) is true drawn in red, their numbers too; the grey grid points where ``inside`` is true drawn
    as black squares the size of one grid cell), and what the
    decoder makes there (``made_up``: the spots' images, then ``n_far`` images from far outside the map).
    ``title`` says how the empty space and the spots were chosen; ``outline``: the codes whose outline (``within``
    standard deviations of their centre, as :func:`ae_helpers.latent.emptiest_spots` uses) is drawn dashed."""
    fig = plt.figure(figsize=(13, 4.6))
    layout = fig.add_gridspec(2, 9, wspace=0.1)
    ax = fig.add_subplot(layout[:, :4])
    plots.latent_scatter(codes, labels, ax=ax, s=1, alpha=0.3, names=False, title=title)
    key = ax.legend(markerscale=12, fontsize=8, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.13),
                    framealpha=0.85)   # class names below the map, so that no cross or number overprints them
    for handle in getattr(key, "legend_handles", None) or key.legendHandles:
        handle.set_alpha(1)
    ax.scatter(*grid[empty].T, s=1.5, color="0.82", zorder=0, rasterized=True)
    if inside is not None:
        cell = [col.unique().diff().min().item() for col in torch.as_tensor(grid).T]   # one grid cell, data units
        squares = [Rectangle((x - cell[0] / 2, y - cell[1] / 2), *cell) for x, y in grid[empty & inside].tolist()]
        ax.add_collection(PatchCollection(squares, facecolor="black", linewidth=0, zorder=6))
    far = torch.zeros(len(spots), dtype=torch.bool) if far is None else torch.as_tensor(far, dtype=torch.bool)
    ax.scatter(*spots.T, marker="x", color=["C3" if f else "black" for f in far.tolist()], s=60, zorder=7)
    if outline is not None:
        outline = torch.as_tensor(outline).float()
        angle = torch.linspace(0, 2 * torch.pi, 200)
        circle = within * torch.stack([angle.cos(), angle.sin()])
        oval = outline.mean(0)[:, None] + torch.linalg.cholesky(torch.cov(outline.T)) @ circle
        ax.plot(*oval, "k--", lw=1)
    for i, p in enumerate(spots):
        ax.annotate(str(i + 1), p, textcoords="offset points", xytext=(6, 6), zorder=8,
                    **{**plots.LABEL_STYLE, "fontsize": 10, "ha": "left", "va": "bottom",
                       **({"color": "C3"} if far[i] else {})})
    low, high = codes.min(0).values, codes.max(0).values
    ax.set_xlim(low[0] - 1, high[0] + 1)
    ax.set_ylim(low[1] - 1, high[1] + 1)
    k = len(spots)
    plots.image_row(made_up[:k], [f"spot {i + 1}" for i in range(k)],
                    [fig.add_subplot(layout[0, 4 + i]) for i in range(k)])
    plots.image_row(made_up[k:], ["far outside"] * n_far, [fig.add_subplot(layout[1, 4 + i]) for i in range(n_far)])
    return ax


def overfit_curves(train_loss, val_loss, smooth, n_items: int, rise: float, late: int, tr_fall: float,
                   verdict: str = "", axes=None, n_val: int | None = None):
    """Training and validation loss per epoch (log scale, said on its axis), and validation alone, zoomed, with
    ``smooth`` (its average over every 10 epochs in a row, as the notebook computes it); ``late``: the start of the
    training loss's lowest such window after validation's lowest, ``tr_fall``: how far training fell meanwhile,
    ``rise``: how far validation stood above its lowest there, ``verdict`` what the notebook calls it (as the
    notebook computes and prints them); ``n_val``: the number of validation images, named in the legend if given."""
    val, tr, smooth = np.asarray(val_loss), np.asarray(train_loss), np.asarray(smooth)
    epochs, window = np.arange(1, len(val) + 1), len(val) - len(smooth) + 1
    axes = plots.get_axes(axes, 1, 2, (12, 3.8))
    both, zoom = axes[0]
    both.plot(epochs, tr, label=f"training ({n_items} images, memorised)")
    both.plot(epochs, val, label=f"validation ({f'{n_val} ' if n_val else ''}unseen images)", linestyle="--")
    both.set_yscale("log")
    both.set_ylabel("MSE per pixel (log scale)")
    both.set_title(f"Training ends {val[-window:].mean() / tr[-window:].mean():.1f}x below validation "
                   f"(last {window} epochs)")
    both.legend()
    ends = epochs[window - 1:]                                          # each average drawn at its window's last epoch
    low = int(smooth.argmin())
    zoom.plot(epochs, val, color="C1", linestyle="--", alpha=0.5, label="validation, each epoch")
    zoom.plot(ends, smooth, color="C1", linewidth=2.5,
              label=f"{window}-epoch moving average (plotted at the window's end)")
    zoom.scatter([ends[low], ends[late], ends[-1]], [smooth[low], smooth[late], smooth[-1]], color="black", zorder=5)
    # the two labels at fixed, separate places under the legend (the lowest always left of the later one), so
    # that they cannot overlap however close the two points lie
    zoom.annotate(f"lowest average: epochs {low + 1}-{low + window}\n(plotted at {low + window}), {smooth[low]:.5f}",
                  (ends[low], smooth[low]), xytext=(0.3, 0.5), textcoords="axes fraction", fontsize=8,
                  arrowprops={"arrowstyle": "->"})
    zoom.annotate(f"validation during training's\nlowest epochs {late + 1}-{late + window}", (ends[late], smooth[late]),
                  xytext=(0.97, 0.5), textcoords="axes fraction", ha="right", fontsize=8,
                  arrowprops={"arrowstyle": "->"})
    zoom.annotate(f"last {window}: {smooth[-1]:.5f}", (ends[-1], smooth[-1]), xytext=(-70, -30),
                  textcoords="offset points", arrowprops={"arrowstyle": "->"})
    zoom.set_ylim(smooth[low] * 0.9, max(smooth[low] * 1.35, smooth[late] * 1.1))
    zoom.legend(loc="upper right", fontsize=8)
    zoom.set_title(f"Validation only, zoomed: while training's {window}-epoch average fell a further {tr_fall:.0%} "
                   f"(to epochs {late + 1}-{late + window}),\nvalidation's stood {rise:+.1%} above its lowest"
                   + (f" ({verdict})" if verdict else "") + ": no longer improving, the sign", fontsize=10)
    for ax in axes[0]:
        ax.set_xlabel("epoch")
    zoom.set_ylabel("MSE per pixel")
    both.figure.tight_layout()
    return axes


def rows_with_mse(rows: dict, targets: dict, title: str, axes=None):
    """One row of images per entry of ``rows`` (label -> images); a row whose label is in ``targets`` gets
    each image's MSE to its target written under that image."""
    n = len(next(iter(rows.values())))
    axes = plots.get_axes(axes, len(rows), n, (1.3 * n, 1.45 * len(rows)))
    for r, (label, images) in enumerate(rows.items()):
        plots.image_row(images, None, axes[r])
        if label in targets:   # under its own image, so that it cannot be read as the caption of the next row
            for ax, error in zip(axes[r], per_image_mse(targets[label], images)):
                ax.set_xlabel(f"MSE {error:.3f}", fontsize=8, labelpad=2)
        axes[r, 0].set_ylabel(label, fontsize=8)
    axes[0, 0].figure.suptitle(title)
    axes[0, 0].figure.tight_layout()
    return axes


def average_vs_items(items, scores, average, score_average, sewn, score_sewn):
    """16 neighbours (titled with each one's mean MSE to all 16; the first, in red, is the item whose neighbours they
    are: "the shirt"), their pixel average and Brian's copy of that first item."""
    fig = plt.figure(figsize=(13, 3.8))
    layout = fig.add_gridspec(2, 13, wspace=0.1)
    for i in range(len(items)):
        title = f"the shirt\n{scores[i]:.3f}" if i == 0 else f"{scores[i]:.3f}"
        plots.image_row(items[i:i + 1], [title], [fig.add_subplot(layout[i // 8, i % 8])])
    fig.axes[0].title.set_color("C3")
    plots.image_row(average, [f"their pixel average\n{score_average:.3f}"], [fig.add_subplot(layout[:, 9:11])])
    ax = fig.add_subplot(layout[:, 11:13])
    plots.image_row(sewn, [f"Brian's copy of the\nshirt {score_sewn:.3f}"], [ax])
    fig.suptitle(f"{len(items)} neighbours in the wardrobe; each number: its image's mean MSE to the {len(items)} "
                 "photos on the left, itself included (lower is better)")
    return ax


def shirt_neighbours(model, images, codes, anchor, k: int = 16):
    """The ``k`` images whose codes lie closest to ``anchor``'s (it first, itself included), their pixel average and
    the decoder's copy of the anchor, each image's mean MSE to all ``k``; drawn with :func:`average_vs_items`.
    Returns (neighbours, items, average, sewn, score_each, score_average, score_sewn)."""
    near = latent.nearest(codes[anchor:anchor + 1], codes, k=k)[0]
    near = torch.cat([anchor[None], near[near != anchor]])[:k]
    items = images[near]
    average = items.mean(0, keepdim=True)
    with torch.no_grad():
        sewn = model.decode(codes[anchor:anchor + 1])

    def score(candidate):
        return ((items - candidate) ** 2).mean().item()

    score_each = [score(items[i:i + 1]) for i in range(len(items))]
    average_vs_items(items, score_each, average, score(average), sewn, score(sewn))
    return near, items, average, sewn, score_each, score(average), score(sewn)


def sharpness_hist(sharp_original, sharp_rebuilt, ax=None, name="reconstructions"):
    """Histograms of the sharpness of the originals and of their reconstructions (``name``: whose, in the legend)."""
    ax = plots.get_ax(ax, figsize=(7, 3.4))
    bins = np.linspace(0, sharp_original.max().item(), 50)
    ax.hist(sharp_original, bins=bins, alpha=0.6, label=f"originals, mean {sharp_original.mean():.4f}")
    ax.hist(sharp_rebuilt, bins=bins, alpha=0.6, label=f"{name}, mean {sharp_rebuilt.mean():.4f}")
    ax.set_xlabel("sharpness (mean absolute difference of neighbouring pixels)")
    ax.set_ylabel("number of test images")
    ax.legend()
    return ax
