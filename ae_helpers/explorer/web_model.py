"""A 2D model's networks as the in-browser explorer carries them (:mod:`ae_helpers.explorer.web`).

Each network is a list of dense layers ``{"in", "out", "act", "w", "b"}``: float32, little-endian, base64, each
weight matrix row-major ``(out, in)`` like torch's ``nn.Linear.weight``; ``act`` is ``"relu"``, ``"sigmoid"`` or
``"none"``. The page runs them with plain multiply-adds (``slides/explorer/explorer.js``).

Two kinds of model: the plain autoencoder (``model.encode(x) -> z``) and the VAE (``model.encode(x) -> (mu,
logvar)``): where a VAE hangs an item is ``mu``, and its copy is ``decoder(mu)``. ``two_d`` (from
:mod:`~ae_helpers.explorer.wardrobes`, the explorer's own view of a model) wraps either as one thing with
``encode(x) -> z`` and ``decode(z)``; :func:`encoder_layers` exports the layers that compute that ``z`` (for a VAE
the ``mu`` rows only) and checks them against the model before it returns.
"""

from __future__ import annotations

import base64

import numpy as np
import torch
from torch import nn

from .wardrobes import TwoD, is_vae, two_d  # noqa: F401  (re-exported: how the page sees a 2D model)

ACTS = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid"}
_SKIP = (nn.Unflatten, nn.Flatten, nn.Identity)


def b64(array: np.ndarray, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def unb64(text: str, dtype) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def dense_layers(modules, what: str) -> list[dict]:
    """Dense layers with their activations (weights as numpy float32) from a sequence of modules."""
    layers = []
    for module in modules:
        if isinstance(module, nn.Linear):
            layers.append({"in": module.in_features, "out": module.out_features, "act": "none",
                           "weight": module.weight.detach().float().numpy(),
                           "bias": module.bias.detach().float().numpy()})
        elif type(module) in ACTS and layers and layers[-1]["act"] == "none":
            layers[-1]["act"] = ACTS[type(module)]
        elif isinstance(module, nn.Sequential):
            layers += dense_layers(module, what)
        elif not isinstance(module, _SKIP):
            raise ValueError(f"the browser explorer knows dense layers, ReLU and sigmoid only; this {what} "
                             f"has {module!r}")
    return layers


def decoder_layers(model) -> list[dict]:
    """The decoder as dense layers: ``[{"in", "out", "act", "weight" (out, in), "bias"}]``, float32."""
    layers = dense_layers(two_d(model).decoder, "decoder")
    if not layers or layers[0]["in"] != 2:
        raise ValueError("the browser explorer needs a decoder of a 2D latent space (pretrained(2))")
    return layers


def encoder_layers(model) -> list[dict]:
    """The layers that compute where an item hangs (784 pixels -> z, 2 numbers): the encoder's; for a VAE
    whose encoder ends in ``mu`` and ``logvar`` side by side, the ``mu`` rows of its last layer. Checked against
    the model's own ``encode`` (a VAE's ``mu``) on random images: a model the page cannot run is refused."""
    wrapped = two_d(model)
    body = getattr(wrapped.model, "encoder", None) or getattr(wrapped.model, "body", None)  # (a VAE: body)
    modules = list(body.children()) if isinstance(body, nn.Module) else []
    for head in ("to_mu", "mu", "fc_mu"):  # a VAE with a separate mu head after a shared body
        if isinstance(getattr(wrapped.model, head, None), nn.Module):
            modules.append(getattr(wrapped.model, head))
    layers = dense_layers(modules, "encoder")
    if not layers or layers[0]["in"] != 784:
        raise ValueError("the browser explorer needs an encoder of 784 pixels made of dense layers")
    last = layers[-1]
    if last["out"] == 4 and wrapped.vae:  # (mu, logvar) in one layer: keep mu's rows
        last.update(out=2, weight=last["weight"][:2], bias=last["bias"][:2])
    x = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        want = wrapped.encode(x).reshape(8, -1)
        got = run_layers(layers, x.reshape(8, 784))
    if got.shape != want.shape or not torch.allclose(got, want, atol=1e-5):
        raise ValueError("the browser explorer could not read this model's encoder as dense layers that give "
                         "its 2D code (or a VAE's mu)")
    return layers


def run_layers(layers, x) -> torch.Tensor:
    """torch's arithmetic on exported layers (numpy weights, or the page's base64 ``w``/``b``)."""
    for L in layers:
        w = L["weight"] if "weight" in L else unb64(L["w"], "<f4").reshape(L["out"], L["in"])
        b = L["bias"] if "bias" in L else unb64(L["b"], "<f4")
        x = nn.functional.linear(x, torch.from_numpy(np.array(w)), torch.from_numpy(np.array(b)))
        x = {"relu": torch.relu, "sigmoid": torch.sigmoid, "none": lambda t: t}[L["act"]](x)
    return x


def page_layers(layers) -> list[dict]:
    """Layers as the page reads them (base64 weights)."""
    return [{"in": L["in"], "out": L["out"], "act": L["act"], "w": b64(L["weight"], "<f4"),
             "b": b64(L["bias"], "<f4")} for L in layers]


def network_from_data(layers) -> nn.Sequential:
    """A torch network built from exported (base64) layers: checks the export round trip."""
    modules = []
    for L in layers:
        lin = nn.Linear(L["in"], L["out"])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(unb64(L["w"], "<f4").reshape(L["out"], L["in"]).copy()))
            lin.bias.copy_(torch.from_numpy(unb64(L["b"], "<f4").copy()))
        modules.append(lin)
        modules += {"relu": [nn.ReLU()], "sigmoid": [nn.Sigmoid()], "none": []}[L["act"]]
    return nn.Sequential(*modules).eval()
