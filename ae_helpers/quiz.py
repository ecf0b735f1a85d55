"""Quiz Time! The deck's five questions as an interactive ipywidgets quiz.

Two layers, so the grading is testable without a browser:

* pure logic: ``QUESTIONS``, ``grade(question_index, choice_index, sweep)`` and ``Score``;
* widgets: ``Quiz(sweep=...)``, one box per question (radio buttons, a "Check" button, feedback, and an
  optional reflection box), and a score line. Where widgets cannot render, the quiz shows as plain
  text/Markdown (questions and choices only); ``Quiz.print_version()`` prints the same.

Indices are 0-based in Python (question 0 is "Question 1"); the CSS classes are 1-based
(``quiz-q1`` ... ``quiz-q5``, with ``quiz-choices``, ``quiz-check``, ``quiz-feedback``,
``quiz-reflection`` inside each, and ``quiz-score``) for browser tests.

The correct answers and explanations are stored base64-encoded (``_KEY``) so that a student who opens
this file does not read them by accident. Instructors: ``print(answer_key(sweep))`` shows them; to change
them, edit the decoded list (``list(_key())``) and store ``encode_key(new_list)`` in ``_KEY``.
"""

from __future__ import annotations

import base64
import html
import json
from functools import lru_cache
from pathlib import Path

#: The questions exactly as on the deck's "Quiz Time!" slide, each with its multiple-choice options.
QUESTIONS = (
    {"text": "What are the two main components of an autoencoder, and what does each one do?",
     "choices": (
         "A generator that invents new images, and a discriminator that judges whether they look real.",
         "An encryptor that scrambles the data with a secret key, and a decryptor that unscrambles it.",
         "An encoder that compresses the input into a small code, and a decoder that rebuilds the input from it.",
         "A compressor that zips the image without any loss, and an unzipper that restores every pixel exactly.",
     )},
    {"text": "Why is the latent (embedding) space considered the most interesting part of an autoencoder?",
     "choices": (
         "It keeps the essential features in a few numbers: similar items sit close, and any point decodes.",
         "It stores an exact copy of every training image, so the decoder can look each one up when asked.",
         "It is the largest layer of the network, so it holds more information than any other layer.",
         "Its axes have fixed meanings chosen by the programmer, such as 'sleeve length' and 'brightness'.",
     )},
    {"text": "What advantage does using a 2D latent space provide when teaching or visualizing autoencoders?",
     "choices": (
         "It gives the most accurate reconstructions of all latent sizes, because fewer numbers mean less noise.",
         "It guarantees a latent space without holes, so that every point decodes to a realistic item.",
         "It is the size real applications use, so a model trained for teaching is ready for production.",
         "Every item becomes a point on a flat map we can plot: we see clusters and can decode any point.",
     )},
    {"text": "True or False: In practice, autoencoders typically use a 2D latent space because it's more "
             "expressive for complex data.",
     "choices": ("True", "False")},
    {"text": "What happens when we give the decoder a point in the latent space that was never seen during "
             "training? What does this demonstrate?",
     "choices": (
         "The decoder raises an error, because it can only decode the codes of images it was trained on.",
         "It still produces an image: a new item, often a blend of its neighbours. The decoder can generate.",
         "It returns the training image whose code is nearest, unchanged: the decoder memorised the training set.",
         "It produces pure random noise, which shows that only the training codes carry any meaning.",
     )},
)

#: Where each question is taught: (notebook number, section, deck heading). Not a hint to the answer.
SEE = (
    ("02", 1, "Autoencoders: A Two-Part Neural Network"),
    ("02", 4, "The Embedding (Latent Space)"),
    ("05", 1, "Visualizing the Latent Space"),
    ("05", 5, "Real Autoencoders Use Higher Dimensions"),
    ("03", 3, "Creating Novel Data From Latent Space"),
)

