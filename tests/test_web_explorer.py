"""The export for the in-browser explorer (ae_helpers.explorer.web): the page's own decoder and encoder
(explorer.js, run in node on the exported data) give what torch's model.decode and model.encode give at points and
items this test picks (real items and random images), and would not if the export wrote wrong weights or a wrong
order; the weights survive the round trip bit for bit; the items and map are the notebook explorer's, the verdict
measures against the notebook explorer's training codes and spacings (notebook 05's training set), the page's verdict
is latent.grade_points' word for word, and odd models are refused. The second wardrobe, a VAE, is seen through its
mu: the page's encode gives mu, its decode the VAE's decoder, and its test errors are those of decoder(mu); it lives in
its own file (explorer-vae-data.js), which the page needs only once the reader switches to it."""

import base64
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from ae_helpers import latent
from ae_helpers.explorer import LatentExplorer, web
from ae_helpers.losses import vae_loss
from ae_helpers.measures import per_image_mse
from ae_helpers.models import VAE, Autoencoder, ConvAutoencoder
from ae_helpers.training import train

PAGE = Path(__file__).resolve().parents[1] / "slides" / "explorer" / "explorer.js"


def run_page(data_path, points, call: str, tmp_path, others: bool = True) -> list:
    """``call`` (a JS expression of ``z``, e.g. ``window.aeExplorer.decode(z)``) for each point, run by explorer.js in
    node on the exported data file ``data_path``, the hang file beside it and (``others``) the other wardrobes' files
    (the page loads those when the reader switches to them)."""
    node = shutil.which("node")
    assert node, "node is needed (it comes with the slides' npm tooling)"
    script = tmp_path / "run.js"
    hang = Path(data_path).with_name(web.HANG_FILE)
    files = [Path(data_path)]
    if hang.is_file():
        files.append(hang)
        if others:
            files += [hang.with_name(name) for name in re.findall(r'"file":"([^"]+)"', hang.read_text())]
    script.write_text(
        "global.window = global; global.document = {readyState: 'complete', querySelectorAll: () => []};\n"
        + "".join(f"require({json.dumps(str(f))});\n" for f in files) +
        f"require({json.dumps(str(PAGE))});\n"
        f"const points = {json.dumps([[float(v) for v in z] for z in points])};\n"
        f"console.log(JSON.stringify(points.map(z => {call})));\n")
    out = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def trained(real_data):
    """A small 2D autoencoder and a 2D VAE, each trained for one epoch on 300 items."""
    x_test = real_data[2]
    torch.manual_seed(0)
    model = Autoencoder(2, hidden=(48, 96))
    train(model, x_test[:300], epochs=1, batch_size=64, progress=False)
    vae = VAE(2)
    train(vae, x_test[:300], epochs=1, batch_size=64, loss=vae_loss, progress=False)
    return model.eval(), vae.eval()


@pytest.fixture(scope="module")
def exported(real_data, trained, tmp_path_factory):
    x_train, y_train, x_test, y_test = real_data
    model, vae = trained
    out = tmp_path_factory.mktemp("explorer")
    training = (x_train[:2500], y_train[:2500])  # more than 2,000: local_spacing's grid search, as for 60,000
    path = web.export(out, [model, vae], (x_test[:400], y_test[:400]), n_items=250, steps=9, train_data=training)
    ex = LatentExplorer(model, training, (x_test[:400], y_test[:400]), steps=9)  # the notebook explorer
    return model, (x_test[:400], y_test[:400]), path, web.read_data(path), ex


def torch_check_points(ex) -> torch.Tensor:
    """Points picked here, not by the export: the notebook explorer's map corners and centre, its start point,
    a few training codes, seeded random points on the map and two off it."""
    a, b, c, d = ex.geometry.extent
    g = torch.Generator().manual_seed(5)
    inside = torch.rand(8, 2, generator=g) * torch.tensor([b - a, d - c]) + torch.tensor([a, c])
    return torch.cat([torch.tensor([[a, c], [a, d], [b, c], [b, d], [(a + b) / 2, (c + d) / 2], list(ex.z)]),
                      ex.train_codes[:4], inside, torch.tensor([[a - 3.0, d + 2.0], [b + 5.0, c - 1.0]])])


