"""Benchmark: each notebook's peak kernel memory in full mode, as a hub's memory limit sees it, and where it goes.

Runs each notebook top to bottom (Run All) in a fresh kernel (nbclient, the course's environment), one
notebook at a time. The figure per notebook is the kernel process's peak resident memory, ``VmHWM`` in
``/proc/PID/status``, read from outside the kernel (PID = the kernel process nbclient started) after the
last cell. A hook inside the kernel also records its resident memory (``VmRSS``) and peak so far (``VmHWM``)
after every cell: the per-cell table says which cells raised the peak. At the end it lists the big arrays
the notebook still holds.

    .venv/bin/python benchmarks/bench_memory.py                       # every notebook, full mode (~15-25 min)
    .venv/bin/python benchmarks/bench_memory.py notebooks/05_latent_space.ipynb --top 8
    .venv/bin/python benchmarks/bench_memory.py --kernel NAME --allow-errors   # another kernel (e.g. CPU-only torch)
    AE_QUICK=1 .venv/bin/python benchmarks/bench_memory.py            # quick mode (what the tests run)

Targets: 00-07 <= 1.0 GB (1000 MB) and 08 <= 1.5 GB, so a class of 30 fits in 30 GB. "Private" is the
kernel's anonymous memory (its arrays and heap) at the end; the rest of its RSS is mostly the torch/NumPy
libraries' code. Full mode needs the trained models in the cache (``make warm``) or trains them first
(slow; the training's memory then counts too).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

PROBE = r'''
import time as _ae_time
def _ae_mem():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return [int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")] + [_ae_time.perf_counter()]
_ae_log = [("(kernel started, before the notebook)", *_ae_mem())]
get_ipython().events.register("post_run_cell", lambda result: _ae_log.append(
    (result.info.raw_cell.strip().splitlines()[0][:70] if result.info.raw_cell.strip() else "", *_ae_mem())))
'''

REPORT = r'''
import json as _json, sys as _sys
def _ae_nbytes(v):
    try:
        import torch
        if isinstance(v, torch.Tensor):
            return v.untyped_storage().nbytes(), v.untyped_storage().data_ptr()
    except Exception:
        pass
    if type(v).__module__ == "numpy" and hasattr(v, "nbytes"):
        base = v if v.base is None else v.base
        return getattr(base, "nbytes", v.nbytes), id(base)
    return 0, None
_held, _seen = [], set()
for _name, _value in list(globals().items()):
    _n, _key = _ae_nbytes(_value)
    if _n > 4 * 2**20:
        _held.append((_name, _n / 2**20, _key in _seen))
        _seen.add(_key)
_f = dict(line.split(":", 1) for line in open("/proc/self/status"))
_split = {k: int(_f[k].split()[0]) / 1024 for k in ("RssAnon", "RssFile", "RssShmem")}
print("AE_MEM" + _json.dumps({"log": _ae_log, "held": sorted(_held, key=lambda h: -h[1]), "split": _split}))
'''


def _status(pid: int) -> dict:
    with open(f"/proc/{pid}/status") as f:
        return {k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in f) if v.strip().endswith("kB")}


def measure(path: Path, timeout: int, kernel: str = "python3", allow_errors: bool = False) -> dict:
    """Run the notebook in a fresh kernel; its per-cell log and the kernel's VmHWM read after the last cell."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=allow_errors,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            assert b"ipykernel" in f.read(), "the process nbclient started is not the kernel itself"
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = _status(pid)["VmHWM"]
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    result = json.loads(text.split("AE_MEM", 1)[1])
    result["seconds"] = time.perf_counter() - start
    result["VmHWM"] = peak
    result["errors"] = sum(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    return result


TARGETS = {"08": 1500}  # MB; every other notebook 1000


def profile(name: str, result: dict, top: int) -> list[str]:
    log = result["log"]
    steps = [(log[i][1] - log[i - 1][1], log[i][2] - log[i - 1][2], log[i][0]) for i in range(1, len(log))]
    lines = [f"\n{name}: kernel at start {log[0][1]:.0f} MB; cells that added the most (RSS held / peak raised):"]
    for held, peak, cell in sorted(steps, key=lambda s: -max(s[0], s[1]))[:top]:
        lines.append(f"  {held:+7.0f} MB held {peak:+7.0f} MB peak   {cell}")
    slow = sorted(((log[i][3] - log[i - 1][3], log[i][0]) for i in range(1, len(log))), reverse=True)[:3]
    lines.append("  slowest cells: " + "; ".join(f"{t:.0f} s {cell[:40]}" for t, cell in slow))
    if result["held"]:
        lines.append("  big arrays still held at the end: " + ", ".join(
            f"{n} {mb:.0f} MB" + (" (shares memory with one above)" if shared else "")
            for n, mb, shared in result["held"]))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--top", type=int, default=5, help="cells to list per notebook")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument("--kernel", default="python3", help="the kernel to run them in (a kernelspec name)")
    parser.add_argument("--allow-errors", action="store_true", help="go on after a cell fails (counted per row)")
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    import os

    mode = "quick" if os.environ.get("AE_QUICK", "") not in ("", "0") else "full"
    print(f"peak kernel memory per notebook ({mode} mode, VmHWM of the kernel after Run All), MB")
    print(f"{'notebook':32s} {'VmHWM':>7s} {'target':>7s} {'':6s} {'RSS at end':>11s} {'of it private':>14s} "
          f"{'run time':>9s}")
    details = []
    for path in paths:
        result = measure(path, args.timeout, args.kernel, args.allow_errors)
        log = result["log"]
        target = TARGETS.get(path.name[:2], 1000)
        print(f"{path.name:32s} {result['VmHWM']:7.0f} {target:7d} {'ok' if result['VmHWM'] <= target else 'OVER':6s} "
              f"{log[-1][1]:11.0f} {result['split']['RssAnon']:14.0f} {result['seconds']:8.0f}s"
              + (f"  ({result['errors']} cells failed)" if result["errors"] else ""), flush=True)
        details += profile(path.name, result, args.top)
    print("\n".join(details))


if __name__ == "__main__":
    sys.exit(main())
