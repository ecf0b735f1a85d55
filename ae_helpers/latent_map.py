"""The latent explorer's map picture: pixel <-> z, the marker, the interpolation path, and pointer events.

The map is a matplotlib scatter rendered once into a palette image. ``box = (c0, c1, r0, r1)`` are the
pixel columns of the z1 limits ``extent[0], extent[1]`` and the pixel rows of the z2 limits ``extent[2],
extent[3]`` (rows grow downwards, so ``r0 > r1``). The same mapping is used by the in-browser explorer
(slides/explorer/explorer.js), which gets ``box`` and ``extent`` from :mod:`ae_helpers.web_explorer`.
"""

from __future__ import annotations

import numpy as np

#: Palette slots of the map image that only the overlays use (the scatter is quantized to 250 colours).
MARK = {"ring": 250, "fill": 251, "line": 252, "path": 253}
MARK_RGB = [0, 0, 0, 255, 255, 255, 110, 110, 110, 214, 39, 40]  # black, white, grey, red

_r = np.hypot(*np.mgrid[-8:9, -8:9])
RING = (np.argwhere((_r >= 5.5) & (_r <= 7.5)) - 8, np.argwhere(_r < 5.5) - 8)  # (ring, fill) offsets


def pixel_to_z(px: float, py: float, box, extent) -> tuple[float, float]:
    """Map-image pixel (column ``px``, row ``py``) -> latent point (z1, z2). Not clamped: a pixel outside
    the plotted area gives a z outside ``extent`` (the explorer's ``set_z`` clamps it and says so)."""
    c0, c1, r0, r1 = box
    a, b, c, d = extent
    if c1 == c0 or r1 == r0:
        raise ValueError(f"the map's plotted area is empty: box={tuple(box)}")
    return (a + (px - c0) / (c1 - c0) * (b - a), c + (py - r0) / (r1 - r0) * (d - c))


def z_to_pixel(z1: float, z2: float, box, extent) -> tuple[float, float]:
    """Latent point (z1, z2) -> map-image pixel (column, row), unrounded: the inverse of :func:`pixel_to_z`."""
    c0, c1, r0, r1 = box
    a, b, c, d = extent
    return (c0 + (z1 - a) / (b - a) * (c1 - c0), r0 + (z2 - c) / (d - c) * (r1 - r0))


def event_pixel(event: dict, width: int, height: int) -> tuple[float, float]:
    """An ipyevents mouse event on the map image -> pixel (column, row) of the image itself.

    ipyevents gives ``dataX/dataY`` for an Image widget: the pixel of the picture itself, wherever and however
    big the browser draws it. Without them, ``relativeX/Y`` (CSS pixels from the element's top-left corner)
    are scaled by the drawn size ``boundingRectWidth/Height``.
    """
    if "dataX" in event and "dataY" in event:
        return float(event["dataX"]), float(event["dataY"])
    w = float(event.get("boundingRectWidth") or width)
    h = float(event.get("boundingRectHeight") or height)
    return float(event["relativeX"]) * width / w, float(event["relativeY"]) * height / h


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
    """Draw the dotted cross-hair through (cx, cy) across the plotted area, and the ring at (cx, cy)."""
    c0, c1, r0, r1 = (round(v) for v in box)
    if 0 <= cx < m.shape[1]:
        m[r1:r0:4, cx] = MARK["line"]
    if 0 <= cy < m.shape[0]:
        m[cy, c0:c1:4] = MARK["line"]
    for offsets, colour in zip(RING, (MARK["ring"], MARK["fill"])):
        _put(m, offsets[:, 1] + cx, offsets[:, 0] + cy, colour)
    m[max(cy - 1, 0):cy + 2, max(cx - 1, 0):cx + 2] = MARK["ring"]


def watch_pointer(image, on_pixel, width: int, height: int):
    """Call ``on_pixel(column, row)`` when the map ``image`` widget is clicked or dragged (button held).

    Uses ipyevents (its JupyterLab front end ships with the package). Returns the ``ipyevents.Event``, or
    ``None`` when ipyevents is not installed (the sliders still work).
    """
    try:
        from ipyevents import Event
    except ImportError:
        return None
    # mousedown: the press itself (and preventDefault stops the browser dragging the picture away);
    # mousemove with the left button held: a drag, throttled to one message per 30 ms
    press = Event(source=image, watched_events=["mousedown"], prevent_default_action=True)
    drag = Event(source=image, watched_events=["mousemove"], prevent_default_action=True, wait=30,
                 throttle_or_debounce="throttle")

    def handle(event):
        if event["type"] == "mousedown" or int(event.get("buttons", 0)) & 1:
            on_pixel(*event_pixel(event, width, height))

    press.on_dom_event(handle)
    drag.on_dom_event(handle)
    return press, drag
