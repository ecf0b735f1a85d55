"""The instructor deck (slides/): builds in quick mode with the same entry point as `make slides`, and the
result has the deck's sections in order, a figure on every concept slide, speaker notes on every slide, and
nothing that needs the network to present.

Needs Node.js/npm (the build installs reveal.js and MathJax with `npm ci`): without npm this FAILS and says
how to install it. The build goes to a temporary folder, so a full-mode `make slides` in slides/build/ is
left alone.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import load_slides_build

ROOT = Path(__file__).resolve().parents[1]
SLIDES = ROOT / "slides"

#: The deck's sections, in order (the course deck's headings, then the instructor's answer key).
SECTIONS = [
    "Understanding Autoencoders",
    "The Magic Wardrobe",
    "The Problem - A Messy Pile of Clothes",
    "Organizing the Wardrobe = Learning an Embedding Space",
    "Brian Learns to Reconstruct",
    "The Magic Begins",
    "Mapping the Analogy",
    "Autoencoders: A Two-Part Neural Network",
    "A Skilled Sketch Artist",
    "What's the point of recreating",
    "The Embedding (Latent Space)",
    "The Decoder",
    "Creating Novel Data",
    "Visualizing the Latent Space",
    "Real Autoencoders Use Higher Dimensions",
    "Reconstruction Loss",
    "Commonly Used Metrics",
    "Intuition Behind Reconstruction Loss",
    "Mathematical View",
    "Why Reconstruction Loss Alone Isn't Enough",
    "Wrapping It Up",
    "Quiz Time",
    "Answer Key",
]
#: Sections without a figure: the quiz and the answer key are text.
TEXT_ONLY = {"Quiz Time", "Answer Key"}
#: What the speaker notes of every slide must contain.
NOTE_PARTS = ("Say:", "Ask the room:", "Live demo:")


build = load_slides_build()


class _Deck(HTMLParser):
    """The slides of a reveal.js page: groups (horizontal) of slides (vertical), each slide with its
    headings, images, notes text; plus every URL the page references."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.groups: list[list[dict]] = []
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self._depth = 0          # <section> nesting inside .slides
        self._in_slides = False
        self._heading = None     # the text of the heading being read
        self._notes_depth = 0    # >0 while inside <aside class="notes">
        self._slide = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "data", "poster", "srcset"):
            if attrs.get(name):
                self.refs.append((tag, name, attrs[name]))
        if tag == "div" and "slides" in (attrs.get("class") or "").split():
            self._in_slides = True
        if not self._in_slides:
            return
        if tag == "section":
            self._depth += 1
            if self._depth == 1:
                self.groups.append([])
            else:
                self._slide = {"headings": [], "images": 0, "alts": [], "notes": ""}
                self.groups[-1].append(self._slide)
        elif tag == "aside" and "notes" in (attrs.get("class") or "").split():
            self._notes_depth = 1
        elif self._notes_depth:
            if tag not in ("br", "img", "hr", "input", "meta", "link"):
                self._notes_depth += 1
        elif tag in ("h1", "h2", "h3") and self._slide is not None:
            self._heading = ""
        elif tag == "img" and self._slide is not None:
            self._slide["images"] += 1
            self._slide["alts"].append(attrs.get("alt") or "")

    def handle_endtag(self, tag):
        if not self._in_slides:
            return
        if self._notes_depth:
            self._notes_depth -= 1
            return
        if tag == "section":
            self._depth -= 1
            self._slide = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self._slide["headings"].append(self._heading.replace("¶", "").strip())
            self._heading = None

    def handle_data(self, data):
        if self._notes_depth and self._slide is not None:
            self._slide["notes"] += data
        elif self._heading is not None:
            self._heading += data


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2013", "-")).strip().lower()


@pytest.fixture(scope="module")
def deck(quick_deck):
    """The quick deck of this test run (conftest.quick_deck: built once); return (html path, parsed deck, html)."""
    path = quick_deck
    html = path.read_text(encoding="utf-8")
    parsed = _Deck()
    parsed.feed(html)
    return path, parsed, html


def test_the_build_writes_index_html_with_its_libraries(deck):
    path, _, _ = deck
    assert path.name == build.DECK_NAME == "index.html"
    for needed in ("reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js", "reveal.js/dist/theme/white.css",
                   "mathjax/MathJax.js", "mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/Safe.js"):
        assert (path.parent / needed).is_file(), f"{needed} was not copied next to the deck"


