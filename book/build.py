"""Build the course website: every notebook executed, with its outputs, readable without installing anything.

    python book/build.py                 # full mode, seed 0 (the shared models), into book/_build/html/
    AE_QUICK=1 python book/build.py      # quick mode (tests): small data, quick models
    python book/build.py --out DIR       # somewhere else

``make book`` runs the first line; open ``book/_build/html/index.html`` (it works from ``file://`` and from any
static host: relative links only, nothing loaded from another site).

Steps: execute notebooks/0*.ipynb in a fresh kernel each, in notebooks/ (the course's environment, AE_SEED=0)
-> make their widgets static: 05's explorer becomes the kernel-free explorer page (slides/build.py's
``build_explorer``, copied into the site), the quiz shows its questions with each answer behind a reveal,
every other widget a "run this notebook to use it" box; each exercise's help cell becomes its hints behind a
reveal (never the solution) -> write the landing page from README.md's sections and the instructors' page
from slides/README.md and classroom/README.md -> Sphinx (myst-nb, sphinx-book-theme; book/conf.py) -> refuse
the result if a page still loads anything from http(s).
"""

from __future__ import annotations

import argparse
import html
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

BOOK_DIR = Path(__file__).resolve().parent
REPO = BOOK_DIR.parent
NOTEBOOKS = REPO / "notebooks"
#: Where ``make book`` writes the site (book/_build/html/index.html is the page to open).
BUILD_DIR = BOOK_DIR / "_build"
#: Executed notebooks, reused by any build while the notebook, ae_helpers, the mode and the seed are unchanged.
EXECUTED_CACHE = BUILD_DIR / "executed"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: The instructors' page: these READMEs, in this order.
INSTRUCTOR_READMES = ["slides/README.md", "classroom/README.md"]
#: README.md's sections on the landing page (the "what you learn" part and how to run it).
LANDING_SECTIONS = ["Quick start (two commands)", "The notebooks", "Exercises: write code, get feedback"]

sys.path.insert(0, str(REPO / "slides"))
import build as slides_build  # noqa: E402  (slides/build.py: the explorer page, MathJax's file list)

RUN_BOX = ('<div class="ae-run-box" role="note"><b>Run this notebook to use it.</b> This is an interactive widget: '
           'it works in JupyterLab, with the course installed (<code>make lab</code>, see '
           '<a href="index.html#run-it-yourself">Run it yourself</a>).</div>')
EXPLORER_FRAME = ('<div class="ae-explorer-frame"><p class="ae-frame-note">The latent explorer, running in your '
                  'browser (no installation, no kernel): drag on the map. <a href="explorer.html">Open it on a page '
                  'of its own</a>.</p><iframe src="explorer.html" title="The latent explorer: drag on the map to '
                  'walk the wardrobe" loading="lazy"></iframe></div>')


SEARCH_LABEL = 'search-button__button pst-js-only" title="Search" aria-label="Search"'


class BuildError(RuntimeError):
    """The site could not be built; the message says why."""


def _log(msg: str) -> None:
    print(f"[book] {msg}", flush=True)


# ----- executing the notebooks ------------------------------------------------------------------------------
QUIZ_PROBE = ("import json as _json\nprint('AE_BOOK_SWEEP', _json.dumps({str(k): v for k, v in "
              "(quiz.sweep or {}).items()}))")


def execute(path: Path, quick: bool, timeout: int = 1800):
    """The notebook executed in a fresh kernel in notebooks/, with the course's seed and mode."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    probe = None
    for i, cell in enumerate(nb.cells):  # the quiz's measured sweep, for the answers behind the reveals
        if cell.cell_type == "code" and cell.source.strip().endswith("quiz") and "Quiz(" in cell.source:
            probe = nbformat.v4.new_code_cell(QUIZ_PROBE, id="ae-book-probe")
            nb.cells.insert(i + 1, probe)
            break
    env = {"AE_QUICK": "1" if quick else "0", "AE_SEED": os.environ.get("AE_SEED", "0")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                store_widget_state=False, resources={"metadata": {"path": str(NOTEBOOKS)}})
        client.execute()
    except CellExecutionError as exc:
        raise BuildError(f"a cell of {path.name} failed ({'quick' if quick else 'full'} mode):\n{exc}") from None
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    sweep = None
    if probe is not None:
        text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
        sweep = json.loads(text.split("AE_BOOK_SWEEP", 1)[1])
        nb.cells.remove(probe)
    nb.metadata.pop("widgets", None)
    return nb, sweep


def _cache_key(path: Path, quick: bool) -> str:
    """What an executed notebook depends on: its cells, the course's package, the mode and the seed."""
    import hashlib

    digest = hashlib.sha256(path.read_bytes())
    for f in sorted((REPO / "ae_helpers").rglob("*")):
        if f.suffix in (".py", ".json"):
            digest.update(f.relative_to(REPO).as_posix().encode() + f.read_bytes())
    digest.update(f"quick={quick} seed={os.environ.get('AE_SEED', '0')} probe={QUIZ_PROBE}".encode())
    return digest.hexdigest()


