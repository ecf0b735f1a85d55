"""Benchmark: fair CPU when several processes train at once (a class on one server, two notebooks).

Trains the shared 2D model's recipe in 1, 2 and 4 processes at the same time and prints each
setting's wall time relative to one process alone. Run on a quiet machine:

    .venv/bin/python benchmarks/bench_concurrency.py            # quick and full recipes
    .venv/bin/python benchmarks/bench_concurrency.py --quick    # quick recipe only (~1 min)
    .venv/bin/python benchmarks/bench_concurrency.py --policy default   # without OMP_WAIT_POLICY

Targets (2 cores): <= 1.6x with 2 concurrent, <= 3.5x with 4; one alone no slower than before.
Each worker trains in memory (nothing is written to the course's checkpoint cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

WORKER = """
import sys, time
if sys.argv[2] == "default":
    import torch  # loaded before ae_helpers, so OpenMP keeps its own wait policy (what happened before)
import ae_helpers
import torch
from ae_helpers import data
from ae_helpers.models import Autoencoder
from ae_helpers.training import RECIPES, train
recipe = RECIPES[sys.argv[1]]
x, _ = data.load("train", recipe["n_train"])
torch.manual_seed(0)
model = Autoencoder(2)
t = time.perf_counter()
train(model, x, epochs=recipe["epochs"], batch_size=recipe["batch_size"], lr=recipe["lr"], progress=False)
print(time.perf_counter() - t, torch.get_num_threads())
"""


def run_group(n: int, mode: str, policy: str, env: dict) -> list[float]:
    """Start ``n`` workers at once; return each one's training time (s)."""
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, mode, policy], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(n)]
    times = []
    for p in procs:
        out, _ = p.communicate()
        if p.returncode:
            raise SystemExit(f"a worker failed (exit {p.returncode})")
        times.append(float(out.split()[0]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the quick recipe")
    parser.add_argument("--policy", choices=["passive", "default"], default="passive",
                        help="OMP_WAIT_POLICY=PASSIVE (the course's setting) or OpenMP's default")
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "AE_QUICK")}
    if args.policy == "passive":
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    print(f"{os.cpu_count()} cores; OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY', '(default)')}; "
          f"GOMP_SPINCOUNT={env.get('GOMP_SPINCOUNT', '(default)')}; AE_THREADS={env.get('AE_THREADS', '(auto)')}")
    for mode in ["quick"] if args.quick else ["quick", "full"]:
        alone = None
        for n in args.counts:
            times = run_group(n, mode, args.policy, env)
            mean = statistics.mean(times)
            alone = alone or mean
            print(f"{mode:5s} recipe, {n} at once: {', '.join(f'{t:6.1f}' for t in times)} s  "
                  f"-> {mean / alone:4.2f}x alone", flush=True)


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - t0:.0f} s")
