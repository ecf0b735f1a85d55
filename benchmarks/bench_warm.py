"""Benchmark: a fresh clone's first `make lab`, from the end of the install to JupyterLab serving.

Times the three steps `make lab` runs after installing, each from nothing (temporary data and model
folders; the course's own data/ and checkpoints/ are left alone):

1. ``python -m ae_helpers data``: unpack Fashion-MNIST (from the Debian package here);
2. ``make warm``: ``python -m ae_helpers train --latent-dim 2 4 8 16 32`` (three at a time by default);
3. ``jupyter lab`` until it serves (its "is running at" line).

    .venv/bin/python benchmarks/bench_warm.py               # about 3 minutes on 2 quiet cores
    .venv/bin/python benchmarks/bench_warm.py --jobs 0 2 1  # also 2 at a time, and 1 (the design before: +5 min)

Target: the three steps <= 3 minutes on 2 cores, with the same models (the test MSEs are printed).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return time.perf_counter() - start, out.stdout


def lab_start(env: dict, timeout: float = 120) -> float:
    """Seconds from starting JupyterLab (the course's settings) until it says it is serving."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**env, "JUPYTER_CONFIG_PATH": str(ROOT / "jupyter-config")}
    cmd = [str(BIN / "jupyter"), "lab", "notebooks/", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.token=", "--allow-root"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "is running at" in line or re.search(rf"http://127\.0\.0\.1:{port}/lab", line):
                return time.perf_counter() - start
            if time.perf_counter() - start > timeout:
                break
        raise SystemExit("JupyterLab did not start")
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, nargs="+", default=[0], help="train's --jobs values (0: its default)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("AE_QUICK", "AE_SEED", "AE_THREADS")}
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; full mode, seed 0", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env["AE_DATA_DIR"] = str(Path(tmp, "data"))
        data_s, _ = timed([sys.executable, "-m", "ae_helpers", "data"], env)
        lab_s = lab_start(env)
        for jobs in args.jobs:
            env["AE_CACHE_DIR"] = str(Path(tmp, f"checkpoints-{jobs}"))
            warm_s, out = timed([sys.executable, "-m", "ae_helpers", "train", "--latent-dim", "2", "4", "8", "16",
                                 "32", *(["--jobs", str(jobs)] if jobs else [])], env)
            mses = dict(re.findall(r"(\d+)D autoencoder .*?test MSE per pixel: ([0-9.]+)", out))
            rows.append((jobs, warm_s, mses))
    print(f"\ndata unpacked in {data_s:.0f} s; JupyterLab serving {lab_s:.0f} s after it starts")
    print(f"{'train --jobs':>12} {'warm':>9} {'data + warm + lab':>18}   test MSE per pixel (2D 4D 8D 16D 32D)")
    for jobs, warm_s, mses in rows:
        total = data_s + warm_s + lab_s
        print(f"{jobs or 'default':>12} {warm_s / 60:7.2f} min {total / 60:14.2f} min   "
              + " ".join(mses.get(d, "?") for d in ("2", "4", "8", "16", "32"))
              + ("   [met] <= 3 min" if total <= 180 else "   [MISSED] <= 3 min"), flush=True)


if __name__ == "__main__":
    main()
