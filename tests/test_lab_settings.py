"""The course's JupyterLab settings (jupyter-config/) and the Makefile targets that start JupyterLab with them:
`make lab` (students: notebooks/) and `make present` (instructors: the repository, the deck's notebook open).
The browser test tests/browser/test_live_deck_browser.py checks what a server started with them serves."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "jupyter-config"
SLIDES_NOTEBOOK = "slides/understanding_autoencoders.ipynb"
NOTIFICATION_SCHEMA = Path(sys.prefix, "share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json")


def jupyter_command(target: str) -> list[str]:
    """The `jupyter lab` command line that `make <target>` runs (dry run: nothing is started or trained)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_CONFIG_PATH", "MAKEFLAGS", "MFLAGS")}
    out = subprocess.run(["make", "-s", "-n", "-C", str(ROOT), target], env=env, capture_output=True,
                         text=True, check=True).stdout
    lines = [line for line in out.splitlines() if " lab " in f"{line} " and "jupyter" in line]
    assert len(lines) == 1, f"`make {target}` runs one `jupyter lab` command, got: {lines}"
    return shlex.split(lines[0])


@pytest.mark.parametrize("target", ["lab", "present"])
def test_make_targets_use_the_course_settings(target):
    cmd = jupyter_command(target)
    assert cmd[0] == f"JUPYTER_CONFIG_PATH={CONFIG}", f"`make {target}` passes the course's settings: {cmd}"
    assert cmd[1].endswith("jupyter") and cmd[2] == "lab"


def test_make_lab_shows_students_the_notebooks_only():
    assert "notebooks/" in jupyter_command("lab")


def test_make_present_serves_the_repository_and_opens_the_deck():
    cmd = jupyter_command("present")
    assert f"--ServerApp.root_dir={ROOT}" in cmd, "slides/ and notebooks/ are both reachable"
    assert SLIDES_NOTEBOOK in cmd and (ROOT / SLIDES_NOTEBOOK).is_file(), "the deck's notebook opens"


def test_news_and_update_checks_are_off():
    server = json.loads((CONFIG / "jupyter_server_config.json").read_text())["LabApp"]
    assert server["news_url"] is None, "the server fetches no news"
    assert server["check_for_updates_class"] == "jupyterlab.NeverCheckForUpdate"
    overrides = json.loads((CONFIG / "labconfig" / "default_setting_overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    # JupyterLab asks "Would you like to get notified about official Jupyter news?" while fetchNews is "none"
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    schema = json.loads(NOTIFICATION_SCHEMA.read_text())["properties"]
    for name, value in notification.items():
        assert name in schema, f"JupyterLab has no notification setting {name!r} (renamed?)"
        assert value in schema[name].get("enum", [value]), f"{name}={value!r} is not one of the allowed values"