_KEY = (
    "W3siYW5zd2VyIjoyLCJ3aHkiOlsiVGhhdCBkZXNjcmliZXMgYSBHQU4gKGdlbmVyYXRvciArIGRpc2NyaW1pbmF0b3IpLCBhIGRp"
    "ZmZlcmVudCBmYW1pbHkgb2YgbW9kZWxzLiBBbiBhdXRvZW5jb2RlciBoYXMgbm8ganVkZ2U6IGl0cyBkZWNvZGVyIGxlYXJucyBi"
    "eSBjb21wYXJpbmcgaXRzIG91dHB1dCB4JyB3aXRoIHRoZSBpbnB1dCB4ICh0aGUgcmVjb25zdHJ1Y3Rpb24gbG9zcykuIiwiJ0Vu"
    "Y29kaW5nJyBoZXJlIGhhcyBub3RoaW5nIHRvIGRvIHdpdGggc2VjcmV0czogdGhlcmUgaXMgbm8ga2V5LCBhbmQgdGhlIGNvZGUg"
    "aXMgbWVhbnQgdG8gYmUgdXNlZnVsIChzaW1pbGFyIGNsb3RoZXMgZ2V0IG5lYXJieSBjb2RlcyksIG5vdCB1bnJlYWRhYmxlLiIs"
    "IkNvcnJlY3QuIFRoZSBlbmNvZGVyIGlzIHlvdSwgcGxhY2luZyBlYWNoIGl0ZW0gaW4gdGhlIHdhcmRyb2JlICg3ODQgcGl4ZWxz"
    "IC0+IGEgZmV3IGNvb3JkaW5hdGVzKTsgdGhlIGRlY29kZXIgaXMgQnJpYW4ncyBzZXdpbmcgbWFjaGluZSwgcmVidWlsZGluZyB0"
    "aGUgaXRlbSBmcm9tIGl0cyBjb29yZGluYXRlcy4gQXV0b2VuY29kZXJzID0gRW5jb2RlciArIERlY29kZXIuIiwiVGhlIGNvZGUg"
    "aXMgZmFyIHNtYWxsZXIgdGhhbiB0aGUgaW1hZ2UsIHNvIGRldGFpbCBpcyBsb3N0OiByZWNvbnN0cnVjdGlvbnMgYXJlIGNsb3Nl"
    "IGJ1dCBibHVycmllciwgYW5kIHRoZSB0ZXN0IGVycm9yIGlzIG5ldmVyIDAuIEFuIGF1dG9lbmNvZGVyIGNvbXByZXNzZXMgbG9z"
    "c2lseSBhbmQga2VlcHMgdGhlIGVzc2VudGlhbCBmZWF0dXJlcy4iXX0seyJhbnN3ZXIiOjAsIndoeSI6WyJDb3JyZWN0LiBUaGUg"
    "bGF0ZW50IHNwYWNlIGlzIGEgY29tcHJlc3NlZCBtYXAgb2YgdGhlIGRhdGE6IG5laWdoYm91cnMgb24gaXQgbG9vayBhbGlrZSwg"
    "YW5kIGV2ZXJ5IHBvaW50LCBldmVuIGFuIGVtcHR5IG9uZSwgaXMgYSByZWNpcGUgdGhlIGRlY29kZXIgY2FuIHNldy4gJ0xhdGVu"
    "dCBzcGFjZSBpcyB3aGVyZSBpbnNpZ2h0cyBhbmQgY3JlYXRpdml0eSBsaWUuJyIsIkl0IGtlZXBzIG9uZSBzbWFsbCBwb2ludCBw"
    "ZXIgaXRlbSwgbm90IGEgY29weTogMiBudW1iZXJzIGNhbm5vdCBob2xkIDc4NCBwaXhlbHMgZXhhY3RseS4gVGhlIGRlY29kZXIg"
    "cmVidWlsZHMgZWFjaCBpdGVtIGZyb20gd2hhdCB0aGUgY29kZSBjYXB0dXJlZCwgd2hpY2ggaXMgd2h5IHJlY29uc3RydWN0aW9u"
    "cyBhcmUgYSBsaXR0bGUgYmx1cnJ5LiIsIkl0IGlzIHRoZSBzbWFsbGVzdCBsYXllciwgdGhlIGJvdHRsZW5lY2sgKGUuZy4gMiBu"
    "dW1iZXJzIGZvciA3ODQgcGl4ZWxzKS4gU3F1ZWV6aW5nIHRocm91Z2ggaXQgaXMgd2hhdCBmb3JjZXMgdGhlIG5ldHdvcmsgdG8g"
    "a2VlcCBvbmx5IHRoZSBlc3NlbnRpYWwgZmVhdHVyZXMuIiwiTm9ib2R5IGNob29zZXMgdGhlIGF4ZXM6IHRoZXkgYXJlIGxlYXJu"
    "ZWQgZnJvbSB0aGUgZGF0YSBieSBtaW5pbWlzaW5nIHRoZSByZWNvbnN0cnVjdGlvbiBsb3NzLiBTb21lIGRpcmVjdGlvbnMgaGFw"
    "cGVuIHRvIGZvbGxvdyBmZWF0dXJlcyBzdWNoIGFzIHNoYXBlIG9yIHNpemUsIGJ1dCBub25lIGlzIGZpeGVkIGJ5IGhhbmQsIGFu"
    "ZCByZXRyYWluaW5nIGNhbiByb3RhdGUgb3IgZmxpcCB0aGUgd2hvbGUgbWFwLiJdfSx7ImFuc3dlciI6Mywid2h5IjpbIjJEIGdp"
    "dmVzIHRoZSBsYXJnZXN0IGVycm9yIG9mIGFsbCB0aGUgc2l6ZXMgd2UgdHJpZWQ6IG1vcmUgZGltZW5zaW9ucyByZWNvbnN0cnVj"
    "dCBiZXR0ZXIuIDJEIGlzIGNob3NlbiBmb3Igd2hhdCB3ZSBjYW4gc2VlLCBub3QgZm9yIGFjY3VyYWN5LiIsIkEgMkQgbWFwIGhh"
    "cyBob2xlcyBhbmQgZ2FwcyBiZXR3ZWVuIGNsdXN0ZXJzIHRvbywgYW5kIHBvaW50cyB0aGVyZSBjYW4gZGVjb2RlIHRvIG9kZCBt"
    "aXh0dXJlcy4gU2VlaW5nIHRob3NlIGhvbGVzIGlzIGluIGZhY3Qgb25lIG9mIHRoZSB0aGluZ3MgYSAyRCBtYXAgbGV0cyB1cyBk"
    "by4iLCJSZWFsIGF1dG9lbmNvZGVycyB1c2UgdGVucyBvciBodW5kcmVkcyBvZiBkaW1lbnNpb25zIChzZWUgcXVlc3Rpb24gNCku"
    "IDJEIGlzIGEgdGVhY2hpbmcgY2hvaWNlLiIsIkNvcnJlY3QuICcyRCBzcGFjZSBpcyBlYXN5IHRvIHBsb3QgYW5kIGludGVycHJl"
    "dC4gRWFjaCBpbWFnZSA9IGEgcG9pbnQuJyBXZSBjYW4gY29sb3VyIHRoZSBwb2ludHMgYnkgY2xhc3MsIHNlZSB3aGljaCBjbG90"
    "aGVzIGFyZSBuZWlnaGJvdXJzLCBhbmQgcGljayBhbnkgcG9pbnQgZm9yIEJyaWFuIHRvIHNldy4iXX0seyJhbnN3ZXIiOjEsIndo"
    "eSI6WyJJdCBpcyBmYWxzZS4ge3N3ZWVwfSBNb3JlIGRpbWVuc2lvbnMgPSBtb3JlIGV4cHJlc3NpdmUgcG93ZXI6IGEgMkQgY29k"
    "ZSBtdXN0IHNxdWVlemUgYSB3aG9sZSBnYXJtZW50IGludG8gMiBudW1iZXJzLiBSZWFsIGF1dG9lbmNvZGVycyB1c2UgMTBzIG9y"
    "IDEwMHMgb2YgZGltZW5zaW9uczsgMkQgaXMgZm9yIHRlYWNoaW5nIGFuZCB2aXN1YWxpc2luZywgYmVjYXVzZSB3ZSBjYW4gcGxv"
    "dCBpdC4iLCJDb3JyZWN0LiBJdCBpcyBmYWxzZS4ge3N3ZWVwfSBSZWFsIGF1dG9lbmNvZGVycyB1c2UgMTBzIG9yIDEwMHMgb2Yg"
    "ZGltZW5zaW9ucy4gMkQgaXMgdXNlZCBmb3IgdGVhY2hpbmcgYW5kIHZpc3VhbGlzaW5nIGJlY2F1c2Ugd2UgY2FuIHBsb3QgaXQs"
    "IG5vdCBiZWNhdXNlIGl0IGlzIGV4cHJlc3NpdmUuIl19LHsiYW5zd2VyIjoxLCJ3aHkiOlsiVGhlIGRlY29kZXIgYWNjZXB0cyBh"
    "bnkgcG9pbnQgeiB3aXRoIHRoZSByaWdodCBudW1iZXIgb2YgY29vcmRpbmF0ZXM7IGl0IG5ldmVyIGNoZWNrcyB3aGV0aGVyIHog"
    "Y2FtZSBmcm9tIGEgdHJhaW5pbmcgaW1hZ2UuIChPbmx5IGEgbWFsZm9ybWVkIHosIHdpdGggdGhlIHdyb25nIHNoYXBlIG9yIGEg"
    "TmFOLCBpcyByZWZ1c2VkLikiLCJDb3JyZWN0LiAnWW91IHBvaW50IHRvIGEgbG9jYXRpb24gd2l0aCBubyBjbG90aGVzLiBCcmlh"
    "biBzdGl0Y2hlcyBhIG5ldywgbmV2ZXItc2Vlbi1iZWZvcmUgaXRlbS4gSXQncyBub3QgcGVyZmVjdCwgYnV0IGl0J3Mgb3JpZ2lu"
    "YWwuJyBUaGUgZGVjb2RlciBsZWFybmVkIGEgc21vb3RoIG1hcHBpbmcgZnJvbSB0aGUgd2hvbGUgc3BhY2UsIHNvIGl0IGNhbiBn"
    "ZW5lcmF0ZSBuZXcgZGF0YS4gRmFyIGZyb20gdGhlIGRhdGEsIGluIHRoZSBob2xlcywgcmVzdWx0cyBnZXQgb2RkOiB0aGUgc3Ry"
    "dWN0dXJlZCBsYXRlbnQgc3BhY2UgYXQgdGhlIGVuZCBvZiAwNiBmaXhlcyB0aGF0LiIsIlRoZSBkZWNvZGVyIGhhcyBubyBsaXN0"
    "IG9mIHRyYWluaW5nIGltYWdlcyB0byBjb3B5IGZyb20sIG9ubHkgaXRzIHdlaWdodHMuIEEgcG9pbnQgYmV0d2VlbiB0d28gaXRl"
    "bXMgZGVjb2RlcyB0byBzb21ldGhpbmcgaW4gYmV0d2Vlbiwgbm90IHRvIGVpdGhlciBvbmUuIiwiTmVhciB0aGUgZGF0YSwgbmV3"
    "IHBvaW50cyBkZWNvZGUgdG8gcGxhdXNpYmxlIGNsb3RoZXMgdGhhdCBibGVuZCB0aGVpciBuZWlnaGJvdXJzLCBiZWNhdXNlIHRo"
    "ZSBkZWNvZGVyIGlzIGEgc21vb3RoIGZ1bmN0aW9uLiBPbmx5IGZhciBmcm9tIGV2ZXJ5IHRyYWluaW5nIGNvZGUgZG8gdGhlIHJl"
    "c3VsdHMgZ2V0IHN0cmFuZ2UuIl19XQ=="
)