def test_sections_appear_in_the_deck_order(deck):
    _, parsed, _ = deck
    titles = [group[0]["headings"][0] if group and group[0]["headings"] else "(no heading)"
              for group in parsed.groups]
    assert len(titles) == len(SECTIONS), f"expected {len(SECTIONS)} sections, found {len(titles)}: {titles}"
    for want, got in zip(SECTIONS, titles):
        assert _norm(want) in _norm(got), f"section {want!r} expected here, found {got!r} (all: {titles})"


def test_every_concept_slide_has_a_figure(deck):
    _, parsed, _ = deck
    for want, group in zip(SECTIONS, parsed.groups):
        if want not in TEXT_ONLY:
            assert group[0]["images"] >= 1, f"slide {want!r} has no figure"


def test_every_figure_says_what_it_shows(deck):
    """A screen reader reads each figure's alt text: its slide's heading, then the words the figure shows
    (titles, labels, legends; slides/build.py describe_figures), never nbconvert's "No description"."""
    _, parsed, _ = deck
    alts = 0
    for group in parsed.groups:
        for s in group:
            heading = (s["headings"] or group[0]["headings"])[0]
            for alt in s["alts"]:
                alts += 1
                assert _norm(alt).startswith(_norm(heading) + ": "), f"alt text {alt!r} does not name {heading!r}"
                assert len(alt) > len(heading) + 10, f"the alt text of a figure on {heading!r} is only {alt!r}"
    assert alts >= len(SECTIONS) - len(TEXT_ONLY), f"only {alts} figures have alt text"


def test_every_slide_has_speaker_notes(deck):
    _, parsed, _ = deck
    slides = [s for group in parsed.groups for s in group]
    assert len(slides) >= len(SECTIONS)
    for s in slides:
        title = s["headings"][0] if s["headings"] else "(untitled)"
        notes = re.sub(r"\s+", " ", s["notes"])
        for part in NOTE_PARTS:
            assert part in notes, f"the notes of slide {title!r} lack {part!r}: {notes[:200]!r}"
        assert re.search(r"\d\d_\w+\.ipynb", notes), f"the notes of slide {title!r} name no notebook for the demo"


def test_formulas_are_there_for_mathjax(deck):
    _, _, html = deck
    for tex in (r"\frac{1}{N}\sum (x-x')^2", r"[x \log x' + (1-x)\log(1-x')]", r"\approx x"):
        assert tex in html, f"formula part {tex!r} is missing from the deck"
    assert 'src="mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"' in html


def test_code_is_hidden_and_live_only_cells_are_left_out(deck):
    _, _, html = deck
    body = html[html.index('<div class="slides">'):]
    assert 'class="jp-InputArea-editor' not in body and "hl-ipython3" not in body, "code shows on a slide"
    assert "LatentExplorer" not in body, "the live-only explorer cell belongs in JupyterLab, not the static deck"
    assert "Traceback" not in body and "stderr" not in body, "an error or a warning shows on a slide"


def test_the_live_explorer_slide_and_the_standalone_page_are_built(deck):
    path, parsed, html = deck
    group = next(g for g in parsed.groups if g and g[0]["headings"]
                 and "Visualizing the Latent Space" in g[0]["headings"][0])
    assert any(s["headings"] and "Live in the browser" in s["headings"][0] for s in group[1:]), \
        "the live explorer is a vertical slide under Visualizing the Latent Space"
    assert html.count('class="ae-explorer"') == 1
    for script in ("explorer/explorer-data.js", "explorer/explorer.js"):
        assert f'<script src="{script}"></script>' in html and (path.parent / script).is_file()
    page = path.parent / build.EXPLORER_PAGE
    text = page.read_text(encoding="utf-8")
    assert 'class="ae-explorer"' in text and "__MODEL__" not in text and build.remote_references(text) == []
    size = sum(f.stat().st_size for f in (path.parent / "explorer").iterdir())
    assert size < 8e6, f"explorer/ is {size / 1e6:.1f} MB: too big to e-mail with the deck"


def test_speaker_view_and_print_are_wired(deck):
    _, _, html = deck
    assert '<script src="reveal.js/plugin/notes/notes.js"></script>' in html
    assert "plugins: [RevealNotes]" in html
    assert "print-pdf" in html


