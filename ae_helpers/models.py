"""The autoencoder: an encoder that squeezes 784 pixels into a few numbers, and a
decoder (Brian, whose sewing machine is its learned weights) that rebuilds the image from
those numbers.

* :class:`Autoencoder` (:class:`Encoder` + :class:`Decoder`): the course's model, two small multilayer
  perceptrons, chosen because they train to a good 2D wardrobe in under a minute on a 2-core laptop CPU
  (see benchmarks/);
* :class:`LinearAutoencoder`: one linear layer each way, PCA's rival (notebook 08);
* :class:`ConvAutoencoder`: convolutions instead of fully connected layers (notebook 08).

All three are :class:`AutoencoderBase`: the same ``encode``, ``decode`` and ``forward``.
:class:`VAE` (notebook 06's variational autoencoder) is not: its ``encode`` gives each item a cloud (``mu``,
``logvar``); its ``decoder`` is the same :class:`Decoder`. Its loss is ``losses.vae_loss``.
"""

from __future__ import annotations

import torch
from torch import nn

IMAGE_SHAPE = (1, 28, 28)
N_PIXELS = 28 * 28
HIDDEN = (256, 128)  #: the widths of the hidden layers of Encoder and Decoder (part of the checkpoint key)
CHANNELS = (16, 64)  #: ConvAutoencoder's filters after its first and second convolution (part of the key)


class Encoder(nn.Sequential):
    """Image x (N, 1, 28, 28) -> latent code z (N, latent_dim): where the item hangs in the wardrobe.

    ``hidden``: the widths of the two hidden layers (default 256 and 128).
    """

    def __init__(self, latent_dim: int = 2, hidden=HIDDEN):
        h1, h2 = _widths(hidden)
        super().__init__(                   # x: (N, 1, 28, 28)
            nn.Flatten(),                   # (N, 784): one row of 784 pixels per image
            nn.Linear(784, h1), nn.ReLU(),  # (N, 256)
            nn.Linear(h1, h2), nn.ReLU(),   # (N, 128)
            nn.Linear(h2, latent_dim),      # z: (N, latent_dim), no activation: any number is a place
        )


class Decoder(nn.Sequential):
    """Latent code z (N, latent_dim) -> image x' (N, 1, 28, 28) with pixels in [0, 1]: Brian sews the item.

    The encoder's layers in reverse: ``hidden`` as for the ``Encoder`` (784 -> 256 -> 128), here run 128 -> 256 -> 784.
    """

    def __init__(self, latent_dim: int = 2, hidden=HIDDEN):
        h1, h2 = _widths(hidden)
        super().__init__(                          # z: (N, latent_dim)
            nn.Linear(latent_dim, h2), nn.ReLU(),  # (N, 128)
            nn.Linear(h2, h1), nn.ReLU(),          # (N, 256)
            nn.Linear(h1, 784),                    # (N, 784)
            nn.Sigmoid(),                          # every pixel squashed into [0, 1], the range of real pixels
            nn.Unflatten(1, (1, 28, 28)),          # x': (N, 1, 28, 28)
        )


def _widths(hidden) -> tuple[int, int]:
    widths = tuple(int(h) for h in hidden)
    if len(widths) != 2 or min(widths) < 1:
        raise ValueError(f"hidden must be the widths of the two hidden layers, e.g. (256, 128); got {hidden!r}")
    return widths


def _check_latent_dim(latent_dim) -> int:
    if int(latent_dim) != latent_dim or latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive whole number, got {latent_dim!r}")
    return int(latent_dim)


class AutoencoderBase(nn.Module):
    """What every autoencoder here shares: ``forward``, ``encode``, ``decode`` (with clear errors for wrong
    shapes) and ``history``.

    A subclass provides, in its ``__init__``: ``self.latent_dim`` (numbers per code), ``self.encoder`` (a module:
    images (N, 1, 28, 28) -> codes (N, latent_dim)) and ``self.decoder`` (codes (N, latent_dim) -> images
    (N, 1, 28, 28)).
    """

    latent_dim: int
    #: How the model was trained, for a model from ``pretrained()``: ``{"train": [loss per epoch], "val": [...],
    #: "seconds": s, "test": test loss, "test_mse": test MSE per pixel}``; ``None`` for a model you built yourself.
    history: dict | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images (N, 1, 28, 28) or (N, 784) -> codes (N, latent_dim)."""
        x = torch.as_tensor(x, dtype=torch.float32)
        if x.dim() == 2 and x.shape[1] == N_PIXELS:
            x = x.view(-1, *IMAGE_SHAPE)
        if x.dim() == 3 and tuple(x.shape) == IMAGE_SHAPE:
            x = x.unsqueeze(0)
        if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"encode expects images of shape (N, 1, 28, 28), got {tuple(x.shape)}")
        return self.encoder(x)

    def check_z(self, z) -> torch.Tensor:
        """Return ``z`` as a float tensor of shape (N, latent_dim), or raise ``ValueError``."""
        d = self.latent_dim
        try:
            z = torch.as_tensor(z, dtype=torch.float32)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"z must be numbers, shape ({d},) or (N, {d}); got {z!r}") from exc
        shape = tuple(z.shape)
        if z.dim() == 1:
            z = z.unsqueeze(0)
        if z.dim() != 2 or z.shape[1] != d:
            raise ValueError(
                f"This decoder expects z of shape ({d},) or (N, {d}) "
                f"({d} coordinates per item), got shape {shape}.")
        if not torch.isfinite(z).all():
            bad = (~torch.isfinite(z)).nonzero()[0].tolist()
            raise ValueError(
                f"z contains NaN or infinity (first at index {tuple(bad)}); every coordinate "
                "must be a finite number, e.g. a point inside the latent map.")
        return z

    def decode(self, z) -> torch.Tensor:
        """Codes (N, latent_dim) or one code (latent_dim,) -> images (N, 1, 28, 28) in [0, 1]."""
        return self.decoder(self.check_z(z))


class Autoencoder(AutoencoderBase):
    """Encoder + decoder. ``model(x)`` returns the reconstruction x'."""

    def __init__(self, latent_dim: int = 2, hidden=HIDDEN):
        super().__init__()
        self.latent_dim = _check_latent_dim(latent_dim)
        self.encoder = Encoder(self.latent_dim, hidden)
        self.decoder = Decoder(self.latent_dim, hidden)


