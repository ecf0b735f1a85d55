"""What the latent explorer shows, and how: its pictures (palette PNGs), its map, its widgets' layout, and
its static fallback figure. The behaviour (moves, events, nearest item) is :mod:`ae_helpers.explorer`."""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import latent_map, plots
from .data import CLASS_NAMES, as_tensors
from .latent_map import MARK

GRAY_R = [v for i in range(256) for v in (255 - i,) * 3]  # palette: index = ink, 0 = white paper


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


def images_and_labels(data, what: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A torchvision dataset (or Subset) or an ``(images, labels)`` pair -> float images, int labels."""
    if isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = torch.as_tensor(data[0]).float(), torch.as_tensor(data[1]).long()
    elif hasattr(data, "targets") or isinstance(data, torch.utils.data.Subset):
        x, y = as_tensors(data)
    else:
        raise TypeError(f"{what} must be a Fashion-MNIST dataset or an (images, labels) pair, got {type(data)}")
    x = x.reshape(-1, 1, 28, 28)
    if len(x) != len(y) or len(x) < 2:
        raise ValueError(f"{what}: need at least 2 images and one label per image, got {len(x)} and {len(y)}")
    return x, y




def render_map(codes, labels, extent, size=(5.2, 3.8), dpi=90, max_points=10000):
    """The map of the real items (a scatter coloured by class) as a palette image.

    Returns ``(map (H, W) uint8, palette, box)``: ``box`` holds the pixel columns of the z1 limits and the pixel
    rows of the z2 limits (see :mod:`ae_helpers.latent_map`); the palette keeps the last entries for the marks."""
    fig = Figure(figsize=size, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.13, 0.12, 0.55, 0.8))
    n = min(len(codes), max_points)
    plots.latent_scatter(codes[:n], labels[:n], ax=ax, s=2, alpha=0.5, legend=False,
                         title="Real test items (one dot each)")
    ax.legend(*ax.get_legend_handles_labels(), loc="center left", bbox_to_anchor=(1.02, 0.5),
              fontsize=7, markerscale=3, frameon=False)
    ax.set_xlim(*extent[:2])
    ax.set_ylim(*extent[2:])
    canvas.draw()
    rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3].copy())
    pal = rgb.quantize(colors=MARK["ring"], method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    picture = np.asarray(pal).copy()
    palette = pal.getpalette()[:3 * MARK["ring"]] + latent_map.MARK_RGB
    h = picture.shape[0]
    (x0, y0), (x1, y1) = ax.transData.transform([extent[::2], extent[1::2]])
    return picture, palette, (x0, x1, h - y0, h - y1)


def build_widgets(ex, image_px) -> None:
    """Create the explorer's widgets as attributes of ``ex`` and lay them out as its children."""
    (a, b), (c, d) = ex.extent[:2], ex.extent[2:]
    slider = dict(continuous_update=True, readout_format=".2f", layout=widgets.Layout(width="340px"))
    ex.z1 = widgets.FloatSlider(min=a, max=b, step=(b - a) / 500, description="z1", **slider)
    ex.z2 = widgets.FloatSlider(min=c, max=d, step=(d - c) / 500, description="z2", **slider)
    px = lambda w, h="auto": widgets.Layout(width=f"{w}px", height=h if h == "auto" else f"{h}px")  # noqa: E731
    ex.image = widgets.Image(format="png", layout=px(28 * ex.scale, 28 * ex.scale))
    ex.map_image = widgets.Image(format="png", layout=px(ex._map.shape[1], ex._map.shape[0]))
    ex.neighbour_image = widgets.Image(format="png", layout=px(84, 84))
    ex.neighbour_info = widgets.HTML(layout=widgets.Layout(width="360px"))
    ex.status = widgets.HTML()
    classes = [(name, k) for k, name in enumerate(CLASS_NAMES) if (ex.y_test == k).any()]
    ex.go_to = widgets.Dropdown(options=[("(pick a class)", -1), *classes], description="go to")
    ex.pick = [widgets.Dropdown(options=classes, value=classes[min(i, len(classes) - 1)][1],
                                  description=w, layout=px(220)) for i, w in ((0, "from"), (7, "to"))]
    ex.pick_k = [widgets.BoundedIntText(value=0, min=0, max=10**6, description="example",
                                          layout=px(160)) for _ in range(2)]
    ex.strip_image = widgets.Image(format="png", layout=px(ex.steps * 60 - 4, 56))
    ex.strip_info = widgets.HTML()
    for widget, css in ((ex.z1, "z1"), (ex.z2, "z2"), (ex.image, "image"), (ex.map_image, "map"),
                        (ex.neighbour_info, "nearest"), (ex.strip_image, "strip"), (ex.status, "status")):
        widget.add_class(f"explorer-{css}")  # stable hooks for the browser tests
    for s in (ex.z1, ex.z2):
        s.observe(ex._on_slider, "value")
    ex._pointer = latent_map.watch_pointer(ex.map_image, ex.click_map, ex._map.shape[1],
                                             ex._map.shape[0])
    ex.go_to.observe(ex._on_go_to, "value")
    for w in (*ex.pick, *ex.pick_k):
        w.observe(lambda _: ex._update_strip(), "value")
    title = widgets.HTML("<b>Brian's wardrobe.</b> Move z1 and z2, or click and drag on the map: Brian "
                         "(the decoder) sews the item at that point. The black ring shows where you are; "
                         "the red line is the interpolation path.")
    ex.status.layout.width = "340px"
    left = widgets.VBox([ex.z1, ex.z2, ex.status, ex.go_to, ex.image,
                         widgets.HTML("<i>Brian's item at z</i>")])
    nearest = widgets.HBox([ex.neighbour_image, widgets.VBox(
        [widgets.HTML("<b>Nearest real training item</b>"), ex.neighbour_info])])
    ex.children = [title, widgets.HBox([left, widgets.VBox([ex.map_image, nearest])], layout=widgets.Layout(
        flex_flow="row wrap", align_items="flex-start")),
        widgets.HTML("<b>Interpolation</b>: walk in a straight line from one real item's code to "
                     "another's. The end images are Brian's reconstructions of the two items."),
        widgets.HBox([ex.pick[0], ex.pick_k[0], ex.pick[1], ex.pick_k[1]]), ex.strip_image,
        ex.strip_info]


def static_figure(model, codes, labels, extent, z, n=15):
    """A plain matplotlib figure of the wardrobe: the decoder's items on an ``n`` x ``n`` grid of the map,
    next to the real items' codes, with a ring at ``z``."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.6))
    plots.decoded_grid(model, extent, n, ax=left)
    plots.latent_scatter(codes, labels, ax=right, s=2, title="Real test items (one dot each)")
    right.set_xlim(*extent[:2])
    right.set_ylim(*extent[2:])
    for ax in (left, right):
        ax.plot(*z, "o", ms=12, mfc="none", mec="k", mew=2)
    fig.tight_layout()
    return fig
