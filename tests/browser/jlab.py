"""Plumbing for the browser tests: a throw-away JupyterLab server and helpers to drive it with Playwright.

The server serves a *copy* of ``notebooks/`` (the committed notebooks are never touched), runs kernels in
quick mode (``AE_QUICK=1``) and keeps its settings, workspaces and runtime files in a temporary folder.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("AE_BROWSER_ARTIFACTS") or REPO / "test-artifacts" / "browser")
CHROMIUM = os.environ.get("AE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# JupyterLab user settings for a quiet, predictable page: every cell in the DOM (no virtual scrolling), no
# news / update pop-ups, no autosave (the server's copy is thrown away anyway).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}


def in_ci() -> bool:
    """CI sets CI=true: there a missing browser is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``sys.executable -m jupyter lab`` on 127.0.0.1, a free port, no token, serving ``root``."""

    def __init__(self, root: Path, home: Path, env: dict | None = None):
        self.root, self.home = Path(root), Path(home)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyterlab.log"
        settings = self.home / "user-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.env = {**os.environ, **(env or {})}
        self.env["AE_QUICK"] = "1"
        self.env.setdefault("JUPYTER_CONFIG_DIR", str(self.home / "config"))  # keep ~/.jupyter out of it
        self.env["JUPYTER_DATA_DIR"] = str(self.home / "data")
        self.env["JUPYTER_RUNTIME_DIR"] = str(self.home / "runtime")
        self.env["JUPYTER_PLATFORM_DIRS"] = "1"
        self.env["PYTHONUNBUFFERED"] = "1"
        self.cmd = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            "--IdentityProvider.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
            "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
            self.cmd.append("--allow-root")
        self.process: subprocess.Popen | None = None
        self._opener = None

    # ----- life cycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 90) -> LabServer:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(self.cmd, cwd=self.root, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminate (the server shuts its kernels down), then kill the whole process group."""
        p = self.process
        if p is None:
            return
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        try:  # kernels the server could not stop: same session (process group) as the server
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()
        self.process = None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    # ----- REST API -------------------------------------------------------------------------------
    def _api(self, method: str, path: str):
        if self._opener is None:  # an _xsrf cookie, required for non-GET requests without a token
            jar = http.cookiejar.CookieJar()
            self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            self._opener.open(f"{self.url}/lab", timeout=10).read()
            self._xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
        req = urllib.request.Request(f"{self.url}{path}", method=method, headers={"X-XSRFToken": self._xsrf})
        with self._opener.open(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def kernels(self) -> list[dict]:
        return self._api("GET", "/api/kernels")

    def shutdown_kernels(self) -> None:
        """Between tests: stop every kernel (a finished notebook's kernel holds models in memory)."""
        for k in self.kernels():
            try:
                self._api("DELETE", f"/api/kernels/{k['id']}")
            except urllib.error.HTTPError:
                pass


def copy_notebooks(dest: Path) -> Path:
    shutil.copytree(REPO / "notebooks", dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


# ----- driving JupyterLab with Playwright -------------------------------------------------------------------
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def open_notebook(page, server: LabServer, name: str, timeout: float = 90_000):
    """Open ``name`` in a fresh workspace; wait until all its code cells are on the page and its kernel
    is connected and idle. Returns the notebook panel."""
    n_code = sum(c["cell_type"] == "code" for c in json.loads((server.root / name).read_text())["cells"])
    page.goto(f"{server.url}/lab/tree/{name}?reset", wait_until="domcontentloaded", timeout=timeout)
    page.wait_for_function(f"""() => document.querySelectorAll('{ACTIVE} .jp-CodeCell').length === {n_code}""",
                           timeout=timeout)
    wait_kernel_idle(page, timeout)
    return page.locator(ACTIVE)


def kernel_status(page) -> str | None:
    """The notebook toolbar's execution indicator: 'idle', 'busy', 'connecting', ... (None: no kernel yet)."""
    name = page.locator(f"{ACTIVE} .jp-Toolbar-kernelName").first
    if not name.count() or "No Kernel" in name.inner_text():
        return None
    return page.locator(f"{ACTIVE} .jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")


def wait_kernel_idle(page, timeout: float = 90_000) -> None:
    page.wait_for_function(f"""() => {{
        const name = document.querySelector('{ACTIVE} .jp-Toolbar-kernelName');
        const ind = document.querySelector('{ACTIVE} .jp-Notebook-ExecutionIndicator');
        return name && !name.textContent.includes('No Kernel') && ind && ind.dataset.status === 'idle';
    }}""", timeout=timeout)


STARTED_JS = f"""() => Array.from(document.querySelectorAll('{ACTIVE} .jp-CodeCell .jp-InputPrompt'))
    .some(e => e.textContent.includes('*') || /\\[\\d+\\]/.test(e.textContent))"""


def run_all_cells(page, attempts: int = 3) -> None:
    """Run → Run All Cells, through the menu bar, as a student would (again if no cell got queued)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(1, attempts + 1):
        page.locator(f"{ACTIVE} .jp-Notebook").click(position={"x": 5, "y": 5})  # the notebook has the focus
        page.keyboard.press("Escape")  # command mode
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(STARTED_JS, timeout=15_000)
            return
        except PlaywrightTimeout:
            print(f"Run All Cells, attempt {attempt}: no cell was queued after 15 s (kernel: {kernel_status(page)})")
            page.keyboard.press("Escape")
            wait_kernel_idle(page)
    raise AssertionError(f"Run All Cells did not start after {attempts} attempts (kernel: {kernel_status(page)})")


PROMPTS_JS = """(sel) => Array.from(document.querySelectorAll(sel + ' .jp-CodeCell .jp-InputPrompt'))
                        .map(e => e.textContent.trim())"""


def wait_run_all_done(page, timeout: float = 150) -> list[str]:
    """Wait until no code cell is queued or running ([*]) and the kernel has stayed idle for a second.

    Returns the prompts, e.g. ``['[1]:', '[2]:', ...]``."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        prompts = page.evaluate(PROMPTS_JS, ACTIVE)
        busy = any("*" in p for p in prompts) or kernel_status(page) != "idle"
        if busy:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > 1.0:
            return prompts
        page.wait_for_timeout(250)
    raise AssertionError(f"Run All did not finish within {timeout:.0f} s; prompts: {page.evaluate(PROMPTS_JS, ACTIVE)}")


def assert_ran_cleanly(page, prompts: list[str]) -> None:
    errors = [t for t in page.locator(f"{ACTIVE} .jp-OutputArea-output").all_inner_texts()
              if "Traceback (most recent call last)" in t]
    assert not errors, "a cell raised an error in JupyterLab:\n" + errors[0][-3000:]
    not_run = [i for i, p in enumerate(prompts) if not any(ch.isdigit() for ch in p)]
    assert not not_run, f"code cells {not_run} did not run (prompts {prompts})"


TEXT_REPRS = ("LatentExplorer(", "LatentExplorer at", "FloatSlider(", "IntSlider(", "Quiz(", "VBox(", "HBox(",
              "RadioButtons(")


def text_reprs(page, names=TEXT_REPRS) -> list[str]:
    """Outputs that show a widget as text: what a student sees when the widget front end is missing."""
    outs = page.locator(f"{ACTIVE} .jp-OutputArea-output").all_inner_texts()
    return [o[:200] for o in outs if any(n in o for n in names)]


def assert_no_text_reprs(page, what: str, shot_name: str, names=TEXT_REPRS) -> None:
    """Fail (with a screenshot of the first such output) if a widget is shown as text instead of rendered."""
    found = text_reprs(page, names)
    if found:
        first = page.locator(f"{ACTIVE} .jp-OutputArea-output", has_text=re.compile("|".join(map(re.escape, names))))
        first.first.scroll_into_view_if_needed()
        shot(page, f"FAILED-{shot_name}-as-text")
    assert not found, f"{what} is shown as text, not as live widgets (is the widget front end missing?): {found}"


def shot(target, name: str) -> Path:
    """Screenshot a page or an element into test-artifacts/browser/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if hasattr(target, "goto"):
        target.screenshot(path=str(path), full_page=False)
    else:
        target.screenshot(path=str(path))
    return path


def run_notebook(page, server: LabServer, name: str, timeout: float = 240) -> None:
    """Open ``name``, Run All Cells, wait for the kernel to finish; fail on any traceback or skipped cell."""
    open_notebook(page, server, name)
    run_all_cells(page)
    assert_ran_cleanly(page, wait_run_all_done(page, timeout))


def widget_output(page, has_css: str, has_text: str | re.Pattern | None = None):
    """The cell output that holds a widget matching ``has_css`` (optionally with ``has_text``)."""
    inner = page.locator(has_css, has_text=has_text) if has_text is not None else page.locator(has_css)
    return page.locator(f"{ACTIVE} .jp-OutputArea-output").filter(has=inner)


def slider(scope, label: str):
    """An ipywidgets slider (``.widget-slider``) by its description label."""
    return scope.locator(".widget-slider").filter(
        has=scope.page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))


IMG_BYTES_JS = """async (img) => {
    if (!img.complete || !img.naturalWidth) return null;
    const r = await fetch(img.src);
    return Array.from(new Uint8Array(await r.arrayBuffer()));
}"""


def image_state(img) -> dict:
    """src, natural size and the encoded bytes of an <img> (blob: and data: URLs are fetched in the page)."""
    info = img.evaluate("i => ({src: i.src, w: i.naturalWidth, h: i.naturalHeight, complete: i.complete})")
    data = img.evaluate(IMG_BYTES_JS)
    info["bytes"] = bytes(data) if data is not None else b""
    return info


def pixels(png: bytes):
    """Decode image bytes to an RGB numpy array."""
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


# ----- typing into a cell (added for the exercises' browser test) ------------------------------------------
def code_cell(page, containing: str):
    """The one code cell of the open notebook whose code contains ``containing``, by its position (so the
    locator still points at it after its code is changed)."""
    cells = page.locator(f"{ACTIVE} .jp-CodeCell")
    found = [i for i, text in enumerate(cells.locator(".jp-InputArea").all_inner_texts()) if containing in text]
    assert len(found) == 1, f"expected one code cell containing {containing!r}, found {len(found)}"
    return cells.nth(found[0])


def cell_source(cell) -> str:
    """The text in a cell's editor, as the student sees it (CodeMirror's lines joined)."""
    return "\n".join(cell.locator(".cm-content .cm-line").all_inner_texts())


def type_into_cell(page, cell, text: str) -> None:
    """Replace the cell's code by typing ``text`` on the keyboard, as a student would."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    assert cell_source(cell) == text, f"the editor holds {cell_source(cell)!r}, not what was typed"


def cell_output(cell) -> str:
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())