def page_vs_torch(data_path, model, ex, tmp_path) -> float:
    """The largest difference per pixel between explorer.js's decode (the page's own arithmetic on the exported
    bytes) and torch's model.decode, at :func:`torch_check_points` (inf if the page gives another shape)."""
    z = torch_check_points(ex)
    page = np.array(run_page(data_path, z, "window.aeExplorer.decode(z)", tmp_path), dtype=float)
    with torch.no_grad():
        want = model.decode(z).reshape(len(z), 784).numpy()
    assert want.std(0).max() > 0.05, "the points decode to different items (the check can tell them apart)"
    return float(np.abs(page - want).max()) if page.shape == want.shape else math.inf


def test_the_page_decodes_what_torch_decodes(exported, tmp_path):
    model, _, path, _, ex = exported
    assert page_vs_torch(path, model, ex, tmp_path) < 1e-5


def _transpose_first_weight(data):
    first = data["layers"][0]
    w = np.frombuffer(base64.b64decode(first["w"]), "<f4").reshape(first["out"], first["in"])
    first["w"] = base64.b64encode(np.ascontiguousarray(w.T).tobytes()).decode("ascii")


def _swap_middle_biases(data):
    b = np.frombuffer(base64.b64decode(data["layers"][1]["b"]), "<f4")[::-1]
    data["layers"][1]["b"] = base64.b64encode(np.ascontiguousarray(b).tobytes()).decode("ascii")


@pytest.mark.parametrize("corrupt", [_transpose_first_weight, _swap_middle_biases,
                                     lambda data: data["layers"].reverse()],
                         ids=["a transposed weight", "biases in the wrong order", "layers in the wrong order"])
def test_a_wrong_export_fails_the_decode_check(exported, tmp_path, corrupt):
    """The check above can fail: the same comparison on an export with wrong weights or a wrong order."""
    model, _, _, data, ex = exported
    broken = json.loads(json.dumps(data))
    corrupt(broken)
    bad = web.write_data(tmp_path, broken)
    assert not page_vs_torch(bad, model, ex, tmp_path) < 1e-5  # NaN (a wrong order) fails too


def test_weights_round_trip_exactly(exported):
    model, _, _, data, ex = exported
    assert [(L["in"], L["out"], L["act"]) for L in data["layers"]] == [
        (2, 96, "relu"), (96, 48, "relu"), (48, 784, "sigmoid")]
    rebuilt = web.decoder_from_data(data)
    z = torch_check_points(ex)
    with torch.no_grad():
        assert torch.equal(rebuilt(z), model.decode(z).reshape(len(z), 784))
    state = {k: v for k, v in model.decoder.state_dict().items()}
    for k, v in rebuilt.state_dict().items():
        assert torch.equal(v, state[k]), f"{k} changed in the export"


def test_reference_values_are_torchs_decode_of_the_map_corners(exported):
    """decode-reference.json (what the browser tests hold the page to) is torch's decode of the notebook
    explorer's map corners."""
    model, _, path, _, ex = exported
    ref = json.loads((path.parent / web.REFERENCE_FILE).read_text())
    a, b, c, d = ex.geometry.extent
    assert ref["z"][:4] == [[a, c], [a, d], [b, c], [b, d]]
    corners = torch_check_points(ex)[:4]
    with torch.no_grad():
        want = model.decode(torch.tensor(ref["z"])).reshape(-1, 784).numpy()
    assert np.abs(np.array(ref["decoded"]) - want).max() < 1e-7
    with torch.no_grad():
        assert np.abs(np.array(ref["decoded"][:4]) - model.decode(corners).reshape(4, 784).numpy()).max() < 1e-6


