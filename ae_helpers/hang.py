"""Hang your own item in the wardrobe: a drawing or a photo made into a Fashion-MNIST-like item.

Fashion-MNIST's items were made from shop photos by trimming the background, scaling the longest side to 28
pixels, centring, negating and turning grey (Xiao et al. 2017, the dataset's README); the items here are
measured to match: the median longest side of the test items' bounding boxes is 28 rows or columns
(``tests/test_hang.py`` measures it). The steps, each returned by :func:`hang_steps` so a page can show them:

1. ``grey``: luminance (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) in [0, 1], composited over white paper
   (a transparent pixel counts as white);
2. ``polarity``: when the image's border (its outer frame, ``max(1, min(H, W) // 50)`` pixels wide) is brighter on
   average than its middle, the image is inverted, so a dark shoe photographed on white paper becomes a bright
   shoe on black, like the data; a pad drawing (white ink on black) stays as it is;
3. ``cleaned``: the border's median (the background) subtracted, clipped at 0 and stretched so the brightest
   pixel is 1; an image with less contrast than ``MIN_CONTRAST`` above its background becomes all zeros;
4. ``cropped``: the bounding box of the pixels above ``CROP_THRESHOLD`` (0.2: in a photo of a dark item on
   unevenly lit paper, with camera noise and JPEG ringing, background pixels reach 0.1 after stretching and would
   widen the box; the data's items still measure a median longest side of 28 at 0.2);
5. resized keeping its aspect ratio, the longest side to ``LONGEST_SIDE`` pixels, by area averaging
   (``torch.nn.functional.adaptive_avg_pool2d``, whose bins also define the upscaling of a small crop);
6. ``item``: centred in 28 x 28 (by its box), zero padding, float32; when the spare space is odd, the extra
   pixel goes above or to the left, as in most of the data's items (measured in ``tests/test_hang.py``).

``explorer/hang.js`` (``AEHang.toItem``) computes the same steps in the browser, in the same order with the same
arithmetic (float64 throughout, float32 results); ``tests/test_hang.py`` checks that both agree to 1e-6.
:func:`unusualness` and :func:`unusual_sentence` say how unusual Brian finds the item, with notebook 06's anomaly
score (the per-image MSE of the reconstruction) among the test items' scores.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

SIZE = 28               # the item's side, as Fashion-MNIST's
LONGEST_SIDE = 28       # the median longest side of the test items' bounding boxes (tests/test_hang.py)
CROP_THRESHOLD = 0.2    # a pixel brighter than this (after cleaning) belongs to the bounding box (step 4 above)
MIN_CONTRAST = 0.05     # less than this above the background: an empty image
BORDER_DIVISOR = 50     # the border is min(H, W) // 50 pixels wide, at least 1
MAX_PHOTO_SIDE = 1024   # photos (files, PIL images) larger than this are first reduced by box averaging
STEPS = ("grey", "polarity", "cleaned", "cropped", "item")
EMPTY = "draw something first: the image has nothing brighter or darker than its background"


def js_source() -> str:
    """The text of ``hang.js`` (the same steps for the browser), as shipped with the package."""
    return (resources.files("ae_helpers.explorer") / "hang.js").read_text(encoding="utf-8")


def _from_pil(img) -> np.ndarray:
    from PIL import ImageOps

    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = ImageOps.exif_transpose(img).convert("RGBA" if has_alpha else "RGB")   # a phone photo stood upright
    if max(img.size) > MAX_PHOTO_SIDE:
        img = img.reduce(math.ceil(max(img.size) / MAX_PHOTO_SIDE))
    return np.asarray(img)


def _as_array(image) -> np.ndarray:
    """Any accepted input as a numpy array (H, W) grey or (H, W, 3|4) colour."""
    if isinstance(image, (str, Path)):
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(image) as img:
                return _from_pil(img)
        except (FileNotFoundError, UnidentifiedImageError, OSError) as err:
            raise ValueError(f"cannot read an image from {str(image)!r} ({err}): give a PNG or JPEG file") from None
    if hasattr(image, "convert") and hasattr(image, "size") and hasattr(image, "mode"):   # a PIL image
        return _from_pil(image)
    if isinstance(image, torch.Tensor):
        image = image.detach().cpu().numpy()
    array = np.asarray(image)
    while array.ndim > 3 or (array.ndim == 3 and array.shape[0] == 1 and array.shape[-1] not in (3, 4)):
        if array.shape[0] != 1:
            break
        array = array[0]                                   # (1, H, W) or (1, 1, H, W), as the data's items
    return array


def grey(image) -> np.ndarray:
    """Step 1: the image as float64 luminance (H, W) in [0, 1], composited over white; checks the input."""
    raw = _as_array(image)
    if not (raw.dtype == bool or np.issubdtype(raw.dtype, np.integer) or np.issubdtype(raw.dtype, np.floating)):
        raise ValueError(f"expected an image of numbers, got dtype {raw.dtype}: give uint8 or floats in [0, 1]")
    if raw.ndim not in (2, 3) or (raw.ndim == 3 and raw.shape[2] not in (3, 4)):
        raise ValueError(f"expected an image (H, W) grey or (H, W, 3|4) RGB/RGBA, got shape {tuple(raw.shape)}")
    if min(raw.shape[:2]) < 3:
        raise ValueError(f"the image is too small ({raw.shape[0]} x {raw.shape[1]} pixels): give at least 3 x 3")
    a, bytes_ = raw.astype(np.float64), np.issubdtype(raw.dtype, np.integer)
    if not np.isfinite(a).all():
        raise ValueError("the image has NaN or infinite pixels: give finite values (uint8, or floats in [0, 1])")
    if a.min() < 0 or a.max() > (255 if bytes_ else 1):
        raise ValueError(f"pixel values must lie in [0, 255] (uint8) or [0, 1] (floats), got {a.min()} to {a.max()}")
    if a.ndim == 2:
        return a / 255 if bytes_ else a
    if not bytes_:
        a = a * 255                                        # floats in [0, 1] -> the 0-255 scale of bytes
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    alpha = a[..., 3] if a.shape[2] == 4 else np.full(a.shape[:2], 255.0)
    lum = 0.299 * r + 0.587 * g + 0.114 * b
    return np.minimum((lum * alpha + 255 * (255 - alpha)) / 65025, 1.0)


def _border(shape) -> np.ndarray:
    h, w = shape
    b = max(1, min(h, w) // BORDER_DIVISOR)
    mask = np.ones(shape, dtype=bool)
    mask[b:h - b, b:w - b] = False
    return mask


def _sequential_mean(values) -> float:
    return np.cumsum(values)[-1] / len(values)             # summed left to right, as hang.js sums


def polarity(g) -> np.ndarray:
    """Step 2: inverted (1 - g) when the border is brighter on average than the middle, else unchanged."""
    border = _border(g.shape)
    return 1 - g if _sequential_mean(g[border]) > _sequential_mean(g[~border]) else g


def cleaned(p) -> np.ndarray:
    """Step 3: the border's median subtracted, clipped at 0, stretched to a peak of 1 (zeros if no contrast)."""
    c = np.maximum(p - np.median(p[_border(p.shape)]), 0.0)
    peak = c.max()
    return np.zeros_like(c) if peak < MIN_CONTRAST else c / peak


