"""Plain maths on codes, one function per question. Every function takes and returns tensors and works the
same for codes of any size: 2 numbers per item, 16, or 784 raw pixels (images are flattened for you).
Distances are Euclidean and computed in chunks of queries, so 10,000 x 60,000 items fit in memory.

The notebooks call every function as ``latent.<name>``; each lives in the submodule of its topic:

* :mod:`.neighbours`: ``nearest`` (k nearest, optionally never itself), ``nearest_item`` (index and distance),
  ``nearest_images`` (the closest real photos to an image, by pixel MSE), ``knn_predict``, ``knn_accuracy``,
  ``precision_at_k``
* :mod:`.spacing`, among, near or far from the real items: ``typical_gap``, ``local_spacing``, ``SPACING_NEIGHBOURS``,
  ``verdict``, ``verdict_grade``, ``ratio_text``, ``grade_points``, ``VERDICT_GRADES`` (graded by the latent
  distance to the nearest real item, in units of the spacing of the items around it)
* :mod:`.places`, the map and the items to show: ``extent``, ``interpolate``, ``emptiest_spots``,
  ``sewable_spot``, ``central_item``, ``first_of_each_class``, ``pick_items`` (seeded, class-balanced)
* :mod:`ae_helpers.pca`, the linear reference: ``pca_fit``, ``pca_project``, ``pca_reconstruct``, ``pca_mse``,
  ``pca_errors``, ``principal_angles``
"""

from ..pca import pca_errors, pca_fit, pca_mse, pca_project, pca_reconstruct, principal_angles
from .neighbours import knn_accuracy, knn_predict, nearest, nearest_images, nearest_item, precision_at_k
from .places import central_item, emptiest_spots, extent, first_of_each_class, interpolate, pick_items, sewable_spot
from .spacing import (
    SPACING_NEIGHBOURS,
    VERDICT_GRADES,
    grade_points,
    local_spacing,
    ratio_text,
    typical_gap,
    verdict,
    verdict_grade,
)

__all__ = [
    "knn_accuracy", "knn_predict", "nearest", "nearest_images", "nearest_item", "precision_at_k",   # neighbours
    "SPACING_NEIGHBOURS", "VERDICT_GRADES", "grade_points", "local_spacing", "ratio_text", "typical_gap",
    "verdict", "verdict_grade",                                                                   # spacing
    "central_item", "emptiest_spots", "extent", "first_of_each_class", "interpolate", "pick_items",   # places
    "sewable_spot",
    "pca_errors", "pca_fit", "pca_mse", "pca_project", "pca_reconstruct", "principal_angles",     # pca
]
