"""Helpers for the course "Understanding Autoencoders — Intuition to Applications".

Importing this package has no side effects; heavy parts (widgets, plots) load on first use.
"""

from .training import pretrained

__all__ = ["pretrained", "LatentExplorer"]
__version__ = "0.1.0"


def __getattr__(name):
    if name == "LatentExplorer":
        from .explorer import LatentExplorer

        return LatentExplorer
    raise AttributeError(f"module 'ae_helpers' has no attribute {name!r}")
