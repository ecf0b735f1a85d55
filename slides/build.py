"""Build the instructor deck: execute the notebook, export reveal.js slides that work with no network.

    python slides/build.py                 # full mode (what instructors present), into slides/build/
    AE_QUICK=1 python slides/build.py      # quick mode (tests, CI): small data, quick models
    python slides/build.py --out DIR       # somewhere else
    python slides/build.py --explorer-only # just the standalone explorer page (``make explorer``)

``make slides`` runs the first line. The result, ``slides/build/index.html``, opens from ``file://``:
reveal.js (with its speaker-notes plugin) and MathJax 2 are copied next to it from ``slides/node_modules``,
which ``npm ci`` installs from ``slides/package-lock.json`` (needs Node.js/npm, once).

Steps: ``npm ci`` when needed -> drop the cells tagged ``live-only`` (the JupyterLab-only explorer demo)
-> execute the notebook in a fresh kernel -> export with ``templates/deck.html.j2`` with all code hidden
-> copy the libraries -> refuse the result if it still names any http(s) resource.
The in-browser latent explorer (``explorer/``: the 2D autoencoder's and the 2D VAE's networks, maps and the
codes of a few thousand test items, written by ``ae_helpers.explorer.web``, plus ``slides/explorer/explorer.js``)
is built next to the deck: its live slide (a ``<div class="ae-explorer">`` in the notebook) and ``explorer.html``
use it. ``explorer.html`` also lets the reader hang an item of their own (``slides/explorer/hang-ui.js``, with
the course's preprocessing ``ae_helpers/explorer/hang.js`` inlined into the page) and switch to the VAE, whose
wardrobe (``explorer/explorer-vae-data.js``) the page loads only when the reader first switches to it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

SLIDES_DIR = Path(__file__).resolve().parent
NOTEBOOK = SLIDES_DIR / "understanding_autoencoders.ipynb"
TEMPLATE = SLIDES_DIR / "templates" / "deck.html.j2"
NODE_MODULES = SLIDES_DIR / "node_modules"
#: Where ``make slides`` writes the deck, and the file to open.
BUILD_DIR = SLIDES_DIR / "build"
DECK_NAME = "index.html"
#: Tag of the cells shown only when presenting live in JupyterLab (widgets); the static deck drops them.
LIVE_ONLY_TAG = "live-only"
#: The in-browser explorer: sources (slides/explorer/), the standalone page, and the items it carries.
EXPLORER_SRC = SLIDES_DIR / "explorer"
EXPLORER_PAGE = "explorer.html"
EXPLORER_ITEMS = 3000
#: The wardrobes the explorer switches between (``pretrained(2, **kwargs)``): the plain autoencoder first.
EXPLORER_MODELS = ({}, {"arch": "vae"})
#: Where the page's inlined preprocessing goes in explorer.html.
HANG_SLOT = "__HANG_JS__"
#: Paths the HTML uses for the libraries, relative to the HTML file.
REVEAL_PREFIX = "reveal.js"
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"

#: What the deck needs from each npm package (relative to node_modules/<package>/), copied into the build.
ASSETS = {
    "reveal.js": ["LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/reset.css", "dist/theme/white.css",
                  "dist/theme/fonts/source-sans-pro", "plugin/notes/notes.js"],
    # MathJax 2 with the config nbconvert names (TeX input, CommonHTML output) and what it loads on demand.
    "mathjax": ["LICENSE", "MathJax.js", "config/local", "extensions", "jax/element",
                "jax/input/TeX", "jax/output/CommonHTML", "fonts/HTML-CSS/TeX/woff", "localization/en"],
}

#: MathJax loads one config/<name>.js per name after "?config=" (here TeX-AMS_CHTML-full.js and Safe.js).
ASSETS["mathjax"] += [f"config/{name}.js" for name in MATHJAX_URL.split("config=", 1)[1].split(",")]

NPM_MISSING = """Building the slides needs Node.js and npm (they fetch reveal.js and MathJax from the npm registry,
once, into slides/node_modules). `npm` was not found on PATH. Install Node.js 18 or newer, which includes npm:
  Debian/Ubuntu:  sudo apt-get install -y nodejs npm
  macOS:          brew install node
  Windows/other:  the installer from nodejs.org, or conda install -c conda-forge nodejs
