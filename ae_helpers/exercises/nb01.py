"""Exercises of notebook 01 (the magic wardrobe): nearest items by code distance and by pixel distance."""

from __future__ import annotations

import torch

from .core import Exercise, Mistake, call, real_images, shared_model

N = 300   # real test items the checks use (exercise 2 asks the student to compare on as many: ex.N)


def _points():
    x, y = real_images(N)
    with torch.no_grad():
        codes = shared_model(2).encode(x)
    return codes, x.flatten(1), y


def _index(value, what: str) -> int:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) or (isinstance(value, torch.Tensor) and value.is_floating_point()):
        raise Mistake(f"{what} returned {value!r}, a number with decimals: return the *index* of the nearest "
                      "item (argmin gives it), not its distance")
    raise Mistake(f"{what} should return one index (an int), got {type(value).__name__}")


def _check_nearest(fn):
    codes, pixels, _ = _points()
    for points, space in ((codes, f"codes ({N}, 2)"), (pixels, f"pixels ({N}, 784)")):
        dist = torch.cdist(points, points)
        for i in (7, 123, 0):
            try:
                got = _index(call(fn, points, i, expects=f"points = {space} of real test items and i = {i}"),
                             "my_nearest")
            except Mistake as mistake:
                if f"with size {points.shape[1]}" in str(mistake):   # i past the end of one number per column
                    raise Mistake("`d` has one number per *column* of points, not one per item: measure along "
                                  "each row, `dim=1`, not `dim=0`") from None
                if "0-dim" not in str(mistake) and "with size 0" not in str(mistake):
                    raise
                raise Mistake("`d` is one number, not one distance per item: `.norm()` without `dim=1` measures "
                              "the whole table at once. `diff.norm(dim=1)` gives the length of each row") from None
            if got == i:
                raise Mistake(f"my_nearest(points, {i}) returned {i} itself: every item is at distance 0 from "
                              "itself. Leave item i out (e.g. set its distance to infinity) before argmin")
            if got == int(dist[i].argmax()):
                raise Mistake(f"my_nearest(points, {i}) returned the *farthest* item: use argmin, not argmax")
            d = dist[i].clone()
            d[i] = float("inf")
            if not torch.isclose(d[got], d.min(), rtol=1e-5):
                raise Mistake(f"in {space}, item {got} is at distance {d[got]:.3f} from item {i}, but item "
                              f"{int(d.argmin())} is closer ({d.min():.3f})")
    return "finds the nearest other item of real test items, both by their 2-number codes and by their 784 pixels"


def _check_agree(fn):
    codes, pixels, y = _points()
    rates = {}
    for points, space in ((codes, "codes"), (pixels, "pixels")):
        got = call(fn, points, y, expects=f"points = the {space} of {N} real test items and their labels")
        got = float(got) if isinstance(got, torch.Tensor) and got.numel() == 1 else got
        if not isinstance(got, int | float):
            raise Mistake(f"my_agree should return one number (a share between 0 and 1), got {type(got).__name__}")
        dist = torch.cdist(points, points).fill_diagonal_(float("inf"))
        ref = (y[dist.argmin(1)] == y).float().mean().item()
        if got == 1.0 and ref < 1:
            raise Mistake("my_agree gives 1.0 (100%): each item was probably compared with itself. Use "
                          "my_nearest, which leaves the item out")
        if abs(got - 100 * ref) < 1e-3 * 100:
            raise Mistake(f"my_agree gives {got:.1f}: a percentage. Return a share between 0 and 1")
        if abs(got - ref * N) < 0.5:
            raise Mistake(f"my_agree gives {got}: a count. Divide by the number of items to get a share")
        if abs(got - ref) > 1e-6:
            raise Mistake(f"on the {space} of {N} real test items my_agree gives {got:.4f}, expected {ref:.4f}")
        rates[space] = ref
    better = "codes" if rates["codes"] > rates["pixels"] else "pixels"
    return (f"on {N} real test items the nearest item is of the same kind {rates['codes']:.0%} of the time by "
            f"2-number codes and {rates['pixels']:.0%} by 784 pixels: {better} win here, "
            "with 392 times fewer numbers for the codes")


nearest = Exercise(
    "nearest", "the nearest item", "my_nearest", _check_nearest,
    ["Row j of `diff` is the difference between item j and item i; its length is their distance. A tensor's "
     "`.norm(dim=1)` gives the length of every row at once (`dim=1`: across the numbers of a row).",
     "`d = diff.norm(dim=1)` (or, by hand, `(diff ** 2).sum(dim=1).sqrt()`): one distance per item."],
    """
    def my_nearest(points, i):
        diff = points - points[i]   # row j: item j minus item i
        d = diff.norm(dim=1)        # distance from item i to every item
        d[i] = float("inf")         # not the item itself
        return int(d.argmin())
    """, expects="a function my_nearest(points, i) returning an index")

agree = Exercise(
    "agree", "same kind as the nearest item?", "my_agree", _check_agree,
    ["For every item i, find `my_nearest(points, i)` and check whether its label equals `labels[i]`. "
     "Return the share of items where it does.",
     "`hits = [labels[my_nearest(points, i)] == labels[i] for i in range(len(points))]`, then "
     "`return sum(hits).item() / len(points)`."],
    """
    def my_agree(points, labels):
        hits = [bool(labels[my_nearest(points, i)] == labels[i]) for i in range(len(points))]
        return sum(hits) / len(points)

    few = sample[:ex.N]   # as many items as the check uses
    print(f"by codes (2 numbers):  {my_agree(codes[few], y_test[few]):.0%}")
    print(f"by pixels (784 numbers): {my_agree(x_test[few].flatten(1), y_test[few]):.0%}")
    """, expects="a function my_agree(points, labels) returning a share between 0 and 1")
