"""Exercises of notebook 03 (the decoder): a grid of addresses to decode; an address that gives a trouser."""

from __future__ import annotations

import torch

from ..data import CLASS_NAMES
from .core import Exercise, Mistake, call, real_images, shape_of, shared_model

TROUSER = CLASS_NAMES.index("Trouser")


def _check_grid(fn):
    low, high = torch.tensor([-3.0, -1.0]), torch.tensor([2.0, 4.0])
    for n in (5, 3):
        got = call(fn, low, high, n, expects=f"low = {low.tolist()}, high = {high.tolist()}, n = {n}")
        if not isinstance(got, torch.Tensor):
            raise Mistake(f"my_grid should return a tensor of shape ({n * n}, 2), got {type(got).__name__}")
        if shape_of(got) in ((n, n, 2), (2, n, n)):
            raise Mistake(f"shape {shape_of(got)}: a grid, but not yet a list of addresses. Reshape it to "
                          f"({n * n}, 2), one row (z1, z2) per point, e.g. with .reshape(-1, 2)")
        if shape_of(got) == (2, n * n):
            raise Mistake(f"shape (2, {n * n}): transpose it (.T) to get one row (z1, z2) per point")
        if shape_of(got) != (n * n, 2):
            raise Mistake(f"for n = {n} expected {n * n} points of 2 numbers, shape ({n * n}, 2); got {shape_of(got)}")
        got = got.float()
        if torch.linalg.matrix_rank(got - got.mean(0), atol=1e-4) < 2:
            raise Mistake("all the points lie on one line. A grid "
                          "pairs every z1 value with every z2 value: torch.cartesian_prod(z1s, z2s)")
        ref = torch.cartesian_prod(torch.linspace(low[0], high[0], n), torch.linspace(low[1], high[1], n))
        key = lambda t: sorted(map(tuple, t.round(decimals=4).tolist()))  # noqa: E731 (any order is fine)
        if key(got) != key(ref):
            if key(got[:, [1, 0]]) == key(ref):
                raise Mistake("z1 and z2 are swapped: the first column should run from low[0] to high[0]")
            raise Mistake(f"the points should be every pair of {n} evenly spaced z1 values from {low[0]:.0f} to "
                          f"{high[0]:.0f} (ends included) and {n} z2 values from {low[1]:.0f} to {high[1]:.0f}")
    return "n × n evenly spaced addresses covering the rectangle from low to high, ends included (n = 5 and 3)"


def _nearest_class(images, k: int = 15) -> list[int]:
    """The most common class among the ``k`` most similar real training photos, for each image."""
    gallery, labels = real_images(6000, "train")
    d = torch.cdist(images.flatten(1), gallery.flatten(1))
    return [int(torch.bincount(labels[row], minlength=10).argmax()) for row in d.topk(k, largest=False).indices]


def _direction(start, target) -> str:
    """Which way to go from ``start`` to ``target`` in words ("larger z1 and smaller z2"), no numbers given."""
    step = target - start
    parts = [f"{'larger' if step[i] > 0 else 'smaller'} z{i + 1}" for i in range(2)
             if abs(step[i]) > 0.25 * step.norm()]
    return " and ".join(parts)


def _check_trouser(z):
    try:
        z = torch.as_tensor(z, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise Mistake("z_trouser should be 2 numbers read off the map, like torch.tensor([z1, z2]); "
                      f"got {type(z).__name__}") from None
    if z.numel() == 784:
        raise Mistake("that is an image (784 numbers): the exercise asks for an address, 2 numbers")
    if z.numel() != 2:
        raise Mistake(f"an address in this wardrobe is 2 numbers, got {z.numel()} (shape {tuple(z.shape)})")
    z = z.reshape(1, 2)
    if not torch.isfinite(z).all():
        raise Mistake("z_trouser contains NaN or infinity: choose two ordinary numbers")
    model = shared_model(2)
    x, y = real_images(2000)
    with torch.no_grad():
        codes = model.encode(x)
        image = model.decode(z)
    looks_like = _nearest_class(image)[0]
    centre = codes[y == TROUSER].median(0).values
    to_data = torch.cdist(z, codes).min().item()
    spacing = torch.cdist(codes[:200], codes[200:]).min(1).values.median().item()
    if looks_like != TROUSER:
        where = "far outside the region where real items hang, " if to_data > 20 * spacing else ""
        raise Mistake(f"at z = ({z[0, 0]:.2f}, {z[0, 1]:.2f}) {where}Brian sews something that looks most like a "
                      f"{CLASS_NAMES[looks_like]}. Find the Trouser colour in the legend of the map (Section 3, or "
                      f"latent_scatter(z_test, y_test)): the trousers hang at {_direction(z[0], centre)} than your "
                      "address. Read the middle of their group off the axes")
    return (f"at z = ({z[0, 0]:.2f}, {z[0, 1]:.2f}) Brian sews an item whose most similar real photos are "
            "mostly trousers")


grid = Exercise(
    "grid", "a 5 × 5 grid of addresses", "my_grid", _check_grid,
    ["Make n evenly spaced values for z1 (from low[0] to high[0]) and n for z2, then pair every z1 with every z2.",
     "`torch.linspace(low[0], high[0], n)` gives the z1 values; `torch.cartesian_prod(z1s, z2s)` pairs them "
     "into an (n * n, 2) tensor."],
    """
    def my_grid(low, high, n=5):
        z1s = torch.linspace(low[0], high[0], n)
        z2s = torch.linspace(low[1], high[1], n)
        return torch.cartesian_prod(z1s, z2s)          # (n * n, 2): every pair

    low, high = z_test.quantile(0.05, dim=0), z_test.quantile(0.95, dim=0)   # a rectangle inside the data
    with torch.no_grad():
        sewn = model.decode(my_grid(low, high))
    image_row(sewn, [f"({a:.1f}, {b:.1f})" for a, b in my_grid(low, high).tolist()], size=0.9,
              suptitle="Brian sews a 5 x 5 grid of addresses")
    plt.show()
    """, expects="a function my_grid(low, high, n) returning an (n * n, 2) tensor")

trouser = Exercise(
    "trouser", "an address that gives a trouser", "z_trouser", _check_trouser,
    ["Look at the map of Section 3: where do the Trouser dots hang? Any point in the middle of that group will do.",
     "The middle of the trousers: `z_test[y_test == 1].median(0).values` (class 1 is Trouser)."],
    """
    z_trouser = z_test[y_test == CLASS_NAMES.index("Trouser")].median(0).values   # the middle of the trousers

    with torch.no_grad():
        plt.imshow(model.decode(z_trouser).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    plt.title(f"z = ({z_trouser[0]:.2f}, {z_trouser[1]:.2f})")
    plt.show()
    """, expects="2 numbers read off the map, like torch.tensor([z1, z2])")
