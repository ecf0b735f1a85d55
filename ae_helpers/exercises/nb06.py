"""Exercises of notebook 06 (applications): a new kind of damage; a held-out threshold; your own anomaly."""

from __future__ import annotations

import torch
from torch import nn

from ..data import CLASS_NAMES
from ..detection import class_index, roc_auc
from ..settings import quick_or
from .core import Exercise, Mistake, call, number, real_images, shape_of, shared_model


def _check_damage(fn):
    x, _ = real_images(256)
    before = x.clone()
    expects = "x = 256 real test images (256, 1, 28, 28), amount = 0.2 and generator = a seeded torch.Generator"
    out = call(fn, x, 0.2, generator=torch.Generator().manual_seed(0), expects=expects)
    if not torch.equal(x, before):
        raise Mistake("your function changed its input x in place: the clean target would be damaged too. Work "
                      "on a copy (x.clone()) or build a new tensor (torch.where)")
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        raise Mistake(f"expected damaged images of the same shape as x, {tuple(x.shape)}; got {shape_of(out)}")
    changed = out != x
    if changed.any() and not ((out[changed] == 0) | (out[changed] == 1)).all():
        raise Mistake("some damaged pixels are neither 0 nor 1: salt-and-pepper *sets* a pixel to 0 (no ink) or "
                      "1 (full ink), it does not add noise to it")
    grey = (x > 0) & (x < 1)                                 # pixels where both 0 and 1 are a change
    share = changed[grey].float().mean().item()
    if abs(share - 0.2) > 0.04:
        hint = " (about half: only 0 or only 1?)" if abs(share - 0.1) < 0.03 else ""
        raise Mistake(f"with amount = 0.2, {share:.0%} of the grey pixels were changed, expected about 20%{hint}")
    ones = (out[changed & grey] == 1).float().mean().item()
    if ones > 0.9 or ones < 0.1:
        kind = "1 (full ink)" if ones > 0.5 else "0 (no ink)"
        raise Mistake(f"{ones:.0%} of the damaged pixels became 1: nearly all {kind}. Half should become 0 and "
                      "half 1, e.g. torch.where(torch.rand(...) < 0.5, 0.0, 1.0)")
    both = [grey[i] & grey[i + 1] for i in range(0, 8, 2)]
    if all(torch.equal(changed[i][b], changed[i + 1][b]) for i, b in zip(range(0, 8, 2), both)):
        raise Mistake("every image got the same damaged pixels: draw the random numbers with the batch's shape "
                      "(x.shape), not (28, 28)")
    small = call(fn, x, 0.05, generator=torch.Generator().manual_seed(0), expects=expects.replace("0.2", "0.05"))
    if abs((small != x)[grey].float().mean().item() - 0.05) > 0.02:
        raise Mistake("with amount = 0.05 the share of damaged pixels does not follow: use the `amount` argument")
    again = call(fn, x, 0.2, generator=torch.Generator().manual_seed(0), expects=expects)
    if not torch.equal(again, out):
        raise Mistake("two calls with the same seeded generator give different damage: pass generator=generator "
                      "to every torch.rand / torch.randint call")
    return ("sets about `amount` of the pixels to 0 or 1 (half each), independently in each image, leaves the "
            "input untouched, and is reproducible with a seeded generator")


def _scores_and_labels():
    model = shared_model(2)
    x, y = real_images(2000)
    with torch.no_grad():
        return ((model(x) - x) ** 2).flatten(1).mean(1), y


def _check_threshold(fn):
    scores, labels = _scores_and_labels()
    held_out = CLASS_NAMES.index("Bag")
    normal = scores[labels != held_out]
    for rate in (0.05, 0.1):
        got = number(call(fn, scores, labels, held_out, rate, expects=f"scores of 2,000 real test items, their "
                          f"labels, held_out = {held_out} (Bag) and rate = {rate}"), "my_threshold")
        ref = normal.quantile(1 - rate).item()
        known = [(scores.quantile(1 - rate).item(), "you used every item, anomalies included: the threshold "
                  "must come from the normal items only (labels != held_out)"),
                 (scores[labels == held_out].quantile(1 - rate).item(), "the threshold was taken from the "
                  "anomalies: when you set an alarm you have not seen the anomalies yet; use the normal items"),
                 (scores[labels == held_out].quantile(rate).item(), "the threshold was taken from the anomalies: "
                  "when you set an alarm you have not seen them yet; use the normal items"),
                 (normal.quantile(rate).item(), f"that is the {rate:.0%} point: {1 - rate:.0%} of normal items "
                  f"would raise the alarm. Take the {1 - rate:.0%} point, quantile(1 - rate)")]
        for wrong, message in known:
            if abs(got - wrong) < 1e-6 and abs(got - ref) > 1e-6:
                raise Mistake(message)
        alarms = (normal > got).float().mean().item()
        if abs(alarms - rate) > 0.003:
            raise Mistake(f"with your threshold {got:.4f}, {alarms:.1%} of normal items raise the alarm; "
                          f"expected {rate:.0%} (the {1 - rate:.0%} quantile of the normal items is {ref:.4f})")
    return "flags 5% (and 10%) of the normal items of 2,000 real test scores, using the normal items only"


def _class_index(value) -> int:
    try:
        return class_index(value)
    except ValueError:
        names = ", ".join(CLASS_NAMES)
        raise Mistake(f"MY_HELD_OUT should be one of {names}, or its index 0-9; got {value!r}") from None