def test_items_map_and_verdict_set_are_the_notebook_explorers(exported):
    model, (x, y), _, data, ex = exported
    codes, labels, pixels = web.items_from_data(data)
    assert data["items"]["n"] == len(codes) == 250
    assert np.array_equal(codes, ex.test_codes[:250].numpy())
    with torch.no_grad():
        assert np.allclose(codes, model.encode(x[:250]).numpy(), atol=1e-6)
    assert np.array_equal(labels, y[:250].numpy())
    assert np.array_equal(pixels, (x[:250, 0] * 255).round().numpy().astype(np.uint8))
    train_codes, spacing = web.verdict_set_from_data(data)
    assert data["verdict"]["n"] == len(train_codes) == 2500
    assert np.array_equal(train_codes, ex.train_codes.numpy())
    assert np.array_equal(spacing, ex.spacing.numpy())
    assert data["map"]["extent"] == pytest.approx(list(ex.geometry.extent))
    assert data["map"]["box"] == pytest.approx(list(ex.geometry.box))
    assert (data["map"]["width"], data["map"]["height"]) == (ex.geometry.width, ex.geometry.height)
    assert ex.map_picture.pixels.shape == (ex.geometry.height, ex.geometry.width)
    assert data["map"]["png"].startswith("data:image/png;base64,")
    assert data["start"] == pytest.approx(list(ex.z)) and data["steps"] == 9
    assert data["classes"][1] == "Trouser"


def test_the_default_training_set_is_notebook_05s():
    """The export's verdict searches the training items notebook 05's explorer searches (full and quick mode)."""
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "05_latent_space.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    limit = web.QUICK_TRAIN_ITEMS
    assert f'x_train, y_train = data.load("train", quick_or(None, {limit}))' in code
    assert "LatentExplorer(model, (x_train, y_train), (x_test, y_test))" in code


def test_a_decoder_the_page_cannot_run_is_refused():
    odd = Autoencoder(2)
    odd.decoder[1] = nn.Tanh()
    with pytest.raises(ValueError, match="dense layers, ReLU and sigmoid"):
        web.decoder_layers(odd)
    with pytest.raises(ValueError, match="2D latent space"):
        web.decoder_layers(Autoencoder(8))


def test_the_page_and_the_notebook_give_the_same_verdict(exported, tmp_path):
    """explorer.js (run in node) gives latent.grade_points' verdict against the notebook explorer's training codes
    (index, grade, ratio) and latent.verdict's words, at every grade, at the grade boundaries and off the map."""
    _, _, path, data, ex = exported
    # points at every grade: on training items, on both sides of each grade boundary, between items, off the map
    a, b, c, d = ex.geometry.extent
    grid = torch.cartesian_prod(torch.linspace(a, b, 25), torch.linspace(c, d, 25))
    # the rightmost training item, pushed further right: it stays the nearest (every other item is left of it)
    i, away = int(ex.train_codes[:, 0].argmax()), torch.tensor([1.0, 0.0])
    bounds = [most for most, _ in latent.VERDICT_GRADES[:-1]]
    factors = torch.tensor([0.0] + [f * m for m in bounds for f in (0.98, 1.02)] + [9.0])
    item = ex.train_codes[i] + factors[:, None] * ex.spacing[i] * away
    points = torch.cat([item, ex.train_codes[:6], grid, torch.tensor([[a - 5 * (b - a), d + 3 * (d - c)]])])
    page_says = run_page(path, points, "window.aeExplorer.nearest(z[0], z[1])", tmp_path)
    g = latent.grade_points(points, ex.train_codes, ex.spacing)  # the batch verdict of the notebooks
    assert [v["trainIndex"] for v in page_says] == g["index"].tolist()
    assert [v["grade"] for v in page_says] == g["grade"].tolist()
    assert np.allclose([v["ratio"] for v in page_says], g["ratio"].numpy(), rtol=1e-5)
    assert [v["verdict"] for v in page_says] == [latent.verdict(float(dist), float(ex.spacing[k]))
                                                  for k, dist in zip(g["index"], g["distance"])]
    assert [v["verdict"] for v in page_says] == [ex.find_nearest(*z)["verdict"] for z in points.tolist()]
    assert {v["grade"] for v in page_says} == {0, 1, 2}
    assert [v["grade"] for v in page_says[:len(factors)]] == [0, 0, 1, 1, 2, 2], "both sides of each boundary"
    # the carried item (the picture shown) is the nearest of the page's test items
    carried, _, _ = web.items_from_data(data)
    assert [v["index"] for v in page_says] == latent.nearest_item(points, torch.tensor(carried))[0].tolist()


