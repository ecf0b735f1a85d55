"""Quiz Time! The course's five questions, and optional bonus ones, as two ipywidgets quizzes.

The questions, lettered choices, right answers, explanations and model answers live in the plain data file
``quiz_questions.json`` beside this module (instructors edit them there). Nothing here prints an answer
unless asked: ``QUESTIONS`` and ``text_version()`` hold the questions and choices only; ``grade()`` answers
one question; ``answer_key()`` is the instructor's key. Two layers, so the grading is testable without a browser:

* pure logic: ``grade(question, letter, sweep)`` (the question's number as printed, 1-based; the choice's
  letter) and ``Score``;
* widgets: ``Quiz(sweep=...)`` (the course's five) and ``Quiz(sweep=..., part="bonus")`` (the bonus ones): per
  question a reflection box first (your own answer), then the lettered choices, a "Check" button, and feedback
  with the model answer; and a score line. Where widgets cannot render, it shows as text, with how to ``grade()``.

CSS classes for browser tests: ``quiz`` and ``quiz-course`` or ``quiz-bonus`` (one quiz), ``quiz-q1`` ...
``quiz-q10`` (one per question, as numbered), with ``quiz-reflection``, ``quiz-choices``, ``quiz-check`` and
``quiz-feedback`` inside each, and ``quiz-score``.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).with_name("quiz_questions.json")
LETTERS = "ABCD"


@lru_cache(maxsize=1)
def _data() -> tuple[dict, ...]:
    questions = tuple(json.loads(DATA.read_text(encoding="utf-8"))["questions"])
    for n, q in enumerate(questions, 1):
        letters = "".join(q["choices"])
        if letters != LETTERS[:len(letters)] or len(letters) < 2 or q["answer"] not in letters \
                or set(q["why"]) != set(letters):
            raise ValueError(f"{DATA.name}, question {n}: choices must be lettered A, B, ... in order, with one "
                             f"'why' per choice and the answer among them")
    return questions


#: Questions and choices only (no answers), in order: the course's five, then the optional ones.
QUESTIONS = tuple({"text": q["text"], "choices": tuple(q["choices"].values()), "part": q["part"]}
                  for q in _data())
N_COURSE = sum(q["part"] == "course" for q in QUESTIONS)
PARTS = ("course", "bonus")


class Result(NamedTuple):
    """What ``grade()`` says: right or not, why, and the model answer. ``print()`` it to read it."""

    correct: bool
    why: str
    model_answer: str

    def __str__(self) -> str:
        verdict = "\u2713 Correct." if self.correct else "\u2717 Not quite."
        return f"{verdict} {self.why}\nModel answer: {self.model_answer}"


def sweep_sentence(sweep: dict | None) -> str:
    """One sentence with the measured test error per latent size, e.g. from the course's pretrained models."""
    if not sweep:
        return (f"The latent-size sweep in {_notebook('05')} measures it: the test error falls steadily as the code "
                "grows from 2 to 32 numbers.")
    items = sorted((int(d), float(mse)) for d, mse in sweep.items())
    sentence = "Measured in this course (test MSE per pixel): " + ", ".join(f"{d}D {e:.4f}" for d, e in items) + "."
    (d_lo, e_lo), (d_hi, e_hi) = items[0], items[-1]
    if d_hi > d_lo and e_hi < e_lo:
        sentence += f" The {d_hi}D code leaves {e_lo / e_hi:.1f}x less error than the {d_lo}D one."
    return sentence


def _notebook(number: str) -> str:
    """Notebook "02" -> "02_encoder" when the course's notebooks folder is beside the package, else "notebook 02"."""
    found = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob(f"{number}_*.ipynb"))
    return found[0].stem if found else f"notebook {number}"


def where_taught(question: int) -> str:
    number, heading = _data()[_index(question)]["see"]
    return f"See {_notebook(number)} \u00a7 \"{heading}\"."


def _index(question) -> int:
    if isinstance(question, bool) or not isinstance(question, int) or not 1 <= question <= len(QUESTIONS):
        raise ValueError(f"question must be a question number from 1 to {len(QUESTIONS)}, as printed; "
                         f"got {question!r}")
    return question - 1


