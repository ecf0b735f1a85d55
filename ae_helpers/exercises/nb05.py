"""Exercises of notebook 05 (the latent space): interpolate in latent space; PCA components vs the 8D autoencoder."""

from __future__ import annotations

import functools

import torch

from .. import latent
from ..settings import is_quick
from .core import Exercise, Mistake, call, number, real_images, shape_of, shared_model

STEPS = 10


def _check_interpolate(fn):
    model = shared_model(2)
    x, _ = real_images(50)
    x_a, x_b = x[3], x[42]                              # two real test items
    with torch.no_grad():
        got = call(fn, model, x_a, x_b, STEPS, expects="the shared 2D model, two real test images of shape "
                   f"(1, 28, 28) and steps = {STEPS}")
        z_a, z_b = model.encode(torch.stack([x_a, x_b]))
        t = torch.linspace(0, 1, STEPS)[:, None]
        ref = model.decode((1 - t) * z_a + t * z_b)
        no_end = model.decode((1 - t * 0.9) * z_a + t * 0.9 * z_b)
        first_only, only_a = model.decode((1 - t) * z_a), model.decode(z_a.expand(STEPS, -1))
    if not isinstance(got, torch.Tensor):
        raise Mistake(f"my_interpolate should return a tensor of images, got {type(got).__name__}")
    got = got.detach()
    if shape_of(got) == (STEPS, 784):
        raise Mistake(f"shape ({STEPS}, 784): reshape the images to ({STEPS}, 1, 28, 28), as model.decode returns them")
    if shape_of(got) == (STEPS + 2, 1, 28, 28):
        raise Mistake(f"{STEPS + 2} images for steps = {STEPS}: return only the decoded steps, without the two "
                      "original photos")
    if len(got) != STEPS:
        raise Mistake(f"for steps = {STEPS} expected {STEPS} images, got {len(got)}: t should take {STEPS} values "
                      f"from 0 to 1, both ends included: torch.linspace(0, 1, {STEPS})")
    if shape_of(got) != tuple(ref.shape):
        raise Mistake(f"expected shape {tuple(ref.shape)}, got {shape_of(got)}")
    t4 = t[:, :, None, None]
    if torch.allclose(got, (1 - t4) * x_a + t4 * x_b, atol=1e-4):
        raise Mistake("you interpolated in pixel space: that cross-fades the two photos (a ghost of both). "
                      "Encode both items, walk the straight line between their *codes*, and decode each step")
    if torch.allclose(got, first_only, atol=1e-4):
        raise Mistake("only the first term: the path shrinks from z_A to (0, 0). Add the second term, t * z_b")
    if torch.allclose(got, only_a, atol=1e-4):
        raise Mistake("every step is A's reconstruction: the second term is t * z_b (B's code), not t * z_a")
    if torch.allclose(got, ref.flip(0), atol=1e-4):
        raise Mistake("the path runs from B to A: the first image should be near item A (t = 0)")
    if torch.allclose(got, no_end, atol=1e-4) or (torch.allclose(got[0], ref[0], atol=1e-4)
                                                  and not torch.allclose(got[-1], ref[-1], atol=1e-4)):
        raise Mistake("the path never reaches item B: the last step must be t = 1 (torch.linspace includes it, "
                      "torch.arange does not)")
    if not torch.allclose(got, ref, atol=1e-4):
        raise Mistake("these are not the decoded points z(t) = (1 - t) z_A + t z_B for evenly spaced t in [0, 1]")
    return (f"{STEPS} images decoded along the straight line between the codes of two real test items, "
            "from Brian's reconstruction of A to his reconstruction of B")


TOLERANCE = 0.005   # k is also right when PCA with k components is within 0.5% of the target (rounding, threads)


