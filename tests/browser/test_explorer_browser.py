"""05_latent_space in a real JupyterLab: the 2D latent explorer renders as live widgets and reacts to a
keyboard move of its z1 slider (new decoded item, the marker moves on the map, the nearest item updates)."""

import pytest

from . import jlab

pytestmark = pytest.mark.browser

NOTEBOOK = "05_latent_space.ipynb"
PRESSES = 20  # one press = one slider step (1/500 of the range): the marker moves a few pixels


def _part(explorer, css_class: str, fallback):
    """A part of the explorer by its CSS class (``widget.add_class``) if the widget sets one, else by layout."""
    tagged = explorer.locator(f".{css_class}")
    return tagged.first if tagged.count() else fallback


def _wait_images_loaded(page, imgs) -> None:
    page.wait_for_function("els => els.every(i => i.complete && i.naturalWidth > 0 && i.src)",
                           arg=[i.element_handle() for i in imgs], timeout=30_000)


def test_latent_explorer_is_live(lab_page, lab):
    page = lab_page
    jlab.run_notebook(page, lab, NOTEBOOK)

    jlab.assert_no_text_reprs(page, "the latent explorer", "explorer")
    explorer = jlab.widget_output(page, ".widget-slider", "z1")
    assert explorer.count() == 1, "exactly one output with the z1/z2 sliders (the LatentExplorer)"
    z1 = _part(explorer, "explorer-z1", jlab.slider(explorer, "z1"))
    z2 = _part(explorer, "explorer-z2", jlab.slider(explorer, "z2"))
    for s in (z1, z2):
        assert s.count() == 1 and s.locator('[role="slider"]').count() == 1, "z1/z2 are real slider widgets"

    # img order in the explorer: Brian's item, the map, the nearest training item, the interpolation strip
    imgs = explorer.locator("img.widget-image")
    assert imgs.count() >= 3, f"the explorer shows its images (found {imgs.count()} <img>)"
    item = _part(explorer, "explorer-image", imgs.nth(0))
    latent_map = _part(explorer, "explorer-map", imgs.nth(1))
    nearest = _part(explorer, "explorer-nearest", explorer.locator(".widget-html", has_text="training item #"))
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
    page.wait_for_timeout(500)  # the last few key presses' updates
    page.wait_for_function("([el, old]) => el.textContent.trim() !== old.trim()",
                           arg=[z1.locator(".widget-readout").element_handle(), readout], timeout=10_000)
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
