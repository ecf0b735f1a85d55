"""The 2D latent explorer: walk through Brian's wardrobe with two sliders, and hang items of your own.

``LatentExplorer(model, train_data, test_data)`` is an ipywidgets box (display it, or make it the last line of
a cell). Everything heavy (encoding all items, drawing the map) happens once in the constructor; a slider move
only decodes one point, pastes a marker onto the cached map and finds the nearest real training item (about
1-3 ms, see ``benchmarks/bench_explorer.py``). Clicking or dragging on the map moves z there (ipyevents). The same
explorer runs without a kernel in the browser (:mod:`ae_helpers.explorer.web`; ``make explorer``). Its parts:
the widgets and pictures are :mod:`~ae_helpers.explorer.view` (``self.view``), where the map sits in the latent
space is :mod:`~ae_helpers.explorer.geometry` (``self.geometry``), each model's codes and map a
:mod:`~ae_helpers.explorer.wardrobes` ``Wardrobe``, and the drawing pad and its panel
:mod:`~ae_helpers.explorer.pad` and :mod:`~ae_helpers.explorer.hanging`.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import torch

from .. import latent
from ..data import CLASS_NAMES
from ..detection import class_index
from . import hanging
from .view import GRAY_R, build_view, draw_diamond, draw_marker, draw_path, ink, png, static_figure, strip
from .wardrobes import Wardrobe, check_2d, images_and_labels


class LatentExplorer(hanging.Hanging, widgets.VBox):
    """Sliders for a point z = (z1, z2), Brian's item at z, the map of the real items with a ring at z,
    the nearest real training item with a verdict, and an interpolation strip.

    ``model``: an autoencoder with a **2D** latent space (any other ``latent_dim`` raises ``ValueError``: a flat map
    needs exactly two coordinates). ``train_data``: what the model learned from, searched for the nearest real
    item; ``test_data``: the items on the map and in the strip (default: ``train_data``); Fashion-MNIST datasets
    (or ``Subset``s) or ``(images, labels)`` pairs. ``margin``: how far beyond the data the sliders reach (fraction
    of the data's range); ``steps``: images in the strip (8-16). The verdict on the nearest real item is
    :func:`ae_helpers.latent.verdict`, graded by the latent distance in units of the spacing of the real items
    around that item (``self.spacing[i]``); ``self.threshold[i]``: beyond this distance it says "far from real items".

    ``compare_with={"VAE": vae}``: more 2D models (a VAE hangs an item at the centre ``mu`` of its cloud), each
    with its own wardrobe (``self.wardrobes``; ``name`` names ``model``'s), and a switch between them
    (``switch_to(name)``). ``pad=True``: a drawing pad and a photo upload (``self.panel``); ``hang(image)`` hangs a
    drawing or photo: a diamond on the map at its code, Brian's copy, the nearest real items, how unusual it is.

    ``set_z(z1, z2)`` moves z from code: a value off the map is clamped to its edge, NaN, infinity or a non-number
    is rejected (that coordinate stays put); the status line says what happened and nothing is raised. After each
    move ``self.nearest`` holds the nearest-neighbour result and ``self.marker_xy`` the ring's pixel. A click or a
    drag on the map (ipyevents) calls ``click_map(column, row)``. The map also shows the interpolation path
    (``self.path_xy``). ``self.z1``, ``self.z2`` are the sliders (their ``min``/``max``: the map's edges); all
    widgets are in ``self.view``; ``self.map_picture`` is the bare map (no ring, no path, no diamond).
    """

    def __init__(self, model, train_data, test_data=None, *, margin=0.25, steps=10, image_px=224,
                 map_size=(5.2, 3.8), dpi=90, max_map_points=10000, compare_with=None, name="autoencoder",
                 pad=False):
        check_2d(model)
        for other in (compare_with or {}).values():
            check_2d(other)
        if not 8 <= steps <= 16:
            raise ValueError(f"steps must be between 8 and 16, got {steps}")
        super().__init__()
        self.steps, self.scale = int(steps), max(1, image_px // 28)
        self.x_train, self.y_train = images_and_labels(train_data, "train_data")
        self.x_test, self.y_test = ((self.x_train, self.y_train) if test_data is None
                                    else images_and_labels(test_data, "test_data"))
        self.wardrobes = {n: Wardrobe(n, m, self.x_train, self.x_test, self.y_test, margin=margin, map_size=map_size,
                                      dpi=dpi, max_map_points=max_map_points)
                          for n, m in {name: model, **(compare_with or {})}.items()}
        self.wardrobe = self.wardrobes[name]
        self._map_base = self.map_picture.pixels  # the map with the interpolation path on it (see _update_strip)
        self.view = build_view(self.geometry, self.scale, self.steps, self.y_test, on_slider=self._on_slider,
                               on_pixel=self.click_map, on_go_to=self._on_go_to, on_pick=self._update_strip,
                               names=list(self.wardrobes), on_switch=lambda c: self.switch_to(c["new"]))
        self.panel = hanging.build_panel(on_pixels=self._on_pixels, on_upload=self._on_upload) if pad else None
        main = self.view.children[:-4]  # the switch, sliders, Brian and the map; then the pad; then the strip
        self.children = main + ((self.panel.box,) if pad else ()) + self.view.children[-4:]
        self._busy, self._nn_index, self._marker_at, self.nearest = False, None, None, {}
        self._image, self.hung, self.hang_xy = None, None, None  # the last image hung, its result and pixel
        self.set_z(*self.test_codes.median(0).values.tolist())
        self._update_strip()

    # ----- the current wardrobe (one per model) ---------------------------------------------------
    model = property(lambda self: self.wardrobe.model, doc="The current wardrobe's model.")
    train_codes = property(lambda self: self.wardrobe.train_codes, doc="Codes of the training items (N, 2).")
    test_codes = property(lambda self: self.wardrobe.test_codes, doc="Codes of the map's items (N, 2).")
    spacing = property(lambda self: self.wardrobe.spacing, doc="The spacing of the real items around each one.")
    threshold = property(lambda self: self.wardrobe.threshold, doc="Farther from item i: far.")
    map_picture = property(lambda self: self.wardrobe.map_picture, doc="The bare map picture.")
    geometry = property(lambda self: self.wardrobe.geometry, doc="Where the map sits in the latent space.")

    def switch_to(self, name: str) -> None:
        """Show the wardrobe of the model called ``name``: its map, sliders, Brian's items and verdicts, and the
        hung item (if any) hung again by this model."""
        if name not in self.wardrobes:
            raise ValueError(f"no model called {name!r} in this explorer; pick one of {list(self.wardrobes)}")
        if self.view.switch is not None and self.view.switch.value != name:
            self.view.switch.value = name  # its observer comes back here
            return
        self.wardrobe = self.wardrobes[name]
        (a, b), (c, d) = self.geometry.extent[:2], self.geometry.extent[2:]
        self._busy = True  # one update at the end
        try:
            for s, lo, hi in ((self.z1, a, b), (self.z2, c, d)):
                s.min, s.max = min(s.min, lo), max(s.max, hi)  # widen first: min <= max at every step
                s.min, s.max, s.step = lo, hi, (hi - lo) / 500
        finally:
            self._busy = False
        self._nn_index, self._marker_at = None, None
        if self._image is not None:
            self.hang(self._image)
        self._update_strip()
        self.set_z(*self.test_codes.median(0).values.tolist())

    # ----- per move: cheap -----------------------------------------------------------------------
    z1 = property(lambda self: self.view.z1, doc="The z1 slider.")
    z2 = property(lambda self: self.view.z2, doc="The z2 slider.")
    z = property(lambda self: (self.z1.value, self.z2.value), doc="The current point (z1, z2).")

    @property
    def marker_xy(self) -> tuple[int, int]:
        """Pixel (column, row) of the marker on the map image."""
        x, y = self.geometry.z_to_pixel(self.z1.value, self.z2.value)
        return round(x), round(y)

    def click_map(self, px: float, py: float) -> tuple[float, float]:
        """A click (or drag) at pixel (column ``px``, row ``py``) of the map image: move z there.
        Outside the plotted area, z is clamped to the map's edge and the status line says so."""
        return self.set_z(*self.geometry.pixel_to_z(px, py))

    def set_z(self, z1, z2) -> tuple[float, float]:
        """Move to (z1, z2); clamp to the map, reject NaN/inf/non-numbers (see the class docstring)."""
        new, notes = self.geometry.clamp(z1, z2, self.z)
        self._busy = True  # one update for both sliders
        try:
            self.z1.value, self.z2.value = new
        finally:
            self._busy = False
        self._safe_update("; ".join(notes))
        return self.z

    def _on_slider(self, change):
        if self._busy:
            return
        if not math.isfinite(change["new"]):  # e.g. slider.value = nan from code
            self._busy = True
            try:
                change["owner"].value = change["old"] if math.isfinite(change["old"]) else change["owner"].min
            finally:
                self._busy = False
            return self._safe_update(f"{change['owner'].description}={change['new']!r} is not a finite number; "
                                     "kept the previous value")
        self._safe_update()

    def _safe_update(self, note=""):
        """``_update``, but an error shows in the status line instead of freezing the widget."""
        try:
            self._update(note)
        except Exception as exc:  # an observer must not die: the next move tries again
            self.view.status.value = (f"<span style='color:#b00020'>⚠ could not update at z = "
                                      f"({self.z1.value:.2f}, {self.z2.value:.2f}): {type(exc).__name__}: {exc}</span>")

    def _on_go_to(self, change):
        if change["new"] >= 0:
            self.set_z(*self.class_centre(change["new"]))
            self.view.go_to.value = -1  # so the same class can be picked again

    def class_centre(self, label) -> tuple[float, float]:
        """The code of the most central training item of class ``label`` (an index or a class name): the one
        nearest the median of the class's training codes (a real item, even in a cluster shaped like a ring)."""
        k = class_index(label)
        return tuple(self.train_codes[latent.central_item(self.train_codes, self.y_train, k)].tolist())

    def decode_current(self) -> torch.Tensor:
        """Brian's item at the current z, shape (1, 28, 28)."""
        return self.wardrobe.decode([self.z])[0]

    def find_nearest(self, z1, z2) -> dict:
        """The real training item whose code is nearest to (z1, z2), and a verdict."""
        return self.wardrobe.find_nearest(z1, z2, self.y_train)

    def _update(self, note=""):
        view = self.view
        view.image.value = png(ink(self.decode_current()[0], self.scale), GRAY_R)
        self._draw_map()
        nn = self.nearest = self.find_nearest(*self.z)
        if nn["index"] != self._nn_index:
            self._nn_index = nn["index"]
            view.neighbour_image.value = png(ink(self.x_train[nn["index"], 0], 3), GRAY_R)
        colour = ("#1a7f37", "#8a6d00", "#b35900")[min(nn["grade"], 2)]
        view.neighbour_info.value = (f"{nn['class']} (training item #{nn['index']})"
                                     f"<br><b style='color:{colour}'>{nn['verdict']}</b>")
        z = f"z = ({self.z1.value:.2f}, {self.z2.value:.2f})"
        words = latent.VERDICT_GRADES[nn["grade"]][1]
        view.status.value = (f"<span style='color:#b00020'>⚠ {note}. Now at {z}: {words}.</span>" if note
                             else f"{z}: {words}")

    def _draw_map(self, force=False):
        """Re-encode the map only when the ring moves a pixel (or the path or the hung item changed)."""
        if force or self.marker_xy != self._marker_at:
            self._marker_at = self.marker_xy
            m = self._map_base.copy()
            if self.hang_xy is not None:
                draw_diamond(m, *self.hang_xy)
            draw_marker(m, *self._marker_at, self.geometry.box)
            self.view.map_image.value = png(m, self.map_picture.palette)

    # ----- interpolation and the static figure ---------------------------------------------------
    def item_index(self, label, k=0) -> int:
        """Index (in the map's items) of the ``k``-th item of class ``label`` (the last one if there are fewer)."""
        idx = (self.y_test == label).nonzero()[:, 0]
        return int(idx[min(max(int(k), 0), len(idx) - 1)])

    def reconstruct(self, indices) -> torch.Tensor:
        """Brian's reconstructions x' of the map's items ``indices``."""
        return self.wardrobe.decode(self.test_codes[torch.as_tensor(indices).reshape(-1)])

    def interpolate(self, i, j, steps=None) -> torch.Tensor:
        """Decoded images (steps, 1, 28, 28) on the straight line from item ``i``'s code to item ``j``'s."""
        a, b = self.test_codes[[i, j]]
        return self.wardrobe.decode(latent.interpolate(a, b, steps or self.steps))

    def _update_strip(self):
        view = self.view
        i, j = (self.item_index(p.value, k.value) for p, k in zip(view.pick, view.pick_k))
        view.strip_image.value = png(strip(ink(self.interpolate(i, j)[:, 0], 1)), GRAY_R)
        self._map_base = self.map_picture.pixels.copy()  # the path from item i's code to item j's, a dot per step
        a, b = self.test_codes[[i, j]].tolist()
        steps = np.linspace(0, 1, self.steps)
        self.path_xy = [self.geometry.z_to_pixel(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])) for t in steps]
        draw_path(self._map_base, self.path_xy)
        self._draw_map(force=True)
        view.strip_info.value = (f"from {CLASS_NAMES[int(self.y_test[i])]} (item #{i}) to "
                                 f"{CLASS_NAMES[int(self.y_test[j])]} (item #{j}) in {self.steps} steps")

    def show_static(self, n=15):
        """A plain matplotlib figure of the same wardrobe (for exported or un-rendered notebooks):
        Brian's items on an ``n`` x ``n`` grid of the map, next to the real items' codes."""
        return static_figure(self.wardrobe, self.test_codes, self.y_test, self.geometry.extent, self.z, n)

    def __repr__(self):
        return (f"LatentExplorer at z = ({self.z1.value:.2f}, {self.z2.value:.2f}): an interactive widget; "
                "it needs a running Jupyter kernel (show_static() draws the same map as a picture).")
