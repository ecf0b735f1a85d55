"""Figures of notebook 07 (wrap-up and quiz): the boilerplate behind its four pictures.

Its statistics (neighbours' classes, one blend per pair of classes, grade counts) are in :mod:`ae_helpers.measures`.
Convention: data first, ``axes=None`` creates the figure, the axes are returned.
"""

from __future__ import annotations

import textwrap

import torch

from .. import latent, measures
from ..data import CLASS_NAMES
from ..plots import get_axes, image_row


def encode_decode_rows(images, codes, rebuilt, labels, axes=None):
    """One row per item: the photo x, an arrow with its code z (encoder / decoder), the rebuilt x'."""
    n = len(images)
    if axes is None:
        axes = get_axes(None, n, 3, figsize=(7.5, 2.1 * n))
        axes[0, 0].get_gridspec().set_width_ratios([1, 1.8, 1])     # the middle column holds the arrow and z
        for ax in axes.flat:
            ax.set_position(ax.get_subplotspec().get_position(ax.figure))
    for row, (image, z, again, label) in enumerate(zip(images, codes, rebuilt, labels)):
        name = CLASS_NAMES[int(label)]
        image_row(image[None], [f"x: {name}" if row == 0 else name], [axes[row][0]])
        image_row(again[None], ["x' (rebuilt)" if row == 0 else ""], [axes[row][2]])
        middle = axes[row][1]
        middle.set_axis_off()
        middle.annotate("", xy=(0.98, 0.5), xytext=(0.02, 0.5), xycoords="axes fraction",
                        arrowprops={"arrowstyle": "-|>", "color": "0.4", "lw": 1.5})
        middle.text(0.5, 0.72, "z = (" + ", ".join(f"{v:+.2f}" for v in z.tolist()) + ")", ha="center",
                    fontsize=11, family="monospace")
        middle.text(0.25, 0.28, "encoder", ha="center", color="tab:blue")
        middle.text(0.75, 0.28, "decoder", ha="center", color="tab:red")
    axes[0][0].figure.suptitle(f"Autoencoders = Encoder + Decoder: {images[0].numel()} pixels → "
                               f"{codes.shape[1]} numbers → {images[0].numel()} pixels")
    axes[0][0].figure.tight_layout()
    return axes


def pick_new(candidates, pair_kinds, n=10, per_kind=2):
    """Up to ``n`` of ``candidates`` (indices into ``pair_kinds``, the two kinds of each pair), in order: one per pair
    of kinds, each kind in at most ``per_kind`` of the picked pairs (so a row can end with empty slots)."""
    uses, picked, seen = [0] * len(CLASS_NAMES), [], set()
    for k in candidates:
        kinds = tuple(sorted(pair_kinds[k]))
        if len(picked) < n and kinds not in seen and all(uses[c] < per_kind for c in kinds):
            picked.append(k)
            seen.add(kinds)
            for c in kinds:
                uses[c] += 1
    return picked


def real_rebuilt_new(real, real_labels, rebuilt, new, new_kinds, new_places, axes=None):
    """Three rows: real items, their reconstructions, and new items (titled by their two kinds and where their
    midpoint hangs: ``new_places``, words of ``latent.VERDICT_GRADES``)."""
    n = max(len(real), len(new))
    axes = get_axes(axes, 3, n, figsize=(1.6 * n, 7.0))         # wide panels: the title is wrapped to fit
    titles = [f"{CLASS_NAMES[a]} +\n{CLASS_NAMES[b]}\n{place.split()[0]}"       # full names: two lines
              for (a, b), place in zip(new_kinds, new_places)]
    image_row(real, [CLASS_NAMES[int(c)] for c in real_labels], axes[0][:len(real)], fontsize=10)
    image_row(rebuilt, ["rebuilt"] * len(rebuilt), axes[1][:len(rebuilt)], fontsize=10)
    image_row(new, titles, axes[2][:len(new)], fontsize=9)
    for row, count in ((0, len(real)), (1, len(rebuilt)), (2, len(new))):
        for ax in axes[row][count:]:
            ax.set_axis_off()
    for ax, label in zip((axes[0][0], axes[1][0], axes[2][0]), ["real", "reconstructed", "new place"]):
        ax.set_ylabel(label, fontsize=11)
    lines = ["Reconstruction (middle) and generation (bottom: labelled by the two kinds it lies halfway between; a "
             "picture can look like a third kind)", "(bottom row in its own order, not under the columns: a new place "
             "graded near or far from real items; it may also look like one of the two, a blend, or no garment"
             + ("; an empty slot: no candidate left whose two kinds are each in fewer than two pairs)"
                if len(new) < n else ")")]
    figure = axes[0][0].figure
    figure.suptitle("\n".join(textwrap.fill(line, 15 * n) for line in lines), fontsize=11)   # wrapped to the width
    figure.tight_layout()
    return axes


