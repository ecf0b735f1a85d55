"""Figures and statistics of notebook 02 (the encoder).

* ``layer_name``          'Linear(784 -> 256)' instead of PyTorch's long description
* ``encoder_journey``     one photo, the values after each ReLU, and its 2-number code
* ``axis_walks``          what the decoder draws along each axis of the 2D wardrobe
* ``axis_ends``           photos drawn at random from the lowest and the highest 5% of each axis
* ``axis_table``          how each axis goes with ink, height and width, and who crowds its ends
* ``describe_axes``       that table in words (printed, so it always matches the student's own model)
* ``label_groups``        the name of each kind written at the middle of its group on a latent map
* ``neighbour_mixups``    purity of each kind's neighbourhood and the most mixed-up pairs of kinds
* ``purity_bars``         the purity as a bar chart

Convention: data first, ``ax=None`` (or ``axes=None``) creates the figure, the axes are returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from torch import nn

from .. import latent
from ..data import CLASS_NAMES
from ..plots import CLASS_COLORS, image_row

_COMPARATIVES = {"ink": ("the more ink the photo has", "the less ink the photo has"),
                 "height": ("the taller the item", "the shorter the item"),
                 "width": ("the wider the item", "the narrower the item")}


def layer_name(layer: nn.Module) -> str:
    if isinstance(layer, nn.Linear):
        return f"Linear({layer.in_features} -> {layer.out_features})"
    return type(layer).__name__


def encoder_journey(photo, after_relu, z, axes=None):
    """``photo`` (1, 28, 28), the list of activations after each ReLU (1, n), the code ``z`` (2,)."""
    if axes is None:
        fig, axes = plt.subplots(1, 2 + len(after_relu), figsize=(13, 3.3),
                                 gridspec_kw={"width_ratios": [1] * (1 + len(after_relu)) + [0.8]})
        fig.suptitle("One photo on its way through the encoder")
    axes[0].imshow(torch.as_tensor(photo).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    axes[0].set_title("784 pixels")
    for ax, t in zip(axes[1:-1], after_relu):
        n = t.shape[1]
        off = (t == 0).float().mean().item()
        zero_white = plt.get_cmap("viridis").copy()
        zero_white.set_under("white")                  # exactly 0 (below vmin) is drawn white
        ax.imshow(t.reshape(n // 16, 16), cmap=zero_white, vmin=1e-12, vmax=max(float(t.max()), 1e-6))
        ax.set_title(f"{n} values ({off:.0%} switched off by ReLU)", fontsize=9)
    for ax in axes[:-1]:
        ax.set_xticks([])
        ax.set_yticks([])
    z = torch.as_tensor(z).flatten().tolist()
    axes[-1].bar([f"z{i + 1}" for i in range(len(z))], z, color=["#ffb703", "#fb8500"][:len(z)])
    axes[-1].axhline(0, color="0.3", linewidth=0.8)
    axes[-1].set_title(f"{len(z)} numbers: the code z")
    plt.gcf().tight_layout()
    return axes


@torch.no_grad()
def axis_walks(model, walks, axes=None, grades=None):
    """``walks[axis]`` (n, 2): points along one axis; decoded and drawn one row per axis. ``grades[axis]``
    (optional, (n,)): each point's grade of notebook 05's verdict (``latent.grade_points``), added to its title."""
    if axes is None:
        fig, axes = plt.subplots(len(walks), len(walks[0]), figsize=(1.3 * len(walks[0]), 3.8), squeeze=False)
        fig.suptitle("Walking along each axis of the wardrobe (the other coordinate at its median)")
    words = ("recalling", "variation", "INVENTING")
    for axis, walk in enumerate(walks):
        titles = [f"z{axis + 1} = {v:+.1f}" for v in walk[:, axis]]
        if grades is not None:
            titles = [f"{t}\n{words[int(g)]}" for t, g in zip(titles, grades[axis])]
        image_row(model.decode(walk), titles, axes[axis])
        axes[axis][0].set_ylabel(f"walk along z{axis + 1}", fontsize=9)
    plt.gcf().tight_layout()
    return axes


def axis_ends(images, labels, codes, n=6, share=0.05, axes=None):
    """For each axis, ``n`` photos drawn at random (torch's global generator) from the lowest ``share`` of the
    photos by that coordinate and ``n`` from the highest ``share`` (the ends :func:`axis_table` counts), each
    group sorted by the coordinate."""
    codes = torch.as_tensor(codes)
    order, n_end = codes.argsort(0), int(len(codes) * share)
    if axes is None:
        fig, axes = plt.subplots(codes.shape[1], 2 * n, figsize=(15, 4.0), squeeze=False)
        fig.suptitle(f"Real photos from the lowest {share:.0%} (left {n}) and the highest {share:.0%} (right {n}) "
                     "of each axis, drawn at random")
    for axis in range(codes.shape[1]):
        low, high = order[:n_end, axis], order[-n_end:, axis]
        ends = torch.cat([end[torch.randperm(n_end)[:n].sort().values] for end in (low, high)])
        titles = [f"{CLASS_NAMES[labels[i]][:10]}\nz{axis + 1}={codes[i, axis]:+.1f}" for i in ends]
        image_row(images[ends], titles, axes[axis])
        axes[axis][0].set_ylabel(f"z{axis + 1}: low | high", fontsize=9)
    plt.gcf().tight_layout()
    return axes


def visual_properties(images) -> dict:
    """Three simple numbers per photo: ink (the mean pixel: the item's area times how dark it is drawn),
    height and width (the rows / columns with ink)."""
    ink = (images > 0.2).float()                     # pixels that are clearly part of the item
    return {"ink": images.flatten(1).mean(1), "height": ink.amax(3).sum((1, 2)),
            "width": ink.amax(2).sum((1, 2))}


def _crowd(labels, idx, top=2):
    counts = torch.bincount(labels[idx], minlength=len(CLASS_NAMES))
    return [(CLASS_NAMES[c], (counts[c] / len(idx)).item()) for c in counts.argsort(descending=True)[:top].tolist()]


def axis_table(codes, images, labels, share=0.05) -> dict:
    """For each axis: its correlation with each visual property, and the two kinds that crowd the lowest
    and the highest ``share`` of the items. ``{"corr": {prop: [c_z1, c_z2]}, "low": [...], "high": [...]}``,
    where ``low[axis]`` is ``[(kind, share), (kind, share)]``."""
    props = visual_properties(images)
    corr = {name: [torch.corrcoef(torch.stack([codes[:, a], v]))[0, 1].item() for a in range(codes.shape[1])]
            for name, v in props.items()}
    order, n_end = codes.argsort(0), int(len(codes) * share)
    return {"corr": corr, "share": share,
            "low": [_crowd(labels, order[:n_end, a]) for a in range(codes.shape[1])],
            "high": [_crowd(labels, order[-n_end:, a]) for a in range(codes.shape[1])]}


def print_axis_table(table) -> None:
    print(f"{'correlation with':<12}" + "".join(f"{f'z{a + 1}':>7}" for a in range(len(table['low']))))
    for name, values in table["corr"].items():
        print(f"{name:<12}" + "".join(f"{v:>+7.2f}" for v in values))
    pct = f"{table['share']:.0%}"
    for a in range(len(table["low"])):
        for end in ("low", "high"):
            kinds = ", ".join(f"{k} {s:.0%}" for k, s in table[end][a])
            print(f"{'' if end == 'high' else chr(10)}z{a + 1} {end + 'est':<7} {pct}: {kinds}")


def strongest_property(table, axis: int) -> tuple[str, float]:
    """The visual property that goes most strongly (largest |correlation|) with ``axis``, and its correlation."""
    name = max(table["corr"], key=lambda p: abs(table["corr"][p][axis]))
    return name, table["corr"][name][axis]


def describe_axes(table) -> str:
    """The table in words: which kinds crowd each end of each axis, and which property it follows most."""
    lines = []
    for a in range(len(table["low"])):
        name, c = strongest_property(table, a)
        more = _COMPARATIVES[name][c < 0]
        lines.append(f"z{a + 1}: its low end is crowded by {table['low'][a][0][0]} "
                     f"({table['low'][a][0][1]:.0%} of the lowest {table['share']:.0%}), its high end by "
                     f"{table['high'][a][0][0]} ({table['high'][a][0][1]:.0%}). Of the three properties it goes "
                     f"most with {name} (correlation {c:+.2f}): the larger z{a + 1}, {more}, "
                     "on average.")
    return "\n".join(lines)


def label_groups(codes, labels, ax):
    """Write each kind's name at the middle (median code) of its group."""
    for c, name in enumerate(CLASS_NAMES):
        cx, cy = codes[labels == c].median(0).values.tolist()
        ax.text(cx, cy, name, fontsize=10, weight="bold", ha="center", va="center", color=CLASS_COLORS[c],
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1})
    return ax


def neighbour_mixups(codes, labels, sample, k=10):
    """For the items ``sample``: the share of their ``k`` nearest other items of the same kind, per kind
    (purity, (10,)), and how often each pair of kinds meets as neighbours (share of all pairs, (10, 10),
    upper triangle)."""
    n = len(CLASS_NAMES)
    neighbours = latent.nearest(codes[sample], codes, k + 1)[:, 1:]   # the nearest is the item itself
    mine, theirs = labels[sample][:, None].expand(-1, k), labels[neighbours]
    purity = torch.stack([(theirs[mine[:, 0] == c] == c).float().mean() for c in range(n)])
    a, b = torch.minimum(mine, theirs).flatten(), torch.maximum(mine, theirs).flatten()
    pairs = torch.bincount((a * n + b)[a != b], minlength=n * n).float().view(n, n) / mine.numel()
    return purity, pairs


def top_pairs(pairs, top=5) -> list[tuple[str, str, float]]:
    n = len(CLASS_NAMES)
    return [(CLASS_NAMES[i // n], CLASS_NAMES[i % n], pairs.flatten()[i].item())
            for i in pairs.flatten().argsort(descending=True)[:top].tolist()]


def purity_bars(purity, ax=None):
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(range(len(purity)), purity.tolist(), color=CLASS_COLORS)
    ax.set_xticks(range(len(purity)), CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("neighbours of the same kind")
    ax.set_ylim(0, 1)
    ax.set_title("How clean is each group in the 2D latent space?")
    return ax
