"""Real-browser tests (JupyterLab + Chromium via Playwright). A package, so that its conftest.py does not
shadow ``tests/conftest.py`` (which other tests import as ``conftest``)."""
