"""Hang your own item (notebook 05): a drawing or a photo, made into an item, hung in the explorer's wardrobe.

YOU hang items in the wardrobe (the encoder); Brian sews them back (the decoder). :func:`hang_item` does it for
one item in one :class:`~ae_helpers.explorer.wardrobes.Wardrobe`: where the model hangs it (its code z), Brian's
copy at z, the nearest real training items (the explorer's own nearest search), and how unusual it is (its
per-image MSE as a percentile of the map items' errors, :func:`ae_helpers.hang.unusualness`, in one sentence).
:func:`build_panel` makes the panel's widgets (the drawing pad and its controls, a photo upload, the preprocessing
steps, the results) and :func:`show` fills them in. The preprocessing is :mod:`ae_helpers.hang`, shared with the
browser.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import torch
from PIL import Image

from .. import hang
from ..data import CLASS_NAMES
from ..measures import per_image_mse
from .pad import DrawingPad, pad_image
from .slider import NamedIntSlider
from .view import GRAY_R, NamedImage, ink, png

NEAREST = 3   # real items shown next to the hung one
STEP_PX = 72  # the preprocessing steps are shown this small


def hang_item(wardrobe, item: torch.Tensor, y_train, k: int = NEAREST) -> dict:
    """Hang ``item`` (28, 28) in ``wardrobe``: ``z`` (its code), ``copy`` (Brian's (28, 28) copy), ``error`` (per-image
    MSE of the copy), ``percentile`` and ``sentence`` (how unusual), ``nearest`` (the ``k`` nearest training items'
    indices, nearest first), ``classes`` (their class names) and ``wardrobe`` (its name)."""
    x = torch.as_tensor(item, dtype=torch.float32).reshape(1, 1, 28, 28)
    z = wardrobe.encode(x)[0]
    copy = wardrobe.decode(z[None])
    error = float(per_image_mse(copy, x)[0])
    pct = hang.unusualness(error, wardrobe.test_errors)
    nearest = wardrobe.nearest_k(float(z[0]), float(z[1]), k)
    return {"z": tuple(z.tolist()), "item": x[0, 0], "copy": copy[0, 0], "error": error, "percentile": pct,
            "sentence": hang.unusual_sentence(pct), "nearest": nearest.tolist(),
            "classes": [CLASS_NAMES[int(y_train[i])] for i in nearest], "wardrobe": wardrobe.name}


def upload_image(value) -> Image.Image:
    """The photo from an ``ipywidgets.FileUpload``'s ``value`` as a PIL image; a one-line ValueError otherwise."""
    if not value:
        raise ValueError("no file uploaded yet: choose a PNG or JPEG photo")
    entry = value[-1]
    try:
        img = Image.open(io.BytesIO(bytes(entry["content"])))
        img.load()
    except Exception as err:  # PIL raises several kinds for a file that is not an image
        raise ValueError(f"cannot read {entry.get('name', 'the file')!r} as an image ({type(err).__name__}): "
                         "upload a PNG or JPEG photo") from None
    return img


def small_png(a: np.ndarray, side: int = STEP_PX) -> bytes:
    """A step of the preprocessing (floats in [0, 1], any size) as a PNG at most ``side`` pixels wide and high,
    dark ink on white paper like the explorer's other pictures."""
    img = Image.fromarray(np.clip(np.asarray(a) * 255, 0, 255).round().astype(np.uint8), mode="L")
    img.thumbnail((side, side), Image.Resampling.BOX)
    return png(np.asarray(img), GRAY_R)


@dataclass(frozen=True)
class Panel:
    """The "hang your own item" widgets: the pad and its controls, the upload, the steps, the results."""

    pad: DrawingPad
    brush: NamedIntSlider
    erase: widgets.ToggleButton
    clear: widgets.Button
    upload: widgets.FileUpload
    steps: tuple[NamedImage, ...]
    item: NamedImage
    copy: NamedImage
    nearest: tuple[NamedImage, ...]
    nearest_info: widgets.HTML
    verdict: widgets.HTML
    box: widgets.VBox


