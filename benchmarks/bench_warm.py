"""Benchmark: a fresh clone's first `make lab`, from the end of the install to JupyterLab serving.

Times what `make lab` runs after installing, from nothing (temporary data and model folders; the course's
own data/ and checkpoints/ are left alone), the way the Makefile runs it:

1. ``python -m ae_helpers data``: unpack Fashion-MNIST (from the Debian package here);
2. ``make warm-first``: ``python -m ae_helpers train --latent-dim 2 8`` (the models notebook 01 uses, both at once);
3. ``jupyter lab`` until it serves (its "is running at" line), while ``train --latent-dim 4 16 32`` runs in the
   background at low priority (nice 10), as ``make lab`` starts it; then how long until that one is done too.

For comparison it also times ``make warm`` (all five models before JupyterLab) with train's --jobs values.

    .venv/bin/python benchmarks/bench_warm.py               # about 5 minutes on 2 quiet cores
    .venv/bin/python benchmarks/bench_warm.py --jobs 0 2 1  # make warm with 3 (default), 2 and 1 at a time

Target: the three steps <= 3 minutes on 2 cores, with the same models (the test MSEs are printed).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
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


def makefile_models(name: str) -> list[str]:
    """The latent sizes the Makefile lists as ``name`` (FIRST_MODELS, LATER_MODELS): timed as make lab runs them."""
    found = re.search(rf"^{name}\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), re.M)
    if not found:
        raise SystemExit(f"the Makefile has no {name} line")
    return found.group(1).split()


FIRST, LATER = makefile_models("FIRST_MODELS"), makefile_models("LATER_MODELS")
SIZES = sorted(FIRST + LATER, key=int)


def lab_path(env: dict, tmp: str) -> tuple[float, float, float, dict]:
    """make lab's path: (first models s, JupyterLab serving s, all models (the VAE last) ready s after the start,
    test MSEs)."""
    env = {**env, "AE_CACHE_DIR": str(Path(tmp, "checkpoints-lab"))}
    train = [sys.executable, "-m", "ae_helpers", "train", "--latent-dim"]
    start = time.perf_counter()
    first_s, out = timed([*train, *FIRST], env)
    vae = [sys.executable, "-m", "ae_helpers", "train", "--arch", "vae"]        # then the VAE, as make lab does
    later = subprocess.Popen(["nice", "-n", "10", "sh", "-c", f"{shlex.join([*train, *LATER])} && {shlex.join(vae)}"],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lab_s = lab_start(env)
    later_out = later.communicate()[0]
    all_s = time.perf_counter() - start
    mses = dict(re.findall(r"(\d+)D autoencoder .*?test MSE per pixel: ([0-9.]+)", out + later_out))
    return first_s, lab_s, all_s, mses


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
        first_s, lab_busy_s, all_s, lab_mses = lab_path(env, tmp)
        for jobs in args.jobs:
            env["AE_CACHE_DIR"] = str(Path(tmp, f"checkpoints-{jobs}"))
            warm_s, out = timed([sys.executable, "-m", "ae_helpers", "train", "--latent-dim", *SIZES,
                                 *(["--jobs", str(jobs)] if jobs else [])], env)
            mses = dict(re.findall(r"(\d+)D autoencoder .*?test MSE per pixel: ([0-9.]+)", out))
            rows.append((jobs, warm_s, mses))
    print(f"\ndata unpacked in {data_s:.0f} s; JupyterLab serving {lab_s:.0f} s after it starts")
    total = data_s + first_s + lab_busy_s
    print(f"make lab: data + the {' and '.join(d + 'D' for d in FIRST)} models ({first_s / 60:.2f} min) + JupyterLab "
          f"serving ({lab_busy_s:.0f} s, the other {len(LATER)} training beside it) = {total / 60:.2f} min"
          + ("   [met] <= 3 min" if total <= 180 else "   [MISSED] <= 3 min"))
    sizes = " ".join(d + "D" for d in SIZES)
    print(f"          all {len(SIZES)} models and the VAE ready {(data_s + all_s) / 60:.2f} min after the install; "
          "test MSE per "
          f"pixel ({sizes}): " + " ".join(lab_mses.get(d, "?") for d in SIZES))
    print(f"make warm (all {len(SIZES)} before JupyterLab), for comparison:")
    print(f"{'train --jobs':>12} {'warm':>9} {'data + warm + lab':>18}   test MSE per pixel ({sizes})")
    for jobs, warm_s, mses in rows:
        total = data_s + warm_s + lab_s
        print(f"{jobs or 'default':>12} {warm_s / 60:7.2f} min {total / 60:14.2f} min   "
              + " ".join(mses.get(d, "?") for d in SIZES)
              + ("   [met] <= 3 min" if total <= 180 else "   [MISSED] <= 3 min"), flush=True)


if __name__ == "__main__":
    main()
