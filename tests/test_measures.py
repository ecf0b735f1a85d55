"""ae_helpers.measures against hand-computed references."""

import math

import matplotlib.pyplot as plt
import pytest
import torch

from ae_helpers import detection, latent, measures, plots
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


def test_neighbour_classes_is_the_class_of_the_nearest_other_item():
    codes = torch.tensor([[0.0], [1.0], [10.0], [12.0]])          # pairs: (0, 1) and (2, 3)
    assert measures.neighbour_classes(codes, [5, 6, 7, 8]).tolist() == [6, 5, 8, 7]


def test_neighbour_share_and_top_neighbours_count_by_hand():
    names = ["Trouser", "Trouser", "Trouser", "Trouser", "Sandal", "Sneaker"]
    labels = torch.tensor([CLASS_NAMES.index(n) for n in names])
    neighbour = torch.tensor([CLASS_NAMES.index(n) for n in
                              ["Trouser", "Trouser", "Trouser", "Dress", "Sneaker", "Bag"]])
    assert measures.neighbour_share(neighbour, labels, ["Trouser"], ["Trouser"]) == 0.75
    assert measures.neighbour_share(neighbour, labels, measures.SHOES, measures.SHOES) == 0.5
    assert measures.top_neighbours(neighbour, labels, "Trouser", n=2) == "Trouser 75%, Dress 25%"


def test_neighbour_mixups_share_and_commonest_other_class():
    labels = torch.tensor([0, 0, 0, 1, 1])
    neighbour = torch.tensor([0, 1, 1, 1, 1])                     # two of class 0's three sit next to class 1
    mixups = measures.neighbour_mixups(neighbour, labels)
    assert list(mixups) == [CLASS_NAMES[0], CLASS_NAMES[1]]
    assert abs(mixups[CLASS_NAMES[0]][0] - 2 / 3) < 1e-6 and mixups[CLASS_NAMES[0]][1] == CLASS_NAMES[1]
    assert mixups[CLASS_NAMES[1]] == (0.0, None)


def test_one_per_class_pair_puts_repeated_pairs_last():
    labels = [0, 1, 0, 1]
    pairs = [(0, 1), (0, 2), (2, 3), (1, 3)]                      # classes (0, 1), (0, 0), (0, 1), (1, 1)
    assert measures.one_per_class_pair([0, 2, 1, 3], pairs, labels) == [0, 1, 3, 2]
    assert measures.one_per_class_pair([0, 2, 1, 3], pairs, labels, n=2) == [0, 1]


def test_grade_counts_one_count_per_verdict_grade():
    assert measures.grade_counts([0, 2, 2, 1, 2]) == [1, 1, 3]
    assert measures.grade_counts(torch.tensor([1, 1])) == [0, 2, 0]


def test_roc_curve_and_its_area_on_a_hand_worked_example():
    normal, anomaly = torch.tensor([0.1, 0.4]), torch.tensor([0.35, 0.8])
    fpr, tpr = detection.roc_curve(normal, anomaly)
    # thresholds inf, 0.8, 0.4, 0.35, 0.1: a score at or above the threshold is flagged
    assert fpr.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]
    assert tpr.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    assert torch.trapezoid(tpr, fpr).item() == 0.75                # 3 of the 4 (anomaly, normal) pairs ordered
    assert detection.roc_auc(normal, anomaly) == 0.75                # the same area, counted pair by pair


def test_roc_auc_counts_ties_half_and_matches_the_curve_on_random_scores():
    assert detection.roc_auc(torch.tensor([0.5, 0.5]), torch.tensor([0.5])) == 0.5
    assert detection.roc_auc(torch.tensor([0.1, 0.2]), torch.tensor([0.3, 0.4])) == 1.0
    g = torch.Generator().manual_seed(3)
    normal, anomaly = torch.randn(300, generator=g), torch.randn(200, generator=g) + 1
    fpr, tpr = detection.roc_curve(normal, anomaly)
    assert abs(torch.trapezoid(tpr, fpr).item() - detection.roc_auc(normal, anomaly)) < 1e-6


def test_class_index_takes_a_name_or_an_index():
    assert detection.class_index("Bag") == 8 and detection.class_index("T-shirt/top") == 0
    assert detection.class_index(8) == 8 and detection.class_index(torch.tensor(3)) == 3   # a label from y_test
    assert type(detection.class_index(torch.tensor([3]))) is int
    for wrong in ("Bags", 10, -1, 8.0, True, torch.tensor(8.0), torch.tensor([1, 2]), None, [8]):
        with pytest.raises(ValueError):
            detection.class_index(wrong)


def test_square_mask_is_one_square_inside_each_image():
    masks = detection.square_mask(200, square=10, generator=torch.Generator().manual_seed(0))
    assert masks.shape == (200, 1, 28, 28) and masks.dtype == torch.bool
    assert (masks.flatten(1).sum(1) == 100).all()
    rows, cols = masks[:, 0].any(2), masks[:, 0].any(1)          # the rows and columns each square touches
    assert (rows.sum(1) == 10).all() and (cols.sum(1) == 10).all()
    assert rows[:, 0].any() and rows[:, 27].any() and cols[:, 0].any() and cols[:, 27].any()   # edges reached


def test_radius_95_holds_95_percent_of_a_2d_normal():
    assert abs(math.exp(-measures.RADIUS_95 ** 2 / 2) - 0.05) < 1e-6    # P(|z| > r) = exp(-r^2 / 2) in 2D


