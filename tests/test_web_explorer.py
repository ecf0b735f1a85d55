"""The export for the in-browser explorer (ae_helpers.web_explorer): the decoder's weights survive the round
trip bit for bit, the items and map are the notebook explorer's, the verdict measures against the notebook
explorer's training codes and spacings (notebook 05's training set), the page's verdict is latent.grade_points'
word for word, and odd models are refused."""

import json

import numpy as np
import pytest
import torch
from torch import nn

from ae_helpers import web_explorer
from ae_helpers.explorer import LatentExplorer
from ae_helpers.models import Autoencoder
from ae_helpers.training import train


@pytest.fixture(scope="module")
def exported(real_data, tmp_path_factory):
    x_train, y_train, x_test, y_test = real_data
    torch.manual_seed(0)
    model = Autoencoder(2, hidden=(48, 96))
    train(model, x_test[:300], epochs=1, batch_size=64, progress=False)
    out = tmp_path_factory.mktemp("explorer")
    training = (x_train[:2500], y_train[:2500])  # more than 2,000: local_spacing's grid search, as for 60,000
    path = web_explorer.export(out, model, (x_test[:400], y_test[:400]), n_items=250, steps=9, train_data=training)
    ex = LatentExplorer(model, training, (x_test[:400], y_test[:400]), steps=9)  # the notebook explorer
    return model, (x_test[:400], y_test[:400]), path, web_explorer.read_data(path), ex


def test_weights_round_trip_exactly(exported):
    model, _, _, data, _ = exported
    assert [(L["in"], L["out"], L["act"]) for L in data["layers"]] == [
        (2, 96, "relu"), (96, 48, "relu"), (48, 784, "sigmoid")]
    rebuilt = web_explorer.decoder_from_data(data)
    z = torch.tensor(web_explorer.reference_points(data["map"]["extent"]), dtype=torch.float32)
    with torch.no_grad():
        assert torch.equal(rebuilt(z), model.decode(z).reshape(len(z), 784))
    state = {k: v for k, v in model.decoder.state_dict().items()}
    for k, v in rebuilt.state_dict().items():
        assert torch.equal(v, state[k]), f"{k} changed in the export"


def test_reference_values_are_torchs_decode_of_the_map_corners(exported):
    model, _, path, data, _ = exported
    ref = json.loads((path.parent / web_explorer.REFERENCE_FILE).read_text())
    a, b, c, d = data["map"]["extent"]
    assert [[a, c], [a, d], [b, c], [b, d]] == ref["z"][:4]
    with torch.no_grad():
        want = model.decode(torch.tensor(ref["z"])).reshape(-1, 784).numpy()
    assert np.abs(np.array(ref["decoded"]) - want).max() < 1e-7


def test_items_map_and_verdict_set_are_the_notebook_explorers(exported):
    model, (x, y), _, data, ex = exported
    codes, labels, pixels = web_explorer.items_from_data(data)
    assert data["items"]["n"] == len(codes) == 250
    assert np.array_equal(codes, ex.test_codes[:250].numpy())
    with torch.no_grad():
        assert np.allclose(codes, model.encode(x[:250]).numpy(), atol=1e-6)
    assert np.array_equal(labels, y[:250].numpy())
    assert np.array_equal(pixels, (x[:250, 0] * 255).round().numpy().astype(np.uint8))
    train_codes, spacing = web_explorer.verdict_set_from_data(data)
    assert data["verdict"]["n"] == len(train_codes) == 2500
    assert np.array_equal(train_codes, ex.train_codes.numpy())
    assert np.array_equal(spacing, ex.spacing.numpy())
    assert data["map"]["extent"] == pytest.approx(list(ex.extent))
    assert data["map"]["box"] == pytest.approx(list(ex._map_box))
    assert (data["map"]["width"], data["map"]["height"]) == (ex._map.shape[1], ex._map.shape[0])
    assert data["map"]["png"].startswith("data:image/png;base64,")
    assert data["start"] == pytest.approx(list(ex.z)) and data["steps"] == 9
    assert data["classes"][1] == "Trouser"


def test_the_default_training_set_is_notebook_05s():
    """The export's verdict searches the training items notebook 05's explorer searches (full and quick mode)."""
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "05_latent_space.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    limit = web_explorer.QUICK_TRAIN_ITEMS
    assert f'x_train, y_train = data.load("train", quick_or(None, {limit}))' in code
    assert "LatentExplorer(model, (x_train, y_train), (x_test, y_test))" in code


def test_a_decoder_the_page_cannot_run_is_refused():
    odd = Autoencoder(2)
    odd.decoder[1] = nn.Tanh()
    with pytest.raises(ValueError, match="dense layers, ReLU and sigmoid"):
        web_explorer.decoder_layers(odd)
    with pytest.raises(ValueError, match="2D latent space"):
        web_explorer.decoder_layers(Autoencoder(8))


def test_the_page_and_the_notebook_give_the_same_verdict(exported, tmp_path):
    """explorer.js (run in node) gives latent.grade_points' verdict against the notebook explorer's training codes
    (index, grade, ratio) and latent.verdict's words, at every grade, at the grade boundaries and off the map."""
    import shutil
    import subprocess
    from pathlib import Path

    from ae_helpers import latent

    node = shutil.which("node")
    assert node, "node is needed (it comes with the slides' npm tooling)"
    _, _, path, data, ex = exported
    # points at every grade: on training items, on both sides of each grade boundary, between items, off the map
    a, b, c, d = ex.extent
    grid = torch.cartesian_prod(torch.linspace(a, b, 25), torch.linspace(c, d, 25))
    # the rightmost training item, pushed further right: it stays the nearest (every other item is left of it)
    i, away = int(ex.train_codes[:, 0].argmax()), torch.tensor([1.0, 0.0])
    bounds = [most for most, _ in latent.VERDICT_GRADES[:-1]]
    factors = torch.tensor([0.0] + [f * m for m in bounds for f in (0.98, 1.02)] + [9.0])
    item = ex.train_codes[i] + factors[:, None] * ex.spacing[i] * away
    points = torch.cat([item, ex.train_codes[:6], grid, torch.tensor([[a - 5 * (b - a), d + 3 * (d - c)]])])
    script = tmp_path / "run.js"
    page = Path(__file__).resolve().parents[1] / "slides" / "explorer" / "explorer.js"
    script.write_text(
        "global.window = {}; global.document = {readyState: 'complete', querySelectorAll: () => []};\n"
        f"require({json.dumps(str(path))});\n"
        f"require({json.dumps(str(page))});\n"
        f"const points = {json.dumps(points.tolist())};\n"
        "console.log(JSON.stringify(points.map(z => window.aeExplorer.nearest(z[0], z[1]))));\n")
    out = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    page_says = json.loads(out.stdout)
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
    carried, _, _ = web_explorer.items_from_data(data)
    assert [v["index"] for v in page_says] == latent.nearest_item(points, torch.tensor(carried))[0].tolist()
