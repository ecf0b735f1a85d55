"""What the latent explorer shows, and how: its widgets (:class:`View`, built once by :func:`build_view`), its
pictures (palette PNGs), the map picture with its overlays (the ring at z, the interpolation path, the diamond
where your own item hangs), and the static fallback figure. The behaviour (moves, nearest item) is
:mod:`ae_helpers.explorer.widget`; where the map sits in the latent space is :mod:`ae_helpers.explorer.geometry`."""

from __future__ import annotations

import io
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .. import plots
from ..data import CLASS_NAMES
from .geometry import MapGeometry, watch_pointer
from .slider import NamedSlider

GRAY_R = [v for i in range(256) for v in (255 - i,) * 3]  # palette: index = ink, 0 = white paper
#: Palette slots of the map image that only the overlays use (the scatter is quantized to 250 colours).
MARK = {"ring": 250, "fill": 251, "line": 252, "path": 253, "hang": 254}
#: Black, white, grey, the path's dark magenta #69004b (more than 23 CAM02-UCS units from every class colour, as is
#: and at alpha 0.5, under normal vision and the three simulated dichromacies; benchmarks/bench_palette.py measures),
#: and the yellow #ffff00 inside the black-edged diamond where your own item hangs.
MARK_RGB = [0, 0, 0, 255, 255, 255, 110, 110, 110, 0x69, 0x00, 0x4B, 255, 255, 0]
PATH_COLOR, HANG_COLOR = "#69004b", "#ffff00"

_r = np.hypot(*np.mgrid[-8:9, -8:9])
RING = (np.argwhere((_r >= 5.5) & (_r <= 7.5)) - 8, np.argwhere(_r < 5.5) - 8)  # (ring, fill) offsets


class NamedImage(widgets.Image):
    """An ``ipywidgets.Image`` whose ``tooltip`` is its name (the <img>'s title): ipywidgets 8's view reads the
    model's ``description``, which ``Image`` lacks, and fails without one."""

    description = traitlets.Unicode("").tag(sync=True)


