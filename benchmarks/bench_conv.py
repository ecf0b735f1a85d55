"""Benchmark: the convolutional autoencoder of notebook 08 against the MLP and PCA.

Run on a quiet machine, in full mode (AE_QUICK unset):  python benchmarks/bench_conv.py [--keep DIR]
Targets (2-core CPU, full data): the conv 16-D model's test MSE below the MLP 16-D model's
(see benchmarks/README.md for the current figures) with fewer parameters, trained from scratch
in <= 180 s wall; stretch goal <= 0.45 x PCA-16. The 2-D conv model's ratio to PCA-2 is printed
beside the MLP's. The conv models always train from scratch, into a temporary cache (the course's
checkpoints are left alone) or, with ``--keep DIR``, into DIR so that they can be used afterwards;
the MLP figures come from the usual cache (trained there first if missing).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import tempfile
import time

import torch

from ae_helpers import data, latent
from ae_helpers.course_models import ModelConfig, pretrained
from ae_helpers.settings import is_quick


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="train the conv models into DIR instead of a temporary folder")
    args = parser.parse_args()
    if is_quick():
        raise SystemExit("Unset AE_QUICK: the benchmark measures full mode, what students get.")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}, torch {torch.__version__} using {torch.get_num_threads()} threads")
    print(f"conv recipe: {ModelConfig.course(16, arch='conv', quick=False)}")
    x_train, _ = data.load("train")
    x_test, _ = data.load("test")
    rows = {}
    for dim in (2, 16):
        mlp = pretrained(dim, progress=False)
        rows[("mlp", dim)] = (n_params(mlp), mlp.history["test_mse"], mlp.history["seconds"], float("nan"))
    cache, cpu_seconds = os.environ.get("AE_CACHE_DIR"), {}
    keep = contextlib.nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory()
    with keep as folder:
        os.environ["AE_CACHE_DIR"] = folder
        for dim in (16, 2):
            start, cpu = time.perf_counter(), time.process_time()
            conv = pretrained(dim, arch="conv", progress=False, retrain=True)   # always from scratch
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            rows[("conv", dim)] = (n_params(conv), conv.history["test_mse"], conv.history["seconds"], wall)
            cpu_seconds[dim] = cpu
    if cache is None:
        del os.environ["AE_CACHE_DIR"]
    else:
        os.environ["AE_CACHE_DIR"] = cache
    pca = {dim: latent.pca_mse(x_train, x_test, dim) for dim in (2, 16)}
    print(f"\n{'model':>10} {'params':>8} {'test MSE':>9} {'x PCA':>6} {'loop s':>7} {'wall s':>7}")
    for (arch, dim), (params, mse, loop, wall) in sorted(rows.items(), key=lambda r: (r[0][1], r[0][0])):
        name = f"{arch} {dim}-D"
        print(f"{name:>10} {params:>8,} {mse:>9.4f} {mse / pca[dim]:>6.3f} {loop:>7.0f} {wall:>7.0f}")
    print(f"{'PCA':>10} {'':>8} " + "  ".join(f"PCA-{d}: {m:.4f}" for d, m in pca.items()))
    c16, m16 = rows[("conv", 16)], rows[("mlp", 16)]
    checks = [("conv 16-D test MSE below the MLP's", c16[1] < m16[1]),
              ("conv 16-D has fewer parameters than the MLP", c16[0] < m16[0]),
              ("conv 16-D trained from scratch in <= 180 s", c16[3] <= 180),
              ("stretch: conv 16-D <= 0.45 x PCA-16", c16[1] <= 0.45 * pca[16])]
    for name, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    load = os.getloadavg()[0]
    print(f"  (load average now {load:.1f} on {os.cpu_count()} cores; conv 16-D used {cpu_seconds[16]:.0f} CPU s = "
          f"{cpu_seconds[16] / torch.get_num_threads():.0f} s per thread: the wall time a quiet machine would "
          "roughly need, when others' work inflated the wall time)")
    print(f"  2-D: conv {rows[('conv', 2)][1] / pca[2]:.3f} x PCA-2, MLP {rows[('mlp', 2)][1] / pca[2]:.3f} x PCA-2")


if __name__ == "__main__":
    main()