def execute_cached(path: Path, quick: bool, cache: Path | None):
    """``execute``, or its result from an earlier build with the same notebook, package, mode and seed."""
    import nbformat

    if cache is None:
        return execute(path, quick) + (False,)
    key, file = _cache_key(path, quick), cache / f"{path.stem}-{'quick' if quick else 'full'}.json"
    if file.is_file():
        saved = json.loads(file.read_text(encoding="utf-8"))
        if saved["key"] == key:
            return nbformat.from_dict(saved["notebook"]), saved["sweep"], True
    nb, sweep = execute(path, quick)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "sweep": sweep, "notebook": nb}), encoding="utf-8")
    os.replace(tmp, file)
    return nb, sweep, False


# ----- making the widgets static ----------------------------------------------------------------------------
def _html_output(text: str) -> dict:
    import nbformat
    return nbformat.v4.new_output("display_data", data={"text/html": text})


def quiz_html(sweep: dict | None, part: str | None = None) -> str:
    """Every question of ``part`` (None: all) with its choices, and its answer (why, model answer) behind a
    <details> reveal."""
    from ae_helpers import quiz

    sweep = {int(k): v for k, v in sweep.items()} if sweep else None
    data = json.loads((REPO / "ae_helpers" / "quiz_questions.json").read_text(encoding="utf-8"))["questions"]
    parts = ['<div class="ae-quiz">', RUN_BOX.replace("This is an interactive widget", "The quiz's buttons need "
             "a kernel; here are its questions, each answer behind a reveal").replace("Run this notebook to use it",
             "Run this notebook to use the quiz"), f'<ol start="{quiz.numbers(part)[0]}">']
    for n, q in enumerate(data, 1):
        if part not in (None, q["part"]):
            continue
        result = quiz.grade(n, q["answer"], sweep)
        choices = "".join(f"<li><b>{x})</b> {html.escape(c)}</li>" for x, c in q["choices"].items())
        parts.append(f'<li class="ae-quiz-question"><p><b>{html.escape(q["text"])}</b></p>'
                     f'<ul class="ae-choices">{choices}</ul><details><summary>Show the answer</summary>'
                     f'<p><b>{q["answer"]})</b> {html.escape(result.why)}</p>'
                     f'<p><b>Model answer:</b> {html.escape(result.model_answer)}</p></details></li>')
    parts += ["</ol>", "</div>"]
    return "".join(parts)


def make_widgets_static(nb, number: str, sweep: dict | None) -> int:
    """Replace every widget output; returns how many were replaced."""
    replaced = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if WIDGET_MIME not in out.get("data", {}):
                outputs.append(out)
                continue
            replaced += 1
            plain = out["data"].get("text/plain", "")
            if re.search(r"\d+%\|", plain):
                continue  # a finished tqdm progress bar: the printed results below say the same
            src = cell.source
            if number == "05" and src.strip().splitlines()[-1].strip() == "explorer":
                outputs.append(_html_output(EXPLORER_FRAME))
            elif "Quiz(" in src:
                outputs.append(_html_output(quiz_html(sweep, "bonus" if 'part="bonus"' in src else "course")))
            else:
                outputs.append(_html_output(RUN_BOX))
        cell.outputs = outputs
    return replaced


