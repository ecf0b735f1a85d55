"""The margin report: how close each checked claim of the notebooks comes to failing, on several seeds and CPUs.

Every ``assert`` in a notebook states a claim about the student's own run ("the VAE's error is larger", "the
training loss kept falling"). Float results differ slightly between computers (vector width, BLAS kernels,
thread count), so a claim must hold with a margin, not by luck. This script runs the notebooks in fresh
kernels with a hook that rewrites each ``assert`` before it runs: every comparison in it (``a < b``,
``a > 0.5 * b``, each part of an ``and``, each item of an ``all(...)``, each element of a tensor comparison)
records its two sides, and the **relative margin**, the distance to flipping divided by the larger side:

    a < b   ->  (b - a) / max(|a|, |b|)        a > b  ->  (a - b) / max(|a|, |b|)

so 0.25 means "one side would have to move by a quarter for the claim to fail"; a negative margin is a
failure. A claim that is not a comparison (``torch.allclose``, a set test) is reported as pass/fail only.

    .venv/bin/python benchmarks/claims.py --quick                      # what CI runs: seeds 0-2, native + other CPU
    .venv/bin/python benchmarks/claims.py --seeds 0 1 2                # full mode (trains each seed's models once)
    .venv/bin/python benchmarks/claims.py --quick --seeds 1 --numerics other notebooks/04*.ipynb

``--numerics other`` emulates another computer on this one (:data:`ae_helpers.numerics.OTHER_CPU`: torch's
generic vector kernels, MKL's compatible mode, oneDNN limited to SSE4.1, one thread) with its own model cache
(``checkpoints/other-cpu``), since the models it trains differ. ``--twice`` also runs the first seed's
native pass a second time and lists every cell whose printed output differs (same machine, same result;
wall-clock times are masked, and in cells that time something with ``perf_counter`` every number is).
Prints one table (a row per claim, a column per run, the smallest margin first) and writes it, with every
measured value, to ``benchmarks/results/claims-{quick,full}.{md,json}``. Exits 1 when a claim failed or
outputs differed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _other_cpu() -> dict:
    """ae_helpers.numerics.OTHER_CPU, read without importing the package (which would load torch and set
    this process's thread settings, which the kernels would inherit)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_numerics", ROOT / "ae_helpers" / "numerics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.OTHER_CPU


OTHER_CPU = _other_cpu()

# Runs inside the kernel before the notebook's first cell: rewrites every assert so that its comparisons
# record their margins (IPython applies ``ast_transformers`` to each cell before it runs).
HOOK = r'''
import ast as _ast, hashlib as _hashlib, json as _json, math as _math, operator as _op
_AE_OPS = {"Lt": _op.lt, "LtE": _op.le, "Gt": _op.gt, "GtE": _op.ge, "Eq": _op.eq, "NotEq": _op.ne,
           "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b, "Is": _op.is_, "IsNot": _op.is_not}
_ae_claims, _ae_cell = {}, [""]

def _ae_num(v):
    """A plain float (or a float array) from a number, a NumPy value or a tensor; None if not numeric."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        import numpy as np
        if hasattr(v, "detach"):
            v = v.detach().cpu().numpy()
        if isinstance(v, (np.ndarray, np.generic)) and v.dtype.kind in "fiu":
            return v.astype(float)
    except Exception:
        pass
    return None

def _ae_record(key, src, msg, ok, margin, left, right):
    c = _ae_claims.setdefault(key, {"cell": key[0], "assert": key[1], "part": key[2], "src": src, "msg": msg,
                                    "ok": True, "margin": None, "left": None, "right": None, "n": 0})
    c["n"] += 1
    c["ok"] = c["ok"] and bool(ok)
    if margin is not None and (c["margin"] is None or margin < c["margin"]):
        c["margin"], c["left"], c["right"] = margin, left, right

def _ae_margin(a, b, name):
    import numpy as np
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = {"Lt": b - a, "LtE": b - a, "Gt": a - b, "GtE": a - b}[name]
    if name in ("LtE", "GtE") and np.all(a == np.round(a)) and np.all(b == np.round(b)):
        diff = diff + 1     # whole numbers (counts): a >= b is a > b - 1, one step from failing at a tie
    rel = np.where(scale > 0, diff / np.where(scale > 0, scale, 1), 0.0)
    i = int(np.nanargmin(rel)) if np.isfinite(rel).any() else 0
    return float(rel.flat[i]), float(a.flat[i]), float(b.flat[i])

def _ae_claim_cmp(aid, part, src, msg, values, ops):
    result = True
    for a, name, b in zip(values, ops, values[1:]):
        r = _AE_OPS[name](a, b)
        na, nb = _ae_num(a), _ae_num(b)
        margin = left = right = None
        if name in ("Lt", "LtE", "Gt", "GtE") and na is not None and nb is not None:
            margin, left, right = _ae_margin(na, nb, name)
        ok = bool(r.all()) if hasattr(r, "all") else bool(r)
        _ae_record((_ae_cell[0], aid, part), src, msg, ok, margin, left, right)
        if not hasattr(r, "all") and not r:
            return False
        result = r if hasattr(r, "all") else result
    return result

def _ae_claim_bool(aid, part, src, msg, value):
    ok = bool(value.all()) if hasattr(value, "all") and not isinstance(value, (list, tuple)) else bool(value)
    _ae_record((_ae_cell[0], aid, part), src, msg, ok, None, None, None)
    return value

class _AEClaims(_ast.NodeTransformer):
    def visit_Assert(self, node):
        self.aid += 1
        msg = node.msg.value if isinstance(node.msg, _ast.Constant) else (_ast.unparse(node.msg) if node.msg else "")
        node.test = self._part(node.test, [0], msg)
        return node

    def _call(self, fn, part, expr, msg, *args):
        return _ast.Call(func=_ast.Name(fn, _ast.Load()), keywords=[],
                         args=[_ast.Constant(self.aid), _ast.Constant(part), _ast.Constant(_ast.unparse(expr)),
                               _ast.Constant(msg), *args])

    def _part(self, expr, k, msg):
        if isinstance(expr, _ast.BoolOp) and isinstance(expr.op, _ast.And):
            expr.values = [self._part(v, k, msg) for v in expr.values]
            return expr
        if (isinstance(expr, _ast.Call) and isinstance(expr.func, _ast.Name) and expr.func.id == "all"
                and len(expr.args) == 1 and isinstance(expr.args[0], (_ast.GeneratorExp, _ast.ListComp))):
            expr.args[0].elt = self._part(expr.args[0].elt, k, msg)
            return expr
        if (isinstance(expr, _ast.Call) and isinstance(expr.func, _ast.Attribute) and expr.func.attr == "all"
                and not expr.args and isinstance(expr.func.value, _ast.Compare)):
            expr.func.value = self._part(expr.func.value, k, msg)
            return expr
        k[0] += 1
        if isinstance(expr, _ast.Compare):
            return self._call("_ae_claim_cmp", k[0], expr, msg,
                              _ast.List([expr.left, *expr.comparators], _ast.Load()),
                              _ast.List([_ast.Constant(type(o).__name__) for o in expr.ops], _ast.Load()))
        return self._call("_ae_claim_bool", k[0], expr, msg, expr)

    def visit_Module(self, node):
        self.aid = 0
        self.generic_visit(node)
        return _ast.fix_missing_locations(node)

def _ae_pre(info):
    _ae_cell[0] = _hashlib.sha1(info.raw_cell.encode()).hexdigest()[:12]

def _ae_post(result):
    with open(__AE_CLAIMS_FILE__, "w") as f:
        _json.dump(list(_ae_claims.values()), f)

get_ipython().ast_transformers.append(_AEClaims())
get_ipython().events.register("pre_run_cell", _ae_pre)
get_ipython().events.register("post_run_cell", _ae_post)
'''

# Printed lines that may differ between two runs on one machine: wall-clock times.
_TIMING = re.compile(r"\d+(\.\d+)?\s*(s|ms|seconds?|min)\b|\d+:\d\d|it/s|s/it")
_NUMBER = re.compile(r"\d+(\.\d+)?")


def _cell_hash(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def _printed(cell) -> str:
    """What a code cell printed, timings masked (for the same-machine comparison)."""
    if "NBVAL_IGNORE_OUTPUT" in cell.source:
        return ""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", "") if "image/png" not in out.get("data", {}) else "")
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
    text = "".join(parts)
    if "perf_counter" in cell.source:       # a cell that times something: its numbers may differ, its words not
        return _NUMBER.sub("<n>", text)
    return _TIMING.sub("<t>", text)


def run_notebook(path: Path, env: dict, claims_file: Path) -> tuple[list, list, list, float]:
    """Execute one notebook with the hook; return (claims, printed outputs per code cell, errors, seconds)."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    hook = nbformat.v4.new_code_cell(HOOK.replace("__AE_CLAIMS_FILE__", repr(str(claims_file))))
    nb.cells.insert(0, hook)
    claims_file.unlink(missing_ok=True)
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if v is not None})
    for name in [k for k, v in env.items() if v is None]:
        os.environ.pop(name, None)
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=3600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    seconds = time.perf_counter() - start
    number = {_cell_hash(c.source): i for i, c in enumerate(code)}   # nbval's "Cell N": the code cell's index
    claims = json.loads(claims_file.read_text()) if claims_file.exists() else []
    for c in claims:
        c["cell"] = number.get(c["cell"], -1)
    errors = [(i, f"{o['ename']}: {o['evalue'][:300]}") for i, c in enumerate(code)
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return claims, [_printed(c) for c in code], errors, seconds


def _fmt(margin, ok):
    if margin is None:
        return "ok" if ok else "FAIL"
    if ok and margin == 0:
        return "tie"             # a <= b with a == b: holds, by construction or by one step
    return _pct(margin) + ("" if ok else " FAIL")


def _pct(margin: float) -> str:
    return f"{margin:+.1%}" if abs(margin) < 0.1 else f"{margin:+.0%}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/0[1-8]_*.ipynb")
    parser.add_argument("--quick", action="store_true", help="quick mode (AE_QUICK=1), what CI runs")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2],
                        help="the seeds to run (none: only merge the --include reports)")
    parser.add_argument("--numerics", nargs="+", choices=["native", "other"], default=["native", "other"])
    parser.add_argument("--other-notebooks", metavar="GLOB",
                        help="run only these notebooks as the other CPU, e.g. '0[1-7]_*' (its one-thread conv models "
                             "for 08 take about an hour to train in full mode)")
    parser.add_argument("--twice", action="store_true", help="also rerun the first seed natively and compare outputs")
    parser.add_argument("--include", type=Path, nargs="+", default=[], metavar="JSON",
                        help="add the runs of earlier reports (their claims-*.json) to this one's table")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("0[1-8]_*.ipynb"))
    mode = "quick" if args.quick else "full"
    args.out.mkdir(parents=True, exist_ok=True)

    runs = [(seed, numerics) for seed in args.seeds for numerics in args.numerics]
    if args.twice and args.seeds:
        runs.append((args.seeds[0], "native (again)"))
    table: dict = {}        # (notebook, cell, assert, part) -> {"src", "msg", run -> (margin, ok)}
    printed: dict = {}      # (run, notebook) -> printed outputs
    errors: list = []
    timing: dict = {}
    for seed, numerics in runs:
        run = f"seed {seed} {numerics.split()[0]}" + (" again" if "again" in numerics else "")
        env = {"AE_SEED": str(seed), "AE_QUICK": "1" if args.quick else None}
        if numerics.startswith("other"):
            env.update(OTHER_CPU)
            env["AE_CACHE_DIR"] = str(ROOT / "checkpoints" / "other-cpu")
        run_paths = paths
        if numerics == "other" and args.other_notebooks:
            run_paths = [p for p in paths if p.match(args.other_notebooks)]
        if "again" not in numerics:           # the run's shared models first, so that a notebook's time is its own
            start = time.perf_counter()
            train = [sys.executable, "-m", "ae_helpers", "train",
                     *(["--all"] if any(p.name.startswith("08") for p in run_paths) else
                       ["--latent-dim", "2", "4", "8", "16", "32"])]
            subprocess.run(train, check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                           env={k: v for k, v in {**os.environ, **env, "TQDM_DISABLE": "1"}.items() if v is not None})
            timing[run, "(shared models)"] = time.perf_counter() - start
            print(f"{run:>16}  shared models ready in {timing[run, '(shared models)']:.0f} s", flush=True)
        for path in run_paths:
            claims, outs, errs, seconds = run_notebook(path.resolve(), env, args.out / ".claims-kernel.json")
            timing[run, path.stem] = seconds
            printed[run, path.name] = outs
            errors += [(run, path.name, i, e) for i, e in errs]
            for c in claims:
                key = (path.name, c["cell"], c["assert"], c["part"])
                row = table.setdefault(key, {"src": c["src"], "msg": c["msg"]})
                row[run] = (c["margin"], c["ok"], c["left"], c["right"])
            print(f"{run:>16}  {path.name:<34} {len(claims):3d} comparisons, {len(errs)} failing cells, "
                  f"{seconds:5.0f} s", flush=True)
    repeated = []           # (run, cells that printed differently) of the included reports that ran it twice
    for earlier in args.include:
        data = json.loads(earlier.read_text())
        if data["mode"] != mode:
            parser.error(f"{earlier} is a {data['mode']}-mode report; this one is {mode} mode (--quick)")
        for c in data["claims"]:
            key = (c["notebook"], c["cell"], c["assert"], c["part"])
            row = table.setdefault(key, {"src": c["src"], "msg": c["msg"]})
            row.update({r: tuple(v) for r, v in c.items() if r in data["runs"]})
        errors += [tuple(e) for e in data["errors"]]
        if any(r.endswith(" again") for r in data["runs"]):
            repeated.append((data["runs"][0], [tuple(d) for d in data["differ"]]))
        for name, seconds in data["seconds"].items():
            run, _, notebook = name.partition("|")
            timing.setdefault((run, notebook), seconds)
    run_names = list(dict.fromkeys(r for r, _ in timing))

    def smallest(row):
        margins = [row[r][0] if row[r][1] else -1.0 for r in run_names if r in row and row[r][0] is not None]
        failed = any(not row[r][1] for r in run_names if r in row)
        return (-1.0 if failed else min(margins)) if margins or failed else None

    rows = sorted(table.items(), key=lambda kv: (smallest(kv[1]) is None, smallest(kv[1]) or 0, kv[0]))
    head = ["smallest", "notebook", "cell", "claim", *run_names]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (nb, cell, _, _), row in rows:
        label = (row["msg"] or row["src"]).replace("|", "\\|")[:70]
        cells = [_fmt(row[r][0], row[r][1]) if r in row else "·" for r in run_names]
        s = smallest(row)
        least = "—" if s is None else _pct(s)
        lines.append(f"| {least} | {nb[:2]} | {cell} | {label} | " + " | ".join(cells) + " |")
    failed = [(k, row) for k, row in table.items() if any(not row[r][1] for r in run_names if r in row)]
    differ = []
    if args.twice and args.seeds:
        first, again = runs[0], runs[-1]
        first, again = f"seed {first[0]} {first[1]}", f"seed {again[0]} native again"
        for path in paths:
            a, b = printed.get((first, path.name), []), printed.get((again, path.name), [])
            differ += [(path.name, i) for i, (x, y) in enumerate(zip(a, b)) if x != y]
        repeated.append((first, differ))
    n_run = len({k[0] for k in table})
    summary = [f"{len(table)} checked comparisons in {n_run} notebooks, {mode} mode, runs: {', '.join(run_names)}",
               f"failed claims: {len(failed)}; cells that raised: {len(errors)}"]
    for run, cells in repeated:
        summary.append(f"cells whose printed output differs between two runs of {run}: "
                       + (", ".join(f"{nb[:2]} cell {i}" for nb, i in cells) or "none"))
        differ = differ or cells
    summary.append("minutes per run, notebooks (+ shared models): " + ", ".join(
        f"{r} {sum(s for (rr, n), s in timing.items() if rr == r and n != '(shared models)') / 60:.1f}"
        + (f" (+{timing[r, '(shared models)'] / 60:.1f})" if (r, "(shared models)") in timing else "")
        for r in run_names))
    report = "\n".join([*summary, "", *lines, ""])
    if errors:
        report += "\ncells that raised:\n" + "\n".join(f"  {r}: {nb} cell {i}: {e}" for r, nb, i, e in errors) + "\n"
    print("\n" + report)
    (args.out / f"claims-{mode}.md").write_text(report)
    (args.out / f"claims-{mode}.json").write_text(json.dumps(
        {"mode": mode, "runs": run_names, "claims": [{"notebook": k[0], "cell": k[1], "assert": k[2], "part": k[3],
                                                      **{r: v for r, v in row.items()}} for k, row in table.items()],
         "errors": errors, "differ": differ, "seconds": {f"{r}|{n}": s for (r, n), s in timing.items()}}, indent=1))
    return 1 if failed or errors or differ else 0


if __name__ == "__main__":
    sys.exit(main())