def grade_lines(grades, what: str) -> str:
    """One line per grade of the explorer's verdict (``latent.VERDICT_GRADES``): how many of the points got it
    (:func:`ae_helpers.measures.grade_counts`)."""
    counts = measures.grade_counts(grades)
    bounds = [most for most, _ in latent.VERDICT_GRADES]
    lines = []
    for grade, (most, words) in enumerate(latent.VERDICT_GRADES):
        scale = (f"up to {most:g} spacings" if grade == 0 else
                 f"{bounds[grade - 1]:g} to {most:g} spacings" if most != float("inf") else
                 f"more than {bounds[grade - 1]:g} spacings")
        lines.append(f"{counts[grade]:>5} of the {len(grades)} {what}: {words} ({scale} away)")
    return "\n".join(lines)


def select_new_items(model, x_test, y_test, codes, x_train, train_codes) -> dict:
    """What section 1's picture shows (drawn by :func:`new_items`): real items, their reconstructions, and new
    items sewn at midpoints between test items of different kinds (10 of each kind), graded by the explorer's
    verdict against the training items' codes. The bottom row is picked from the midpoints not among real items
    where Brian puts on two-thirds or more of a typical photo's ink, farthest first (:func:`pick_new`). Returns
    what the notebook draws, prints and checks."""
    items = latent.first_of_each_class(y_test, n=10).flatten()                  # 10 test items of each kind
    pairs = [(int(a), int(b)) for i, a in enumerate(items) for b in items[i + 1:] if y_test[a] != y_test[b]]
    pair_kinds = [tuple(int(y_test[i]) for i in pair) for pair in pairs]         # the two kinds of each pair
    midpoints = torch.stack([(codes[a] + codes[b]) / 2 for a, b in pairs])
    spacing = latent.local_spacing(train_codes)   # each item's distance to its 10th nearest real item (explorer)
    verdicts = latent.grade_points(midpoints, train_codes, spacing)     # the explorer's verdict for every midpoint
    distance, grades = verdicts["distance"], verdicts["grade"].tolist()   # distance to the nearest item; grade 2 = far
    first = latent.first_of_each_class(y_test)                          # the first test item of each kind
    with torch.no_grad():
        sewn, rebuilt = model.decode(midpoints), model.decode(codes[first])  # Brian sews every midpoint
    ink = sewn.flatten(1).mean(1)                                   # the ink of each (mean pixel value)
    typical_ink = x_train.flatten(1).mean(1).median()               # the ink of a typical photo
    visible = [k for k, g in enumerate(grades) if g >= 1 and ink[k] >= 0.5 * typical_ink]  # not among, no ghost
    visible.sort(key=lambda k: (-grades[k], -float(distance[k])))  # far from real items first, then the farthest
    clear = [k for k in visible if ink[k] >= 2 / 3 * typical_ink]  # well clear of the ghost line: two-thirds or more
    shown = pick_new(clear, pair_kinds)        # farthest first: one per pair of kinds, each kind in at most two
    away = len(grades) - grades.count(0)                            # the midpoints not among real items
    far = [k for k, g in enumerate(grades) if g == 2]                 # the midpoints far from real items
    far_out = sum(ink[k] < 2 / 3 * typical_ink for k in far)          # of them, below the two-thirds ink line
    unused = [CLASS_NAMES[c] for c in range(10) if all(c not in pair_kinds[k] for k in shown)]
    text = (grade_lines(grades, "midpoints")
            + "\n(a spacing: the distance from the nearest training item to its 10th nearest; ink: the mean pixel "
            "value, against a typical training photo's)"
            f"\nthe bottom row is picked from the {away} of {len(grades)} midpoints not among real items "
            f"({away / len(grades):.0%}); Brian puts on two-thirds of a typical photo's ink or more at {len(clear)} of "
            f"them, between half and two-thirds at {len(visible) - len(clear)}, less than half at "
            f"{away - len(visible)} (a faint ghost, or a thin item such as a sandal)"
            f"\nfar midpoints: {len(far)}, of which {int(far_out)} too light to show (below the two-thirds line)"
            + f"\nthe bottom row: {len(shown)} new items, one per pair of kinds, each kind in at most two pairs"
            + (f"; in no pair: {', '.join(unused)}" if unused else "")
            + (f" ({10 - len(shown)} of the 10 slots left empty: no candidate left whose two kinds are each in fewer "
               "than two pairs)" if len(shown) < 10 else ""))
    return {"grades": grades, "shown": shown, "ink": ink, "pair_kinds": pair_kinds, "away": away,
            "typical_ink": typical_ink, "spacing": spacing, "text": text, "real": x_test[first],
            "real_labels": y_test[first], "rebuilt": rebuilt, "new": sewn[shown]}


def new_items(new: dict, axes=None):
    """Section 1's picture from :func:`select_new_items`: real items, their reconstructions, the new items."""
    return real_rebuilt_new(new["real"], new["real_labels"], new["rebuilt"], new["new"],
                            [new["pair_kinds"][k] for k in new["shown"]],
                            [latent.VERDICT_GRADES[new["grades"][k]][1] for k in new["shown"]], axes)
