"""Safe, atomic, self-describing checkpoints (safetensors: loading never runs code).

A checkpoint file holds the model's tensors plus metadata: a format tag, the
configuration it was trained with (JSON) and a sha256 of the tensors. Loading
checks all three, so a truncated file, a file for another configuration, or a
foreign file (e.g. a pickle) raises :class:`CheckpointError` instead of
silently giving a wrong model.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

FORMAT = "ae_helpers-checkpoint-v1"


class CheckpointError(RuntimeError):
    """The file is not a valid checkpoint for the requested configuration."""


def tensors_sha256(tensors: dict[str, torch.Tensor]) -> str:
    digest = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        digest.update(name.encode())
        digest.update(str(tuple(t.shape)).encode())
        digest.update(t.numpy().tobytes())
    return digest.hexdigest()


def save_checkpoint(path: str | Path, model: torch.nn.Module, config: dict, extra: dict | None = None) -> Path:
    """Write ``model``'s weights with ``config`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk, and only
    then renamed over ``path``: an interrupted save leaves the old file (or none), never
    half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    metadata = {"format": FORMAT, "config": json.dumps(config, sort_keys=True),
                "sha256": tensors_sha256(tensors), "extra": json.dumps(extra or {})}
    blob = st_save(tensors, metadata=metadata)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def read_checkpoint(path: str | Path) -> tuple[dict[str, torch.Tensor], dict, dict]:
    """Return ``(tensors, config, extra)`` from a verified checkpoint file."""
    path = Path(path)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc}") from exc
    try:
        tensors = st_load(blob)
        header_len = int.from_bytes(blob[:8], "little")
        metadata = json.loads(blob[8:8 + header_len]).get("__metadata__") or {}
    except (SafetensorError, ValueError, OverflowError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path} is not a safetensors checkpoint (truncated or foreign file): {exc}") from exc
    if metadata.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an ae_helpers checkpoint (format {metadata.get('format')!r})")
    if tensors_sha256(tensors) != metadata.get("sha256"):
        raise CheckpointError(f"{path} failed its checksum: the weights were changed or damaged")
    try:
        return tensors, json.loads(metadata["config"]), json.loads(metadata.get("extra", "{}"))
    except (KeyError, ValueError) as exc:
        raise CheckpointError(f"{path} has unreadable metadata: {exc}") from exc


def load_checkpoint(path: str | Path, model: torch.nn.Module, config: dict) -> dict:
    """Load weights into ``model`` if ``path`` was saved with exactly ``config``; return ``extra``."""
    tensors, saved_config, extra = read_checkpoint(path)
    if saved_config != json.loads(json.dumps(config, sort_keys=True)):
        raise CheckpointError(f"{path} was trained with {saved_config}, not {config}")
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise CheckpointError(f"{path} does not fit this model: {exc}") from exc
    return extra