def exercises_static(nb, number: str) -> int:
    """Each exercise's help cell (``ex-NAME-help``) becomes its hints behind a reveal; the solution stays out."""
    import nbformat

    module = None
    count = 0
    for i, cell in enumerate(nb.cells):
        m = re.fullmatch(r"ex-(\w+)-help", cell.get("id", ""))
        if not m or cell.cell_type != "code":
            continue
        module = module or importlib.import_module(f"ae_helpers.exercises.nb{number}")
        exercise = getattr(module, m.group(1))
        hints = "\n\n".join(f"**Hint {k} of {len(exercise.hints)}:** {h}" for k, h in enumerate(exercise.hints, 1))
        text = (f"<details class=\"ae-hints\">\n<summary>Hints for {exercise.title} (click to open)</summary>\n\n"
                f"{hints}\n\nRun this notebook to check your answer (`ex.{m.group(1)}.check(...)`); "
                f"`ex.{m.group(1)}.solution()` shows the answer there.\n\n</details>\n")
        nb.cells[i] = nbformat.v4.new_markdown_cell(text, id=cell["id"])
        count += 1
    return count


def add_alt_text(nb) -> None:
    """Every figure gets alt text: the section it belongs to and the comment or code that drew it."""
    heading = nb.metadata.get("title", "")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.findall(r"^#{1,4}\s+(.+)$", cell.source, flags=re.M)
            heading = found[-1].strip() if found else heading
            continue
        if any(k.startswith("image/") for out in cell.get("outputs", []) for k in out.get("data", {})):
            alt = f"Figure drawn by the code above, in the section \u201c{heading}\u201d"
            cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt


# ----- the pages written from the READMEs -------------------------------------------------------------------
def _sections(markdown: str) -> dict[str, str]:
    """README text by '## ' heading (each with its ### subsections)."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.M)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts), 2)}


def _site_links(text: str, base: str) -> str:
    """Links to files of the repository (not pages of the site) become their path, as code."""
    def fix(m):
        label, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return m.group(0)
        path = os.path.normpath(os.path.join(base, target))
        name = Path(path).name
        if re.fullmatch(r"0\d_\w+\.ipynb", name):
            return f"[{label}]({name[:-6]}.ipynb)"
        return label if label.startswith("`") else f"{label} (`{path}`)"
    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", fix, text)


def landing_page(notebooks: list[str], has_deck: bool) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    title, intro = readme.split("\n", 1)
    intro = intro.split("\n## ", 1)[0].strip()
    sections = _sections(readme)
    missing = [s for s in LANDING_SECTIONS if s not in sections]
    if missing:
        raise BuildError(f"README.md has no section {missing}: update LANDING_SECTIONS in book/build.py")
    table = re.sub(r"`(0\d_\w+)\.ipynb`", r"[\1](\1.ipynb)", sections["The notebooks"])
    toc = "\n".join(["```{toctree}", ":caption: The notebooks", ":maxdepth: 1", "", *notebooks, "```", "",
                     "```{toctree}", ":caption: Instructors", ":maxdepth: 1", "", "instructors", "```"])
    return "\n\n".join([
        title, _site_links(intro, "."),
        "## What you learn", _site_links(table, "."),
        ("The explorer on a page of its own: <a href=\"explorer.html\">the latent explorer</a> (no installation: "
         "it runs in your browser) · the slide deck: `slides/build/index.html` in the course (`make slides`"
        + ('; <a href="deck/index.html">open the deck</a>, copied into this site).' if has_deck else
           "; this site was built without it).")),
        "(run-it-yourself)=\n## Run it yourself", _site_links(sections["Quick start (two commands)"], "."),
        "## Exercises", _site_links(sections["Exercises: write code, get feedback"], "."),
        toc])


def instructors_page() -> str:
    parts = ["# Instructors", "How to present the course (the deck, the live explorer, JupyterLab) and how to run "
             "it for a class. The deck: `make slides` writes `slides/build/index.html`; the explorer on a page of "
             "its own: <a href=\"explorer.html\">explorer.html</a>."]
    for rel in INSTRUCTOR_READMES:
        text = (REPO / rel).read_text(encoding="utf-8")
        text = re.sub(r"^(#+) ", r"#\1 ", text, flags=re.M)   # one level below this page's title
        parts.append(_site_links(text, str(Path(rel).parent)))
    return "\n\n".join(parts)


# ----- the whole site ---------------------------------------------------------------------------------------
def copy_mathjax(static: Path) -> None:
    src = slides_build.NODE_MODULES / "mathjax"
    if not src.is_dir():
        slides_build.ensure_node_modules()
    for rel in slides_build.ASSETS["mathjax"]:
        s, d = src / rel, static / "mathjax" / rel
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(s, d, dirs_exist_ok=True) if s.is_dir() else shutil.copy2(s, d)


def remote_loads(site: Path) -> list[str]:
    """Resources a page would load from another site (src=, href= of stylesheets/scripts, CSS url())."""
    found = []
    pattern = re.compile(r"""(?:<script[^>]+src|<link[^>]+href|<img[^>]+src|<iframe[^>]+src)=["'](?:https?:)?//"""
                         r"""|@import\s+url\(["']?https?:|url\(["']?https?://""")
    for page in [*site.glob("*.html"), *site.glob("_static/**/*.css")]:
        for m in pattern.finditer(page.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{page.relative_to(site)}: {m.group(0)}")
    return found


def build(out_dir: Path | str | None = None, quick: bool | None = None, deck: Path | None = None,
          cache: bool = True) -> Path:
    """The whole site into ``out_dir`` (default book/_build) as ``out_dir/html/``; returns its index.html.
    Executed notebooks are kept in ``EXECUTED_CACHE`` and reused while nothing they depend on changed."""
    from ae_helpers.settings import is_quick

    quick = is_quick() if quick is None else quick
    out_dir = Path(out_dir or BUILD_DIR).resolve()
    src, site = out_dir / "src", out_dir / "html"
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    (src / "_static").mkdir(parents=True)
    start = time.perf_counter()
    names = []
    for path in sorted(NOTEBOOKS.glob("0[0-9]_*.ipynb")):
        t0 = time.perf_counter()
        nb, sweep, reused = execute_cached(path, quick, EXECUTED_CACHE if cache else None)
        number = path.name[:2]
        widgets = make_widgets_static(nb, number, sweep)
        hints = exercises_static(nb, number)
        add_alt_text(nb)
        import nbformat
        nbformat.write(nb, src / path.name)
        names.append(path.stem)
        how = "reused (unchanged since the last build)" if reused else f"executed in {time.perf_counter() - t0:.0f} s"
        _log(f"{path.name}: {how} ({widgets} widget outputs made static, "
             f"{hints} exercises with hints)")
    has_deck = deck is not None and (deck / slides_build.DECK_NAME).is_file()
    (src / "index.md").write_text(landing_page(names, has_deck), encoding="utf-8")
    (src / "instructors.md").write_text(instructors_page(), encoding="utf-8")
    shutil.copy2(BOOK_DIR / "course.css", src / "_static" / "course.css")
    copy_mathjax(src / "_static")
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(BOOK_DIR), str(src), str(site)]
    env = {**os.environ, "AE_BOOK_STATIC": str(src / "_static")}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode:
        raise BuildError(f"sphinx failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    if result.stderr.strip():
        print(result.stderr.strip()[-3000:], file=sys.stderr)
    _log(f"sphinx: {time.perf_counter() - t0:.0f} s")
    for page in site.glob("*.html"):   # the theme's search button says more than its label (axe-core)
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(SEARCH_LABEL, SEARCH_LABEL.replace(' aria-label="Search"', "")), encoding="utf-8")
    slides_build.build_explorer(site, quick=quick, quiet=True)
    if has_deck:
        shutil.copytree(deck, site / "deck", dirs_exist_ok=True)
    remote = remote_loads(site)
    if remote:
        raise BuildError("pages would load from another site:\n" + "\n".join(remote[:20]))
    index = site / "index.html"
    _log(f"wrote {index} ({'quick' if quick else 'full'} mode) in {time.perf_counter() - start:.0f} s; "
         "it works offline, from file://")
    return index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help=f"build folder (default {BUILD_DIR}); the site is OUT/html/")
    parser.add_argument("--quick", action="store_true", help="quick mode (also AE_QUICK=1)")
    parser.add_argument("--deck", type=Path, default=slides_build.BUILD_DIR,
                        help="a built deck to copy into the site as deck/ (default slides/build/, if built)")
    parser.add_argument("--no-cache", action="store_true", help="execute every notebook, even if unchanged")
    args = parser.parse_args(argv)
    try:
        build(args.out, quick=True if args.quick else None, deck=args.deck, cache=not args.no_cache)
    except BuildError as error:
        print(f"[book] {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
