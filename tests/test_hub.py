"""A class on a real JupyterHub: three students run notebook 05 at once from a read-only shared cache.

Starts JupyterHub (from the test extras) with configurable-http-proxy (npm) on 127.0.0.1, loading
classroom/jupyterhub_config.py with only the authenticator (DummyAuthenticator), the spawner
(SimpleLocalProcessSpawner) and the paths replaced. The shared models and data are read-only bind
mounts (needs root). Each student's server is started through the hub's REST API; the notebook's
cells run in a kernel of that student's own server (Jupyter Server REST API + kernel websocket).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from ae_helpers import data

pytestmark = pytest.mark.hub
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_latent_space.ipynb"
USERS = ("ada", "grace", "alan")
TOKEN = uuid.uuid4().hex
PROBE = ('fields = dict(line.split(":", 1) for line in open("/proc/self/status")); '
         'print("AE_PEAK", int(fields["VmHWM"].split()[0]) // 1024)')


def _missing_prerequisite():
    if os.geteuid() != 0:
        return "needs root for the read-only bind mounts of the shared cache (mount --bind ... ro)"
    if shutil.which("jupyterhub", path=str(Path(sys.executable).parent)) is None:
        return "JupyterHub is not installed in this environment (pip install -e '.[test]')"
    if shutil.which("configurable-http-proxy") is None:
        return "configurable-http-proxy is not on PATH (npm install -g configurable-http-proxy)"
    return None


@pytest.fixture(scope="module")
def prerequisites():
    reason = _missing_prerequisite()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the hub test must run in CI: {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snapshot(folder: Path) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def shared(prerequisites, tmp_path_factory):
    """The instructor's shared folder, filled with the CLI, then bind-mounted read-only."""
    base = tmp_path_factory.mktemp("class")
    src = base / "instructor"
    env = {**os.environ, "AE_QUICK": "1"}
    for models in (["--latent-dim", "2", "8"], ["--arch", "vae"]):     # what notebook 05 loads
        subprocess.run([sys.executable, "-m", "ae_helpers", "train", *models, "--quick",
                        "--cache", str(src / "checkpoints")], check=True, env=env, capture_output=True, timeout=600)
    mounts = []
    try:
        for name, source in (("checkpoints", src / "checkpoints"), ("data", data.locate()[0])):
            target = base / "srv" / name
            target.mkdir(parents=True)
            subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
            mounts.append(target)
            subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], check=True)
        yield base
    finally:
        for target in reversed(mounts):
            subprocess.run(["umount", str(target)], check=False)


