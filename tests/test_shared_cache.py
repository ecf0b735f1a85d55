"""A class's shared, read-only model and data cache (ae_helpers.cache, data.locate, the CLI)."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ae_helpers import cache, data
from ae_helpers.__main__ import main
from ae_helpers.course_models import COURSE_MODELS, ModelConfig, checkpoint_path, pretrained
from conftest import same_weights, tiny_config


def snapshot(folder):
    """Every file under ``folder`` with its size and modification time."""
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture
def read_only(tmp_path):
    """``read_only(src)`` -> a read-only view of the folder ``src``: a read-only bind mount as root
    (what a hub does), else a folder without write permission. Unmounted afterwards."""
    mounts = []

    def make(src):
        dst = tmp_path / f"{src.name}-ro"
        if os.geteuid() == 0:
            dst.mkdir()
            subprocess.run(["mount", "--bind", str(src), str(dst)], check=True)
            mounts.append(dst)
            subprocess.run(["mount", "-o", "remount,bind,ro", str(dst)], check=True)
        else:
            shutil.copytree(src, dst)
            for p in [dst, *dst.rglob("*")]:
                p.chmod(p.stat().st_mode & ~0o222)
        return dst

    yield make
    for m in mounts:
        subprocess.run(["umount", str(m)], check=True)


def test_the_cache_depends_only_on_checkpoint_and_settings():
    """cache is below course_models: importing it loads no course model machinery, and no import in it, even
    inside a function, names another module of the package (the cycle course_models <-> cache cannot come back).
    The package's ``__init__`` imports ``pretrained``, so the fresh interpreter imports cache without running it."""
    code = ("import importlib.util, sys, types; "
            "pkg = types.ModuleType('ae_helpers'); "
            "pkg.__path__ = list(importlib.util.find_spec('ae_helpers').submodule_search_locations); "
            "sys.modules['ae_helpers'] = pkg; "
            "import ae_helpers.cache; "
            "print(sorted(m for m in sys.modules if m.startswith('ae_helpers.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(["ae_helpers.cache", "ae_helpers.checkpoint", "ae_helpers.settings"])
    tree = ast.parse(Path(cache.__file__).read_text())
    relative = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}
    assert relative == {"checkpoint", "settings"}, relative


@pytest.fixture
def classroom(tiny_cache, tmp_path, monkeypatch, read_only):
    """The instructor filled ``tiny_cache`` with the (tiny) 2D model; students see it read-only."""
    good = pretrained(config=tiny_config(2), progress=False)
    shared = read_only(tiny_cache)
    user = tmp_path / "student"
    monkeypatch.setenv("AE_CACHE_DIR", str(shared))
    monkeypatch.setenv("AE_USER_CACHE_DIR", str(user))
    return shared, user, good


def test_a_valid_model_loads_from_a_read_only_cache_without_writing(classroom, capsys, recwarn):
    shared, user, good = classroom
    before = snapshot(shared)
    model = pretrained(config=tiny_config(2), progress=False)
    assert same_weights(model, good)
    assert snapshot(shared) == before and not user.exists()  # no lock file, no user cache
    assert capsys.readouterr().out == "" and not recwarn.list


def test_a_missing_model_is_trained_into_the_user_cache_with_one_message(classroom, capsys):
    shared, user, _ = classroom
    before = snapshot(shared)
    first = pretrained(config=tiny_config(4), progress=False)
    out = capsys.readouterr().out
    assert "read-only" in out and str(user / "checkpoints") in out and out.count("\n") == 1
    assert [p.name for p in (user / "checkpoints").glob("*.safetensors")] == [
        tiny_config(4).checkpoint_name()]
    again = pretrained(config=tiny_config(4), progress=False)               # now from the user's own cache, silently
    assert same_weights(first, again) and capsys.readouterr().out == ""
    assert snapshot(shared) == before


