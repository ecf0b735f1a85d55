"""Figures of notebook 06 (applications): repairs, anomaly scores, compression, random draws.

Its statistics are in :mod:`ae_helpers.detection` (the square mask, the ROC curve and its area) and
:mod:`ae_helpers.measures` (the draws' reach, mix and holes, the paired test).
Plotting convention: data first, ``ax=None`` (or ``axes=None``) creates the figure, the axes are returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Patch

from ..course_models import ModelConfig
from ..data import CLASS_NAMES
from ..detection import roc_curve
from ..measures import RADIUS_95, hole_flags, paired_two_se, per_image_mse
from ..plots import CLASS_COLORS, get_ax, get_axes, image_row, latent_scatter


def labelled_rows(rows: dict, titles: dict | None = None, suptitle=None, size=1.25, axes=None):
    """A grid with one row of images per entry of ``rows`` (row label -> images), the label left of each row;
    ``titles`` (row label -> one title per image) titles the images of that row."""
    n = len(next(iter(rows.values())))
    axes = get_axes(axes, len(rows), n, (size * n, 1.45 * size * len(rows)))
    for r, (label, images) in enumerate(rows.items()):
        image_row(images, (titles or {}).get(label), axes[r])
        axes[r, 0].set_ylabel(label, fontsize=10)
    if suptitle:
        axes[0, 0].figure.suptitle(suptitle)
    axes[0, 0].figure.tight_layout()
    return axes


def repair_rows(damaged, repaired, clean, labels, axes=None):
    """Three rows of images: damaged input, the denoiser's repair, the clean original (titles: MSE, kind)."""
    return labelled_rows({"damaged": damaged, "denoised": repaired, "clean": clean},
                         {"damaged": [f"MSE {e:.3f}" for e in per_image_mse(damaged, clean)],
                          "denoised": [f"MSE {e:.3f}" for e in per_image_mse(repaired, clean)],
                          "clean": [CLASS_NAMES[c] for c in labels]},
                         "Unseen damaged test items (top row: Gaussian noise on every pixel + a wiped-out "
                         "square), the denoiser's repair (middle row), the clean originals (bottom row)", axes=axes)


def print_repairs(errors: dict, denoiser_budget, plain_dim=32):
    """Section 1's table: each row's mean per-pixel MSE against the clean images (``errors``: row name -> per-item
    MSE, the damaged input first, the denoiser last), how many items the denoiser makes worse, and the budgets:
    the denoiser's (images, epochs) and the course's plain ``plain_dim``-D autoencoder's."""
    plain_budget = ModelConfig.course(plain_dim)
    (_, before), *_, (last, after) = errors.items()
    n = len(before)
    print(f"MSE vs the clean test images (per pixel), {n:,} damaged test images never trained on:")
    for name, each in errors.items():
        print(f"  {name:30} {each.mean().item():.4f}", end="")
        print(f"   (the mean error is {before.mean().item() / after.mean().item():.1f}x smaller than the first row's; "
              f"{int((after > before).sum()):,} of {n:,} come out worse than their damaged input)"
              if name == last else "")
    print(f"training budgets: the {last} {denoiser_budget[0]:,} images x {denoiser_budget[1]} epochs, the plain "
          f"autoencoder {plain_budget.n_train:,} x {plain_budget.epochs}")


def print_alarms(threshold, normal_scores, anomaly_scores, val_labels, held_out, rate=0.05):
    """Section 2's threshold (the error only ``rate`` of the normal validation items exceed) and what it does on
    the test items: the share of anomalies caught, of normal items flagged, and of the alarms that are false."""
    name = CLASS_NAMES[held_out].lower()
    print(f"threshold = {threshold:.4f}: the error that only {rate:.0%} of {int((val_labels != held_out).sum()):,} "
          f"validation items exceed (the {int((val_labels == held_out).sum()):,} {name}s among them removed by "
          "label: next, 'Why not a threshold from the training items?')")
    caught, flagged = int((anomaly_scores > threshold).sum()), int((normal_scores > threshold).sum())
    print(f"at the threshold: {caught / len(anomaly_scores):.0%} of the {name}s caught, "
          f"{flagged / len(normal_scores):.1%} of the other items flagged (aimed at {rate:.0%}): "
          f"{flagged / (caught + flagged):.0%} of the {caught + flagged:,} alarms are false")


