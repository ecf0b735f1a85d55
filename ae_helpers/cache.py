"""Where the course's trained models live: one laptop, or a class sharing one read-only cache.

* :data:`COURSE_MODELS` lists every shared model the notebooks and slides use (the arguments of
  ``pretrained``); ``python -m ae_helpers train --all`` fills a cache with them and
  ``python -m ae_helpers check --cache DIR`` checks one.
* :func:`load_or_train` is ``pretrained``'s cache logic. Reading takes no lock and writes nothing:
  checkpoints are saved atomically (temp file + rename), so a reader never sees half a file. Only
  training takes a lock, in the folder it trains into. When the cache (``AE_CACHE_DIR``) is a folder this
  process cannot write (a read-only mount on a hub) and lacks a model, or holds a copy that fails
  verification, the model is trained into this user's own cache (``AE_USER_CACHE_DIR``) instead, with one
  message saying where and why. Two students who start the same missing model each train their own copy.
"""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

from filelock import FileLock

from .checkpoint import CheckpointError, load_checkpoint, read_checkpoint, save_checkpoint
from .settings import cache_dir, user_cache_dir, writable

#: Every shared model the notebooks and slides load, as keyword arguments of ``pretrained()``
#: (the mode, quick or full, comes from ``AE_QUICK``). Add new shared models here.
COURSE_MODELS: tuple[dict, ...] = (*({"latent_dim": d} for d in (2, 4, 8, 16, 32)),   # notebooks 01-07, slides
                                    *({"latent_dim": d, "arch": "conv"} for d in (2, 16)))  # notebook 08


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


def _risk(folder: Path, files: list[Path]) -> str | None:
    """A line saying whether students could change the cache, or None when they cannot."""
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


def check_report(folder: str | Path | None = None) -> tuple[str, bool]:
    """What the cache holds for :data:`COURSE_MODELS` (both modes) and whether each file verifies.

    Returns ``(text, ok)``; ``ok`` is False when a course model file is present but fails verification.
    """
    from .course_models import ModelConfig

    folder = Path(folder) if folder else cache_dir()
    lines, ok, known = [f"model cache  {folder}" + ("" if folder.is_dir() else "  (does not exist)")], True, set()
    for quick in (False, True):
        for kwargs in COURSE_MODELS:
            config = ModelConfig.course(**kwargs, quick=quick)
            path = folder / config.checkpoint_name()
            known.add(path.name)
            label = f"  {config.mode:5s} {', '.join(f'{k}={v}' for k, v in kwargs.items()):24s}"
            if not path.exists():
                lines.append(f"{label} missing   ({path.name})")
                continue
            try:
                _, saved, extra = read_checkpoint(path)
                if saved != config.key():
                    raise CheckpointError(f"trained with another configuration: {saved}")
                lines.append(f"{label} OK        ({path.name}, test MSE {extra.get('test_mse', float('nan')):.4f})")
            except CheckpointError as exc:
                ok = False
                lines.append(f"{label} DAMAGED   {exc}")
    files = sorted(folder.glob("*.safetensors")) if folder.is_dir() else []
    others = [p.name for p in files if p.name not in known]
    if others:
        lines.append(f"  other files (not course models): {', '.join(others)}")
    risk = _risk(folder, files)
    if risk:
        lines.append(risk)
    return "\n".join(lines), ok
