"""ae_helpers.exercises: every reference solution passes its check, the usual mistakes get their own
diagnosis, the untouched placeholder is "not done yet", and a student's exception is explained.

The checks run on the real data and on shared models trained (small, once) into a temporary cache.
Each check's time is printed (run with -s to see it; benchmarks/bench_exercises.py times full mode)."""

from __future__ import annotations

import time

import matplotlib
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ae_helpers.exercises import all_exercises, core, nb01, nb04, nb05, nb06

matplotlib.use("Agg")

EXERCISES = [e for module in all_exercises().values() for e in module]
BY_NAME = {e.name: e for e in EXERCISES}


@pytest.fixture(scope="module", autouse=True)
def small_shared_models(tmp_path_factory):
    """pretrained(2) and pretrained(8) in quick mode, trained once into a temporary cache."""
    from ae_helpers import course_models

    with pytest.MonkeyPatch.context() as mp:  # core.shared_model(d) asks for the course's model by its size
        mp.setenv("AE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("AE_QUICK", "1")
        mp.setitem(course_models.RECIPES, ("mlp", "quick"), {"epochs": 3, "batch_size": 256, "lr": 5e-3,
                                                               "n_train": 4000})
        course_models.pretrained(2, progress=False)
        course_models.pretrained(8, progress=False)
        yield


def run(exercise, *answer) -> str:
    """Check ``answer``; return the printed line, after timing it."""
    start = time.perf_counter()
    exercise.check(*answer)
    print(f"[{exercise.name} check: {time.perf_counter() - start:.2f} s]")
    return exercise.message


def definition(exercise, **names):
    """The answer the reference solution defines (its first paragraph), run in a namespace with ``names``."""
    namespace = {"torch": torch, "F": F, "nn": nn, **names}
    exec(exercise.solution_code.split("\n\n")[0], namespace)  # noqa: S102 (our own reference code)
    return namespace[exercise.answer_name]


def test_at_least_14_exercises_two_to_four_per_notebook_with_unique_names():
    per_notebook = {nb: len(found) for nb, found in all_exercises().items()}
    assert sum(per_notebook.values()) >= 14, per_notebook
    assert all(2 <= n <= 4 for n in per_notebook.values()), per_notebook
    assert len(BY_NAME) == len(EXERCISES), "exercise names are unique"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_placeholder_is_not_done_yet_and_not_a_failure(exercise):
    for placeholder in (..., _stub_ellipsis, _stub_raise, _stub_blank):
        assert "not done yet" in run(exercise, placeholder)
        assert exercise.status == core.NOT_DONE
    assert ("The bar: a test MSE below" in exercise.message) == (exercise is nb04.small_model)   # its goal, again


def _stub_ellipsis(*args, **kwargs):
    """A docstring the student may keep."""
    ...


def _stub_raise(*args, **kwargs):
    raise NotImplementedError


def _stub_blank(*args, **kwargs):
    """A scaffold that does most of the work and leaves one line blank."""
    z = ...
    return z


def _filled(x):
    return x[..., 0]  # an Ellipsis that is not a blank


def test_a_scaffold_with_a_blank_is_not_done_and_an_ellipsis_index_is_not_a_blank():
    assert core.is_placeholder(_stub_blank) and not core.is_placeholder(_filled)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_hints_grow_and_solution_is_markdown_code(exercise, capsys):
    exercise._hints_shown = 0
    exercise.hint()
    exercise.hint()
    exercise.hint()
    out = capsys.readouterr().out
    assert "Hint 1 of 2" in out and "Hint 2 of 2" in out and "No more hints" in out
    exercise.solution()
    out = capsys.readouterr().out
    assert "```python\n" in out and exercise.answer_name in out


@pytest.fixture(scope="module")
def notebook_names():
    """Stand-ins for the notebook variables the reference solutions use."""
    from ae_helpers.data import CLASS_NAMES
    from ae_helpers.exercises.core import real_images, shared_model

    x_test, y_test = real_images(1000)
    with torch.no_grad():
        z_test = shared_model(2).encode(x_test)
    return {"x_test": x_test, "y_test": y_test, "z_test": z_test, "CLASS_NAMES": CLASS_NAMES}


SIMPLE = ["nearest", "agree", "encoder", "count", "grid", "trouser", "mse", "bce", "train_step",
          "interpolate", "damage", "threshold"]


@pytest.mark.parametrize("name", SIMPLE)
def test_reference_solution_passes(name, notebook_names):
    names = dict(notebook_names)
    if name == "agree":
        names["my_nearest"] = definition(nb01.nearest)
    message = run(BY_NAME[name], definition(BY_NAME[name], **names))
    assert message.startswith("✓"), message


def test_small_model_solution_passes_and_untrained_model_is_diagnosed():
    from ae_helpers.data import load
    from ae_helpers.models import Autoencoder
    from ae_helpers.settings import course_seed, quick_or, seed_everything

    names = {"x_train": load("train", 2000)[0], "Autoencoder": Autoencoder, "seed_everything": seed_everything,
             "course_seed": course_seed, "quick_or": quick_or, "my_train_step": definition(nb04.train_step),
             "torch": torch}
    assert "seed_everything(0)" not in nb04.small_model.solution_code, "the notebook's seed, not a fixed one"
    exec(nb04.small_model.solution_code, names)  # noqa: S102
    assert run(nb04.small_model, names["my_model"]).startswith("✓")
    seed_everything(0)
    assert "no better than sewing the average image" in run(nb04.small_model, Autoencoder(8))
    flat = nn.Sequential(nn.Flatten(), nn.Linear(784, 784), nn.Sigmoid())
    assert "(N, 784)" in run(nb04.small_model, flat)
    assert "Sigmoid" in run(nb04.small_model, nn.Sequential(nn.Flatten(), nn.Linear(784, 784),
                                                           nn.Unflatten(1, (1, 28, 28))))


def test_trouser_feedback_guides_without_the_answer():
    from ae_helpers.exercises import nb03

    x, y = core.real_images(2000)
    with torch.no_grad():
        codes = core.shared_model(2).encode(x)
    bags = codes[y == nb03.CLASS_NAMES.index("Bag")].median(0).values
    centre = codes[y == nb03.TROUSER].median(0).values
    message = run(nb03.trouser, bags)
    assert message.startswith("✗") and "legend" in message and " z" in message, message
    assert f"{centre[0]:.1f}" not in message.split("Brian sews")[1], "the feedback must not give the trousers' address"


def test_pca_components():
    errors = nb05._pca_errors(True)
    target = core.shared_model(8).history["test_mse"]
    k = int((errors <= target).nonzero()[0]) + 1
    too_few = int((errors > target * (1 + nb05.TOLERANCE)).nonzero()[-1]) + 1
    too_many = int((errors <= target * (1 - nb05.TOLERANCE)).nonzero()[0]) + 2
    assert run(nb05.pca_components, k).startswith("✓")
    assert "more components" in run(nb05.pca_components, too_few)
    assert "smallest" in run(nb05.pca_components, too_many)
    assert "looks like an error" in run(nb05.pca_components, float(errors[k - 1]))
    assert "not done yet" in run(nb05.pca_components, ...)


def test_held_out_class():
    from ae_helpers import detection
    from ae_helpers.data import load
    from ae_helpers.models import Autoencoder
    from ae_helpers.settings import seed_everything
    from ae_helpers.training import train

    x, y = load("train", 2000)
    seed_everything(0)
    detector = Autoencoder(latent_dim=8)
    train(detector, x[y != 1], epochs=2, progress=False)
    x_test, y_test = core.real_images(2000)
    with torch.no_grad():
        scores = ((detector(x_test) - x_test) ** 2).flatten(1).mean(1)
    auc = detection.roc_auc(scores[y_test != 1], scores[y_test == 1])
    message = run(nb06.held_out, detector, "Trouser", auc)
    assert message.startswith("✓") and "AUC" in message and "Trouser" in message
    assert "1 minus the right one" in run(nb06.held_out, detector, "Trouser", 1 - auc)
    assert "other than Bag" in run(nb06.held_out, detector, "Bag", auc)
    assert run(nb06.held_out, detector, 1, auc) == message                  # its index works like its name
    assert "should be one of" in run(nb06.held_out, detector, "Trousers", auc)
    assert "should be one of" in run(nb06.held_out, detector, 10, auc)
    assert "should be one of" in run(nb06.held_out, detector, True, auc)       # not the index 1
    assert "not done yet" in run(nb06.held_out, ..., ..., ...)


def _sum_per_image(x, x_hat):
    return ((x - x_hat) ** 2).flatten(1).sum(1).mean()


def _bce_terms(x, x_hat, log=torch.log):
    return x * log(x_hat).clamp(min=-100) + (1 - x) * log(1 - x_hat).clamp(min=-100)


def _no_cap_bce(x, x_hat):
    return -(x * torch.log(x_hat) + (1 - x) * torch.log(1 - x_hat)).mean()


def _no_zero_grad(model, optimizer, x):
    loss = F.mse_loss(model(x), x)
    loss.backward()
    optimizer.step()
    return loss.item()


def _no_step(model, optimizer, x):
    loss = F.mse_loss(model(x), x)
    optimizer.zero_grad()
    loss.backward()
    return loss.item()


def _no_return(model, optimizer, x):
    loss = F.mse_loss(model(x), x)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def _returns_tensor(model, optimizer, x):
    loss = F.mse_loss(model(x), x)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def _pixel_interpolate(model, x_a, x_b, steps=10):
    t = torch.linspace(0, 1, steps)[:, None, None, None]
    return (1 - t) * x_a + t * x_b


def _nearest_by(points, i, distances):
    """my_nearest as the notebook's cell has it, with ``distances(diff)`` on the student's line."""
    d = distances(points - points[i])
    d[i] = float("inf")
    return int(d.argmin())


def _latent_interpolate(model, x_a, x_b, steps=10, t=None):
    z_a, z_b = model.encode(torch.stack([x_a, x_b]))
    t = torch.linspace(0, 1, steps)[:, None] if t is None else t
    return model.decode((1 - t) * z_a + t * z_b)


def _in_place(x, amount=0.1, generator=None):
    x[torch.rand(x.shape, generator=generator) < amount] = 1.0
    return x


def _salt_only(x, amount=0.1, generator=None):
    return torch.where(torch.rand(x.shape, generator=generator) < amount, 1.0, x)


def _same_mask(x, amount=0.1, generator=None):
    hit = torch.rand(28, 28, generator=generator) < amount
    salt = torch.rand(28, 28, generator=generator) < 0.5
    return torch.where(hit, salt.float(), x)


def _gaussian(x, amount=0.1, generator=None):
    return (x + amount * torch.randn(x.shape, generator=generator)).clamp(0, 1)


MISTAKES = [  # (exercise, wrong answer, the words its diagnosis must contain)
    ("mse", lambda x, x_hat: ((x - x_hat) ** 2).sum(), "summed over every pixel"),
    ("mse", _sum_per_image, "per-image sum"),
    ("mse", lambda x, x_hat: (x - x_hat).abs().mean(), "forgot to square"),
    ("mse", lambda x, x_hat: ((x - x_hat) ** 2).flatten(1).mean(1), "one number per image"),
    ("bce", lambda x, x_hat: -_bce_terms(x_hat, x).mean(), "x and x' are swapped"),
    ("bce", lambda x, x_hat: -_bce_terms(x, x_hat).flatten(1).sum(1).mean(), "over the 784 pixels of each image"),
    ("bce", lambda x, x_hat: _bce_terms(x, x_hat).mean(), "sign is wrong"),
    ("bce", lambda x, x_hat: -_bce_terms(x, torch.sigmoid(x_hat)).mean(), "applied a sigmoid"),
    ("bce", lambda x, x_hat: -(x * torch.log(x_hat)).mean(), "second term is missing"),
    ("bce", lambda x, x_hat: -(x * torch.log(x_hat) + (1 - x) * torch.log(1 - x_hat)).mean(), "clamp each log"),
    ("bce", lambda x, x_hat: -(x * torch.log(x_hat + 1e-7) + (1 - x) * torch.log(1 - x_hat + 1e-7)).mean(),
     "as an epsilon of about 1e-07"),
    ("bce", lambda x, x_hat: -_bce_terms(x, x_hat.clamp(1e-7, 1 - 1e-7)).mean(), "instead of PyTorch's 100"),
    ("bce", lambda x, x_hat: -(x * torch.log(x_hat + 1e-3) + (1 - x) * torch.log(1 - x_hat + 1e-3)).mean(),
     "an epsilon of 0.001"),
    ("bce", lambda x, x_hat: _no_cap_bce(x, x_hat.clamp(1e-8, 1 - 1e-8)), "1 - 1e-8 rounds"),
    ("train_step", _no_zero_grad, "zero_grad() were missing"),
    ("train_step", _no_step, "have not moved"),
    ("train_step", _no_return, "returns None"),
    ("train_step", _returns_tensor, "return loss.item(), a plain Python float"),
    ("nearest", lambda points, i: int((points - points[i]).norm(dim=1).argmin()), "itself"),
    ("nearest", lambda points, i: int((points - points[i]).norm(dim=1).argmax()), "farthest"),
    ("nearest", lambda points, i: float((points - points[i]).norm(dim=1).sort().values[1]), "not its distance"),
    ("nearest", lambda points, i: _nearest_by(points, i, lambda diff: diff.norm()), "without `dim=1`"),
    ("nearest", lambda points, i: _nearest_by(points, i, lambda diff: diff.norm(dim=0)), "`dim=1`, not `dim=0`"),
    ("agree", lambda points, labels: 1.0, "compared with itself"),
    ("encoder", nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 2)),
     "flattened to 784 numbers"),
    ("encoder", nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                              nn.Linear(128, 2), nn.ReLU()), "ReLU after the last Linear"),
    ("encoder", nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.Linear(256, 128), nn.Linear(128, 2)),
     "straight-line"),
    ("encoder", nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 2)), "three Linear"),
    ("count", 784 * 256 + 256 * 128 + 128 * 8, "forgets the biases"),
    ("count", 784 * 256 + 256, "only the first layer"),
    ("count", 784 * 256 + 256 + 256 * 128 + 128 + 128 * 2 + 2, "2-number encoder"),
    ("grid", lambda low, high, n=5: torch.stack(torch.meshgrid(torch.linspace(low[0], high[0], n),
                                                               torch.linspace(low[1], high[1], n),
                                                               indexing="ij"), -1), "Reshape it"),
    ("grid", lambda low, high, n=5: torch.stack([torch.linspace(low[0], high[0], n * n),
                                                 torch.linspace(low[1], high[1], n * n)], 1), "one line"),
    ("trouser", torch.zeros(784), "that is an image"),
    ("trouser", [1.0, 2.0, 3.0], "2 numbers"),
    ("interpolate", _pixel_interpolate, "interpolated in pixel space"),
    ("interpolate", lambda m, a, b, steps=10: _latent_interpolate(m, b, a, steps), "from B to A"),
    ("interpolate", lambda m, a, b, steps=10: _latent_interpolate(m, a, b, steps, torch.arange(steps)[:, None]
                                                                  / steps), "never reaches item B"),
    ("interpolate", lambda m, a, b, steps=10: _latent_interpolate(m, a, b, steps + 1), "both ends included"),
    ("interpolate", lambda m, a, b, steps=10: _latent_interpolate(m, a, b, steps).flatten(1), "reshape"),
    ("interpolate", lambda m, a, b, steps=10: m.decode((1 - torch.linspace(0, 1, steps)[:, None])
                                                       * m.encode(a[None])), "only the first term"),
    ("interpolate", lambda m, a, b, steps=10: m.decode(m.encode(a[None]).expand(steps, -1)), "not t * z_a"),
    ("damage", _in_place, "in place"),
    ("damage", _salt_only, "nearly all 1 (full ink)"),
    ("damage", _same_mask, "same damaged pixels"),
    ("damage", _gaussian, "neither 0 nor 1"),
    ("threshold", lambda s, y, c, rate=0.05: s.quantile(1 - rate).item(), "anomalies included"),
    ("threshold", lambda s, y, c, rate=0.05: s[y == c].quantile(1 - rate).item(), "taken from the anomalies"),
    ("threshold", lambda s, y, c, rate=0.05: s[y != c].quantile(rate).item(), "quantile(1 - rate)"),
]


