"""Hang your own item (``ae_helpers/hang.py`` and its browser twin ``ae_helpers/explorer/hang.js``): hand-made
drawings and photos, the data's own measurements behind the constants, a real item coming back, and the two
implementations step for step on the same inputs (run with ``node``)."""

import base64
import json
import shutil
import subprocess
from importlib import resources

import numpy as np
import pytest
import torch

from ae_helpers import data, hang

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: hang.js is not compared with hang.py")
JS = resources.files("ae_helpers.explorer") / "hang.js"


def bright_box(a):
    """(top, bottom, left, right) of the pixels above the crop threshold."""
    rows = np.flatnonzero((a > hang.CROP_THRESHOLD).any(1))
    cols = np.flatnonzero((a > hang.CROP_THRESHOLD).any(0))
    return rows[0], rows[-1], cols[0], cols[-1]


def ellipse(h, w, cy, cx, ry, rx):
    yy, xx = np.mgrid[0:h, 0:w]
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1


def rgba(grey_bytes, alpha=255):
    g = np.asarray(grey_bytes, dtype=np.uint8)
    return np.dstack([g, g, g, np.broadcast_to(np.asarray(alpha, dtype=np.uint8), g.shape)])


def strokes(seed, h, w, n_lines=3, thickness=12.0):
    """Coverage (H, W) in [0, 1] of random thick polylines, anti-aliased (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    cover = np.zeros((h, w))
    for _ in range(n_lines):
        points = rng.uniform([0.1 * h, 0.1 * w], [0.9 * h, 0.9 * w], size=(rng.integers(2, 6), 2))
        for (y0, x0), (y1, x1) in zip(points[:-1], points[1:]):
            dy, dx = y1 - y0, x1 - x0
            t = np.clip(((yy - y0) * dy + (xx - x0) * dx) / max(dy * dy + dx * dx, 1e-9), 0, 1)
            dist = np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx))
            cover = np.maximum(cover, np.clip(thickness / 2 + 0.5 - dist, 0, 1))
    return cover


@pytest.fixture(scope="module")
def test_items():
    return data.load("test")[0][:, 0]


# -- the constants, measured on the data --

def test_longest_side_and_centring_are_the_datas(test_items):
    """The median longest side of the test items' bounding boxes is LONGEST_SIDE (measured: 78 % span exactly 28,
    96 % at least 27); where the spare space is odd, most items have the extra pixel above / to the left, as
    hang centres."""
    m = test_items > hang.CROP_THRESHOLD
    idx = torch.arange(28)
    spans, before_after = [], []
    for has_ink in (m.any(2), m.any(1)):                         # rows, columns
        first = torch.where(has_ink, idx, 99).amin(1)
        last = torch.where(has_ink, idx, -1).amax(1)
        spans.append(last - first + 1)
        before_after.append((first, 27 - last))
    assert torch.maximum(*spans).median().item() == hang.LONGEST_SIDE
    for before, after in before_after:
        odd = (before + after) % 2 == 1
        assert (before > after)[odd].float().mean() > 0.6        # measured: 77 % (rows), 90 % (columns)
    bar = np.zeros((40, 40))
    bar[5:15, 5:10] = 1                                          # 10 x 5 -> 28 x 14: 14 columns spare, even
    bar2 = np.zeros((40, 40))
    bar2[5:15, 5:9] = 1                                          # 10 x 4 -> 28 x 11: 17 spare, 9 go left
    assert bright_box(hang.hang_steps(bar)["item"])[2:] == (7, 20)
    assert bright_box(hang.hang_steps(bar2)["item"])[2:] == (9, 19)


# -- hand-made drawings and photos --

def test_a_bar_is_centred_scaled_like_the_data_and_keeps_its_aspect():
    image = np.zeros((100, 100))
    image[10:20, 70:74] = 1                                      # 10 rows x 4 columns, off-centre
    steps = hang.hang_steps(image)
    assert steps["cropped"].shape == (10, 4)
    item = hang.to_item(image)
    assert item.shape == (28, 28) and item.dtype == torch.float32
    expected = np.zeros((28, 28), dtype=np.float32)
    expected[:, 9:20] = 1                                        # 28 x round(4 * 28 / 10) = 11, centred
    np.testing.assert_array_equal(item.numpy(), expected)
    np.testing.assert_array_equal(steps["item"], expected)


def test_a_dark_shoe_photographed_on_white_paper_is_inverted():
    rng = np.random.default_rng(0)
    h, w = 120, 160
    paper = 215 + 25 * np.linspace(0, 1, w)[None, :] + rng.normal(0, 3, (h, w))   # uneven light, noise
    shoe = ellipse(h, w, 70, 85, 25, 55) | ellipse(h, w, 45, 115, 30, 18)
    photo = np.where(shoe, 50 + rng.normal(0, 3, (h, w)), paper).clip(0, 255).round().astype(np.uint8)
    steps = hang.hang_steps(np.dstack([photo] * 3))
    np.testing.assert_allclose(steps["polarity"], 1 - steps["grey"], atol=1e-7)
    item = steps["item"]
    assert item[14, 14] > 0.9 and item[0, 0] == 0 and item[27, 27] == 0
    assert item.max() <= 1 and item.min() >= 0
    assert np.mean(item[item > 0.5]) > 0.9                       # the shoe is bright, evenly
    assert steps["cropped"].shape == (81, 111)                   # the shoe's own box: rows 15-95, columns 30-140
    assert bright_box(item) == (4, 23, 0, 27)                    # 111 columns -> 28, 81 rows -> 20, centred


def test_a_pad_drawing_keeps_its_polarity():
    cover = strokes(1, 200, 200)
    steps = hang.hang_steps(rgba((cover * 255).round()))
    np.testing.assert_array_equal(steps["polarity"], steps["grey"])
    assert steps["item"].max() > 0.9


def test_a_transparent_background_is_white_paper():
    shoe = ellipse(60, 90, 30, 45, 15, 35)
    transparent = np.zeros((60, 90, 4), dtype=np.uint8)
    transparent[shoe] = (20, 20, 20, 255)                        # dark opaque ink, background alpha 0
    on_white = np.full((60, 90, 3), 255, dtype=np.uint8)
    on_white[shoe] = 20
    a, b = hang.to_item(transparent), hang.to_item(on_white)
    np.testing.assert_allclose(hang.hang_steps(transparent)["grey"][0, 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(a, b, atol=1e-6, rtol=0)
    assert a[14, 14] == 1 and a[0, 0] == 0


def test_an_off_centre_blob_ends_up_centred():
    image = np.zeros((90, 90), dtype=np.uint8)
    image[ellipse(90, 90, 12, 75, 10, 10)] = 255                 # a disc in the top right corner
    item = hang.to_item(image).numpy()
    top, bottom, left, right = bright_box(item)
    assert (top, bottom, left, right) == (0, 27, 0, 27)
    mass = item / item.sum()
    yy, xx = np.mgrid[0:28, 0:28]
    assert abs((mass * yy).sum() - 13.5) < 0.3 and abs((mass * xx).sum() - 13.5) < 0.3


def test_inputs_of_every_accepted_kind_agree(tmp_path):
    from PIL import Image

    cover = strokes(2, 64, 48)
    as_bytes = (cover * 255).round().astype(np.uint8)
    reference = hang.to_item(as_bytes)
    Image.fromarray(as_bytes).save(tmp_path / "drawing.png")
    for image in (as_bytes / 255, torch.from_numpy(as_bytes / 255)[None], np.dstack([as_bytes] * 3), rgba(as_bytes),
                  Image.fromarray(as_bytes), tmp_path / "drawing.png", str(tmp_path / "drawing.png")):
        np.testing.assert_allclose(hang.to_item(image), reference, atol=1e-6, rtol=0)
    palette = Image.fromarray(as_bytes).convert("P")
    palette.info["transparency"] = 0                             # black is see-through: white paper, dark ink
    np.testing.assert_allclose(hang.hang_steps(palette)["grey"][0, 0], 1.0, atol=1e-6)
    sideways = Image.fromarray(rgba(as_bytes.T[::-1]))           # stored turned, with EXIF "rotate 90 degrees"
    exif = sideways.getexif()
    exif[0x0112] = 6
    sideways.save(tmp_path / "phone.png", exif=exif)
    np.testing.assert_allclose(hang.to_item(tmp_path / "phone.png"), reference, atol=1e-6, rtol=0)
    big = Image.fromarray(np.kron(as_bytes, np.ones((40, 40), dtype=np.uint8)))   # 2560 x 1920: reduced first
    assert max(hang.hang_steps(big)["grey"].shape) <= hang.MAX_PHOTO_SIDE
    assert ((hang.to_item(big) - reference) ** 2).mean() < 1e-3


@pytest.mark.parametrize("image, match", [
    (np.zeros((50, 50)), "draw something first"),
    (np.ones((50, 50)), "draw something first"),
    (np.full((50, 50, 4), 0, np.uint8), "draw something first"),           # all transparent: blank paper
    (np.random.default_rng(0).uniform(0.5, 0.52, (50, 50)), "draw something first"),   # only noise
    (np.full((20, 20), np.nan), "NaN"),
    (np.zeros((20, 20, 2), np.uint8), "shape"),
    (np.zeros(400), "shape"),
    (np.zeros((2, 20)), "too small"),
    (np.full((20, 20), 1.5), r"\[0, 1\]"),
    (np.full((20, 20), "a"), "numbers"),
    ("no/such/file.png", "cannot read"),
])
def test_bad_or_empty_input_says_what_to_do_in_one_line(image, match):
    with pytest.raises(ValueError, match=match) as err:
        hang.to_item(image)
    assert "\n" not in str(err.value)


# -- a real item comes back --

def test_a_real_item_upscaled_comes_back(test_items):
    """The first 100 test items, each 10x nearest: measured, 59 of them come back exactly (MSE < 1e-9); the others
    have a faint edge row or column below the crop threshold, so their box is a pixel or two short of 28 and
    is stretched to 28 (MSE mean 0.0066 over the 100, largest 0.059; item 0, an ankle boot: 0.027)."""
    mses = np.array([((hang.to_item(np.kron(x, np.ones((10, 10)))).numpy() - x) ** 2).mean()
                     for x in test_items[:100].numpy()])
    assert (mses < 1e-9).mean() > 0.5 and mses.mean() < 0.01 and mses.max() < 0.09


# -- how unusual: the percentile and its sentence --

def test_unusualness_counts_the_test_errors_strictly_below():
    errors = torch.tensor([1, 2, 2, 3, 5]) / 64                 # float32, exactly these values
    assert hang.unusualness(0.5 / 64, errors) == 0
    assert hang.unusualness(1 / 64, errors) == 0                 # ties are not "worse than"
    assert hang.unusualness(2 / 64, errors) == 20
    assert hang.unusualness(2.5 / 64, errors) == 60
    assert hang.unusualness(errors[4], errors) == 80             # a tensor error
    assert hang.unusualness(0.2, errors.numpy()[::-1]) == 100    # unsorted numpy errors
    for bad in ([], [0.1, float("nan")]):
        with pytest.raises(ValueError, match="finite"):
            hang.unusualness(0.1, bad)
    with pytest.raises(ValueError, match="finite"):
        hang.unusualness(float("nan"), errors)
    with pytest.raises(ValueError, match="one number"):
        hang.unusualness(errors, errors)


def test_unusual_sentence_at_its_edges():
    say = hang.unusual_sentence
    assert say(97.3) == "Brian's copy is worse than for 97 % of real test items: unusual for this wardrobe."
    assert "95 %" in say(95) and "unusual for" in say(95)
    assert "94 %" in say(94.99) and "not unusual" in say(94.99)
    assert "50 %" in say(50) and "not unusual" in say(50)
    assert "only 49 %" in say(49.99) and "typical" in say(49.99)
    assert "less than 1 %" in say(0.4) and "typical" in say(0.4)
    assert "every" in say(100) and "very unusual" in say(100) and "99 %" in say(99.99)
    assert "at least as good" in say(0) and say(np.float64(97.3)) == say(97.3)
    for bad in (-1, 100.5, float("nan"), "50", None):
        with pytest.raises(ValueError, match="between 0 and 100"):
            say(bad)


# -- the browser twin --

def test_hang_js_ships_with_the_package():
    assert JS.is_file()
    assert hang.js_source() == JS.read_text(encoding="utf-8") and "var AEHang" in hang.js_source()


RUNNER = """
const AEHang = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {constants: AEHang.constants, images: [], percentiles: [], sentences: []};
const b64 = (f32) => Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString("base64");
for (const im of input.images) {
  try {
    const r = AEHang.toItem(new Uint8ClampedArray(Buffer.from(im.rgba, "base64")), im.width, im.height);
    const s = r.steps;
    out.images.push({grey: b64(s.grey), polarity: b64(s.polarity), cleaned: b64(s.cleaned),
                     cropped: b64(s.cropped.data), cropped_shape: [s.cropped.height, s.cropped.width],
                     item: b64(r.item), same_item: r.item === s.item});
  } catch (e) { out.images.push({error: e.message}); }
}
for (const [error, sorted] of input.percentiles) out.percentiles.push(AEHang.percentile(error, sorted));
for (const pct of input.sentences) out.sentences.push(AEHang.unusualSentence(pct));
process.stdout.write(JSON.stringify(out));
"""


def run_node(script: str, stdin: str = "", *args) -> str:
    done = subprocess.run([NODE, "-e", script, "--", *map(str, args)], input=stdin, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def js_cases(test_items):
    """(name, RGBA uint8 (H, W, 4)) images for both implementations."""
    rng = np.random.default_rng(7)
    cases = []
    for seed, (h, w, thickness) in enumerate([(280, 280, 14.0), (200, 150, 9.0), (120, 300, 6.0)]):
        cases.append((f"pad {seed}", rgba((strokes(seed, h, w, thickness=thickness) * 255).round())))
    cover = strokes(10, 150, 200, thickness=8.0)                 # black ink on a transparent canvas
    ink = np.zeros((150, 200, 4), dtype=np.uint8)
    ink[..., 3] = (cover * 255).round()
    cases.append(("black ink, transparent canvas", ink))
    cases.append(("tiny, upscaled", rgba((strokes(11, 18, 24, thickness=3.0) * 255).round())))
    cases.append(("grey ink on grey", rgba(60 + (strokes(12, 90, 130) * 120).round())))
    h, w = 120, 160                                              # a photo: paper, a dark shoe, noise, a hole
    paper = 200 + 40 * np.linspace(0, 1, w)[None, :] + rng.normal(0, 4, (h, w))
    shoe = ellipse(h, w, 70, 80, 22, 50) | ellipse(h, w, 45, 110, 28, 16)
    colour = np.dstack([np.where(shoe, 40 + 20 * c + rng.normal(0, 5, (h, w)), paper) for c in range(3)])
    alpha = np.full((h, w), 255.0)
    alpha[:10, :30] = rng.uniform(0, 255, (10, 30))
    cases.append(("photo", np.dstack([colour, alpha]).clip(0, 255).round().astype(np.uint8)))
    two_tone = np.where(np.arange(30)[:, None] < 15, 200, 230) * np.ones((1, 40))   # paper whose border's
    two_tone[ellipse(30, 40, 15, 20, 8, 12)] = 30                # median falls between two values
    cases.append(("two-tone paper", rgba(two_tone)))
    real = (test_items[0].numpy() * 255).round().astype(np.uint8)
    cases.append(("real item x10", rgba(np.kron(real, np.ones((10, 10), dtype=np.uint8)))))
    cases.append(("empty pad", rgba(np.zeros((40, 40)))))
    cases.append(("blank paper", rgba(np.full((40, 40), 255))))
    return cases


@needs_node
def test_js_and_python_agree_step_for_step(test_items):
    cases = js_cases(test_items)
    errors = torch.rand(500, generator=torch.Generator().manual_seed(0)) * 0.05
    errors[100:110] = errors[5]                                  # ties
    sorted_errors = errors.sort().values.double().tolist()
    probes = [0.0, errors.min().item(), errors[5].item(), 0.01, 0.025, 0.0499, 1.0]
    pcts = [hang.unusualness(p, errors) for p in probes]
    sentences = [0, 1e-9, 0.4, 1, 12.3, 49.999, 50, 77.7, 94.99, 95, 97.3, 99.999, 100, *pcts]
    request = {"images": [{"rgba": base64.b64encode(im.tobytes()).decode(), "width": im.shape[1], "height": im.shape[0]}
                          for _, im in cases],
               "percentiles": [[p, sorted_errors] for p in probes], "sentences": sentences}
    out = json.loads(run_node(RUNNER, json.dumps(request), JS))
    assert {k: out["constants"][k] for k in ("SIZE", "LONGEST_SIDE", "CROP_THRESHOLD", "MIN_CONTRAST",
                                             "BORDER_DIVISOR", "EMPTY")} == \
        {"SIZE": hang.SIZE, "LONGEST_SIDE": hang.LONGEST_SIDE, "CROP_THRESHOLD": hang.CROP_THRESHOLD,
         "MIN_CONTRAST": hang.MIN_CONTRAST, "BORDER_DIVISOR": hang.BORDER_DIVISOR, "EMPTY": hang.EMPTY}
    worst = 0.0
    for (name, im), js in zip(cases, out["images"]):
        if name in ("empty pad", "blank paper"):
            assert js == {"error": hang.EMPTY}, name
            with pytest.raises(ValueError, match="draw something first"):
                hang.to_item(im)
            continue
        assert "error" not in js, f"{name}: {js.get('error')}"
        py = hang.hang_steps(im)
        assert list(py["cropped"].shape) == js["cropped_shape"], name
        assert js["same_item"], name
        for step in hang.STEPS:
            diff = np.abs(py[step].ravel() - np.frombuffer(base64.b64decode(js[step]), "<f4")).max()
            assert diff <= 1e-6, f"{name}, step {step}: JS and Python differ by {diff:.2e}"
            worst = max(worst, diff)
    print(f"largest JS - Python difference over all steps and images: {worst:.3g}")
    assert out["percentiles"] == pcts
    assert out["sentences"] == [hang.unusual_sentence(p) for p in sentences]
    assert out["percentiles"][0] == 0 and out["percentiles"][-1] == 100


@needs_node
def test_hang_js_loads_as_a_page_script_and_inside_an_esm_module(tmp_path):
    """A page's <script> defines window.AEHang; an anywidget ESM module with hang.js prepended sees AEHang."""
    as_script = """
const vm = require("vm"), fs = require("fs");
const window = {};
vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), {window: window, Float64Array, Float32Array});
process.stdout.write(typeof window.AEHang.toItem + " " + window.AEHang.unusualSentence(100));
"""
    assert run_node(as_script, "", JS) == "function " + hang.unusual_sentence(100)
    module = tmp_path / "widget.mjs"
    module.write_text(hang.js_source() + "\nexport default function render() { return AEHang.percentile(2, [1, 3]); }")
    as_esm = "import(require('url').pathToFileURL(process.argv[1])).then(m => process.stdout.write(`${m.default()}`))"
    assert run_node(as_esm, "", module) == "50"
