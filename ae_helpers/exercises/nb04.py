"""Exercises of notebook 04 (reconstruction loss): MSE and BCE by hand, the training step, a small model."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..settings import quick_or
from .core import Exercise, Mistake, call, number, real_images, shape_of
from .loss_checks import check_bce, check_mse, close


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
        if not close(number(got, "the returned loss"), want):
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
            test_mse = torch.cat([((model(b) - b) ** 2).flatten(1).mean(1) for b in x.split(500)]).mean().item()
    finally:
        model.train(was_training)
    average = ((x - real_images(5000, "train")[0].mean(0)) ** 2).mean().item()
    if test_mse > 0.9 * average:
        raise Mistake(f"test MSE {test_mse:.4f}: no better than sewing the average image every time ({average:.4f}). "
                      "Did the training loop run, on this model, with my_train_step?")
    if test_mse > bar():
        raise Mistake(f"test MSE {test_mse:.4f} per pixel is above the bar {bar()}: train for more epochs, "
                      "or try a larger latent size or learning rate")
    return (f"test MSE {test_mse:.4f} per pixel on 2,000 unseen test images: below the bar {bar()} "
            f"(always the average image: {average:.4f})")


mse = Exercise(
    "mse", "MSE by hand", "my_mse", check_mse,
    ["The MSE is the *average* of the squared differences, over every pixel of every image.",
     "One line: `((x - x_hat) ** 2).mean()`: subtract, square each pixel's difference, then `.mean()`."],
    """
    def my_mse(x, x_hat):
        return ((x - x_hat) ** 2).mean()
    """, expects="a function my_mse(x, x_hat) returning one number")

bce = Exercise(
    "bce", "BCE by hand", "my_bce", check_bce,
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
    """, expects="a trained model (an nn.Module)",
    goal=lambda: f"The bar: a test MSE below {bar()} per pixel on 2,000 unseen test images.")
