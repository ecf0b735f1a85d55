"""Figures of notebook 01 (the magic wardrobe), and the counts of classes it prints.

* ``count_classes``      "Ankle boot ×7, Bag ×3": the classes among some items, most common first (also in 03)
* ``ring_items``         black rings (a colour no kind uses) around chosen items of a picture
* ``pile_and_wardrobe``  the same items as a messy pile (left) and hung at their 2 coordinates (right)
* ``choose_spot``        which candidate spot Section 4 takes: emptiest in spacings, more than a faint ghost, not
                         'among real items', preferring a picture that is no close variation of Brian's copies
* ``skipped_text``       how many emptier spots ``choose_spot`` skipped, per reason that applied
* ``picture_verdict``    the words for "is the item sewn at the spot a close variation of one of Brian's copies?"
* ``empty_spot_figure``  the whole wardrobe with a spot marked (colour key beside it), and a close-up with the empty
                         circle around it, titled with the kinds of the 10 items nearest the spot or, when the
                         nearest item is drawn (with the spacing around it dashed), of that item's 10 nearest, the
                         ones ringed (legend and colour key below)

Convention: data first, ``ax=None`` (or ``axes=None``, a 2-D grid ``axes[row, col]``) creates a figure, the axes are
returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Circle, Patch

from ..data import CLASS_NAMES
from ..plots import CLASS_COLORS, get_axes, image_scatter, latent_scatter
from ..wardrobe import draw_pile


def count_classes(labels) -> str:
    """The classes of clothing among ``labels`` with their counts, most common first."""
    classes, counts = torch.as_tensor(labels).unique(return_counts=True)
    by_count = sorted(zip(classes.tolist(), counts.tolist()), key=lambda cc: (-cc[1], cc[0]))
    return ", ".join(f"{CLASS_NAMES[k]} ×{c}" for k, c in by_count)


def ring_items(positions, chosen, ax, radius=0.62):
    """A black ring around each chosen item (``chosen``: a boolean mask or indices) of a pile."""
    for px, py in torch.as_tensor(positions)[chosen].tolist():
        ax.add_patch(Circle((px, py), radius, fill=False, color="black", linewidth=2.5, zorder=3))
    return ax


def pile_and_wardrobe(images, labels, codes, chosen, positions, angles, axes=None):
    """Left: ``images`` as the messy pile (at ``positions``, turned by ``angles``), ``chosen`` ringed;
    right: each image hung at its 2 ``codes``, framed in its kind's colour, ``chosen`` ringed again."""
    axes = get_axes(axes, 1, 2, (16, 8))
    left, right = axes[0]
    draw_pile(images, positions, angles, left, title="Before: a messy pile")
    ring_items(positions, chosen, left)
    image_scatter(images, codes, right, zoom=0.75, labels=labels)
    for frame in right.artists:                  # thicker frames: the kinds' colours are easier to tell apart
        frame.patch.set_linewidth(2.6)
    right.scatter(*codes[chosen].T, s=1300, facecolors="none", edgecolors="black", linewidths=1.8, zorder=5)
    right.set_title("After: the organised wardrobe (each item at its 2 coordinates)")
    right.set_xlabel("z1")
    right.set_ylabel("z2")
    right.legend(handles=[Patch(edgecolor=CLASS_COLORS[c], facecolor="none", linewidth=2.6, label=name)
                          for c, name in enumerate(CLASS_NAMES)], fontsize=8, loc="upper left",
                 bbox_to_anchor=(1.01, 1), borderaxespad=0)   # outside: items hang everywhere
    plt.gcf().tight_layout()
    return axes


@torch.no_grad()
def choose_spot(model, spots, verdicts, images, copies, ink_share=0.5) -> tuple[int, dict]:
    """``(index, skipped)``: the spot of ``spots`` Section 4 takes. Ranked by the verdict's ratio (distance to the
    nearest item in its spacings, ``latent.grade_points``), emptiest first, the first where ``model`` sews at least
    ``ink_share`` of the ink of a typical (median) one of ``images`` (more than a faint ghost), whose verdict is not
    'among real items' and whose picture is no close variation of any of ``copies`` (Brian's copies of ``images``;
    :func:`picture_verdict`'s test); if none is, the first that passes the other two tests. ``skipped``: how many
    spots emptier (in spacings) were passed over, per reason (only the reasons that applied)."""
    items = model.decode(spots).flatten(1)
    ghost = items.mean(1) < ink_share * torch.as_tensor(images).flatten(1).mean(1).median()
    among = verdicts["grade"] < 1
    order = verdicts["ratio"].argsort(descending=True).tolist()
    usable = [i for i in order if not ghost[i] and not among[i]]
    if not usable:
        raise ValueError(f"all {len(order)} spots are faint ghosts or 'among real items'")
    flat_copies = copies.flatten(1)
    usual = ((flat_copies - torch.as_tensor(images).flatten(1)) ** 2).mean(1).median()
    some = items[usable]                              # squared distances to every copy, all at once
    to_copies = (some ** 2).sum(1)[:, None] + (flat_copies ** 2).sum(1)[None] - 2 * some @ flat_copies.T
    novel = [i for i, d in zip(usable, to_copies.min(1).values / items.shape[1]) if d >= usual]
    k = (novel or usable)[0]
    before = order[:order.index(k)]
    reasons = {"a faint ghost": sum(bool(ghost[i]) for i in before),
               "'among real items'": sum(bool(among[i] and not ghost[i]) for i in before),
               "a close variation of a copy": sum(not ghost[i] and not among[i] for i in before)}
    return k, {why: n for why, n in reasons.items() if n}