def grade(question: int, letter: str, sweep: dict | None = None) -> Result:
    """Grade one answer, e.g. ``print(grade(1, "B"))``: question number as printed (course or bonus),
    letter of your choice. ``sweep`` (latent size -> test MSE) is quoted in the explanation of question 4."""
    q = _data()[_index(question)]
    if not isinstance(letter, str) or letter.strip().upper() not in q["choices"]:
        raise ValueError(f"question {question}: answer with one of the letters {', '.join(q['choices'])}; "
                         f"got {letter!r}")
    letter, fill = letter.strip().upper(), sweep_sentence(sweep)
    why = f"{q['why'][letter].replace('{sweep}', fill)} {where_taught(question)}"
    return Result(letter == q["answer"], why, q["model_answer"].replace("{sweep}", fill))


class Score:
    """The latest result per question; a question counts as right if its last check was right."""

    def __init__(self, n_questions: int = N_COURSE):
        self.results, self.total = {}, n_questions   # question index -> right (bool)

    def record(self, question_index: int, correct: bool) -> None:
        self.results[question_index] = bool(correct)

    @property
    def correct(self) -> int:
        return sum(self.results.values())

    @property
    def checked(self) -> int:
        return len(self.results)

    def __str__(self) -> str:
        return f"Score: {self.correct} / {self.total}"


_FURTHER = ("Bonus questions (optional), from notebooks 04 and 06: their big lessons. They do not count in the "
            "course's score.")
_HOW = ("To check an answer without buttons, run `from ae_helpers.quiz import grade` and then, for example, "
        "`print(grade({n}, \"B\"))`: the question's number, then your letter. It says whether you are right, why, "
        "and gives a model answer.")


def numbers(part: str | None = None) -> list[int]:
    """The question numbers (as printed, 1-based) of one part, ``"course"`` or ``"bonus"``; None: all."""
    return [n for n, q in enumerate(QUESTIONS, 1) if part in (None, q["part"])]


def text_version(markdown: bool = False, part: str | None = None) -> str:
    """The questions and choices (no answers) of ``part`` (None: all) as text or Markdown, with how to grade."""
    shown = numbers(part)
    lines = ["#### Quiz Time!" if markdown else "Quiz Time!", "",
             "First write your own answer to each question, then pick a letter.", ""]
    for n in shown:
        q = QUESTIONS[n - 1]
        if n == N_COURSE + 1:
            lines += [f"*{_FURTHER}*" if markdown else _FURTHER, ""]
        lines += [f"**{n}. {q['text']}**", ""] if markdown else [f"{n}. {q['text']}"]
        lines += [f"{'- ' if markdown else '   '}{x}) {c}" for x, c in zip(LETTERS, q["choices"])]
        lines.append("")
    how = _HOW.replace("{n}", str(shown[0]))
    lines.append(how if markdown else how.replace("`", ""))
    return "\n".join(lines)


def answer_key(sweep: dict | None = None) -> str:
    """The instructor's answer key: each question, its right choice, why, and the model answer."""
    lines = []
    for n, (q, data) in enumerate(zip(QUESTIONS, _data()), 1):
        a, result = data["answer"], grade(n, data["answer"], sweep)
        lines += [f"{n}. {q['text']}", f"   Answer: {a}) {data['choices'][a]}", f"   Why: {result.why}",
                  f"   Model answer: {result.model_answer}", ""]
    return "\n".join(lines)


_CSS = """<style>
.quiz-choices.widget-radio, .quiz-choices .widget-radio-box { width: 100%; }
.quiz-choices .widget-radio-box label { display: flex; align-items: flex-start; gap: 6px; height: auto;
  line-height: 1.4; white-space: normal; margin-bottom: 5px; }
.quiz-choices .widget-radio-box label input { order: -1; flex: none; float: none; height: auto; margin: 3px 4px 0 1px; }
.quiz-feedback .good { border-left: 4px solid #2e7d32; padding-left: 8px; line-height: 1.4; }
.quiz-feedback .bad { border-left: 4px solid #c62828; padding-left: 8px; line-height: 1.4; }
.quiz-feedback .good b { color: #2e7d32; } .quiz-feedback .bad b { color: #c62828; }
.quiz .widget-html-content { line-height: 1.4; }
</style>"""