def anomaly_figure(scores, labels, held_out, threshold, axes=None, roc=True):
    """Two panels: score histograms (held-out kind vs the rest), the ROC curve (``roc=False``: the first only)."""
    axes = get_axes(axes, 1, 2 if roc else 1, (13, 4.3) if roc else (7, 4.3))
    left = axes[0, 0]
    odd = labels == held_out
    name, colour = CLASS_NAMES[held_out], CLASS_COLORS[held_out]
    top = scores.quantile(0.995).item()                     # the axis ends here: the highest 0.5% lie beyond
    bins = torch.linspace(0, top, 60).numpy()
    beyond = int((scores > top).sum())
    for group, colour_, label in ((~odd, "0.45", f"the other kinds (9, seen in training, {int((~odd).sum()):,} items)"),
                                  (odd, colour, f"{name} (never seen, {int(odd.sum()):,} items)")):
        values = scores[group].numpy()              # each hump: area 1 over ALL its items, those off the edge too
        width = bins[1] - bins[0]
        left.hist(values, bins=bins, weights=[1 / (width * len(values))] * len(values), alpha=0.6, color=colour_,
                  label=label)
    left.axvline(threshold, color="red", linestyle="--", label=f"threshold {threshold:.3f}")
    cut = (f"\n({beyond} items above {top:.3f} lie off the right edge: {int((scores[odd] > top).sum())} "
           f"{name.lower()}s)" if beyond else "")
    left.set(xlabel="reconstruction error (MSE per pixel) = anomaly score",
             ylabel="density (each hump's area is 1,\ncounting the items beyond the right edge)",
             title="Test items: how badly each comes back" + cut)
    left.legend()
    if not roc:
        left.figure.tight_layout()
        return axes
    right = axes[0, 1]
    fpr, tpr = roc_curve(scores[~odd], scores[odd])
    right.plot(fpr.numpy(), tpr.numpy(), color=colour, label="reconstruction error as score")
    right.plot([0, 1], [0, 1], color="0.6", linestyle=":", label="coin toss (AUC 0.5)")
    right.scatter([(scores[~odd] > threshold).float().mean()], [(scores[odd] > threshold).float().mean()],
                  color="red", zorder=3, label="our threshold")
    right.set(xlabel="false-positive rate (normal items flagged)", ylabel=f"true-positive rate ({name} caught)",
              title=f"ROC curve for 'is it a {name.lower()}?'")
    right.legend(loc="lower right")
    left.figure.tight_layout()
    return axes


def auc_bars(aucs: dict, seen: dict | None = None, ax=None):
    """Horizontal bars: the AUC of a detector trained without each kind, best caught on top; with ``seen``
    (kind -> AUC of a detector that saw every kind), a black tick per kind: the control."""
    ax = get_ax(ax, figsize=(7, 5.2))
    ranked = sorted(aucs.items(), key=lambda kv: -kv[1])
    ax.barh(range(len(ranked)), [a for _, a in ranked], color=[CLASS_COLORS[CLASS_NAMES.index(k)] for k, _ in ranked])
    for i, (_, a) in enumerate(ranked):
        ax.text(a + 0.01, i, f"{a:.3f}", va="center", fontsize=9)
    if seen is not None:
        ax.scatter([seen[k] for k, _ in ranked], range(len(ranked)), marker="|", s=250, color="black", zorder=3,
                   label="control: the same recipe, every kind seen")
    ax.set_yticks(range(len(ranked)), [k for k, _ in ranked])
    ax.invert_yaxis()
    ax.axvline(0.5, color="0.5", linestyle=":", label="0.5: no better than chance; below: ranked MORE normal")
    ax.set(xlim=(0, 1.1), xlabel="ROC AUC (1 = some threshold separates them perfectly, 0.5 = chance,\n"
                                  "below 0.5 = ranked as more normal)",
           title="Which kind, held out, is easy to catch?")
    handles, names = ax.get_legend_handles_labels()   # a neutral swatch: each bar has its own kind's colour
    ax.legend([Patch(color="0.7"), *handles], ["held out (never seen): the bar, in the kind's colour", *names],
              loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8)
    ax.figure.tight_layout()
    return ax


