"""Exercises of notebook 04 (reconstruction loss): MSE and BCE by hand, the training step, a small model."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..settings import quick_or
from .core import Exercise, Mistake, call, number, real_images, shape_of

EXPECTS_LOSS = "x = 64 real test images, shape (64, 1, 28, 28), and x_hat = noisy copies of them (same shape)"


def _pair(n: int = 64):
    x, _ = real_images(n)
    g = torch.Generator().manual_seed(0)
    return x, (x + 0.2 * torch.randn(x.shape, generator=g)).clamp(0.01, 0.99)


def _close(a: float, b: float, rtol: float = 1e-4) -> bool:   # 1e-4: the checks' tolerance (RTOL)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-7)


def _diagnose(value: float, ref: float, known: list[tuple[float, str]], what: str, where: str) -> None:
    if not math.isfinite(value):
        raise Mistake(f"{what} gave {value} on {where}.")
    for wrong, message in known:
        if _close(value, wrong):
            raise Mistake(f"{message} (you got {value:.6g}; expected {ref:.6g} on {where}).")
    if not _close(value, ref):
        raise Mistake(f"{what} gave {value:.6g}, expected {ref:.6g} on {where}.")


def _per_element(out, x, what: str):
    if shape_of(out) == (len(x),):
        raise Mistake(f"{what} returned one number per image, shape ({len(x)},): average over the images too, "
                      "so the loss is one number, the mean per pixel")
    if shape_of(out) == tuple(x.shape):
        raise Mistake(f"{what} returned one number per pixel, shape {tuple(x.shape)}: take the .mean() of them")


def _check_mse(fn):
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


def _check_bce(fn):
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
            if not _close(wrong, ref, 3 * RTOL):
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
    if not _close(got, ref_ext) and 0 < cap < 99:
        raise Mistake(f"your bce is right for predictions inside (0, 1), but for predictions exactly 0 or 1 it "
                      f"gives {got:.4f} instead of {ref_ext:.4f}: it charges about {cap:.1f} for log 0 instead of "
                      f"PyTorch's 100, as an epsilon of about {math.exp(-cap):.0e} does (log(x' + eps) or "
                      "x'.clamp(eps, 1 - eps)). " + EPSILON_WHY)
    _diagnose(got, ref_ext, [], "your bce", "predictions that are exactly 0 or 1")
    return (f"equals F.binary_cross_entropy ({ref:.4f} per pixel) on 64 real test images and noisy copies, "
            f"and stays finite ({ref_ext:.2f}) when predictions are exactly 0 or 1")


def _fresh():
    from ..models import Autoencoder

    torch.manual_seed(0)
    model = Autoencoder(latent_dim=2, hidden=(32, 16))
    return model, torch.optim.Adam(model.parameters(), lr=1e-2)


def _reference_run(batches, loss_fn=F.mse_loss, zero_grad=True):
    model, optimizer = _fresh()
    losses = []
    for x in batches:
        loss = loss_fn(model(x), x)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def _same(a, b) -> bool:
    return all(torch.allclose(p, q, atol=1e-5) for p, q in zip(a.parameters(), b.parameters()))


def _check_train_step(fn):
    x, _ = real_images(192)
    batches = x.split(64)
    model, optimizer = _fresh()
    start, _ = _fresh()
    expects = "a small Autoencoder, its Adam optimizer, and a batch x of 64 real images (64, 1, 28, 28)"
    with torch.enable_grad():
        returned = [call(fn, model, optimizer, b, expects=expects) for b in batches]
        right, losses = _reference_run(batches)
        if _same(model, _reference_run(batches, zero_grad=False)[0]):
            raise Mistake("the weights move as if optimizer.zero_grad() were missing: PyTorch adds each "
                          "backward()'s gradients to the old ones, so every step used the sum of all slopes so far")
        if _same(model, start):
            raise Mistake("after 3 calls the weights have not moved: a step needs loss.backward() (compute the "
                          "slopes) and then optimizer.step() (move the weights), with zero_grad() before backward()")
        if _same(model, _reference_run(batches, lambda a, b: F.binary_cross_entropy(a, b))[0]):
            raise Mistake("your step trains with BCE; this exercise asks for MSE: F.mse_loss(x_hat, x)")
    if not _same(model, right):
        raise Mistake("after 3 steps the weights differ from 3 correct steps: do, in this order, x_hat = "
                      "model(x); loss = F.mse_loss(x_hat, x); optimizer.zero_grad(); loss.backward(); optimizer.step()")
    if any(r is None for r in returned):
        raise Mistake("the weights are right, but the function returns None: end it with `return loss.item()`")
    tensor = next((r for r in returned if isinstance(r, torch.Tensor)), None)
    if tensor is not None:
        raise Mistake(f"the weights are right, but it returns a tensor, {tensor!r}, where a number is asked: "
                      "return loss.item(), a plain Python float, easy to print, add up and plot"
                      + (". The tensor still belongs to the step's graph (its grad_fn): added up over an epoch, "
                         "it would build one ever longer graph" if tensor.grad_fn is not None else ""))
    for got, want in zip(returned, losses):
        if not _close(number(got, "the returned loss"), want):
            raise Mistake(f"the weights are right, but it returned {number(got, 'the loss'):.5f} instead of this "
                          f"batch's loss {want:.5f} (computed before the step)")
    return "3 steps on real images move every weight exactly as forward → loss → zero_grad → backward → step does"


def bar() -> float:
    """Test MSE per pixel the small model must beat (always the average image: about 0.086)."""
    return quick_or(0.040, 0.065)


def _check_small_model(model):
    if not isinstance(model, nn.Module):
        raise Mistake(f"expected a trained model (an nn.Module such as Autoencoder), got {type(model).__name__}")
    x, _ = real_images(2000)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = call(model, x[:4], expects="4 real test images of shape (4, 1, 28, 28)")
            if shape_of(out) == (4, 784):
                raise Mistake("the model returns shape (N, 784), the images are (N, 1, 28, 28): end the decoder "
                              "with nn.Unflatten(1, (1, 28, 28)), or reshape with x_hat.view(-1, 1, 28, 28)")
            if shape_of(out) != (4, 1, 28, 28):
                raise Mistake(f"for 4 images of shape (4, 1, 28, 28) the model returned shape {shape_of(out)}")
            if out.min() < 0 or out.max() > 1:
                raise Mistake("the model outputs values outside [0, 1]: a decoder ends with a Sigmoid")
            mse = torch.cat([((model(b) - b) ** 2).flatten(1).mean(1) for b in x.split(500)]).mean().item()
    finally:
        model.train(was_training)
    average = ((x - real_images(5000, "train")[0].mean(0)) ** 2).mean().item()
    if mse > 0.9 * average:
        raise Mistake(f"test MSE {mse:.4f}: no better than sewing the average image every time ({average:.4f}). "
                      "Did the training loop run, on this model, with my_train_step?")
    if mse > bar():
        raise Mistake(f"test MSE {mse:.4f} per pixel is above the bar {bar()}: train for more epochs, "
                      "or try a larger latent size or learning rate")
    return (f"test MSE {mse:.4f} per pixel on 2,000 unseen test images: below the bar {bar()} "
            f"(always the average image: {average:.4f})")


mse = Exercise(
    "mse", "MSE by hand", "my_mse", _check_mse,
    ["The MSE is the *average* of the squared differences, over every pixel of every image.",
     "One line: `((x - x_hat) ** 2).mean()`: subtract, square each pixel's difference, then `.mean()`."],
    """
    def my_mse(x, x_hat):
        return ((x - x_hat) ** 2).mean()
    """, expects="a function my_mse(x, x_hat) returning one number")

bce = Exercise(
    "bce", "BCE by hand", "my_bce", _check_bce,
    ["Per pixel: -[x log x' + (1 - x) log(1 - x')], with x the target and x' the prediction; then average "
     "over every pixel. Only x' goes inside the logs.",
     "`torch.log(x_hat).clamp(min=-100)` and `torch.log(1 - x_hat).clamp(min=-100)` are the two logs (the "
     "clamp keeps exact 0s and 1s finite); weight them by `x` and `1 - x`, add, negate, `.mean()`."],
    """
    def my_bce(x, x_hat):
        log_p = torch.log(x_hat).clamp(min=-100)
        log_not_p = torch.log(1 - x_hat).clamp(min=-100)
        return -(x * log_p + (1 - x) * log_not_p).mean()
    """, expects="a function my_bce(x, x_hat) returning one number")

train_step = Exercise(
    "train_step", "the five-line training step", "my_train_step", _check_train_step,
    ["The five lines of the loop above: forward, loss, zero_grad, backward, step. Then return the loss.",
     "`x_hat = model(x)`, `loss = F.mse_loss(x_hat, x)`, `optimizer.zero_grad()`, `loss.backward()`, "
     "`optimizer.step()`, `return loss.item()`."],
    """
    def my_train_step(model, optimizer, x):
        x_hat = model(x)                  # 1. forward
        loss = F.mse_loss(x_hat, x)       # 2. how far is x' from x?
        optimizer.zero_grad()             # 3. forget the previous slopes
        loss.backward()                   # 4. new slopes
        optimizer.step()                  # 5. move the weights
        return loss.item()
    """, expects="a function my_train_step(model, optimizer, x) returning the batch's loss")

small_model = Exercise(
    "small_model", "train a small model under the bar", "my_model", _check_small_model,
    ["Make an `Autoencoder(latent_dim=8)` and an Adam optimizer, then loop over epochs and over shuffled "
     "batches of `x_train`, calling `my_train_step` on each batch.",
     "Two epochs with batches of 128 and `lr=3e-3` are enough: `for start in range(0, len(x_train), 128): "
     "my_train_step(my_model, optimizer, x_train[order[start:start + 128]])`."],
    """
    seed_everything(course_seed())      # the notebook's seed (AE_SEED), as in its first cell
    my_model = Autoencoder(latent_dim=8)
    optimizer = torch.optim.Adam(my_model.parameters(), lr=3e-3)
    for epoch in range(quick_or(2, 3)):
        order = torch.randperm(len(x_train))
        for start in range(0, len(x_train), 128):
            last = my_train_step(my_model, optimizer, x_train[order[start:start + 128]])
        print(f"epoch {epoch + 1}: last batch loss {last:.4f}")
    """, expects="a trained model (an nn.Module)")