def skipped_text(skipped: dict) -> str:
    """"3 emptier spots were skipped (a faint ghost: 2, a close variation of a copy: 1)", or "no emptier spot was
    skipped", from :func:`choose_spot`'s ``skipped``."""
    total = sum(skipped.values())
    if total == 0:
        return "no emptier spot was skipped"
    reasons = ", ".join(f"{why}: {n}" for why, n in skipped.items())
    return f"{total} emptier spot{'s were' if total > 1 else ' was'} skipped ({reasons})"


def picture_verdict(nearest_copy: float, usual_copy: float, chosen: bool = False) -> str:
    """Section 4's and Going deeper's verdict, as words: ``nearest_copy`` is the MSE between the item sewn at the
    spot and the most similar of Brian's copies, ``usual_copy`` the median MSE between a copy and its own photo.
    ``chosen=True``: the spot is :func:`choose_spot`'s, which prefers a picture that passes this test, so a close
    variation there means no candidate passed it (the words say so)."""
    if nearest_copy < usual_copy:
        fallback = "; no candidate spot gave a picture unlike every copy" if chosen else ""
        return (f"a close variation of one of Brian's copies ({usual_copy / nearest_copy:.1f} times closer to it than "
                f"a typical copy is to its own photo{fallback})")
    return ("not a close variation of any of Brian's copies (farther from each than a typical copy is from its own "
            "photo)")


def empty_spot_figure(codes, labels, spot, gap, nearest=None, axes=None):
    """The whole map with ``spot`` starred, and a close-up (6 ``gap`` around it) with the empty circle;
    ``nearest=(item, spacing)`` also draws, dashed, the spacing around the nearest item (the explorer's yardstick)
    and rings that item's 10 nearest items (the dashed circle holds them unless the spacing is capped).
    No class names are written on the maps (one could sit on the star): colour keys instead."""
    codes, labels = torch.as_tensor(codes), torch.as_tensor(labels)
    axes = get_axes(axes, 1, 2, (15, 6.5))
    whole, zoom = axes[0]
    star = {"marker": "*", "color": "red", "markersize": 22, "markeredgecolor": "black", "linestyle": "none"}
    latent_scatter(codes, labels, whole, s=1, alpha=0.4, names=False, legend=False,
                   title="The wardrobe (every training item); red star: the spot")
    whole.plot(*spot, **star)
    whole.legend(handles=[Patch(color=CLASS_COLORS[c], label=name) for c, name in enumerate(CLASS_NAMES)],
                 fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    if nearest is None:                                                   # the title names the set it counts
        named, which = (codes - torch.as_tensor(spot)).norm(dim=1).argsort()[:10], "the 10 items nearest the spot"
    else:
        named = (codes - torch.as_tensor(nearest[0])).norm(dim=1).argsort()[1:11]   # 0 is the item itself
        which = "ringed in black: the nearest item's 10 nearest"
    latent_scatter(codes, labels, zoom, s=12, alpha=0.8, names=False, legend=False,
                   title=f"Close-up: the red circle reaches the nearest item\n{which}: {count_classes(labels[named])}")
    handles = [zoom.add_patch(Circle(spot.tolist(), gap, fill=False, color="red", linewidth=2, zorder=7,
                                     label="empty circle"))]
    zoom.plot(*spot, **star, zorder=9)
    r = 6 * gap
    if nearest is not None:
        item, spacing = torch.as_tensor(nearest[0]), float(nearest[1])
        handles.append(zoom.add_patch(Circle(item.tolist(), spacing, fill=False, color="black", linestyle="--",
                                             linewidth=1.5, zorder=7, label="spacing around the nearest item")))
        handles += zoom.plot(*item.tolist(), marker="o", markersize=4, markerfacecolor="white", linestyle="none",
                             markeredgecolor="black", markeredgewidth=1.5, zorder=8, label="nearest item")
        handles += zoom.plot(*codes[named].T.tolist(), marker="o", markersize=7, markerfacecolor="none",
                             linestyle="none", markeredgecolor="black", markeredgewidth=1, zorder=8,
                             label="its 10 nearest items")
        r = max(r, 1.2 * (gap + spacing))
    inside = ((codes - torch.as_tensor(spot)).abs() <= r).all(dim=1)      # the kinds seen in the close-up
    handles += [Patch(color=CLASS_COLORS[c], label=CLASS_NAMES[c]) for c in labels[inside].unique().tolist()]
    # below the close-up, where it covers neither the items nor the spot
    zoom.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=3, fontsize=8,
                frameon=False)
    zoom.set_xlim(spot[0] - r, spot[0] + r)
    zoom.set_ylim(spot[1] - r, spot[1] + r)
    zoom.set_aspect("equal")
    plt.gcf().tight_layout()
    return axes
