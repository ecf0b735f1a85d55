"""Fashion-MNIST, found offline first.

Sources, tried in this order:

1. the cache (``AE_DATA_DIR``, default ``data/`` in the repository); when that folder is
   read-only (a class's shared folder) and incomplete, this user's own cache
   (``AE_USER_CACHE_DIR``/data) takes its place, with a message;
2. the Debian package ``dataset-fashion-mnist`` (its ``.gz`` files are decompressed
   into the cache and checked against the sha256 sums of the original files);
3. torchvision's own download (needs internet).

If none works, :class:`DataNotFoundError` explains all three fixes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import zlib
from pathlib import Path

import numpy as np
import torch

from .settings import data_dir, user_cache_dir, writable

CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

#: sha256 and size of the *decompressed* original files.
FILES = {
    "train-images-idx3-ubyte": ("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
    "train-labels-idx1-ubyte": ("bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
    "t10k-images-idx3-ubyte": ("5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
    "t10k-labels-idx1-ubyte": ("0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008),
}
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")

FIXES = """How to fix it (any one of these):
  1. Cache: put the four decompressed files ({files}) in
     {raw}
     or point AE_DATA_DIR at a folder that has FashionMNIST/raw/ with them.
  2. Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist
     (the files land in {debian} and are unpacked for you).
  3. Internet: connect once and run `python -m ae_helpers data` (torchvision downloads it)."""


class DataNotFoundError(RuntimeError):
    """No source of Fashion-MNIST worked; the message says how to fix it."""


class CorruptDataError(RuntimeError):
    """A source file is truncated or does not match the original checksum."""


def raw_dir(root: Path | None = None) -> Path:
    return Path(root or data_dir()) / "FashionMNIST" / "raw"


def _cache_ok(raw: Path) -> bool:
    return all((raw / name).is_file() and (raw / name).stat().st_size == size
               for name, (_, size) in FILES.items())


def _debian_dir() -> Path:
    return Path(os.environ.get("AE_DEBIAN_DATA_DIR") or DEBIAN_DIR)


def _unpack_verified(src: Path, dest: Path, sha256: str) -> None:
    """Decompress ``src`` to ``dest`` atomically; nothing is left behind on failure."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, gzip.open(src, "rb") as gz:
            while chunk := gz.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise CorruptDataError(
                f"{src} does not decompress to the original Fashion-MNIST file "
                f"(sha256 {digest.hexdigest()[:12]}..., expected {sha256[:12]}...). "
                "Reinstall it: sudo apt-get install --reinstall dataset-fashion-mnist")
        os.replace(tmp, dest)
    except (EOFError, OSError, zlib.error) as exc:
        raise CorruptDataError(
            f"{src} is truncated or corrupt ({exc}). Reinstall it: "
            "sudo apt-get install --reinstall dataset-fashion-mnist") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _download(root: Path) -> None:
    from torchvision import datasets

    datasets.FashionMNIST(str(root), train=True, download=True)
    datasets.FashionMNIST(str(root), train=False, download=True)


def _fill(root: Path, allow_download: bool | None) -> str:
    """Make sure the four files are in ``root``; return a sentence saying where they came from."""
    if allow_download is None:
        allow_download = os.environ.get("AE_NO_DOWNLOAD", "") in ("", "0")
    raw = raw_dir(root)
    if _cache_ok(raw):
        return f"cache: {raw}"
    debian = _debian_dir()
    if all((debian / f"{name}.gz").is_file() for name in FILES):
        raw.mkdir(parents=True, exist_ok=True)
        for name, (sha, _) in FILES.items():
            if not ((raw / name).is_file() and (raw / name).stat().st_size == FILES[name][1]):
                _unpack_verified(debian / f"{name}.gz", raw / name, sha)
        return f"Debian package dataset-fashion-mnist ({debian}), unpacked into {raw}"
    problem = f"the Debian package's files are not in {debian}"
    if allow_download:
        try:
            _download(root)
            if _cache_ok(raw):
                return f"downloaded by torchvision into {raw}"
            problem += "; torchvision's download did not produce the expected files"
        except Exception as exc:  # noqa: BLE001 - any network error means "no internet"
            problem += f"; torchvision's download failed ({type(exc).__name__}: {exc})"
    else:
        problem += "; downloading was switched off"
    raise DataNotFoundError(
        f"Fashion-MNIST was not found: nothing usable in {raw}, {problem}.\n"
        + FIXES.format(files=", ".join(FILES), raw=raw, debian=DEBIAN_DIR))


