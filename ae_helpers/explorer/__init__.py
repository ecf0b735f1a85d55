"""The 2D latent explorer: walk through Brian's wardrobe (notebook 05, the deck, ``explorer.html``).

* :mod:`~ae_helpers.explorer.widget`: :class:`LatentExplorer`, the ipywidgets explorer and what it does on a move
  (decode z, find the nearest real training item and its verdict, the interpolation strip);
* :mod:`~ae_helpers.explorer.view`: what it shows (its widgets, handed back as one ``View``; the map picture and
  its overlays; the static figure);
* :mod:`~ae_helpers.explorer.geometry`: ``MapGeometry``, where the map picture sits in the latent space
  (pixel <-> z; immutable, ``LatentExplorer.geometry``);
* :mod:`~ae_helpers.explorer.web`: the same explorer exported for the browser, no kernel (``make explorer``).
"""

from .widget import LatentExplorer

__all__ = ["LatentExplorer"]
