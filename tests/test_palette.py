"""Maps everyone can read: the class colours stay apart under simulated colour-vision deficiencies
(benchmarks/bench_palette.py measures them), every class map writes each class's name at its median code with a halo,
the names do not overlap, and the web explorer uses the colours Python uses."""

import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from ae_helpers import plots  # noqa: E402
from ae_helpers.data import CLASS_NAMES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("colorspacious")
_spec = importlib.util.spec_from_file_location("bench_palette", ROOT / "benchmarks" / "bench_palette.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

#: Measured smallest CAM02-UCS distance between two class colours (bench_palette.py): normal 18.7, deuteranopia
#: 14.9, protanopia 14.5, tritanopia 15.3 (tab10: 20.2, 4.3, 1.6, 9.4). About 10 reads as clearly different.
FLOOR = 12.0


def test_ten_distinct_colours():
    assert len(plots.CLASS_COLORS) == len(CLASS_NAMES) == 10
    assert len({to_hex(c) for c in plots.CLASS_COLORS}) == 10


@pytest.mark.parametrize("vision", list(bench.VISIONS))
def test_colours_stay_apart_under_each_vision(vision):
    d, i, j = bench.smallest_distances(plots.CLASS_COLORS)[vision]
    assert d > FLOOR, f"{CLASS_NAMES[i]} and {CLASS_NAMES[j]} are only {d:.1f} apart with {vision}"


def test_the_simulation_catches_tab10():
    """The check has teeth: matplotlib's tab10 (the old palette) fails it under protanopia and deuteranopia."""
    smallest = bench.smallest_distances(plt.get_cmap("tab10").colors)
    assert smallest["protanopia"][0] < 5 and smallest["deuteranopia"][0] < 5 and smallest["normal"][0] > FLOOR


def clusters(centres, n=60, seed=0):
    """``n`` codes around each centre (class k at centres[k]) and their labels."""
    rng = np.random.default_rng(seed)
    codes = np.concatenate([np.asarray(c) + rng.normal(0, 0.3, (n, 2)) for c in centres])
    return torch.tensor(codes, dtype=torch.float32), torch.arange(len(centres)).repeat_interleave(n)


def drawn_boxes(ax):
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_visible()]


def test_names_sit_at_the_medians_with_a_halo():
    codes, labels = clusters([(0, 0), (10, 0), (0, 10), (10, 10), (5, 5)])
    ax = plots.latent_scatter(codes, labels)
    names = ax.texts
    assert [t.get_text() for t in names] == list(CLASS_NAMES[:5])
    for k, t in enumerate(names):
        assert t.xy == pytest.approx(tuple(np.median(codes[labels == k].numpy(), axis=0)))
        assert any(isinstance(e, patheffects.withStroke) for e in t.get_path_effects())
    boxes = drawn_boxes(ax)
    assert len(boxes) == 5
    assert ax.get_legend() is None  # the names replace the legend by default
    for k, t in enumerate(names):  # far apart: drawn where they are, centred on the median
        centre = ax.transData.transform(t.xy)
        assert boxes[k].x0 < centre[0] < boxes[k].x1 and boxes[k].y0 < centre[1] < boxes[k].y1
    plt.close(ax.figure)


def test_close_names_are_nudged_apart():
    """Ten classes whose medians nearly coincide (and two on top of each other): no two drawn names overlap,
    and the annotations still point at the medians."""
    centres = [(0.1 * k, 0.05 * (k % 3)) for k in range(10)]
    centres[3] = centres[2]
    codes, labels = clusters(centres, seed=1)
    fig, ax = plt.subplots(figsize=(5, 4))
    plots.latent_scatter(codes, labels, ax=ax)
    ax.set_xlim(-6, 6)  # later limits and layout are taken into account: the nudge runs at draw time
    ax.set_ylim(-4, 4)
    fig.tight_layout()
    boxes = drawn_boxes(ax)
    assert len(boxes) == 10
    for i, a in enumerate(boxes):
        assert ax.bbox.x0 <= a.x0 and a.x1 <= ax.bbox.x1 and ax.bbox.y0 <= a.y0 and a.y1 <= ax.bbox.y1
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    medians = plots.class_medians(codes.numpy(), labels.numpy())
    assert [t.xy for t in ax.texts] == [pytest.approx(tuple(medians[k])) for k in range(10)]
    plt.close(fig)


def test_nudge_separates_identical_boxes_inside_bounds():
    half = np.full((4, 2), (20.0, 6.0))
    pos = plots.nudge(np.full((4, 2), 50.0), half, (0, 0, 200, 200))
    for i in range(4):
        for j in range(i + 1, 4):
            assert (np.abs(pos[i] - pos[j]) >= half[i] + half[j] - 1e-9).any()
    assert (pos - half >= 0).all() and (pos + half <= 200).all()


def test_legend_and_names_are_options():
    codes, labels = clusters([(0, 0), (5, 5)])
    ax = plots.latent_scatter(codes, labels, names=False)
    assert ax.get_legend() is not None and not ax.texts
    ax = plots.latent_scatter(codes, labels, legend=True)
    assert ax.get_legend() is not None and len(ax.texts) == 2
    plt.close("all")


def test_a_name_whose_median_is_off_the_axes_is_not_drawn():
    codes, labels = clusters([(0, 0), (20, 20)])
    ax = plots.latent_scatter(codes, labels)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    drawn_boxes(ax)
    assert [t.get_visible() for t in ax.texts] == [True, False]
    plt.close(ax.figure)


def test_the_explorer_map_carries_the_names():
    from ae_helpers.explorer.view import render_map

    codes, labels = clusters([(0, 0), (6, 0), (0, 6)])
    with_names, _ = render_map(codes, labels, (-2, 8, -2, 8))
    plain = plots.class_labels
    try:
        plots.class_labels = lambda *a, **k: []
        without, _ = render_map(codes, labels, (-2, 8, -2, 8))
    finally:
        plots.class_labels = plain
    assert (with_names.pixels != without.pixels).sum() > 200  # the three names' ink


def test_the_web_page_uses_the_python_colours(real_data):
    from ae_helpers.explorer import web
    from ae_helpers.models import Autoencoder

    x_train, y_train, x_test, y_test = real_data
    torch.manual_seed(0)
    data = web.export_data(Autoencoder(2, hidden=(16, 16)), (x_test[:200], y_test[:200]), n_items=20, steps=8,
                           train_data=(x_train[:300], y_train[:300]))
    assert data["class_colors"] == list(plots.CLASS_COLORS)
    page = (ROOT / "slides" / "explorer" / "explorer.js").read_text()
    assert "DATA.class_colors" in page and "#" not in "".join(
        line for line in page.splitlines() if "class_colors" in line)  # the page keeps no colours of its own
