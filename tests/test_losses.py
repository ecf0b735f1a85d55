"""The hand-written losses from the slide equal torch's."""

import pytest
import torch
import torch.nn.functional as F

from ae_helpers.losses import bce, bce_with_logits, mse


@pytest.mark.parametrize("seed", range(5))
def test_mse_equals_torch(seed):
    g = torch.Generator().manual_seed(seed)
    x, x_hat = torch.rand(8, 1, 28, 28, generator=g), torch.rand(8, 1, 28, 28, generator=g)
    torch.testing.assert_close(mse(x, x_hat), F.mse_loss(x_hat, x))


@pytest.mark.parametrize("seed", range(5))
def test_bce_equals_torch(seed):
    g = torch.Generator().manual_seed(seed)
    x, x_hat = torch.rand(8, 1, 28, 28, generator=g), torch.rand(8, 1, 28, 28, generator=g)
    torch.testing.assert_close(bce(x, x_hat), F.binary_cross_entropy(x_hat, x))


def test_bce_matches_torch_at_saturated_pixels():
    x = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5])
    x_hat = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.5])
    torch.testing.assert_close(bce(x, x_hat), F.binary_cross_entropy(x_hat, x))


def test_bce_gradient_is_finite_at_saturated_pixels():
    x = torch.tensor([0.0, 1.0, 0.3])
    x_hat = torch.tensor([1.0, 0.0, 1.0], requires_grad=True)  # a sigmoid can output exactly 0 or 1
    bce(x, x_hat).backward()
    assert torch.isfinite(x_hat.grad).all()


def test_losses_are_zero_only_for_a_perfect_binary_copy():
    x = torch.tensor([0.0, 1.0, 1.0, 0.0])
    assert mse(x, x) == 0
    assert bce(x, x) == 0
    grey = torch.full((4,), 0.3)
    assert bce(grey, grey) > 0.6  # BCE's minimum for a grey pixel is its entropy, not 0


def test_mse_is_bit_for_bit_torchs_value_and_gradient():
    """train("mse") runs losses.mse; the shared checkpoints were trained with torch's F.mse_loss."""
    g = torch.Generator().manual_seed(0)
    x = torch.rand(256, 1, 28, 28, generator=g)
    a = torch.rand(256, 1, 28, 28, generator=g, requires_grad=True)
    b = a.detach().clone().requires_grad_()
    mine, theirs = mse(x, a), F.mse_loss(b, x)
    mine.backward()
    theirs.backward()
    assert torch.equal(mine, theirs) and torch.equal(a.grad, b.grad)


@pytest.mark.parametrize("scale", [1.0, 30.0, 200.0])
def test_bce_with_logits_equals_torch_even_when_saturated(scale):
    """The stable BCE of notebook 04: torch's value and gradient, finite at logits of +-30 and +-200."""
    g = torch.Generator().manual_seed(int(scale))
    x = torch.rand(4, 1, 28, 28, generator=g)
    x[0] = (x[0] > 0.5).float()  # some pixels exactly 0 or 1
    logits = ((torch.rand(4, 1, 28, 28, generator=g) * 2 - 1) * scale).requires_grad_()
    theirs_logits = logits.detach().clone().requires_grad_()
    mine = bce_with_logits(x, logits)
    theirs = F.binary_cross_entropy_with_logits(theirs_logits, x)
    mine.backward()
    theirs.backward()
    assert torch.isfinite(mine) and torch.isfinite(logits.grad).all()
    torch.testing.assert_close(mine, theirs)
    torch.testing.assert_close(logits.grad, theirs_logits.grad)


def test_bce_with_logits_is_bce_of_the_sigmoid_where_that_is_exact():
    x = torch.tensor([0.0, 1.0, 0.3, 0.8])
    logits = torch.tensor([-2.0, 3.0, 0.5, -1.0])
    torch.testing.assert_close(bce_with_logits(x, logits), bce(x, torch.sigmoid(logits)))
