"""Benchmark: fair CPU when several processes train at once (a class on one server, two notebooks).

Trains the shared 2D model's recipe in 1, 2 and 4 processes at the same time and prints each
setting's wall time relative to one process alone. Run on a quiet machine:

    .venv/bin/python benchmarks/bench_concurrency.py            # quick and full recipes
    .venv/bin/python benchmarks/bench_concurrency.py --quick    # quick recipe only (~1 min)
    .venv/bin/python benchmarks/bench_concurrency.py --policy default   # OpenMP's own wait policy
    .venv/bin/python benchmarks/bench_concurrency.py --policy GOMP_SPINCOUNT=10000   # any environment
    # one process alone under several settings, interleaved and repeated (a noisy machine):
    .venv/bin/python benchmarks/bench_concurrency.py --alone course default --epochs 3 --repeats 4

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
if sys.argv[2] != "course":
    import torch  # loaded before ae_helpers, so OpenMP keeps the policy given (or its own)
import ae_helpers
import torch
from ae_helpers import data
from ae_helpers.models import Autoencoder
from ae_helpers.course_models import RECIPES
from ae_helpers.training import train
recipe = dict(RECIPES["mlp", sys.argv[1]])
recipe["epochs"] = int(sys.argv[3]) or recipe["epochs"]
x, _ = data.load("train", recipe["n_train"])
torch.manual_seed(0)
model = Autoencoder(2)
t = time.perf_counter()
train(model, x, epochs=recipe["epochs"], batch_size=recipe["batch_size"], lr=recipe["lr"], progress=False)
print(time.perf_counter() - t, torch.get_num_threads())
"""


def environment(policy: str) -> dict:
    """The workers' environment: "course" (what ``import ae_helpers`` sets), "default" (OpenMP's own
    policy, as before the fix) or assignments such as ``GOMP_SPINCOUNT=10000+AE_THREADS=1``."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "AE_QUICK")}
    if policy == "passive":
        policy = "OMP_WAIT_POLICY=PASSIVE"
    if policy not in ("course", "default"):
        env.update(item.split("=", 1) for item in policy.split("+"))
    return env


def run_group(n: int, mode: str, policy: str, epochs: int = 0) -> list[float]:
    """Start ``n`` workers at once; return each one's training time (s)."""
    env = environment(policy)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, mode, policy, str(epochs)], env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(n)]
    times = []
    for p in procs:
        out, _ = p.communicate()
        if p.returncode:
            raise SystemExit(f"a worker failed (exit {p.returncode})")
        times.append(float(out.split()[0]))
    return times


def compare_alone(policies: list[str], mode: str, epochs: int, repeats: int) -> None:
    """One process alone under each policy, interleaved so that background load hits all alike."""
    times = {p: [] for p in policies}
    for r in range(repeats):
        for p in policies if r % 2 == 0 else policies[::-1]:
            times[p].append(run_group(1, mode, p, epochs)[0])
            print(f"  round {r + 1}: {p} {times[p][-1]:.2f} s", flush=True)
    base = statistics.median(times[policies[0]])
    for p, ts in times.items():
        print(f"alone, {mode} recipe ({epochs or 'all'} epochs), {p:32s}: median {statistics.median(ts):6.2f} s "
              f"({', '.join(f'{t:.2f}' for t in ts)}) -> {statistics.median(ts) / base:4.2f}x {policies[0]}",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the quick recipe")
    parser.add_argument("--full", action="store_true", help="only the full recipe")
    parser.add_argument("--policy", default="course",
                        help='"course" (what ae_helpers sets), "default" (OpenMP\'s own), "passive", '
                             'or environment assignments joined by + (e.g. GOMP_SPINCOUNT=10000+AE_THREADS=1)')
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--epochs", type=int, default=0, help="train this many epochs instead of the recipe's")
    parser.add_argument("--alone", nargs="+", metavar="POLICY", help="compare one process alone under these")
    parser.add_argument("--repeats", type=int, default=3, help="repeats for --alone")
    args = parser.parse_args()
    env = environment(args.policy)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; policy {args.policy}: "
          f"OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY', '(ae_helpers)' if args.policy == 'course' else '(default)')}"
          f"; GOMP_SPINCOUNT={env.get('GOMP_SPINCOUNT', '(default)')}; AE_THREADS={env.get('AE_THREADS', '(auto)')}")
    modes = ["quick"] if args.quick else ["full"] if args.full else ["quick", "full"]
    for mode in modes:
        if args.alone:
            compare_alone(args.alone, mode, args.epochs, args.repeats)
            continue
        alone = None
        for n in args.counts:
            times = run_group(n, mode, args.policy, args.epochs)
            mean = statistics.mean(times)
            alone = alone or mean
            print(f"{mode:5s} recipe ({args.epochs or 'all'} epochs), {n} at once: "
                  f"{', '.join(f'{t:6.1f}' for t in times)} s -> {mean / alone:4.2f}x alone", flush=True)


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - t0:.0f} s")
