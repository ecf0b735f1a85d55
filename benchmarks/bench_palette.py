"""Can everyone tell the class colours apart? The smallest colour distance between two classes, per vision.

    .venv/bin/python benchmarks/bench_palette.py

Each palette's ten colours are seen as with normal vision and as with full deuteranopia, protanopia and
tritanopia (colorspacious' CVD simulation, Machado et al. 2009, severity 100), then measured in CAM02-UCS, where
one unit is about one just-noticeable difference and about 10-15 units read as clearly different. The table gives
the smallest distance between two colours of the palette (and which two) for matplotlib's tab10 (the course's old
palette) and ``plots.CLASS_COLORS``. A second table does the same for the colours as the maps draw them where dots
are sparse (alpha 0.5 on white). tests/test_palette.py imports :func:`smallest_distances` and checks the course's
palette against a floor measured here.

Needs ``colorspacious`` (the test extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from colorspacious import cspace_convert
from matplotlib.colors import to_rgb

#: Visions and colorspacious' name for each deficiency (severity 100: the "-anopia", none of that cone type).
VISIONS = {"normal": None, "deuteranopia": "deuteranomaly", "protanopia": "protanomaly",
           "tritanopia": "tritanomaly"}


def seen(colors, vision: str) -> np.ndarray:
    """sRGB colours in [0, 1], (n, 3), as a person with ``vision`` sees them (simulated)."""
    rgb = np.array([to_rgb(c) for c in colors], float)
    kind = VISIONS[vision]
    if kind is None:
        return rgb
    return np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}, "sRGB1"), 0, 1)


def distances(colors, vision: str) -> np.ndarray:
    """(n, n) CAM02-UCS distances between the colours as seen with ``vision`` (inf on the diagonal)."""
    ucs = cspace_convert(seen(colors, vision), "sRGB1", "CAM02-UCS")
    d = np.linalg.norm(ucs[:, None] - ucs[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    return d


def smallest_distances(colors) -> dict[str, tuple[float, int, int]]:
    """``{vision: (smallest distance between two colours, i, j)}`` for every vision of :data:`VISIONS`."""
    out = {}
    for vision in VISIONS:
        d = distances(colors, vision)
        i, j = np.unravel_index(np.argmin(d), d.shape)
        out[vision] = (float(d[i, j]), int(i), int(j))
    return out


#: Kinds whose dots overlap on the course's 2D maps: the tops, and the footwear.
NEIGHBOURS = ((0, 2, 3, 4, 6), (5, 7, 9))


def smallest_among_neighbours(colors) -> dict[str, float]:
    """``{vision: smallest distance between two colours in one group of :data:`NEIGHBOURS`}``."""
    return {v: min(float(distances(colors, v)[np.ix_(g, g)].min()) for g in NEIGHBOURS) for v in VISIONS}


def on_white(colors, alpha: float = 0.5) -> list[tuple[float, float, float]]:
    """The colours drawn with ``alpha`` over white paper."""
    return [tuple(alpha * np.array(to_rgb(c)) + (1 - alpha)) for c in colors]


def table(palettes: dict, names) -> str:
    rows = ["| palette | " + " | ".join(VISIONS) + " |", "|---|" + "---|" * len(VISIONS)]
    for label, colors in palettes.items():
        cells = [f"**{d:.1f}** ({names[i]} / {names[j]})" for d, i, j in smallest_distances(colors).values()]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import matplotlib.pyplot as plt

    from ae_helpers.data import CLASS_NAMES
    from ae_helpers.plots import CLASS_COLORS

    palettes = {"tab10 (matplotlib's default)": plt.get_cmap("tab10").colors, "plots.CLASS_COLORS": CLASS_COLORS}
    print("Smallest CAM02-UCS distance between two class colours, per vision (and which two classes):\n")
    print(table(palettes, CLASS_NAMES))
    print("\nThe same, as the maps draw sparse dots (alpha 0.5 on white):\n")
    print(table({k: on_white(v) for k, v in palettes.items()}, CLASS_NAMES))
    print("\nSmallest distance among kinds whose dots overlap (tops: T-shirt/top, Pullover, Dress, Coat, Shirt; "
          "footwear: Sandal, Sneaker, Ankle boot):\n")
    print("| palette | " + " | ".join(VISIONS) + " |\n|---|" + "---|" * len(VISIONS))
    for label, colors in palettes.items():
        print(f"| {label} | " + " | ".join(f"{d:.1f}" for d in smallest_among_neighbours(colors).values()) + " |")


if __name__ == "__main__":
    main()
