"""Reconstruction losses written out by hand, exactly as on the slide.

For an input x and its reconstruction x' (pixels in [0, 1]):

* MSE  L = 1/N * sum (x - x')^2                          (mean over all pixels)
* BCE  L = -sum [x log x' + (1 - x) log(1 - x')]          (here averaged over pixels too,
  like ``torch.nn.functional.binary_cross_entropy``, so the two are on one scale)
* BCE from logits l (x' = sigmoid(l)): the same loss, written so that it never rounds
  (like ``torch.nn.functional.binary_cross_entropy_with_logits``): the numerically stable way to train with BCE

Goal: minimise L, so that x' ~ x.

Notebook 06's VAE trains with :func:`vae_loss`: that BCE, from the decoder's logits (:func:`decoder_logits`) and
summed over each image's pixels, plus the KL term.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

#: torch clamps log(0) to -100; we do the same. Clamping x' away from 0 first (to the smallest
#: float32, whose log is below -100) keeps the gradient finite when a sigmoid outputs exactly 0 or 1.
_TINY = 1e-45


def mse(x: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
    """Mean squared error: the average of (x - x')^2 over every pixel."""
    return ((x - x_hat) ** 2).mean()


def bce(x: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy, averaged over every pixel; x is the target, x' the prediction."""
    log_p = torch.log(x_hat.clamp(min=_TINY)).clamp(min=-100.0)
    log_not_p = torch.log((1 - x_hat).clamp(min=_TINY)).clamp(min=-100.0)
    return -(x * log_p + (1 - x) * log_not_p).mean()


def bce_with_logits(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """BCE computed from the decoder's logits (its output before the sigmoid), averaged over every pixel.

    The same value as ``bce(x, sigmoid(logits))``, but never rounds: for any logit l,
    -[x log sigmoid(l) + (1 - x) log(1 - sigmoid(l))] = max(l, 0) - l * x + log(1 + exp(-|l|)).
    """
    return (logits.clamp(min=0) - logits * x + torch.log1p(torch.exp(-logits.abs()))).mean()



def decoder_logits(decoder, z):
    # the decoder without its final Sigmoid (notebook 04's without_sigmoid): logits, from which BCE never rounds
    return nn.Sequential(*[layer for layer in decoder if not isinstance(layer, nn.Sigmoid)])(z)


def vae_loss(model, inputs, target, pixels="sum"):
    # per image: reconstruction (BCE over the 784 pixels from the logits, summed; "mean" = notebook 04's average)
    # + KL of the item's cloud to N(0, I)
    mu, logvar = model.encode(inputs)
    logits = decoder_logits(model.decoder, model.pick(mu, logvar))
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none").flatten(1)   # (batch, 784)
    reconstruction = (bce.sum(1) if pixels == "sum" else bce.mean(1)).mean()
    kl = (0.5 * (mu**2 + logvar.exp() - logvar - 1)).sum(1).mean()
    return {"loss": reconstruction + kl, "reconstruction": reconstruction, "kl": kl}
