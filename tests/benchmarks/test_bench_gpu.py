"""``tests/benchmarks/bench_gpu.py``: it refuses without a GPU, and ``--smoke`` runs every
section on the CPU (this machine has no GPU; the figures themselves are measured on one)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.worker_procs import REPO

BENCH = [sys.executable, "-m", "tests.benchmarks.bench_gpu"]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HPSEARCH_", "CUDA_"))}
    return {**env, "HOME": str(home), "PYTHONPATH": str(REPO)}


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="a GPU machine")
def test_without_a_gpu_it_refuses_and_names_the_smoke_run(tmp_path: Path) -> None:
    done = subprocess.run(BENCH, cwd=REPO, env=_env(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "bench_gpu needs an NVIDIA GPU, and nvidia-smi is not installed here (no NVIDIA "
        "driver). Run it on a GPU machine (docs/GPU.md), or with --smoke to check the script "
        "on a CPU.")


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_smoke_runs_every_section_on_the_cpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """``main(["--smoke"])`` in this process (TensorFlow is loaded here already); it spawns
    the scripted workers it measures."""
    import keras

    from tests.benchmarks import bench_gpu

    for name in [k for k in os.environ if k.startswith(("HPSEARCH_", "CUDA_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # what --smoke sets, put back after
    monkeypatch.setenv("HOME", str(tmp_path))
    try:
        bench_gpu.main(["--smoke"])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    out = capsys.readouterr().out
    assert out.startswith("device: cpu; TensorFlow ")
    trials = [line for line in out.splitlines() if line.startswith("| small: n-gram MLP |")]
    assert [line.split("|")[2:4] for line in trials] == [[" 1 ", " 1000 "], [" 2 ", " 1000 "]]
    assert all(int(line.split("|")[4]) > 0 and "float32 on 0" in line for line in trials)
    epochs = [line for line in out.splitlines() if line.startswith(("| naive", "| hpsearch"))]
    assert len(epochs) == 5 and all(line.endswith("| no |") for line in epochs)  # no GPU here
    assert [line.split("|")[2].strip() for line in epochs] == [
        "float32", "float32", "float32", "float32", "mixed_float16"]
    assert "the naive pipeline's rows per second" in out