def cropped(c) -> np.ndarray:
    """Step 4: the bounding box of the pixels above ``CROP_THRESHOLD``; ValueError when there are none."""
    rows, cols = np.flatnonzero((c > CROP_THRESHOLD).any(1)), np.flatnonzero((c > CROP_THRESHOLD).any(0))
    if len(rows) == 0:
        raise ValueError(EMPTY)
    return c[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def resized_shape(h: int, w: int) -> tuple[int, int]:
    """The crop's size once its longest side is ``LONGEST_SIDE``, aspect kept (rounded half up, at least 1)."""
    longest = max(h, w)
    return (max(1, (2 * h * LONGEST_SIDE + longest) // (2 * longest)),
            max(1, (2 * w * LONGEST_SIDE + longest) // (2 * longest)))


def item(crop) -> np.ndarray:
    """Steps 5 and 6: the crop resized by area averaging and centred in ``SIZE`` x ``SIZE``, float32."""
    oh, ow = resized_shape(*crop.shape)
    small = F.adaptive_avg_pool2d(torch.from_numpy(np.ascontiguousarray(crop, dtype=np.float64))[None, None],
                                  (oh, ow))[0, 0].numpy()
    out = np.zeros((SIZE, SIZE), dtype=np.float64)
    top, left = (SIZE - oh + 1) // 2, (SIZE - ow + 1) // 2       # an odd spare pixel goes above / left
    out[top:top + oh, left:left + ow] = small
    return out.astype(np.float32)


def hang_steps(image) -> dict[str, np.ndarray]:
    """Every step of :func:`to_item` as float32 arrays: ``grey``, ``polarity``, ``cleaned`` (the image's size),
    ``cropped`` (the bounding box) and ``item`` (28 x 28), for showing each step small.

    ``image``: a numpy array or tensor (H, W) grey (floats in [0, 1] or uint8) or (H, W, 3|4) RGB/RGBA uint8
    (a canvas's bytes: ``np.frombuffer(data, np.uint8).reshape(height, width, 4)``), a PIL image, or the path of
    an image file. Raises ValueError with one line saying what to change for bad or empty input.
    """
    steps = {"grey": grey(image)}
    steps["polarity"] = polarity(steps["grey"])
    steps["cleaned"] = cleaned(steps["polarity"])
    steps["cropped"] = cropped(steps["cleaned"])
    steps["item"] = item(steps["cropped"])
    return {name: np.asarray(a, dtype=np.float32) for name, a in steps.items()}


def to_item(image) -> torch.Tensor:
    """A drawing or a photo as a Fashion-MNIST-like item: float32 (28, 28) in [0, 1], bright on black
    (see :func:`hang_steps` for the inputs; ``to_item(x)[None, None]`` is a batch Brian can copy)."""
    return torch.from_numpy(hang_steps(image)["item"])


def unusualness(error, test_errors) -> float:
    """The percentile (0-100) of a reconstruction ``error`` among ``test_errors`` (e.g. notebook 06's anomaly
    score, ``measures.per_image_mse(model(x), x)``, of the test items): the share of them that Brian copies
    strictly better, in %."""
    if isinstance(test_errors, torch.Tensor):
        test_errors = test_errors.detach().cpu().numpy()
    errors = np.sort(np.asarray(test_errors, dtype=np.float64).ravel())
    try:
        error = float(error)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"error must be one number (one image's reconstruction error), got {error!r}") from None
    if len(errors) == 0 or not np.isfinite(errors).all() or not math.isfinite(error):
        raise ValueError("unusualness needs a finite error and a non-empty set of finite test errors")
    return int(np.searchsorted(errors, error, side="left")) * 100 / len(errors)


def unusual_sentence(pct: float) -> str:
    """One sentence for a student about a percentile from :func:`unusualness` (hang.js writes the same)."""
    if isinstance(pct, (bool, str)) or not isinstance(pct, (int, float, np.number)) or not 0 <= pct <= 100:
        raise ValueError(f"pct must be a percentile between 0 and 100, got {pct!r}")
    pct = float(pct)
    whole = math.floor(pct)
    share = "less than 1 %" if whole == 0 else f"{whole} %"
    if pct == 100:
        return "Brian's copy is worse than for every real test item: very unusual for this wardrobe."
    if pct == 0:
        return "Brian's copy is at least as good as for every real test item: a typical item for this wardrobe."
    if whole >= 95:
        return f"Brian's copy is worse than for {share} of real test items: unusual for this wardrobe."
    if whole >= 50:
        return f"Brian's copy is worse than for {share} of real test items: less typical than most, but not unusual."
    return f"Brian's copy is worse than for only {share} of real test items: a typical item for this wardrobe."
