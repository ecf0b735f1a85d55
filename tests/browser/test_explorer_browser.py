"""05_latent_space in a real JupyterLab: the 2D latent explorer renders as live widgets and reacts to a
keyboard move of its z1 slider (new decoded item, the marker moves on the map, the nearest item updates), and
a click on its map moves z to the clicked point (ipyevents)."""

import numpy as np
import pytest

from . import jlab

pytestmark = pytest.mark.browser

NOTEBOOK = "05_latent_space.ipynb"
PRESSES = 20  # one press = one slider step (1/500 of the range): the marker moves a few pixels


def _wait_images_loaded(page, imgs) -> None:
    page.wait_for_function("els => els.every(i => i.complete && i.naturalWidth > 0 && i.src)",
                           arg=[i.element_handle() for i in imgs], timeout=30_000)


def test_latent_explorer_is_live(lab_page, lab):
    page = lab_page
    jlab.run_notebook(page, lab, NOTEBOOK)

    jlab.assert_no_text_reprs(page, "the latent explorer", "explorer")
    explorer = jlab.widget_output(page, ".widget-slider", "z1")
    assert explorer.count() == 1, "exactly one output with the z1/z2 sliders (the LatentExplorer)"
    z1, z2 = explorer.locator(".explorer-z1").first, explorer.locator(".explorer-z2").first
    for s in (z1, z2):
        assert s.count() == 1 and s.locator('[role="slider"]').count() == 1, "z1/z2 are real slider widgets"

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
    readout = z1.locator(".widget-readout").inner_text()
    handle = z1.locator('[role="slider"]')
    value = float(handle.get_attribute("aria-valuenow"))
    lo, hi = float(handle.get_attribute("aria-valuemin")), float(handle.get_attribute("aria-valuemax"))
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
                           arg=[z1.locator(".widget-readout").element_handle(), readout], timeout=10_000)
    jlab.wait_explorer_caught_up(page, explorer)  # the kernel has handled the last key press
    _wait_images_loaded(page, [item, latent_map])
    after = {"item": jlab.image_state(item), "map": jlab.image_state(latent_map)}
    jlab.shot(explorer, "explorer-after")

    new_value = float(handle.get_attribute("aria-valuenow"))
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


def _plot_frame(rgb: np.ndarray) -> tuple[float, float, float, float]:
    """The axes frame (spines) of the map picture: (left column, right column, bottom row, top row), found
    as the rows and columns with the most dark pixels, independently of the explorer's own bookkeeping."""
    dark = rgb.max(-1) < 90
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
    handles = [s.locator('[role="slider"]') for s in (z1, z2)]
    ranges = [(float(h.get_attribute("aria-valuemin")), float(h.get_attribute("aria-valuemax"))) for h in handles]
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
    # the readouts show z with 2 decimals (aria-valuenow is rounded more coarsely); d3-format writes "−" (U+2212)
    readouts = [s.locator(".widget-readout") for s in (z1, z2)]
    near = "([r, w, tol]) => Math.abs(parseFloat(r.textContent.replace('\\u2212', '-')) - w) <= tol"
    for r, w, tol in zip(readouts, want, one_pixel):
        page.wait_for_function(near, arg=[r.element_handle(), w, 3 * tol], timeout=30_000)
    got = [float(r.inner_text().replace("\u2212", "-")) for r in readouts]
    for g, w, tol in zip(got, want, one_pixel):
        assert abs(g - w) <= tol, f"clicked map pixel ({px:.1f}, {py:.1f}): z = {got}, expected {want} +- {one_pixel}"
    page.wait_for_function("([img, old]) => img.src !== old && img.complete",
                           arg=[item.element_handle(), before], timeout=10_000)
    jlab.shot(latent_map, "explorer-clicked")
