"""The map of the latent explorer: its geometry (the pure pixel <-> z mapping, keeping z on the map), clicks and
drags on the map (as ipyevents delivers them), clamping outside the plotted area, and the interpolation path drawn
on the map."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from ae_helpers.explorer import LatentExplorer
from ae_helpers.explorer.geometry import MapGeometry
from ae_helpers.explorer.view import MARK, draw_marker, draw_path
from ae_helpers.models import Autoencoder
from ae_helpers.training import train

BOX = (60.0, 460.0, 340.0, 40.0)   # columns of z1 = -2, 6; rows of z2 = -1, 2 (rows grow downwards)
EXTENT = (-2.0, 6.0, -1.0, 2.0)
MAP = MapGeometry(EXTENT, BOX, 520, 380)


def test_pixel_to_z_maps_the_box_corners_to_the_extent():
    assert MAP.pixel_to_z(60, 340) == pytest.approx((-2, -1))
    assert MAP.pixel_to_z(460, 40) == pytest.approx((6, 2))
    assert MAP.pixel_to_z(260, 190) == pytest.approx((2, 0.5))
    # outside the plotted area: a z outside the extent (clamping is set_z's job)
    z1, z2 = MAP.pixel_to_z(0, 400)
    assert z1 < EXTENT[0] and z2 < EXTENT[2]


@pytest.mark.parametrize("z", [(-2, -1), (6, 2), (0.3, 1.7), (5.5, -0.9)])
def test_z_to_pixel_is_the_inverse(z):
    px = MAP.z_to_pixel(*z)
    assert MAP.pixel_to_z(*px) == pytest.approx(z)


def test_empty_box_is_refused():
    with pytest.raises(ValueError, match="plotted area is empty"):
        MapGeometry(EXTENT, (5, 5, 3, 1), 10, 10)


def test_event_pixel_prefers_image_pixels_and_scales_css_pixels():
    picture = MapGeometry(EXTENT, BOX, 400, 300)
    assert picture.event_pixel({"dataX": 12, "dataY": 34, "relativeX": 1, "relativeY": 1}) == (12, 34)
    # drawn at twice its size: CSS pixel 200 is image pixel 100
    ev = {"relativeX": 200, "relativeY": 50, "boundingRectWidth": 800, "boundingRectHeight": 600}
    assert picture.event_pixel(ev) == (100, 25)


def test_the_geometry_is_immutable():
    with pytest.raises(AttributeError):
        MAP.box = (0, 1, 1, 0)


def test_clamp_keeps_z_on_the_map_and_says_what_it_changed():
    assert MAP.clamp(2.0, 0.5, (0.0, 0.0)) == ([2.0, 0.5], [])
    z, notes = MAP.clamp(9.0, -1.5, (0.0, 0.0))
    assert z == [6.0, -1.0]
    assert notes == ["z1=9 is off the map [-2.00, 6.00]; clamped to 6.00",
                     "z2=-1.5 is off the map [-1.00, 2.00]; clamped to -1.00"]
    z, notes = MAP.clamp(float("nan"), "x", (1.0, 1.5))
    assert z == [1.0, 1.5]
    assert notes == ["z1=nan is not a finite number, so z1 stays at 1.00",
                     "z2='x' is not a finite number, so z2 stays at 1.50"]


def test_draw_path_and_marker_use_their_own_palette_slots():
    m = np.zeros((50, 80), np.uint8)
    draw_path(m, [(10, 10), (40, 25), (70, 40)])
    assert m[10, 10] == m[40, 70] == m[25, 40] == MARK["path"]
    assert m[40, 10] == 0
    draw_marker(m, 5, 45, (0, 79, 49, 0))  # near a corner: clipped, no IndexError
    assert m[45, 5] == MARK["ring"]


@pytest.fixture(scope="module")
def explorer(real_data):
    x_train, y_train, x_test, y_test = real_data
    torch.manual_seed(0)
    model = Autoencoder(2, hidden=(32, 16))
    train(model, x_train[:300], epochs=1, batch_size=64, progress=False)
    return LatentExplorer(model, (x_train[:300], y_train[:300]), (x_test[:120], y_test[:120]), steps=8)


def _indices(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def test_a_click_on_the_map_moves_z_there(explorer):
    ex = explorer
    c0, c1, r0, r1 = ex.geometry.box
    px, py = c0 + 0.3 * (c1 - c0), r0 + 0.6 * (r1 - r0)
    before = ex.view.image.value
    ex.click_map(px, py)
    a, b, c, d = ex.geometry.extent
    assert ex.z == pytest.approx((a + 0.3 * (b - a), c + 0.6 * (d - c)))
    assert (ex.z1.value, ex.z2.value) == ex.z  # the sliders follow
    assert ex.marker_xy == (round(px), round(py))
    assert ex.view.image.value != before and "⚠" not in ex.view.status.value


def test_ipyevents_press_and_drag_move_z(explorer):
    ex = explorer
    if ex.view.pointer is None:
        pytest.skip("ipyevents is not installed")
    press, drag = ex.view.pointer
    assert press.source is ex.view.map_image and "mousedown" in press.watched_events
    c0, c1, r0, r1 = ex.geometry.box
    press._handle_mouse_msg(press, {"event": "mousedown", "type": "mousedown", "dataX": round(c0 + 10),
                                "dataY": round(r1 + 10)}, None)
    assert ex.marker_xy == (round(c0 + 10), round(r1 + 10))
    moved = {"type": "mousemove", "dataX": round(c1 - 20), "dataY": round(r0 - 5), "buttons": 1}
    drag._handle_mouse_msg(drag, {"event": "mousemove", **moved}, None)
    assert ex.marker_xy == (round(c1 - 20), round(r0 - 5))
    hover = {**moved, "dataX": round(c0 + 50), "buttons": 0}  # moving without a button held: no change
    drag._handle_mouse_msg(drag, {"event": "mousemove", **hover}, None)
    assert ex.marker_xy == (round(c1 - 20), round(r0 - 5))


def test_a_click_outside_the_plotted_area_clamps_to_the_edge(explorer):
    ex = explorer
    ex.click_map(0, 0)  # the picture's top-left corner: left of and above the axes
    assert ex.z == (ex.z1.min, ex.z2.max)
    assert "clamped" in ex.view.status.value and "off the map" in ex.view.status.value


def test_the_interpolation_path_is_on_the_map(explorer):
    ex = explorer
    ex.set_z(ex.z1.min, ex.z2.min)
    m = _indices(ex.view.map_image.value)
    path = MARK["path"]
    i, j = (ex.item_index(p.value, k.value) for p, k in zip(ex.view.pick, ex.view.pick_k))
    for end in (i, j):
        x, y = (round(v) for v in ex.geometry.z_to_pixel(*ex.test_codes[end].tolist()))
        assert (m[y - 1:y + 2, x - 1:x + 2] == path).any(), "each end of the path is drawn on the map"
    assert len(ex.path_xy) == ex.steps
    ex.view.pick[1].value = 1  # another "to" item: the path moves with it
    assert not np.array_equal(_indices(ex.view.map_image.value) == path, m == path)


def test_the_overlays_stay_clear_of_every_class_colour():
    """The path's colour is far from every class colour (as drawn and at alpha 0.5 on white) under normal vision
    and the three simulated dichromacies (benchmarks/bench_palette.py's measure); the old red #d62728 was not."""
    pytest.importorskip("colorspacious")
    import importlib.util
    from pathlib import Path

    from ae_helpers import plots
    from ae_helpers.explorer.view import MARK_RGB, PATH_COLOR

    spec = importlib.util.spec_from_file_location(
        "bench_palette", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_palette.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    classes = list(plots.CLASS_COLORS) + bench.on_white(plots.CLASS_COLORS)

    def closest(colour):
        return min(float(bench.distances([*classes, colour], v)[-1, :-1].min()) for v in bench.VISIONS)

    slot = 3 * (MARK["path"] - MARK["ring"])
    assert "#" + bytes(MARK_RGB[slot:slot + 3]).hex() == PATH_COLOR
    assert closest(PATH_COLOR) > 20, "the path's colour is clearly apart from every class colour"  # measured 23.8
    assert closest("#d62728") < 10, "the check has teeth: the old red was close to the T-shirt's colour"
