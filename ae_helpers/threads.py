"""Fair CPU use: fast for one student alone, fair when several processes train at once.

Three settings work together (:func:`apply` makes them, before torch loads when it can):

* **A thread count** that matches the CPUs this process may really use: its CPU affinity and the cgroup
  CPU quota that JupyterHub and containers set. ``AE_THREADS=N`` fixes it at N (no sharing, below).
* **Brief spinning**: an idle OpenMP thread spins ``GOMP_SPINCOUNT`` times (:data:`SPIN_COUNT`) before it
  sleeps, so one training alone runs at full speed with all cores. OpenMP's own default spins ~300 times
  longer, which makes two processes with two threads each on two cores crawl; ``OMP_WAIT_POLICY=PASSIVE``
  (never spin) makes a training alone ~1.7x slower. OpenMP reads these once, when torch loads.
* **Sharing while computing**: :func:`computing` (used by ``training.train``) holds a lock on a file of its
  own in a per-machine folder (:func:`computing_dir`) for as long as this process trains. It counts the
  files whose lock is held, at the start and about every quarter second, and sets
  ``torch.set_num_threads(max(1, cpus // count))``: alone, all cores; two trainings on two cores, one thread
  each. A process that ends drops its lock, so a crashed one is never counted. A folder that cannot be
  used means "alone" (no error).

Training results do not depend on the thread count for the course's MLPs: MKL's strict reproducible mode
(``MKL_CBWR=AUTO,STRICT``, :data:`MKL_MODE`) makes its matrix products the same for any number of threads.
(oneDNN's convolutions, notebook 08, are not covered: there the last bits may differ, as on another laptop.)
``benchmarks/bench_concurrency.py`` measures this design against the alternatives.

This module imports nothing heavy, so the package can call it before torch loads.
"""

from __future__ import annotations

import fcntl
import math
import os
import stat
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

SPIN_COUNT = "10000"          #: GOMP_SPINCOUNT: spins before an idle OpenMP thread sleeps (OpenMP's default 300000)
MKL_MODE = "AUTO,STRICT"      #: MKL_CBWR: the same matrix products for any thread count
CHECK_EVERY = 0.25            #: seconds between two reads of the computing count during training
_CGROUP_ROOT = Path("/sys/fs/cgroup")
_STALE = 60.0                 #: an unlocked file older than this (s) is left over from a dead process
_OWN: set[str] = set()        #: the names of this process's own files (held while computing)


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


def fixed_threads() -> int | None:
    """``AE_THREADS`` when set to a whole number >= 1 (a fixed count: no sharing), else None."""
    raw = os.environ.get("AE_THREADS", "").strip()
    if not raw:
        return None
    try:
        if int(raw) >= 1:
            return int(raw)
    except ValueError:
        pass
    warnings.warn(f"AE_THREADS must be a whole number of threads (1 or more), got {raw!r}; "
                  f"using {available_cpus()} (the CPUs this process may use).", stacklevel=3)
    return None


def thread_count() -> int:
    """``AE_THREADS`` when set to a whole number >= 1, else :func:`available_cpus`."""
    return fixed_threads() or available_cpus()


def apply() -> int:
    """Set the OpenMP and MKL settings (if torch is not loaded yet) and the thread counts; return the count."""
    n = thread_count()
    os.environ.setdefault("MKL_CBWR", MKL_MODE)  # MKL reads it at its first product, even after torch loads
    if "torch" not in sys.modules:
        if "OMP_WAIT_POLICY" not in os.environ:   # an explicit wait policy wins over the spin count
            os.environ.setdefault("GOMP_SPINCOUNT", SPIN_COUNT)
        os.environ.setdefault("OMP_NUM_THREADS", str(n))
    import torch
    from threadpoolctl import threadpool_limits

    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    threadpool_limits(limits=n, user_api="blas")  # NumPy's OpenBLAS, used for PCA and plots
    return n


def computing_dir() -> Path:
    """The per-machine folder of "computing now" files (``AE_COMPUTING_DIR``, default in the temp folder)."""
    return Path(os.environ.get("AE_COMPUTING_DIR") or Path(tempfile.gettempdir()) / "ae_helpers-computing")


