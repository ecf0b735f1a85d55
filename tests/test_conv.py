"""The convolutional autoencoder: shapes, its place in the checkpoint cache, and that the
MLP's checkpoints keep exactly the names (and configurations) they had before it existed."""

import json

import pytest
import torch

from ae_helpers.checkpoint import read_checkpoint
from ae_helpers.course_models import ModelConfig, checkpoint_path, pretrained
from ae_helpers.models import ConvAutoencoder
from conftest import tiny_config

#: The shared cache's file names for the MLP (full mode, seed 0). Pinned: they must never change.
MLP_NAMES = {2: "ae_2d_mse_full_1a56170856.safetensors", 4: "ae_4d_mse_full_b27cddd3f3.safetensors",
             8: "ae_8d_mse_full_f42a046cbd.safetensors", 16: "ae_16d_mse_full_549493c7d7.safetensors",
             32: "ae_32d_mse_full_592fcca5be.safetensors"}


@pytest.mark.parametrize("upsampling", ["nearest", "transposed"])
@pytest.mark.parametrize("latent_dim", [2, 16])
def test_shapes_and_range(latent_dim, upsampling):
    torch.manual_seed(0)
    model = ConvAutoencoder(latent_dim, channels=(4, 8), upsampling=upsampling).eval()
    x = torch.rand(5, 1, 28, 28)
    z = model.encode(x)
    assert z.shape == (5, latent_dim)
    out = model.decode(z * 100)
    assert out.shape == (5, 1, 28, 28) and out.min() >= 0 and out.max() <= 1
    assert model(x).shape == x.shape
    assert model.encode(x.flatten(1)).shape == (5, latent_dim)   # flat images too, as for the MLP
    with pytest.raises(ValueError, match=rf"\({latent_dim},\) or \(N, {latent_dim}\)"):
        model.decode(torch.zeros(2, latent_dim + 1))


def test_channels_last_layout_is_the_same_maths():
    """The model stores its filters channels-last (the fast layout on CPUs); the numbers are those of the
    ordinary layout, and the model accepts ordinary images."""
    import copy

    torch.manual_seed(0)
    model = ConvAutoencoder(16).eval()
    filters = [m.weight for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    assert len(filters) == 4 and all(w.is_contiguous(memory_format=torch.channels_last) for w in filters)
    ordinary = copy.deepcopy(model).to(memory_format=torch.contiguous_format)
    assert not ordinary.encoder[3].weight.is_contiguous(memory_format=torch.channels_last)   # 16 -> 64 filters
    x = torch.rand(8, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(model(x), ordinary(x), atol=1e-6)
        assert torch.allclose(model.encode(x), ordinary.encode(x), atol=1e-5)


def test_fewer_weights_than_the_mlp_at_16_dimensions():
    from ae_helpers.models import Autoencoder

    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(ConvAutoencoder(16)) < count(Autoencoder(16)) / 2


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="upsampling"):
        ConvAutoencoder(2, upsampling="bilinear")
    with pytest.raises(ValueError, match="latent_dim"):
        ConvAutoencoder(0)
    with pytest.raises(ValueError, match="arch must be one of 'mlp', 'conv'"):
        ModelConfig.course(2, arch="resnet")


#: The full-mode names of the shared caches for the seeds 1 and 2, and of notebook 08's conv models.
SEED_NAMES = {(1, 2): "ae_2d_mse_full_79cf0aa77f", (1, 4): "ae_4d_mse_full_522c15faf9",
              (1, 8): "ae_8d_mse_full_55cbaf7110", (1, 16): "ae_16d_mse_full_2d5eda2f72",
              (1, 32): "ae_32d_mse_full_407da169e1", (2, 2): "ae_2d_mse_full_86ab2e1968",
              (2, 4): "ae_4d_mse_full_f9fa440f78", (2, 8): "ae_8d_mse_full_74e5eb3e0e",
              (2, 16): "ae_16d_mse_full_93d63513d0", (2, 32): "ae_32d_mse_full_07f571a8a4"}
CONV_NAMES = {2: "convae_2d_mse_full_3fedc5d2b5", 16: "convae_16d_mse_full_b18c7efc6f"}


def test_mlp_checkpoint_names_and_configs_are_unchanged(monkeypatch, tmp_path):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("AE_SEED", raising=False)
    for (seed, dim), name in SEED_NAMES.items():
        assert ModelConfig.course(dim, seed=seed, quick=False).checkpoint_name() == name + ".safetensors"
    for dim, name in CONV_NAMES.items():
        assert ModelConfig.course(dim, arch="conv", seed=0, quick=False).checkpoint_name() == name + ".safetensors"
    for dim, name in MLP_NAMES.items():
        assert checkpoint_path(ModelConfig.course(dim, quick=False)).name == name
        assert checkpoint_path(ModelConfig.course(dim, quick=False, arch="mlp")).name == name
    assert ModelConfig.course(16, quick=False).key() == {
        "arch_version": 1, "latent_dim": 16, "hidden": [256, 128], "linear": False, "loss": "mse",
        "seed": 0, "mode": "full", "epochs": 24, "batch_size": 256, "lr": 5e-3, "n_train": 60000}


@pytest.mark.parametrize("quick", [False, True])
def test_mlp_and_conv_checkpoints_never_collide(monkeypatch, tmp_path, quick):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))
    configs = [ModelConfig.course(d, quick=quick, arch=a) for a in ("mlp", "conv") for d in (2, 4, 8, 16, 32)]
    assert len({checkpoint_path(c) for c in configs}) == len(configs)
    conv = ModelConfig.course(16, quick=quick, arch="conv")
    assert conv.key()["arch"] == "conv" and checkpoint_path(conv).name.startswith("convae_16d_")


def test_pretrained_conv_trains_once_then_loads(tiny_cache):
    mlp = pretrained(config=tiny_config(2), progress=False)
    conv = pretrained(config=tiny_config(2, arch="conv"), progress=False)
    assert isinstance(conv, ConvAutoencoder) and not isinstance(mlp, ConvAutoencoder)
    assert conv.channels == (4, 8)
    files = sorted(p.name for p in tiny_cache.glob("*.safetensors"))
    assert len(files) == 2 and files[0].startswith("ae_2d_") and files[1].startswith("convae_2d_")
    _, saved, extra = read_checkpoint(tiny_cache / files[1])
    assert saved == json.loads(json.dumps(tiny_config(2, arch="conv").key()))
    assert extra["test_mse"] > 0
    again = pretrained(config=tiny_config(2, arch="conv"), progress=False)
    x = torch.rand(3, 1, 28, 28)
    assert torch.equal(again(x), conv(x))
