"""Where the map picture sits in the latent space: pixel <-> z, a mouse event -> pixel (and the ipyevents that
deliver them, :func:`watch_pointer`), and a z kept on the map.

The map is a matplotlib scatter rendered once into a palette image (:func:`ae_helpers.explorer.view.render_map`
measures the box). ``box = (c0, c1, r0, r1)`` are the pixel columns of the z1 limits ``extent[0], extent[1]``
and the pixel rows of the z2 limits ``extent[2], extent[3]`` (rows grow downwards, so ``r0 > r1``). The
in-browser explorer (slides/explorer/explorer.js) uses the same linear mapping, with ``box`` and ``extent``
exported by :mod:`ae_helpers.explorer.web`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MapGeometry:
    """The map picture's place in the latent space: ``extent = (z1 min, z1 max, z2 min, z2 max)``, the pixel
    ``box`` of that extent (see the module docstring) and the picture's ``width`` x ``height`` in pixels."""

    extent: tuple[float, float, float, float]
    box: tuple[float, float, float, float]
    width: int
    height: int

    def __post_init__(self):
        object.__setattr__(self, "extent", tuple(float(v) for v in self.extent))
        object.__setattr__(self, "box", tuple(float(v) for v in self.box))
        c0, c1, r0, r1 = self.box
        if c1 == c0 or r1 == r0:
            raise ValueError(f"the map's plotted area is empty: box={self.box}")

    def pixel_to_z(self, px: float, py: float) -> tuple[float, float]:
        """Map-image pixel (column ``px``, row ``py``) -> latent point (z1, z2). Not clamped: a pixel outside
        the plotted area gives a z outside ``extent`` (the explorer's ``set_z`` clamps it and says so)."""
        c0, c1, r0, r1 = self.box
        a, b, c, d = self.extent
        return (a + (px - c0) / (c1 - c0) * (b - a), c + (py - r0) / (r1 - r0) * (d - c))

    def z_to_pixel(self, z1: float, z2: float) -> tuple[float, float]:
        """Latent point (z1, z2) -> map-image pixel (column, row), unrounded: the inverse of :meth:`pixel_to_z`."""
        c0, c1, r0, r1 = self.box
        a, b, c, d = self.extent
        return (c0 + (z1 - a) / (b - a) * (c1 - c0), r0 + (z2 - c) / (d - c) * (r1 - r0))

    def event_pixel(self, event: dict) -> tuple[float, float]:
        """An ipyevents mouse event on the map image -> pixel (column, row) of the image itself.

        ipyevents gives ``dataX/dataY`` for an Image widget: the pixel of the picture itself, wherever and however
        big the browser draws it. Without them, ``relativeX/Y`` (CSS pixels from the element's top-left corner)
        are scaled by the drawn size ``boundingRectWidth/Height``.
        """
        if "dataX" in event and "dataY" in event:
            return float(event["dataX"]), float(event["dataY"])
        w = float(event.get("boundingRectWidth") or self.width)
        h = float(event.get("boundingRectHeight") or self.height)
        return float(event["relativeX"]) * self.width / w, float(event["relativeY"]) * self.height / h

    def clamp(self, z1, z2, current: tuple[float, float]) -> tuple[list[float], list[str]]:
        """``(z1, z2)`` kept on the map: a value off the map is clamped to its edge, NaN, infinity or a non-number
        is rejected (that coordinate stays at ``current``). Returns the point and one note per change."""
        notes, new = [], []
        for name, value, now, low, high in (("z1", z1, current[0], *self.extent[:2]),
                                            ("z2", z2, current[1], *self.extent[2:])):
            try:
                v = float(value)
            except (TypeError, ValueError):
                v = math.nan
            if not math.isfinite(v):
                notes.append(f"{name}={value!r} is not a finite number, so {name} stays at {now:.2f}")
                v = now
            elif not low <= v <= high:
                clamped = min(max(v, low), high)
                notes.append(f"{name}={v:.4g} is off the map [{low:.2f}, {high:.2f}]; clamped to {clamped:.2f}")
                v = clamped
            new.append(v)
        return new, notes


def watch_pointer(image, on_pixel, geometry: MapGeometry):
    """Call ``on_pixel(column, row)`` when the map ``image`` widget is clicked or dragged (button held).

    Uses ipyevents (its JupyterLab front end ships with the package). Returns the ``ipyevents.Event`` pair
    (press, drag), or ``None`` when ipyevents is not installed (the sliders still work).
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
            on_pixel(*geometry.event_pixel(event))

    press.on_dom_event(handle)
    drag.on_dom_event(handle)
    return press, drag
