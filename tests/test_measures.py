"""ae_helpers.measures against hand-computed references."""

import torch

from ae_helpers import measures


def test_per_image_mse_is_torchs_mse_per_image():
    a, b = torch.rand(5, 28, 28), torch.rand(5, 28, 28)
    want = torch.stack([torch.nn.functional.mse_loss(a[i], b[i]) for i in range(5)])
    assert torch.allclose(measures.per_image_mse(a, b), want)


def test_sharpness_scores_edges_high_and_flat_images_zero():
    flat = torch.full((1, 28, 28), 0.5)
    stripes = torch.zeros(1, 28, 28)
    stripes[..., ::2] = 1.0                     # every horizontal step changes by 1, vertical steps by 0
    assert measures.sharpness(flat).item() == 0.0
    assert abs(measures.sharpness(stripes).item() - 0.5) < 1e-6


# -- tests of notebooks 01-04's statistics (added below this line) --


# -- tests of notebooks 05-08's statistics (added below this line) --