@pytest.fixture(scope="module")
def hub(shared):
    """A running JupyterHub; yields (base_url, request) where request(method, path, body) calls its API."""
    import requests

    port = _free_port()
    config = shared / "hub_config.py"
    config.write_text(f"""
load_subconfig({str(ROOT / "classroom" / "jupyterhub_config.py")!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {_free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{_free_port()}"
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(shared / "home" / "{username}")!r}
c.Spawner.args = ["--allow-root", "--ServerApp.ip=127.0.0.1"]
c.Spawner.environment.update({{"AE_QUICK": "1", "MPLBACKEND": "Agg"}})
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.db_url = "sqlite:///{shared}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{shared}/cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{shared}/proxy.pid"
c.JupyterHub.services = [{{"name": "grader", "api_token": "{TOKEN}"}}]
c.JupyterHub.load_roles = [{{"name": "admin", "services": ["grader"]}}]
""")
    env = {**os.environ, "AE_CLASS_DIR": str(shared / "srv"), "AE_CLASS_THREADS": "1"}
    log = open(shared / "hub.log", "w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)], cwd=shared,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def request(method, path, **kwargs):
        return requests.request(method, base + path, headers={"Authorization": f"token {TOKEN}"}, timeout=60,
                                **kwargs)

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if request("GET", "/hub/api/").ok:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, \
                "JupyterHub did not start:\n" + (shared / "hub.log").read_text()[-3000:]
            time.sleep(0.5)
        yield request
    finally:
        for user in USERS:
            try:
                request("DELETE", f"/hub/api/users/{user}/server")
            except requests.RequestException:
                pass
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _start_servers(request):
    assert request("POST", "/hub/api/users", json={"usernames": list(USERS)}).status_code == 201
    for user in USERS:
        assert request("POST", f"/hub/api/users/{user}/server").status_code in (201, 202)
    deadline = time.monotonic() + 240
    waiting = set(USERS)
    while waiting and time.monotonic() < deadline:
        for user in list(waiting):
            server = request("GET", f"/hub/api/users/{user}").json()["servers"].get("", {})
            if server.get("ready"):
                waiting.discard(user)
        time.sleep(1)
    assert not waiting, f"servers not ready in time: {sorted(waiting)}"


def _run_notebook(request, base, user, cells, results):
    """Run ``cells`` in a new kernel of ``user``'s server; store outputs, errors and the peak RSS."""
    try:
        _run_cells(request, base, user, cells, results)
    except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
        results[user] = {"output": "", "errors": [f"{type(exc).__name__}: {exc}"], "peak_mb": None}


def _run_cells(request, base, user, cells, results):
    import websocket

    kernel = request("POST", f"/user/{user}/api/kernels", json={"name": "python3"}).json()
    ws = websocket.create_connection(f"ws{base[4:]}/user/{user}/api/kernels/{kernel['id']}/channels",
                                     header=[f"Authorization: token {TOKEN}"], timeout=600)
    session, outputs, errors = uuid.uuid4().hex, [], []
    try:
        for i, code in enumerate([*cells, PROBE]):
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                                           "username": user, "version": "5.3"},
                                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                                "content": {"code": code, "silent": False, "store_history": True,
                                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            replied = idle = False
            while not (replied and idle):  # the reply (shell) and the last output (iopub) come in any order
                opcode, frame = ws.recv_data()
                if opcode != websocket.ABNF.OPCODE_TEXT:
                    continue  # a message with binary buffers: widget state, not ours to read
                msg = json.loads(frame)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    outputs.append(content["text"])
                elif kind == "error":
                    errors.append(f"cell {i}: {content['ename']}: {content['evalue']}")
                elif kind == "execute_reply":
                    replied = True
                    if content["status"] != "ok" and not errors:
                        errors.append(f"cell {i}: {content.get('ename')}: {content.get('evalue')}")
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
            if errors:
                break
    finally:
        ws.close()
        request("DELETE", f"/user/{user}/api/kernels/{kernel['id']}")
    text = "".join(outputs)
    peak = [int(line.split("AE_PEAK")[1].split()[0]) for line in text.splitlines() if "AE_PEAK" in line]
    results[user] = {"output": text, "errors": errors, "peak_mb": peak[0] if peak else None}


def test_three_students_run_notebook_05_at_once_from_a_read_only_cache(hub, shared, capsys):
    request = hub
    base = request("GET", "/hub/api/").url.split("/hub/api/")[0]
    models, data_root = shared / "srv" / "checkpoints", shared / "srv" / "data"
    before = {"models": _snapshot(models), "data": _snapshot(data_root)}
    nb = json.loads(NOTEBOOK.read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]

    start = time.monotonic()
    _start_servers(request)
    results = {}
    threads = [threading.Thread(target=_run_notebook, args=(request, base, u, cells, results)) for u in USERS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(900)
    seconds = time.monotonic() - start

    assert sorted(results) == sorted(USERS), "a student's run did not finish"
    for user, result in results.items():
        assert not result["errors"], f"{user}: {result['errors']}\n{result['output'][-2000:]}"
        assert "quick mode: True" in result["output"]
        for sign in ("training the ", "your own copy", "your own copy of the data"):
            assert sign not in result["output"], f"{user} retrained:\n{result['output'][-2000:]}"
        own = shared / "home" / user / ".cache" / "ae_helpers"
        assert not list(own.rglob("*.safetensors")), f"{user} has own checkpoints: {list(own.rglob('*'))}"
        assert not (own / "data").exists(), f"{user} unpacked their own copy of the data"
    assert {"models": _snapshot(models), "data": _snapshot(data_root)} == before, "the shared cache changed"
    with pytest.raises(OSError, match="Read-only"):
        (models / "students-were-here").write_text("x")
    with capsys.disabled():
        print("\nhub test: notebook 05 (quick mode) in 3 students' servers at once, "
              f"{seconds:.0f} s including server start; peak kernel RSS "
              + ", ".join(f"{u} {r['peak_mb']} MB" for u, r in results.items()))
    assert all(r["peak_mb"] for r in results.values())
