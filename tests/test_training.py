"""train(): history, learning, determinism."""

import pytest
import torch

from ae_helpers import losses
from ae_helpers.models import Autoencoder
from ae_helpers.training import evaluate, train, train_epoch
from conftest import same_weights, weights


def fit(x, seed, loss="mse", epochs=2, x_val=None):
    torch.manual_seed(1234 + seed)  # the model's initial weights
    model = Autoencoder(2, hidden=(64, 32))
    history = train(model, x, x_val, epochs=epochs, batch_size=128, loss=loss, seed=seed, progress=False)
    return model, history


def test_same_seed_gives_identical_weights(real_data):
    x = real_data[0][:1000]
    a, ha = fit(x, seed=3)
    b, hb = fit(x, seed=3)
    assert same_weights(a, b)
    assert ha["train"] == hb["train"]
    c, _ = fit(x, seed=4)
    assert not same_weights(a, c)


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_training_lowers_the_loss_and_records_history(real_data, loss):
    x_train, _, x_test, _ = real_data
    torch.manual_seed(0)
    model = Autoencoder(2, hidden=(64, 32))
    before = evaluate(model, x_test, loss)
    history = train(model, x_train, x_test, epochs=3, batch_size=128, loss=loss, progress=False)
    assert len(history["train"]) == len(history["val"]) == 3
    assert history["val"][-1] == pytest.approx(evaluate(model, x_test, loss))
    assert history["val"][-1] < 0.8 * before
    assert history["seconds"] > 0
    assert not model.training


def test_corrupt_changes_only_the_input(real_data, monkeypatch):
    """With ``corrupt``, the model is fed the corrupted batch and its output is compared with the clean batch:
    a spy model records what it is fed, a spy loss what it compares against."""
    x = real_data[0][:256]
    handed, fed, compared = [], [], []

    def corrupt(batch):
        handed.append(batch.clone())
        return 1 - batch  # a negative: nothing like any real item

    class SpyModel(Autoencoder):
        def forward(self, inputs):
            fed.append(inputs.detach().clone())
            return super().forward(inputs)

    mse = losses.mse

    def spy_mse(target, reconstruction):
        compared.append(target.detach().clone())
        return mse(target, reconstruction)

    monkeypatch.setattr(losses, "mse", spy_mse)
    train(SpyModel(2, hidden=(16, 16)), x, epochs=1, batch_size=128, corrupt=corrupt, progress=False)
    assert len(handed) == len(fed) == len(compared) == 2  # two batches of 128
    for clean, inputs, target in zip(handed, fed, compared):
        assert (clean[:, None] == x[None]).flatten(2).all(2).any(1).all()  # corrupt() got real, clean items
        assert torch.equal(inputs, 1 - clean)   # the model's input: the corrupted batch
        assert torch.equal(target, clean)       # the target: the clean batch


def test_training_works_with_gradients_switched_off(real_data):
    model = Autoencoder(2, hidden=(16, 16))
    before = weights(model)
    with torch.no_grad():  # e.g. a slide deck that only looks at models
        train(model, real_data[0][:256], epochs=1, progress=False)
    after = weights(model)
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_unknown_loss_is_rejected():
    with pytest.raises(ValueError, match="mse.*function"):
        train(Autoencoder(2), torch.rand(4, 1, 28, 28), loss="hinge", progress=False)


def test_train_is_the_plain_loop_weight_for_weight(real_data):
    """Taught = running: train() gives exactly the weights of the loop notebook 04 writes by hand
    (same initial weights, same batch order, Adam with the same schedule)."""
    x = real_data[0][:600]
    torch.manual_seed(7)
    model = Autoencoder(2, hidden=(32, 16))
    by_hand = Autoencoder(2, hidden=(32, 16))
    by_hand.load_state_dict(model.state_dict())
    history = train(model, x, epochs=2, batch_size=100, lr=5e-3, seed=11, progress=False)

    optimizer = torch.optim.Adam(by_hand.parameters(), lr=5e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=5e-3, total_steps=2 * 6)
    generator = torch.Generator().manual_seed(11)
    for _epoch in range(2):
        order = torch.randperm(len(x), generator=generator)
        for i in range(0, len(x), 100):
            batch = x[order[i:i + 100]]
            loss = losses.mse(batch, by_hand(batch))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    assert same_weights(model, by_hand)
    assert len(history["train"]) == 2


