"""Figures of notebook 02 (the encoder); the statistics they show are in :mod:`ae_helpers.measures`.

* ``layer_name``          'Linear(784 -> 256)' instead of PyTorch's long description
* ``encoder_journey``     one photo, the values after each ReLU, and its 2-number code
* ``print_sizes``         each latent size's test MSE, and the error each step to more numbers saves
* ``size_redraws``        the same photos redrawn by autoencoders of several latent sizes
* ``axis_walks``          what the decoder draws along each axis of the 2D wardrobe, with each step's verdict
* ``axis_ends``           photos from the lowest and the highest 5% of each axis, each kind about as often as there
* ``print_axis_table``    ``measures.axis_table`` printed: how each axis goes with ink, height and width, and
                          which classes are commonest at its ends
* ``describe_axes``       that table in words (printed, so it always matches the student's own model)
* ``purity_bars``         ``measures.neighbour_purity`` as a bar chart

Convention: data first, ``ax=None`` (or ``axes=None``, a 2-D grid ``axes[row, col]``) creates a figure, the axes are
returned.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from torch import nn

from .. import latent
from ..data import CLASS_NAMES
from ..measures import representative, strongest_property
from ..plots import CLASS_COLORS, get_ax, get_axes, image_row

_COMPARATIVES = {"ink": ("the more ink the photo has", "the less ink the photo has"),
                 "height": ("the taller the item", "the shorter the item"),
                 "width": ("the wider the item", "the narrower the item")}


def layer_name(layer: nn.Module) -> str:
    if isinstance(layer, nn.Linear):
        return f"Linear({layer.in_features} -> {layer.out_features})"
    return type(layer).__name__


def encoder_journey(photo, after_relu, z, axes=None, alive=None):
    """``photo`` (1, 28, 28), the list of activations after each ReLU (1, n), the code ``z`` (2,). ``alive``: per
    ReLU, a bool mask (n,) of the values that fire for some photo; the others ("dead") are drawn grey."""
    axes = get_axes(axes, 1, 2 + len(after_relu), (13, 3.3), "One photo on its way through the encoder",
                    width_ratios=[1] * (1 + len(after_relu)) + [0.8])
    row = axes[0]
    row[0].imshow(torch.as_tensor(photo).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    row[0].set_title("784 pixels")
    for i, (ax, t) in enumerate(zip(row[1:-1], after_relu)):
        n = t.shape[1]
        live = torch.ones(n, dtype=torch.bool) if alive is None else torch.as_tensor(alive[i])
        fire = int((t[0] > 0).sum())
        zero_white = plt.get_cmap("viridis").copy()
        zero_white.set_under("white")                  # exactly 0 (below vmin) is drawn white
        zero_white.set_bad("0.6")                      # dead (NaN here) is drawn grey
        shown = torch.where(live, t[0], torch.tensor(float("nan")))
        ax.imshow(shown.reshape(n // 16, 16), cmap=zero_white, vmin=1e-12, vmax=max(float(t.max()), 1e-6))
        dead = f"{n - int(live.sum())} dead (grey); " if alive is not None else ""
        ax.set_title(f"{n} values: {dead}{fire} of {int(live.sum())} fire", fontsize=9)
    for ax in row[:-1]:
        ax.set_xticks([])
        ax.set_yticks([])
    z = torch.as_tensor(z).flatten().tolist()
    row[-1].bar([f"z{i + 1}" for i in range(len(z))], z, color=["#ffb703", "#fb8500"][:len(z)])
    row[-1].axhline(0, color="0.3", linewidth=0.8)
    row[-1].set_title(f"{len(z)} numbers: the code z")
    plt.gcf().tight_layout()
    return axes


def print_sizes(test_mse, gains) -> None:
    """Each latent size's test MSE (``{size: mse}``) and how many times fewer numbers than the 784 pixels, then
    ``gains``: the error each step to the next size saves."""
    for d, m in test_mse.items():
        print(f"{d:>2} numbers per photo: test MSE {m:.4f}   ({784 / d:.1f} times fewer numbers)")
    print("error saved by each step to more numbers (from the printed MSEs):", ", ".join(f"{g:.4f}" for g in gains))


SIZE_KINDS = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Sandal", "Shirt", "Bag", "Ankle boot")


@torch.no_grad()
def size_redraws(images, labels, autoencoders, test_mse, names=SIZE_KINDS, axes=None):
    """The first photo of each kind in ``names`` (top row) and its redraw by each autoencoder in ``autoencoders``
    (``{latent size: model}``), one row per size, labelled with that model's mean test MSE over all ``images``."""
    items = torch.stack([(torch.as_tensor(labels) == CLASS_NAMES.index(n)).nonzero()[0, 0] for n in names])
    sizes = list(autoencoders)
    axes = get_axes(axes, 1 + len(sizes), len(items), (1.25 * len(items), 1.4 * (1 + len(sizes))),
                    f"The same photos (one of each kind but {', '.join(k for k in CLASS_NAMES if k not in names)}), "
                    f"drawn from descriptions of {sizes[0]} to {sizes[-1]} numbers\n"
                    f"(mean test MSE: the average over all {len(images):,} test photos)")
    image_row(images[items], list(names), axes[0])
    axes[0, 0].set_ylabel("photo", fontsize=9)
    for row, d in zip(axes[1:], sizes):
        image_row(autoencoders[d](images[items]), None, row)
        row[0].set_ylabel(f"{d} numbers\ntest MSE {test_mse[d]:.4f}\n(mean over all\n{len(images):,} test photos)",
                          fontsize=8)
    plt.gcf().tight_layout()
    return axes


