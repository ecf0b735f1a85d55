"""Checks of a loss written by hand (notebook 04's MSE and BCE exercises): the answer against PyTorch's value on
real images, with a diagnosis of each usual mistake (a sum instead of a mean, a missing square, swapped
arguments, an epsilon in the logs, ...)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .core import Mistake, call, number, real_images, shape_of

EXPECTS_LOSS = "x = 64 real test images, shape (64, 1, 28, 28), and x_hat = noisy copies of them (same shape)"


def _pair(n: int = 64):
    x, _ = real_images(n)
    g = torch.Generator().manual_seed(0)
    return x, (x + 0.2 * torch.randn(x.shape, generator=g)).clamp(0.01, 0.99)


def close(a: float, b: float, rtol: float = 1e-4) -> bool:
    """Equal within the checks' tolerance (``RTOL``, 1e-4)."""
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-7)


def _diagnose(value: float, ref: float, known: list[tuple[float, str]], what: str, where: str) -> None:
    if not math.isfinite(value):
        raise Mistake(f"{what} gave {value} on {where}.")
    for wrong, message in known:
        if close(value, wrong):
            raise Mistake(f"{message} (you got {value:.6g}; expected {ref:.6g} on {where}).")
    if not close(value, ref):
        raise Mistake(f"{what} gave {value:.6g}, expected {ref:.6g} on {where}.")


def _per_element(out, x, what: str):
    if shape_of(out) == (len(x),):
        raise Mistake(f"{what} returned one number per image, shape ({len(x)},): average over the images too, "
                      "so the loss is one number, the mean per pixel")
    if shape_of(out) == tuple(x.shape):
        raise Mistake(f"{what} returned one number per pixel, shape {tuple(x.shape)}: take the .mean() of them")


def check_mse(fn):
    x, x_hat = _pair()
    ref, n = F.mse_loss(x_hat, x).item(), x[0].numel()
    out = call(fn, x, x_hat, expects=EXPECTS_LOSS)
    _per_element(out, x, "your mse")
    known = [(ref * x.numel(), "you summed over every pixel of every image: divide by the number of pixels, "
              "or use .mean()"),
             (ref * n, f"you summed over the {n} pixels of each image, then averaged over images: that is a "
              "per-image sum; the slide's MSE is the mean per pixel"),
             ((x - x_hat).abs().mean().item(), "you forgot to square: that is the mean absolute error"),
             (math.sqrt(ref), "you took the square root: that is the root-mean-square error"),
             ((x - x_hat).mean().item() ** 2, "you squared the mean difference: square each pixel's "
              "difference first, then average"),
             (-ref, "the sign is wrong: a squared error is never negative")]
    _diagnose(number(out, "your mse"), ref, known, "your mse", "64 real test images and noisy copies")
    same = number(call(fn, x, x.clone(), expects="x and an exact copy of it"), "mse(x, x)")
    if abs(same) > 1e-7:
        raise Mistake(f"an exact copy should cost 0, your mse gave {same:.3g}")
    return f"equals F.mse_loss ({ref:.5f}) on 64 real test images and their noisy copies, and is 0 for an exact copy"


def _bce_by(x, x_hat):
    return -(x * torch.log(x_hat).clamp(min=-100) + (1 - x) * torch.log(1 - x_hat).clamp(min=-100))


RTOL = 1e-4   # how close to PyTorch's value an answer must be: 0.01 %
EPSILONS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)   # the usual sizes; smaller ones show only at x' = 0 or 1
EPSILON_WHY = ("An epsilon is a common habit, but PyTorch uses none: it clamps each log at -100, so a confident "
               "mistake (x' exactly 0 or 1 where the target disagrees) costs up to 100, with an epsilon -log(eps) "
               "(16 for 1e-7); the check wants PyTorch's value, within a relative "
               f"{RTOL:.0e}. Write torch.log(x_hat).clamp(min=-100) for each log. (Training needs neither: it "
               "computes BCE from the decoder's logits, losses.bce_with_logits, where nothing rounds to 0 or 1)")


def _with_epsilon(x, x_hat, eps: float, how: str):
    if how == "added":
        return -(x * torch.log(x_hat + eps) + (1 - x) * torch.log(1 - x_hat + eps)).mean().item()
    return _bce_by(x, x_hat.clamp(eps, 1 - eps)).mean().item()


