"""The in-browser explorer's data files (:mod:`ae_helpers.explorer.web`): which parts of the export go into which
file, written atomically, and read back into one dict.

Each file is a script that sets a global, so that a page opened from ``file://`` (where it may not ``fetch``)
loads it with a ``<script>`` tag:

* :data:`DATA_FILE` ``window.AE_EXPLORER_DATA = {...}``: everything but :data:`HANG_KEYS` (the deck's live slide
  loads this one alone);
* :data:`HANG_FILE` ``Object.assign(window.AE_EXPLORER_DATA, {...})``: the first wardrobe's encoder and test errors,
  and the list of wardrobes, each other one as ``{key, label, file, global}`` (``explorer.html`` loads it with the
  page);
* one file per other wardrobe (:func:`wardrobe_file`, e.g. ``explorer-vae-data.js`` setting
  ``window.AE_EXPLORER_VAE``): its networks, map, codes, verdict set, start point and errors, which the page loads
  only when the reader first switches to that wardrobe.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

DATA_FILE, HANG_FILE, REFERENCE_FILE = "explorer-data.js", "explorer-hang-data.js", "decode-reference.json"
#: What only explorer.html's "hang your own item" and its switch of wardrobe need, in HANG_FILE.
HANG_KEYS = ("encoder", "errors", "wardrobes")
_PREFIX, _HANG_PREFIX = "window.AE_EXPLORER_DATA = ", "Object.assign(window.AE_EXPLORER_DATA, "
#: What the page needs to know of a wardrobe before it loads it.
_ENTRY_KEYS = ("key", "label")


def wardrobe_file(key: str) -> tuple[str, str]:
    """The file that carries wardrobe ``key`` (not the first one) and the global it sets:
    ``("explorer-vae-data.js", "AE_EXPLORER_VAE")`` for ``"vae"``."""
    if not key.isidentifier() or not key.isascii():
        raise ValueError(f"a wardrobe's key names its file and a JavaScript global: {key!r} cannot")
    return f"explorer-{key}-data.js", "AE_EXPLORER_" + key.upper()


def _write(path: Path, text: str) -> None:
    """Write atomically (a half-written data file would break the page)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def write_data(out_dir, data: dict) -> Path:
    """Split ``data`` (``web.export_data``'s dict, every wardrobe in full) into the page's files in ``out_dir``;
    return the path of :data:`DATA_FILE`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keys = [w["key"] for w in data.get("wardrobes", [])]
    if len(set(keys)) != len(keys):
        raise ValueError(f"each wardrobe needs its own key (it names its file): {keys}")
    _write(out / DATA_FILE, "/* The 2D latent explorer's model and items, written by ae_helpers/explorer/web.py. */\n"
           + _PREFIX + _json({k: v for k, v in data.items() if k not in HANG_KEYS}) + ";\n")
    if "wardrobes" not in data:
        return out / DATA_FILE
    entries = [{k: data["wardrobes"][0][k] for k in _ENTRY_KEYS}]
    for w in data["wardrobes"][1:]:
        name, var = wardrobe_file(w["key"])
        entries.append({**{k: w[k] for k in _ENTRY_KEYS}, "file": name, "global": var})
        _write(out / name, f"/* The {w['label']}'s wardrobe for explorer.html, loaded when the reader first switches "
               "to it; written by ae_helpers/explorer/web.py. */\n" + f"window.{var} = " + _json(w) + ";\n")
    _write(out / HANG_FILE, "/* The first wardrobe's encoder and test errors, and the list of wardrobes, for "
           "explorer.html's 'hang your own item'; written by ae_helpers/explorer/web.py after explorer-data.js. */\n"
           + _HANG_PREFIX + _json({**{k: data[k] for k in HANG_KEYS if k != "wardrobes"}, "wardrobes": entries})
           + ");\n")
    return out / DATA_FILE


def _between(path: Path, start: str, end: str) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index(start) + len(start):text.rindex(end)])


def read_data(path) -> dict:
    """The dict a written :data:`DATA_FILE` holds, with :data:`HANG_FILE` and every wardrobe's file beside it
    merged in: ``web.export_data``'s dict again."""
    path = Path(path)
    data = _between(path, _PREFIX, ";")
    hang = path.with_name(HANG_FILE)
    if hang.is_file():
        data.update(_between(hang, _HANG_PREFIX, ")"))
        for k, w in enumerate(data["wardrobes"][1:], 1):
            data["wardrobes"][k] = _between(path.with_name(w["file"]), f"window.{w['global']} = ", ";")
    return data