def build_panel(*, on_pixels, on_upload) -> Panel:
    """The panel's widgets, wired: ``on_pixels(change)`` after each stroke on the pad, ``on_upload(change)``
    when a photo is uploaded."""
    px = lambda w: widgets.Layout(width=f"{w}px", height=f"{w}px")  # noqa: E731
    pad = DrawingPad()
    brush = NamedIntSlider(value=pad.brush, min=4, max=40, description="brush", label="brush width on the pad (pixels)",
                           layout=widgets.Layout(width="260px"))
    widgets.link((brush, "value"), (pad, "brush"))
    erase = widgets.ToggleButton(description="eraser", icon="eraser", tooltip="draw in black to rub ink out")
    widgets.link((erase, "value"), (pad, "erase"))
    clear = widgets.Button(description="clear", icon="trash", tooltip="blank the drawing pad")
    clear.on_click(lambda _: pad.clear())
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="upload a photo")
    names = ("grey", "bright on black", "background removed", "cropped", "28 x 28 item")
    steps = tuple(NamedImage(format="png", layout=px(STEP_PX), tooltip=f"preprocessing step: {n}") for n in names)
    item = NamedImage(format="png", layout=px(112), tooltip="your item, 28 x 28, as the encoder sees it")
    copy = NamedImage(format="png", layout=px(112), tooltip="Brian's copy of your item")
    nearest = tuple(NamedImage(format="png", layout=px(84), tooltip=f"nearest real item {k + 1}")
                    for k in range(NEAREST))
    nearest_info, verdict = widgets.HTML(), widgets.HTML("Draw an item on the pad, or upload a photo.")
    for w, css in ((pad, "pad"), (item, "hang-item"), (copy, "hang-copy"), (nearest_info, "hang-nearest"),
                   (verdict, "hang-verdict"), (upload, "upload"), (steps[0], "hang-steps")):
        w.add_class(f"explorer-{css}")  # stable hooks for the browser tests
    pad.observe(on_pixels, "pixels")
    upload.observe(on_upload, "value")
    caption = lambda text, w: widgets.VBox([w, widgets.HTML(f"<i>{text}</i>")])  # noqa: E731
    results = widgets.VBox([
        widgets.HBox([caption("your item (28 x 28)", item), caption("Brian's copy", copy)]),
        widgets.HTML("<b>Nearest real training items</b>"), widgets.HBox(list(nearest)), nearest_info, verdict])
    box = widgets.VBox([
        widgets.HTML("<b>Hang your own item.</b> Draw on the black pad (white ink, like the data), or upload a "
                     "photo: you hang it in the wardrobe (the encoder; the yellow diamond on the map), Brian "
                     "sews it back (the decoder)."),
        widgets.HBox([widgets.VBox([pad, widgets.HBox([erase, clear]), brush, upload]), results],
                     layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start")),
        widgets.HTML("<i>The steps from your picture to an item: " + " → ".join(names) + "</i>"),
        widgets.HBox(list(steps))])
    return Panel(pad, brush, erase, clear, upload, steps, item, copy, nearest, nearest_info, verdict, box)


def show(panel: Panel, result: dict, steps: dict, x_train) -> None:
    """Fill the panel in with a :func:`hang_item` result and the :func:`ae_helpers.hang.hang_steps` it came from."""
    for w, name in zip(panel.steps, hang.STEPS):
        w.value = small_png(steps[name])
    panel.item.value = png(ink(result["item"], 4), GRAY_R)
    panel.copy.value = png(ink(result["copy"], 4), GRAY_R)
    for w, i, name in zip(panel.nearest, result["nearest"], result["classes"]):
        w.value = png(ink(x_train[i, 0], 3), GRAY_R)
        w.tooltip = f"nearest real item: {name} (training item #{i})"
    z = ", ".join(f"{v:.2f}" for v in result["z"])
    panel.nearest_info.value = ", ".join(f"{c} (#{i})" for c, i in zip(result["classes"], result["nearest"]))
    panel.verdict.value = (f"In the {result['wardrobe']}'s wardrobe your item hangs at z = ({z}). "
                           f"{result['sentence']} (per-pixel error {result['error']:.4f})")


def show_error(panel: Panel, message: str) -> None:
    """A one-line message in the panel instead of a result (bad or empty input)."""
    panel.verdict.value = f"<span style='color:#b00020'>⚠ {message}</span>"


class Hanging:
    """The explorer's "hang your own item" part (a mixin of :class:`~ae_helpers.explorer.LatentExplorer`, which
    provides ``wardrobe``, ``geometry``, ``y_train``, ``x_train``, ``panel`` and ``_draw_map``)."""

    def hang(self, image) -> dict:
        """Hang a drawing or photo (anything :func:`ae_helpers.hang.hang_steps` takes) in the current wardrobe:
        the diamond on the map moves to its code, the panel shows Brian's copy, the nearest real items and how
        unusual it is. Returns :func:`~ae_helpers.explorer.hanging.hang_item`'s result (also ``self.hung``);
        bad or empty input raises a one-line ValueError."""
        steps = hang.hang_steps(image)
        self._image = steps["item"]
        self.hung = hang_item(self.wardrobe, torch.from_numpy(steps["item"]), self.y_train)
        x, y = self.geometry.z_to_pixel(*self.hung["z"])
        self.hang_xy = (round(x), round(y))
        if self.panel is not None:
            show(self.panel, self.hung, steps, self.x_train)
        self._draw_map(force=True)
        return self.hung

    def _hang_safely(self, read):
        """Hang what ``read()`` returns; an error shows in the panel (one line), and the diamond goes away."""
        try:
            self.hang(read())
        except ValueError as err:
            self._image, self.hung, self.hang_xy = None, None, None
            show_error(self.panel, str(err))
            self._draw_map(force=True)

    def _on_pixels(self, change):
        self._hang_safely(lambda: pad_image(change["new"], self.panel.pad.size))

    def _on_upload(self, change):
        if change["new"]:
            self._hang_safely(lambda: upload_image(change["new"]))
