"""The standalone in-browser latent explorer (slides/build/explorer.html, `make explorer`) in Chromium, from
file:// with the network cut off: it decodes like torch, dragging on the map moves z and updates Brian's item
and the nearest item, the panel says the verdict measures among all the training items (not the carried ones),
the keys and the interpolation strip work, and nothing errs or leaves the machine.

Hang your own item: a stroke drawn with the mouse on the pad and a PNG made here and uploaded are preprocessed as
ae_helpers.hang.to_item does (Python, on the pad's pixels read back), hung where torch's encoder puts them (the
diamond's z, within 1e-4), copied as torch's decoder copies them, with the nearest carried items and the
unusualness sentence Python gives; the switch to the VAE loads its wardrobe then (explorer-vae-data.js, from file://,
saying so meanwhile) and changes the map, Brian's item, the codes and the copy; a missing VAE file is reported in one
line and the plain wardrobe stays; every control is reached with Tab; the interpolation's two "example" inputs have
a label each; axe-core finds nothing serious or critical."""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from ae_helpers import hang
from ae_helpers.explorer import web
from conftest import deck_buildable, load_slides_build

from . import jlab
from .axe import audit
from .web_explorer import (
    READY,
    check_decode_matches_torch,
    check_drag_and_keys,
    offline_context,
    panel_state,
    watch_errors,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_html(request, tmp_path_factory) -> Path:
    """slides/build/explorer.html if it is newer than its sources, else the one beside this run's quick deck
    (conftest.quick_deck, built once), else (no npm for a deck) a quick explorer-only build."""
    build = load_slides_build()
    built = Path(build.BUILD_DIR) / build.EXPLORER_PAGE
    sources = [Path(build.__file__), *Path(build.EXPLORER_SRC).iterdir(),
               *(jlab.REPO / "ae_helpers" / "explorer").glob("*.py"), jlab.REPO / "ae_helpers" / "explorer" / "hang.js"]
    if built.is_file() and built.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return built
    if deck_buildable():
        return request.getfixturevalue("quick_deck").parent / build.EXPLORER_PAGE
    return build.build_explorer(tmp_path_factory.mktemp("explorer"), quick=True, quiet=True)


def requests_of(page) -> list[str]:
    """Every URL ``page`` requests, in order, collected as it happens."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def test_standalone_explorer_offline(browser, page_html):
    context = offline_context(browser, 1100, 900)
    page = context.new_page()
    errors = watch_errors(page)
    try:
        page.goto(page_html.as_uri(), wait_until="load")
        page.wait_for_function(READY, timeout=30_000)
        root = page.locator(".ae-explorer")
        assert root.count() == 1
        jlab.shot(root, "explorer-page-before")
        check_decode_matches_torch(page, page_html)
        check_drag_and_keys(page, root, page_html, "explorer-page-dragged")
        # the picture is the nearest item the page carries; the verdict measures among all the training items
        # the notebook's explorer searches (the panel says which is which)
        panel, n_train = root.locator(".ae-nearest").inner_text(), page.evaluate("AE_EXPLORER_DATA.verdict.n")
        assert "Nearest item this page carries:" in panel
        assert f"among all {n_train:,} training items" in panel and n_train > page.evaluate("AE_EXPLORER_DATA.items.n")

        # the interpolation strip: another "to" class redraws it and moves the path on the map
        info = root.locator(".ae-strip-info")
        text = info.inner_text()
        root.locator("select.ae-pick-to").select_option(label="Trouser")
        assert info.inner_text() != text and "to Trouser" in info.inner_text()
        # each "example" number has a label of its own (one label, one control), named by its end of the path
        for end in ("from", "to"):
            box = root.get_by_role("spinbutton", name=f"interpolate {end}: example number", exact=True)
            assert box.count() == 1 and box.evaluate("i => i.labels.length === 1 && i.labels[0].textContent.trim()") \
                == "example"
        assert page.evaluate("() => Array.from(document.querySelectorAll('.ae-picks label'), "
                             "l => l.querySelectorAll('input, select').length)") == [1, 1, 1, 1]
        assert not errors, f"errors on the page: {errors}"
    finally:
        context.close()
    assert not context.left_machine, f"the page tried to use the network (blocked): {context.left_machine}"


HANG_READY = READY[:-1] + " && aeExplorer.instances[0].hang)"
STATE = "() => aeExplorer.instances[0].hang.state()"


def _torch_hang(data, k, item) -> dict:
    """What torch does with a 28 x 28 ``item`` in wardrobe ``k`` of the page's export (its exported weights, equal
    bit for bit to the model's: tests/test_web_explorer.py): z, Brian's copy, the error's percentile and sentence,
    and the 5 nearest carried items."""
    x = torch.as_tensor(item, dtype=torch.float32).reshape(1, 784)
    with torch.no_grad():
        z = web.encoder_from_data(data, k)(x)
        copy = web.decoder_from_data(data, k)(z)
    error = float(((copy - x) ** 2).mean())
    pct = hang.unusualness(error, web.errors_from_data(data, k))
    codes = torch.from_numpy(web.items_from_data(data, k)[0].copy())
    nearest = ((codes - z) ** 2).sum(1).argsort(stable=True)[:5].tolist()
    return {"z": z[0].tolist(), "copy": copy[0].numpy(), "error": error, "sentence": hang.unusual_sentence(pct),
            "nearest": nearest}


def _check_hung(page, data, k, item, what) -> dict:
    """The page's hung item equals ``item`` (Python's preprocessing) and is hung as torch hangs it."""
    got, want = page.evaluate(STATE), _torch_hang(data, k, item)
    result = page.locator(".ae-hang-result")
    assert np.abs(np.array(got["item"]) - np.asarray(item).reshape(-1)).max() <= 1e-5, f"{what}: the 28 x 28 item"
    marker = [float(result.get_attribute("data-z1")), float(result.get_attribute("data-z2"))]
    assert np.abs(np.array(marker) - want["z"]).max() <= 1e-4, f"{what}: the diamond's z {marker} vs {want['z']}"
    assert np.abs(np.array(got["copy"]) - want["copy"]).max() <= 1e-4, f"{what}: Brian's copy"
    copy_px = page.evaluate("() => Array.from(document.querySelector('canvas.ae-hang-copy').getContext('2d')"
                            ".getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))")
    assert np.abs(np.array(copy_px) - (255 - np.round(np.clip(want["copy"], 0, 1) * 255))).max() <= 1
    assert got["nearest"] == want["nearest"], f"{what}: the nearest carried items"
    shown = page.evaluate("() => Array.from(document.querySelectorAll('.ae-hang-near canvas'), c => +c.dataset.index)")
    assert shown == want["nearest"]
    assert got["sentence"] == want["sentence"] and want["sentence"] in result.inner_text()
    assert abs(got["error"] - want["error"]) <= 1e-6
    return got


def _photo(path: Path) -> None:
    """A small 'photo': a dark boot-like shape on light paper, with some noise (RGB, no colour profile)."""
    from PIL import Image

    rng = np.random.default_rng(3)
    img = np.full((48, 64, 3), 225, np.uint8) + rng.integers(0, 20, (48, 64, 1), dtype=np.uint8)
    img[10:40, 20:30] = (40, 30, 20)
    img[30:40, 20:52] = (50, 40, 30)
    Image.fromarray(img).save(path)


VAE_FILE = web.wardrobe_file("vae")[0]
#: Every text the switch's status line takes, with the wardrobe shown at that moment (a MutationObserver).
WATCH_SWITCH = """() => { const s = document.querySelector('.ae-wardrobe-status'); window.aeSaid = [];
    new MutationObserver(() => aeSaid.push([s.textContent, aeExplorer.instances[0].w.key]))
        .observe(s, {childList: true, characterData: true, subtree: true}); }"""


def test_hang_your_own_item_offline(browser, page_html, tmp_path):
    context = offline_context(browser, 1100, 1500)
    page = context.new_page()
    errors = watch_errors(page)
    requests = requests_of(page)
    data = web.read_data(page_html.parent / "explorer" / web.DATA_FILE)
    try:
        page.goto(page_html.as_uri(), wait_until="load")
        page.wait_for_function(HANG_READY, timeout=30_000)
        root = page.locator(".ae-explorer")

        # a stroke with the mouse; the pad's pixels read back and preprocessed in Python
        pad = page.locator("canvas.ae-pad")
        box = pad.bounding_box()
        assert box["width"] >= 280 and box["height"] >= 280
        assert page.evaluate("getComputedStyle(document.querySelector('canvas.ae-pad')).touchAction") == "none"
        page.mouse.move(box["x"] + 90, box["y"] + 50)
        page.mouse.down()
        for t in np.linspace(0, 1, 12):
            page.mouse.move(box["x"] + 90 + 100 * t, box["y"] + 50 + 180 * t * (1 - 0.3 * t))
        page.mouse.up()
        png = page.evaluate("() => document.querySelector('canvas.ae-pad').toDataURL('image/png')")
        from PIL import Image

        rgba = np.asarray(Image.open(io.BytesIO(base64.b64decode(png.split(",", 1)[1]))).convert("RGBA"))
        drawn = _check_hung(page, data, 0, hang.to_item(rgba).numpy(), "the drawing")
        assert "drawing" in drawn["where"]
        jlab.shot(root, "explorer-page-drawn")

        # a photo, uploaded: the same preprocessing, every step shown small
        photo = tmp_path / "boot.png"
        _photo(photo)
        page.locator("input.ae-photo").set_input_files(str(photo))
        page.wait_for_function("() => (aeExplorer.instances[0].hang.source || '').startsWith('photo')")
        before_switch = _check_hung(page, data, 0, hang.to_item(photo).numpy(), "the photo")
        steps = hang.hang_steps(photo)
        sizes = page.evaluate("() => Array.from(document.querySelectorAll('canvas.ae-step'), c => [c.height, c.width])")
        assert sizes == [list(steps[s].shape) for s in ("grey", "polarity", "cleaned", "cropped", "item")]
        jlab.shot(root, "explorer-page-photo")

        # the VAE's wardrobe: not on the page until the reader switches to it, then loaded from its own file
        # ("loading the VAE's wardrobe..." until it is there); another map, decoder, encoder, codes and errors, and
        # the photo is hung again
        assert page.evaluate("() => typeof window.AE_EXPLORER_VAE") == "undefined"
        assert not [u for u in requests if VAE_FILE in u], "the VAE's wardrobe is loaded only on demand"
        status = root.locator(".ae-wardrobe-status")
        assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
        page.evaluate(WATCH_SWITCH)
        map_before = page.evaluate("() => aeExplorer.instances[0].mapImage.src")
        item_before = panel_state(page)["item"]
        page.locator("input.ae-wardrobe-vae").check()
        page.wait_for_function("() => aeExplorer.instances[0].w.key === 'vae' && aeExplorer.instances[0].mapImage"
                               ".complete && aeExplorer.instances[0].mapImage.naturalWidth")
        assert page.evaluate("() => aeSaid") == [["loading the VAE's wardrobe\u2026", "plain"], ["", "vae"]]
        assert [u for u in requests if VAE_FILE in u] == [(page_html.parent / "explorer" / VAE_FILE).as_uri()]
        assert page.evaluate("() => aeExplorer.instances[0].mapImage.src") == data["wardrobes"][1]["map"]["png"]
        assert page.evaluate("() => aeExplorer.instances[0].mapImage.src") != map_before
        in_vae = _check_hung(page, data, 1, hang.to_item(photo).numpy(), "the photo in the VAE")
        assert in_vae["wardrobe"] == "vae" and "VAE" in in_vae["where"]
        assert in_vae["z"] != before_switch["z"] and in_vae["copy"] != before_switch["copy"]
        state = page.evaluate("() => aeExplorer.instances[0].state()")
        with torch.no_grad():
            want = web.decoder_from_data(data, 1)(torch.tensor([state["z"]], dtype=torch.float32))[0].numpy()
        assert np.abs(np.array(state["item"]) - want).max() <= 1e-5, "Brian's item at z is the VAE's"
        shown = np.array(panel_state(page)["item"])
        assert np.abs(shown - (255 - np.round(np.clip(want, 0, 1) * 255))).max() <= 1, "and it is drawn"
        assert shown.tolist() != item_before, "Brian's item changed with the wardrobe"
        jlab.shot(root, "explorer-page-vae")

        # keyboard: every control is reached with Tab (the pad is pointer-only; the photo input is its keyboard path)
        page.locator("canvas.ae-map").focus()
        reached = set()
        for _ in range(40):
            page.keyboard.press("Tab")
            reached.add(page.evaluate("() => document.activeElement.className || document.activeElement.tagName"))
        for control in ("ae-z1", "ae-z2", "ae-pick-from", "ae-pick-to", "ae-brush", "ae-eraser", "ae-clear",
                        "ae-photo", "ae-hang-go"):
            assert control in reached, f"{control} is not reached with Tab ({sorted(reached)})"
        assert {"ae-wardrobe-plain", "ae-wardrobe-vae"} & reached, "the wardrobe switch is not reached with Tab"
        page.locator("input.ae-wardrobe-vae").focus()
        page.keyboard.press("ArrowLeft")  # radio buttons: the arrow keys switch
        page.wait_for_function("() => aeExplorer.instances[0].w.key === 'plain'")
        page.locator("button.ae-clear").focus()
        page.keyboard.press("Enter")
        assert page.evaluate(STATE)["z"] is None

        violations = audit(page)
        assert not violations, "axe-core: " + "; ".join(violations)
        assert not errors, f"errors on the page: {errors}"
        assert requests and all(u.startswith(("file:///", "data:")) for u in requests), requests
    finally:
        context.close()
    assert not context.left_machine, f"the page tried to use the network (blocked): {context.left_machine}"


def test_a_missing_vae_file_is_said_in_one_line(browser, page_html, tmp_path):
    """The page without explorer-vae-data.js: the switch says in one line what is missing and what to do, the plain
    wardrobe stays (map, z, radio button); once the file is back, the next switch loads it."""
    shutil.copy2(page_html, tmp_path / page_html.name)
    shutil.copytree(page_html.parent / "explorer", tmp_path / "explorer", ignore=shutil.ignore_patterns(VAE_FILE))
    context = offline_context(browser, 1100, 900)
    page = context.new_page()
    errors = watch_errors(page)
    try:
        page.goto((tmp_path / page_html.name).as_uri(), wait_until="load")
        page.wait_for_function(HANG_READY, timeout=30_000)
        root, before = page.locator(".ae-explorer"), page.evaluate("() => aeExplorer.instances[0].state()")
        page.locator("input.ae-wardrobe-vae").click()
        status = root.locator(".ae-wardrobe-status")
        page.wait_for_function("() => document.querySelector('.ae-wardrobe-status').textContent.includes('could')")
        said = status.inner_text()
        assert said == (f"\u26a0 could not load the VAE's wardrobe: explorer/{VAE_FILE} is missing or unreadable; "
                        "keep the explorer/ folder next to this page, or rebuild it (make explorer)")
        assert "ae-warn" in status.get_attribute("class")
        assert page.evaluate("() => aeExplorer.instances[0].state()") == before, "the plain wardrobe stays"
        assert root.locator("input.ae-wardrobe-plain").is_checked() and not root.locator("input.ae-wardrobe-vae") \
            .is_checked()
        # the browser's own report of the missing file, and nothing else
        assert sorted(errors) == ["console error: Failed to load resource: net::ERR_FILE_NOT_FOUND",
                                  f"failed to load {(tmp_path / 'explorer' / VAE_FILE).as_uri()}"], errors
        errors.clear()

        shutil.copy2(page_html.parent / "explorer" / VAE_FILE, tmp_path / "explorer" / VAE_FILE)
        page.locator("input.ae-wardrobe-vae").click()
        page.wait_for_function("() => aeExplorer.instances[0].w.key === 'vae'")
        assert status.inner_text() == "" and "ae-warn" not in status.get_attribute("class")
        assert not errors, f"errors on the page: {errors}"
    finally:
        context.close()
    assert not context.left_machine, f"the page tried to use the network (blocked): {context.left_machine}"
