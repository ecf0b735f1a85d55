"""Shapes, ranges and input checks of the autoencoder, and a linear one against PCA."""

import math

import pytest
import torch

from ae_helpers.latent import pca_mse
from ae_helpers.models import Autoencoder, AutoencoderBase, ConvAutoencoder, Decoder, Encoder, LinearAutoencoder
from ae_helpers.training import evaluate, train


@pytest.mark.parametrize("latent_dim", [2, 16])
def test_shapes_and_range(latent_dim):
    torch.manual_seed(0)
    model = Autoencoder(latent_dim)
    x = torch.rand(5, 1, 28, 28)
    z = model.encode(x)
    assert z.shape == (5, latent_dim)
    out = model.decode(z * 100)  # far outside the data: still valid pixels
    assert out.shape == (5, 1, 28, 28)
    assert out.min() >= 0 and out.max() <= 1
    assert model(x).shape == x.shape
    assert isinstance(model.encoder, Encoder) and isinstance(model.decoder, Decoder)


def test_a_subclass_that_provides_what_autoencoderbase_asks_for_is_a_whole_autoencoder():
    class Tiny(AutoencoderBase):  # exactly what the docstring asks of a subclass: latent_dim, encoder, decoder
        def __init__(self):
            super().__init__()
            self.latent_dim = 3
            self.encoder = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 3))
            self.decoder = torch.nn.Sequential(torch.nn.Linear(3, 784), torch.nn.Unflatten(1, (1, 28, 28)))

    model = Tiny()
    assert model.encode(torch.rand(2, 784)).shape == (2, 3) and model.decode([0.0, 1.0, 2.0]).shape == (1, 1, 28, 28)
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 1, 28, 28) and model.history is None
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        model.decode(torch.zeros(2, 2))
    assert all(issubclass(c, AutoencoderBase) for c in (Autoencoder, LinearAutoencoder, ConvAutoencoder))


def test_encode_accepts_flat_images_and_rejects_others():
    model = Autoencoder(2)
    assert model.encode(torch.rand(3, 784)).shape == (3, 2)
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        model.encode(torch.rand(3, 1, 32, 32))


def test_decode_accepts_one_vector_and_lists():
    model = Autoencoder(2)
    assert model.decode([0.5, -1.0]).shape == (1, 1, 28, 28)
    assert model.decode(torch.zeros(4, 2)).shape == (4, 1, 28, 28)


@pytest.mark.parametrize("z", [torch.zeros(3), torch.zeros(4, 3), torch.zeros(2, 2, 2), torch.zeros(0)])
def test_decode_rejects_wrong_shapes(z):
    with pytest.raises(ValueError, match=r"expects z of shape \(2,\) or \(N, 2\)") as err:
        Autoencoder(2).decode(z)
    assert str(tuple(z.shape)) in str(err.value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_decode_rejects_nan_and_inf(bad):
    with pytest.raises(ValueError, match="NaN or infinity"):
        Autoencoder(2).decode([[0.0, 1.0], [bad, 0.0]])


def test_decode_rejects_text():
    with pytest.raises(ValueError, match="numbers"):
        Autoencoder(2).decode("left")


def test_latent_dim_must_be_positive():
    with pytest.raises(ValueError):
        Autoencoder(0)


def test_state_dict_keys_are_pinned():
    """The shared checkpoints store these names: changing the layers' order would orphan every cache."""
    shapes = {k: tuple(v.shape) for k, v in Autoencoder(2).state_dict().items()}
    assert shapes == {
        "encoder.1.weight": (256, 784), "encoder.1.bias": (256,), "encoder.3.weight": (128, 256),
        "encoder.3.bias": (128,), "encoder.5.weight": (2, 128), "encoder.5.bias": (2,),
        "decoder.0.weight": (128, 2), "decoder.0.bias": (128,), "decoder.2.weight": (256, 128),
        "decoder.2.bias": (256,), "decoder.4.weight": (784, 256), "decoder.4.bias": (784,)}
    assert Autoencoder(2).history is None  # declared: only pretrained() models carry one


def test_hidden_needs_two_widths():
    assert Autoencoder(3, hidden=(16, 8)).encode(torch.rand(2, 784)).shape == (2, 3)
    with pytest.raises(ValueError, match="two hidden layers"):
        Encoder(2, hidden=(32,))


def test_linear_autoencoder_approaches_pca(real_data):
    x_train, _, x_test, _ = real_data
    pca = pca_mse(x_train, x_test, 2)
    assert 0.040 < pca < 0.055  # GUIDE: PCA-2 on the full sets reconstructs with MSE 0.0461
    model = LinearAutoencoder(2)
    assert not any(isinstance(m, (torch.nn.ReLU, torch.nn.Sigmoid)) for m in model.modules())
    train(model, x_train, epochs=20, batch_size=64, lr=1e-2, progress=False)
    ratio = evaluate(model, x_test) / pca
    assert ratio < 1.10, f"linear AE error is {ratio:.3f} x PCA-2's"
