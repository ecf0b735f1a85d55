"""How long does one slider move of the latent explorer take?

One move = what a student's drag triggers in the kernel: decode z, encode the 224 px PNG, paste the
marker onto the cached map and re-encode it, find the nearest of the 60,000 training codes, update
the text. Runs on the full-mode pretrained 2D model and the real data (trains it on first use).
Target: median <= 5 ms on a 2-core laptop CPU.

    python benchmarks/bench_explorer.py [--moves 200]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from ae_helpers import data, pretrained
from ae_helpers.explorer import LatentExplorer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    args = parser.parse_args()

    model = pretrained(2, quick=False)
    start = time.perf_counter()
    explorer = LatentExplorer(model, data.fashion_mnist("train"), data.fashion_mnist("test"))
    built = time.perf_counter() - start

    rng = np.random.default_rng(0)
    sliders = (explorer.z1, explorer.z2)
    for s in sliders:  # warm-up
        s.value = (s.min + s.max) / 2
    wall, cpu = [], []
    for k in range(args.moves):
        s = sliders[k % 2]
        value = float(rng.uniform(s.min, s.max))
        t, c = time.perf_counter(), time.process_time()
        s.value = value  # runs the observer synchronously, as a browser drag would
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    ms, cpu_ms = np.array(wall) * 1e3, np.array(cpu) * 1e3
    print(f"CPU: {os.cpu_count()} cores, torch threads {torch.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine inflates these times)")
    print(f"explorer built in {built:.2f} s ({len(explorer.train_codes):,} training codes, "
          f"{len(explorer.test_codes):,} on the map)")
    print(f"one slider move over {args.moves} moves: median {np.median(ms):.2f} ms, "
          f"p90 {np.percentile(ms, 90):.2f} ms, max {ms.max():.2f} ms (target: median <= 5 ms)")
    print(f"CPU time this process spent per move (less sensitive to other load): median {np.median(cpu_ms):.2f} ms, "
          f"p90 {np.percentile(cpu_ms, 90):.2f} ms")


if __name__ == "__main__":
    main()
