"""Export the 2D latent explorer for the browser: the deck's live slide and ``explorer.html`` need no kernel.

``export(out_dir, model, test_data)`` builds the notebook explorer (:class:`~ae_helpers.explorer.LatentExplorer`)
and writes what the page needs from it into ``out_dir`` (``slides/build.py`` calls it):

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
* for hanging the reader's own item (only ``explorer.html`` loads these), the encoder's dense layers (same format)
  and the test items' sorted reconstruction errors (``measures.per_image_mse``); ``model`` may be a list of 2D
  models, the plain autoencoder first (then e.g. the VAE, seen through its mu: :mod:`~ae_helpers.explorer.web_model`):
  ``wardrobes`` names each and carries the others' own networks, map, codes, verdict set, start point and errors
  (pictures and labels are shared). Which part goes into which file (``explorer-hang-data.js``, loaded with the page;
  ``explorer-vae-data.js``, loaded when the reader first switches to the VAE): :mod:`~ae_helpers.explorer.web_files`.
* ``decode-reference.json``: torch's ``model.decode(z)`` for a few z (the map's corners among them), so a
  browser test can check the page's arithmetic. The page does not load it.

``read_data(path)`` (all the files in one dict again), ``wardrobe_from_data(data, k)`` and ``decoder_from_data`` /
``encoder_from_data`` / ``errors_from_data`` / ``items_from_data`` / ``verdict_set_from_data`` read the export back
(round-trip tests).
"""

from __future__ import annotations

import base64
import io
import json
import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import latent
from ..data import CLASS_NAMES
from ..measures import per_image_mse
from ..plots import CLASS_COLORS
from ..settings import quick_or
from .geometry import MapGeometry
from .view import HANG_COLOR, PATH_COLOR, MapPicture
from .web_files import DATA_FILE, HANG_FILE, HANG_KEYS, REFERENCE_FILE, _write, read_data, wardrobe_file, write_data
from .web_model import b64, decoder_layers, encoder_layers, network_from_data, page_layers, two_d, unb64
from .widget import LatentExplorer

__all__ = ["export", "export_data", "read_data", "write_data", "wardrobe_file", "decoder_from_data",
           "encoder_from_data", "wardrobe_from_data", "errors_from_data", "items_from_data", "verdict_set_from_data",
           "decoder_layers", "encoder_layers", "training_set", "DATA_FILE", "HANG_FILE", "HANG_KEYS", "REFERENCE_FILE"]

SPRITE_COLS = 50  # pictures per row of the items' sheet
#: Notebook 05 loads its explorer's training items with ``data.load("train", quick_or(None, 8000))``
#: (tests/test_web_explorer.py checks that the notebook still says so).
QUICK_TRAIN_ITEMS = 8000


def training_set():
    """The training items notebook 05's explorer searches for the nearest real item: all 60,000 (quick mode: the
    first 8,000), ``(images, labels)``."""
    from .. import data

    return data.load("train", quick_or(None, QUICK_TRAIN_ITEMS))


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


WARDROBES = {False: ("plain", "plain autoencoder"), True: ("vae", "VAE")}


def _wardrobe(model, train, test, n: int, steps: int) -> tuple[LatentExplorer, dict]:
    """One model's part of the export: the notebook explorer built on it (a VAE seen through its mu,
    :class:`~ae_helpers.explorer.web_model.TwoD`), its networks, map, the carried items' codes, its verdict set,
    start point and the sorted per-image reconstruction errors (MSE) of the test items."""
    m = two_d(model)
    ex = LatentExplorer(m, train, test, steps=steps)
    with torch.no_grad():
        copies = torch.cat([m.decode(c) for c in ex.test_codes.split(4096)])
    errors = per_image_mse(copies, ex.x_test).sort().values
    key, label = WARDROBES[m.vae]
    return ex, {"key": key, "label": label, "layers": page_layers(decoder_layers(m)),
                "encoder": page_layers(encoder_layers(m)), "map": map_data(ex.map_picture, ex.geometry),
                "codes": b64(ex.test_codes[:n].numpy(), "<f4"), "start": [float(v) for v in ex.z],
                "verdict": {"n": len(ex.train_codes), "codes": b64(ex.train_codes.numpy(), "<f4"),
                            "spacing": b64(ex.spacing.numpy(), "<f4")},
                "errors": {"n": len(errors), "sorted": b64(errors.numpy(), "<f4")}}


