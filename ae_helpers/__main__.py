"""Command line: ``python -m ae_helpers {data,train,check}``.

* ``data``                     make sure Fashion-MNIST is in the cache, say where it came from
* ``train --latent-dim N [M ...]`` warm the shared model cache (progress bar) and print the test MSE
* ``check``                    print versions, CPU/GPU and where the data is
"""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ae_helpers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("data", help="make sure Fashion-MNIST is available")
    p_train = sub.add_parser("train", help="train (or load) the shared model and print its test MSE")
    p_train.add_argument("--latent-dim", type=int, nargs="+", default=[2], help="one or more sizes")
    p_train.add_argument("--loss", choices=["mse", "bce"], default="mse")
    p_train.add_argument("--retrain", action="store_true", help="ignore the cache and train again")
    sub.add_parser("check", help="print the setup report")
    args = parser.parse_args(argv)

    from . import data

    try:
        if args.command == "data":
            print("Fashion-MNIST:", data.ensure_data())
        elif args.command == "check":
            from .setup_check import report

            print(report())
        else:
            from .settings import is_quick
            from .training import checkpoint_path, pretrained, pretrained_config

            for dim in args.latent_dim:
                model = pretrained(dim, loss=args.loss, retrain=args.retrain)
                config = pretrained_config(dim, args.loss)
                print(f"{dim}D autoencoder ({'quick' if is_quick() else 'full'} mode), "
                      f"test MSE per pixel: {model.history['test_mse']:.4f}  "
                      f"(checkpoint {checkpoint_path(config)})", flush=True)
    except (data.DataNotFoundError, data.CorruptDataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
