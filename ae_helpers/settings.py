"""Course-wide settings: quick mode, where data and checkpoints live, seeding.

Everything is read from environment variables *when called*, so a test can
change them with ``monkeypatch.setenv`` without re-importing anything.

* ``AE_QUICK=1``     quick mode (tests, CI): less data, fewer epochs.
* ``AE_SEED``        the course's seed (default 0): the shared models' seed (part of their checkpoint
  key) and the seed each notebook draws its samples from. The course's claims hold for 0, 1 and 2.
* ``AE_DATA_DIR``    where Fashion-MNIST is cached (default: ``data/`` in the repo).
* ``AE_CACHE_DIR``   where trained checkpoints are cached (default: ``checkpoints/``).
* ``AE_USER_CACHE_DIR`` this user's own writable cache, used when the two above are a read-only
  shared folder (a class on one hub) that lacks something (default: ``$XDG_CACHE_HOME/ae_helpers``,
  i.e. ``~/.cache/ae_helpers``).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import torch

_PACKAGE_DIR = Path(__file__).resolve().parent


def is_quick() -> bool:
    """True when ``AE_QUICK`` is set to something other than ``0``/empty."""
    return os.environ.get("AE_QUICK", "").strip().lower() not in ("", "0", "false", "no")


def course_seed() -> int:
    """The course's seed: ``AE_SEED`` as a whole number >= 0 (default 0)."""
    raw = os.environ.get("AE_SEED", "").strip()
    if not raw:
        return 0
    try:
        seed = int(raw)
    except ValueError:
        seed = -1
    if seed < 0:
        raise ValueError(f"AE_SEED must be a whole number >= 0 (e.g. AE_SEED=1), got {raw!r}")
    return seed


def quick_or(full, quick):
    """Return ``quick`` in quick mode, ``full`` otherwise."""
    return quick if is_quick() else full


def _xdg_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ae_helpers"


def _project_dir() -> Path:
    """The repository root when installed with ``pip install -e .``, else a user cache."""
    repo = _PACKAGE_DIR.parent
    if (repo / "pyproject.toml").is_file():
        return repo
    return _xdg_cache()


def data_dir() -> Path:
    """Root folder of the Fashion-MNIST cache (``AE_DATA_DIR`` or ``<repo>/data``)."""
    return Path(os.environ.get("AE_DATA_DIR") or _project_dir() / "data")


def cache_dir() -> Path:
    """Folder of trained checkpoints (``AE_CACHE_DIR`` or ``<repo>/checkpoints``)."""
    return Path(os.environ.get("AE_CACHE_DIR") or _project_dir() / "checkpoints")


def user_cache_dir() -> Path:
    """This user's writable cache (``AE_USER_CACHE_DIR`` or ``~/.cache/ae_helpers``), with
    ``checkpoints/`` and ``data/`` inside: where models and data go when the shared folders are read-only."""
    return Path(os.environ.get("AE_USER_CACHE_DIR") or _xdg_cache())


def writable(folder: Path) -> bool:
    """Can this process create files in ``folder`` (or in the nearest existing folder above it)?

    False on a read-only mount even for root (``os.access`` reports the mount's ``EROFS``).
    """
    folder = Path(folder).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch generator seeded with ``seed``.

    Same seed, same machine, same thread count -> identical numbers.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
