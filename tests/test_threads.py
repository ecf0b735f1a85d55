"""ae_helpers.threads: how many CPUs the process may use (affinity, cgroup quota) and AE_THREADS."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ae_helpers import threads


@pytest.fixture
def cgroup(tmp_path):
    """A fake /sys/fs/cgroup: write cgroup v2's cpu.max or v1's cpu/cpu.cfs_* into it."""
    def write(v2=None, v1=None):
        if v2 is not None:
            (tmp_path / "cpu.max").write_text(v2 + "\n")
        if v1 is not None:
            (tmp_path / "cpu").mkdir(exist_ok=True)
            (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
            (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
        return tmp_path
    return write


@pytest.fixture
def eight_cpus(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))


@pytest.mark.parametrize("v2, v1, expected", [
    ("max 100000", None, 8),              # cgroup v2 without a limit: the affinity decides
    ("200000 100000", None, 2),           # 2 CPUs' worth of quota
    ("150000 100000", None, 1),           # 1.5 CPUs: rounded down (the rest would be throttled)
    ("50000 100000", None, 1),            # half a CPU: still one thread
    ("1600000 100000", None, 8),          # a quota above the affinity: the affinity decides
    (None, (300000, 100000), 3),          # cgroup v1
    (None, (-1, 100000), 8),              # cgroup v1 without a limit
    (None, None, 8),                      # no cgroup files at all
    ("garbage", None, 8),                 # unreadable: ignored
])
def test_available_cpus_from_the_cgroup_quota(cgroup, eight_cpus, v2, v1, expected):
    assert threads.available_cpus(cgroup_root=cgroup(v2, v1)) == expected


def test_affinity_limits_the_count(monkeypatch, cgroup):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert threads.available_cpus(cgroup_root=cgroup("max 100000")) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert threads.available_cpus(cgroup_root=cgroup("max 100000")) == 3


def test_without_affinity_the_cpu_count_is_used(monkeypatch, cgroup):
    def missing(pid):
        raise AttributeError("not on Linux")
    monkeypatch.setattr(os, "sched_getaffinity", missing)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert threads.available_cpus(cgroup_root=cgroup(None, None)) == 6


def test_this_machine_agrees_with_its_affinity():
    assert 1 <= threads.available_cpus() <= len(os.sched_getaffinity(0))


@pytest.mark.parametrize("value, expected", [("3", 3), (" 1 ", 1), ("", None)])
def test_ae_threads_overrides(monkeypatch, value, expected):
    monkeypatch.setenv("AE_THREADS", value)
    assert threads.thread_count() == (expected or threads.available_cpus())


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_ae_threads_warns_and_uses_the_cpus(monkeypatch, value):
    monkeypatch.setenv("AE_THREADS", value)
    with pytest.warns(UserWarning, match=f"AE_THREADS must be a whole number.*{value!r}"):
        assert threads.thread_count() == threads.available_cpus()


def test_apply_sets_torch_threads(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.setenv("AE_THREADS", "1")
    try:
        assert threads.apply() == 1 and torch.get_num_threads() == 1
        assert "1 torch threads" in threads.describe()
    finally:
        torch.set_num_threads(before)


def test_importing_ae_helpers_first_sets_the_openmp_and_mkl_settings_before_torch_loads():
    code = ("import os, ae_helpers, torch; print(os.environ['GOMP_SPINCOUNT'], os.environ['MKL_CBWR'], "
            "os.environ['OMP_NUM_THREADS'], torch.get_num_threads(), os.environ.get('OMP_WAIT_POLICY'))")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "GOMP_SPINCOUNT", "MKL_CBWR")}
    env["AE_THREADS"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [threads.SPIN_COUNT, threads.MKL_MODE, "1", "1", "None"]


# --- sharing the cores while computing (threads.computing) ---------------------------------------------------

HOLDER = """
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("threads", sys.argv[1])
threads = importlib.util.module_from_spec(spec)
spec.loader.exec_module(threads)   # the module alone: no torch, starts in a blink
share = threads._Share(threads.computing_dir(), None)
print("held" if share.fd is not None else "failed", flush=True)
time.sleep(120)
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty computing folder (AE_COMPUTING_DIR) for this test and the processes it starts."""
    path = tmp_path / "computing"
    monkeypatch.setenv("AE_COMPUTING_DIR", str(path))
    monkeypatch.delenv("AE_THREADS", raising=False)
    return path


@pytest.fixture
def holders(folder):
    """Start processes that each count as computing (hold their lock) until killed."""
    started = []

    def start(n=1):
        for _ in range(n):
            p = subprocess.Popen([sys.executable, "-c", HOLDER, threads.__file__], stdout=subprocess.PIPE, text=True)
            started.append(p)
            assert p.stdout.readline().strip() == "held"
        return started[-n:]
    yield start
    for p in started:
        p.kill()
        p.wait()


def test_the_count_sees_other_processes_and_forgets_them_when_they_end(folder, holders):
    assert threads.computing_count(folder) == 0
    first, second = holders(2)
    assert threads.computing_count(folder) == 2
    first.terminate()   # ends normally
    first.wait()
    assert threads.computing_count(folder) == 1
    second.kill()       # SIGKILL: no clean-up code runs, the kernel drops the lock
    second.wait()
    assert threads.computing_count(folder) == 0


def test_a_dead_process_file_is_not_counted_and_an_old_one_is_removed(folder, holders):
    (p,) = holders(1)
    p.kill()
    p.wait()
    left = list(folder.glob("*.computing"))
    assert len(left) == 1 and threads.computing_count(folder) == 0
    os.utime(left[0], (0, 0))   # older than a minute: left over
    assert threads.computing_count(folder) == 0 and not left[0].exists()


def test_threads_follow_the_count(folder, holders, monkeypatch):
    monkeypatch.setattr(threads, "available_cpus", lambda: 4)
    before = torch.get_num_threads()
    with threads.computing() as refresh:
        assert torch.get_num_threads() == 4 and threads.computing_count(folder) == 1   # alone: every core
        holders(1)
        refresh()   # within CHECK_EVERY of the last read: nothing changes yet
        assert torch.get_num_threads() == 4
        refresh(force=True)
        assert torch.get_num_threads() == 2
        holders(2)
        refresh(force=True)
        assert torch.get_num_threads() == 1 and threads.computing_count(folder) == 4
    assert torch.get_num_threads() == before and not list(folder.glob(f"{os.getpid()}-*"))


def test_ae_threads_fixes_the_count(folder, holders, monkeypatch):
    monkeypatch.setenv("AE_THREADS", "3")
    holders(2)
    with threads.computing():
        assert torch.get_num_threads() == 3
        assert threads.computing_count(folder) == 3   # still counted by the others
    assert "fixed by AE_THREADS=3" in threads.describe()


@pytest.mark.parametrize("where", ["a file", "below a file", "in /proc"])
def test_an_unusable_folder_means_alone(tmp_path, monkeypatch, where):
    (tmp_path / "file").write_text("")
    bad = {"a file": tmp_path / "file", "below a file": tmp_path / "file" / "sub", "in /proc": Path("/proc/x")}
    monkeypatch.setenv("AE_COMPUTING_DIR", str(bad[where]))
    monkeypatch.delenv("AE_THREADS", raising=False)
    monkeypatch.setattr(threads, "available_cpus", lambda: 3)
    before = torch.get_num_threads()
    with threads.computing() as refresh:
        refresh(force=True)
        assert torch.get_num_threads() == 3
    assert torch.get_num_threads() == before
    assert threads.computing_count(bad[where]) == 0


def test_a_new_folder_is_shared_like_tmp(folder):
    with threads.computing():
        assert folder.stat().st_mode & 0o7777 == 0o1777


def test_training_follows_the_count_and_gives_the_same_weights(folder, holders, real_data):
    from ae_helpers.models import Autoencoder
    from ae_helpers.training import train

    def fit():
        torch.manual_seed(0)
        model = Autoencoder(2, hidden=(64, 32))
        seen = set()
        model.register_forward_pre_hook(lambda m, i: seen.add(torch.get_num_threads()))
        train(model, real_data[0][:1000], epochs=2, batch_size=96, progress=False)   # 1000 % 96: a short batch
        return model, seen

    alone, seen_alone = fit()
    holders(threads.available_cpus())
    shared, seen_shared = fit()
    assert seen_alone == {threads.available_cpus()} and seen_shared == {1}
    assert all(torch.equal(a, b) for a, b in zip(alone.state_dict().values(), shared.state_dict().values()))