def _check_held_out(detector, held_out=None, auc=None):
    c = _class_index(held_out)
    if c == CLASS_NAMES.index("Bag"):
        raise Mistake("choose a class other than Bag: the notebook has already done Bag")
    if not isinstance(detector, nn.Module):
        raise Mistake(f"my_detector should be a trained model (Autoencoder), got {type(detector).__name__}")
    auc_got = number(auc, "my_auc")
    x, y = real_images(quick_or(None, 2000))       # the notebook's x_test
    detector.eval()
    with torch.no_grad():
        scores = torch.cat([((detector(b) - b) ** 2).flatten(1).mean(1) for b in x.split(1000)])
    mine = y == c
    ref = roc_auc(scores[~mine], scores[mine])
    bag = y == CLASS_NAMES.index("Bag")
    if abs(auc_got - ref) > 2e-3:
        if abs(auc_got - (1 - ref)) < 2e-3:
            raise Mistake(f"your AUC {auc_got:.3f} is 1 minus the right one ({ref:.3f}): the normal items' scores "
                          "go first, the anomalies' second: roc_auc(scores[~is_mine], scores[is_mine])")
        if abs(auc_got - roc_auc(scores[~bag], scores[bag])) < 2e-3:
            raise Mistake(f"that is the AUC for bags: mark the items of {CLASS_NAMES[c]} as the anomalies")
        raise Mistake(f"your AUC {auc_got:.3f} is not the AUC of this detector's scores on x_test for "
                      f"{CLASS_NAMES[c]} ({ref:.3f})")
    ratio = scores[mine].mean() / scores[~mine].mean()
    means = f"its mean error is {ratio:.2f}x the other items'"
    if ref > 0.5:
        meaning = (f"a random {CLASS_NAMES[c]} scores higher than a random other item {ref:.0%} of the time "
                   f"(0.5 = a coin toss); {means}")
    else:
        meaning = (f"below 0.5: a random {CLASS_NAMES[c]} scores *lower* than a random other item more often than "
                   f"not ({1 - ref:.0%} of the pairs): by this score the unseen kind looks a little more normal than "
                   f"normal ({means}); never seen is not the same as hard to sew")
    return f"AUC {ref:.3f} for {CLASS_NAMES[c]}: {meaning}"


damage = Exercise(
    "damage", "salt-and-pepper damage", "salt_and_pepper", _check_damage,
    ["Draw one random number per pixel: where it is below `amount`, the pixel is damaged. A second random "
     "number decides 1 (full ink) or 0 (no ink). Never change `x` itself.",
     "`hit = torch.rand(x.shape, generator=generator) < amount`, `ink = torch.rand(x.shape, "
     "generator=generator) < 0.5`, then `torch.where(hit, ink.float(), x)`."],
    """
    def salt_and_pepper(x, amount=0.1, generator=None):
        hit = torch.rand(x.shape, generator=generator) < amount        # which pixels are damaged
        ink = torch.rand(x.shape, generator=generator) < 0.5           # ... to 1 (full ink) or to 0 (no ink)
        return torch.where(hit, ink.float(), x)                        # a new tensor: x stays clean

    peppered = salt_and_pepper(x_test[:10], 0.2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        repaired = denoiser(peppered)                 # trained on other damage: does it repair this one?
    print(f"MSE vs clean: damaged {mse_value(peppered, x_test[:10]):.4f}, "
          f"repaired {mse_value(repaired, x_test[:10]):.4f}")
    figs.labelled_rows({"damaged": peppered, "repaired": repaired})
    plt.show()
    """, expects="a function salt_and_pepper(x, amount, generator) returning damaged images")

threshold = Exercise(
    "threshold", "a threshold from validation items", "my_threshold", _check_threshold,
    ["Keep only the normal items' scores (`labels != held_out`), then find the score that only `rate` of "
     "them exceed.",
     "`scores[labels != held_out].quantile(1 - rate).item()`"],
    """
    def my_threshold(scores, labels, held_out, rate=0.05):
        return scores[labels != held_out].quantile(1 - rate).item()

    mine = my_threshold(anomaly_scores(detector, x_val), y_val, HELD_OUT)   # all held-out items, bags too
    print(f"my threshold {mine:.4f}, the notebook's {threshold:.4f}; normal test items flagged: "
          f"{(normal_s > mine).float().mean():.1%}")
    """, expects="a function my_threshold(scores, labels, held_out, rate) returning one number")

held_out = Exercise(
    "held_out", "your own held-out class", "my_detector", _check_held_out,
    ["`detector_without(MY_HELD_OUT)` trains the detector (a name or an index); score `x_test` with "
     "`anomaly_scores`.",
     "`is_mine = y_test == detection.class_index(MY_HELD_OUT)`, then `my_auc = roc_auc(my_scores[~is_mine], "
     "my_scores[is_mine])`: normal scores first."],
    """
    MY_HELD_OUT = "Trouser"
    my_detector = detector_without(MY_HELD_OUT)       # a name or its index (1) both work
    my_scores = anomaly_scores(my_detector, x_test)
    is_mine = y_test == detection.class_index(MY_HELD_OUT)
    my_auc = roc_auc(my_scores[~is_mine], my_scores[is_mine])
    print(f"AUC for {MY_HELD_OUT}: {my_auc:.3f} (bags: {auc:.3f})")
    """, expects="my_detector (a trained model), MY_HELD_OUT (a class name or its index) and my_auc (a number)")
