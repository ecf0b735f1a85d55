"""The course's own JupyterLab (what `make lab` and `make present` start) for the browser tests, and helpers
to drive jupyterlab-slideshow's deck.

``CourseLabServer`` is ``jlab.LabServer`` with the course's settings folder ``jupyter-config/`` (the one the
Makefile passes in ``JUPYTER_CONFIG_PATH``) instead of the test-only switches that silence the news prompt,
so a test sees the notification settings students and instructors get.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from . import jlab

#: The course's JupyterLab settings, layered under the user's own by `make lab` / `make present`.
COURSE_CONFIG = jlab.REPO / "jupyter-config"
SLIDES_NOTEBOOK = "slides/understanding_autoencoders.ipynb"
NOTIFICATION_PLUGIN = "@jupyterlab/apputils-extension:notification"
#: LabServer's own news switches (command line and user settings): dropped, the course's settings must do it.
_TEST_ONLY_FLAGS = ("--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
_TEST_ONLY_SETTINGS = "@jupyterlab/apputils-extension/notification.jupyterlab-settings"


class CourseLabServer(jlab.LabServer):
    """A throw-away JupyterLab with the course's settings, as `make lab` / `make present` start it."""

    def __init__(self, root: Path, home: Path, env: dict | None = None):
        super().__init__(root, home, {"JUPYTER_CONFIG_PATH": str(COURSE_CONFIG), **(env or {})})
        self.cmd = [arg for arg in self.cmd if arg not in _TEST_ONLY_FLAGS]
        (self.home / "user-settings" / _TEST_ONLY_SETTINGS).unlink()

    def settings(self, plugin: str) -> dict:
        """The settings the server hands the page for ``plugin``: its schema (defaults after the overrides
        in the config folders) and the user's own values."""
        return self._api("GET", f"/lab/api/settings/{plugin}")

    def get(self, path: str):
        """GET one of the server's JSON APIs, e.g. ``/lab/api/news``."""
        return self._api("GET", path)


def copy_course(dest: Path) -> Path:
    """What `make present` serves, in a temporary folder: notebooks/ and the deck's notebook in slides/."""
    jlab.copy_notebooks(dest / "notebooks")
    (dest / "slides").mkdir(parents=True)
    shutil.copy2(jlab.REPO / SLIDES_NOTEBOOK, dest / SLIDES_NOTEBOOK)
    return dest


# ----- the page -------------------------------------------------------------------------------------------
NEWS_PROMPT = "official Jupyter news"
TOASTS_JS = "() => Array.from(document.querySelectorAll('.Toastify__toast')).map(t => t.textContent)"


def toasts(page) -> list[str]:
    """The texts of the notification pop-ups (toasts) on the page."""
    return page.evaluate(TOASTS_JS)


def run_command(page, label: str) -> None:
    """Run a command from the command palette (Ctrl+Shift+C), as a user would: type it, click the entry
    whose label is exactly ``label``. A press that arrives while JupyterLab is still settling is lost (seen on
    a loaded machine): press again, up to three times, as a user would."""
    search = page.locator(".lm-CommandPalette-input")
    for attempt in range(3):
        page.keyboard.press("Control+Shift+C")
        try:
            search.wait_for(state="visible", timeout=10_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    search.fill(label)
    exact = page.locator(".lm-CommandPalette-itemLabel", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    page.locator(".lm-CommandPalette-item", has=exact).first.click()


#: jupyterlab-slideshow marks the page while a deck is shown: <body data-jp-deck-mode="presenting">.
PRESENTING_JS = "() => document.body.dataset.jpDeckMode === 'presenting'"


def presenting(page) -> bool:
    return page.evaluate(PRESENTING_JS)


ACTIVE_CELL_JS = f"""() => {{
    const cells = Array.from(document.querySelectorAll('{jlab.ACTIVE} .jp-Cell'));
    const i = cells.findIndex(c => c.classList.contains('jp-mod-active'));
    return {{index: i, text: i < 0 ? '' : cells[i].textContent.trim().slice(0, 200)}};
}}"""


def active_cell(page) -> dict:
    """The notebook's active cell: ``{"index": i, "text": "..."}`` (the deck shows the active cell's slide)."""
    return page.evaluate(ACTIVE_CELL_JS)
