"""Fixtures for the real-browser tests: Chromium (Debian's, driven by Playwright) and one throw-away
JupyterLab server for the whole browser suite.

Without Chromium or Playwright the tests are skipped locally, with a hint how to install them, and FAIL in
CI (``CI=true``), where a skipped browser test would hide a broken widget front end.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from . import jlab


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser test (Chromium via Playwright; `pytest -m browser`)")


def _missing(reason: str):
    hint = (f"{reason}. Browser tests need Chromium at {jlab.CHROMIUM} (Debian: `apt-get install -y chromium`, "
            "or point AE_CHROMIUM at another Chromium) and Playwright for Python (`pip install -e '.[test]'`; "
            "never `playwright install`: the system browser is used).")
    if jlab.in_ci():
        pytest.fail(f"CI=true, so this is a failure, not a skip: {hint}", pytrace=False)
    pytest.skip(hint)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can screenshot a failed test."""
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


@pytest.fixture(scope="package")
def playwright_sync():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed")
    if not (os.path.isfile(jlab.CHROMIUM) and os.access(jlab.CHROMIUM, os.X_OK)):
        _missing(f"no Chromium at {jlab.CHROMIUM}")
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser(playwright_sync):
    b = playwright_sync.chromium.launch(executable_path=jlab.CHROMIUM, args=jlab.CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture(scope="package")
def lab(tmp_path_factory, browser):
    """JupyterLab serving a temporary copy of notebooks/ (kernels in quick mode); always shut down."""
    home = tmp_path_factory.mktemp("jupyterlab")
    server = jlab.LabServer(jlab.copy_notebooks(home / "notebooks"), home)
    try:
        yield server.start()
    finally:
        server.stop()
        log = jlab.ARTIFACTS / "jupyterlab.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(server.log_path, log)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]


def _close(request, tab) -> None:
    """Close the tab's context; first, if the test failed, save a screenshot and the browser console."""
    if getattr(tab, "closed_by_fixture", False):
        return
    tab.closed_by_fixture = True
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        name = f"FAILED-{_safe(request.node.name)}"
        try:
            jlab.shot(tab, name)
            (jlab.ARTIFACTS / f"{name}-console.txt").write_text("\n".join(tab.console_messages_seen))
        except Exception as error:  # noqa: BLE001 (a broken page must not hide the real failure)
            print(f"could not save the failure screenshot: {error}")
    tab.context.close()


@pytest.fixture
def page(request, browser):
    """A fresh browser tab (1400 x 900). On failure: a screenshot in test-artifacts/browser/."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(60_000)
    tab = context.new_page()
    console: list[str] = []
    tab.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    tab.console_messages_seen = console
    yield tab
    _close(request, tab)


@pytest.fixture
def lab_page(request, page, lab):
    """A browser tab for JupyterLab; afterwards every kernel is shut down (they hold models in memory)."""
    yield page
    _close(request, page)
    try:
        lab.shutdown_kernels()
    except OSError as error:
        print(f"could not shut the kernels down: {error}")


@pytest.fixture
def artifacts() -> Path:
    jlab.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return jlab.ARTIFACTS