class LinearAutoencoder(AutoencoderBase):
    """The simplest autoencoder: one straight-line (linear) layer each way, no ReLU, no sigmoid.

    Trained with MSE, it finds the same subspace as PCA (notebook 08). Its output is not limited to [0, 1].
    """

    def __init__(self, latent_dim: int = 2):
        super().__init__()
        self.latent_dim = _check_latent_dim(latent_dim)
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, self.latent_dim))  # x (N, 1, 28, 28) -> z
        self.decoder = nn.Sequential(nn.Linear(self.latent_dim, 784),               # z -> (N, 784)
                                     nn.Unflatten(1, (1, 28, 28)))                  # x': (N, 1, 28, 28)


def _up(c_in: int, c_out: int, upsampling: str) -> nn.Module:
    """Double the height and width: 7x7 -> 14x14 -> 28x28."""
    if upsampling == "transposed":   # learned upsampling; kernel 4 = 2 x stride, so the overlap is even
        return nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1)
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, c_out, 3, padding=1))


class ConvAutoencoder(AutoencoderBase):
    """An autoencoder whose encoder and decoder look at 3x3 neighbourhoods of pixels.

    The same 3x3 filters slide over every position (weight sharing), so a pattern learned at one
    place is recognised everywhere, e.g. 2 pixels to the left, with far fewer weights than a
    fully connected layer. ``upsampling`` is "transposed" (transposed convolutions with kernel 4,
    stride 2: what the course ships, see notebook 08) or "nearest" (upsample, then convolve).
    ``channels``: the number of filters after the first and the second convolution.
    """

    def __init__(self, latent_dim: int = 2, channels=CHANNELS, upsampling: str = "transposed"):
        super().__init__()
        if upsampling not in ("nearest", "transposed"):
            raise ValueError(f'upsampling must be "nearest" or "transposed", got {upsampling!r}')
        self.latent_dim = _check_latent_dim(latent_dim)
        self.channels = tuple(int(c) for c in channels)
        self.upsampling = upsampling
        c1, c2 = self.channels
        self.encoder = nn.Sequential(                                    # x: (N, 1, 28, 28)
            nn.Conv2d(1, c1, 3, stride=2, padding=1), nn.BatchNorm2d(c1), nn.ReLU(),   # (N, c1, 14, 14)
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.BatchNorm2d(c2), nn.ReLU(),  # (N, c2, 7, 7)
            nn.Flatten(),                                                # (N, c2 * 49)
            nn.Linear(c2 * 49, self.latent_dim))                         # z: (N, latent_dim)
        self.decoder = nn.Sequential(                                    # z: (N, latent_dim)
            nn.Linear(self.latent_dim, c2 * 49), nn.ReLU(),              # (N, c2 * 49)
            nn.Unflatten(1, (c2, 7, 7)),                                 # (N, c2, 7, 7)
            _up(c2, c1, upsampling), nn.BatchNorm2d(c1), nn.ReLU(),      # (N, c1, 14, 14)
            _up(c1, 1, upsampling), nn.Sigmoid())                        # x': (N, 1, 28, 28) in [0, 1]
        self.to(memory_format=torch.channels_last)   # each pixel's channels side by side: same maths, faster on CPUs


class VAE(nn.Module):
    """Notebook 06's variational autoencoder: each item gets a cloud (centre mu, spread logvar) in the wardrobe."""

    history: dict | None = None   # as AutoencoderBase.history: set for a model from pretrained(2, arch="vae")

    def __init__(self, latent_dim=2):
        super().__init__()
        self.latent_dim = latent_dim
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU())
        self.to_mu = nn.Linear(128, latent_dim)          # centre of the item's cloud
        self.to_logvar = nn.Linear(128, latent_dim)      # log sigma^2: its spread (log keeps sigma > 0)
        self.decoder = Decoder(latent_dim)               # the same decoder as the plain autoencoder

    def encode(self, x):
        h = self.body(x)
        return self.to_mu(h), self.to_logvar(h)

    def pick(self, mu, logvar):
        if self.training:                                # a random point of the cloud ...
            return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return mu                                        # ... its centre when testing

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decoder(self.pick(mu, logvar)), mu, logvar