then run `make slides` again."""


class BuildError(RuntimeError):
    """The deck could not be built; the message says why and what to do."""


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(f"[slides] {msg}", flush=True)


def ensure_node_modules(quiet: bool = False) -> Path:
    """Run ``npm ci`` in slides/ unless node_modules already matches package-lock.json."""
    lock = SLIDES_DIR / "package-lock.json"
    stamp = NODE_MODULES / ".package-lock.json"  # npm writes this copy of the lock on every install
    wanted = [NODE_MODULES / pkg / "package.json" for pkg in ASSETS]
    if stamp.is_file() and all(p.is_file() for p in wanted) and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(NPM_MISSING)
    _log("npm ci (reveal.js and MathJax from slides/package-lock.json)", quiet)
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=SLIDES_DIR,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"`npm ci` failed in {SLIDES_DIR} (exit {result.returncode}):\n"
                         f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return NODE_MODULES


def copy_assets(out_dir: Path) -> None:
    """Copy the libraries the deck loads next to the HTML, so the folder is self-contained."""
    for package, parts in ASSETS.items():
        src_root = NODE_MODULES / package
        dest_root = out_dir / package
        if dest_root.exists():
            shutil.rmtree(dest_root)
        for part in parts:
            src, dest = src_root / part, dest_root / part
            if not src.exists():
                raise BuildError(f"{src} is missing: delete slides/node_modules and build again")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dest)
            else:
                shutil.copy2(src, dest)


@contextmanager
def _environment(quick: bool):
    """The executing kernel inherits this process's environment: set AE_QUICK for it."""
    before = os.environ.get("AE_QUICK")
    os.environ["AE_QUICK"] = "1" if quick else "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("AE_QUICK", None)
        else:
            os.environ["AE_QUICK"] = before


def execute_notebook(quick: bool, timeout: int = 600):
    """The deck notebook without its live-only cells, executed in a fresh ``python3`` kernel."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [c for c in nb.cells if LIVE_ONLY_TAG not in c.metadata.get("tags", [])]
    with _environment(quick):
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(SLIDES_DIR)}})
        try:
            client.execute()
        except CellExecutionError as exc:
            mode = "quick" if quick else "full"
            raise BuildError(f"a cell of {NOTEBOOK.name} failed ({mode} mode):\n{exc}") from None
    for cell in nb.cells:  # a stray warning or progress bar has no place on a slide: log it instead
        if cell.cell_type != "code":
            continue
        for out in [o for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]:
            print(f"[slides] stderr of a deck cell (not shown on the slides):\n{out.get('text', '')[:1000]}",
                  file=sys.stderr)
        cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def _markdown_heading(text: str) -> str:
    """The first markdown heading in ``text``, as plain words ("" if none)."""
    found = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M)
    return re.sub(r"[*_`$]|\\", "", found.group(1)).strip() if found else ""


def describe_figures(nb) -> None:
    """Give every figure alt text that says what it shows: its slide's heading, then the words the figure
    itself shows (titles, labels, legends: the deck's setup cell puts them in the output's metadata, "alt").
    ``templates/deck.html.j2`` writes it into the ``<img>``; a screen reader reads it instead of the picture."""
    heading = ""
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        if kind in ("notes", "skip"):
            continue
        if kind in ("slide", "subslide"):
            heading = ""
        texts = [cell.source] if cell.cell_type == "markdown" else [
            o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        heading = heading or next(filter(None, map(_markdown_heading, texts)), "")
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                meta = out.setdefault("metadata", {}).setdefault("image/png", {})
                words = meta.get("alt", "").strip()
                meta["alt"] = f"{heading}: {words}" if words else heading


def export_html(nb) -> str:
    """reveal.js HTML, code hidden, every library from a local path."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    c = Config()
    c.SlidesExporter.reveal_url_prefix = REVEAL_PREFIX
    c.SlidesExporter.reveal_theme = "white"
    c.SlidesExporter.reveal_transition = "slide"
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.reveal_width = "1280"
    c.SlidesExporter.reveal_height = "720"
    c.SlidesExporter.template_file = str(TEMPLATE)
    # nbconvert's other CDN defaults, pointed at local files too (the template does not load them anyway)
    c.HTMLExporter.mathjax_url = MATHJAX_URL
    c.HTMLExporter.require_js_url = ""
    c.HTMLExporter.jquery_url = ""
    c.HTMLExporter.mermaid_js_url = ""
    c.HTMLExporter.mermaid_layout_elk_js_url = ""
    c.HTMLExporter.widget_renderer_url = ""
    c.HTMLExporter.jupyter_widgets_base_url = ""
    c.TemplateExporter.exclude_input = True
    c.TemplateExporter.exclude_input_prompt = True
    c.TemplateExporter.exclude_output_prompt = True
    resources = {"metadata": {"name": "Understanding Autoencoders"}}
    body, _ = SlidesExporter(config=c).from_notebook_node(nb, resources=resources)
    return strip_css_comments(body)


def strip_css_comments(html: str) -> str:
    """Drop the comments of inlined style sheets (JupyterLab's CSS cites web pages in them), so the
    finished page contains no http(s) address at all, which makes "needs no network" easy to check."""
    def clean(match):
        return re.sub(r"/\*.*?\*/", "", match.group(0), flags=re.S)

    return re.sub(r"<style[^>]*>.*?</style>", clean, html, flags=re.S | re.I)


