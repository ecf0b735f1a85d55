"""How long each exercise's check takes in full mode (target: under 5 s on 2 cores), with cold caches.

Each check runs on a correct answer (the reference solution, or for the two "train a model" exercises the
course's shared 8D model), after its data cache is emptied, so the time includes loading the real data.
Run: ``.venv/bin/python benchmarks/bench_exercises.py`` (uses the shared models of ``make warm``;
``AE_QUICK=1`` times quick mode instead).
"""

from __future__ import annotations

import time

import matplotlib
import torch
import torch.nn.functional as F
from torch import nn

from ae_helpers.data import CLASS_NAMES
from ae_helpers.exercises import all_exercises, core, nb05, nb06
from ae_helpers.settings import is_quick

matplotlib.use("Agg")
TARGET_S = 5.0


def reference_answer(exercise, names):
    namespace = {"torch": torch, "F": F, "nn": nn, **names}
    exec(exercise.solution_code.split("\n\n")[0], namespace)  # noqa: S102 (the package's own reference code)
    return namespace[exercise.answer_name]


def answers() -> dict:
    x_test, y_test = core.real_images(None)
    with torch.no_grad():
        z_test = core.shared_model(2).encode(x_test)
    names = {"x_test": x_test, "y_test": y_test, "z_test": z_test, "CLASS_NAMES": CLASS_NAMES}
    found = {}
    for exercises in all_exercises().values():
        for e in exercises:
            if e.name == "small_model":
                found[e.name] = (core.shared_model(8),)
            elif e.name == "held_out":
                detector = core.shared_model(8)
                x, y = core.real_images(None if not is_quick() else 2000)
                with torch.no_grad():
                    s = ((detector(x) - x) ** 2).flatten(1).mean(1)
                found[e.name] = (detector, "Trouser", nb06._auc(s[y != 1], s[y == 1]))
            elif e.name == "pca_components":
                errors = nb05._pca_errors(is_quick())
                target = core.shared_model(8).history["test_mse"]
                found[e.name] = (int((errors <= target).nonzero()[0]) + 1,)
            else:
                if e.name == "agree":
                    names["my_nearest"] = found["nearest"][0]
                found[e.name] = (reference_answer(e, names),)
    return found


def main() -> None:
    print(f"mode: {'quick' if is_quick() else 'full'}; torch threads: {torch.get_num_threads()}")
    prepared = answers()
    rows = []
    for notebook, exercises in all_exercises().items():
        for e in exercises:
            core._load.cache_clear()
            nb05._pca_errors.cache_clear()
            start = time.perf_counter()
            e.check(*prepared[e.name])
            rows.append((notebook, e.name, time.perf_counter() - start, e.status))
    print(f"\n{'notebook':<9} {'exercise':<15} {'check (s)':>9}  result")
    for notebook, name, seconds, status in rows:
        print(f"{notebook:<9} {name:<15} {seconds:>9.2f}  {status}")
    worst = max(rows, key=lambda r: r[2])
    print(f"\nslowest: {worst[1]} {worst[2]:.2f} s (target {TARGET_S:.0f} s); "
          f"all correct: {all(r[3] == core.CORRECT for r in rows)}")


if __name__ == "__main__":
    main()
