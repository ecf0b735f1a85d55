"""The quiz: the course's questions verbatim, its data file, the grading logic, and the widget driven headlessly."""

import json
import re
from pathlib import Path

import pytest

from ae_helpers import quiz

ROOT = Path(__file__).resolve().parents[1]
DECK = ROOT / "slides" / "understanding_autoencoders_deck.md"

#: A copy of the course's "Quiz Time!" slide, so this test runs where the course deck is absent.
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
NUMBERS = range(1, len(quiz.QUESTIONS) + 1)


def deck_questions(text: str) -> list[str]:
    """The numbered items under the deck's 'Quiz Time!' heading."""
    section = text.split("Quiz Time!", 1)[1]
    return [m.group(1).strip() for m in re.finditer(r"^-\s*\d+\.\s*(.+)$", section, flags=re.M)]


def letters(n):
    return quiz.LETTERS[:len(quiz.QUESTIONS[n - 1]["choices"])]


def right_letter(n):
    right = [x for x in letters(n) if quiz.grade(n, x).correct]
    assert len(right) == 1, f"question {n} must have exactly one correct choice, has {right}"
    return right[0]


def test_course_questions_are_the_five_of_the_course_verbatim():
    assert quiz.N_COURSE == 5
    assert tuple(q["text"] for q in quiz.QUESTIONS[:5]) == DECK_QUESTIONS
    assert all(q["part"] == "course" for q in quiz.QUESTIONS[:5])
    assert 3 <= sum(q["part"] == "bonus" for q in quiz.QUESTIONS) <= 5


def test_questions_match_the_deck_verbatim():
    if not DECK.is_file():
        pytest.skip(f"deck not found at {DECK}; the copy above was checked instead")
    assert deck_questions(DECK.read_text(encoding="utf-8")) == list(DECK_QUESTIONS)


@pytest.mark.parametrize("n", NUMBERS)
def test_each_question_has_one_right_answer_and_explains_every_choice(n):
    choices = quiz.QUESTIONS[n - 1]["choices"]
    assert 2 <= len(choices) <= 4 and len(set(choices)) == len(choices)
    right = right_letter(n)
    explanations = set()
    for x in letters(n):
        result = quiz.grade(n, x, SWEEP)
        assert result.correct == (x == right)
        assert len(result.why) > 60 and "See " in result.why, result.why   # pointing back to the course
        assert len(result.model_answer) > 60 and "{sweep}" not in result.model_answer
        explanations.add(result.why)
    assert len(explanations) == len(choices), "each choice needs its own explanation"
    assert str(quiz.grade(n, right)).startswith("\u2713 Correct.") and "Model answer:" in str(quiz.grade(n, right))


def test_the_right_answers_are_spread_over_the_letters():
    """A quiz whose answer is always 'A' (or always the same) tests nothing."""
    answers = [right_letter(n) for n in NUMBERS if len(letters(n)) == 4]
    assert len(set(answers)) >= 3, answers


def test_the_taught_sections_exist():
    """Every "See notebook § heading" names a heading of that notebook (a renamed heading fails here)."""
    for n in NUMBERS:
        see = quiz.where_taught(n)
        stem, heading = re.fullmatch(r'See (\S+) § "(.+)"\.', see).groups()
        notebook = ROOT / "notebooks" / f"{stem}.ipynb"
        headings = [line.lstrip("#").strip() for cell in json.loads(notebook.read_text())["cells"]
                    if cell["cell_type"] == "markdown" for line in "".join(cell["source"]).splitlines()
                    if line.startswith("#")]
        assert any(h == heading or re.sub(r"^[\d.]+[a-z]?\.?\s+", "", h) == heading for h in headings), \
            f"question {n}: no heading {heading!r} in {notebook.name}"


