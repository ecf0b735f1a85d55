"""Where Fashion-MNIST comes from: cache, Debian package, download — with fakes in a temp dir."""

import gzip
import hashlib
import struct
import urllib.error

import pytest
import torch

from ae_helpers import data

N_FAKE = 3


def idx_bytes(name: str) -> bytes:
    if "images" in name:
        return struct.pack(">IIII", 2051, N_FAKE, 28, 28) + bytes(N_FAKE * 784)
    return struct.pack(">II", 2049, N_FAKE) + bytes([1, 2, 9][:N_FAKE])


@pytest.fixture
def fake_world(tmp_path, monkeypatch):
    """A Debian-style folder of fake .gz files whose checksums the module accepts; no network."""
    debian = tmp_path / "debian"
    debian.mkdir()
    files = {}
    for name in data.FILES:
        raw = idx_bytes(name)
        files[name] = (hashlib.sha256(raw).hexdigest(), len(raw))
        (debian / f"{name}.gz").write_bytes(gzip.compress(raw))
    monkeypatch.setattr(data, "FILES", files)
    monkeypatch.setenv("AE_DEBIAN_DATA_DIR", str(debian))
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path / "cache"))

    def no_network(root):
        raise urllib.error.URLError("no internet in the lecture hall")

    monkeypatch.setattr(data, "_download", no_network)
    return debian, tmp_path / "cache"


def test_debian_files_are_unpacked_and_verified(fake_world):
    debian, cache = fake_world
    source = data.ensure_data()
    assert "Debian" in source
    raw = cache / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(data.FILES)
    train = data.fashion_mnist("train")
    assert len(train) == N_FAKE
    x, y = data.as_tensors(train)
    assert x.shape == (N_FAKE, 1, 28, 28) and y.tolist() == [1, 2, 9]
    # second call: the prepared cache is used, the Debian files are not needed any more
    for f in debian.iterdir():
        f.unlink()
    assert data.ensure_data().startswith("cache")


def test_nothing_anywhere_names_all_three_fixes(fake_world):
    debian, cache = fake_world
    for f in debian.iterdir():
        f.unlink()
    with pytest.raises(data.DataNotFoundError) as err:
        data.fashion_mnist("test")
    message = str(err.value)
    assert "AE_DATA_DIR" in message and str(cache / "FashionMNIST" / "raw") in message  # 1. cache
    assert "apt-get install -y dataset-fashion-mnist" in message                     # 2. Debian
    assert "python -m ae_helpers data" in message and "no internet" in message        # 3. download
    assert not any(cache.rglob("*-ubyte*"))


@pytest.mark.parametrize("name, damage, message", [
    ("train-images-idx3-ubyte", lambda gz: gz[:40], "truncated or corrupt.*--reinstall"),   # truncated .gz
    ("t10k-labels-idx1-ubyte", lambda gz: gzip.compress(b"not the labels"), "sha256"),       # wrong checksum
])
def test_a_bad_gz_gives_clear_error_and_leaves_nothing(fake_world, name, damage, message):
    debian, cache = fake_world
    target = debian / f"{name}.gz"
    target.write_bytes(damage(target.read_bytes()))
    with pytest.raises(data.CorruptDataError, match=message):
        data.ensure_data()
    raw = cache / "FashionMNIST" / "raw"
    assert not (raw / name).exists()
    assert not any(p.name.endswith(".part") for p in raw.iterdir())


def test_a_short_cached_file_is_not_trusted(fake_world):
    debian, cache = fake_world
    data.ensure_data()
    (cache / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte").write_bytes(b"short")
    assert "Debian" in data.ensure_data()  # re-unpacked from the package


def test_download_is_the_last_resort(fake_world, monkeypatch):
    debian, cache = fake_world
    for f in debian.iterdir():
        f.unlink()
    calls = []

    def fake_download(root):
        calls.append(root)
        raw = root / "FashionMNIST" / "raw"
        raw.mkdir(parents=True)
        for name in data.FILES:
            (raw / name).write_bytes(idx_bytes(name))

    monkeypatch.setattr(data, "_download", fake_download)
    assert data.ensure_data().startswith("downloaded")
    assert calls == [cache]


def test_real_data_matches_the_published_facts():
    train, test = data.fashion_mnist("train"), data.fashion_mnist("test")
    assert (len(train), len(test)) == (60000, 10000)
    x, y = data.as_tensors(test, limit=500)
    assert x.shape == (500, 1, 28, 28) and x.dtype.is_floating_point
    assert 0 <= x.min() and x.max() <= 1 and x.max() > 0.99
    assert set(y.tolist()) == set(range(10)) and len(data.CLASS_NAMES) == 10
    first = train[0][0]
    assert first.shape == (1, 28, 28) and abs(first - data.as_tensors(train, 1)[0][0]).max() == 0


def test_bad_split_name():
    with pytest.raises(ValueError, match="train"):
        data.fashion_mnist("validation")


@pytest.mark.parametrize("split, limit", [("train", None), ("train", 23_456), ("test", 7), ("test", 0)])
def test_load_reads_in_chunks_the_same_images_as_torchvision(split, limit, monkeypatch):
    """data.load converts the file LOAD_CHUNK images at a time: the result must equal torchvision's dataset
    (the reference reader), whatever the chunk size (a small one makes the test see many chunk edges)."""
    from torchvision.datasets import FashionMNIST

    monkeypatch.setattr(data, "LOAD_CHUNK", 4_999)
    images, labels = data.load(split, limit)
    reference = FashionMNIST(data.locate()[0], train=split == "train", download=False)
    n = len(reference.targets) if limit is None else limit
    assert images.shape == (n, 1, 28, 28) and images.dtype == torch.float32
    assert torch.equal(images, reference.data[:n].unsqueeze(1).float() / 255)
    assert torch.equal(labels, reference.targets[:n])


def test_batches_are_the_slices_of_load():
    images, labels = data.load("train", 25_001)
    parts = list(data.batches("train", 10_000, limit=25_001))
    assert [len(x) for x, _ in parts] == [10_000, 10_000, 5_001]
    assert torch.equal(torch.cat([x for x, _ in parts]), images)
    assert torch.equal(torch.cat([y for _, y in parts]), labels)
    assert sum(len(x) for x, _ in data.batches("test", 3_000)) == 10_000
    with pytest.raises(ValueError, match="size must be"):
        next(data.batches("test", 0))
    with pytest.raises(ValueError, match="split"):
        next(data.batches("validation"))