def encode_key(key: list[dict]) -> str:
    """The inverse of the decoding used for ``_KEY`` (for instructors who edit the answers)."""
    return base64.b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


@lru_cache(maxsize=1)
def _key() -> tuple[dict, ...]:
    return tuple(json.loads(base64.b64decode("".join(_KEY))))


def sweep_sentence(sweep: dict | None) -> str:
    """One sentence with the measured test error per latent size, e.g. from the course's pretrained models."""
    if not sweep:
        return (f"The latent-size sweep in {_notebook('05')} measures it: the test error falls steadily as the code "
                "grows from 2 to 32 numbers.")
    items = sorted((int(d), float(mse)) for d, mse in sweep.items())
    listed = ", ".join(f"{d}D {mse:.4f}" for d, mse in items)
    sentence = f"Measured in this course (test MSE per pixel): {listed}."
    (d_lo, e_lo), (d_hi, e_hi) = items[0], items[-1]
    if d_hi > d_lo and e_hi < e_lo:
        sentence += f" The {d_hi}D code leaves {e_lo / e_hi:.1f}x less error than the {d_lo}D one."
    return sentence


def _notebook(number: str) -> str:
    """Notebook "02" -> "02_encoder" when the course's notebooks folder is beside the package, else "notebook 02"."""
    found = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob(f"{number}_*.ipynb"))
    return found[0].stem if found else f"notebook {number}"