def _local_target(base: Path, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme in ("data", "about", "mailto") or url.startswith("#"):
        return None
    return (base / unquote(parts.path)).resolve()


def test_nothing_needed_to_present_comes_from_the_network(deck):
    path, parsed, html = deck
    # 1. no web address anywhere in the page: not in src/href, CSS url()/@import, module imports, MathJax config
    remote = re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>)]*", html, flags=re.I)
    assert not remote, f"the deck names remote resources: {sorted(set(remote))[:10]}"
    assert build.remote_references(html) == []
    # 2. every local file it references exists next to it
    missing = []
    for tag, attr, value in parsed.refs:
        target = _local_target(path.parent, value)
        if target is not None and not target.exists():
            missing.append(f"<{tag} {attr}={value!r}>")
    assert not missing, f"the deck references files that are not in {path.parent}: {missing}"
    assert any(v == "reveal.js/dist/reveal.js" for _, _, v in parsed.refs)
    # 3. the style sheets it links (reveal.js's, the theme's, the theme's fonts) load nothing remote either
    sheets = [path.parent / v for t, a, v in parsed.refs if t == "link" and v.endswith(".css")]
    sheets += [css for s in list(sheets) for css in s.parent.rglob("*.css") if "fonts" in css.parts]
    assert sheets
    for sheet in sheets:
        text = sheet.read_text(encoding="utf-8", errors="replace")
        for ref in re.findall(r"""(?:url\(\s*["']?|@import\s+["'])([^"')\s]+)""", text):
            assert not re.match(r"(?:https?:)?//", ref), f"{sheet.name} loads {ref} from the network"
            if not ref.startswith("data:"):
                assert (sheet.parent / unquote(urlsplit(ref).path)).exists(), f"{sheet} needs missing {ref}"


def test_missing_npm_fails_with_install_instructions(monkeypatch, tmp_path):
    monkeypatch.setattr(build, "NODE_MODULES", tmp_path / "node_modules")  # as on a fresh clone
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError, match=r"(?s)Node\.js.*npm.*install"):
        build.ensure_node_modules(quiet=True)


# ---- the source notebook (no build needed) -------------------------------------------------------------

def _source_cells():
    return json.loads((SLIDES / "understanding_autoencoders.ipynb").read_text(encoding="utf-8"))["cells"]


def test_the_source_notebook_is_committed_clean_and_tagged():
    cells = _source_cells()
    assert cells[0]["metadata"]["slideshow"]["slide_type"] == "skip"
    for i, cell in enumerate(cells):
        # no slide_type = "-" (continue the current slide), nbconvert's default; jupyterlab-slideshow hides
        # a cell whose slide_type is an explicit "-", so the deck leaves it out
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "(continue)")
        assert kind in ("slide", "subslide", "fragment", "notes", "skip", "(continue)"), (
            f"cell {i} has slide_type {kind!r}: leave the key out to continue a slide")
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and not cell.get("execution_count"), (
                f"cell {i} has outputs: run `nbstripout slides/understanding_autoencoders.ipynb`")
            if kind != "skip":
                assert cell["metadata"].get("jupyter", {}).get("source_hidden"), (
                    f"code cell {i} shows its code when presenting in JupyterLab")


def test_the_live_explorer_demo_is_in_the_source():
    live = [c for c in _source_cells() if build.LIVE_ONLY_TAG in c["metadata"].get("tags", [])]
    assert any("LatentExplorer(" in "".join(c["source"]) for c in live if c["cell_type"] == "code")
    import ae_helpers

    assert hasattr(ae_helpers, "LatentExplorer")


def _headings(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [re.sub(r"^#+\s*(\d+[a-z]?\.\s*|\d\d \u00b7\s*)?", "", line).strip() for c in cells
            if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines() if line.startswith("#")]


def test_notes_send_the_instructor_to_real_notebook_sections():
    """Each "Live demo: `NN_name.ipynb` § *Section*" names a notebook that exists and a heading it has."""
    wrong = []
    for cell in _source_cells():
        text = "".join(cell["source"])
        for notebook, section in re.findall(r"`(\d\d_\w+\.ipynb)` § \*([^*]+)\*", text):
            path = ROOT / "notebooks" / notebook
            if not path.is_file():
                wrong.append(f"{notebook} does not exist")
            elif _norm(section) not in {_norm(h) for h in _headings(path)}:
                wrong.append(f"{notebook} has no section {section!r}")
    assert not wrong, "speaker notes point to: " + "; ".join(sorted(set(wrong)))
