"""Benchmark: each notebook's peak kernel memory (RSS) in full mode, and where it goes.

Runs each notebook top to bottom in a fresh kernel (nbclient, the course's environment) with a hook
that records the kernel's resident memory (``VmRSS``) and its peak so far (``VmHWM``, from
``/proc/self/status``) after every cell, then lists the big arrays the notebook still holds.
Prints a table (one row per notebook) and, for each notebook, the cells that added the most memory.

    .venv/bin/python benchmarks/bench_memory.py                       # every notebook, full mode
    .venv/bin/python benchmarks/bench_memory.py notebooks/05_latent_space.ipynb --top 8
    AE_QUICK=1 .venv/bin/python benchmarks/bench_memory.py            # quick mode (what the tests run)

"Private" is the kernel's anonymous memory (its arrays and heap); the rest of its RSS is mostly the
torch/NumPy libraries' code, which the kernels on one machine share in the page cache. So a hub for a
class of N needs about N x private + one copy of the shared part, at the notebooks' peaks.
Full mode needs the trained models in the cache (``make warm``) or trains them first (slow; the
training's memory then counts too). Target: notebook 05 <= 1.0 GB peak.
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
def _ae_mem():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return [int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")]
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


def measure(path: Path, timeout: int) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    result = json.loads(text.split("AE_MEM", 1)[1])
    result["seconds"] = time.perf_counter() - start
    return result


def profile(name: str, result: dict, top: int) -> list[str]:
    log = result["log"]
    steps = [(log[i][1] - log[i - 1][1], log[i][2] - log[i - 1][2], log[i][0]) for i in range(1, len(log))]
    lines = [f"\n{name}: kernel at start {log[0][1]:.0f} MB; cells that added the most (RSS held / peak raised):"]
    for held, peak, cell in sorted(steps, key=lambda s: -max(s[0], s[1]))[:top]:
        lines.append(f"  {held:+7.0f} MB held {peak:+7.0f} MB peak   {cell}")
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
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    import os

    mode = "quick" if os.environ.get("AE_QUICK", "") not in ("", "0") else "full"
    print(f"peak kernel memory per notebook ({mode} mode), MB")
    print(f"{'notebook':32s} {'peak RSS':>9s} {'RSS at end':>11s} {'of it private':>14s} {'run time':>9s}")
    details = []
    for path in paths:
        result = measure(path, args.timeout)
        log = result["log"]
        print(f"{path.name:32s} {max(r[2] for r in log):9.0f} {log[-1][1]:11.0f} {result['split']['RssAnon']:14.0f} "
              f"{result['seconds']:8.0f}s", flush=True)
        details += profile(path.name, result, args.top)
    print("\n".join(details))


if __name__ == "__main__":
    sys.exit(main())
