"""Benchmark: the shared models' training time and quality against PCA, and the warm load time.

Run on a quiet machine, in full mode (AE_QUICK unset):  make benchmark
Targets (2-core CPU): 2D test MSE <= 0.55 x PCA-2 (<= 0.025 per pixel), trained from scratch
in <= 60 s wall; 16-d <= 0.55 x PCA-16; warm pretrained() load <= 1 s.
It trains into a temporary cache, so the course's own checkpoints are left alone.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time

import torch

from ae_helpers import data, latent
from ae_helpers.course_models import pretrained
from ae_helpers.settings import is_quick


def main() -> None:
    if is_quick():
        raise SystemExit("Unset AE_QUICK: the benchmark measures full mode, what students get.")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__} using {torch.get_num_threads()} threads")
    x_train, _ = data.load("train")
    x_test, _ = data.load("test")
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        os.environ["AE_CACHE_DIR"] = cache
        for dim in (2, 16):
            start = time.perf_counter()
            model = pretrained(dim, progress=False)
            wall = time.perf_counter() - start
            pca = latent.pca_mse(x_train, x_test, dim)
            ae = model.history["test_mse"]
            rows.append((dim, wall, model.history["seconds"], ae, pca, ae / pca))
        loads = []
        for _ in range(5):
            start = time.perf_counter()
            pretrained(2, progress=False)
            loads.append(time.perf_counter() - start)
    print(f"\n{'latent':>6} {'train wall s':>12} {'loop s':>7} {'AE test MSE':>11} {'PCA test MSE':>12} {'AE/PCA':>7}")
    for dim, wall, loop, ae, pca, ratio in rows:
        print(f"{dim:>6} {wall:>12.1f} {loop:>7.1f} {ae:>11.4f} {pca:>12.4f} {ratio:>7.3f}")
    print(f"\nwarm pretrained(2) load: median {statistics.median(loads) * 1000:.0f} ms over {len(loads)} loads")
    two, sixteen = rows
    checks = [("2D MSE <= 0.55 x PCA-2", two[5] <= 0.55), ("2D MSE <= 0.025", two[3] <= 0.025),
              ("2D trained in <= 60 s", two[1] <= 60), ("16-d MSE <= 0.55 x PCA-16", sixteen[5] <= 0.55),
              ("warm load <= 1 s", statistics.median(loads) <= 1.0)]
    for name, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {name}")


if __name__ == "__main__":
    main()
