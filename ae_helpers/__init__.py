"""Helpers for the course "Understanding Autoencoders — Intuition to Applications".

Importing this package has two deliberate side effects: it sets how many CPU threads torch
may use (see :mod:`ae_helpers.threads`), so that two notebooks, or a class on one server,
share the cores fairly, and it makes freed big arrays go back to the system and keeps the GPU compiler
triton from loading on a machine without a GPU (see :mod:`ae_helpers.memory`). Heavy parts (widgets,
plots, torchvision) load on first use.
"""

from . import memory, threads

threads.apply()  # before anything below imports torch
memory.apply()
memory.keep_triton_out()  # imports torch, after threads.apply()

from .course_models import pretrained  # noqa: E402

__all__ = ["pretrained", "LatentExplorer"]
__version__ = "0.1.0"


def __getattr__(name):
    if name == "LatentExplorer":
        from .explorer import LatentExplorer

        return LatentExplorer
    raise AttributeError(f"module 'ae_helpers' has no attribute {name!r}")
