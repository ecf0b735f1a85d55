"""Command line: ``python -m ae_helpers {data,train,check}``.

* ``data``                           make sure Fashion-MNIST is available, say where it came from
* ``train --latent-dim N [M ...]``   warm the model cache and print each test MSE (several sizes: three
                                     trained at once in worker processes, ``--jobs``; one: a progress bar)
* ``train --all --cache DIR``        fill a (class's shared) cache with every model the course uses
* ``train --arch vae``               notebook 06's 2D VAE (``--arch conv``: notebook 08's convolutional models)
* ``check [--cache DIR]``            print versions, CPU threads, where the data is, and what the model
                                     cache holds: each course model present or missing, verified or damaged

``--quick`` (or ``AE_QUICK=1``) works on the quick-mode models the tests use; the default is full mode.
``train --seed N`` (or ``AE_SEED=N``) trains the models of another course seed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _whole_number(minimum: int, meaning: str = ""):
    """An argparse type: a whole number >= ``minimum`` (a bad one is a one-line error, exit code 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}{meaning}, got {text!r}")
        return value
    return parse


def _default_jobs() -> int:
    """Three trainings at once when the computer has two or more usable CPUs, else one.

    Each gets ``cpus // trainings`` threads (at least 1; ae_helpers.threads), and one thread per training is the
    most work per core: three one-thread trainings on two cores take 1.5x as long as two, for 1.5x the work
    (measured: four at once on two cores take twice as long as two). With two jobs the fifth of five models
    would train alone at the end, with two threads: less work per core."""
    from .threads import available_cpus

    return 3 if available_cpus() >= 2 else 1


def _train_one(config, retrain: bool, progress: bool = True) -> str:
    """Train (or load) one course model; the line that reports it."""
    from .course_models import checkpoint_path, pretrained

    model = pretrained(config=config, retrain=retrain, progress=progress)
    return (f"{config.describe()}, test MSE per pixel: {model.history['test_mse']:.4f}  "
            f"(checkpoint {checkpoint_path(config)})")


def _train_in_parallel(configs, jobs: int, retrain: bool) -> None:
    """Train ``configs`` in ``jobs`` worker processes, printing each model's line when it is ready.

    Each worker trains with the cores divided by the trainings running (ae_helpers.threads), and the MLPs'
    results do not depend on the thread count: the checkpoints are the ones a single process would write.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    print(f"training {len(configs)} models, {jobs} at a time in separate processes (a line as each is ready)",
          flush=True)
    from ae_helpers.__main__ import _train_one as train_one  # by its module's name: a worker can import it

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for future in as_completed([pool.submit(train_one, c, retrain, False) for c in configs]):
            print(future.result(), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ae_helpers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("data", help="make sure Fashion-MNIST is available")
    p_train = sub.add_parser("train", help="train (or load) shared models and print their test MSE")
    which = p_train.add_mutually_exclusive_group()
    which.add_argument("--latent-dim", type=_whole_number(1, " (numbers per item)"), nargs="+", default=[2],
                       help="one or more sizes")
    which.add_argument("--all", action="store_true", help="every model the notebooks and slides use")
    p_train.add_argument("--loss", choices=["mse", "bce"], help="default: mse (the VAE: its own loss)")
    p_train.add_argument("--arch", choices=["mlp", "conv", "vae"], default="mlp",
                         help="mlp: the course's autoencoders; conv: notebook 08's; vae: notebook 06's VAE")
    p_train.add_argument("--retrain", action="store_true", help="ignore the cache and train again")
    p_train.add_argument("--seed", type=_whole_number(0), help="the models' seed (default: AE_SEED, else 0)")
    p_train.add_argument("--jobs", type=_whole_number(1), help="MLP models trained at once in separate processes "
                         "(default: 3 with two or more CPUs; the models are the same for any number)")
    p_check = sub.add_parser("check", help="print the setup report and check the model cache")
    for p in (p_train, p_check):
        p.add_argument("--cache", metavar="DIR", help="the model cache to fill or check (default: AE_CACHE_DIR)")
        p.add_argument("--quick", action="store_true", help="quick mode (as AE_QUICK=1)")
    args = parser.parse_args(argv)
    if args.command == "train" and args.cache:
        try:  # a folder that cannot be made is a bad argument, like the others: one line, exit code 2
            Path(args.cache).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            p_train.error(f"argument --cache: cannot make the folder {args.cache!r} ({exc.strerror or exc})")
    if getattr(args, "cache", None):
        os.environ["AE_CACHE_DIR"] = args.cache
    if getattr(args, "quick", False):
        os.environ["AE_QUICK"] = "1"
    if getattr(args, "seed", None) is not None:
        os.environ["AE_SEED"] = str(args.seed)

    from . import data

    try:
        if args.command == "data":
            print("Fashion-MNIST:", data.ensure_data())
        elif args.command == "check":
            from .course_models import check_report
            from .setup_check import report

            text, ok = check_report()
            print(report(), text, sep="\n")
            return 0 if ok else 2
        else:
            from .course_models import COURSE_MODELS, ModelConfig

            wanted = COURSE_MODELS if args.all else [{"latent_dim": d, "loss": args.loss, "arch": args.arch}
                                                     for d in args.latent_dim]
            try:
                configs = [ModelConfig.course(**kwargs) for kwargs in wanted]
            except ValueError as exc:   # e.g. --arch vae --loss bce: one line, exit code 2
                p_train.error(str(exc))
            mlps = [c for c in configs if c.arch == "mlp"]
            jobs = min(args.jobs or _default_jobs(), len(mlps))
            if jobs > 1:
                _train_in_parallel(mlps, jobs, args.retrain)
            for config in configs if jobs <= 1 else [c for c in configs if c.arch != "mlp"]:
                print(_train_one(config, args.retrain), flush=True)
    except (data.DataNotFoundError, data.CorruptDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
