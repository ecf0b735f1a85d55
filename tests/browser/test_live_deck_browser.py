"""The instructor's live deck (slides/README.md, "Present live in JupyterLab") in a real JupyterLab that has the
course's settings, as `make present` starts it: open slides/understanding_autoencoders.ipynb, Run All, Start Deck from
the command palette, arrow keys to the "Live: walk through the wardrobe" sub-slide, drag the latent explorer's
z1 slider (Brian's item changes: a live widget, not a picture), its arrow keys (z1 moves, the slide stays), Esc,
Stop Deck. The live slide's content passes
axe-core with nothing serious or critical. Also: no "official Jupyter news" prompt, and the server hands the page
the course's notification settings."""

from __future__ import annotations

import json
import shutil
import urllib.request

import pytest

from . import course_lab as cl
from . import jlab
from .axe import audit

pytestmark = pytest.mark.browser

LIVE_TITLE = "## Live: walk through the wardrobe"
ON_SCREEN = "jp-deck-mod-onscreen"  # jupyterlab-slideshow's class for the cells of the slide being shown
DRAG_PX = 60  # how far the z1 handle is dragged (the slider is 340 px wide)
THUMB_PX = 16  # the width of a range input's thumb in Chromium
KEY_PRESSES = 5  # arrow key presses on the focused z1 slider


