"""Memory: give freed big arrays back to the system, so a kernel's resident memory stays near what it holds.

glibc's ``malloc`` serves a request over its *mmap threshold* with a fresh mapping that ``free`` returns to
the system at once, but it raises that threshold (up to 32 MB) each time such a block is freed, so later
arrays of a few MB to 32 MB (a batch of 10,000 images is 30 MB) land in the heap and their memory stays
with the process after they are freed. A fixed threshold of 1 MB stops that creep: notebook 05 in full
mode peaks ~40 MB lower (``benchmarks/bench_memory.py``). Training batches (~0.5 MB) are unaffected.
The same as setting ``MALLOC_MMAP_THRESHOLD_=1048576`` in the kernel's environment; does nothing
where the C library is not glibc.

:func:`keep_triton_out`: torch's optimizers import ``torch._dynamo`` at their first ``step()``, and that imports
triton (the compiler of GPU kernels that torch's CUDA build installs beside it) when it is there: 70 MB of
resident code in every kernel that trains anything, which no CPU can use. On a machine without a CUDA GPU the
course keeps triton out, so torch behaves as a CPU-only install does (``torch.compile`` still works: on CPUs it
generates C++). A first training step then costs 75 MB instead of 150 (``benchmarks/bench_memory.py``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
MMAP_THRESHOLD = 1 << 20


def apply() -> bool:
    """Fix glibc's mmap threshold at 1 MB; True when it was set."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without mallopt)
        return False


def keep_triton_out() -> bool:
    """Where no CUDA GPU is usable, make ``import triton`` fail as it does without triton installed (a ``None`` in
    ``sys.modules``, Python's way to block a module); True when it was kept out. Does nothing when triton is
    already loaded or a GPU is there."""
    if "triton" in sys.modules:
        return sys.modules["triton"] is None
    import torch

    if torch.cuda.is_available():
        return False
    sys.modules["triton"] = None
    # flop counting (notebook 08) warns once that triton's GPU kernels cannot be counted: none run here
    logging.getLogger("torch.utils.flop_counter").setLevel(logging.ERROR)
    return True