#: True once no CSS transition is running on the page (e.g. a reveal.js slide transition). CSS animations are
#: left out: reveal.js bounces its "next slide" arrow for a long while.
NO_ANIMATIONS_JS = ("() => document.getAnimations()"
                    ".every(a => !(a instanceof CSSTransition) || a.playState !== 'running')")

#: True once the explorer's status line (written by the kernel) shows the z the sliders' readouts show: the
#: kernel has handled the sliders' last value (a readout may write minus as U+2212).
CAUGHT_UP_JS = """([status, r1, r2]) => {
  const num = t => t.replace('\\u2212', '-').trim();
  const m = status.textContent.match(/z = \\((-?[0-9.]+), (-?[0-9.]+)\\)/);
  return !!m && m[1] === num(r1.textContent) && m[2] === num(r2.textContent);
}"""


def wait_explorer_caught_up(page, scope, timeout: float = 30_000) -> None:
    """Wait until the kernel has handled the explorer's latest slider values (``scope`` holds one explorer)."""
    parts = [scope.locator(".explorer-status").first, scope.locator(".explorer-z1 output").first,
             scope.locator(".explorer-z2 output").first]
    page.wait_for_function(CAUGHT_UP_JS, arg=[p.element_handle() for p in parts], timeout=timeout)
