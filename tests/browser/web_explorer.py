"""Checks shared by the browser tests of the in-browser latent explorer (slides/explorer/explorer.js): the same
explorer is a slide of the deck and the standalone page explorer.html. Pages are opened from file:// with every
non-local request aborted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ae_helpers.explorer import web
from ae_helpers.explorer.geometry import MapGeometry
from ae_helpers.latent import VERDICT_GRADES

from . import jlab
from .test_slides_browser import _local

READY = ("() => window.aeExplorer && aeExplorer.ready && aeExplorer.instances.length > 0 && aeExplorer.instances"
         ".every(e => e.sprite.complete && e.sprite.naturalWidth && e.mapImage.complete && e.mapImage.naturalWidth)")


def offline_context(browser, width=1280, height=720):
    """A browser context that aborts (and records) every request that would leave the machine."""
    context = browser.new_context(viewport={"width": width, "height": height}, service_workers="block")
    context.set_default_timeout(30_000)
    context.left_machine = []

    def guard(route):
        if _local(route.request.url):
            route.continue_()
        else:
            context.left_machine.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    return context


def watch_errors(page) -> list[str]:
    """Console errors and uncaught exceptions of ``page``, collected as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"failed to load {r.url}") if r.url.startswith("file:") else None)
    return errors


def check_decode_matches_torch(page, html: Path) -> float:
    """The page's decode(z) equals torch's model.decode(z) (exported at build time) within 1e-5 per pixel."""
    ref = json.loads((html.parent / "explorer" / "decode-reference.json").read_text())
    worst = 0.0
    for z, want in zip(ref["z"], ref["decoded"]):
        got = np.array(page.evaluate("z => aeExplorer.decode(z)", z))
        assert got.shape == (784,), f"decode({z}) returned {got.shape} values"
        worst = max(worst, float(np.abs(got - np.array(want)).max()))
    assert worst <= 1e-5, f"the page's decoder differs from torch's by {worst:.2e} per pixel (allowed 1e-5)"
    return worst


def panel_state(page, k=0) -> dict:
    return page.evaluate(f"""() => {{
        const ex = aeExplorer.instances[{k}], s = ex.state();
        const grey = (ctx) => Array.from(ctx.getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0));
        return {{z: s.z, nearest: s.nearest, status: s.status, text: ex.nearInfo.textContent,
                 item: grey(ex.itemCtx), near: grey(ex.nearCtx), decoded: s.item}};
    }}""")


def check_drag_and_keys(page, root, html: Path, shot_name: str, in_deck: bool = False) -> None:
    """Press and drag on the map: z follows the pointer (within one map pixel), Brian's item is the decoder's
    output at the new z, the nearest item changes; arrow keys on the map move z; outside the map clamps."""
    data = page.evaluate("() => ({box: AE_EXPLORER_DATA.map.box, extent: AE_EXPLORER_DATA.map.extent, "
                         "w: AE_EXPLORER_DATA.map.width, h: AE_EXPLORER_DATA.map.height})")
    box, extent = data["box"], data["extent"]
    canvas = root.locator("canvas.ae-map")
    rect = canvas.bounding_box()
    scale = rect["width"] / data["w"]  # the deck scales its slides

    def screen(px, py):
        return rect["x"] + px * scale, rect["y"] + py * rect["height"] / data["h"]

    c0, c1, r0, r1 = box
    start, end = (c0 + 0.15 * (c1 - c0), r0 + 0.2 * (r1 - r0)), (c0 + 0.8 * (c1 - c0), r0 + 0.85 * (r1 - r0))
    page.mouse.move(*screen(*start))
    page.mouse.down()
    before = panel_state(page)
    for t in np.linspace(0, 1, 8)[1:]:
        page.mouse.move(*screen(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])))
    page.mouse.up()
    after = panel_state(page)
    jlab.shot(root, shot_name)

    one_pixel = ((extent[1] - extent[0]) / (c1 - c0), (extent[3] - extent[2]) / (r0 - r1))
    for got, want, tol in zip(after["z"], MapGeometry(extent, box, data["w"], data["h"]).pixel_to_z(*end), one_pixel):
        assert abs(got - want) <= tol, f"dragging to map pixel {end} gave z={after['z']}, expected ~{want}"
    assert before["z"] != after["z"]
    want_ink = 255 - np.round(np.clip(after["decoded"], 0, 1) * 255)
    assert np.abs(np.array(after["item"]) - want_ink).max() <= 1, "Brian's item is the decoder's output at z"
    assert after["item"] != before["item"], "Brian's item did not change with the drag"
    assert after["nearest"]["index"] != before["nearest"]["index"], "the nearest item did not change"
    _, labels, ink = web.items_from_data(web.read_data(html.parent / "explorer" / web.DATA_FILE))
    k = after["nearest"]["index"]
    assert np.array_equal(np.array(after["near"]), 255 - ink[k].reshape(-1)), "the nearest item's picture is shown"
    assert after["nearest"]["class"] == web.CLASS_NAMES[labels[k]]
    assert after["text"] != before["text"] and after["nearest"]["class"] in after["text"]
    assert after["nearest"]["verdict"] in after["text"] and "latent distance" in after["text"]
    assert sum(words in after["text"] for _, words in VERDICT_GRADES) == 1, "one verdict"

    if in_deck:
        slide = page.evaluate("Reveal.getIndices()")
    canvas.focus()
    page.keyboard.press("ArrowRight")
    moved = panel_state(page)
    assert moved["z"][0] > after["z"][0] and moved["z"][1] == after["z"][1], "ArrowRight on the map moves z1"
    if in_deck:
        assert page.evaluate("Reveal.getIndices()") == slide, "arrow keys on the map move z, not the slides"
        page.keyboard.press("Escape")  # gives the arrow keys back to the deck (and opens no overview)
        assert page.evaluate("() => !document.activeElement.classList.contains('ae-map') && !Reveal.isOverview()")

    page.mouse.click(*screen(2, 2))  # the picture's corner, outside the plotted area
    clamped = panel_state(page)
    assert clamped["z"] == [extent[0], extent[3]], "outside the plotted area, z is clamped to the map's edge"
    assert "clamped" in clamped["status"] and "off the map" in clamped["status"]