def export_data(model, test_data, n_items: int = 3000, steps: int = 10, train_data=None) -> dict:
    """What the page needs, as a JSON-able dict (see the module docstring). ``model``: the 2D autoencoder, or a
    list of 2D models (the plain autoencoder first, then e.g. the VAE) between which the page switches.
    ``test_data``: Fashion-MNIST test images and labels (the map shows all of them; the first ``n_items`` are
    carried for the pictures). ``train_data``: the items the verdict measures against (default
    :func:`training_set`, notebook 05's)."""
    models = list(model) if isinstance(model, (list, tuple)) else [model]
    train = training_set() if train_data is None else train_data
    ex, first = _wardrobe(models[0], train, test_data, n_items, steps)  # the notebook explorer itself
    x, y = ex.x_test, ex.y_test
    n = min(int(n_items), len(x))
    others = [_wardrobe(m, train, test_data, n_items, steps)[1] for m in models[1:]]
    return {
        "version": 3,
        "layers": first["layers"], "encoder": first["encoder"], "map": first["map"],
        "items": {"n": n, "index": list(range(n)), "codes": first["codes"],
                  "labels": b64(y[:n].numpy(), np.uint8),
                  "sprite": _sprite((x[:n, 0].clamp(0, 1) * 255).round().numpy().astype(np.uint8), SPRITE_COLS),
                  "cols": SPRITE_COLS},
        "classes": list(CLASS_NAMES), "class_colors": list(CLASS_COLORS), "start": first["start"],
        "marks": {"path": PATH_COLOR, "hang": HANG_COLOR},  # the notebook explorer's overlay colours
        # the notebook explorer's graded verdict (LatentExplorer.find_nearest, ae_helpers.latent.verdict), on the
        # same set: its training codes, each one's spacing among them, and the grades
        "verdict": {**first["verdict"],
                    "grades": [[None if math.isinf(most) else most, words] for most, words in latent.VERDICT_GRADES],
                    "neighbours": latent.SPACING_NEIGHBOURS},
        "errors": first["errors"],
        # the wardrobes the page switches between: the first one's parts are the ones above
        "wardrobes": [{"key": first["key"], "label": first["label"]}, *others],
        "steps": int(steps), "latent_dim": 2,
    }


def reference_points(extent, n_random: int = 6, seed: int = 0) -> list[list[float]]:
    """The map's four corners, its centre, and a few seeded random points inside it."""
    a, b, c, d = extent
    rng = np.random.default_rng(seed)
    inside = np.column_stack([rng.uniform(a, b, n_random), rng.uniform(c, d, n_random)])
    return [[a, c], [a, d], [b, c], [b, d], [(a + b) / 2, (c + d) / 2], *inside.tolist()]


def export(out_dir, model, test_data, n_items: int = 3000, steps: int = 10, train_data=None) -> Path:
    """Write the page's data files (:func:`~ae_helpers.explorer.web_files.write_data`: ``explorer-data.js``,
    ``explorer-hang-data.js`` and one file per other wardrobe, e.g. ``explorer-vae-data.js``) and
    ``decode-reference.json`` into ``out_dir``; return the first."""
    out = Path(out_dir)
    data = export_data(model, test_data, n_items, steps, train_data)
    path = write_data(out, data)
    zs = reference_points(data["map"]["extent"])
    first = two_d(model[0] if isinstance(model, (list, tuple)) else model)
    with torch.no_grad():
        decoded = first.decode(torch.tensor(zs, dtype=torch.float32)).reshape(len(zs), 784)
    decoded = [[round(v, 8) for v in row] for row in decoded.tolist()]  # 1e-8: far below the 1e-5 checked
    _write(out / REFERENCE_FILE, json.dumps({"z": zs, "decoded": decoded}))
    return path


def wardrobe_from_data(data: dict, k: int = 0) -> dict:
    """The ``k``-th wardrobe of an export (0: the first model, whose parts sit at the top level) with the same keys
    for every model: ``key``, ``label``, ``layers``, ``encoder``, ``map``, ``codes``, ``verdict``, ``start``,
    ``errors``."""
    if k == 0:
        return {**data["wardrobes"][0], "layers": data["layers"], "encoder": data["encoder"], "map": data["map"],
                "codes": data["items"]["codes"], "verdict": data["verdict"], "start": data["start"],
                "errors": data["errors"]}
    return data["wardrobes"][k]


def decoder_from_data(data: dict, k: int = 0) -> nn.Sequential:
    """A torch decoder (z -> 784 values) built from the exported layers: checks the export round trip."""
    return network_from_data(wardrobe_from_data(data, k)["layers"])


def encoder_from_data(data: dict, k: int = 0) -> nn.Sequential:
    """A torch encoder (784 values -> z) built from the exported layers of wardrobe ``k``."""
    return network_from_data(wardrobe_from_data(data, k)["encoder"])


def errors_from_data(data: dict, k: int = 0) -> np.ndarray:
    """The sorted per-image test MSEs (float32) of wardrobe ``k``."""
    return unb64(wardrobe_from_data(data, k)["errors"]["sorted"], "<f4")


def items_from_data(data: dict, k: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes (n, 2) float32 in wardrobe ``k``, labels (n,) uint8, pictures (n, 28, 28) uint8 ink) of an export."""
    from PIL import Image

    items, n = data["items"], data["items"]["n"]
    sheet = 255 - np.asarray(Image.open(io.BytesIO(base64.b64decode(items["sprite"].split(",", 1)[1]))))
    cols = items["cols"]
    ink = np.stack([sheet[28 * (i // cols):28 * (i // cols) + 28, 28 * (i % cols):28 * (i % cols) + 28]
                    for i in range(n)])
    codes = unb64(wardrobe_from_data(data, k)["codes"], "<f4").reshape(-1, 2)
    return codes, unb64(items["labels"], np.uint8), ink


def verdict_set_from_data(data: dict, k: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(codes (N, 2), spacing (N,)), float32: the training items an export's verdict measures against."""
    v = wardrobe_from_data(data, k)["verdict"]
    return unb64(v["codes"], "<f4").reshape(-1, 2), unb64(v["spacing"], "<f4")
