"""Memory: give freed big arrays back to the system, so a kernel's resident memory stays near what it holds.

glibc's ``malloc`` serves a request over its *mmap threshold* with a fresh mapping that ``free`` returns to
the system at once, but it raises that threshold (up to 32 MB) each time such a block is freed, so later
arrays of a few MB to 32 MB (a batch of 10,000 images is 30 MB) land in the heap and their memory stays
with the process after they are freed. A fixed threshold of 1 MB stops that creep: notebook 05 in full
mode peaks ~40 MB lower (``benchmarks/bench_memory.py``). Training batches (~0.5 MB) are unaffected.
The same as setting ``MALLOC_MMAP_THRESHOLD_=1048576`` in the kernel's environment; does nothing
where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
MMAP_THRESHOLD = 1 << 20


def apply() -> bool:
    """Fix glibc's mmap threshold at 1 MB; True when it was set."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without mallopt)
        return False
