"""Exercises of notebook 02 (the encoder): write the encoder as nn.Sequential; count its learned numbers."""

from __future__ import annotations

import torch
from torch import nn

from .core import Exercise, Mistake, call, number, real_images, shape_of, shared_model

SIZES = (784, 256, 128, 2)


def _linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def _check_encoder(enc):
    if not isinstance(enc, nn.Module):
        raise Mistake(f"expected a network (nn.Sequential(...)), got {type(enc).__name__}")
    linears = _linears(enc)
    sizes = [linears[0].in_features, *[m.out_features for m in linears]] if linears else []
    if tuple(sizes) != SIZES:
        raise Mistake(f"your Linear layers go {' -> '.join(map(str, sizes)) or '(none)'}; the course's encoder goes "
                      f"{' -> '.join(map(str, SIZES))} (three Linear layers)")
    layers = list(enc.children()) if isinstance(enc, nn.Sequential) else []
    if layers and isinstance(layers[-1], nn.ReLU):
        raise Mistake("there is a ReLU after the last Linear layer: it would turn every negative coordinate "
                      "into 0 and squash the wardrobe onto its walls. End with Linear(128, 2)")
    n_relu = sum(isinstance(m, nn.ReLU) for m in enc.modules())
    if n_relu < 2:
        raise Mistake(f"found {n_relu} ReLU: put one after the first and after the second Linear layer, "
                      "otherwise the three layers together are just one straight-line (linear) squeeze")
    x, _ = real_images(16)
    with torch.no_grad():
        z = call(enc, x, expects="16 real test images of shape (16, 1, 28, 28)")
    if shape_of(z) != (16, 2):
        raise Mistake(f"for 16 images of shape (16, 1, 28, 28) your encoder returns shape {shape_of(z)}, "
                      "expected (16, 2): 2 numbers per image")
    n = sum(p.numel() for p in enc.parameters())
    course = shared_model(2).encoder
    try:   # the course's trained weights in the student's layers: the same function?
        mine = type(enc)(*[type(m)(m.in_features, m.out_features) if isinstance(m, nn.Linear) else m
                           for m in enc.children()]) if isinstance(enc, nn.Sequential) else None
        if mine is not None:
            for target, source in zip(_linears(mine), _linears(course)):
                target.load_state_dict(source.state_dict())
            with torch.no_grad():
                same = torch.allclose(mine(x), course(x), atol=1e-5)
            if not same:
                raise Mistake("with the course's trained weights your layers compute something else than the "
                              "course's encoder: check the order Flatten, Linear, ReLU, Linear, ReLU, Linear")
    except Mistake:
        raise
    except Exception:  # noqa: BLE001 (an unusual but valid design: the checks above suffice)
        pass
    return (f"784 -> 256 -> 128 -> 2 with ReLUs, (16, 1, 28, 28) images in, (16, 2) codes out, {n:,} learned "
            "numbers, and with the course's trained weights it gives exactly model.encode(x)")


RIGHT_8 = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 8 + 8


def _check_count(answer):
    got = number(answer, "n_params_8")
    known = [(784 * 256 + 256 * 128 + 128 * 8, "that counts the weights but forgets the biases: each Linear "
              "layer also has one bias per output"),
             (784 * 256 + 256, "that is only the first layer: add the other two Linear layers"),
             (784 * 256 + 256 + 256 * 128 + 128 + 128 * 2 + 2, "that is the 2-number encoder: the last layer "
              "now has 8 outputs"),
             (RIGHT_8 * 2, "that looks like encoder and decoder together: count only the encoder")]
    for wrong, message in known:
        if got == wrong:
            raise Mistake(f"{int(got):,}: {message}")
    if got != RIGHT_8:
        raise Mistake(f"{got:,.0f} is not it. Each Linear(n_in -> n_out) has n_in * n_out weights and n_out biases")
    from ..models import Encoder

    assert sum(p.numel() for p in Encoder(8).parameters()) == RIGHT_8
    return f"{RIGHT_8:,} learned numbers, the same as sum(p.numel() for p in Encoder(8).parameters())"


encoder = Exercise(
    "encoder", "the encoder as nn.Sequential", "my_encoder", _check_encoder,
    ["Look at the layer table above: Flatten, then Linear / ReLU pairs, and a last Linear with no ReLU.",
     "`nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), "
     "nn.Linear(128, 2))`"],
    """
    my_encoder = nn.Sequential(
        nn.Flatten(),                                   # (N, 1, 28, 28) -> (N, 784)
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 2),                              # the code z: no ReLU
    )
    """, expects="an nn.Sequential")

count = Exercise(
    "count", "learned numbers of the 8-number encoder", "n_params_8", _check_count,
    ["Three Linear layers: 784 -> 256, 256 -> 128, 128 -> 8. Each has one weight per (input, output) pair "
     "and one bias per output.",
     "(784 * 256 + 256) + (256 * 128 + 128) + (128 * 8 + 8)"],
    """
    n_params_8 = (784 * 256 + 256) + (256 * 128 + 128) + (128 * 8 + 8)
    """, expects="a whole number")
