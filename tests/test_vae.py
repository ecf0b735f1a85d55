"""Notebook 06's VAE as a shared course model: its loss against a hand-written reference, its frozen
architecture and checkpoint key, and ``pretrained(2, arch="vae")`` through the verified cache."""

import pickle

import pytest
import torch

from ae_helpers.checkpoint import CheckpointError, load_checkpoint, read_checkpoint, save_checkpoint
from ae_helpers.course_models import COURSE_MODELS, ModelConfig, check_report, checkpoint_path, pretrained
from ae_helpers.data import load
from ae_helpers.losses import bce, decoder_logits, vae_loss
from ae_helpers.models import VAE, Autoencoder, Decoder
from ae_helpers.training import train
from conftest import same_weights, tiny_config


def test_vae_loss_equals_a_hand_written_reference():
    """Reconstruction: notebook 04's BCE summed over each image's 784 pixels; KL: torch's N(mu, sigma) to N(0, I)."""
    torch.manual_seed(0)
    vae = VAE(2).eval()                                   # eval: the loss at each cloud's centre, no random draw
    x = torch.rand(6, 1, 28, 28)
    parts = vae_loss(vae, x, x)
    mu, logvar = vae.encode(x)
    x_hat = vae.decoder(mu)
    recon = torch.stack([bce(x[i], x_hat[i]) * 784 for i in range(len(x))]).mean()
    normal = torch.distributions.Normal
    kl = torch.distributions.kl_divergence(normal(mu, (0.5 * logvar).exp()), normal(0.0, 1.0)).sum(1).mean()
    torch.testing.assert_close(parts["reconstruction"], recon)
    torch.testing.assert_close(parts["kl"], kl)
    torch.testing.assert_close(parts["loss"], recon + kl)
    mean = vae_loss(vae, x, x, pixels="mean")
    torch.testing.assert_close(mean["reconstruction"], recon / 784)


def test_decoder_logits_are_the_decoder_before_its_sigmoid():
    decoder, z = Decoder(2), torch.randn(5, 2)
    torch.testing.assert_close(torch.sigmoid(decoder_logits(decoder, z)), decoder(z))


def test_vae_parameter_names_are_pinned():
    """The shared checkpoints store these names: changing the layers would orphan every cached VAE."""
    shapes = {k: tuple(v.shape) for k, v in VAE(2).state_dict().items()}
    decoder = {f"decoder.{k}": tuple(v.shape) for k, v in Decoder(2).state_dict().items()}
    assert shapes == {"body.1.weight": (256, 784), "body.1.bias": (256,), "body.3.weight": (128, 256),
                      "body.3.bias": (128,), "to_mu.weight": (2, 128), "to_mu.bias": (2,),
                      "to_logvar.weight": (2, 128), "to_logvar.bias": (2,), **decoder}
    assert VAE(2).history is None and VAE(3).latent_dim == 3


def test_the_vae_key_and_name_are_frozen_and_the_autoencoders_are_unchanged():
    config = ModelConfig.course(2, arch="vae", seed=0, quick=False)
    assert config.key() == {"arch": "vae", "arch_version": 1, "latent_dim": 2, "loss": "vae", "seed": 0,
                            "mode": "full", "epochs": 8, "batch_size": 256, "lr": 3e-3, "n_train": 12000}
    assert config.checkpoint_name() == "vae_2d_vae_full_ea17e14e63.safetensors"
    assert ModelConfig.course(2, arch="vae", seed=0, quick=True).key()["n_train"] == 4000
    assert ModelConfig.course(2, seed=0, quick=False).checkpoint_name() == "ae_2d_mse_full_1a56170856.safetensors"
    assert ModelConfig.course(2, seed=0, quick=False).loss == ModelConfig().loss == "mse"
    assert {"latent_dim": 2, "arch": "vae"} in COURSE_MODELS


@pytest.mark.parametrize("arch, loss", [("vae", "mse"), ("vae", "bce"), ("mlp", "vae"), ("conv", "vae")])
def test_the_vae_and_only_the_vae_trains_with_its_loss(arch, loss):
    with pytest.raises(ValueError, match='the VAE .* loss="vae"'):
        ModelConfig(arch=arch, loss=loss)


