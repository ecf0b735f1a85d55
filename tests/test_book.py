"""The course website (book/build.py, ``make book``), built in quick mode: every notebook has its page with its
outputs, widgets are static (05's explorer as the kernel-free page, the quiz with its answers behind reveals,
a "run this notebook" box otherwise), exercises show hints and never the solution, everything is local.

The build goes to book/_build/quick/ (a full-mode ``make book`` in book/_build/html/ is left alone); executed
notebooks (book/_build/executed/) are reused while the notebook, ae_helpers and the mode are unchanged, so a
second run takes seconds.
The browser checks (every page from file://, axe-core) are in tests/browser/test_book_browser.py."""

from __future__ import annotations

import functools
import html
import importlib.util
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("0[0-9]_*.ipynb"))


def load_book_build():
    spec = importlib.util.spec_from_file_location("book_build", REPO / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def quick_site() -> Path:
    """The quick-mode site, built once per test session: its folder (index.html inside)."""
    pytest.importorskip("myst_nb", reason="the website needs the test extra's sphinx, myst-nb, sphinx-book-theme")
    build = load_book_build()
    return build.build(build.BUILD_DIR / "quick", quick=True, deck=None).parent


@pytest.fixture(scope="module")
def site() -> Path:
    return quick_site()


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def test_every_notebook_has_a_page_with_its_outputs(site):
    index = _text(site / "index.html")
    for name in NOTEBOOKS:
        page = site / f"{name}.html"
        assert page.is_file(), f"no page for {name}"
        assert f'href="{name}.html"' in index, f"the landing page's table of contents does not link {name}"
        assert "cell_output" in _text(page), f"{name}'s page shows no outputs"
    assert len(list((site / "_images").glob("*.png"))) > 20, "the figures are missing"
    assert (site / "instructors.html").is_file() and 'href="instructors.html"' in index


def test_the_landing_page_comes_from_the_readme(site):
    build = load_book_build()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    index = " ".join(re.sub(r"<[^>]+>", "", _text(site / "index.html")).split())
    for section in build.LANDING_SECTIONS:
        prose = next(line for line in build._sections(readme)[section].splitlines() if line[:1].isalpha())
        assert re.sub(r"[`*]", "", prose)[:30] in index, f"README's '{section}' is not on the landing page"
    assert "make lab" in index and "make test" in index
    instructors = re.sub(r"<[^>]+>", "", _text(site / "instructors.html"))
    for rel in build.INSTRUCTOR_READMES:
        title = (REPO / rel).read_text(encoding="utf-8").split("\n", 1)[0].lstrip("# ").strip()
        assert title in instructors, f"{rel} is not on the instructors' page"


def test_run_it_yourself_box_on_every_page(site):
    for page in [site / "index.html", site / "instructors.html", *(site / f"{n}.html" for n in NOTEBOOKS)]:
        text = _text(page)
        assert "Run it yourself" in text and "make lab" in text, f"{page.name} has no 'run it yourself' box"


def test_widgets_are_static(site):
    for name in NOTEBOOKS:
        text = _text(site / f"{name}.html")
        assert "application/vnd.jupyter.widget-view+json" not in text, f"{name} still has a widget output"
        assert not re.search(r"(VBox|HBox|IntSlider)\(", text), f"{name} shows a widget's raw repr"
    explorer = _text(site / f"{NOTEBOOKS[5]}.html")
    assert '<iframe src="explorer.html"' in explorer and (site / "explorer.html").is_file()
    assert (site / "explorer" / "decode-reference.json").is_file()
    assert "Run this notebook" in _text(site / f"{NOTEBOOKS[0]}.html")   # 00's slider demo


def test_the_quiz_page_hides_its_answers(site):
    quiz = json.loads((REPO / "ae_helpers" / "quiz_questions.json").read_text(encoding="utf-8"))["questions"]
    text = _text(site / f"{NOTEBOOKS[7]}.html")
    assert text.count('<li class="ae-quiz-question">') == len(quiz)
    assert text.count("<summary>Show the answer</summary>") >= len(quiz)
    for block in re.findall(r'<li class="ae-quiz-question">(.*?)</li>\s*(?=<li class="ae-quiz|</ol>)', text, re.S):
        shown, hidden = block.split("<details>", 1)
        assert "Model answer" not in shown and "Model answer" in hidden


def test_exercises_show_hints_never_the_solution(site):
    build = load_book_build()
    for name in NOTEBOOKS:
        number = name[:2]
        nb = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        names = [m.group(1) for c in nb["cells"] if (m := re.fullmatch(r"ex-(\w+)-help", c.get("id", "")))]
        if not names:
            continue
        text = html.unescape(_text(site / f"{name}.html"))
        hint_blocks = re.findall(r'<details class="ae-hints">(.*?)</details>', text, re.S)
        module = build.importlib.import_module(f"ae_helpers.exercises.nb{number}")
        for ex_name in names:
            exercise = getattr(module, ex_name)
            assert f"Hints for {exercise.title}" in text, f"{name}: no hints for {ex_name}"
            solution_line = next(line for line in exercise.solution_code.splitlines()
                                 if len(line.strip()) > 25 and not line.strip().startswith(("def ", "#", '"""')))
            for block in hint_blocks:   # (04 prints the course's own mse and bce after its exercises, by design)
                assert solution_line.strip() not in block, f"{name}: the hints give away the solution of {ex_name}"
        assert len(hint_blocks) == len(names)


def test_nothing_is_loaded_from_another_site(site):
    assert load_book_build().remote_loads(site) == []
    for page in site.glob("*.html"):
        assert 'src="http' not in _text(page) and "cdn." not in _text(page), page.name
    assert (site / "_static" / "mathjax" / "MathJax.js").is_file()