@pytest.mark.parametrize("name, answer, words", MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_usual_mistake_gets_its_diagnosis(name, answer, words):
    message = run(BY_NAME[name], answer)
    assert message.startswith("✗"), message
    assert words in message, message
    assert BY_NAME[name].status == core.WRONG


def _raises(*args, **kwargs):
    sizes = torch.zeros(3)
    return sizes.view(7, 7)   # a student's bug


class _Broken(nn.Module):
    def forward(self, x):
        return x @ torch.zeros(3, 3)


FUNCTION_EXERCISES = [e for e in EXERCISES if e.name not in ("count", "trouser", "pca_components", "encoder",
                                                             "small_model", "held_out")]


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_raising_answer_is_explained_not_a_traceback(exercise, capsys):
    message = run(exercise, _raises)
    assert message.startswith("✗") and "your code raised RuntimeError" in message, message
    assert "at line" in message and "sizes.view(7, 7)" in message, message
    assert "The check called it with" in message
    assert "Traceback" not in capsys.readouterr().out


@pytest.mark.parametrize("name", ["encoder", "small_model"])
def test_raising_model_is_explained(name):
    message = run(BY_NAME[name], _Broken()) if name == "small_model" else run(BY_NAME[name], nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 2)))
    assert message.startswith("✗") and "raised RuntimeError" in message, message
    assert "shape" in message


def test_odd_answers_never_show_a_traceback(capsys):
    for exercise in EXERCISES:
        exercise.check("a string")
        exercise.check(None)
        assert exercise.status == core.WRONG, exercise.name
    assert "Traceback" not in capsys.readouterr().out
