"""07_wrap_up_and_quiz in a real JupyterLab: answer one question right and one wrong by clicking, press
Check, and read the feedback and the score on the page. The right answers come from ``ae_helpers.quiz``."""

import html
import re

import pytest

from ae_helpers import quiz as quiz_module

from . import jlab

pytestmark = pytest.mark.browser

NOTEBOOK = "07_wrap_up_and_quiz.ipynb"
RIGHT_Q, WRONG_Q = 0, 1  # 0-based question indices; the CSS classes are quiz-q1, quiz-q2


def _choices(q: int) -> tuple[int, int]:
    """(a right choice, a wrong choice) for question ``q``, from the quiz's own grading."""
    graded = [quiz_module.grade(q, c)[0] for c in range(len(quiz_module.QUESTIONS[q]["choices"]))]
    assert graded.count(True) == 1, f"question {q + 1} has exactly one right answer"
    return graded.index(True), graded.index(False)


def _first_words(text: str, n: int = 8) -> str:
    return " ".join(html.unescape(text).removeprefix("Correct. ").split()[:n])


def _answer(box, q: int, choice: int) -> None:
    """Click choice ``choice`` of question ``q`` (real radio buttons, in the order of QUESTIONS)."""
    choices = quiz_module.QUESTIONS[q]["choices"]
    radios = box.locator(".quiz-choices input[type=radio]")
    labels = box.locator(".quiz-choices .widget-radio-box label")
    assert radios.count() == len(choices), f"question {q + 1}: {len(choices)} radio buttons"
    assert " ".join(choices[choice].split()) in " ".join(labels.nth(choice).inner_text().split())
    labels.nth(choice).click()
    assert radios.nth(choice).is_checked()


def test_quiz_right_and_wrong(lab_page, lab):
    page = lab_page
    jlab.run_notebook(page, lab, NOTEBOOK)
    jlab.assert_no_text_reprs(page, "the quiz", "quiz", (*jlab.TEXT_REPRS, "to check your answers"))

    rendered = page.locator(f"{jlab.ACTIVE} .jp-OutputArea-output .jupyter-widgets.quiz")
    fallback = page.locator(f"{jlab.ACTIVE} .jp-OutputArea-output", has_text="to check your answers").count()
    assert rendered.count() == 1, ("the quiz did not render as widgets (CSS class 'quiz')"
                                   + ("; its plain-text fallback is shown instead" if fallback else ""))
    score = page.locator(f"{jlab.ACTIVE} .quiz-score")
    assert score.count() == 1, "one quiz (an element with CSS class quiz-score) on the page"
    total = len(quiz_module.QUESTIONS)
    assert re.search(rf"Score:\s*0\s*/\s*{total}", score.inner_text()), score.inner_text()

    boxes = {q: page.locator(f"{jlab.ACTIVE} .quiz-q{q + 1}") for q in (RIGHT_Q, WRONG_Q)}
    for q, box in boxes.items():
        assert box.count() == 1, f".quiz-q{q + 1} is on the page"

    right, _ = _choices(RIGHT_Q)
    _, wrong = _choices(WRONG_Q)
    _answer(boxes[RIGHT_Q], RIGHT_Q, right)
    _answer(boxes[WRONG_Q], WRONG_Q, wrong)
    boxes[RIGHT_Q].scroll_into_view_if_needed()
    jlab.shot(page, "quiz-answered")

    for q, choice, verdict in ((RIGHT_Q, right, "Correct"), (WRONG_Q, wrong, "Not quite")):
        feedback = boxes[q].locator(".quiz-feedback")
        boxes[q].locator(".quiz-check").click()
        page.wait_for_function("el => el.textContent.trim().length > 0", arg=feedback.element_handle(),
                               timeout=20_000)
        text = " ".join(feedback.inner_text().split())
        assert verdict in text, f"question {q + 1}: expected '{verdict}' feedback, got: {text}"
        why = _first_words(quiz_module.grade(q, choice)[1])
        assert why in text, f"question {q + 1}: the feedback should explain the choice ({why!r}), got: {text}"
    assert "Correct" not in " ".join(boxes[WRONG_Q].locator(".quiz-feedback").inner_text().split()[:2])

    page.wait_for_function(f"el => /Score:\\s*1\\s*\\/\\s*{total}/.test(el.textContent)",
                           arg=score.element_handle(), timeout=20_000)
    boxes[WRONG_Q].locator(".quiz-feedback").scroll_into_view_if_needed()
    jlab.shot(page, "quiz-checked")
    score.scroll_into_view_if_needed()
    jlab.shot(page, "quiz-score")
