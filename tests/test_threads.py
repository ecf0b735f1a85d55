"""ae_helpers.threads: how many CPUs the process may use (affinity, cgroup quota) and AE_THREADS."""

import os
import subprocess
import sys

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


def test_importing_ae_helpers_first_sets_the_wait_policy_before_torch_loads():
    code = ("import os, ae_helpers, torch; "
            "print(os.environ['OMP_WAIT_POLICY'], os.environ['OMP_NUM_THREADS'], torch.get_num_threads())")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    env["AE_THREADS"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [threads.WAIT_POLICY, "1", "1"]

