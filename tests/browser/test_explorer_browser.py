"""05_latent_space in a real JupyterLab: the 2D latent explorer renders as live widgets, its sliders are named
range inputs (the accessibility tree names them z1, z2, brush), and it reacts to a
keyboard move of its z1 slider (new decoded item, the marker moves on the map, the nearest item updates), and
a click on its map moves z to the clicked point (ipyevents). Section 2b, "Hang your own item": a mouse stroke on
the drawing pad (anywidget) hangs the drawing where the encoder puts the item ae_helpers.hang makes of the pad's
pixels (computed here, independently of the kernel), Brian's copy and the nearest items update; an uploaded photo
likewise; the VAE switch (operated from the keyboard) changes the map and where the item hangs; no console errors."""

import re

import numpy as np
import pytest
import torch
from PIL import Image

from ae_helpers import data, hang, pretrained
from ae_helpers.data import CLASS_NAMES
from ae_helpers.explorer.view import HANG_COLOR, MARK, MARK_RGB

from . import jlab

pytestmark = pytest.mark.browser

NOTEBOOK = "05_latent_space.ipynb"
PRESSES = 20  # one press = one slider step (1/500 of the range): the marker moves a few pixels
RANGE = 'input[type="range"]'  # the explorer's sliders (ae_helpers.explorer.slider)


def _wait_images_loaded(page, imgs) -> None:
    page.wait_for_function("els => els.every(i => i.complete && i.naturalWidth > 0 && i.src)",
                           arg=[i.element_handle() for i in imgs], timeout=30_000)


def test_latent_explorer_is_live(lab_page, lab, tmp_path):
    page = lab_page
    jlab.run_notebook(page, lab, NOTEBOOK)

    jlab.assert_no_text_reprs(page, "the latent explorer", "explorer")
    explorers = jlab.widget_output(page, ".ae-slider", "z1")
    assert explorers.count() == 2, "two outputs with the z1/z2 sliders: the explorer, and the one with the pad"
    explorer = explorers.nth(0)
    assert explorer.locator(".explorer-pad").count() == 0 and explorers.nth(1).locator(".explorer-pad").count() == 1
    z1, z2 = explorer.locator(".explorer-z1").first, explorer.locator(".explorer-z2").first
    for s in (z1, z2):
        assert s.count() == 1 and s.locator(RANGE).count() == 1, "z1/z2 are real slider widgets"
    for scope, names in ((explorer, ("z1", "z2")), (explorers.nth(1), ("z1", "z2", "brush"))):
        for name in names:   # the name a screen reader reads, from Chromium's accessibility tree
            assert scope.get_by_role("slider", name=re.compile(rf"^{name}\b")).count() == 1, f"no slider named {name}"

    # img order in the explorer: Brian's item, the map, the nearest training item, the interpolation strip
    imgs = explorer.locator("img.widget-image")
    assert imgs.count() >= 3, f"the explorer shows its images (found {imgs.count()} <img>)"
    item, latent_map = explorer.locator(".explorer-image").first, explorer.locator(".explorer-map").first
    nearest = explorer.locator(".explorer-nearest").first
    _wait_images_loaded(page, [item, latent_map])

    before = {"item": jlab.image_state(item), "map": jlab.image_state(latent_map)}
    for name, st in before.items():
        assert st["src"].startswith(("blob:", "data:")), f"{name}: not a decoded image: src={st['src'][:60]}"
        assert st["w"] > 0 and st["h"] > 0 and st["bytes"], f"{name}: the image is empty ({st['w']}x{st['h']})"
    assert before["item"]["w"] == before["item"]["h"], "Brian's item is a square 28x28 picture, scaled up"
    item_px = jlab.pixels(before["item"]["bytes"])
    assert item_px.std() > 5, "Brian's item is a picture, not a blank square"
    nearest_text = nearest.inner_text()
    readout = z1.locator("output").inner_text()
    handle = z1.locator(RANGE)
    value = float(handle.input_value())
    lo, hi = float(handle.get_attribute("min")), float(handle.get_attribute("max"))
    key = "ArrowLeft" if value > (lo + hi) / 2 else "ArrowRight"  # the notebook may leave z at an edge

    explorer.scroll_into_view_if_needed()
    jlab.shot(explorer, "explorer-before")

    handle.focus()
    for _ in range(PRESSES):
        page.keyboard.press(key)
    page.wait_for_function(
        "([el, old]) => el.textContent.trim() !== old.trim()", arg=[nearest.element_handle(), nearest_text],
        timeout=30_000)
    page.wait_for_function("([el, old]) => el.textContent.trim() !== old.trim()",
                           arg=[z1.locator("output").element_handle(), readout], timeout=10_000)
    jlab.wait_explorer_caught_up(page, explorer)  # the kernel has handled the last key press
    _wait_images_loaded(page, [item, latent_map])
    after = {"item": jlab.image_state(item), "map": jlab.image_state(latent_map)}
    jlab.shot(explorer, "explorer-after")

    new_value = float(handle.input_value())
    assert (new_value < value) if key == "ArrowLeft" else (new_value > value), "the keyboard moved the z1 slider"
    assert after["item"]["src"] != before["item"]["src"], "Brian's item was not redrawn"
    assert (jlab.pixels(after["item"]["bytes"]) != item_px).any(), "Brian's item did not change with z1"
    old_map, new_map = jlab.pixels(before["map"]["bytes"]), jlab.pixels(after["map"]["bytes"])
    assert old_map.shape == new_map.shape, "the map keeps its size"
    changed = (old_map != new_map).any(-1)
    assert changed.any(), "the marker did not move on the latent map"
    assert changed.mean() < 0.1, "only the marker moves: the map itself is not redrawn"
    assert nearest.inner_text() != nearest_text, "the nearest-training-item panel did not update"

    # a click on the map (ipyevents) moves z to the clicked point, within one map pixel, and redraws Brian
    click_moves_z_there(page, latent_map, item, z1, z2)

    # section 2b: a stroke on the pad, an uploaded photo and the VAE switch hang your own item
    hang_your_own_item(page, explorers.nth(1), tmp_path)
    errors = [m for m in page.console_messages_seen if m.startswith(("error", "pageerror"))]
    assert not errors, f"the browser console reported errors: {errors[:5]}"


