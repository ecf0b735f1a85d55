"""Figures of notebook 05 (the latent space): section 1's map, the items drawn where they hang, section 3's new items,
an interpolation row, the walk to the far corner, the same items rebuilt from 2 ... 32 numbers, PCA.

Its statistics (who hangs next to whom) are in :mod:`ae_helpers.measures`.
Convention: data first, ``axes=None`` creates a figure, the axes are returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from .. import plots
from ..data import CLASS_NAMES
from ..latent import central_item, ratio_text, verdict_grade


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


def interpolation_row(photo_a, path, photo_b, near, label_a, label_b, grades):
    """A's photo, the decoded ``path`` and B's photo in one row; each step titled with its distance in spacings to
    the nearest training item (``near``: the explorer's ``find_nearest`` answers), that item's class and its verdict
    (``grades``: the verdict words, e.g. those of ``latent.VERDICT_GRADES``)."""
    titles = [f"{ratio_text(n['ratio'])} spacings\nfrom a training\n{n['class']}:\n{grades[n['grade']]}"
              for n in near]
    plots.image_row(torch.cat([photo_a[None], path, photo_b[None]]),
                    [f"A: {label_a}\n(photo)"] + titles + [f"B: {label_b}\n(photo)"], size=1.7, fontsize=8,
                    suptitle=f"{label_a} -> {label_b}: {len(path)} decoded steps between the two photos, each titled\n"
                             "with its distance in spacings to the nearest training item and that item's class")


def distance_text(distance, decimals: int = 3) -> str:
    """A latent distance with ``decimals`` decimals, rounded *up* like :func:`ratio_text`: zero only for 0."""
    return ratio_text(distance, decimals=decimals, limits=False)


def near_numbers(near, decimals: int = 4) -> tuple[str, str, str]:
    """The distance, spacing and ratio of ``near`` (a ``find_nearest`` answer) as printed: distance and spacing with
    ``decimals`` decimals, rounded up; the ratio is the *printed* distance / the *printed* spacing, rounded up, so
    that dividing the printed numbers gives it (the exact ratio only where that quotient would change the grade)."""
    distance, spacing = distance_text(near["distance"], decimals), distance_text(near["spacing"], decimals)
    same_grade = verdict_grade(float(distance), float(spacing)) == near["grade"]
    return distance, spacing, ratio_text(float(distance) / float(spacing) if same_grade else near["ratio"])


def share_text(count: int, total: int, few: int = 10) -> str:
    """``count`` of ``total`` as a share (1 decimal); below ``few`` the count itself and "hardly any" (0:
    "none"): a share that rests on a point or two is no finding."""
    if count == 0:
        return "none"
    return f"{count} of {total:,} (hardly any)" if count < few else f"{count / total:.1%}"


def class_map(codes, labels, title):
    """Section 1's map: :func:`plots.latent_scatter` (each class's name at its middle) with a legend of the colours
    below the axes, so that a class's dots far from its name can be found by colour."""
    ax = plots.latent_scatter(codes, labels, s=2, title=title)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles, names, markerscale=4, fontsize=8, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              frameon=False)
    ax.figure.tight_layout()
    return ax


def items_map(images, codes, labels, n=150):
    """The first ``n`` items drawn as framed thumbnails where they hang, each class's name at its middle."""
    ax = plots.get_ax(None, figsize=(7, 6.6))
    plots.image_scatter(images[:n], codes[:n], ax=ax, zoom=0.55, labels=labels[:n])
    pad = 0.05 * (codes.max(0).values - codes.min(0).values)
    ax.set_xlim(float(codes[:, 0].min() - pad[0]), float(codes[:, 0].max() + pad[0]))
    ax.set_ylim(float(codes[:, 1].min() - pad[1]), float(codes[:, 1].max() + pad[1]))
    ax.set_title(f"The same wardrobe: {n} of the items drawn where they hang")
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    plots.class_labels(codes, labels, ax)
    return ax


def _a(name: str) -> str:
    """``name`` with its article: "an Ankle boot", "a Bag"."""
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"


def new_items(items, z_new, nearest_images, nearest, grades):
    """Section 3: Brian's items at the locations ``z_new`` (top row) and the training item nearest each (bottom
    row, titled with its distance in spacings, its class and the verdict ``grades[grade]``); every title sits
    above its own image, no text over an image."""
    fig, axes = plt.subplots(2, len(items), figsize=(2 * len(items), 6.4), layout="constrained")
    plots.image_row(items, [f"Brian's item at\nz=({z[0]:.1f}, {z[1]:.1f})" for z in z_new], axes[0])
    plots.image_row(nearest_images, [f"nearest training item:\n{_a(n['class'])},\nz is {ratio_text(n['ratio'])} "
                                     f"spacings away:\n{grades[n['grade']]}" for n in nearest], axes[1])
    fig.suptitle("Top: what Brian sews at random locations. Bottom: the training item nearest each location\n"
                 "(graded by how far the location is from it, not by how alike the pictures are)")
    return axes


def show_path(model, explorer, x_test, y_test, label_a, label_b, grades, steps=6):
    """Brian sews ``steps`` points z(t) = (1 - t) z_A + t z_B on the straight line between the most central test
    items of two classes; the row is drawn. Returns i, j (the items), the decoded path and each step's nearest
    real item's class."""
    i, j = (central_item(explorer.test_codes, y_test, CLASS_NAMES.index(c)) for c in (label_a, label_b))
    z_a, z_b = explorer.test_codes[[i, j]]
    t = torch.linspace(0, 1, steps)[:, None]
    z_path = (1 - t) * z_a + t * z_b
    with torch.no_grad():
        path = model.decode(z_path)
    near = [explorer.find_nearest(*z.tolist()) for z in z_path]
    interpolation_row(x_test[i], path, x_test[j], near, label_a, label_b, grades)
    plt.tight_layout()
    plt.show()
    return i, j, path, [n["class"] for n in near]


def walk_row(items, info, grades):
    """The walk to the sliders' far corner: each step titled with its latent distance to the nearest training
    item and that distance in spacings (:func:`near_numbers`), and the verdict."""
    numbers = [near_numbers(n) for n in info]   # once per step: (distance, spacing, ratio) as printed
    plots.image_row(items, [f"distance {d}\n= {r} spacings\n({grades[n['grade']]})"
                            for n, (d, _, r) in zip(info, numbers)], size=1.5,
                    suptitle="Walking from the trousers to the sliders' far corner: each step's distance to the "
                             "nearest training item\n(in spacings too, a local unit); the printout says whether it "
                             "dips on the way")


def errors_vs_pca(ae_loss: dict, pca_loss: dict):
    """:func:`plots.error_by_size`, its PCA line labelled by where PCA was fitted."""
    ax = plots.error_by_size(ae_loss, pca_loss, title="More dimensions, better reconstructions")
    ax.lines[0].set_label("PCA (linear), fitted on the training photos")
    ax.legend()
    return ax