# ----- the encoder, the VAE's wardrobe and the test errors (hanging your own item) ------------------------------


def hang_check_items(x) -> torch.Tensor:
    """Items this test picks: 12 real test items, 6 uniform random images, an all-black and an all-white one."""
    g = torch.Generator().manual_seed(7)
    return torch.cat([x[torch.randperm(len(x), generator=g)[:12]].reshape(12, 784),
                      torch.rand(6, 784, generator=g), torch.zeros(1, 784), torch.ones(1, 784)])


def page_encode_vs_torch(data_path, model, x, tmp_path, k=0) -> float:
    """The largest difference between explorer.js's encode (wardrobe ``k``, in node, on the exported bytes) and
    torch's ``model.encode`` (a VAE's mu) for the items ``x`` (N, 784); inf if the page gives another shape."""
    page = np.array(run_page(data_path, x, f"window.aeExplorer.encode(z, {k})", tmp_path), dtype=float)
    with torch.no_grad():
        want = model.encode(x.reshape(-1, 1, 28, 28))
    want = (want[0] if isinstance(want, tuple) else want).numpy()
    assert want.std(0).min() > 0.01, "the items hang at different places (the check can tell them apart)"
    return float(np.abs(page - want).max()) if page.shape == want.shape else math.inf


@pytest.mark.parametrize("k", [0, 1], ids=["plain autoencoder", "VAE (its mu)"])
def test_the_page_encodes_what_torch_encodes(exported, trained, tmp_path, k):
    model, (x, _), path, data, _ = exported
    assert [w["key"] for w in data["wardrobes"]] == ["plain", "vae"]
    assert page_encode_vs_torch(path, trained[k], hang_check_items(x), tmp_path, k) < 1e-5


def _transpose_encoder_weight(data, k):
    first = web.wardrobe_from_data(data, k)["encoder"][0]  # 784 -> hidden: (out, in) written as (in, out)
    w = np.frombuffer(base64.b64decode(first["w"]), "<f4").reshape(first["out"], first["in"])
    first["w"] = base64.b64encode(np.ascontiguousarray(w.T).tobytes()).decode("ascii")


@pytest.mark.parametrize("k", [0, 1], ids=["plain autoencoder", "VAE"])
def test_a_transposed_encoder_export_fails_the_encode_check(exported, trained, tmp_path, k):
    model, (x, _), _, data, _ = exported
    broken = json.loads(json.dumps(data))
    _transpose_encoder_weight(broken, k)
    bad = web.write_data(tmp_path, broken)
    assert not page_encode_vs_torch(bad, trained[k], hang_check_items(x), tmp_path, k) < 1e-5


def test_the_vae_wardrobe_decodes_like_its_decoder(exported, trained, tmp_path):
    _, _, path, data, ex = exported
    vae = trained[1]
    z = torch_check_points(ex)
    page = np.array(run_page(path, z, "window.aeExplorer.decode(z, 1)", tmp_path))
    with torch.no_grad():
        want = vae.decoder(z).reshape(len(z), 784).numpy()
    assert np.abs(page - want).max() < 1e-5
    assert np.abs(page - np.array(run_page(path, z, "window.aeExplorer.decode(z, 0)", tmp_path))).max() > 0.05


def _mu(m, x):
    with torch.no_grad():
        z = m.encode(x)
    return z[0] if isinstance(z, tuple) else z


