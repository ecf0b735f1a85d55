"""ae_helpers.measures against hand-computed references."""

import matplotlib.pyplot as plt
import pytest
import torch

from ae_helpers import latent, measures, plots
from ae_helpers.data import CLASS_NAMES


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

def _blocks():
    """20 photos, item i a block of ink i + 1 rows high and 1 + i % 3 columns wide (with a faint 0.1 pixel that
    does not count as the item); z1 = i, z2 = -(height); classes: items 0-3 mostly Coat, items 16-19 mostly
    Pullover."""
    images = torch.zeros(20, 1, 28, 28)
    for i in range(20):
        images[i, 0, :i + 1, :1 + i % 3] = 1.0
        images[i, 0, 27, 27] = 0.1
    codes = torch.stack([torch.arange(20.0), -torch.arange(1.0, 21.0)], dim=1)
    labels = torch.full((20,), 8)
    labels[:4] = torch.tensor([4, 4, 4, 0])
    labels[16:] = torch.tensor([2, 2, 2, 9])
    return codes, images, labels


def test_visual_properties_count_ink_rows_and_columns():
    _, images, _ = _blocks()
    props = measures.visual_properties(images[[0, 4]])
    # item 0: a 1 x 1 block, item 4: 5 rows x 2 columns; the faint pixel adds 0.1 ink but no row or column
    assert torch.allclose(props["ink"], torch.tensor([(1 + 0.1) / 784, (10 + 0.1) / 784]))
    assert props["height"].tolist() == [1.0, 5.0] and props["width"].tolist() == [1.0, 2.0]


def test_top_classes_are_the_commonest_with_their_shares():
    labels = torch.tensor([3, 3, 3, 1, 1, 7])
    top = measures.top_classes(labels, torch.arange(6))
    assert [name for name, _ in top] == [CLASS_NAMES[3], CLASS_NAMES[1]]
    assert [share for _, share in top] == pytest.approx([0.5, 1 / 3])


def test_axis_table_correlations_and_crowded_ends():
    codes, images, labels = _blocks()
    table = measures.axis_table(codes, images, labels, share=0.2)     # the ends: 4 items each
    assert table["corr"]["height"] == pytest.approx([1.0, -1.0], abs=1e-5)   # z1 = height - 1, z2 = -height
    coat, pullover = [(CLASS_NAMES[4], 0.75), (CLASS_NAMES[0], 0.25)], [(CLASS_NAMES[2], 0.75), (CLASS_NAMES[9], 0.25)]
    assert table["low"] == [coat, pullover] and table["high"] == [pullover, coat]
    assert measures.strongest_property(table, 0) == ("height", pytest.approx(1.0, abs=1e-5))
    assert measures.strongest_property(table, 1) == ("height", pytest.approx(-1.0, abs=1e-5))


def test_neighbour_purity_and_top_pairs_on_four_items():
    codes = torch.tensor([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]])
    labels = torch.tensor([0, 0, 1, 2])        # 0 <-> 0, 0 <-> 0, 1 <-> 2, 2 <-> 1: half the pairs mix 1 and 2
    purity, pairs = measures.neighbour_purity(codes, labels, torch.arange(4), k=1)
    assert purity[:3].tolist() == [1.0, 0.0, 0.0] and purity[3:].isnan().all()   # classes 3-9: no items
    want = torch.zeros(10, 10)
    want[1, 2] = 0.5
    assert torch.equal(pairs, want)
    assert measures.top_pairs(pairs, 1) == [(CLASS_NAMES[1], CLASS_NAMES[2], 0.5)]


def test_ring_around_and_grid_points():
    ring = measures.ring_around(torch.tensor([[0.0, 0.0], [2.0, 4.0]]), factor=3, n=4)   # middle (1, 2), half (1, 2)
    assert torch.allclose(ring, torch.tensor([[4.0, 2.0], [1.0, 8.0], [-2.0, 2.0], [1.0, -4.0]]), atol=1e-5)
    grid = measures.grid_points((0.0, 1.0, 0.0, 2.0), n=2)       # row by row from the top left
    assert grid.tolist() == [[0.0, 2.0], [1.0, 2.0], [0.0, 0.0], [1.0, 0.0]]


def test_decoded_grid_decodes_the_grid_points():
    seen = []

    class Recorder:
        def decode(self, z):
            seen.append(z)
            return torch.zeros(len(z), 1, 28, 28)

    plots.decoded_grid(Recorder(), (0.0, 1.0, 0.0, 2.0), n=3)
    plt.close("all")
    assert torch.equal(seen[0], measures.grid_points((0.0, 1.0, 0.0, 2.0), n=3))


def test_near_the_data_keeps_points_the_explorer_calls_near():
    train_codes = torch.cartesian_prod(torch.arange(10.0), torch.arange(10.0))     # a 10 x 10 grid, spacing 1...
    train_codes = train_codes[(train_codes[:, 0] < 4) | (train_codes[:, 0] > 6)]   # ...with an empty band
    spacing = latent.local_spacing(train_codes)
    points, radius = measures.near_the_data(train_codes, train_codes, spacing, n=50,
                                            generator=torch.Generator().manual_seed(0))
    assert points.shape == (50, 2)
    assert (latent.grade_points(points, train_codes, spacing)["grade"] < 2).all()
    assert ((points >= 0) & (points <= 9)).all()                                   # inside the rectangle
    assert radius == pytest.approx(torch.cdist(points, train_codes).min(1).values.max().item(), rel=1e-5)





# -- tests of notebooks 05-08's statistics (added below this line) --