def test_draw_measures_on_a_hand_made_wardrobe():
    codes = torch.stack([torch.arange(20) * 0.1, torch.zeros(20)], dim=1)   # x = 0.0 ... 1.9 on a line
    labels = torch.arange(20) % 10
    draws = torch.stack([codes[0], codes[1], torch.tensor([100.0, 100.0]), torch.tensor([100.0, 100.0])])
    stripes = torch.zeros(1, 28, 28)
    stripes[..., ::2] = 1.0
    decoded = torch.stack([stripes, torch.ones(1, 28, 28), torch.full((1, 28, 28), 0.45)])
    gallery = torch.stack([torch.full((1, 28, 28), 0.1), torch.ones(1, 28, 28), torch.full((1, 28, 28), 0.5)])
    m = measures.draw_measures(codes, labels, draws, decoded, gallery)
    assert m["reach"] == 1.0                                      # every code lies within 2.45 of the origin
    assert abs(m["mix"] - 0.7) < 1e-6                              # classes 0, 1, 9, 9: 0.5 x (0.15 + 0.15 + 0.4 + 0.7)
    assert m["holes"] == 0.5                                      # the two far draws hang far from real items
    assert abs(m["nearest_photo"] - 0.0025) < 1e-6                 # MSEs 0.25, 0, 0.0025: the median
    assert abs(m["sharpness"] - 0.5 / 3) < 1e-6                    # stripes 0.5, two flat images 0
    moved = measures.draw_measures(codes, labels, draws, centre=torch.tensor([1.0, 0.0]), spread=0.25)
    assert abs(moved["reach"] - 13 / 20) < 1e-6 and "sharpness" not in moved  # |x - 1| <= 0.61: x = 0.4 ... 1.6


def test_checker_score_one_for_a_checkerboard_small_for_a_smooth_ramp():
    i, j = torch.arange(28)[:, None].float(), torch.arange(28)[None, :].float()
    checkerboard = ((i + j) % 2)[None, None]
    rows = (i % 2 + 0 * j)[None, None]
    ramp = (j / 27 + 0 * i)[None, None]                           # smooth: brighter to the right
    assert abs(measures.checker_score(checkerboard) - 1.0) < 1e-6
    assert abs(measures.checker_score(rows) - 1.0) < 1e-6
    # only the column stripes see the ramp: |mean (j/27 - 1/2) x (+-1)| / mean |j/27 - 1/2| = (1/54) / (7/27)
    assert abs(measures.checker_score(ramp) - 1 / 14) < 1e-6


def test_nearest_photos_is_the_brute_force_search_by_pixel_mse():
    torch.manual_seed(0)
    gallery, images = torch.rand(50, 1, 28, 28), torch.rand(7, 1, 28, 28)
    images[2] = gallery[13]                                   # one image is a photo of the gallery itself
    idx, mse = measures.nearest_photos(images, gallery)
    every = ((images[:, None] - gallery[None]) ** 2).flatten(2).mean(2)   # (7, 50) MSE of each pair
    assert torch.equal(idx, every.argmin(1)) and torch.allclose(mse, every.min(1).values)
    assert idx[2] == 13 and mse[2] == 0


def test_representative_keeps_each_class_share_and_spreads_along_the_coordinate():
    labels = torch.tensor([0] * 46 + [3] * 21 + [1] * 19 + [7] * 14)   # 100 items: 46 %, 21 %, 19 %, 14 %
    coordinate = torch.arange(100.0).flip(0)                            # item i sits at 99 - i
    items = torch.arange(100)
    picked = measures.representative(items, labels, coordinate, 6)
    # largest remainders: quotas 2.76, 1.26, 1.14, 0.84 -> floors 2, 1, 1, 0 and the two largest remainders
    # (0.84 for class 7, 0.76 for class 0) get one more: 3, 1, 1, 1; the commonest class comes first
    assert labels[picked].tolist() == [0, 0, 0, 3, 1, 7]
    zero = picked[:3]
    # spread evenly along the coordinate: the 1/6, 3/6 and 5/6 points of class 0's items sorted by coordinate
    assert coordinate[zero].tolist() == sorted(coordinate[zero].tolist())
    assert zero.tolist() == [38, 22, 7]
    assert len(set(picked.tolist())) == 6
    subset = torch.tensor([5, 50, 60, 70, 80])                          # a subset: only its own items are picked
    assert set(measures.representative(subset, labels, coordinate, 2).tolist()) <= set(subset.tolist())


def test_paired_two_se_by_hand():
    # differences 1, 3, 2, 6: mean 3, sample variance (4 + 0 + 1 + 9) / 3 = 14 / 3, 2 SE = 2 sqrt(14 / 3 / 4)
    mean, two_se = measures.paired_two_se(torch.tensor([3.0, 4.0, 5.0, 9.0]) - torch.tensor([2.0, 1.0, 3.0, 3.0]))
    assert mean == pytest.approx(3.0) and two_se == pytest.approx(2 * math.sqrt(14 / 3 / 4))
    # booleans count as 0 / 1; correction=0 divides the variance by n: d = 1, 0, 0, -1, mean 0, variance 2 / 4
    a, b = torch.tensor([True, True, False, False]), torch.tensor([False, True, False, True])
    mean, two_se = measures.paired_two_se(a.float() - b.float(), correction=0)
    assert mean == pytest.approx(0.0) and two_se == pytest.approx(2 * math.sqrt(2 / 4 / 4))
    assert measures.paired_two_se(torch.tensor([1, 0, 0]))[0] == pytest.approx(1 / 3)


def test_hole_flags_match_draw_measures():
    codes = torch.cartesian_prod(torch.arange(5.0), torch.arange(5.0)) / 10     # a 5 x 5 grid, 0.1 apart
    draws = torch.tensor([[0.15, 0.25], [10.0, 10.0]])             # one among the items, one far away
    flags = measures.hole_flags(draws, codes)
    assert flags.tolist() == [False, True]
    assert measures.draw_measures(codes, torch.zeros(25, dtype=torch.long), draws)["holes"] == pytest.approx(0.5)