def compression_figure(rows, pca_mse, zlib_bytes, image_bytes, ax=None):
    """Error against bytes per item: the autoencoders' float16 codes, PCA codes as long, lossless."""
    ax = get_ax(ax, figsize=(8, 4.5))
    ks = torch.arange(1, len(pca_mse) + 1)
    ax.plot((2 * ks).numpy(), pca_mse.numpy(), color="0.5",
            label="PCA code, k numbers (2k bytes, as float16; its error unrounded)")
    ax.plot([2 * r["d"] for r in rows], [r["ae"] for r in rows], marker="o", color="C0",
            label="autoencoder code, d numbers (float16)")
    for r in rows:
        ax.annotate(f"{r['d']}D", (2 * r["d"], r["ae"]), textcoords="offset points", xytext=(5, 5))
    ax.scatter([zlib_bytes, image_bytes], [0, 0], color="black", marker="*", s=120, zorder=3,
               label="no loss: zlib-compressed, raw uint8 image")
    ax.set_xscale("log")
    ax.set(xlabel="bytes per item (log scale)", ylabel="test MSE per pixel (what is lost)",
           title="Fewer bytes, more loss: the autoencoder against PCA")
    ax.legend()
    return ax


def draws_figure(wardrobes: dict, labels, z, axes=None):
    """One map per wardrobe (name -> codes of the test items), the same random draws ``z`` on each."""
    axes = get_axes(axes, 1, len(wardrobes), (7 * len(wardrobes), 6.2))
    for i, (ax, (title, codes)) in enumerate(zip(axes[0], wardrobes.items())):
        latent_scatter(codes, labels, ax, s=3, alpha=0.35, legend=i == len(wardrobes) - 1, title=title)
        ax.scatter(z[:, 0], z[:, 1], s=8, color="black", label="random z ~ N(0, I)")
        ax.add_patch(plt.Circle((0, 0), RADIUS_95, fill=False, color="black", linestyle="--"))
        ax.set_aspect("equal", adjustable="datalim")
    axes[0, 0].figure.suptitle("The same random locations (black dots) on the wardrobes")
    axes[0, 0].figure.tight_layout()
    return axes


def holes_tie(a, b):
    """Two rows' holes (True per draw) on the SAME draws, paired draw by draw: (tie?, 2 standard errors in draws).
    A tie if their shares differ by at most 2 standard errors of the paired difference (``paired_two_se``)."""
    mean, two_se = paired_two_se(a.float() - b.float(), correction=0)
    return abs(mean) <= two_se, two_se * len(a)


def holes_said(draws, codes: dict) -> str:
    """Two wardrobes' holes for the same ``draws`` ({name: codes}): the counts and the verdict against sampling."""
    (a, flags_a), (b, flags_b) = ((name, hole_flags(draws, c)) for name, c in codes.items())
    tie, two_se = holes_tie(flags_a, flags_b)
    fewer = a if flags_a.sum() < flags_b.sum() else b
    return (f"{a} {int(flags_a.sum())}, {b} {int(flags_b.sum())} of {len(draws)} draws: "
            + ("not told apart" if tie else f"fewer for the {fewer}, beyond sampling noise")
            + f" (2 standard errors: {two_se:.0f} draws)")
