"""Latent-space maths against brute-force references written the slow, obvious way."""

import math
from collections import Counter

import pytest
import torch

from ae_helpers import latent
from ae_helpers.latent import spacing


@pytest.fixture
def blobs():
    """60 points in 3-D around 4 centres, labels 0..3, plus 25 held-out points."""
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(4, 3, generator=g) * 2
    y = torch.randint(0, 4, (85,), generator=g)
    x = centres[y] + torch.randn(85, 3, generator=g)
    return x[:60], y[:60], x[60:], y[60:]


def brute_neighbours(q, gallery, k, skip=None):
    dists = [(math.dist(q.tolist(), p.tolist()), j) for j, p in enumerate(gallery) if j != skip]
    return [j for _, j in sorted(dists)[:k]]


def test_nearest_matches_brute_force(blobs):
    x, _, t, _ = blobs
    assert latent.nearest(t, x, k=4, chunk=7).tolist() == [brute_neighbours(q, x, 4) for q in t]
    assert latent.nearest(x, x, k=3, exclude_self=True, chunk=9).tolist() == \
        [brute_neighbours(q, x, 3, skip=i) for i, q in enumerate(x)]


@pytest.mark.parametrize("k", [1, 4, 7])
def test_knn_accuracy_matches_brute_force(blobs, k):
    x, y, t, ty = blobs
    right = 0
    for q, label in zip(t, ty):
        votes = Counter(y[j].item() for j in brute_neighbours(q, x, k))
        best = max(votes.values())
        right += min(c for c, v in votes.items() if v == best) == label.item()   # tie -> smallest label
    assert latent.knn_accuracy(x, y, t, ty, k=k) == pytest.approx(right / len(t))


def test_knn_accuracy_of_a_clean_split_is_one_and_chance_is_low():
    x = torch.tensor([[0.0], [0.1], [10.0], [10.1]])
    y = torch.tensor([0, 0, 1, 1])
    assert latent.knn_accuracy(x, y, torch.tensor([[0.05], [9.9]]), torch.tensor([0, 1]), k=1) == 1.0
    assert latent.knn_accuracy(x, y, torch.tensor([[0.05], [9.9]]), torch.tensor([1, 0]), k=1) == 0.0


def brute_knn(gallery, queries, k):
    """The k nearest gallery rows of each query, exactly: squared distances summed in Python floats (exact for
    whole numbers), ties broken by gallery order."""
    rows = gallery.double().tolist()
    out = []
    for q in queries.double().tolist():
        dists = [(sum((a - b) ** 2 for a, b in zip(q, p)), j) for j, p in enumerate(rows)]
        out.append([j for _, j in sorted(dists)[:k]])
    return out


def brute_vote(neighbours, labels):
    votes = [Counter(labels[j] for j in nbrs) for nbrs in neighbours]
    return [min(c for c, v in vote.items() if v == max(vote.values())) for vote in votes]  # tie -> smallest


