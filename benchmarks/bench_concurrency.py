"""Benchmark: one training alone, and 2 and 4 at once, under the course's thread design and the alternatives.

Each worker is a fresh process that trains the shared 2D model's recipe (full data, ``--epochs`` epochs
through ``train()``, nothing written to the checkpoint cache) and reports its training time. Workers of a
group start together. Configurations are interleaved (each round runs every configuration, in alternating
order) so that background load hits all alike; the table shows medians per process: every configuration
alone in ``--rounds`` rounds, the groups in the first ``--group-rounds``.

    .venv/bin/python benchmarks/bench_concurrency.py              # the table (about 4 minutes on 2 quiet cores)
    .venv/bin/python benchmarks/bench_concurrency.py --configs course count-passive count-mkl-default   # others
    .venv/bin/python benchmarks/bench_concurrency.py --alone course spin3000 spin30000 --rounds 4   # alone only

Targets (ae_helpers/threads.py): the course's setting alone <= 1.15x the fastest configuration alone;
two at once <= 1.6x its time alone, four <= 3.5x.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time

WORKER = """
import sys, time
if sys.argv[2] == "1":
    import torch  # loaded before ae_helpers: OpenMP and MKL keep exactly the environment given
import ae_helpers
import torch
from ae_helpers import data
from ae_helpers.models import Autoencoder
from ae_helpers.course_models import RECIPES
from ae_helpers.training import train
recipe = RECIPES["mlp", "full"]
x, _ = data.load("train", recipe["n_train"])
torch.manual_seed(0)
model = Autoencoder(2)
t = time.perf_counter()
train(model, x, epochs=int(sys.argv[1]), batch_size=recipe["batch_size"], lr=recipe["lr"], progress=False)
print(time.perf_counter() - t)
"""

_FIXED = {"AE_THREADS": "{cpus}", "MKL_CBWR": "OFF"}  # a fixed thread count, MKL's usual (fastest) paths
#: name -> (label, environment, load torch before ae_helpers). "{cpus}" is the number of usable CPUs.
CONFIGS = {
    "course": ("the course: shared count, GOMP_SPINCOUNT=10000, MKL strict", {}, False),
    "passive": ("{cpus} threads, passive (the design before)", {"OMP_WAIT_POLICY": "PASSIVE", **_FIXED}, True),
    "default": ("{cpus} threads, OpenMP's default spinning", _FIXED, True),
    "spin10000": ("{cpus} threads, GOMP_SPINCOUNT=10000", {"GOMP_SPINCOUNT": "10000", **_FIXED}, True),
    "spin1000": ("{cpus} threads, GOMP_SPINCOUNT=1000", {"GOMP_SPINCOUNT": "1000", **_FIXED}, True),
    "one": ("1 thread, passive", {"OMP_WAIT_POLICY": "PASSIVE", "AE_THREADS": "1", "MKL_CBWR": "OFF"}, True),
    "count-passive": ("shared count, passive", {"OMP_WAIT_POLICY": "PASSIVE"}, False),
    "count-mkl-default": ("shared count, GOMP_SPINCOUNT=10000, MKL default",
                          {"GOMP_SPINCOUNT": "10000", "MKL_CBWR": "OFF"}, True),
    "spin3000": ("shared count, GOMP_SPINCOUNT=3000", {"GOMP_SPINCOUNT": "3000"}, False),
    "spin30000": ("shared count, GOMP_SPINCOUNT=30000", {"GOMP_SPINCOUNT": "30000"}, False),
}
DEFAULT_TABLE = ["course", "passive", "default", "spin10000", "spin1000", "one"]
#: OpenMP's default spinning makes a group crawl (minutes): it runs alone and in pairs only (stopped at --limit).
MAX_GROUP = {"default": 2}
_CLEAN = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "MKL_CBWR", "AE_THREADS", "OMP_NUM_THREADS", "AE_QUICK")


def environment(name: str, cpus: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _CLEAN}
    env.update({k: v.format(cpus=cpus) for k, v in CONFIGS[name][1].items()})
    return env


def run_group(name: str, n: int, epochs: int, cpus: int, limit: float) -> list[float]:
    """Start ``n`` workers of configuration ``name`` at once; return each one's training time (s).

    A group still running after ``limit`` seconds is stopped: its times count as infinite ("> limit")."""
    torch_first = "1" if CONFIGS[name][2] else "0"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(epochs), torch_first],
                              env=environment(name, cpus), stdout=subprocess.PIPE, text=True) for _ in range(n)]
    times, deadline = [], time.monotonic() + limit
    try:
        for p in procs:
            out, _ = p.communicate(timeout=max(0.1, deadline - time.monotonic()))
            if p.returncode:
                raise SystemExit(f"a worker of {name} failed (exit {p.returncode})")
            times.append(float(out.split()[0]))
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
            p.wait()
        return [math.inf] * n
    return times


def measure(names: list[str], counts: list[int], epochs: int, rounds: int, cpus: int, limit: float,
            group_rounds: int = 1) -> dict:
    """{(name, n): [per-process times over all rounds]}, configurations interleaved; groups of 2 or more run in
    the first ``group_rounds`` rounds only (each gives a time per process)."""
    times = {}
    for r in range(rounds):
        for n in counts:
            for name in names if r % 2 == 0 else names[::-1]:
                if n > MAX_GROUP.get(name, n) or (n > 1 and r >= group_rounds):
                    continue
                got = run_group(name, n, epochs, cpus, limit)
                times.setdefault((name, n), []).extend(got)
                print(f"  round {r + 1}, {n} at once, {name}: {' '.join(f'{t:.2f}' for t in got)} s",
                      file=sys.stderr, flush=True)
    return times


def table(times: dict, names: list[str], counts: list[int], cpus: int, limit: float) -> list[str]:
    med = {key: statistics.median(ts) for key, ts in times.items()}
    fastest = min(med[name, 1] for name in names if (name, 1) in med)
    heads = {1: "one alone", 2: "two at once", 4: "four at once"}
    lines = ["| threads and wait policy | " + " | ".join(heads.get(n, f"{n} at once") for n in counts)
             + " | alone / fastest alone | " + " | ".join(f"{heads.get(n, n)} / alone" for n in counts if n > 1) + " |",
             "|---" * (2 * len(counts) + 1) + "|"]
    for name in names:
        cells = [(f"> {limit:.0f} s" if math.isinf(med[name, n]) else f"{med[name, n]:.2f} s") if (name, n) in med
                 else "not run" for n in counts]
        alone = med.get((name, 1))
        ratios = [(f"> {limit / alone:.1f}x" if math.isinf(med[name, n]) else f"{med[name, n] / alone:.2f}x")
                  if (name, n) in med and alone else "" for n in counts if n > 1]
        lines.append(f"| {CONFIGS[name][0].format(cpus=cpus)} | " + " | ".join(cells)
                     + f" | {alone / fastest:.2f}x | " + " | ".join(ratios) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=DEFAULT_TABLE)
    parser.add_argument("--alone", nargs="+", choices=list(CONFIGS), help="only one process alone, these configs")
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--epochs", type=int, default=2, help="epochs of the full 2D recipe per worker")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every configuration alone")
    parser.add_argument("--group-rounds", type=int, default=1, help="rounds of the groups (2 and 4 at once)")
    parser.add_argument("--limit", type=float, default=60,
                        help="seconds before a group is stopped, from the start of its processes (> limit)")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from ae_helpers.threads import available_cpus

    cpus = available_cpus()
    names, counts = (args.alone, [1]) if args.alone else (args.configs, args.counts)
    print(f"{os.cpu_count()} cores ({cpus} usable), load average {os.getloadavg()[0]:.1f}; full 2D recipe, "
          f"{args.epochs} epochs through train(), medians of {args.rounds} rounds, seconds per process", flush=True)
    times = measure(names, counts, args.epochs, args.rounds, cpus, args.limit, args.group_rounds)
    print("\n".join(table(times, names, counts, cpus, args.limit)))
    course = {n: statistics.median(times["course", n]) for n in counts if ("course", n) in times}
    if 1 in course:
        fastest = min(statistics.median(ts) for (name, n), ts in times.items() if n == 1)
        checks = [(f"the course alone <= 1.15x the fastest alone ({course[1] / fastest:.2f}x)",
                   course[1] / fastest <= 1.15)]
        checks += [(f"{n} at once <= {limit}x alone ({course[n] / course[1]:.2f}x)", course[n] / course[1] <= limit)
                   for n, limit in ((2, 1.6), (4, 3.5)) if n in course]
        for text, ok in checks:
            print(f"  [{'met' if ok else 'MISSED'}] {text}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"benchmark took {time.perf_counter() - t0:.0f} s")
