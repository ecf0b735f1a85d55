"""How long does one slider move of the latent explorer take, and one drawing on its pad?

One move = what a student's drag triggers in the kernel: decode z, encode the 224 px PNG, paste the
marker onto the cached map and re-encode it, find the nearest of the 60,000 training codes, update
the text. Target: median <= 5 ms on a 2-core laptop CPU.
One drawing update = what the end of a stroke on the pad triggers ("Hang your own item"): the pad's
280 x 280 grey bytes arrive, ae_helpers.hang makes them an item, the encoder hangs it, Brian sews his
copy, the 3 nearest of the training codes are found, the unusualness percentile is computed, and the
panel's pictures (the five steps, the item, the copy, the nearest items) and the map are redrawn.
Target: median <= 50 ms. Runs on the full-mode pretrained 2D model and the real data (trains it on first use).

    python benchmarks/bench_explorer.py [--moves 200] [--drawings 50]
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
    parser.add_argument("--drawings", type=int, default=50)
    args = parser.parse_args()

    model = pretrained(2, quick=False)
    start = time.perf_counter()
    explorer = LatentExplorer(model, data.fashion_mnist("train"), data.fashion_mnist("test"), pad=True)
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
    ms, cpu_ms = drawing_updates(explorer, args.drawings, rng)
    print(f"one drawing update over {args.drawings} drawings: median {np.median(ms):.1f} ms, "
          f"p90 {np.percentile(ms, 90):.1f} ms, max {ms.max():.1f} ms (target: median <= 50 ms); "
          f"CPU time median {np.median(cpu_ms):.1f} ms")


def drawing_updates(explorer, n, rng):
    """Time ``n`` pad messages: strokes of random width and place, each sent as the page sends them."""
    pad = explorer.panel.pad
    size = pad.size

    def drawing():
        d = np.zeros((size, size), np.uint8)
        w, top, left = (int(v) for v in rng.integers((10, 10, 20), (30, 80, 120)))
        d[top:size - 20, left:left + w] = 255                  # a leg
        d[top:size - 20, left + 2 * w:left + 3 * w] = 255      # another
        d[top:top + w, left:left + 3 * w] = 255                # a waistband
        return d.tobytes()

    pad.pixels = drawing()  # warm-up (the test items' errors are computed once, on the first drawing)
    wall, cpu = [], []
    for _ in range(n):
        message = drawing()
        t, c = time.perf_counter(), time.process_time()
        pad.pixels = message  # runs the observer synchronously, as the page's message does
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert explorer.hung is not None, explorer.panel.verdict.value
    return np.array(wall) * 1e3, np.array(cpu) * 1e3


if __name__ == "__main__":
    main()