def check_bce(fn):
    x, x_hat = _pair()
    ref, n = F.binary_cross_entropy(x_hat, x).item(), x[0].numel()
    out = call(fn, x, x_hat, expects=EXPECTS_LOSS)
    _per_element(out, x, "your bce")
    value = number(out, "your bce")
    if not math.isfinite(value):
        raise Mistake(f"your bce gave {value}, although every x' here is strictly between 0 and 1. An infinity "
                      "comes from log(0): did you put x (the target, full of exact 0s) inside the log? "
                      "Only the prediction x' goes inside the log")
    known = [(_bce_by(x_hat, x).mean().item(), "x and x' are swapped: the target x is the weight outside the "
              "log, the prediction x' goes inside: -[x log x' + (1 - x) log(1 - x')]"),
             (ref * x.numel(), "you summed over every pixel of every image; BCE here is the mean per pixel"),
             (ref * n, f"you summed the BCE over the {n} pixels of each image (averaging over images only): the "
              "exercise asks for the mean per pixel, like F.binary_cross_entropy"),
             (-ref, "the sign is wrong: BCE has a minus in front, so that it is positive"),
             (_bce_by(x, torch.sigmoid(x_hat)).mean().item(), "you applied a sigmoid to x' (as if it were "
              "logits), but x' is already in [0, 1]: the decoder's Sigmoid did that. Use x' as it is"),
             ((-(x * torch.log(x_hat))).mean().item(), "the second term is missing: -(1 - x) log(1 - x') "
              "is what punishes ink where there should be none"),
             (ref / math.log(10), "you used log10: BCE uses the natural log, torch.log")]
    for eps in EPSILONS:   # only those that differ from the right value by far more than the tolerance
        for how, written in [("added", "log(x' + eps)"), ("clamp", "x'.clamp(eps, 1 - eps)")]:
            wrong = _with_epsilon(x, x_hat, eps, how)
            if not close(wrong, ref, 3 * RTOL):
                known.append((wrong, f"you kept the logs finite with an epsilon of {eps:g} ({written}), which "
                              "changes the value even where x' is well inside (0, 1). " + EPSILON_WHY))
    _diagnose(value, ref, known, "your bce", "64 real test images and noisy copies")
    g = torch.Generator().manual_seed(1)
    extreme = (torch.rand(x.shape, generator=g) > 0.5).float()
    ref_ext = F.binary_cross_entropy(extreme, x).item()
    got = number(call(fn, x, extreme, expects="x and predictions that are exactly 0 or 1"), "bce on 0/1 predictions")
    if not math.isfinite(got):
        raise Mistake(f"with predictions that are exactly 0 or 1 your bce gives {got}: clamp each log at -100, "
                      "as PyTorch does: torch.log(x_hat).clamp(min=-100). (An epsilon smaller than about 6e-8 "
                      "does not help in float32: 1 - 1e-8 rounds to exactly 1.0, so x'.clamp(eps, 1 - eps) "
                      "still gives log(0))")
    # each confident mistake costs (cap) x (its share of the target): an answer right inside (0, 1) but with
    # another value here caps log 0 elsewhere, usually through an epsilon (log(x' + eps), x'.clamp(eps, 1 - eps))
    weight = torch.where(extreme == 1, 1 - x, x).mean().item()
    cap = got / weight
    if not close(got, ref_ext) and 0 < cap < 99:
        raise Mistake(f"your bce is right for predictions inside (0, 1), but for predictions exactly 0 or 1 it "
                      f"gives {got:.4f} instead of {ref_ext:.4f}: it charges about {cap:.1f} for log 0 instead of "
                      f"PyTorch's 100, as an epsilon of about {math.exp(-cap):.0e} does (log(x' + eps) or "
                      "x'.clamp(eps, 1 - eps)). " + EPSILON_WHY)
    _diagnose(got, ref_ext, [], "your bce", "predictions that are exactly 0 or 1")
    return (f"equals F.binary_cross_entropy ({ref:.4f} per pixel) on 64 real test images and noisy copies, "
            f"and stays finite ({ref_ext:.2f}) when predictions are exactly 0 or 1")