def test_encoders_round_trip_and_each_wardrobe_carries_its_own_codes_map_and_errors(exported, trained, real_data):
    model, (x, y), _, data, _ = exported
    for k, m in enumerate(trained):
        mu = _mu(m, x)
        with torch.no_grad():
            copies = m.decoder(mu).reshape(-1, 1, 28, 28)
            assert torch.equal(web.encoder_from_data(data, k)(x.reshape(-1, 784)), mu)  # bit for bit
        codes, labels, _ = web.items_from_data(data, k)
        assert np.allclose(codes, mu[:250].numpy(), atol=1e-6) and np.array_equal(labels, y[:250].numpy())
        errors = web.errors_from_data(data, k)
        assert np.array_equal(errors, np.sort(per_image_mse(copies, x).numpy())) and len(errors) == len(x)
        verdict_codes, spacing = web.verdict_set_from_data(data, k)
        assert len(verdict_codes) == len(spacing) == 2500
        assert np.allclose(verdict_codes[:50], _mu(m, real_data[0][:50]).numpy(), atol=1e-6)
    w0, w1 = web.wardrobe_from_data(data, 0), web.wardrobe_from_data(data, 1)
    assert w0["map"]["png"] != w1["map"]["png"] and w0["codes"] != w1["codes"] and w0["errors"] != w1["errors"]


def test_each_file_carries_its_part(exported):
    """The deck's live slide loads explorer-data.js alone: no encoder, VAE or errors in it. explorer.html loads
    explorer-hang-data.js with it (the plain encoder, its errors, the list of wardrobes), and the VAE's wardrobe
    (networks, map, codes, verdict set, errors) only from explorer-vae-data.js, a script that sets AE_EXPLORER_VAE."""
    _, _, path, data, _ = exported
    text, hang, vae = (path.with_name(name).read_text() for name in (web.DATA_FILE, web.HANG_FILE,
                                                                     "explorer-vae-data.js"))
    assert all(f'"{key}":' not in text for key in web.HANG_KEYS)
    assert all(f'"{key}":' in hang for key in web.HANG_KEYS)
    assert web.wardrobe_file("vae") == ("explorer-vae-data.js", "AE_EXPLORER_VAE")
    assert hang.count('"layers":') == 0 and hang.count('"verdict":') == 0 and hang.count('"map":') == 0
    assert '"file":"explorer-vae-data.js","global":"AE_EXPLORER_VAE"' in hang
    assert vae.split("\n")[1].startswith("window.AE_EXPLORER_VAE = {") and vae.endswith("};\n")
    assert all(f'"{key}":' in vae for key in ("layers", "encoder", "map", "codes", "verdict", "errors", "start"))
    assert data["wardrobes"][1] == json.loads(vae.split(" = ", 1)[1].rsplit(";", 1)[0])  # read_data merges it
    assert data["map"]["png"] not in vae and data["wardrobes"][1]["map"]["png"] not in text + hang


def test_a_wardrobe_the_page_has_not_loaded_is_refused_clearly(exported, tmp_path):
    """Without the VAE's file, the page still runs the plain autoencoder, and asking for the VAE says what to do."""
    model, _, path, _, ex = exported
    said = run_page(path, [[0.0, 0.0]], "[aeExplorer.loaded(0), aeExplorer.loaded(1), aeExplorer.decode(z, 0).length, "
                    "(() => { try { return aeExplorer.decode(z, 1); } catch (e) { return e.message; } })()]",
                    tmp_path, others=False)[0]
    assert said == [True, False, 784, "the VAE's wardrobe is not loaded yet: aeExplorer.loadWardrobe(1) loads it"]
    assert run_page(path, [[0.0, 0.0]], "aeExplorer.loaded(1)", tmp_path) == [True]


def test_wardrobes_need_their_own_keys(exported, tmp_path):
    _, _, _, data, _ = exported
    twice = {**data, "wardrobes": [data["wardrobes"][0], data["wardrobes"][1], data["wardrobes"][1]]}
    with pytest.raises(ValueError, match="its own key"):
        web.write_data(tmp_path, twice)


def test_an_encoder_the_page_cannot_run_is_refused():
    with pytest.raises(ValueError, match="dense layers, ReLU and sigmoid"):
        web.encoder_layers(ConvAutoencoder(2))