def where_taught(question_index: int) -> str:
    number, section, heading = SEE[question_index]
    return f"See {_notebook(number)} §{section} \"{heading}\"."


def grade(question_index: int, choice_index: int, sweep: dict | None = None) -> tuple[bool, str]:
    """Grade one answer: ``(correct, explanation)``. Both indices are 0-based.

    ``sweep`` (latent size -> test MSE) is quoted in the explanation of question 4.
    """
    if not 0 <= question_index < len(QUESTIONS):
        raise IndexError(f"question_index must be 0..{len(QUESTIONS) - 1}, got {question_index}")
    n_choices = len(QUESTIONS[question_index]["choices"])
    if choice_index is None or not 0 <= choice_index < n_choices:
        raise IndexError(f"choice_index must be 0..{n_choices - 1}, got {choice_index}")
    entry = _key()[question_index]
    why = entry["why"][choice_index].replace("{sweep}", sweep_sentence(sweep))
    return choice_index == entry["answer"], f"{why} {where_taught(question_index)}"


class Score:
    """The latest result per question; a question counts as right if its last check was right."""

    def __init__(self, n_questions: int = len(QUESTIONS)):
        self.results: dict[int, bool] = {}
        self.total = n_questions

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


def text_version(markdown: bool = False) -> str:
    """The questions and choices (no answers) as plain text, or Markdown."""
    lines = ["#### Quiz Time!" if markdown else "Quiz Time!", ""]
    for i, q in enumerate(QUESTIONS, 1):
        lines += [f"**{i}. {q['text']}**", ""] if markdown else [f"{i}. {q['text']}"]
        lines += [f"{'- ' if markdown else '   '}{'ABCD'[j]}) {c}" for j, c in enumerate(q["choices"])]
        lines.append("")
    lines.append("(Run the notebook in JupyterLab to check your answers.)")
    return "\n".join(lines)