#: Places where HTML or CSS makes the browser fetch something.
_FETCHES = [
    re.compile(r"""\b(?:src|href|data|poster|action|srcset|xlink:href)\s*=\s*["']?([^"'\s>]+)""", re.I),
    re.compile(r"""url\(\s*["']?([^"')\s]+)""", re.I),
    re.compile(r"""@import\s+["']([^"']+)""", re.I),
    re.compile(r"""\bimport\s+[^;'"]*?from\s+["']([^"']+)""", re.I),
    re.compile(r"""\bimport\(\s*["']([^"']+)""", re.I),
]


def remote_references(text: str) -> list[str]:
    """Every http(s) or protocol-relative URL the page would fetch, plus any other http(s) URL in the text.

    An empty list means the page presents with no network (as far as its HTML/CSS shows).
    """
    found = []
    for pattern in _FETCHES:
        found += [m for m in pattern.findall(text) if re.match(r"(?:https?:)?//", m.strip(), re.I)]
    found += re.findall(r"https?://[^\s\"'<>)]+", text, re.I)
    return sorted(set(found))


def build_explorer(out_dir: Path | str | None = None, quick: bool | None = None, quiet: bool = False) -> Path:
    """The in-browser explorer into ``out_dir``: ``explorer/`` (data, script, style) and ``explorer.html``.
    Uses the same shared 2D model and test items as the deck (trained on first use). Returns the page."""
    from ae_helpers import data
    from ae_helpers.course_models import pretrained
    from ae_helpers.explorer import web
    from ae_helpers.explorer.web_model import two_d
    from ae_helpers.hang import js_source
    from ae_helpers.settings import is_quick

    quick = is_quick() if quick is None else quick
    out_dir = Path(out_dir or BUILD_DIR).resolve()
    folder = out_dir / "explorer"
    with _environment(quick):
        models = [pretrained(2, quick=quick, progress=False, **kwargs) for kwargs in EXPLORER_MODELS]
        test = data.load("test", 2000 if quick else None)   # as the deck notebook loads them
        web.export(folder, models, test, n_items=EXPLORER_ITEMS)
    for name in ("explorer.js", "hang-ui.js", "explorer.css"):
        shutil.copy2(EXPLORER_SRC / name, folder / name)
    hang = js_source()
    if "</script" in hang.lower():
        raise BuildError("ae_helpers/explorer/hang.js contains '</script', which would end its inline <script>")
    mode = "quick mode, for tests only" if quick else "test MSE " + ", ".join(
        f"{m.history['test_mse']:.4f}" for m in models)
    html = (EXPLORER_SRC / EXPLORER_PAGE).read_text(encoding="utf-8").replace(
        "__MODEL__", f"the course's {' and '.join(web.WARDROBES[m.vae][1] for m in map(two_d, models))}, "
        f"2D ({mode})").replace(HANG_SLOT, hang)
    code = "".join((folder / name).read_text(encoding="utf-8") for name in ("explorer.js", "hang-ui.js",
                                                                             "explorer.css"))
    remote = remote_references(html + code)
    if remote:
        raise BuildError(f"the explorer page would need the network for: {remote}")
    page = out_dir / EXPLORER_PAGE
    page.write_text(html, encoding="utf-8")
    size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
    _log(f"wrote {page} (explorer/: {size:.1f} MB); it works offline, from file://", quiet)
    return page


def build(out_dir: Path | str | None = None, quick: bool | None = None, quiet: bool = False) -> Path:
    """Build the deck into ``out_dir`` (default slides/build/) and return the path of its HTML file.

    ``quick`` defaults to quick mode when ``AE_QUICK`` is set (like the rest of the course).
    """
    from ae_helpers.settings import is_quick

    quick = is_quick() if quick is None else quick
    out_dir = Path(out_dir or BUILD_DIR).resolve()
    start = time.perf_counter()
    ensure_node_modules(quiet)
    _log(f"executing {NOTEBOOK.name} ({'quick' if quick else 'full'} mode)", quiet)
    nb = execute_notebook(quick)
    describe_figures(nb)
    _log(f"exporting reveal.js slides ({time.perf_counter() - start:.0f} s so far)", quiet)
    html = export_html(nb)
    remote = remote_references(html)
    if remote:
        raise BuildError(f"the deck would need the network for: {remote}")
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(out_dir)
    build_explorer(out_dir, quick, quiet)
    deck = out_dir / DECK_NAME
    deck.write_text(html, encoding="utf-8")
    _log(f"wrote {deck} in {time.perf_counter() - start:.0f} s; open it in a browser (s: speaker view, "
         f"?print-pdf: print to PDF)", quiet)
    return deck


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=BUILD_DIR, help=f"output folder (default {BUILD_DIR})")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", default=None, help="quick mode (default: AE_QUICK)")
    mode.add_argument("--full", dest="quick", action="store_false", help="full mode")
    parser.add_argument("--explorer-only", action="store_true",
                        help=f"only the standalone explorer page ({EXPLORER_PAGE}), no deck (needs no npm)")
    args = parser.parse_args(argv)
    try:
        (build_explorer if args.explorer_only else build)(args.out, args.quick)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
