"""Where the course's trained models live: one laptop, or a class sharing one read-only cache.

* :func:`load_or_train` is ``pretrained``'s cache logic. Reading takes no lock and writes nothing:
  checkpoints are saved atomically (temp file + rename), so a reader never sees half a file. Only
  training takes a lock, in the folder it trains into. When the cache (``AE_CACHE_DIR``) is a folder this
  process cannot write (a read-only mount on a hub) and lacks a model, or holds a copy that fails
  verification, the model is trained into this user's own cache (``AE_USER_CACHE_DIR``) instead, with one
  message saying where and why. Two students who start the same missing model each train their own copy.
* :func:`write_risk` says whether students could change a shared cache.

Which models the course shares, and the report of ``python -m ae_helpers check``, are in
:mod:`ae_helpers.course_models`. This module depends only on :mod:`ae_helpers.checkpoint` and
:mod:`ae_helpers.settings`.
"""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

from filelock import FileLock

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .settings import cache_dir, user_cache_dir, writable


def user_checkpoints() -> Path:
    return user_cache_dir() / "checkpoints"


def _signature(path: Path):
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size, st.st_ino
    except OSError:
        return None


def load_or_train(model, config: dict, name: str, train_fn, *, retrain: bool = False) -> dict:
    """Load ``model``'s weights from the cache (file ``name``), or call ``train_fn()`` and save them.

    Returns the checkpoint's ``extra`` (the training history). ``train_fn`` trains ``model`` in place
    and returns its history; ``model`` is reset to its initial weights before it is called.
    """
    shared = cache_dir() / name
    read_only = not writable(shared.parent)
    target = user_checkpoints() / name if read_only else shared
    failed = {}  # path -> signature of the file that failed verification (not retried unless it changed)
    initial = {k: v.detach().clone() for k, v in model.state_dict().items()}  # before any (partial) load
    if not retrain:
        for path in dict.fromkeys([shared, target]):
            if not path.exists():
                continue
            try:
                return load_checkpoint(path, model, config)
            except CheckpointError as exc:
                failed[path] = _signature(path)
                warnings.warn(f"Not using the cached model {path} ({exc}); training a new one into {target} "
                              "instead.", stacklevel=3)
    if read_only and not failed and not retrain:
        print(f"The model cache {shared.parent} is read-only and has no {name}; training your own copy "
              f"once into {target} (set AE_USER_CACHE_DIR to put it elsewhere). Ask your instructor to run "
              "`python -m ae_helpers train --all --cache DIR` so that nobody has to.", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):  # one training per file: a second process waits, then loads
        if not retrain and target.exists() and _signature(target) != failed.get(target):
            try:
                return load_checkpoint(target, model, config)
            except CheckpointError as exc:
                warnings.warn(f"Not using the cached model {target} ({exc}); training a new one.", stacklevel=3)
        model.load_state_dict(initial)
        history = train_fn()
        save_checkpoint(target, model, config, extra=history)
    return history


def write_risk(folder: Path, files: list[Path]) -> str | None:
    """A line saying whether students could change the cache ``folder`` holding ``files``: a warning, or a note
    for a writable file system; None when the folder is a read-only mount or does not exist."""
    if not folder.exists():
        return None
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return None  # a read-only mount: nobody can write, whatever the permissions say
    except OSError:
        pass
    loose = [p for p in [folder, *files] if p.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)]
    if loose:
        return (f"WARNING: {len(loose)} of the cache's folder and files are writable by group or others "
                f"(e.g. {loose[0]}): students could replace a model. Mount it read-only for them, or chmod go-w.")
    return ("note: the folder is on a writable file system: fine for one person; for a class, give students "
            "a read-only mount (or make sure they do not own it).")
