"""Training: the loop notebook 04 teaches, and what the shared models' recipe adds around it.

``train_epoch`` is the plain training loop (one pass over the data). ``train`` runs it for several
epochs and adds exactly what its docstring lists (optimiser and schedule, determinism, validation,
progress bar). ``evaluate`` measures a loss on held-out images. The course's shared trained models
(``pretrained``) live in :mod:`ae_helpers.course_models`.

Nothing here touches the global random generators as seen from outside: ``train`` draws from its
own seeded generators (``torch.random.fork_rng``), so your random state after it is what it was.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import torch
from tqdm.auto import tqdm

from . import losses, threads

#: The losses known by name: the functions of notebook 04 (:mod:`ae_helpers.losses`).
LOSS_NAMES = ("mse", "bce")


def loss_function(loss):
    """``"mse"``, ``"bce"`` or your own ``loss(model, inputs, target)`` -> a function ``(model, inputs, target)``.

    A named loss compares the reconstruction ``model(inputs)`` with ``target`` (mean over every pixel).
    Your own function returns the loss to minimise (a scalar tensor), or a dict of named parts with the
    total under ``"loss"`` (e.g. ``{"loss": recon + kl, "recon": recon, "kl": kl}``: ``train`` records each part).
    """
    if callable(loss):
        return loss
    if loss not in LOSS_NAMES:
        raise ValueError(f'loss must be "mse", "bce" or a function (model, inputs, target) -> loss, got {loss!r}')
    fn = getattr(losses, loss)
    return lambda model, inputs, target: fn(target, model(inputs))


def _parts(result) -> dict:
    return result if isinstance(result, dict) else {"loss": result}


def train_epoch(model, x_train, optimizer, loss_fn, generator, batch_size=256, corrupt=None, schedule=None):
    """One pass over ``x_train`` in a new random order: the training loop of notebook 04.

    Returns the mean loss over the epoch (a dict of means when ``loss_fn`` returns named parts).
    """
    model.train()
    order = torch.randperm(len(x_train), generator=generator)   # a new shuffle every epoch
    sums = {}
    for i in range(0, len(x_train), batch_size):
        target = x_train[order[i:i + batch_size]]
        inputs = corrupt(target) if corrupt else target          # a denoiser sees damaged inputs
        parts = _parts(loss_fn(model, inputs, target))           # how far is x' from x?
        optimizer.zero_grad()                                    # forget the last batch's gradients
        parts["loss"].backward()                                 # which way should each weight move?
        optimizer.step()                                         # move it a little
        if schedule:
            schedule.step()                                      # train()'s one-cycle: the rate rises, then falls
        for name, value in parts.items():
            sums[name] = sums.get(name, 0.0) + value.item() * len(target)
    means = {name: total / len(x_train) for name, total in sums.items()}
    return means if len(means) > 1 else means["loss"]


@contextmanager
def _deterministic():
    """Deterministic algorithms on, without also filling every new tensor with NaN first (a debugging aid
    torch switches on with them: it cost about a fifth of the convolutional model's training time)."""
    before = torch.are_deterministic_algorithms_enabled()
    fill_before = torch.utils.deterministic.fill_uninitialized_memory
    torch.use_deterministic_algorithms(True)
    torch.utils.deterministic.fill_uninitialized_memory = False
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)
        torch.utils.deterministic.fill_uninitialized_memory = fill_before


@torch.no_grad()
def evaluate(model, x, loss="mse", batch_size=2000) -> float:
    """Mean loss of ``model`` on images ``x`` (a named loss: averaged over every pixel).

    With named parts (see :func:`loss_function`), the dict of their means.
    """
    loss_fn = loss_function(loss)
    was_training = model.training
    model.eval()
    sums = {}
    for xb in x.split(batch_size):
        for name, value in _parts(loss_fn(model, xb, xb)).items():
            sums[name] = sums.get(name, 0.0) + value.item() * len(xb)
    model.train(was_training)
    means = {name: total / len(x) for name, total in sums.items()}
    return means if len(means) > 1 else means["loss"]


def _record(history, prefix, result):
    if isinstance(result, dict):
        history[prefix].append(result["loss"])
        for name, value in result.items():
            if name != "loss":
                history.setdefault(f"{prefix}_{name}", []).append(value)
    else:
        history[prefix].append(result)


def train(model, x_train, x_val=None, *, epochs=10, batch_size=256, lr=5e-3, loss="mse",
          seed=0, corrupt=None, progress=True, desc="training"):
    """Train ``model`` to reconstruct ``x_train``: ``epochs`` passes of :func:`train_epoch`; return the history.

    ``loss`` is "mse", "bce" or a function ``(model, inputs, target) -> loss`` (see :func:`loss_function`).
    ``corrupt(xb)`` (optional) changes the input batch while the target stays clean (a denoising autoencoder).

    What ``train`` adds around the plain loop, exactly:

    * the optimiser, Adam with learning rate ``lr``, and a one-cycle schedule: the learning rate rises
      then falls within the run, which reaches a good model in few epochs;
    * determinism: the batch order comes from a generator seeded with ``seed``, and anything random
      inside the loop (``corrupt``, dropout) draws from torch's generator seeded with ``seed`` in a fork
      (``torch.random.fork_rng``), so your own random state is left as it was; deterministic algorithms
      are switched on. Seed before building the model to fix its initial weights too. Same seeds on
      the same machine -> identical weights;
    * gradients are on even when the caller switched them off, and the model ends in eval mode;
    * after each epoch, the loss on ``x_val`` (when given) and a progress bar (``progress=False``: none);
    * fair CPU: while it trains, torch uses the cores divided by the trainings running on this machine
      (:func:`ae_helpers.threads.computing`, re-read about every 0.25 s); the MLPs' results do not
      depend on that count.

    Returns ``{"train": [...], "val": [...], "seconds": s}`` (mean loss per epoch; with named parts,
    also ``"train_<part>"`` and ``"val_<part>"`` lists).
    """
    loss_fn = loss_function(loss)
    steps_per_epoch = (len(x_train) + batch_size - 1) // batch_size
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch)
    history = {"train": [], "val": [], "seconds": 0.0}
    start = time.perf_counter()
    with threads.computing() as share, torch.random.fork_rng(devices=[]), _deterministic(), torch.enable_grad():
        hook = model.register_forward_pre_hook(lambda module, inputs: share())  # follows the count every ~0.25 s
        try:
            torch.manual_seed(seed)
            generator = torch.Generator().manual_seed(seed)
            bar = tqdm(range(epochs), desc=desc, unit="epoch", disable=not progress)
            for _ in bar:
                share(force=True)
                _record(history, "train", train_epoch(model, x_train, optimizer, loss_fn, generator, batch_size,
                                                      corrupt, schedule))
                if x_val is not None:
                    _record(history, "val", evaluate(model, x_val, loss_fn))
                bar.set_postfix({k: f"{v[-1]:.4f}" for k, v in history.items() if k in ("train", "val") and v})
        finally:
            hook.remove()
    history["seconds"] = time.perf_counter() - start
    model.eval()
    return history