def _shared_folder(folder: Path) -> Path:
    """``folder``, made if missing: writable by every user with the sticky bit (like /tmp), so that one
    user's processes count another's but cannot remove their files. Raises OSError when unusable."""
    try:
        folder.mkdir(mode=0o700, parents=True)
        os.chmod(folder, 0o1777)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{folder} is not a folder")
    if info.st_uid not in (os.getuid(), 0) and not info.st_mode & stat.S_ISVTX:
        raise PermissionError(f"{folder} belongs to another user and has no sticky bit")
    return folder


def _is_locked(path: Path) -> bool:
    """Does a live process hold the lock on ``path``? (Removes a leftover that nobody holds.)"""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        try:
            if time.time() - os.fstat(fd).st_mtime > _STALE:
                path.unlink()  # a dead process's file (only its owner may remove it: sticky folder)
        except OSError:
            pass
        return False
    finally:
        os.close(fd)


def computing_count(folder: Path | None = None) -> int:
    """How many processes are computing now: the files in ``folder`` whose lock is held (0 when unreadable).

    This process's own files are counted without opening them (closing any descriptor of a file drops the
    process's lock on it).
    """
    folder = Path(folder or computing_dir())
    try:
        names = [name for name in os.listdir(folder) if name.endswith(".computing")]
    except OSError:
        return 0
    return sum(1 if name in _OWN else _is_locked(folder / name) for name in names)


class _Share:
    """This process's place in the count while it computes (see :func:`computing`)."""

    def __init__(self, folder: Path, fixed: int | None):
        self.folder, self.fixed, self.cpus = folder, fixed, available_cpus()
        self.fd, self.path, self.next_check = None, None, 0.0
        try:
            _shared_folder(folder)
            self.path = folder / f"{os.getpid()}-{time.monotonic_ns()}.computing"
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            _OWN.add(self.path.name)
            fcntl.lockf(self.fd, fcntl.LOCK_EX)  # waits only while a counter tests it
        except OSError:
            self.close()  # no usable folder: compute as if alone

    def threads(self) -> int:
        """The threads this process should use now: ``cpus // count`` (at least 1)."""
        if self.fixed:
            return self.fixed
        if self.fd is None:
            return self.cpus
        return max(1, self.cpus // max(1, computing_count(self.folder)))

    def refresh(self, force: bool = False) -> None:
        """Re-read the count (at most every :data:`CHECK_EVERY` s unless ``force``) and set torch's threads."""
        now = time.monotonic()
        if not force and now < self.next_check:
            return
        self.next_check = now + CHECK_EVERY
        import torch

        n = self.threads()
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # drops the lock
            self.fd = None
        if self.path is not None:
            _OWN.discard(self.path.name)
            try:
                self.path.unlink()
            except OSError:
                pass
            self.path = None


@contextmanager
def computing():
    """Count this process as computing while inside; yields ``refresh(force=False)``, which the caller calls
    often (every batch is fine: it reads the count at most every :data:`CHECK_EVERY` s) to follow the count.

    Inside, torch uses ``max(1, cpus // processes computing)`` threads (``AE_THREADS`` fixes it instead);
    on leaving, the count this process had before.
    """
    import torch

    before = torch.get_num_threads()
    share = _Share(computing_dir(), fixed_threads())
    try:
        share.refresh(force=True)
        yield share.refresh
    finally:
        share.close()
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def describe() -> str:
    """One line for the setup report: threads in use, how they are shared, and the OpenMP wait settings."""
    import torch

    fixed = fixed_threads()
    sharing = f"fixed by AE_THREADS={fixed}" if fixed else f"while training: CPUs // trainings now ({computing_dir()})"
    policy = os.environ.get("OMP_WAIT_POLICY")
    wait = f"OMP_WAIT_POLICY={policy}" if policy else f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT', 'unset')}"
    return (f"{torch.get_num_threads()} torch threads of {available_cpus()} usable CPUs, {sharing}; {wait}; "
            f"MKL_CBWR={os.environ.get('MKL_CBWR', 'unset')}")