class Quiz:
    """The interactive quiz. Display it (last line of a cell); ``print_version()`` prints it as text.

    ``sweep``: latent size -> measured test MSE, quoted when question 4 is checked. ``part``: ``"course"``
    (questions 1-5) or ``"bonus"`` (the optional ones, numbered on from 6). Parts for tests (lists, one per
    shown question, 0-based): ``numbers`` (as printed), ``reflections``, ``radios``, ``buttons``, ``feedback``;
    ``score`` (this part's questions) and ``score_label``.
    """

    def __init__(self, sweep: dict | None = None, part: str = "course"):
        import ipywidgets as w

        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}; got {part!r}")
        self.sweep, self.part, self.numbers = dict(sweep) if sweep else None, part, numbers(part)
        self.score = Score(len(self.numbers))
        self.reflections, self.radios, self.buttons, self.feedback, boxes = [], [], [], [], []
        if part == "bonus":
            boxes.append(w.HTML(f"<h4>Bonus questions</h4><p>{html.escape(_FURTHER)}</p>"))
        for i, n in enumerate(self.numbers):
            q = QUESTIONS[n - 1]
            reflection = w.Textarea(placeholder="First, your own answer in a sentence or two (not graded). "
                                    "Then pick a letter below and press Check.",
                                    layout=w.Layout(width="95%", height="4em"))
            radio = w.RadioButtons(options=[f"{x}) {c}" for x, c in zip(LETTERS, q["choices"])], value=None,
                                   layout=w.Layout(width="auto"))
            button = w.Button(description="Check", button_style="primary", tooltip="Check this answer")
            button.on_click(lambda _b, i=i: self.check(i))
            feedback = w.HTML("")
            for widget, css in ((reflection, "quiz-reflection"), (radio, "quiz-choices"), (button, "quiz-check"),
                                (feedback, "quiz-feedback")):
                widget.add_class(css)
            title = w.HTML(f"<b>Question {n}.</b> {html.escape(q['text'])}")
            box = w.VBox([title, reflection, radio, button, feedback], layout=w.Layout(margin="0 0 14px 0"))
            box.add_class(f"quiz-q{n}")
            box.add_class("quiz-question")
            for parts, widget in zip((self.reflections, self.radios, self.buttons, self.feedback, boxes),
                                     (reflection, radio, button, feedback, box)):
                parts.append(widget)
        self.score_label = w.HTML(self._score_text())
        self.score_label.add_class("quiz-score")
        self.widget = w.VBox([w.HTML(_CSS), *boxes, self.score_label])
        self.widget.add_class("quiz")
        self.widget.add_class(f"quiz-{part}")

    def _score_text(self) -> str:
        return f"<b>{'Bonus score' if self.part == 'bonus' else 'Score'}: {self.score.correct} / {self.score.total}</b>"

    def check(self, question_index: int) -> bool | None:
        """What the "Check" button does: grade the selected choice, show why and the model answer."""
        choice = self.radios[question_index].index
        if choice is None:
            self.feedback[question_index].value = "<i>Pick an answer first, then press Check.</i>"
            return None
        result = grade(self.numbers[question_index], LETTERS[choice], self.sweep)
        self.score.record(question_index, result.correct)
        mark, css = ("\u2713 Correct.", "good") if result.correct else ("\u2717 Not quite.", "bad")
        self.feedback[question_index].value = (
            f'<div class="{css}"><b>{mark}</b> {html.escape(result.why)}<br><b>Model answer:</b> '
            f"{html.escape(result.model_answer)}</div>")
        self.score_label.value = self._score_text()
        return result.correct

    def answer_key(self) -> str:
        return answer_key(self.sweep)

    def print_version(self) -> None:
        print(text_version(part=self.part))

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle["text/plain"] = text_version(part=self.part)
        bundle["text/markdown"] = text_version(markdown=True, part=self.part)
        return bundle