@torch.no_grad()
def axis_walks(model, codes, train_codes, steps=9, axes=None):
    """Walk along each axis from the 1% to the 99% point of ``codes`` in ``steps`` steps, the other coordinate at
    its median; decode and draw one row per axis, each step titled with notebook 05's verdict on where its point
    lies (``latent.grade_points`` against ``train_codes``; it grades the point, not the picture). Returns the
    walks, their grades and a printable count of the verdicts per walk."""
    codes = torch.as_tensor(codes)
    middle, low, high = codes.median(0).values, torch.quantile(codes, 0.01, dim=0), torch.quantile(codes, 0.99, dim=0)
    walks = []
    for axis in range(codes.shape[1]):
        walk = middle.repeat(steps, 1)                                 # all at the middle...
        walk[:, axis] = torch.linspace(low[axis], high[axis], steps)   # ...except along one coordinate
        walks.append(walk)
    spacing = latent.local_spacing(train_codes)
    grades = [latent.grade_points(walk, train_codes, spacing)["grade"] for walk in walks]
    title = ("Walking along each axis of the wardrobe (the other coordinate at its median)\nunder each step: where "
             "its point lies among the training items (notebook 05's verdict), not how the picture looks")
    axes = get_axes(axes, len(walks), steps, (1.3 * steps, 4.4), title)
    words = ("among items", "near items", "FAR from items")
    for axis, (walk, grade) in enumerate(zip(walks, grades)):
        titles = [f"z{axis + 1} = {v:+.1f}\n{words[int(g)]}" for v, g in zip(walk[:, axis], grade)]
        image_row(model.decode(walk), titles, axes[axis])
        axes[axis, 0].set_ylabel(f"walk along z{axis + 1}", fontsize=9)
    plt.gcf().tight_layout()
    counts = "\n".join(f"walk along z{a + 1}: " + ", ".join(f"{int((g == k).sum())} {w}" for k, w in enumerate(words))
                       for a, g in enumerate(grades))
    return walks, grades, counts


def axis_ends(images, labels, codes, n=6, share=0.05, axes=None):
    """For each axis, ``n`` photos of the lowest ``share`` of the photos by that coordinate and ``n`` of the highest
    ``share`` (the ends ``measures.axis_table`` counts), picked so that each kind appears about as often as in that
    end (``measures.representative``: the commonest kind first)."""
    codes = torch.as_tensor(codes)
    order, n_end = codes.argsort(0), int(len(codes) * share)
    axes = get_axes(axes, codes.shape[1], 2 * n, (15, 4.0),
                    f"Real photos from the lowest {share:.0%} (left {n}) and the highest {share:.0%} (right {n}) "
                    "of each axis, each kind about as often as in that end, the commonest first")
    for axis in range(codes.shape[1]):
        low, high = order[:n_end, axis], order[-n_end:, axis]
        ends = torch.cat([representative(end, labels, codes[:, axis], n) for end in (low, high)])
        titles = [f"{CLASS_NAMES[labels[i]]}\nz{axis + 1}={codes[i, axis]:+.1f}" for i in ends]
        image_row(images[ends], titles, axes[axis])
        axes[axis, 0].set_ylabel(f"z{axis + 1}: low | high", fontsize=9)
    plt.gcf().tight_layout()
    return axes


