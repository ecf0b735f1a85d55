"""Figures and statistics for one notebook each (``nb01`` ... ``nb08``): the plotting and
number-crunching boilerplate a notebook would otherwise carry in long cells.

Convention: data first, ``ax=None`` creates a figure, the axes are returned.
"""
