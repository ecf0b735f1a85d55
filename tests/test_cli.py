"""python -m ae_helpers: the commands make lab and students use."""

import json
import os
import subprocess
import sys

import torch


def run(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "ae_helpers", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_train_warms_the_cache_and_prints_the_test_mse(tmp_path):
    from ae_helpers.course_models import ModelConfig

    result = run("train", "--latent-dim", "2", "--seed", "1",
                 env_extra={"AE_CACHE_DIR": str(tmp_path), "AE_QUICK": "1"})
    assert result.returncode == 0, result.stderr
    assert "2D autoencoder (quick mode), test MSE per pixel: 0.0" in result.stdout
    want = ModelConfig.course(2, seed=1, quick=True).checkpoint_name()   # --seed 1 is the seed of the key
    assert [p.name for p in tmp_path.glob("*.safetensors")] == [want]
    assert "epoch" in result.stderr  # the progress bar


def test_data_reports_where_the_data_is():
    result = run("data")
    assert result.returncode == 0 and "Fashion-MNIST:" in result.stdout


def test_check_prints_the_setup_report():
    result = run("check")
    assert result.returncode == 0
    for word in ("torch", "CPU cores", "GPU", "data         OK"):
        assert word in result.stdout


def test_missing_data_is_a_clear_failure(tmp_path):
    env = {"AE_DATA_DIR": str(tmp_path / "none"), "AE_DEBIAN_DATA_DIR": str(tmp_path / "none"),
           "AE_NO_DOWNLOAD": "1"}
    result = run("data", env_extra=env)
    assert result.returncode == 1
    assert "dataset-fashion-mnist" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_latent_size_is_a_one_line_usage_error():
    for bad in ("0", "-3", "two"):
        result = run("train", "--latent-dim", bad)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "--latent-dim: must be a whole number >= 1" in result.stderr.strip().splitlines()[-1]


def test_a_cache_folder_that_cannot_be_made_is_a_one_line_usage_error(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    for bad in ("/proc/x", str(a_file / "sub")):
        result = run("train", "--latent-dim", "2", "--cache", bad)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"--cache: cannot make the folder {bad!r}" in result.stderr.strip().splitlines()[-1]


def test_train_in_two_worker_processes_writes_the_models_one_process_writes(tmp_path):
    from safetensors import safe_open

    lines = {}
    for jobs in ("1", "2"):
        result = run("train", "--latent-dim", "2", "4", "--seed", "1", "--jobs", jobs, "--quick",
                     "--cache", str(tmp_path / jobs))
        assert result.returncode == 0, result.stderr
        lines[jobs] = sorted(line.replace(str(tmp_path / jobs), "CACHE") for line in result.stdout.splitlines()
                             if "test MSE" in line)
    assert lines["1"] == lines["2"] and len(lines["1"]) == 2   # the same test MSEs, the same files
    assert "2 at a time in separate processes" in result.stdout
    for path in (tmp_path / "1").glob("*.safetensors"):
        with safe_open(path, "pt") as alone, safe_open(tmp_path / "2" / path.name, "pt") as worker:
            assert all(torch.equal(alone.get_tensor(k), worker.get_tensor(k)) for k in alone.keys())
            test_mse = [json.loads(f.metadata()["extra"])["test_mse"] for f in (alone, worker)]
            assert test_mse[0] == test_mse[1]