def png(array: np.ndarray, palette: list[int]) -> bytes:
    """Palette ("P" mode) PNG: ~10x faster to encode than RGB, which keeps slider moves cheap."""
    img = Image.fromarray(array, mode="P")
    img.putpalette(palette)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def ink(images: torch.Tensor, scale: int) -> np.ndarray:
    """Images (..., 28, 28) in [0, 1] -> uint8 ink levels, each pixel a ``scale`` x ``scale`` block."""
    a = (images.detach().float().clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    return a.repeat(scale, axis=-2).repeat(scale, axis=-1)


@dataclass(frozen=True)
class MapPicture:
    """The map of the real items as a palette image: ``pixels`` (H, W) uint8 indices (read-only) and ``palette``
    (RGB triples; its last entries, :data:`MARK`, are kept for the overlays)."""

    pixels: np.ndarray
    palette: list[int]


def render_map(codes, labels, extent, size=(5.2, 3.8), dpi=90, max_points=10000) -> tuple[MapPicture, MapGeometry]:
    """The map of the real items (a scatter coloured by class, each class's name at its median code) as a palette
    image, and where it sits in the latent space (the pixel box of the plotted ``extent``, measured from the axes)."""
    fig = Figure(figsize=size, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.12, 0.12, 0.84, 0.8))
    n = min(len(codes), max_points)
    plots.latent_scatter(codes[:n], labels[:n], ax=ax, s=2, alpha=0.5, legend=False, names=False,
                         title="Real test items (one dot each)")
    plots.class_labels(codes[:n], labels[:n], ax, fontsize=7)
    ax.set_xlim(*extent[:2])
    ax.set_ylim(*extent[2:])
    canvas.draw()
    rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3].copy())
    pal = rgb.quantize(colors=MARK["ring"], method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    pixels = np.asarray(pal).copy()
    pixels.flags.writeable = False  # overlays draw on a copy
    palette = pal.getpalette()[:3 * MARK["ring"]] + MARK_RGB
    h, w = pixels.shape
    (x0, y0), (x1, y1) = ax.transData.transform([extent[::2], extent[1::2]])
    return MapPicture(pixels, palette), MapGeometry(extent, (x0, x1, h - y0, h - y1), w, h)


def strip(images: np.ndarray) -> np.ndarray:
    """Ink images (steps, 28, 28) side by side, 2 pixels apart, drawn twice as big: the interpolation strip."""
    out = np.zeros((28, len(images) * 30 - 2), np.uint8)
    for s, img in enumerate(images):
        out[:, 30 * s:30 * s + 28] = img
    return out.repeat(2, 0).repeat(2, 1)


def _segment(p, q) -> np.ndarray:
    """Integer pixels (column, row) on the straight line from ``p`` to ``q``."""
    n = int(max(abs(q[0] - p[0]), abs(q[1] - p[1]))) + 2
    t = np.linspace(0, 1, n)[:, None]
    return np.rint((1 - t) * np.asarray(p, float) + t * np.asarray(q, float)).astype(int)


def _put(m: np.ndarray, cols, rows, colour) -> None:
    ok = (rows >= 0) & (rows < m.shape[0]) & (cols >= 0) & (cols < m.shape[1])
    m[rows[ok], cols[ok]] = colour


def draw_path(m: np.ndarray, points) -> None:
    """Draw the interpolation path (pixels of its steps, first to last) onto the palette image ``m``."""
    pts = [tuple(p) for p in points]
    line = _segment(pts[0], pts[-1])
    for dc in (0, 1):  # two pixels wide
        _put(m, line[:, 0] + dc, line[:, 1], MARK["path"])
    for x, y in np.rint(np.asarray(pts)).astype(int):  # a 3x3 dot per step
        dc, dr = np.mgrid[-1:2, -1:2].reshape(2, -1)
        _put(m, x + dc, y + dr, MARK["path"])


def draw_marker(m: np.ndarray, cx: int, cy: int, box) -> None:
    """Draw the dotted cross-hair through (cx, cy) across the plotted area ``box``, and the ring at (cx, cy)."""
    c0, c1, r0, r1 = (round(v) for v in box)
    if 0 <= cx < m.shape[1]:
        m[r1:r0:4, cx] = MARK["line"]
    if 0 <= cy < m.shape[0]:
        m[cy, c0:c1:4] = MARK["line"]
    for offsets, colour in zip(RING, (MARK["ring"], MARK["fill"])):
        _put(m, offsets[:, 1] + cx, offsets[:, 0] + cy, colour)
    m[max(cy - 1, 0):cy + 2, max(cx - 1, 0):cx + 2] = MARK["ring"]


_d = np.abs(np.mgrid[-9:10, -9:10]).sum(0)
DIAMOND = (np.argwhere((_d >= 6) & (_d <= 9)) - 9, np.argwhere(_d < 6) - 9)  # (edge, inside) offsets


def draw_diamond(m: np.ndarray, cx: int, cy: int) -> None:
    """Draw the diamond where your own item hangs: a black edge around yellow, centred on (cx, cy)."""
    for offsets, colour in zip(DIAMOND, (MARK["ring"], MARK["hang"])):
        _put(m, offsets[:, 1] + cx, offsets[:, 0] + cy, colour)


@dataclass(frozen=True)
class View:
    """The explorer's widgets (the sliders, Brian's item, the map, the nearest item, the status line, "go to",
    the interpolation strip's pickers and picture) and ``children``, their layout."""

    z1: NamedSlider
    z2: NamedSlider
    image: NamedImage
    map_image: NamedImage
    neighbour_image: NamedImage
    neighbour_info: widgets.HTML
    status: widgets.HTML
    go_to: widgets.Dropdown
    pick: tuple[widgets.Dropdown, widgets.Dropdown]
    pick_k: tuple[widgets.BoundedIntText, widgets.BoundedIntText]
    strip_image: NamedImage
    strip_info: widgets.HTML
    children: tuple
    pointer: tuple | None  # the ipyevents (press, drag) on the map, None without ipyevents
    switch: widgets.ToggleButtons | None  # which model's wardrobe, None with one model


def build_view(geometry: MapGeometry, scale: int, steps: int, labels, *, on_slider, on_pixel, on_go_to,
               on_pick, names=(), on_switch=None) -> View:
    """The explorer's widgets: sliders over ``geometry.extent``, Brian's item at ``scale`` x 28 pixels, the map
    picture at its own size, a strip of ``steps`` images, and pickers for the classes present in ``labels``. They
    call ``on_slider(change)`` (either slider moved), ``on_pixel(column, row)`` (a click or drag on the map),
    ``on_go_to(change)`` ("go to" picked) and ``on_pick()`` (the strip's ends changed); with two or more model
    ``names``, a switch between them calls ``on_switch(change)``."""
    (a, b), (c, d) = geometry.extent[:2], geometry.extent[2:]
    slider = dict(decimals=2, layout=widgets.Layout(width="340px"))
    px = lambda w, h="auto": widgets.Layout(width=f"{w}px", height=h if h == "auto" else f"{h}px")  # noqa: E731
    classes = [(name, k) for k, name in enumerate(CLASS_NAMES) if (labels == k).any()]
    parts = dict(
        z1=NamedSlider(min=a, max=b, step=(b - a) / 500, description="z1", label="z1, the first coordinate of z",
                       **slider),
        z2=NamedSlider(min=c, max=d, step=(d - c) / 500, description="z2", label="z2, the second coordinate of z",
                       **slider),
        image=NamedImage(format="png", layout=px(28 * scale, 28 * scale), tooltip="Brian's item at z"),
        map_image=NamedImage(format="png", layout=px(geometry.width, geometry.height),
                                tooltip="the map of the real test items; click or drag to move z"),
        neighbour_image=NamedImage(format="png", layout=px(84, 84), tooltip="the nearest real training item"),
        neighbour_info=widgets.HTML(layout=widgets.Layout(width="360px")),
        status=widgets.HTML(layout=widgets.Layout(width="340px")),
        go_to=widgets.Dropdown(options=[("(pick a class)", -1), *classes], description="go to"),
        pick=tuple(widgets.Dropdown(options=classes, value=classes[min(i, len(classes) - 1)][1], description=w,
                                    layout=px(220)) for i, w in ((0, "from"), (7, "to"))),
        pick_k=tuple(widgets.BoundedIntText(value=0, min=0, max=10**6, description="example", layout=px(160))
                     for _ in range(2)),
        strip_image=NamedImage(format="png", layout=px(steps * 60 - 4, 56),
                                  tooltip="Brian's items along the interpolation path"),
        strip_info=widgets.HTML())
    for name, css in (("z1", "z1"), ("z2", "z2"), ("image", "image"), ("map_image", "map"),
                      ("neighbour_info", "nearest"), ("strip_image", "strip"), ("status", "status")):
        parts[name].add_class(f"explorer-{css}")  # stable hooks for the browser tests
    for slider in (parts["z1"], parts["z2"]):
        slider.observe(on_slider, "value")
    pointer = watch_pointer(parts["map_image"], on_pixel, geometry)
    parts["go_to"].observe(on_go_to, "value")
    for w in (*parts["pick"], *parts["pick_k"]):
        w.observe(lambda _: on_pick(), "value")
    switch = None
    if len(names) > 1:
        switch = widgets.ToggleButtons(options=list(names), description="wardrobe",
                                       tooltips=[f"the map, items and verdicts of the {n}" for n in names])
        switch.add_class("explorer-switch")
        switch.observe(on_switch, "value")
    children = ((switch,) if switch else ()) + _layout(**parts)
    return View(**parts, children=children, pointer=pointer, switch=switch)


def _layout(z1, z2, image, map_image, neighbour_image, neighbour_info, status, go_to, pick, pick_k, strip_image,
            strip_info) -> tuple:
    title = widgets.HTML("<b>Brian's wardrobe.</b> Move z1 and z2, or click and drag on the map: Brian "
                         "(the decoder) sews the item at that point. The black ring shows where you are; "
                         "the dark magenta line is the interpolation path.")
    left = widgets.VBox([z1, z2, status, go_to, image, widgets.HTML("<i>Brian's item at z</i>")])
    nearest = widgets.HBox([neighbour_image, widgets.VBox(
        [widgets.HTML("<b>Nearest real training item</b>"), neighbour_info])])
    return (title, widgets.HBox([left, widgets.VBox([map_image, nearest])], layout=widgets.Layout(
        flex_flow="row wrap", align_items="flex-start")),
        widgets.HTML("<b>Interpolation</b>: walk in a straight line from one real item's code to "
                     "another's. The end images are Brian's reconstructions of the two items."),
        widgets.HBox([pick[0], pick_k[0], pick[1], pick_k[1]]), strip_image, strip_info)


def static_figure(model, codes, labels, extent, z, n=15):
    """A plain matplotlib figure of the wardrobe: the decoder's items on an ``n`` x ``n`` grid of the map,
    next to the real items' codes, with a ring at ``z``."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.6))
    plots.decoded_grid(model, extent, n, ax=left)
    plots.latent_scatter(codes, labels, ax=right, s=2, legend=True, title="Real test items (one dot each)")
    right.set_xlim(*extent[:2])
    right.set_ylim(*extent[2:])
    for ax in (left, right):
        ax.plot(*z, "o", ms=12, mfc="none", mec="k", mew=2)
    fig.tight_layout()
    return fig
