"""The instructor deck (slides/build/index.html) in a real browser, from file://, with the network cut off:
reveal.js starts, every slide of the source notebook is there, the arrow keys move between slides, the
formulas are typeset by MathJax, the speaker notes exist, and nothing tries to leave the machine. Accessibility:
axe-core finds nothing serious or critical on any slide, and the keyboard reaches and works every control."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import deck_buildable, load_slides_build

from . import jlab
from .axe import audit

pytestmark = pytest.mark.browser

SLIDES = jlab.REPO / "slides"
BUILD_SCRIPT = SLIDES / "build.py"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
REVEAL_READY = "() => window.Reveal && Reveal.isReady && Reveal.isReady()"   # reveal.js has laid out the deck


def _local(url: str) -> bool:
    """Stays on this machine: data:, blob:, about: and file:///path (file://host/... is a network share;
    a protocol-relative "//cdn..." in a file:// page becomes exactly that)."""
    return url.startswith(LOCAL_SCHEMES) and not (url.startswith("file://") and not url.startswith("file:///"))


def _sources(build) -> list[Path]:
    return [build.NOTEBOOK, BUILD_SCRIPT, *SLIDES.glob("templates/*")]


@pytest.fixture(scope="module")
def deck(request):
    """(index.html, the build module): slides/build/ if it is newer than its sources, else this test run's
    quick deck (conftest.quick_deck, built once and shared with tests/test_slides.py; slides/build/ is left
    to `make slides`, which builds the full deck)."""
    build = load_slides_build()
    built = Path(build.BUILD_DIR) / build.DECK_NAME
    if built.is_file() and built.stat().st_mtime >= max(p.stat().st_mtime for p in _sources(build)):
        return built, build
    if not deck_buildable() and not jlab.in_ci():
        pytest.skip(f"cannot build the deck here: {build.NPM_MISSING}")
    return request.getfixturevalue("quick_deck"), build


