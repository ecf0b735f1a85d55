"""The course website (book/build.py, quick mode) in Chromium from file:// with every other request blocked:
each page loads with no console error and nothing leaving the machine, the table of contents links every
notebook, the explorer in 05's page decodes like torch, every image has alt text, and axe-core finds no serious
or critical accessibility violation."""

from __future__ import annotations

import pytest
from test_book import NOTEBOOKS, quick_site

from .axe import audit
from .web_explorer import READY, check_decode_matches_torch, offline_context, watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site():
    return quick_site()


@pytest.fixture(scope="module")
def context(browser):
    ctx = offline_context(browser, 1280, 900)
    yield ctx
    ctx.close()


@pytest.mark.parametrize("name", ["index.html", "instructors.html", *(f"{n}.html" for n in NOTEBOOKS)])
def test_page_offline_accessible(context, site, name):
    page = context.new_page()
    errors = watch_errors(page)
    try:
        page.goto((site / name).as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # MathJax typesets after load
        if name == "index.html":
            toc = page.evaluate("() => Array.from(document.querySelectorAll('nav a, .toctree-wrapper a'))"
                                ".map(a => a.getAttribute('href'))")
            missing = [n for n in NOTEBOOKS if not any(h and h.split('#')[0] == f"{n}.html" for h in toc)]
            assert not missing, f"the table of contents does not link {missing}"
        no_alt = page.evaluate("() => Array.from(document.images).filter(i => !i.closest('[aria-hidden=true]') && "
                               "!(i.getAttribute('alt') || '').trim() && i.getAttribute('role') !== 'presentation')"
                               ".map(i => i.getAttribute('src'))")
        assert not no_alt, f"images without alt text on {name}: {no_alt[:5]}"
        problems = audit(page)
        assert not problems, f"axe-core on {name}:\n" + "\n".join(problems)
        assert not errors, f"errors on {name}: {errors}"
    finally:
        page.close()
    assert not context.left_machine, f"{name} tried to use the network (blocked): {context.left_machine}"


def test_explorer_in_05_decodes(context, site):
    page = context.new_page()
    errors = watch_errors(page)
    try:
        page.goto((site / f"{NOTEBOOKS[5]}.html").as_uri(), wait_until="load")
        frame_el = page.locator('iframe[src="explorer.html"]')
        frame_el.scroll_into_view_if_needed()
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_function(READY, timeout=30_000)
        assert frame.locator(".ae-explorer").count() == 1
        check_decode_matches_torch(frame, site / "explorer.html")
        assert not errors, f"errors on the page: {errors}"
    finally:
        page.close()
    assert not context.left_machine, f"the page tried to use the network (blocked): {context.left_machine}"
