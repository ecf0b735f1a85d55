"""Checked exercises for the notebooks, in the style of Kaggle Learn's learntools.

Each notebook gets its exercises in one line, e.g. ``from ae_helpers.exercises import nb04 as ex``; then
``ex.mse.check(my_mse)`` checks an answer on real course data (✓ with what was verified, ✗ with a diagnosis
of the usual mistake, or "not done yet" for the untouched placeholder), ``ex.mse.hint()`` gives a nudge (call
again for a bigger one) and ``ex.mse.solution()`` shows the reference solution.
"""

from __future__ import annotations

import importlib

from .core import Exercise

NOTEBOOKS = ("nb01", "nb02", "nb03", "nb04", "nb05", "nb06")


def all_exercises() -> dict[str, list[Exercise]]:
    """``{"nb04": [mse, bce, ...], ...}``: every exercise, in the order of its module."""
    found = {}
    for name in NOTEBOOKS:
        module = importlib.import_module(f"{__name__}.{name}")
        found[name] = [v for v in vars(module).values() if isinstance(v, Exercise)]
    return found
