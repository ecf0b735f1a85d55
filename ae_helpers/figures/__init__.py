"""Figures for one notebook each (``nb01`` ... ``nb08``): the plotting boilerplate a notebook would otherwise carry
in long cells. They draw (and format text for printing); the numbers they show are computed by the notebook or
by :mod:`ae_helpers.measures` and :mod:`ae_helpers.latent`.

Convention: data first, ``ax=None`` creates a figure, the axes are returned.
"""
