"""The standalone in-browser latent explorer (slides/build/explorer.html, `make explorer`) in Chromium, from
file:// with the network cut off: it decodes like torch, dragging on the map moves z and updates Brian's item
and the nearest item, the panel says the verdict measures among all the training items (not the carried ones),
the keys and the interpolation strip work, and nothing errs or leaves the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import deck_buildable, load_slides_build

from . import jlab
from .web_explorer import READY, check_decode_matches_torch, check_drag_and_keys, offline_context, watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_html(request, tmp_path_factory) -> Path:
    """slides/build/explorer.html if it is newer than its sources, else the one beside this run's quick deck
    (conftest.quick_deck, built once), else (no npm for a deck) a quick explorer-only build."""
    build = load_slides_build()
    built = Path(build.BUILD_DIR) / build.EXPLORER_PAGE
    sources = [Path(build.__file__), *Path(build.EXPLORER_SRC).iterdir(),
               *(jlab.REPO / "ae_helpers" / "explorer").glob("*.py")]
    if built.is_file() and built.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return built
    if deck_buildable():
        return request.getfixturevalue("quick_deck").parent / build.EXPLORER_PAGE
    return build.build_explorer(tmp_path_factory.mktemp("explorer"), quick=True, quiet=True)


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
        assert not errors, f"errors on the page: {errors}"
    finally:
        context.close()
    assert not context.left_machine, f"the page tried to use the network (blocked): {context.left_machine}"