def test_a_damaged_shared_model_warns_and_falls_back_to_the_user_cache(tiny_cache, tmp_path, monkeypatch,
                                                                      read_only):
    good = pretrained(config=tiny_config(2), progress=False)
    path = checkpoint_path(tiny_config(2))
    blob = bytearray(path.read_bytes())
    blob[-10] ^= 0xFF  # flip a bit in the weights
    path.write_bytes(bytes(blob))
    shared = read_only(tiny_cache)
    monkeypatch.setenv("AE_CACHE_DIR", str(shared))
    monkeypatch.setenv("AE_USER_CACHE_DIR", str(tmp_path / "student"))
    with pytest.warns(UserWarning) as caught:
        model = pretrained(config=tiny_config(2), progress=False)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert str(shared / path.name) in message and "checksum" in message and str(tmp_path / "student") in message
    assert same_weights(model, good)  # retrained from the same seed: the same model
    assert (tmp_path / "student" / "checkpoints" / path.name).is_file()


def test_two_students_start_the_same_missing_model_at_once(classroom, tmp_path):
    shared, _, _ = classroom
    code = ("from ae_helpers.course_models import ModelConfig, pretrained; "
            f"pretrained(config={tiny_config(8)!r}, progress=False)")
    procs = [subprocess.Popen([sys.executable, "-c", code], env={
        **os.environ, "AE_QUICK": "1", "AE_CACHE_DIR": str(shared), "AE_USER_CACHE_DIR": str(tmp_path / f"s{i}")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "training your own copy" in out
    name = tiny_config(8).checkpoint_name()
    assert all((tmp_path / f"s{i}" / "checkpoints" / name).is_file() for i in range(2))


def test_data_on_a_read_only_folder(tmp_path, monkeypatch, read_only, capsys):
    src = tmp_path / "data"
    shutil.copytree(data.raw_dir(), data.raw_dir(src))
    shared = read_only(src)
    before = snapshot(shared)
    monkeypatch.setenv("AE_DATA_DIR", str(shared))
    monkeypatch.setenv("AE_USER_CACHE_DIR", str(tmp_path / "student"))
    x, _ = data.load("test", 10)
    assert x.shape == (10, 1, 28, 28) and snapshot(shared) == before and not (tmp_path / "student").exists()
    assert capsys.readouterr().out == ""


def test_an_empty_read_only_data_folder_falls_back_to_the_user_cache(tmp_path, monkeypatch, read_only, capsys):
    (tmp_path / "empty").mkdir()
    shared = read_only(tmp_path / "empty")
    monkeypatch.setenv("AE_DATA_DIR", str(shared))
    monkeypatch.setenv("AE_USER_CACHE_DIR", str(tmp_path / "student"))
    x, _ = data.load("test", 10)
    assert x.shape == (10, 1, 28, 28)
    out = capsys.readouterr().out
    assert "read-only" in out and str(tmp_path / "student" / "data") in out
    assert data.ensure_data().startswith("cache: " + str(tmp_path / "student"))
    assert capsys.readouterr().out == ""  # said once


def test_train_all_then_check(tiny_course, capsys):
    assert main(["train", "--all", "--cache", str(tiny_course), "--quick"]) == 0
    assert capsys.readouterr().out.count("autoencoder (quick mode)") == len(COURSE_MODELS)
    assert main(["check", "--cache", str(tiny_course)]) == 0
    report = capsys.readouterr().out
    assert report.count(" OK ") == len(COURSE_MODELS) and report.count("missing") == len(COURSE_MODELS)  # full ones
    assert "note: the folder is on a writable file system" in report
    victim = checkpoint_path(ModelConfig.course(16))
    victim.write_bytes(victim.read_bytes()[:-100])
    victim.chmod(0o666)
    assert main(["check", "--cache", str(tiny_course)]) == 2
    report = capsys.readouterr().out
    assert f"DAMAGED   {victim}" in report and "WARNING: 1 of the cache's folder and files are writable" in report


def test_check_calls_a_read_only_mount_safe(classroom, capsys):
    shared, _, _ = classroom
    main(["check", "--cache", str(shared), "--quick"])
    report = capsys.readouterr().out
    assert "WARNING" not in report and "note:" not in report and f"model cache  {shared}" in report