def test_train_epoch_is_one_pass_with_the_given_loss(real_data):
    x = real_data[0][:300]
    torch.manual_seed(0)
    a, b = Autoencoder(2, hidden=(16, 16)), Autoencoder(2, hidden=(16, 16))
    b.load_state_dict(a.state_dict())
    seen = []

    def my_loss(model, inputs, target):
        seen.append(len(target))
        return losses.mse(target, model(inputs))

    opt_a, opt_b = torch.optim.SGD(a.parameters(), lr=0.1), torch.optim.SGD(b.parameters(), lr=0.1)
    mean_a = train_epoch(a, x, opt_a, my_loss, torch.Generator().manual_seed(1), batch_size=128)
    mean_b = train_epoch(b, x, opt_b, lambda m, i, t: losses.mse(t, m(i)),
                         torch.Generator().manual_seed(1), batch_size=128)
    assert seen == [128, 128, 44] and mean_a == mean_b and same_weights(a, b)


def test_a_loss_with_parts_is_recorded_part_by_part(real_data):
    x = real_data[0][:256]

    def two_parts(model, inputs, target):
        recon = losses.mse(target, model(inputs))
        size = model.encode(inputs).pow(2).mean()
        return {"loss": recon + 0.01 * size, "recon": recon, "size": size}

    torch.manual_seed(0)
    history = train(Autoencoder(2, hidden=(16, 16)), x, x[:64], epochs=2, batch_size=128, loss=two_parts,
                    progress=False)
    assert len(history["train_recon"]) == len(history["train_size"]) == len(history["val_recon"]) == 2
    for split in ("train", "val"):
        for total, recon, size in zip(history[split], history[f"{split}_recon"], history[f"{split}_size"]):
            assert total == pytest.approx(recon + 0.01 * size)


def test_train_leaves_the_global_random_state_alone(real_data):
    torch.manual_seed(5)
    model = Autoencoder(2, hidden=(16, 16))
    before = torch.get_rng_state()
    train(model, real_data[0][:256], epochs=1,
          corrupt=lambda b: b + 0.1 * torch.randn_like(b), progress=False)
    assert torch.equal(torch.get_rng_state(), before)


def test_train_is_deterministic_without_nan_filling_and_restores_the_settings(real_data, monkeypatch):
    """Inside train(): deterministic algorithms on, but not torch's NaN-filling of every new tensor (a debugging
    aid that cost a fifth of the conv model's time); afterwards the caller's settings are back."""
    seen = []

    def loss(model, inputs, target):
        seen.append((torch.are_deterministic_algorithms_enabled(), torch.utils.deterministic.fill_uninitialized_memory))
        return losses.mse(target, model(inputs))

    for fill in (True, False):
        monkeypatch.setattr(torch.utils.deterministic, "fill_uninitialized_memory", fill)
        train(Autoencoder(2, hidden=(16, 16)), real_data[0][:256], epochs=1, loss=loss, progress=False)
        assert not torch.are_deterministic_algorithms_enabled()
        assert torch.utils.deterministic.fill_uninitialized_memory is fill
    assert set(seen) == {(True, False)}


def test_corrupt_draws_the_same_noise_whatever_ran_before(real_data):
    x = real_data[0][:256]

    def run(global_seed):
        torch.manual_seed(0)
        model = Autoencoder(2, hidden=(16, 16))
        torch.manual_seed(global_seed)  # the caller's random state differs; train's seed does not
        train(model, x, epochs=1, seed=3, corrupt=lambda b: b + 0.1 * torch.randn_like(b), progress=False)
        return model

    assert same_weights(run(1), run(2))


def test_the_seed_alone_sets_the_batch_order(real_data):
    """Same initial weights, another seed: another batch order, so other weights (the seed is not ignored)."""
    x = real_data[0][:512]

    def run(seed):
        torch.manual_seed(0)
        model = Autoencoder(2, hidden=(16, 16))
        train(model, x, epochs=1, batch_size=128, seed=seed, progress=False)
        return model

    assert same_weights(run(3), run(3))
    assert not same_weights(run(3), run(4))