@functools.lru_cache(maxsize=2)
def _pca_errors(quick: bool) -> torch.Tensor:
    """Test MSE per pixel of PCA with k = 1 ... 784 components, exactly as in notebook 05: the directions from
    all 60,000 training images (8,000 in quick mode, like the notebook). Fitted on fewer images, PCA is a little
    worse on the test images and can need one component more (notebook 06 fits it on its 12,000)."""
    mean, directions = latent.pca_fit(real_images(8000 if quick else None, "train")[0], 784)
    return latent.pca_errors(real_images(None)[0], mean, directions)


def _check_pca(answer):
    target = shared_model(8).history["test_mse"]
    errors = _pca_errors(is_quick())
    k_ref = int((errors <= target).nonzero()[0]) + 1
    got = number(answer, "k_match_8")
    if 0 < got < 1:
        raise Mistake(f"{got:.4f} looks like an error, not a number of components: k_match_8 is how many numbers "
                      "per item PCA needs")
    if got != int(got) or not 1 <= got <= 784:
        raise Mistake(f"k_match_8 should be a whole number of components from 1 to 784, got {got}")
    k = int(got)
    if errors[k - 1] > target * (1 + TOLERANCE):
        same = " (as many numbers as the autoencoder: a linear encoder and decoder need more)" if k == 8 else ""
        raise Mistake(f"with {k} components PCA still loses {errors[k - 1]:.6f} per pixel, more than the 8D "
                      f"autoencoder's {target:.6f}{same}: you need more components")
    if k > k_ref and errors[k - 2] <= target * (1 - TOLERANCE):
        raise Mistake(f"{k} components are enough, but so are fewer: find the *smallest* k with "
                      f"pca_mse(k) <= ae_loss[8]")
    return (f"PCA needs {k} components to match the 8D autoencoder (test MSE {errors[k - 1]:.6f} "
            f"{'<=' if errors[k - 1] <= target else 'within 0.5% of'} {target:.6f}): "
            f"{k / 8:.1f} times as many numbers per item")


interpolate = Exercise(
    "interpolate", "interpolation in latent space", "my_interpolate", _check_interpolate,
    ["`first` is `(1 - t) * z_a`, one row per step; the second term `t * z_b` is built the same way. "
     "Add the two.",
     "`z_path = first + t * z_b`: the whole line is `(1 - t) * z_a + t * z_b`, for every t at once."],
    """
    def my_interpolate(model, x_a, x_b, steps=10):
        with torch.no_grad():
            z_a, z_b = model.encode(torch.stack([x_a, x_b]))   # the two items' locations
            t = torch.linspace(0, 1, steps)[:, None]            # 0, ..., 1: both ends included
            first = (1 - t) * z_a                               # the first term, one row per step
            z_path = first + t * z_b                            # z(t) = (1 - t) z_A + t z_B
            return model.decode(z_path)                         # Brian sews each step

    a = int((y_test == CLASS_NAMES.index("Pullover")).nonzero()[0])   # the first pullover and sandal
    b = int((y_test == CLASS_NAMES.index("Sandal")).nonzero()[0])
    plots.image_row(my_interpolate(model, x_test[a], x_test[b]), size=1.0, suptitle="Pullover -> Sandal")
    plt.show()
    """, expects="a function my_interpolate(model, x_a, x_b, steps) returning (steps, 1, 28, 28) images")

pca_components = Exercise(
    "pca_components", "PCA components to match the 8D autoencoder", "k_match_8", _check_pca,
    ["`pca_mse(k, x_test_all)` is PCA's error with k numbers per item; `ae_loss[8]` is the 8D autoencoder's. "
     "Try k = 1, 2, 3, ... until PCA is at least as good.",
     "`next(k for k in range(1, 785) if pca_mse(k, x_test_all) <= ae_loss[8])`, as in the cell for the 2D model."],
    """
    k_match_8 = next(k for k in range(1, 785) if pca_mse(k, x_test_all) <= ae_loss[8])

    print(f"PCA needs {k_match_8} numbers per item to do as well as the autoencoder does with 8")
    """, expects="a whole number of components")