def locate(root: str | Path | None = None, *, allow_download: bool | None = None) -> tuple[Path, str]:
    """The data root to use and a sentence saying where the files came from (see :func:`ensure_data`).

    A read-only ``root`` that has the files is used as it is (nothing is written); a read-only one
    without them is replaced by this user's own cache, with one message saying so.
    """
    root = Path(root or data_dir())
    if _cache_ok(raw_dir(root)):
        return root, f"cache: {raw_dir(root)}"
    if writable(root):
        return root, _fill(root, allow_download)
    own = user_cache_dir() / "data"
    if not _cache_ok(raw_dir(own)):
        print(f"The data folder {raw_dir(root)} is read-only and lacks the Fashion-MNIST files; "
              f"using your own copy in {raw_dir(own)} instead (set AE_USER_CACHE_DIR to put it elsewhere).",
              flush=True)
    return own, f"{_fill(own, allow_download)} (the shared folder {root} is read-only and incomplete)"


def ensure_data(root: str | Path | None = None, *, allow_download: bool | None = None) -> str:
    """Make sure the four files are in the cache; return a sentence saying where they came from.

    Downloading is the last resort; ``allow_download=False`` or ``AE_NO_DOWNLOAD=1`` switches it off.
    """
    return locate(root, allow_download=allow_download)[1]


def _check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ValueError(f'split must be "train" or "test", got {split!r}')


def fashion_mnist(split: str = "train", root: str | Path | None = None):
    """The Fashion-MNIST ``split`` ("train" or "test") as a ``torchvision.datasets.FashionMNIST`` in [0, 1]."""
    from torchvision import datasets, transforms  # here, not on import: torchvision costs ~150 MB per kernel

    _check_split(split)
    root, _ = locate(root)
    return datasets.FashionMNIST(str(root), train=(split == "train"), download=False,
                                 transform=transforms.ToTensor())


def as_tensors(dataset, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack a Fashion-MNIST dataset (or a ``Subset`` of one) into ``(images, labels)``.

    ``images`` is float32 (N, 1, 28, 28) in [0, 1], ``labels`` int64 (N,). Fast: uses the
    dataset's stored array instead of converting 60,000 PIL images one by one.
    """
    indices = None
    while isinstance(dataset, torch.utils.data.Subset):
        idx = torch.as_tensor(dataset.indices)
        indices = idx if indices is None else idx[indices]
        dataset = dataset.dataset
    images, labels = dataset.data, dataset.targets
    if indices is not None:
        images, labels = images[indices], labels[indices]
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images.unsqueeze(1).float().div_(255), labels.clone()


#: Images read and converted at a time by :func:`load` (7.5 MB of bytes).
LOAD_CHUNK = 10_000


def _idx(path: Path, count: int | None, item_bytes: int, header: int) -> np.ndarray:
    """The first ``count`` items (all when None) of an idx file as a flat uint8 array."""
    return np.fromfile(path, dtype=np.uint8, count=-1 if count is None else count * item_bytes, offset=header)


def _files(split: str, limit: int | None) -> tuple[Path, torch.Tensor]:
    """The images file of ``split`` and its first ``limit`` labels (all when None)."""
    _check_split(split)
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be a number of images >= 0 or None, got {limit}")
    raw = raw_dir(locate()[0])
    prefix = "train" if split == "train" else "t10k"
    labels = torch.from_numpy(_idx(raw / f"{prefix}-labels-idx1-ubyte", limit, 1, 8)).long()
    return raw / f"{prefix}-images-idx3-ubyte", labels


def _read_into(out: torch.Tensor, images_file: Path, start: int) -> torch.Tensor:
    """Images ``start`` ... ``start + len(out) - 1`` of an idx file, in [0, 1], written into ``out``."""
    raw_pixels = _idx(images_file, len(out), 28 * 28, 16 + start * 28 * 28)
    return out.copy_(torch.from_numpy(raw_pixels).view(-1, 1, 28, 28)).div_(255)


def load(split: str = "train", limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``limit`` images of ``split`` (all when None) as ``as_tensors`` gives them.

    Reads only those images straight from the verified files (no torchvision dataset, no copy of the whole
    file), :data:`LOAD_CHUNK` images at a time into the result, so the only big array is the float32 result
    (60,000 images: 188 MB), never beside a second copy of the file.
    """
    images_file, labels = _files(split, limit)
    images = torch.empty(len(labels), 1, 28, 28)
    for start in range(0, len(labels), LOAD_CHUNK):
        _read_into(images[start:start + LOAD_CHUNK], images_file, start)
    return images, labels


def batches(split: str = "train", size: int = LOAD_CHUNK, limit: int | None = None):
    """The first ``limit`` images of ``split`` (all when None), ``size`` at a time: ``(images, labels)`` pairs equal
    to the matching slices of ``load(split, limit)``, for going through the 60,000 training images without holding
    them all (each batch of 10,000 is 31 MB)."""
    if size < 1:
        raise ValueError(f"size must be a number of images >= 1, got {size}")
    images_file, labels = _files(split, limit)
    for start in range(0, len(labels), size):
        chunk = labels[start:start + size]
        yield _read_into(torch.empty(len(chunk), 1, 28, 28), images_file, start), chunk