def _plot_frame(rgb: np.ndarray) -> tuple[float, float, float, float]:
    """The axes frame (spines) of the map picture: (left column, right column, bottom row, top row), found
    as the rows and columns with the most dark pixels, independently of the explorer's own bookkeeping. The
    cross-hair's grey dots count as dark: with z on the map's edge (where the notebook may leave it) they lie on a
    spine."""
    line = MARK_RGB[3 * (MARK["line"] - MARK["ring"]):][:3]  # the cross-hair's colour
    dark = (rgb.max(-1) < 90) | (rgb == line).all(-1)
    found = []
    for counts in (dark.sum(0), dark.sum(1)):  # per column, per row
        lines = np.nonzero(counts >= 0.8 * counts.max())[0]
        middle = (lines.min() + lines.max()) / 2
        assert lines.max() - lines.min() > 50, f"no frame found in the map picture: dark lines at {lines}"
        found.append((lines[lines < middle].mean(), lines[lines > middle].mean()))
    (left, right), (top, bottom) = found
    return left, right, bottom, top


def _settled_box(page, element, tries=40):
    """The element's box once it is on screen and stops moving: JupyterLab renders cells lazily as the
    notebook scrolls, so cells above the explorer can change height just after it is scrolled into view."""
    element.scroll_into_view_if_needed()
    last = None
    for _ in range(tries):
        box = element.bounding_box()
        if box == last:
            return box
        last = box
        page.wait_for_timeout(100)
    raise AssertionError(f"the map kept moving on the page (last box {last})")


