"""Damage and detection (notebook 06): a kind by name or index, the square a damaged photo loses, and how well
a score tells the odd items from the normal ones (the ROC curve and its area). Each function is tested in
``tests/test_measures.py``."""

from __future__ import annotations

import torch

from ae_helpers.data import CLASS_NAMES


def class_index(kind) -> int:
    """A kind of clothing given by its name ("Bag") or by its index in CLASS_NAMES (8, or a one-number integer
    tensor such as ``y_test[0]``): its index. Anything else (a misspelt name, 10, 8.0, True) raises ValueError."""
    if isinstance(kind, str) and kind in CLASS_NAMES:
        return CLASS_NAMES.index(kind)
    whole = isinstance(kind, int) or (isinstance(kind, torch.Tensor) and kind.numel() == 1
                                       and not kind.dtype.is_floating_point and kind.dtype != torch.bool)
    if whole and not isinstance(kind, bool) and 0 <= int(kind) < len(CLASS_NAMES):
        return int(kind)
    raise ValueError(f"expected a name from CLASS_NAMES ({', '.join(CLASS_NAMES)}) or its index 0-9, got {kind!r}")


def square_mask(n, square=10, generator=None):
    """One ``square`` x ``square`` patch per image, at a random place: True inside it, shape (n, 1, 28, 28)."""
    top = torch.randint(0, 28 - square + 1, (n, 1), generator=generator)
    left = torch.randint(0, 28 - square + 1, (n, 1), generator=generator)
    pos = torch.arange(28)
    rows = (pos >= top) & (pos < top + square)                  # (n, 28): rows inside the square
    cols = (pos >= left) & (pos < left + square)                # (n, 28): columns inside the square
    return (rows[:, :, None] & cols[:, None, :])[:, None]       # (n, 1, 28, 28)


def roc_auc(normal_scores, outlier_scores):
    """P(a random outlier (anomaly) scores higher than a random normal item), ties count half: every pair."""
    a, n = outlier_scores[:, None].double(), normal_scores[None, :].double()
    return ((a > n).double().mean() + 0.5 * (a == n).double().mean()).item()


def roc_curve(normal_scores, anomaly_scores) -> tuple[torch.Tensor, torch.Tensor]:
    """False- and true-positive rates (fpr, tpr) as the threshold falls through every score."""
    steps = torch.cat([torch.tensor([float("inf")]), torch.cat([normal_scores, anomaly_scores]).sort(
        descending=True).values])
    caught = torch.searchsorted(anomaly_scores.sort().values, steps, side="left")
    flagged = torch.searchsorted(normal_scores.sort().values, steps, side="left")
    return 1 - flagged / len(normal_scores), 1 - caught / len(anomaly_scores)