def answer_key(sweep: dict | None = None) -> str:
    """The instructor's answer key: each question, its correct choice and why."""
    lines = []
    for i, q in enumerate(QUESTIONS):
        a = _key()[i]["answer"]
        _, why = grade(i, a, sweep)
        lines += [f"{i + 1}. {q['text']}", f"   Answer: {'ABCD'[a]}) {q['choices'][a]}", f"   Why: {why}", ""]
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

    ``sweep``: latent size -> measured test MSE, quoted when question 4 is checked.
    Parts for tests: ``radios``, ``buttons``, ``feedback``, ``reflections`` (lists, one per
    question; ``reflections[i]`` is None for the True/False question), ``score_label``, ``score``.
    """

    def __init__(self, sweep: dict | None = None):
        import ipywidgets as w

        self.sweep = dict(sweep) if sweep else None
        self.score = Score()
        self.radios, self.buttons, self.feedback, self.reflections, boxes = [], [], [], [], []
        for i, q in enumerate(QUESTIONS):
            radio = w.RadioButtons(options=list(q["choices"]), value=None, layout=w.Layout(width="auto"))
            radio.add_class("quiz-choices")
            button = w.Button(description="Check", button_style="primary", tooltip="Check this answer")
            button.add_class("quiz-check")
            button.on_click(lambda _b, i=i: self.check(i))
            feedback = w.HTML("")
            feedback.add_class("quiz-feedback")
            parts = [w.HTML(f"<b>Question {i + 1}.</b> {html.escape(q['text'])}"), radio, button, feedback]
            reflection = None
            if len(q["choices"]) > 2:  # open questions turned multiple choice: room for your own words
                reflection = w.Textarea(placeholder="Optional: answer in your own words (not graded).",
                                        layout=w.Layout(width="95%", height="4em"))
                reflection.add_class("quiz-reflection")
                parts.append(reflection)
            box = w.VBox(parts, layout=w.Layout(margin="0 0 14px 0"))
            box.add_class(f"quiz-q{i + 1}")
            box.add_class("quiz-question")
            self.radios.append(radio)
            self.buttons.append(button)
            self.feedback.append(feedback)
            self.reflections.append(reflection)
            boxes.append(box)
        self.score_label = w.HTML(f"<b>{self.score}</b>")
        self.score_label.add_class("quiz-score")
        self.widget = w.VBox([w.HTML(_CSS), *boxes, self.score_label])
        self.widget.add_class("quiz")

    def check(self, question_index: int) -> bool | None:
        """What the "Check" button does: grade the selected choice, show why, update the score."""
        choice = self.radios[question_index].index
        if choice is None:
            self.feedback[question_index].value = "<i>Pick an answer first, then press Check.</i>"
            return None
        correct, why = grade(question_index, choice, self.sweep)
        self.score.record(question_index, correct)
        mark, css = ("\u2713 Correct.", "good") if correct else ("\u2717 Not quite.", "bad")
        why = why.removeprefix("Correct. ")
        self.feedback[question_index].value = f'<div class="{css}"><b>{mark}</b> {html.escape(why)}</div>'
        self.score_label.value = f"<b>{self.score}</b>"
        return correct

    def answer_key(self) -> str:
        return answer_key(self.sweep)

    def print_version(self) -> None:
        print(text_version())

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_() if self.widget._repr_mimebundle_ else {}
        bundle["text/plain"] = text_version()
        bundle["text/markdown"] = text_version(markdown=True)
        return bundle
