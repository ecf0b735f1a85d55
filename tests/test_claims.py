"""The margin report's hook (benchmarks/claims.py): rewritten asserts keep their meaning and record true margins;
and the emulated other CPU is the same in the Makefile as in ae_helpers.numerics."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _claims_module():
    spec = importlib.util.spec_from_file_location("claims_report", ROOT / "benchmarks" / "claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CELLS = {
    "plain": "assert 0.8 < 1.0, 'a plain comparison'",
    "scaled": "a, b = 3.0, 2.0\nassert a > 1.2 * b, 'a scaled comparison'",
    "and": "assert 1 < 2 and 0.9 > 0.6, 'two parts'",
    "all": "assert all(x < 1 for x in [0.5, 0.9]), 'every item'",
    "tensor": "import torch\nassert (torch.tensor([1.0, 2.0]) < torch.tensor([2.0, 2.5])).all(), 'elementwise'",
    "count": "assert len([1, 2]) >= 2, 'a count'",
    "loop": "for v in (0.5, 0.7):\n    assert v < 1, 'in a loop'",
    "boolean": "assert isinstance(1, int), 'not a comparison'",
    "fails": "assert 1.0 > 1.5, 'this one fails'",
    "chained": "assert 0 <= 0.5 <= 1, 'chained'",
    "short": "x = None\nassert x is None or x > 0, 'short-circuit kept'",
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Run the hook and every cell above in a real IPython shell (a subprocess); return claims and errors."""
    out = tmp_path_factory.mktemp("claims") / "claims.json"
    hook = _claims_module().HOOK.replace("__AE_CLAIMS_FILE__", repr(str(out)))
    script = textwrap.dedent(f"""
        import json
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_cell({hook!r})
        errors = {{}}
        for name, cell in {CELLS!r}.items():
            result = shell.run_cell(cell)
            if result.error_in_exec is not None:
                errors[name] = [type(result.error_in_exec).__name__, str(result.error_in_exec)]
        print(json.dumps(errors))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    errors = json.loads(done.stdout.strip().splitlines()[-1])
    claims = {(c["msg"], c["part"]): c for c in json.loads(out.read_text())}
    return claims, errors


@pytest.mark.parametrize("msg, part, margin", [
    ("a plain comparison", 1, 0.2),       # (1.0 - 0.8) / 1.0
    ("a scaled comparison", 1, 0.2),      # (3.0 - 2.4) / 3.0
    ("two parts", 1, 0.5),                # 1 < 2: (2 - 1) / 2
    ("two parts", 2, 1 / 3),              # 0.9 > 0.6: 0.3 / 0.9
    ("every item", 1, 0.1),               # the worst item: (1 - 0.9) / 1
    ("elementwise", 1, 0.2),              # the worst element: (2.5 - 2.0) / 2.5
    ("a count", 1, 0.5),                  # whole numbers: 2 >= 2 is one step from failing: (2 - 2 + 1) / 2
    ("in a loop", 1, 0.3),                # the worst of the loop's runs
    ("chained", 1, 0.5),                  # 0 <= 0.5 <= 1: the worse pair, (1 - 0.5) / 1 and (0.5 - 0) / 0.5
    ("this one fails", 1, -1 / 3),        # (1.0 - 1.5) / 1.5: negative = failed
])
def test_margins_are_measured(recorded, msg, part, margin):
    claims, _ = recorded
    assert claims[msg, part]["margin"] == pytest.approx(margin, abs=1e-6)
    assert claims[msg, part]["ok"] is (margin > 0)


def test_loops_and_claims_that_are_not_comparisons(recorded):
    claims, _ = recorded
    assert claims["in a loop", 1]["n"] == 2
    assert claims["not a comparison", 1]["margin"] is None and claims["not a comparison", 1]["ok"] is True
    assert claims["short-circuit kept", 1]["ok"] is True


def test_rewritten_asserts_keep_their_meaning(recorded):
    """A failing claim still raises AssertionError with its message; passing ones raise nothing."""
    _, errors = recorded
    assert errors == {"fails": ["AssertionError", "this one fails"]}


def test_the_other_cpu_is_the_same_in_the_makefile():
    from ae_helpers.numerics import OTHER_CPU

    makefile = (ROOT / "Makefile").read_text()
    block = re.search(r"^OTHER_CPU := (.*?)(?<!\\)\n", makefile, re.S | re.M).group(1).replace("\\\n", " ")
    settings = dict(item.split("=", 1) for item in block.split())
    assert {k: v for k, v in settings.items() if k != "AE_CACHE_DIR"} == OTHER_CPU
    assert "AE_CACHE_DIR" in settings, "the other CPU's models need their own cache"
    assert _claims_module().OTHER_CPU == OTHER_CPU


def test_setup_report_names_the_arithmetic(monkeypatch):
    from ae_helpers import numerics

    monkeypatch.setenv("MKL_CBWR", "COMPATIBLE")
    line = numerics.describe()
    assert "torch kernels:" in line and "MKL_CBWR=COMPATIBLE" in line
    if Path("/proc/cpuinfo").exists() and "avx2" in Path("/proc/cpuinfo").read_text():
        assert "avx2" in numerics.vector_extensions()
