"""Sphinx settings of the course website (``make book``; book/build.py stages the sources and runs Sphinx).

The notebooks arrive already executed (book/build.py runs them in the course's environment), so myst-nb only
renders them. Everything a page loads is local: the theme's CSS, JS and fonts ship in its wheel, MathJax 2 is
copied from slides/node_modules into _static/mathjax, and no widget JavaScript is loaded (book/build.py
replaces widget outputs with the kernel-free explorer or a "run this notebook" box).
"""

project = "Understanding Autoencoders — Intuition to Applications"
author = "the course's authors"
copyright = "the course's authors (MIT licence)"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

nb_execution_mode = "off"          # book/build.py executed them, in the notebooks' folder
nb_ipywidgets_js = {}              # no require.js / widget manager from a CDN
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
myst_heading_anchors = 3
suppress_warnings = ["myst.xref_missing", "myst.header", "misc.highlighting_failure", "mystnb.unknown_mime_type"]

# MathJax 2.7.9 from slides/node_modules, copied by book/build.py (a relative path: under _static/).
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
                               "processEscapes": True}}

html_theme = "sphinx_book_theme"
html_title = "Understanding Autoencoders"
import os  # noqa: E402

html_static_path = [os.environ.get("AE_BOOK_STATIC", "_static")]   # book/build.py stages it
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_theme_options = {
    "use_download_button": True,     # the page's .ipynb (with outputs), local
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "announcement": ("<b>Run it yourself:</b> download the course, then <code>make lab</code> (set-up, data, "
                     "models, JupyterLab) or <code>make test</code> (every test). "
                     "See <a href=\"index.html#run-it-yourself\">Run it yourself</a>."),
}
html_context = {"default_mode": "light"}   # a set mode: the theme's script logs an error without one