def test_pretrained_vae_trains_once_then_loads(tiny_cache):
    first = pretrained(config=tiny_config(2, arch="vae"), progress=False)
    files = list(tiny_cache.glob("*.safetensors"))
    assert len(files) == 1 and files[0].name.startswith("vae_2d_vae_quick_")
    stamp = files[0].stat().st_mtime_ns
    again = pretrained(config=tiny_config(2, arch="vae"), progress=False)
    assert files[0].stat().st_mtime_ns == stamp and same_weights(first, again)   # loaded, not retrained
    assert isinstance(again, VAE) and not again.training
    history = again.history
    assert 0 < history["test_mse"] < 0.2 and set(history["test"]) == {"loss", "reconstruction", "kl"}
    assert len(history["train_kl"]) == len(history["train"]) == tiny_config().epochs
    _, saved, _ = read_checkpoint(files[0])
    assert saved == tiny_config(2, arch="vae").key()
    x = load("test", 5)[0]
    mu, logvar = again.encode(x)                          # where each item hangs, and its cloud's spread
    images = again.decoder(mu)                            # Brian's copy, sewn at the centre
    assert mu.shape == logvar.shape == (5, 2) and images.shape == (5, 1, 28, 28)
    assert 0 <= images.min() and images.max() <= 1
    torch.testing.assert_close(images, again(x)[0])       # eval mode: forward decodes the centre


def test_pretrained_vae_is_what_the_notebook_call_trains(tiny_cache):
    """pretrained builds the VAE under torch.manual_seed(seed) and trains it with the call notebook 06 made
    (``train(vae, x_train, epochs=..., lr=..., loss=vae_loss, seed=SEED)``): the same weights, bit for bit."""
    config = tiny_config(2, arch="vae", lr=3e-3)
    torch.manual_seed(config.seed)
    by_hand = VAE(latent_dim=2)
    x_train, _ = load("train", config.n_train)
    train(by_hand, x_train, epochs=config.epochs, lr=config.lr, loss=vae_loss, seed=config.seed, progress=False)
    assert same_weights(pretrained(config=config, progress=False), by_hand)


@pytest.mark.parametrize("damage", ["truncate", "pickle", "autoencoder"])
def test_a_bad_vae_checkpoint_is_refused_and_replaced(tiny_cache, tmp_path, damage):
    config = tiny_config(2, arch="vae")
    good = pretrained(config=config, progress=False)
    path, marker = checkpoint_path(config), tmp_path / "code-ran"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:500])
    elif damage == "pickle":
        path.write_bytes(pickle.dumps(_Exploit(str(marker))))
    else:   # a plain autoencoder's checkpoint where the VAE's should be
        save_checkpoint(path, Autoencoder(2), tiny_config(2).key())
    with pytest.raises(CheckpointError):
        load_checkpoint(path, VAE(2), config.key())
    with pytest.warns(UserWarning, match="Not using the cached model .* training a new one"):
        again = pretrained(config=config, progress=False)
    assert same_weights(good, again) and not marker.exists()
    read_checkpoint(path)   # replaced by a valid one


def test_an_autoencoder_checkpoint_with_the_vae_key_does_not_fit(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", Autoencoder(2), tiny_config(2, arch="vae").key())
    with pytest.raises(CheckpointError, match="does not fit this model"):
        load_checkpoint(path, VAE(2), tiny_config(2, arch="vae").key())


def test_the_check_report_lists_the_vae(tiny_course):
    text, ok = check_report()
    assert ok and "quick latent_dim=2, arch=vae" in text and "full  latent_dim=2, arch=vae" in text
    pretrained(2, arch="vae", progress=False)
    text, ok = check_report()
    line = next(line for line in text.splitlines() if "quick latent_dim=2, arch=vae" in line)
    assert ok and " OK " in line and "vae_2d_vae_quick_" in line and "test MSE" in line


class _Exploit:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_the_command_line_trains_the_vae_and_refuses_another_loss_for_it(tiny_course, capsys):
    from ae_helpers.__main__ import main

    assert main(["train", "--arch", "vae", "--cache", str(tiny_course), "--quick"]) == 0
    assert "2D variational autoencoder (quick mode), test MSE per pixel: 0." in capsys.readouterr().out
    assert [p.name for p in tiny_course.glob("*.safetensors")] == [ModelConfig.course(2, arch="vae").checkpoint_name()]
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--arch", "vae", "--loss", "bce", "--cache", str(tiny_course)])
    assert exit_info.value.code == 2 and 'loss="vae"' in capsys.readouterr().err