def expected_slides(build) -> dict:
    """What nbconvert makes of the source notebook: slides (+ subslides) and speaker-notes cells."""
    cells = json.loads(Path(build.NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    cells = [c for c in cells if build.LIVE_ONLY_TAG not in c.get("metadata", {}).get("tags", [])]
    kinds = [c.get("metadata", {}).get("slideshow", {}).get("slide_type", "-") for c in cells]
    first = next(i for i, k in enumerate(kinds) if k not in ("notes", "skip"))  # nbconvert: always a slide
    slides = 1 + sum(k in ("slide", "subslide") for k in kinds[first + 1:])
    return {"slides": slides, "notes": kinds.count("notes")}


def test_deck_offline(browser, deck):
    html, build = deck
    context = browser.new_context(viewport={"width": 1280, "height": 720}, service_workers="block")
    context.set_default_timeout(30_000)
    left_machine, failed, errors = [], [], []

    def guard(route):
        url = route.request.url
        if _local(url):
            route.continue_()
        else:
            left_machine.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    if hasattr(context, "route_web_socket"):
        context.route_web_socket("**/*", lambda ws: (left_machine.append(ws.url), ws.close()))
    page = context.new_page()
    page.on("request", lambda r: None if _local(r.url) else left_machine.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})")
            if r.url.startswith("file:") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_function(REVEAL_READY, timeout=30_000)

        page.wait_for_load_state("networkidle")  # late requests (fonts, MathJax extensions)
        assert not left_machine, f"the deck tried to use the network (blocked): {sorted(set(left_machine))}"

        want = expected_slides(build)
        assert page.evaluate("Reveal.getTotalSlides()") == want["slides"], \
            "the deck's slides are the source notebook's slide and subslide cells"

        # formulas: MathJax 2 (CommonHTML output) or MathJax 3 typesets them; no TeX errors
        page.wait_for_function(
            "() => document.querySelectorAll('mjx-container, .MathJax, .MathJax_CHTML, .mjx-chtml').length > 0",
            timeout=60_000)
        page.wait_for_function("() => !window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0"
                               " && MathJax.Hub.queue.running === 0", timeout=60_000)
        assert page.locator(".mjx-merror, mjx-merror, .MathJax_Error").count() == 0, "a formula failed to typeset"

        notes = page.locator("aside.notes")
        assert notes.count() >= 1, "the deck has speaker notes (aside.notes)"
        assert notes.count() == want["notes"], "every notes cell of the source notebook is a speaker note"

        broken = page.evaluate("() => Array.from(document.images).filter(i => !i.complete || !i.naturalWidth)"
                               ".map(i => i.src.slice(0, 80))")
        assert not broken, f"images that did not load: {broken}"

        page.evaluate("Reveal.slide(0, 0)")
        page.wait_for_function(jlab.NO_ANIMATIONS_JS, timeout=10_000)  # the slide transition
        jlab.shot(page, "slides-title")
        start = page.evaluate("Reveal.getIndices()")
        page.locator(".reveal").click(position={"x": 5, "y": 5})  # keyboard focus on the deck
        page.keyboard.press("ArrowRight")
        page.wait_for_function("h0 => Reveal.getIndices().h !== h0", arg=start["h"], timeout=10_000)
        moved = page.evaluate("Reveal.getIndices()")
        assert moved["h"] == start["h"] + 1, f"ArrowRight goes to the next slide: {start} -> {moved}"
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("h0 => Reveal.getIndices().h === h0", arg=start["h"], timeout=10_000)

        assert not errors, f"JavaScript errors in the deck: {errors}"
        assert not failed, f"files the deck needs are missing next to it: {failed}"
    finally:
        context.close()
    assert not left_machine, f"the deck tried to use the network (blocked): {sorted(set(left_machine))}"


def _open_offline(page, html) -> None:
    """Load the built deck from file:// and wait for reveal.js and the live explorer's first picture."""
    from .web_explorer import READY

    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_function(REVEAL_READY, timeout=30_000)
    page.wait_for_function(READY, timeout=30_000)


def test_live_explorer_slide_offline(browser, deck):
    """The "Live in the browser" slide under *Visualizing the Latent Space*: the explorer runs in the deck."""
    from .web_explorer import check_decode_matches_torch, check_drag_and_keys, offline_context, watch_errors

    html, _ = deck
    context = offline_context(browser)
    page = context.new_page()
    errors = watch_errors(page)
    try:
        _open_offline(page, html)
        where = page.evaluate("Reveal.getIndices(document.querySelector('.ae-explorer').closest('section'))")
        title = page.evaluate(f"document.querySelectorAll('.slides > section')[{where['h']}].querySelector('h2')"
                              ".textContent")
        assert "Visualizing the Latent Space" in title, f"the live slide belongs under {title!r}"
        page.evaluate(f"Reveal.slide({where['h']}, {where['v']})")
        page.wait_for_function(jlab.NO_ANIMATIONS_JS, timeout=10_000)  # the slide transition
        root = page.locator(".ae-explorer")
        assert root.is_visible()
        check_decode_matches_torch(page, html)
        check_drag_and_keys(page, root, html, "slides-live-explorer", in_deck=True)
        assert not errors, f"errors on the live slide: {errors}"
    finally:
        context.close()
    assert not context.left_machine, f"the deck tried to use the network (blocked): {context.left_machine}"


#: What Tab may reach besides the slide on screen: reveal's arrows and its slide number (a link to the slide).
DECK_CHROME = ".controls button, .slide-number a"
FOCUSED_JS = """(chrome) => { const e = document.activeElement, s = e.closest('.slides section');
    return {tag: e.tagName, cls: String(e.className), name: e.getAttribute('aria-label') || e.textContent.trim(),
            onSlide: !!s, current: !!s && (s === Reveal.getCurrentSlide() || s.contains(Reveal.getCurrentSlide())),
            chrome: e.matches(chrome), outline: getComputedStyle(e).outlineStyle}; }"""


def _tab_until(page, done, limit=30) -> list[dict]:
    """Press Tab until ``done(focused)``; every element on the way is on screen: the current slide or the deck's
    own controls (never a hidden slide, never nothing). Returns the elements, in order."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS, DECK_CHROME)
        if focused["tag"] != "BODY":  # Tab passes the page itself once per round
            assert focused["current"] or focused["chrome"], f"Tab reached something not on screen: {focused}"
            assert focused["outline"] != "none", f"keyboard focus is invisible on {focused}"
            path.append(focused)
        if done(focused):
            return path
    raise AssertionError(f"{limit} presses of Tab did not get there: {path}")


def test_deck_accessible(browser, deck):
    """Every slide, audited while it is on screen (reveal.js shows one slide at a time and hides the others from
    assistive technology, so auditing the first page would skip them): no serious or critical axe-core violation.
    Then the keyboard: Tab reaches only what is on screen, the "next slide" button works with Enter, and on the
    live explorer slide Tab reaches the map, whose arrow keys move z (not the slides) until Esc."""
    from .web_explorer import offline_context, watch_errors

    html, _ = deck
    context = offline_context(browser)
    page = context.new_page()
    errors = watch_errors(page)
    try:
        _open_offline(page, html)
        page.evaluate("Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
        problems = {}
        for where in page.evaluate("Reveal.getSlides().map(s => Reveal.getIndices(s))"):
            page.evaluate("([h, v]) => Reveal.slide(h, v)", [where["h"], where["v"] or 0])
            page.wait_for_function(jlab.NO_ANIMATIONS_JS, timeout=10_000)
            for line in audit(page):
                problems.setdefault(line, f"slide {where['h']}/{where['v'] or 0}")
        assert not problems, "axe-core on the deck:\n" + "\n".join(f"{s}: {p}" for p, s in problems.items())

        # a figure slide: Tab goes through what is on it, then the deck's controls; Enter on "next" moves on
        page.evaluate("Reveal.slide(2, 0)")
        page.evaluate("document.activeElement.blur()")
        _tab_until(page, lambda f: f["chrome"] and f["name"] == "next slide")
        page.keyboard.press("Enter")
        page.wait_for_function("() => Reveal.getIndices().h === 3", timeout=10_000)
        page.keyboard.press("Space")  # reveal's "next"; the focused button must not add a second step
        page.wait_for_function("() => Reveal.getIndices().h === 4", timeout=10_000)
        page.wait_for_timeout(200)
        assert page.evaluate("Reveal.getIndices().h") == 4, "Space on the focused button moved two slides"

        # the live explorer slide: every control of it is a tab stop with a name; the map takes the arrow keys
        slide = page.evaluate("Reveal.getIndices(document.querySelector('.ae-explorer').closest('section'))")
        page.evaluate("([h, v]) => Reveal.slide(h, v)", [slide["h"], slide["v"]])
        page.evaluate("document.activeElement.blur()")
        path = _tab_until(page, lambda f: f["chrome"] and f["name"] == "next slide")
        controls = page.evaluate("() => Array.from(Reveal.getCurrentSlide().querySelectorAll("
                                 "'a[href], button, input, select, textarea, canvas[tabindex], [tabindex=\"0\"]'))"
                                 ".filter(e => e.offsetParent && !e.disabled).length")
        reached = [f for f in path if f["onSlide"]]
        assert len(reached) >= controls, f"Tab reached {len(reached)} of the slide's {controls} controls: {path}"
        assert all(f["name"] for f in path), f"a control without a name: {path}"
        assert any("ae-map" in f["cls"] for f in reached), f"Tab does not reach the explorer's map: {path}"
        z = "() => aeExplorer.instances[0].state().z"
        page.locator(".ae-explorer canvas.ae-map").focus()
        before = page.evaluate(z)
        page.keyboard.press("ArrowRight")
        assert page.evaluate(z)[0] > before[0], "ArrowRight on the focused map moves z1"
        assert page.evaluate("Reveal.getIndices()")["h"] == slide["h"], "the map keeps the arrow keys from the deck"
        page.keyboard.press("Escape")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("h => Reveal.getIndices().h === h + 1", arg=slide["h"], timeout=10_000)

        # Esc: the overview, where a click on a slide (off screen slides are inert otherwise) goes there
        page.keyboard.press("Escape")
        page.wait_for_function("() => Reveal.isOverview()", timeout=10_000)
        page.wait_for_function(jlab.NO_ANIMATIONS_JS, timeout=10_000)
        page.locator(".slides > section").nth(slide["h"]).click()
        page.wait_for_function("h => !Reveal.isOverview() && Reveal.getIndices().h === h", arg=slide["h"],
                               timeout=10_000)
        assert not errors, f"errors in the deck: {errors}"
    finally:
        context.close()
    assert not context.left_machine, f"the deck tried to use the network (blocked): {context.left_machine}"
