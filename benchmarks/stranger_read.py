"""A stranger's read: the notebooks executed in full mode with a seed nobody tuned, exported for a fresh reader.

    .venv/bin/python benchmarks/stranger_read.py --seed 23 /tmp/read-23 [notebooks/05_latent_space.ipynb ...]

1. trains the seed's shared models (``python -m ae_helpers train --all --seed N``; about 10 minutes on 2 cores,
   nothing to do when they are cached; without notebook 08 only the MLPs and the VAE, about 3 minutes);
2. executes each notebook (all of 00-08 by default) in a fresh kernel in full mode with ``AE_SEED=N``, keeping
   errors so that one failing cell does not hide the rest, and prints each notebook's wall time and failing cells;
3. exports every executed notebook to ``OUTDIR/markdown/`` (text, printed outputs, figures as PNG files) and
   writes ``OUTDIR/READER.md``: the instructions to give a reader who has none of the authors' context.

Give a fresh reader (a colleague, or an AI helper with no context) ``OUTDIR/READER.md``, ``OUTDIR/markdown/`` and
the course deck. CONTRIBUTING.md ("How content is finished") says when a read is needed and where its findings go
(``benchmarks/READS.md``). Seeds 0-2 are the course's and the tests' own seeds: a read needs a seed the content
was never checked with, so those are refused, and so are the seeds ``benchmarks/READS.md`` lists as used.
"""
import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "benchmarks" / "READS.md"
TESTED_SEEDS = {0, 1, 2}      # make test and make claims run these: a stranger's read needs another one

READER = """\
# A stranger's read of "Understanding Autoencoders" (seed {seed}, full mode)

You have never seen this course. `markdown/` holds its notebooks as a student sees them after *Run All*: the
text, the code, every printed output and every figure (PNG files beside each notebook). The course deck they
follow is `{deck}`. The models were trained with a seed the authors never used, so the outputs are new to
them too. Read every notebook in order, looking at each figure, and report:

1. every sentence, caption, title or comparison that the outputs beside it contradict (quote both);
2. every technical inaccuracy (a claim about autoencoders, losses, PyTorch or the data that is wrong or
   misleading), and every comparison that is unfair (different data, recipes or sizes, not said);
3. everything a newcomer would misread: a figure that cannot be paired with its caption, a number printed with
   too few digits to support the sentence beside it, a word used for two things;
4. for each notebook, how many minutes a newcomer to machine learning needs to read it, run it and do its
   exercises, against the time the notebook states.

Give notebook, section and a quote for each finding, and sort them by how much they would mislead a student.
Do not report matters of taste. Failing cells: {failing}.
"""


def used_seeds() -> set[int]:
    if not LOG.exists():
        return set()
    return {int(s) for s in re.findall(r"^\| *(\d+) *\|", LOG.read_text(), flags=re.M)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, required=True, help="a seed never used before (not 0-2, not in READS.md)")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/0*.ipynb")
    parser.add_argument("--reuse-seed", action="store_true", help="allow a seed READS.md lists (to redo a read)")
    args = parser.parse_args()
    if args.seed in TESTED_SEEDS or (args.seed in used_seeds() and not args.reuse_seed):
        sys.exit(f"seed {args.seed} has been used before ({sorted(TESTED_SEEDS | used_seeds())}): pick a new one")
    import nbformat
    from nbclient import NotebookClient

    env = {**os.environ, "AE_SEED": str(args.seed)}
    env.pop("AE_QUICK", None)                                   # full mode: what students get
    env.setdefault("GOMP_SPINCOUNT", "10000")                  # as the Makefile starts JupyterLab
    env.setdefault("MKL_CBWR", "AUTO,STRICT")
    os.environ.update({k: env[k] for k in ("AE_SEED", "GOMP_SPINCOUNT", "MKL_CBWR")})
    os.environ.pop("AE_QUICK", None)                            # the kernels inherit this process's environment
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("0*.ipynb"))
    train = [sys.executable, "-m", "ae_helpers", "train", "--seed", str(args.seed)]
    if any(Path(p).name.startswith("08") for p in paths):     # its conv models take ~10 minutes each to train
        subprocess.run([*train, "--all"], check=True, env=env, cwd=ROOT)
    else:                                                      # 01-07: the five MLPs and the VAE
        for models in (["--latent-dim", "2", "4", "8", "16", "32"], ["--arch", "vae"]):
            subprocess.run([*train, *models], check=True, env=env, cwd=ROOT)
    args.outdir.mkdir(parents=True, exist_ok=True)
    failing = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(Path(path).resolve().parent)}}).execute()
        target = args.outdir / Path(path).name
        nbformat.write(nb, target)
        code = [c for c in nb.cells if c.cell_type == "code"]
        errors = [(i, o) for i, c in enumerate(code) for o in c.get("outputs", []) if o.get("output_type") == "error"]
        print(f"{Path(path).name}: {time.perf_counter() - start:.0f} s, {len(errors)} failing cells", flush=True)
        for i, o in errors:
            print(f"   code cell {i}: {o['ename']}: {o['evalue'][:200]}", flush=True)
            failing.append(f"{Path(path).name} code cell {i} ({o['ename']})")
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "markdown", "--log-level", "ERROR",
                        "--output-dir", str(args.outdir / "markdown"), str(target)], check=True)
    deck = ROOT / "slides" / "understanding_autoencoders_deck.md"
    (args.outdir / "READER.md").write_text(READER.format(
        seed=args.seed, deck=deck, failing=", ".join(failing) or "none"))
    print(f"{len(failing)} failing cells; give a fresh reader {args.outdir / 'READER.md'}, {args.outdir / 'markdown'}")


if __name__ == "__main__":
    main()
