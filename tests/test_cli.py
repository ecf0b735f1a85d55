"""python -m ae_helpers: the commands make lab and students use."""

import os
import subprocess
import sys


def run(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "ae_helpers", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_train_warms_the_cache_and_prints_the_test_mse(tmp_path):
    result = run("train", "--latent-dim", "2", env_extra={"AE_CACHE_DIR": str(tmp_path), "AE_QUICK": "1"})
    assert result.returncode == 0, result.stderr
    assert "2D autoencoder (quick mode), test MSE per pixel: 0.0" in result.stdout
    assert len(list(tmp_path.glob("ae_2d_mse_quick_*.safetensors"))) == 1
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
