"""An exercise in a real JupyterLab: after Run All the check says "not done yet"; a student types an answer
into the exercise cell, runs it and the check cell with Shift+Enter, and the check shows ✓."""

import pytest

from ae_helpers.exercises import nb02

from . import jlab

pytestmark = pytest.mark.browser

NOTEBOOK = "02_encoder.ipynb"
ANSWER = "n_params_8 = (784 * 256 + 256) + (256 * 128 + 128) + (128 * 8 + 8)"


def test_typed_answer_is_checked(lab_page, lab):
    page = lab_page
    jlab.run_notebook(page, lab, NOTEBOOK)
    answer = jlab.code_cell(page, "n_params_8 = ...")
    check = jlab.code_cell(page, f"ex.{nb02.count.name}.check(n_params_8)")
    assert "not done yet" in jlab.cell_output(check), jlab.cell_output(check)
    assert "✓" not in jlab.cell_output(check)

    jlab.type_into_cell(page, answer, ANSWER)
    page.keyboard.press("Shift+Enter")   # run the answer, move to the check cell
    page.keyboard.press("Shift+Enter")   # run the check
    page.wait_for_function("el => el.textContent.includes('✓') || el.textContent.includes('✗')",
                           arg=check.element_handle(), timeout=30_000)
    text = jlab.cell_output(check)
    check.scroll_into_view_if_needed()
    jlab.shot(page, "exercise-checked")
    assert text.startswith("✓"), text
    assert f"{(784 * 256 + 256) + (256 * 128 + 128) + (128 * 8 + 8):,}" in text
    assert "not done yet" not in text