def test_question_5_is_honest_about_empty_spots():
    """The decoder makes SOME image everywhere, believable only close to the data (not "near": the word of a
    grade in notebook 07); a VAE helps, it does not "fix" the holes."""
    right = quiz.grade(5, right_letter(5))
    assert "fix" not in right.why.lower() and "close to" in right.why
    smooth_everywhere = next(x for x in letters(5) if "always produces a realistic" in quiz.QUESTIONS[4]["choices"]
                             ["ABCD".index(x)])
    assert not quiz.grade(5, smooth_everywhere).correct
    # notebook 06's table shows the VAE improves reach (draws from N(0, I) land among all kinds), not holes
    assert "fewer holes" not in right.why and "more often" not in right.why and "reach" in right.why


def test_the_shift_question_does_not_sell_a_network_as_the_cure():
    """The 2-pixel shift is the pixel-wise loss's doing; a convolutional autoencoder trained with MSE keeps
    it. The option that blames the network is wrong, and no feedback calls convolutions the answer."""
    n = next(n for n in NUMBERS if "shifted 2 pixels" in quiz.QUESTIONS[n - 1]["text"])
    blames_network = [x for x, c in zip(letters(n), quiz.QUESTIONS[n - 1]["choices"]) if "convolutional" in c]
    assert blames_network and not any(quiz.grade(n, x).correct for x in blames_network)
    for x in letters(n):
        assert "are one answer" not in quiz.grade(n, x).why


def test_the_right_answer_does_not_stand_out_by_length():
    """A student who skims should not find the right choice by picking the longest one (no question is
    answerable by elimination). Among the four-choice questions, the right answer is the longest in at most
    a quarter."""
    four = [n for n in NUMBERS if len(letters(n)) == 4]
    longest = [n for n in four if max(quiz.QUESTIONS[n - 1]["choices"], key=len)
               == quiz.QUESTIONS[n - 1]["choices"][quiz.LETTERS.index(right_letter(n))]]
    assert len(longest) <= len(four) // 4, f"the right answer is the longest choice in questions {longest}"


def test_true_false_question_is_false_and_quotes_the_measured_sweep():
    assert quiz.QUESTIONS[3]["choices"] == ("True", "False")
    assert right_letter(4) == "B"
    for x in "AB":
        why = quiz.grade(4, x, SWEEP).why
        assert "2D 0.0245" in why and "32D 0.0085" in why and "2.9x" in why
    without = quiz.grade(4, "A").why                     # no sweep given: a general sentence, no placeholder
    assert "{sweep}" not in without and "latent-size sweep" in without


def test_answers_live_in_the_data_file_not_in_the_module_or_the_public_questions():
    source = Path(quiz.__file__).read_text(encoding="utf-8")
    data = json.loads(quiz.DATA.read_text(encoding="utf-8"))
    assert len(data["questions"]) == len(quiz.QUESTIONS)
    for n in NUMBERS:
        for x in letters(n):
            assert quiz.grade(n, x).why[:50] not in source, "explanations belong in the data file"
    assert all(set(q) == {"text", "choices", "part"} for q in quiz.QUESTIONS), "no answers in QUESTIONS"


def test_grade_accepts_lower_case_and_rejects_bad_input_with_a_clear_message():
    assert quiz.grade(1, right_letter(1).lower()).correct
    with pytest.raises(ValueError, match="from 1 to"):
        quiz.grade(0, "A")
    with pytest.raises(ValueError, match="from 1 to"):
        quiz.grade(len(quiz.QUESTIONS) + 1, "A")
    with pytest.raises(ValueError, match="letters A, B"):
        quiz.grade(4, "C")                               # True/False: only A and B
    with pytest.raises(ValueError, match="letters"):
        quiz.grade(1, 2)


def test_a_broken_data_file_is_reported(tmp_path, monkeypatch):
    broken = json.loads(quiz.DATA.read_text(encoding="utf-8"))
    broken["questions"][2]["answer"] = "E"
    path = tmp_path / "quiz_questions.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr(quiz, "DATA", path)
    quiz._data.cache_clear()
    try:
        with pytest.raises(ValueError, match="question 3"):
            quiz._data()
    finally:
        monkeypatch.undo()
        quiz._data.cache_clear()


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
    for n, q in enumerate(quiz.QUESTIONS, 1):
        right = q["choices"][quiz.LETTERS.index(right_letter(n))]
        assert q["text"] in key and right in key
        assert q["text"] in printed and all(c in printed for c in q["choices"])
    assert "Model answer" in key
    assert "Answer:" not in printed and "Correct" not in printed and "See " not in printed
    assert "grade(" in printed and "Bonus questions" in printed      # without widgets: how to grade by hand