def _slide_type(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def deck_plan() -> dict:
    """Cell indices in the slides notebook: the first slide, the live sub-slide and the slide above it."""
    cells = json.loads((jlab.REPO / cl.SLIDES_NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    live = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith(LIVE_TITLE))
    assert _slide_type(cells[live]) == "subslide", "the live explorer is a sub-slide (slides/README.md: ↓ reaches it)"
    above = max(i for i in range(live) if _slide_type(cells[i]) == "slide")
    first = min(i for i, c in enumerate(cells) if _slide_type(c) == "slide")
    title = "".join(cells[above]["source"]).lstrip("#").strip().splitlines()[0]
    return {"first": first, "above": above, "above_title": title, "live": live, "n_cells": len(cells)}


@pytest.fixture(scope="module")
def course_server(tmp_path_factory):
    """JupyterLab with the course's settings (jupyter-config/) on a temporary copy of notebooks/ + slides/."""
    home = tmp_path_factory.mktemp("course-lab")
    server = cl.CourseLabServer(cl.copy_course(home / "course"), home)
    try:
        yield server.start()
    finally:
        server.stop()
        jlab.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(server.log_path, jlab.ARTIFACTS / "jupyterlab-course.log")


def test_news_prompt_is_off(course_server):
    """The served settings make "Would you like to get notified about official Jupyter news?" never appear
    (JupyterLab asks only while fetchNews is "none"), the server neither fetches news nor checks for updates,
    and this comes from the course's config folder, not from a user setting."""
    notification = course_server.settings(cl.NOTIFICATION_PLUGIN)
    defaults = {k: v.get("default") for k, v in notification["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false", "the course's JupyterLab must not ask about Jupyter news"
    assert defaults["checkForUpdates"] is False, "the course's JupyterLab must not check for updates"
    assert not {"fetchNews", "checkForUpdates"} & set(notification["settings"]), "not a user setting"
    assert course_server.get("/lab/api/news") == {"news": []}
    assert course_server.get("/lab/api/update") == {"notification": None}
    with urllib.request.urlopen(f"{course_server.url}/lab", timeout=30) as r:
        html = r.read().decode()
    data = html.split('id="jupyter-config-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["news"] == {"disabled": True}, "the page config says news are disabled"


def _press_until(page, key: str, target: int, limit: int) -> list[int]:
    """Press ``key`` until the deck's active cell is ``target``; each press must move it. Returns the path."""
    path = [cl.active_cell(page)["index"]]
    for _ in range(limit):
        if path[-1] == target:
            return path
        page.keyboard.press(key)
        page.wait_for_function(f"prev => ({cl.ACTIVE_CELL_JS})().index !== prev", arg=path[-1], timeout=10_000)
        path.append(cl.active_cell(page)["index"])
    assert path[-1] == target, f"{key} did not reach cell {target} in {limit} presses: {path}"
    return path


def test_live_deck(page, course_server):
    plan = deck_plan()
    jlab.open_notebook(page, course_server, cl.SLIDES_NOTEBOOK)
    # The deck's code is collapsed (only figures on the slides); Run All is watched through the code prompts.
    cl.run_command(page, "Expand All Code")
    page.wait_for_function(f"() => !document.querySelector('{jlab.ACTIVE} .jp-InputPlaceholder')")
    jlab.run_all_cells(page)
    jlab.assert_ran_cleanly(page, jlab.wait_run_all_done(page, timeout=420))
    jlab.assert_no_text_reprs(page, "the deck's latent explorer", "deck")
    cl.run_command(page, "Collapse All Code")
    news = [t for t in cl.toasts(page) if cl.NEWS_PROMPT in t]
    assert not news, f"the news prompt pops up in the course's JupyterLab: {news}"

    # slides/README.md step 3: select the first slide, then Start Deck (it starts at the selected cell)
    page.locator(f"{jlab.ACTIVE} .jp-Cell").nth(plan["first"]).click()
    assert cl.active_cell(page)["index"] == plan["first"]
    cl.run_command(page, "Start Deck")
    page.wait_for_function(cl.PRESENTING_JS, timeout=30_000)
    page.wait_for_function(jlab.NO_ANIMATIONS_JS, timeout=10_000)  # the deck lays the slide out
    jlab.shot(page, "deck-title")

    # slides/README.md step 4: → to the slide, then ↓ to its sub-slide
    right = _press_until(page, "ArrowRight", plan["above"], plan["n_cells"])
    assert right == sorted(right), f"→ moves forward through the deck: {right}"
    assert plan["above_title"] in cl.active_cell(page)["text"]
    down = _press_until(page, "ArrowDown", plan["live"], 10)
    assert down == sorted(down), f"↓ moves down to the sub-slide: {down}"
    assert cl.presenting(page), "still presenting"

    on_screen = page.locator(f"{jlab.ACTIVE} .jp-Cell.{ON_SCREEN}")  # what the room sees
    z1, item = on_screen.locator(".explorer-z1"), on_screen.locator(".explorer-image")
    assert z1.count() == 1 and item.count() == 1, "the live sub-slide shows the latent explorer"
    handle = z1.locator('input[type="range"]')
    assert handle.count() == 1, "z1 is a real slider widget"
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=item.element_handle(), timeout=30_000)
    box, view = handle.bounding_box(), page.viewport_size
    assert box and 0 <= box["x"] < view["width"] and 0 <= box["y"] < view["height"], f"z1 is off screen: {box}"
    before, value = jlab.image_state(item), float(handle.input_value())
    jlab.shot(page, "deck-live")

    # Accessibility of what the room sees: the rendered markdown and the outputs (the explorer's widgets) of the
    # cells on screen. JupyterLab's own chrome around them (prompts, collapsers, cell toolbars, the deck's
    # buttons) is JupyterLab's, not the course's, so the audit includes only the slide's content.
    content = [f"{jlab.ACTIVE} .jp-Cell.{ON_SCREEN} {part}"
               for part in (".jp-RenderedMarkdown", ".jp-OutputArea-output")]
    problems = audit(page, context={"include": content})
    assert not problems, "axe-core on the live slide:\n" + "\n".join(problems)

    # drag z1's thumb with the mouse, as at the lectern (towards the far side of the slider)
    lo, hi = float(handle.get_attribute("min")), float(handle.get_attribute("max"))
    dx = DRAG_PX if value < (lo + hi) / 2 else -DRAG_PX
    thumb = THUMB_PX / 2 + (value - lo) / (hi - lo) * (box["width"] - THUMB_PX)  # Chromium's thumb centre
    x, y = box["x"] + thumb, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=6)
    page.mouse.up()
    page.wait_for_function("([i, old]) => i.src !== old && i.complete && i.naturalWidth > 0",
                           arg=[item.element_handle(), before["src"]], timeout=30_000)
    jlab.wait_explorer_caught_up(page, on_screen)  # the kernel has handled the drag's last step
    after, new_value = jlab.image_state(item), float(handle.input_value())
    jlab.shot(page, "deck-live-moved")
    assert (new_value > value) if dx > 0 else (new_value < value), f"the drag moved z1: {value} -> {new_value}"
    assert (jlab.pixels(after["bytes"]) != jlab.pixels(before["bytes"])).any(), "Brian's item did not change"
    assert cl.presenting(page), "dragging the slider keeps the deck on"
    assert on_screen.filter(has_text=LIVE_TITLE.lstrip("# ")).count() == 1, "still on the live sub-slide"

    # the keyboard: arrow keys on the focused slider move z1, not the deck's slides; Esc leaves the slider first
    key = "ArrowLeft" if new_value > (lo + hi) / 2 else "ArrowRight"
    handle.focus()  # the explorer's code cell becomes the deck's active cell, on the same sub-slide
    active = cl.active_cell(page)["index"]
    for _ in range(KEY_PRESSES):
        page.keyboard.press(key)
    jlab.wait_explorer_caught_up(page, on_screen)
    moved = float(handle.input_value())
    assert (moved < new_value) if key == "ArrowLeft" else (moved > new_value), f"{key} moved z1: {new_value} -> {moved}"
    assert cl.active_cell(page)["index"] == active and cl.presenting(page), f"{key} on the slider moved the deck"
    assert on_screen.filter(has_text=LIVE_TITLE.lstrip("# ")).count() == 1, "still on the live sub-slide"
    page.keyboard.press("Escape")
    assert cl.presenting(page) and page.evaluate("() => document.activeElement.type !== 'range'"), "Esc left z1"

    # slides/README.md step 4: Stop Deck
    cl.run_command(page, "Stop Deck")
    page.wait_for_function(f"() => !({cl.PRESENTING_JS})()", timeout=30_000)
    assert page.locator(f"{jlab.ACTIVE}.jp-Deck").count() == 0, "the notebook is back to normal"
    jlab.shot(page, "deck-stopped")