# gallery sizes around the search's 64-column blocks (1000: more blocks than candidates, so some are skipped);
# chunks of the 37 queries: one at a time, ragged, exactly all, one too many, the default
@pytest.mark.parametrize("n_gallery", [1, 63, 64, 65, 300, 1000])
@pytest.mark.parametrize("chunk", [1, 7, 36, 37, 38, None])
def test_knn_predict_finds_each_querys_own_exact_neighbours_in_every_chunk(n_gallery, chunk):
    g = torch.Generator().manual_seed(n_gallery)
    gallery = torch.randint(0, 4, (n_gallery, 5), generator=g).float()  # whole numbers: many exact ties
    gallery[n_gallery // 2:] = gallery[:n_gallery - n_gallery // 2].clone()  # and duplicates further down
    queries = torch.randint(0, 4, (37, 5), generator=g).float()
    # one label per gallery item: with k=1 the prediction *is* the index of the nearest item
    nearest = brute_knn(gallery, queries, 1)
    assert latent.knn_predict(gallery, torch.arange(n_gallery), queries, k=1, chunk=chunk).tolist() == \
        [n[0] for n in nearest]
    k = min(5, n_gallery)
    labels = torch.randint(0, 3, (n_gallery,), generator=g)
    assert latent.knn_predict(gallery, labels, queries, k=k, chunk=chunk).tolist() == \
        brute_vote(brute_knn(gallery, queries, k), labels.tolist())


def test_knn_predict_searches_the_right_blocks_of_a_large_gallery():
    """5000 items, 79 blocks of 64 columns: only the few blocks with the nearest items are searched."""
    g = torch.Generator().manual_seed(2)
    gallery, queries = torch.randn(5000, 3, generator=g), torch.randn(40, 3, generator=g)
    for k in (1, 5):   # one label per item: the prediction is the smallest index among the k nearest
        assert latent.knn_predict(gallery, torch.arange(5000), queries, k=k, chunk=7).tolist() == \
            [min(n) for n in brute_knn(gallery, queries, k)]


def test_knn_predict_stays_exact_where_float32_cannot_rank():
    """Far from the origin, ||q||^2 + ||g||^2 - 2 q.g loses the small distances to rounding: the exact check
    must notice and compare those queries exactly."""
    g = torch.Generator().manual_seed(0)
    gallery = 3000 + torch.randint(0, 3, (200, 4), generator=g).float()
    queries = 3000 + torch.randint(0, 3, (30, 4), generator=g).float()
    labels = torch.arange(200)
    assert latent.knn_predict(gallery, labels, queries, k=1, chunk=8).tolist() == \
        [n[0] for n in brute_knn(gallery, queries, 1)]


def test_knn_accuracy_of_high_dimensional_images_matches_brute_force():
    g = torch.Generator().manual_seed(1)
    gallery, queries = torch.rand(150, 1, 28, 28, generator=g), torch.rand(20, 1, 28, 28, generator=g)
    labels, truth = torch.randint(0, 10, (150,), generator=g), torch.randint(0, 10, (20,), generator=g)
    expected = brute_vote(brute_knn(gallery.flatten(1), queries.flatten(1), 5), labels.tolist())
    right = sum(p == t for p, t in zip(expected, truth.tolist())) / 20
    for chunk in (3, None):
        assert latent.knn_accuracy(gallery, labels, queries, truth, k=5, chunk=chunk) == pytest.approx(right)


@pytest.mark.parametrize("k", [1, 5])
def test_precision_at_k_matches_brute_force(blobs, k):
    x, y, _, _ = blobs
    shares = [sum(y[j] == y[i] for j in brute_neighbours(q, x, k, skip=i)).item() / k for i, q in enumerate(x)]
    assert latent.precision_at_k(x, y, k=k) == pytest.approx(sum(shares) / len(shares))


def test_images_are_flattened():
    imgs = torch.rand(10, 1, 28, 28)
    assert torch.equal(latent.nearest(imgs, imgs, k=1), torch.arange(10)[:, None])


def test_pca_matches_svd_and_reconstructs_exactly_with_all_components():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(200, 6, generator=g) @ torch.randn(6, 6, generator=g)
    mean, comps = latent.pca_fit(x, 2)
    _, _, vt = torch.linalg.svd(x - x.mean(0), full_matrices=False)
    assert torch.allclose(comps.abs(), vt[:2].T.abs(), atol=1e-4)   # same directions, up to sign
    assert torch.allclose(comps.T @ comps, torch.eye(2), atol=1e-5)
    codes = latent.pca_project(x, mean, comps)
    assert codes.shape == (200, 2) and codes.var(0)[0] > codes.var(0)[1]   # largest variance first
    mean6, comps6 = latent.pca_fit(x, 6)
    assert torch.allclose(latent.pca_reconstruct(latent.pca_project(x, mean6, comps6), mean6, comps6), x, atol=1e-3)


def test_pca_mse_is_the_error_left_after_the_top_k_directions():
    g = torch.Generator().manual_seed(2)
    x_fit = torch.randn(300, 8, generator=g) @ torch.randn(8, 8, generator=g)
    x_eval = torch.randn(50, 8, generator=g) @ torch.randn(8, 8, generator=g)
    mean = x_fit.mean(0)
    _, _, vt = torch.linalg.svd(x_fit - mean, full_matrices=False)
    w = vt[:3].T                                       # reference: the top 3 directions by SVD
    want = ((((x_eval - mean) @ w) @ w.T + mean - x_eval) ** 2).mean().item()
    assert abs(latent.pca_mse(x_fit, x_eval, 3) - want) < 1e-4 * want
    assert latent.pca_mse(x_fit, x_fit, 8) < 1e-8        # every direction: nothing is lost


def test_pca_errors_give_pca_mse_for_every_k_from_one_fit():
    g = torch.Generator().manual_seed(3)
    x_fit = torch.randn(300, 8, generator=g) @ torch.randn(8, 8, generator=g)
    x_eval = torch.randn(50, 8, generator=g) @ torch.randn(8, 8, generator=g)
    errors = latent.pca_errors(x_eval, *latent.pca_fit(x_fit, 6))
    assert errors.shape == (6,)
    for k in range(1, 7):
        want = latent.pca_mse(x_fit, x_eval, k)
        assert abs(errors[k - 1].item() - want) < 1e-4 * want


def test_principal_angles():
    e = torch.eye(4)
    assert torch.allclose(latent.principal_angles(e[:, :2], e[:, :2] @ torch.tensor([[2.0, 1], [0, 3]])),
                          torch.zeros(2), atol=1e-3)   # same plane, other basis
    assert torch.allclose(latent.principal_angles(e[:, :2], e[:, 2:]), torch.full((2,), 90.0))
    tilted = torch.stack([e[:, 0], (e[:, 1] + e[:, 2]) / 2 ** 0.5], 1)
    assert torch.allclose(latent.principal_angles(e[:, :2], tilted), torch.tensor([0.0, 45.0]), atol=1e-3)


def test_clear_errors():
    x = torch.rand(5, 3)
    with pytest.raises(ValueError, match="numbers per item"):
        latent.nearest(x, torch.rand(5, 4))
    with pytest.raises(ValueError, match="k must be between 1 and 4"):
        latent.nearest(x, x, k=5, exclude_self=True)
    with pytest.raises(ValueError, match="one label per item"):
        latent.knn_accuracy(x, torch.zeros(4), x, torch.zeros(5))
    with pytest.raises(ValueError, match="one row per item"):
        latent.precision_at_k(torch.rand(5), torch.zeros(5))


def test_nearest_item_matches_brute_force_and_skips_itself(blobs):
    x, _, t, _ = blobs
    idx, dist = latent.nearest_item(t, x, chunk=7)
    assert idx.tolist() == [brute_neighbours(q, x, 1)[0] for q in t]
    assert dist.tolist() == pytest.approx([math.dist(q.tolist(), x[j].tolist()) for q, j in zip(t, idx)], abs=1e-5)
    own, own_dist = latent.nearest_item(x, x, exclude_self=True, chunk=9)
    assert own.tolist() == [brute_neighbours(q, x, 1, skip=i)[0] for i, q in enumerate(x)]
    assert (own_dist > 0).all()
    with pytest.raises(ValueError, match="same number of rows"):
        latent.nearest_item(t, x, exclude_self=True)


def test_typical_gap_is_the_median_nearest_other_distance(blobs):
    x = blobs[0]
    gaps = sorted(min(math.dist(p.tolist(), q.tolist()) for j, q in enumerate(x) if j != i) for i, p in enumerate(x))
    assert latent.typical_gap(x, sample=1000) == pytest.approx((gaps[29] + gaps[30]) / 2, abs=1e-5)  # 60 items
    assert latent.typical_gap(x, quantile=1.0) == pytest.approx(gaps[-1], abs=1e-5)


def test_ratio_text_rounds_up_and_never_prints_a_limit_for_a_ratio_below_it():
    assert latent.ratio_text(0.501) == "0.51" and latent.ratio_text(2.0) == "2.00"
    assert latent.ratio_text(1.495) == "1.495" and latent.ratio_text(0.4999) == "0.4999"   # below the limit
    assert latent.ratio_text(1.5) == "1.50" and latent.verdict_grade(1.5, 1.0) == 1          # the limit is "near"
    assert latent.ratio_text(1.495, limits=False) == "1.50"                                 # any other number
    for ratio in torch.linspace(0.3, 1.7, 1401).tolist():      # the printed number is placed like the grade
        shown = float(latent.ratio_text(ratio))
        assert latent.verdict_grade(shown, 1.0) == latent.verdict_grade(ratio, 1.0), (ratio, shown)


def test_verdict_is_graded_by_the_local_spacing_and_names_the_latent_distance():
    spacing = 0.02
    grades = [latent.verdict_grade(d, spacing) for d in (0.0, 0.01, 0.0101, 0.03, 0.0301, 10.08)]
    assert grades == [0, 0, 1, 1, 2, 2]
    text = latent.verdict(0.024, 0.02)
    assert text.startswith("latent distance to the nearest real item 0.024 = 1.20x its spacing (0.020, the distance "
                           "from that item to its 10th nearest real item)")
    assert text.endswith(latent.VERDICT_GRADES[1][1])
    assert latent.verdict(10.08, spacing).endswith("the point hangs far from real items")
    assert latent.verdict(0.009, spacing).endswith("the point hangs among real items")


def brute_kth(x, k):
    return torch.cdist(x, x, compute_mode="donot_use_mm_for_euclid_dist").sort(1).values[:, k]  # [:, 0] is itself


@pytest.mark.parametrize("n, dim", [(50, 2), (3000, 2), (400, 3)])
def test_local_spacing_is_the_distance_to_the_kth_nearest_other_item(n, dim):
    gen = torch.Generator().manual_seed(n)
    x = torch.cat([torch.randn(n // 2, dim, generator=gen) * 0.05, torch.randn(n - n // 2, dim, generator=gen) * 3])
    x[1] = x[0]  # a duplicate is another item at distance 0
    for k in (1, 10):
        kth = brute_kth(x, k)
        assert torch.equal(spacing._kth_distances(x, k), kth)  # exact, also through the grid of cells (3000 x 2)
        assert torch.allclose(latent.local_spacing(x, k), kth.clamp(1e-6, float(torch.quantile(kth, 0.99))))
    with pytest.raises(ValueError, match="k must be between 1 and"):
        latent.local_spacing(x[:5], k=5)


def two_clusters(n_dense=2000, n_sparse=200, seed=0):
    """A dense cluster around (0, 0) and a sparse one, of the same size, around (10, 0)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.cat([torch.rand(n_dense, 2, generator=gen) * 2 - 1,
                      torch.rand(n_sparse, 2, generator=gen) * 2 - 1 + torch.tensor([10.0, 0.0])])


def test_the_same_distance_is_nearer_beside_a_sparse_cluster_than_beside_a_dense_one():
    x = two_clusters()
    spacing = latent.local_spacing(x)
    out = 0.3  # the same absolute distance beyond each cluster's edge
    points = torch.tensor([[0.0, 0.0], [10.0, 0.0], [-1 - out, 0.0], [11 + out, 0.0], [5.0, 0.0], [10, 20.0]])
    g = latent.grade_points(points, x, spacing)
    assert g["grade"].tolist() == [0, 0, 2, 1, 2, 2]  # inside both: among items; beyond the edge: depends on density
    assert g["ratio"][2] > 2 * g["ratio"][3]
    assert spacing[2000:].median() > 3 * spacing[:2000].median()
    one = [latent.verdict_grade(d, spacing[i]) for i, d in zip(g["index"].tolist(), g["distance"].tolist())]
    assert one == g["grade"].tolist(), "grade_points and verdict_grade agree"
    assert torch.equal(latent.grade_points(points, x)["grade"], g["grade"]), "the spacing is computed if not given"


def test_first_of_each_class_and_pick_items():
    y = torch.tensor([2, 0, 2, 1, 0, 1, 2])
    assert latent.first_of_each_class(y).tolist() == [1, 3, 0]
    assert latent.first_of_each_class(y, n=2).tolist() == [[1, 3, 0], [4, 5, 2]]
    with pytest.raises(ValueError, match="class 0 has only 2"):
        latent.first_of_each_class(y, n=3)
    picked = latent.pick_items(y, per_class=1, seed=3)
    assert sorted(y[picked].tolist()) == [0, 1, 2]
    assert torch.equal(picked, latent.pick_items(y, per_class=1, seed=3))


def test_central_item_is_a_real_member_nearest_the_class_median():
    angle = torch.arange(12) * (2 * math.pi / 12)
    ring = torch.stack([angle.cos(), angle.sin()], 1) * torch.tensor([1.0, 2.0])   # class 0: a ring, median in the hole
    codes = torch.cat([ring, torch.tensor([[0.1, 0.0], [5.0, 5.0], [6.0, 5.0], [5.2, 5.1]])])
    labels = torch.tensor([0] * 12 + [1, 2, 2, 2])
    i = latent.central_item(codes, labels, 0)
    assert labels[i] == 0                                    # never class 1's item that sits in the ring's hole
    middle = ring.median(0).values
    assert (ring[i] - middle).norm() == (ring - middle).norm(dim=1).min()
    assert latent.central_item(codes, labels, 2) == 15       # (5.2, 5.1) lies nearest the median (5.2, 5.0)
    with pytest.raises(ValueError, match="no item of class 3"):
        latent.central_item(codes, labels, 3)


def test_extent_interpolate_and_emptiest_spots():
    codes = torch.tensor([[0.0, 0.0], [1.0, 2.0], [0.5, 1.0]])
    assert latent.extent(codes, margin=0.1) == pytest.approx((-0.1, 1.1, -0.2, 2.2))
    line = latent.interpolate(torch.tensor([0.0, 0.0]), torch.tensor([1.0, 2.0]), steps=5)
    assert torch.allclose(line, torch.tensor([[0, 0], [0.25, 0.5], [0.5, 1], [0.75, 1.5], [1, 2]]))
    g = torch.Generator().manual_seed(0)
    two = torch.cat([torch.randn(200, 2, generator=g) * 0.2, torch.randn(200, 2, generator=g) * 0.2 + 4])
    spots, gaps = latent.emptiest_spots(two, n=5, min_gap=0.5)
    assert abs(float(spots[0].sum()) - 4.0) < 0.3   # on the line halfway between the two groups (x + y = 4)
    brute = torch.cdist(spots, two).min(1).values
    assert torch.allclose(gaps, brute) and (gaps > 0.5).all() and (gaps[:-1] >= gaps[1:]).all()
    assert (torch.pdist(spots) > 0.1 * (two.max(0).values - two.min(0).values).norm()).all()   # spread out
    every, every_gap = latent.emptiest_spots(two, n=10**6, apart=0)    # apart=0: every grid point in the outline
    assert len(every) > 10 * len(spots) and (every_gap[:-1] >= every_gap[1:]).all()
    assert torch.allclose(every_gap, (every[:, None] - two[None]).norm(dim=2).min(1).values, atol=1e-5)


def test_sewable_spot_skips_spots_that_decode_to_a_ghost():
    g = torch.Generator().manual_seed(0)
    two = torch.cat([torch.randn(200, 2, generator=g) * 0.2, torch.randn(200, 2, generator=g) * 0.2 + 4])
    images = torch.ones(10, 1, 28, 28)
    spots, gaps = latent.emptiest_spots(two, n=12, min_gap=0.5)
    def decode(z):          # a full item to the right of the emptiest spot, a blank ghost elsewhere
        return (z[:, :1] > spots[0, 0] + 1e-4).float().expand(-1, 784).reshape(-1, 1, 28, 28)
    expected = next(i for i in range(len(spots)) if spots[i, 0] > spots[0, 0] + 1e-4)
    spot, gap, ghosts = latent.sewable_spot(decode, two, images, min_gap=0.5)
    assert ghosts == expected > 0 and torch.equal(spot, spots[expected]) and gap == pytest.approx(float(gaps[expected]))
    with pytest.raises(ValueError, match="faint ghost"):
        latent.sewable_spot(lambda z: torch.zeros(len(z), 1, 28, 28), two, images, min_gap=0.5)