def test_printed_version_of_each_part_shows_its_questions_only():
    course, bonus = quiz.text_version(part="course"), quiz.text_version(part="bonus", markdown=True)
    for n, q in enumerate(quiz.QUESTIONS, 1):
        assert (q["text"] in course, q["text"] in bonus) == ((True, False) if n <= 5 else (False, True)), n
    assert "Bonus questions" not in course and "Bonus questions" in bonus
    assert "grade(1, " in course and "grade(6, " in bonus
    assert quiz.numbers("course") == [1, 2, 3, 4, 5] and quiz.numbers("bonus") == list(range(6, len(NUMBERS) + 1))
    with pytest.raises(ValueError, match="part must be"):
        quiz.Quiz(part="all")


@pytest.mark.parametrize("part", ["course", "bonus"])
def test_widget_reflection_first_then_check_shows_feedback_model_answer_and_score(part):
    ipywidgets = pytest.importorskip("ipywidgets")
    q = quiz.Quiz(sweep=SWEEP, part=part)
    shown = list(range(1, 6)) if part == "course" else list(range(6, len(NUMBERS) + 1))
    total, label = len(shown), "Score" if part == "course" else "Bonus score"
    assert q.numbers == shown and len(q.radios) == len(q.reflections) == total
    assert all(r.value is None for r in q.radios)
    assert {"quiz", f"quiz-{part}"} <= set(q.widget._dom_classes)
    boxes = [c for c in q.widget.children if "quiz-question" in c._dom_classes]
    assert [next(int(c[6:]) for c in b._dom_classes if c.startswith("quiz-q") and c[6:].isdigit())
            for b in boxes] == shown, "one box per question of this part, numbered as printed"
    assert (part == "bonus") == any("Bonus questions" in getattr(c, "value", "") for c in q.widget.children)
    kinds = [type(c) for c in boxes[0].children]
    assert kinds.index(ipywidgets.Textarea) < kinds.index(ipywidgets.RadioButtons), "commit first, then check"
    assert q.radios[0].options[0].startswith("A) ")
    assert "quiz-check" in q.buttons[0]._dom_classes and "quiz-feedback" in q.feedback[0]._dom_classes
    assert "quiz-reflection" in q.reflections[0]._dom_classes and "quiz-score" in q.score_label._dom_classes
    assert q.score_label.value == f"<b>{label}: 0 / {total}</b>"

    q.buttons[0].click()                                  # nothing chosen yet: a hint, no grade
    assert "Pick an answer" in q.feedback[0].value and f"0 / {total}" in q.score_label.value

    for i, (n, radio) in enumerate(zip(shown, q.radios)):
        right = quiz.LETTERS.index(right_letter(n))
        radio.index = (right + 1) % len(radio.options)
        q.buttons[i].click()
        assert "Not quite" in q.feedback[i].value and "Model answer" in q.feedback[i].value
        assert f"{label}: {i} / {total}" in q.score_label.value, "a wrong answer scores nothing"
        radio.index = right
        q.buttons[i].click()
        assert "Correct" in q.feedback[i].value and "See " in q.feedback[i].value
        assert f"{label}: {i + 1} / {total}" in q.score_label.value
    if part == "course":
        assert q.radios[3].options == ("A) True", "B) False") and "2D 0.0245" in q.feedback[3].value

    bundle = q._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    first, last = quiz.QUESTIONS[shown[0] - 1]["text"], quiz.QUESTIONS[shown[-1] - 1]["text"]
    assert first in bundle["text/plain"] and last in bundle["text/markdown"]
    other = quiz.QUESTIONS[(6 if part == "course" else 1) - 1]["text"]
    assert other not in bundle["text/plain"], "each widget prints only its own part"