def _pct(share) -> str:
    """A share as a percentage, with one decimal below 1 % (so that 0.4 % is not printed as 0 %)."""
    return f"{share:.0%}" if share >= 0.01 else f"{share:.1%}"


def _seen(kinds):
    """The (kind, share) pairs of an end with at least one photo."""
    return [(k, s) for k, s in kinds if s > 0]


def print_axis_table(table) -> None:
    """``measures.axis_table`` as a table: the correlations, then the commonest classes at each end of each axis."""
    print(f"{'correlation with':<12}" + "".join(f"{f'z{a + 1}':>7}" for a in range(len(table['low']))))
    for name, values in table["corr"].items():
        print(f"{name:<12}" + "".join(f"{v:>+7.2f}" for v in values))
    pct = f"{table['share']:.0%}"
    for a in range(len(table["low"])):
        for end in ("low", "high"):
            kinds = ", ".join(f"{k} {_pct(s)}" for k, s in _seen(table[end][a]))
            print(f"{'' if end == 'high' else chr(10)}z{a + 1} {end + 'est':<7} {pct}: {kinds}")


def _end_words(kinds, n=None) -> str:
    """An end's kinds in words: "crowded by X (67%)" when one kind holds clearly more than half of the ``n`` photos
    (by 2 standard errors, sqrt(p(1 - p) / n)) and at least twice the next kind's share, "mixed: X 34%, Y 23%" when
    clearly less than half, else "led by X (55%), then Y 43%" ("about half" added when not clearly more).
    ``n=None``: no noise margin (more than half is clearly more)."""
    kinds = _seen(kinds)
    p = kinds[0][1]
    margin = 0.0 if n is None else 2 * (p * (1 - p) / n) ** 0.5
    majority = p - margin > 0.5
    if majority and (len(kinds) == 1 or p >= 2 * kinds[1][1]):
        return f"crowded by {kinds[0][0]} ({p:.0%})"
    if not majority and (p + margin < 0.5 or n is None):
        return "mixed: " + ", ".join(f"{k} {_pct(s)}" for k, s in kinds)
    half = "" if majority else ", about half"
    return f"led by {kinds[0][0]} ({p:.0%}{half})" + "".join(f", then {k} {_pct(s)}" for k, s in kinds[1:])


def describe_axes(table, n_end=None, close=0.1) -> str:
    """The table in words: which classes are commonest at each end of each axis (``n_end`` photos at each end,
    for the noise margin of ``_end_words``), and which property it follows most; when the two strongest
    |correlations| are within ``close`` of each other (one model's ranking, not a law), it names the runner-up too."""
    lines = []
    for a in range(len(table["low"])):
        name, c = strongest_property(table, a)
        ranked = sorted(table["corr"], key=lambda p: -abs(table["corr"][p][a]))
        both = ranked[:2] if abs(c) - abs(table["corr"][ranked[1]][a]) < close else ranked[:1]
        more = " and ".join(_COMPARATIVES[p][table["corr"][p][a] < 0] for p in both)
        corrs = " and ".join(f"{table['corr'][p][a]:+.2f}" for p in both)
        goes = (f"it goes most with {both[0]}, closely followed by {both[1]}" if len(both) == 2
                else f"it goes most with {name}")
        ends = [_end_words(table[end][a], n_end) for end in ("low", "high")]
        lines.append(f"z{a + 1} (the {table['share']:.0%} of photos at each end): its low end is "
                     f"{ends[0]}, its high end {ends[1]}. Of the three properties {goes} "
                     f"(correlation{'s' * (len(both) - 1)} {corrs}): the larger z{a + 1}, {more}, on average.")
    return "\n".join(lines)


def purity_bars(purity, ax=None):
    """Per class, the share of its items' neighbours of the same class (``measures.neighbour_purity``)."""
    ax = get_ax(ax, figsize=(8, 3.5))
    ax.bar(range(len(purity)), purity.tolist(), color=CLASS_COLORS)
    ax.set_xticks(range(len(purity)), CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("neighbours of the same kind")
    ax.set_ylim(0, 1)
    ax.set_title("How clean is each group in the 2D latent space?")
    return ax
