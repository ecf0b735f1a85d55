"""benchmarks/stranger_read.py refuses seeds a read must not use: the tests' own (0-2) and those READS.md logs."""
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "stranger_read.py"


def load():
    spec = importlib.util.spec_from_file_location("stranger_read", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_seeds_of_earlier_reads_are_read_from_the_log(tmp_path, monkeypatch):
    module = load()
    log = tmp_path / "READS.md"
    log.write_text("| seed | date |\n|---|---|\n| 11 | x |\n|  7 | y |\nnot a row 5\n")
    monkeypatch.setattr(module, "LOG", log)
    assert module.used_seeds() == {7, 11}
    monkeypatch.setattr(module, "LOG", tmp_path / "missing.md")
    assert module.used_seeds() == set()


def test_the_repositorys_log_lists_the_reads_so_far():
    assert {11, 17, 23} <= load().used_seeds()


def test_used_and_tested_seeds_are_refused_before_any_work(tmp_path):
    for seed in ("0", "2", "17"):
        run = subprocess.run([sys.executable, str(SCRIPT), "--seed", seed, str(tmp_path / "out")],
                             capture_output=True, text=True, cwd=ROOT)
        assert run.returncode != 0 and "pick a new one" in run.stderr, run.stderr
    assert not (tmp_path / "out").exists(), "nothing is trained or written for a refused seed"
