"""07_wrap_up_and_quiz in a real JupyterLab: answer one question right and one wrong by clicking, press
Check, and read the feedback, the model answer and the score on the page. The right answers come from
``ae_helpers.quiz``."""

import html
import re

import pytest

from ae_helpers import quiz as quiz_module

from . import jlab

pytestmark = pytest.mark.browser

NOTEBOOK = "07_wrap_up_and_quiz.ipynb"
RIGHT_Q, WRONG_Q = 1, 2  # question numbers as printed; the CSS classes are quiz-q1, quiz-q2


def _choices(n: int) -> tuple[int, int]:
    """(a right choice, a wrong choice) of question ``n`` as 0-based positions, from the quiz's own grading."""
    letters = quiz_module.LETTERS[:len(quiz_module.QUESTIONS[n - 1]["choices"])]
    graded = [quiz_module.grade(n, x).correct for x in letters]
    assert graded.count(True) == 1, f"question {n} has exactly one right answer"
    return graded.index(True), graded.index(False)


def _first_words(text: str, n: int = 8) -> str:
    return " ".join(html.unescape(text).split()[:n])


def _answer(box, n: int, choice: int) -> None:
    """Click choice ``choice`` of question ``n`` (real radio buttons, lettered A, B, ... in order)."""
    choices = quiz_module.QUESTIONS[n - 1]["choices"]
    radios = box.locator(".quiz-choices input[type=radio]")
    labels = box.locator(".quiz-choices .widget-radio-box label")
    assert radios.count() == len(choices), f"question {n}: {len(choices)} radio buttons"
    label = " ".join(labels.nth(choice).inner_text().split())
    assert label.startswith(f"{quiz_module.LETTERS[choice]})") and " ".join(choices[choice].split()) in label
    labels.nth(choice).click()
    assert radios.nth(choice).is_checked()


def test_quiz_right_and_wrong(lab_page, lab):
    page = lab_page
    jlab.run_notebook(page, lab, NOTEBOOK)
    jlab.assert_no_text_reprs(page, "the quiz", "quiz", (*jlab.TEXT_REPRS, "To check an answer without buttons"))

    rendered = page.locator(f"{jlab.ACTIVE} .jp-OutputArea-output .jupyter-widgets.quiz-course")
    fallback = page.locator(f"{jlab.ACTIVE} .jp-OutputArea-output",
                            has_text="To check an answer without buttons").count()
    assert rendered.count() == 1, ("the quiz did not render as widgets (CSS class 'quiz-course')"
                                   + ("; its plain-text fallback is shown instead" if fallback else ""))
    assert page.locator(f"{jlab.ACTIVE} .jupyter-widgets.quiz-bonus").count() == 1, "the bonus quiz (Going deeper)"
    score = page.locator(f"{jlab.ACTIVE} .quiz-course .quiz-score")
    assert score.count() == 1, "one course quiz (an element with CSS class quiz-score) on the page"
    total = quiz_module.N_COURSE
    assert re.search(rf"Score:\s*0\s*/\s*{total}", score.inner_text()), score.inner_text()
    questions = page.locator(f"{jlab.ACTIVE} .quiz-question")
    assert questions.count() == len(quiz_module.QUESTIONS), "the course's questions and the bonus ones"

    boxes = {n: page.locator(f"{jlab.ACTIVE} .quiz-q{n}") for n in (RIGHT_Q, WRONG_Q)}
    for n, box in boxes.items():
        assert box.count() == 1, f".quiz-q{n} is on the page"
        above = box.evaluate("b => b.querySelector('.quiz-reflection').getBoundingClientRect().top"
                             " < b.querySelector('.quiz-choices').getBoundingClientRect().top")
        assert above, f"question {n}: the reflection box comes before the choices (commit, then check)"

    right, _ = _choices(RIGHT_Q)
    _, wrong = _choices(WRONG_Q)
    _answer(boxes[RIGHT_Q], RIGHT_Q, right)
    _answer(boxes[WRONG_Q], WRONG_Q, wrong)
    boxes[RIGHT_Q].scroll_into_view_if_needed()
    jlab.shot(page, "quiz-answered")

    for n, choice, verdict in ((RIGHT_Q, right, "Correct"), (WRONG_Q, wrong, "Not quite")):
        feedback = boxes[n].locator(".quiz-feedback")
        boxes[n].locator(".quiz-check").click()
        page.wait_for_function("el => el.textContent.trim().length > 0", arg=feedback.element_handle(),
                               timeout=20_000)
        text = " ".join(feedback.inner_text().split())
        result = quiz_module.grade(n, quiz_module.LETTERS[choice])
        assert verdict in text, f"question {n}: expected '{verdict}' feedback, got: {text}"
        assert _first_words(result.why) in text, f"question {n}: the feedback should explain the choice: {text}"
        assert "Model answer" in text and _first_words(result.model_answer) in text, text
    assert "Correct" not in " ".join(boxes[WRONG_Q].locator(".quiz-feedback").inner_text().split()[:2])

    page.wait_for_function(f"el => /Score:\\s*1\\s*\\/\\s*{total}/.test(el.textContent)",
                           arg=score.element_handle(), timeout=20_000)
    boxes[WRONG_Q].locator(".quiz-feedback").scroll_into_view_if_needed()
    jlab.shot(page, "quiz-checked")
    score.scroll_into_view_if_needed()
    jlab.shot(page, "quiz-score")
