"""train(): history, learning, determinism."""

import pytest
import torch

from ae_helpers.models import Autoencoder
from ae_helpers.training import evaluate, train
from conftest import same_weights, weights


def fit(x, seed, loss="mse", epochs=2, x_val=None):
    torch.manual_seed(1234 + seed)  # the model's initial weights
    model = Autoencoder(2, hidden=(64,))
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
    model = Autoencoder(2, hidden=(64,))
    before = evaluate(model, x_test, loss)
    history = train(model, x_train, x_test, epochs=3, batch_size=128, loss=loss, progress=False)
    assert len(history["train"]) == len(history["val"]) == 3
    assert history["val"][-1] == pytest.approx(evaluate(model, x_test, loss))
    assert history["val"][-1] < 0.8 * before
    assert history["seconds"] > 0
    assert not model.training


def test_corrupt_changes_only_the_input(real_data):
    x = real_data[0][:256]
    seen = {}

    def corrupt(batch):
        seen["batch"] = batch
        return torch.zeros_like(batch)

    model = Autoencoder(2, hidden=(16,))
    train(model, x, epochs=1, batch_size=256, corrupt=corrupt, progress=False)
    assert seen["batch"].abs().sum() > 0  # the clean target was handed to corrupt()


def test_training_works_with_gradients_switched_off(real_data):
    model = Autoencoder(2, hidden=(16,))
    before = weights(model)
    with torch.no_grad():  # e.g. a slide deck that only looks at models
        train(model, real_data[0][:256], epochs=1, progress=False)
    after = weights(model)
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_unknown_loss_is_rejected():
    with pytest.raises(ValueError, match="mse"):
        train(Autoencoder(2), torch.rand(4, 1, 28, 28), loss="hinge", progress=False)
