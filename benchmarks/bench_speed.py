"""Benchmark: the CPU figures of a student's laptop in one run, side by side (about 7 minutes on 2 quiet cores).

1. ``bench_concurrency.py``: one training alone, two and four at once, the course's thread design against
   the alternatives (about 4 minutes);
2. ``bench_warm.py``: a fresh clone's first `make lab` from the end of the install to JupyterLab serving
   (about 3 minutes).

    .venv/bin/python benchmarks/bench_speed.py

Progress goes to stderr; the two reports are printed together at the end. Run it on a quiet machine:
the figures are wall-clock times.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    start, reports = time.perf_counter(), []
    for script in ("bench_concurrency.py", "bench_warm.py"):
        print(f"running {script} ...", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, str(HERE / script)], stdout=subprocess.PIPE, text=True)
        if out.returncode:
            print(out.stdout)
            return out.returncode
        reports.append(f"== {script}\n{out.stdout.strip()}")
    print("\n\n".join(reports))
    print(f"\nall figures in {(time.perf_counter() - start) / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
