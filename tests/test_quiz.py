"""The quiz: deck-verbatim questions, grading logic, and the widget driven headlessly."""

import re
from pathlib import Path

import pytest

from ae_helpers import quiz

DECK = Path(__file__).resolve().parents[2] / "shared/course/understanding_autoencoders_deck.md"

#: A copy of the deck's "Quiz Time!" slide, so this test runs where the deck is absent.
DECK_QUESTIONS = (
    "What are the two main components of an autoencoder, and what does each one do?",
    "Why is the latent (embedding) space considered the most interesting part of an autoencoder?",
    "What advantage does using a 2D latent space provide when teaching or visualizing autoencoders?",
    "True or False: In practice, autoencoders typically use a 2D latent space because it's more expressive "
    "for complex data.",
    "What happens when we give the decoder a point in the latent space that was never seen during training? "
    "What does this demonstrate?",
)
SWEEP = {2: 0.0245, 4: 0.0190, 8: 0.0140, 16: 0.0105, 32: 0.0085}


def deck_questions(text: str) -> list[str]:
    """The numbered items under the deck's 'Quiz Time!' heading."""
    section = text.split("Quiz Time!", 1)[1]
    return [m.group(1).strip() for m in re.finditer(r"^-\s*\d+\.\s*(.+)$", section, flags=re.M)]


def test_questions_match_the_copy_kept_here():
    assert tuple(q["text"] for q in quiz.QUESTIONS) == DECK_QUESTIONS


def test_questions_match_the_deck_verbatim():
    if not DECK.is_file():
        pytest.skip(f"deck not found at {DECK}; the copy above was checked instead")
    assert deck_questions(DECK.read_text(encoding="utf-8")) == list(DECK_QUESTIONS)
    assert [q["text"] for q in quiz.QUESTIONS] == list(DECK_QUESTIONS)


def correct_index(i):
    right = [c for c in range(len(quiz.QUESTIONS[i]["choices"])) if quiz.grade(i, c)[0]]
    assert len(right) == 1, f"question {i + 1} must have exactly one correct choice, has {right}"
    return right[0]


@pytest.mark.parametrize("i", range(5))
def test_each_question_has_one_right_answer_and_explains_every_choice(i):
    choices = quiz.QUESTIONS[i]["choices"]
    assert len(choices) >= 2 and len(set(choices)) == len(choices)
    right = correct_index(i)
    explanations = set()
    for c in range(len(choices)):
        ok, why = quiz.grade(i, c, SWEEP)
        assert ok == (c == right)
        assert len(why) > 60 and "See " in why, why      # an explanation pointing back to the course
        explanations.add(why)
    assert len(explanations) == len(choices), "each choice needs its own explanation"


def test_true_false_question_is_false_and_quotes_the_measured_sweep():
    assert quiz.QUESTIONS[3]["choices"] == ("True", "False")
    assert correct_index(3) == 1
    for c in (0, 1):
        _, why = quiz.grade(3, c, SWEEP)
        assert "2D 0.0245" in why and "32D 0.0085" in why and "2.9x" in why
    _, without = quiz.grade(3, 0)                         # no sweep given: a general sentence, no placeholder
    assert "{sweep}" not in without and "latent-size sweep" in without


def test_answers_are_not_stored_as_plain_text():
    source = Path(quiz.__file__).read_text(encoding="utf-8")
    for i in range(5):
        for c in range(len(quiz.QUESTIONS[i]["choices"])):
            _, why = quiz.grade(i, c)
            assert why[:50] not in source, "explanations must stay encoded in quiz.py"


def test_grade_rejects_bad_indices():
    with pytest.raises(IndexError):
        quiz.grade(5, 0)
    with pytest.raises(IndexError):
        quiz.grade(3, 2)
    with pytest.raises(IndexError):
        quiz.grade(0, None)


def test_score_counts_the_latest_check_per_question():
    score = quiz.Score()
    assert str(score) == "Score: 0 / 5"
    score.record(0, True)
    score.record(1, False)
    score.record(2, True)
    assert (score.correct, score.checked, str(score)) == (2, 3, "Score: 2 / 5")
    score.record(1, True)
    score.record(0, False)                                # a later wrong answer replaces a right one
    assert str(score) == "Score: 2 / 5"


def test_answer_key_and_printed_version():
    key = quiz.answer_key(SWEEP)
    printed = quiz.text_version()
    for i, q in enumerate(quiz.QUESTIONS):
        right = q["choices"][correct_index(i)]
        assert q["text"] in key and right in key
        assert q["text"] in printed and all(c in printed for c in q["choices"])
    assert "Answer" not in printed and "Correct" not in printed and "See " not in printed


def test_widget_check_buttons_update_feedback_and_score():
    ipywidgets = pytest.importorskip("ipywidgets")
    q = quiz.Quiz(sweep=SWEEP)
    assert all(r.value is None for r in q.radios)
    assert isinstance(q.reflections[0], ipywidgets.Textarea)
    assert q.score_label.value.endswith("Score: 0 / 5</b>")
    assert {"quiz-q1", "quiz-question"} <= set(q.widget.children[1]._dom_classes)
    assert "quiz-check" in q.buttons[0]._dom_classes and "quiz-feedback" in q.feedback[0]._dom_classes
    assert "quiz-score" in q.score_label._dom_classes

    q.buttons[0].click()                                  # nothing chosen yet: a hint, no grade
    assert "Pick an answer" in q.feedback[0].value and "0 / 5" in q.score_label.value

    expected = 0
    for i, radio in enumerate(q.radios):
        right = correct_index(i)
        wrong = (right + 1) % len(radio.options)
        radio.value = radio.options[wrong]
        q.buttons[i].click()
        assert "Not quite" in q.feedback[i].value
        assert f"Score: {expected} / 5" in q.score_label.value
        radio.value = radio.options[right]
        q.buttons[i].click()
        expected += 1
        assert "Correct" in q.feedback[i].value and "See " in q.feedback[i].value
        assert f"Score: {expected} / 5" in q.score_label.value
    assert "2D 0.0245" in q.feedback[3].value

    bundle = q._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert DECK_QUESTIONS[0] in bundle["text/plain"] and DECK_QUESTIONS[4] in bundle["text/markdown"]
