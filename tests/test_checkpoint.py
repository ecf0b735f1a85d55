"""Checkpoints: round trip, damage, foreign files, other configurations, concurrency."""

import os
import pickle
import subprocess
import sys
import textwrap

import pytest
import torch

from ae_helpers import checkpoint
from ae_helpers.checkpoint import CheckpointError, load_checkpoint, read_checkpoint, save_checkpoint
from ae_helpers.course_models import checkpoint_path, pretrained
from ae_helpers.models import Autoencoder
from conftest import same_weights, tiny_config

CONFIG = {"latent_dim": 2, "note": "test"}


def model_with_seed(seed, latent_dim=2):
    torch.manual_seed(seed)
    return Autoencoder(latent_dim, hidden=(8, 8))


def test_round_trip(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", model_with_seed(0), CONFIG, extra={"test_mse": 0.5})
    fresh = model_with_seed(1)
    assert load_checkpoint(path, fresh, CONFIG) == {"test_mse": 0.5}
    assert same_weights(fresh, model_with_seed(0))
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temp files left


def test_truncated_file_is_detected(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", model_with_seed(0), CONFIG)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="truncated or foreign"):
        read_checkpoint(path)


def test_changed_weights_fail_the_checksum(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", model_with_seed(0), CONFIG)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(CheckpointError, match="checksum"):
        read_checkpoint(path)


def test_other_configuration_is_refused(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", model_with_seed(0), CONFIG)
    with pytest.raises(CheckpointError, match="trained with"):
        load_checkpoint(path, model_with_seed(0), {**CONFIG, "latent_dim": 3})


def test_foreign_safetensors_file_is_refused(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "m.safetensors"
    save_file(model_with_seed(0).state_dict(), str(path))
    with pytest.raises(CheckpointError, match="not an ae_helpers checkpoint"):
        read_checkpoint(path)


class Exploit:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "m.safetensors"
    with open(path, "wb") as f:
        pickle.dump({"weights": Exploit(str(marker))}, f)
    with pytest.raises(CheckpointError):
        read_checkpoint(path)
    assert not marker.exists()


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = save_checkpoint(tmp_path / "m.safetensors", model_with_seed(0), CONFIG)
    before = path.read_bytes()

    def power_cut(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint.os, "fsync", power_cut)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, model_with_seed(1), CONFIG)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_pretrained_trains_once_then_loads(tiny_cache):
    first = pretrained(config=tiny_config(), progress=False)
    files = list(tiny_cache.glob("*.safetensors"))
    assert len(files) == 1 and "quick" in files[0].name
    stamp = files[0].stat().st_mtime_ns
    second = pretrained(config=tiny_config(), progress=False)
    assert files[0].stat().st_mtime_ns == stamp  # loaded, not retrained
    assert same_weights(first, second)
    assert 0 < second.history["test_mse"] < 0.2 and not second.training


@pytest.mark.parametrize("damage", ["truncate", "pickle", "other-config"])
def test_pretrained_replaces_a_bad_checkpoint_with_a_warning(tiny_cache, tmp_path, damage):
    good = pretrained(config=tiny_config(), progress=False)
    path = checkpoint_path(tiny_config())
    marker = tmp_path / "code-ran"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:500])
    elif damage == "pickle":
        path.write_bytes(pickle.dumps(Exploit(str(marker))))
    else:
        save_checkpoint(path, model_with_seed(0), {"latent_dim": 2, "something": "else"})
    with pytest.warns(UserWarning, match="training a new one"):
        again = pretrained(config=tiny_config(), progress=False)
    assert same_weights(good, again)  # deterministic retraining
    assert not marker.exists()
    read_checkpoint(path)  # the file was replaced by a valid one


def test_two_processes_at_once_leave_one_valid_checkpoint(tiny_cache):
    script = textwrap.dedent("""
        import hashlib, sys
        from ae_helpers.course_models import ModelConfig, pretrained
        m = pretrained(config=ModelConfig(mode="quick", epochs=2, n_train=1024), progress=False)
        h = hashlib.sha256(b"".join(v.numpy().tobytes() for v in m.state_dict().values()))
        print(h.hexdigest())
    """)
    env = {**os.environ, "AE_CACHE_DIR": str(tiny_cache), "AE_QUICK": "1", "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    assert results[0][0] == results[1][0]
    files = sorted(p.name for p in tiny_cache.iterdir() if not p.name.endswith(".lock"))
    assert len(files) == 1, files
    read_checkpoint(tiny_cache / files[0])


def _rng_states():
    import random

    import numpy as np

    return torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate()


def test_pretrained_leaves_the_global_random_state_as_it_found_it(tiny_cache):
    """Training (first call) and loading (second call) leave the same state: the caller's."""
    import random

    import numpy as np

    for _ in ("trains", "loads"):
        torch.manual_seed(42)
        np.random.seed(42)
        random.seed(42)
        before = _rng_states()
        pretrained(config=tiny_config(), progress=False)
        after = _rng_states()
        assert torch.equal(before[0], after[0]) and (before[1] == after[1]).all() and before[2] == after[2]
