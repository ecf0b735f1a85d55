"""00_welcome in a real JupyterLab: the first widget a student meets renders and reacts."""

import pytest

from ae_helpers.data import CLASS_NAMES

from . import jlab

pytestmark = pytest.mark.browser


def test_welcome_slider_is_live(lab_page, lab):
    page = lab_page
    jlab.run_notebook(page, lab, "00_welcome.ipynb", timeout=120)
    jlab.assert_no_text_reprs(page, "the welcome slider", "welcome")

    out = jlab.widget_output(page, ".widget-slider")
    assert out.count() == 1, "the welcome notebook shows exactly one slider"
    sl = jlab.slider(out, "class")
    label = out.locator(".widget-html-content")
    assert sl.locator(".widget-readout").inner_text().strip() == "3"
    assert label.inner_text().strip() == CLASS_NAMES[3]

    sl.locator('[role="slider"]').focus()
    for _ in range(2):
        sl.page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, want]) => el.textContent.trim() === want",
                           arg=[label.element_handle(), CLASS_NAMES[5]], timeout=20_000)
    assert sl.locator(".widget-readout").inner_text().strip() == "5"
    jlab.shot(out, "welcome-slider")
