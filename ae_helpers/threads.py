"""Fair CPU use: how many threads torch (and NumPy's BLAS) may use.

PyTorch's OpenMP threads *spin* while they wait for work. Two processes that each
start one thread per core therefore fight for the cores and both crawl (measured on
2 cores: 60x slower). Two things prevent that, and :func:`apply` does both:

* a thread count that matches the CPUs this process may really use: its CPU
  affinity and the cgroup CPU quota that JupyterHub and containers set
  (``AE_THREADS`` overrides it);
* ``OMP_WAIT_POLICY=PASSIVE`` (idle threads sleep instead of spinning). OpenMP reads it
  only when torch is first imported, so it must be in the environment before that:
  ``make lab``/``make test`` and the course's ``environment.yml`` set it, and
  ``import ae_helpers`` sets it when torch is not loaded yet.

This module imports nothing heavy, so the package can call it before torch loads.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from pathlib import Path

WAIT_POLICY = "PASSIVE"
_CGROUP_ROOT = Path("/sys/fs/cgroup")


def _cgroup_quota(root: Path = _CGROUP_ROOT) -> float | None:
    """CPUs allowed by the cgroup CPU quota (v2 ``cpu.max`` or v1 ``cpu.cfs_*``), or None."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        if quota != "max":
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def available_cpus(cgroup_root: Path = _CGROUP_ROOT) -> int:
    """The number of CPUs this process may really use (affinity, then cgroup quota), at least 1."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        n = os.cpu_count() or 1
    quota = _cgroup_quota(cgroup_root)
    if quota is not None:
        n = min(n, math.floor(quota))  # a fractional quota is throttled: round down
    return max(1, n)


def thread_count() -> int:
    """``AE_THREADS`` when set to a whole number >= 1, else :func:`available_cpus`."""
    raw = os.environ.get("AE_THREADS", "").strip()
    if raw:
        try:
            n = int(raw)
            if n >= 1:
                return n
        except ValueError:
            pass
        warnings.warn(f"AE_THREADS must be a whole number of threads (1 or more), got {raw!r}; "
                      f"using {available_cpus()} (the CPUs this process may use).", stacklevel=2)
    return available_cpus()


def apply() -> int:
    """Set the wait policy (if torch is not loaded yet) and the thread counts; return the count."""
    n = thread_count()
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
        os.environ.setdefault("OMP_NUM_THREADS", str(n))
    import torch
    from threadpoolctl import threadpool_limits

    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    threadpool_limits(limits=n, user_api="blas")  # NumPy's OpenBLAS, used for PCA and plots
    return n


def describe() -> str:
    """One line for the setup report: threads in use and the wait policy in force."""
    import torch

    policy = os.environ.get("OMP_WAIT_POLICY", "not set (threads spin: slow when processes share cores)")
    return (f"{torch.get_num_threads()} torch threads of {available_cpus()} usable CPUs "
            f"(AE_THREADS={os.environ.get('AE_THREADS', 'unset')}), OMP_WAIT_POLICY {policy}")
