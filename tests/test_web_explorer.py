"""The export for the in-browser explorer (ae_helpers.web_explorer): the decoder's weights survive the round
trip bit for bit, the items, map and verdict spacings are the notebook explorer's, and odd models are refused."""

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
    _, _, x_test, y_test = real_data
    torch.manual_seed(0)
    model = Autoencoder(2, hidden=(48, 96))
    train(model, x_test[:300], epochs=1, batch_size=64, progress=False)
    out = tmp_path_factory.mktemp("explorer")
    path = web_explorer.export(out, model, (x_test[:400], y_test[:400]), n_items=250, steps=9)
    return model, (x_test[:400], y_test[:400]), path, web_explorer.read_data(path)


def test_weights_round_trip_exactly(exported):
    model, _, _, data = exported
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
    model, _, path, data = exported
    ref = json.loads((path.parent / web_explorer.REFERENCE_FILE).read_text())
    a, b, c, d = data["map"]["extent"]
    assert [[a, c], [a, d], [b, c], [b, d]] == ref["z"][:4]
    with torch.no_grad():
        want = model.decode(torch.tensor(ref["z"])).reshape(-1, 784).numpy()
    assert np.abs(np.array(ref["decoded"]) - want).max() < 1e-7


def test_items_map_and_spacings_are_the_notebook_explorers(exported):
    model, (x, y), _, data = exported
    codes, labels, pixels = web_explorer.items_from_data(data)
    assert data["items"]["n"] == len(codes) == 250
    with torch.no_grad():
        assert np.array_equal(codes, model.encode(x[:250]).numpy())
    assert np.array_equal(labels, y[:250].numpy())
    assert np.array_equal(pixels, (x[:250, 0] * 255).round().numpy().astype(np.uint8))
    ex = LatentExplorer(model, (x[:250], y[:250]), (x, y), steps=9)
    assert np.array_equal(web_explorer._unb64(data["verdict"]["spacing"], "<f4"), ex.spacing.numpy())
    assert data["map"]["extent"] == pytest.approx(list(ex.extent))
    assert data["map"]["box"] == pytest.approx(list(ex._map_box))
    assert (data["map"]["width"], data["map"]["height"]) == (ex._map.shape[1], ex._map.shape[0])
    assert data["map"]["png"].startswith("data:image/png;base64,")
    assert data["start"] == pytest.approx(list(ex.z)) and data["steps"] == 9
    assert data["classes"][1] == "Trouser"


def test_a_decoder_the_page_cannot_run_is_refused():
    odd = Autoencoder(2)
    odd.decoder[1] = nn.Tanh()
    with pytest.raises(ValueError, match="dense layers, ReLU and sigmoid"):
        web_explorer.decoder_layers(odd)
    with pytest.raises(ValueError, match="2D latent space"):
        web_explorer.decoder_layers(Autoencoder(8))


def test_the_page_and_the_notebook_give_the_same_verdict(exported, tmp_path):
    """explorer.js (run in node) and ae_helpers.latent.verdict agree word for word, at every grade."""
    import shutil
    import subprocess
    from pathlib import Path

    from ae_helpers import latent

    node = shutil.which("node")
    assert node, "node is needed (it comes with the slides' npm tooling)"
    model, (x, y), path, data = exported
    ex = LatentExplorer(model, (x[:250], y[:250]), (x, y), steps=9)
    # points at every grade: on items, at the grade boundaries, between items, and off the map
    a, b, c, d = ex.extent
    grid = torch.cartesian_prod(torch.linspace(a, b, 25), torch.linspace(c, d, 25))
    item = ex.train_codes[:6] + torch.tensor([1.0, 0.0]) * ex.spacing[:6, None] * torch.tensor(
        [0.0, 0.49, 0.51, 2.99, 3.01, 9.0])[:, None]
    points = torch.cat([item, grid, torch.tensor([[a - 5 * (b - a), d + 3 * (d - c)]])]).tolist()
    page = Path(__file__).resolve().parents[1] / "slides" / "explorer" / "explorer.js"
    script = tmp_path / "run.js"
    script.write_text(
        "global.window = {}; global.document = {readyState: 'complete', querySelectorAll: () => []};\n"
        f"require({json.dumps(str(path))});\n"
        f"require({json.dumps(str(page))});\n"
        f"console.log(JSON.stringify({json.dumps(points)}.map(z => window.aeExplorer.nearest(z[0], z[1]))));\n")
    out = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    page_says = json.loads(out.stdout)
    notebook_says = [ex.find_nearest(*z) for z in points]
    for key in ("index", "grade", "verdict"):
        assert [v[key] for v in page_says] == [v[key] for v in notebook_says], key
    assert {v["grade"] for v in page_says} == {0, 1, 2}
    g = latent.grade_points(torch.tensor(points), ex.train_codes)  # the batch verdict of the notebooks, too
    assert g["grade"].tolist() == [v["grade"] for v in notebook_says]