def click_moves_z_there(page, latent_map, item, z1, z2) -> None:
    state = jlab.image_state(latent_map)
    left, right, bottom, top = _plot_frame(jlab.pixels(state["bytes"]))
    box = _settled_box(page, latent_map)
    sx, sy = box["width"] / state["w"], box["height"] / state["h"]
    handles = [s.locator(RANGE) for s in (z1, z2)]
    ranges = [(float(h.get_attribute("min")), float(h.get_attribute("max"))) for h in handles]
    before = jlab.image_state(item)["src"]
    px, py = left + 0.3 * (right - left), bottom + 0.35 * (top - bottom)  # a point inside the plotted area
    # Chromium delivers mouse events at whole CSS pixels of the page: click on one, so that the point we
    # expect is the point the page reports (the map may sit at a fractional offset on the page)
    px = (round(box["x"] + px * sx) - box["x"]) / sx
    py = (round(box["y"] + py * sy) - box["y"]) / sy
    latent_map.click(position={"x": px * sx, "y": py * sy})
    want = (ranges[0][0] + (px - left) / (right - left) * (ranges[0][1] - ranges[0][0]),
            ranges[1][0] + (py - bottom) / (top - bottom) * (ranges[1][1] - ranges[1][0]))
    one_pixel = ((ranges[0][1] - ranges[0][0]) / (right - left), (ranges[1][1] - ranges[1][0]) / (bottom - top))
    # the readouts show z with 2 decimals (the input's value is snapped to the slider's steps)
    readouts = [s.locator("output") for s in (z1, z2)]
    near = "([r, w, tol]) => Math.abs(parseFloat(r.textContent.replace('\\u2212', '-')) - w) <= tol"
    for r, w, tol in zip(readouts, want, one_pixel):
        page.wait_for_function(near, arg=[r.element_handle(), w, 3 * tol], timeout=30_000)
    got = [float(r.inner_text().replace("\u2212", "-")) for r in readouts]
    for g, w, tol in zip(got, want, one_pixel):
        assert abs(g - w) <= tol, f"clicked map pixel ({px:.1f}, {py:.1f}): z = {got}, expected {want} +- {one_pixel}"
    page.wait_for_function("([img, old]) => img.src !== old && img.complete",
                           arg=[item.element_handle(), before], timeout=10_000)
    jlab.shot(latent_map, "explorer-clicked")


def _ranges(scope):
    handles = [scope.locator(f".explorer-{n} {RANGE}").first for n in ("z1", "z2")]
    return [(float(h.get_attribute("min")), float(h.get_attribute("max"))) for h in handles]


def _encode(model, item):
    with torch.no_grad():
        z = model.encode(item[None, None])
        z = (z[0] if isinstance(z, tuple) else z)[0]
        return z, model.decoder(z[None])[0, 0].numpy()


def _check_hung(page, scope, before: dict, item, model, what: str) -> None:
    """Wait for the kernel's answer to a new item, then check the diamond sits where ``model`` hangs ``item``
    (within 2 map pixels, the map's frame found in its pixels) and Brian's copy is ``model``'s decoder there."""
    latent_map, copy = scope.locator(".explorer-map").first, scope.locator(".explorer-hang-copy").first
    verdict = scope.locator(".explorer-hang-verdict").first
    page.wait_for_function("([m, c, old]) => m.src !== old[0] && c.src !== old[1] && m.complete && c.complete",
                           arg=[latent_map.element_handle(), copy.element_handle(), [before["map"], before["copy"]]],
                           timeout=60_000)
    assert "⚠" not in verdict.inner_text(), f"{what}: {verdict.inner_text()}"
    z, sewn = _encode(model, item)
    rgb = jlab.pixels(jlab.image_state(latent_map)["bytes"])
    left, right, bottom, top = _plot_frame(rgb)
    (a, b), (c, d) = _ranges(scope)
    want = (left + (float(z[0]) - a) / (b - a) * (right - left), bottom + (float(z[1]) - c) / (d - c) * (top - bottom))
    yellow = np.argwhere((rgb == [int(HANG_COLOR[i:i + 2], 16) for i in (1, 3, 5)]).all(-1))  # (row, column)
    assert len(yellow) >= 10, f"{what}: no diamond on the map"
    spread = np.abs(yellow[:, 1] - want[0]) + np.abs(yellow[:, 0] - want[1])
    assert spread.max() <= 5 + 2, f"{what}: the diamond is not at the encoder's z = {z.tolist()} (pixel {want})"
    shown = 255 - jlab.pixels(jlab.image_state(copy)["bytes"])[::4, ::4, 0]  # dark ink on white paper
    assert np.abs(shown - np.round(sewn * 255)).max() <= 2, f"{what}: Brian's copy is not the decoder's at z"
    jlab.shot(scope, f"explorer-hang-{what.split()[0]}")


