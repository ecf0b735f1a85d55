"""Export the 2D latent explorer for the browser: the deck's live slide and ``explorer.html`` need no kernel.

``export(out_dir, model, test_data)`` builds the notebook explorer (:class:`~ae_helpers.explorer.LatentExplorer`)
and writes what the page needs from it into two files in ``out_dir`` (``slides/build.py`` calls it):

* ``explorer-data.js``: ``window.AE_EXPLORER_DATA = {...}``, loaded with a plain ``<script>`` tag (so it works
  from ``file://``, where a page may not ``fetch`` files): the decoder's dense layers (float32, base64,
  each weight matrix row-major ``(out, in)`` like torch), the map picture (the notebook explorer's own,
  a PNG) with its geometry (:func:`map_data`: the pixel box of its plotted area and the latent extent, the same
  linear pixel <-> z mapping as :class:`~ae_helpers.explorer.geometry.MapGeometry`), ``n_items`` test items (codes,
  labels, 28x28 pictures on one PNG sheet) for the picture in the nearest-item panel and the interpolation strip,
  and the class names with their map colours (``plots.CLASS_COLORS``; the panel marks the nearest item's class).
  The verdict is the notebook explorer's (``LatentExplorer.find_nearest``, ``ae_helpers.latent.verdict``), on the
  same set: the codes of the training items that explorer searches (:func:`training_set`: notebook 05's, all
  60,000, quick mode the first 8,000) and each one's spacing (``latent.local_spacing`` among them), float32,
  with the grades (``latent.VERDICT_GRADES``). The page finds the nearest of those codes exactly (brute force),
  so the page and the notebook give the same verdict at the same point; only the picture it shows is the
  nearest of the carried test items (the page cannot carry 60,000 pictures), and it says so.
* ``decode-reference.json``: torch's ``model.decode(z)`` for a few z (the map's corners among them), so a
  browser test can check the page's arithmetic. The page does not load it.

``read_data(path)`` and ``decoder_from_data(data)`` read the export back (round-trip tests).
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import latent
from ..data import CLASS_NAMES
from ..plots import CLASS_COLORS
from ..settings import quick_or
from .geometry import MapGeometry
from .view import MapPicture
from .widget import LatentExplorer

DATA_FILE, REFERENCE_FILE = "explorer-data.js", "decode-reference.json"
_PREFIX = "window.AE_EXPLORER_DATA = "
SPRITE_COLS = 50  # pictures per row of the items' sheet
#: Notebook 05 loads its explorer's training items with ``data.load("train", quick_or(None, 8000))``
#: (tests/test_web_explorer.py checks that the notebook still says so).
QUICK_TRAIN_ITEMS = 8000


def training_set():
    """The training items notebook 05's explorer searches for the nearest real item: all 60,000 (quick mode: the
    first 8,000), ``(images, labels)``."""
    from .. import data

    return data.load("train", quick_or(None, QUICK_TRAIN_ITEMS))


def _b64(array: np.ndarray, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _unb64(text: str, dtype) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def decoder_layers(model) -> list[dict]:
    """The decoder as dense layers: ``[{"in", "out", "act", "weight" (out, in), "bias"}]``, float32."""
    layers = []
    for module in model.decoder:
        if isinstance(module, nn.Linear):
            layers.append({"in": module.in_features, "out": module.out_features, "act": "none",
                           "weight": module.weight.detach().float().numpy(),
                           "bias": module.bias.detach().float().numpy()})
        elif isinstance(module, (nn.ReLU, nn.Sigmoid)) and layers and layers[-1]["act"] == "none":
            layers[-1]["act"] = "relu" if isinstance(module, nn.ReLU) else "sigmoid"
        elif not isinstance(module, (nn.Unflatten, nn.Flatten, nn.Identity)):
            raise ValueError(f"the browser explorer knows dense layers, ReLU and sigmoid only; this decoder "
                             f"has {module!r}")
    if not layers or layers[0]["in"] != 2:
        raise ValueError("the browser explorer needs a decoder of a 2D latent space (pretrained(2))")
    return layers


def _png_url(img) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def map_data(picture: MapPicture, geometry: MapGeometry) -> dict:
    """The map for the page: the bare ``picture`` as a PNG and its ``geometry`` (size, pixel box, latent extent)."""
    from PIL import Image

    img = Image.fromarray(picture.pixels, mode="P")
    img.putpalette(picture.palette)
    return {"png": _png_url(img), "width": geometry.width, "height": geometry.height,
            "box": list(geometry.box), "extent": list(geometry.extent)}


def _sprite(ink: np.ndarray, cols: int) -> str:
    """Pictures (n, 28, 28) of 0-255 ink -> one grey PNG sheet, ``cols`` pictures a row, black ink on white
    (the page copies a 28 x 28 tile straight onto its canvas). PNG: about half the size of the raw bytes."""
    from PIL import Image

    rows = -(-len(ink) // cols)
    sheet = np.full((rows * 28, cols * 28), 255, np.uint8)
    for k, img in enumerate(ink):
        r, c = divmod(k, cols)
        sheet[28 * r:28 * r + 28, 28 * c:28 * c + 28] = 255 - img
    return _png_url(Image.fromarray(sheet, mode="L"))


def export_data(model, test_data, n_items: int = 3000, steps: int = 10, train_data=None) -> dict:
    """What the page needs, as a JSON-able dict (see the module docstring). ``test_data``: Fashion-MNIST
    test images and labels (the map shows all of them; the first ``n_items`` are carried for the pictures).
    ``train_data``: the items the verdict measures against (default :func:`training_set`, notebook 05's)."""
    # The notebook explorer itself: its map, geometry, start point, training codes and their spacings
    ex = LatentExplorer(model, training_set() if train_data is None else train_data, test_data, steps=steps)
    x, y = ex.x_test, ex.y_test
    n = min(int(n_items), len(x))
    codes = ex.test_codes[:n].numpy()
    layers = decoder_layers(model)
    return {
        "version": 2,
        "layers": [{"in": L["in"], "out": L["out"], "act": L["act"], "w": _b64(L["weight"], "<f4"),
                    "b": _b64(L["bias"], "<f4")} for L in layers],
        "map": map_data(ex.map_picture, ex.geometry),
        "items": {"n": n, "index": list(range(n)), "codes": _b64(codes, "<f4"),
                  "labels": _b64(y[:n].numpy(), np.uint8),
                  "sprite": _sprite((x[:n, 0].clamp(0, 1) * 255).round().numpy().astype(np.uint8), SPRITE_COLS),
                  "cols": SPRITE_COLS},
        "classes": list(CLASS_NAMES), "class_colors": list(CLASS_COLORS), "start": [float(v) for v in ex.z],
        # the notebook explorer's graded verdict (LatentExplorer.find_nearest, ae_helpers.latent.verdict), on the
        # same set: its training codes, each one's spacing among them, and the grades
        "verdict": {"n": len(ex.train_codes), "codes": _b64(ex.train_codes.numpy(), "<f4"),
                    "spacing": _b64(ex.spacing.numpy(), "<f4"),
                    "grades": [[None if math.isinf(most) else most, words] for most, words in latent.VERDICT_GRADES]},
        "steps": int(steps), "latent_dim": 2,
    }


def reference_points(extent, n_random: int = 6, seed: int = 0) -> list[list[float]]:
    """The map's four corners, its centre, and a few seeded random points inside it."""
    a, b, c, d = extent
    rng = np.random.default_rng(seed)
    inside = np.column_stack([rng.uniform(a, b, n_random), rng.uniform(c, d, n_random)])
    return [[a, c], [a, d], [b, c], [b, d], [(a + b) / 2, (c + d) / 2], *inside.tolist()]


def _write(path: Path, text: str) -> None:
    """Write atomically (a half-written data file would break the page)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def export(out_dir, model, test_data, n_items: int = 3000, steps: int = 10, train_data=None) -> Path:
    """Write ``explorer-data.js`` and ``decode-reference.json`` into ``out_dir``; return the data file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = export_data(model, test_data, n_items, steps, train_data)
    _write(out / DATA_FILE, "/* The 2D latent explorer's model and items, written by ae_helpers/explorer/web.py. */\n"
           + _PREFIX + json.dumps(data, separators=(",", ":")) + ";\n")
    zs = reference_points(data["map"]["extent"])
    with torch.no_grad():
        decoded = model.decode(torch.tensor(zs, dtype=torch.float32)).reshape(len(zs), 784)
    decoded = [[round(v, 8) for v in row] for row in decoded.tolist()]  # 1e-8: far below the 1e-5 checked
    _write(out / REFERENCE_FILE, json.dumps({"z": zs, "decoded": decoded}))
    return out / DATA_FILE


def read_data(path) -> dict:
    """The dict a written ``explorer-data.js`` holds."""
    text = Path(path).read_text(encoding="utf-8")
    start = text.index(_PREFIX) + len(_PREFIX)
    return json.loads(text[start:text.rindex(";")])


def decoder_from_data(data: dict) -> nn.Sequential:
    """A torch decoder (z -> 784 values) built from the exported layers: checks the export round trip."""
    modules = []
    for L in data["layers"]:
        lin = nn.Linear(L["in"], L["out"])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(_unb64(L["w"], "<f4").reshape(L["out"], L["in"]).copy()))
            lin.bias.copy_(torch.from_numpy(_unb64(L["b"], "<f4").copy()))
        modules.append(lin)
        modules += {"relu": [nn.ReLU()], "sigmoid": [nn.Sigmoid()], "none": []}[L["act"]]
    return nn.Sequential(*modules).eval()


def items_from_data(data: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes (n, 2) float32, labels (n,) uint8, pictures (n, 28, 28) uint8 ink) of an export."""
    from PIL import Image

    items, n = data["items"], data["items"]["n"]
    sheet = 255 - np.asarray(Image.open(io.BytesIO(base64.b64decode(items["sprite"].split(",", 1)[1]))))
    cols = items["cols"]
    ink = np.stack([sheet[28 * (k // cols):28 * (k // cols) + 28, 28 * (k % cols):28 * (k % cols) + 28]
                    for k in range(n)])
    return _unb64(items["codes"], "<f4").reshape(-1, 2), _unb64(items["labels"], np.uint8), ink


def verdict_set_from_data(data: dict) -> tuple[np.ndarray, np.ndarray]:
    """(codes (N, 2), spacing (N,)), float32: the training items an export's verdict measures against."""
    v = data["verdict"]
    return _unb64(v["codes"], "<f4").reshape(-1, 2), _unb64(v["spacing"], "<f4")