def _state(scope) -> dict:
    return {k: scope.locator(f".explorer-{css}").first.get_attribute("src") or ""
            for k, css in (("map", "map"), ("copy", "hang-copy"))}


def hang_your_own_item(page, scope, tmp_path) -> None:
    model, vae = pretrained(2), pretrained(2, arch="vae")   # the kernel's models, from the same cache
    canvas = scope.locator("canvas.ae-pad-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] >= 280 and box["height"] >= 280, f"the pad is at least 280 x 280 CSS pixels: {box}"
    assert canvas.evaluate("c => getComputedStyle(c).touchAction") == "none", "a finger draws instead of scrolling"
    assert canvas.get_attribute("tabindex") == "0" and canvas.get_attribute("aria-label"), "the pad has a name"
    nearest = scope.locator(".explorer-hang-nearest").first
    before, nearest_text = _state(scope), nearest.inner_text()

    # a stroke with the mouse: a 7 (one stroke: along the top, then down to the left)
    points = [(0.2, 0.2), (0.8, 0.2), (0.45, 0.9)]
    page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for t in np.linspace(0, 1, 12)[1:]:
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
    page.mouse.up()
    rgba = canvas.evaluate("c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)")
    side = int(round((len(rgba) // 4) ** 0.5))
    drawn = np.array(rgba, np.uint8).reshape(side, side, 4)
    assert drawn[..., 0].max() == 255 and (drawn[..., 0] == 0).mean() > 0.5, "white ink on black"
    item = hang.to_item(drawn[..., 0])
    _check_hung(page, scope, before, item, model, "drawing on the pad")
    page.wait_for_function("([el, old]) => el.textContent !== old", arg=[nearest.element_handle(), nearest_text])
    x_train, y_train = data.load("train", 8000)              # notebook 05's quick-mode training items
    with torch.no_grad():
        first = int((model.encode(x_train) - _encode(model, item)[0]).norm(dim=1).argmin())
    assert f"{CLASS_NAMES[int(y_train[first])]} (#{first})" in nearest.inner_text(), "the nearest real items"

    # the keyboard's way in: a photo (a dark trouser on light paper) through the upload button
    photo = np.full((160, 120, 3), 230, np.uint8)
    photo[20:150, 25:50] = photo[20:150, 65:90] = photo[20:40, 25:90] = (50, 40, 100)
    path = tmp_path / "trouser-photo.png"
    Image.fromarray(photo).save(path)
    before = _state(scope)
    with page.expect_file_chooser() as chooser:   # the upload button, from the keyboard
        scope.locator(".explorer-upload").first.focus()
        page.keyboard.press("Enter")
    chooser.value.set_files(str(path))
    _check_hung(page, scope, before, hang.to_item(path), model, "uploaded photo")
    steps = scope.locator(".explorer-hang-steps").first
    assert jlab.image_state(steps)["w"] > 0, "the preprocessing steps are shown"

    # the VAE switch, from the keyboard: focus its button, press Space
    before = _state(scope)
    scope.locator(".explorer-switch button", has_text="VAE").first.focus()
    page.keyboard.press("Space")
    _check_hung(page, scope, before, hang.to_item(path), vae, "VAE switch")
