"""A worker's devices: it refuses a GPU it cannot see rather than train on the CPU, records the
device TensorFlow used, and trains every trial under the chosen dtype policy (mixed precision
forced on this CPU machine, where no GPU is lent)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from optuna.trial import TrialState

from search import create_study, run_worker
from search._errors import DeviceError
from search.options import PrunerName, SamplerName
from search.training._device_rules import (
    CudaProbe,
    DeviceSettings,
    Precision,
    device_label,
    policy_for,
    refuse_missing_gpu,
    requested_gpus,
)
from tests.worker_procs import REPO, reader, trials

ALL_FOUND = CudaProbe(cuda_build=True, libraries=True, driver=True)


@pytest.mark.parametrize(("value", "requested"), [
    (None, None), ("", None), ("  ", None), ("-1", None), ("-1,0", None),
    ("0", "0"), ("1,3", "1,3"), ("GPU-8f2c", "GPU-8f2c"),
])
def test_which_values_ask_for_a_gpu(value: str | None, requested: str | None) -> None:
    env = {} if value is None else {"CUDA_VISIBLE_DEVICES": value}
    assert requested_gpus(env) == requested


def test_a_gpu_tensorflow_lists_is_accepted_and_labelled_by_its_id_and_model() -> None:
    refuse_missing_gpu("1", ["/physical_device:GPU:0"], ALL_FOUND)  # no error
    refuse_missing_gpu(None, [], ALL_FOUND)  # told nothing: the CPU is what it asked for
    assert device_label("1", ["NVIDIA H200"]) == "1 (NVIDIA H200)"
    assert device_label("2,3", ["NVIDIA H200", "NVIDIA H200"]) == "2 (NVIDIA H200)"
    assert device_label(None, ["NVIDIA H200"]) == "0 (NVIDIA H200)"
    assert device_label("0", []) == "cpu"


@pytest.mark.parametrize(("probe", "says"), [
    (CudaProbe(cuda_build=False, libraries=False, driver=True),
     "this TensorFlow was built without CUDA"),
    (CudaProbe(cuda_build=True, libraries=False, driver=True),
     "no CUDA/cuDNN libraries were found: install them with pip install 'hpsearch[gpu]'"),
    (CudaProbe(cuda_build=True, libraries=True, driver=False),
     "the NVIDIA driver (libcuda.so.1) cannot be loaded"),
    (ALL_FOUND, "no GPU matches that id: nvidia-smi -L lists this machine's GPUs"),
])
def test_a_gpu_tensorflow_cannot_see_is_refused_with_why_and_how_to_check(
        probe: CudaProbe, says: str) -> None:
    with pytest.raises(DeviceError) as info:
        refuse_missing_gpu("0", [], probe)
    message = str(info.value)
    assert message.startswith("This worker was told to train on GPU 0 "
                              "(CUDA_VISIBLE_DEVICES='0'), but TensorFlow sees no GPU: ")
    assert says in message
    assert "docs/GPU.md" in message and "list_physical_devices('GPU')" in message
    assert "unset CUDA_VISIBLE_DEVICES or use hpsearch launch --cpus N" in message


@pytest.mark.parametrize(("precision", "capability", "policy"), [
    (Precision.AUTO, None, "float32"),
    (Precision.AUTO, (6, 1), "float32"),
    (Precision.AUTO, (7, 0), "mixed_float16"),
    (Precision.AUTO, (8, 0), "mixed_float16"),
    (Precision.AUTO, (9, 0), "mixed_bfloat16"),
    (Precision.ON, None, "mixed_float16"),
    (Precision.ON, (9, 0), "mixed_bfloat16"),
    (Precision.OFF, (9, 0), "float32"),
    (Precision.FLOAT16, (9, 0), "mixed_float16"),
    (Precision.BFLOAT16, None, "mixed_bfloat16"),
])
def test_policy_by_compute_capability(precision: Precision, capability: tuple[int, int] | None,
                                      policy: str) -> None:
    assert policy_for(precision, capability) == policy


def test_device_settings_from_the_environment_and_their_refusals() -> None:
    settings = DeviceSettings.from_env({"CUDA_VISIBLE_DEVICES": "0",
                                        "HPSEARCH_MIXED_PRECISION": "1",
                                        "HPSEARCH_GPU_MEMORY_MB": "34000"})
    assert settings == DeviceSettings("0", Precision.ON, 34000)
    assert DeviceSettings.from_env({}) == DeviceSettings(None, Precision.AUTO, None)
    assert DeviceSettings.from_env({"HPSEARCH_MIXED_PRECISION": "mixed_bfloat16"}
                                   ).precision is Precision.BFLOAT16
    with pytest.raises(DeviceError, match=r"\$HPSEARCH_MIXED_PRECISION must be one of auto, "
                                          r"off, on, float16, bfloat16 \(or 0/1\), but got "
                                          r"'half'\. Unset it"):
        DeviceSettings.from_env({"HPSEARCH_MIXED_PRECISION": "half"})
    with pytest.raises(DeviceError, match=r"\$HPSEARCH_GPU_MEMORY_MB must be a whole number of "
                                          r"megabytes of at least 1, but got '12.5'"):
        DeviceSettings.from_env({"HPSEARCH_GPU_MEMORY_MB": "12.5"})


@pytest.fixture
def float32_after() -> Iterator[None]:
    """Tests that set a mixed policy leave Keras' global one as they found it."""
    yield
    import keras

    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.slow
@pytest.mark.usefixtures("float32_after")
def test_the_sparse_ngram_bag_trains_under_mixed_float16() -> None:
    import keras
    import tensorflow as tf

    from spaces import Dims
    from spaces.model import build_network, compile_network

    keras.mixed_precision.set_global_policy("mixed_float16")
    keras.utils.set_random_seed(0)
    params = {"family": "ngram", "ngram_order": 1, "ngram_vocab": 10, "ngram_weighting": "tfidf",
              "chars": False, "ngram_units": 8, "ngram_l2": 1e-6, "dropout": 0.0,
              "dense_layers": 1, "dense_units": 4, "learning_rate": 1e-2, "batch_size": 4,
              "class_weight": "none", "loss": "crossentropy"}
    network = compile_network(build_network(params, Dims(3, 0, 11), sparse=True), params,
                              task="multiclass")
    assert network.get_layer("ngram_hidden").compute_dtype == "float32"  # reads the bag
    assert network.get_layer("logits").compute_dtype == "float32"
    hidden = [layer for layer in network.layers if layer.name.startswith("dense")]
    assert hidden and all(layer.compute_dtype == "float16" for layer in hidden)
    bag = tf.SparseTensor([[0, 1], [1, 4], [2, 7], [3, 1]], np.ones(4, "float32"), (4, 11))
    y = np.array([0, 1, 2, 0])
    # Loss scaling starts high and skips the steps whose float16 gradients overflow: 20 steps.
    losses = [float(network.train_on_batch({"ngrams": bag}, y)) for _ in range(20)]
    assert all(np.isfinite(losses)) and losses[-1] < 0.9 * losses[0], losses


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.usefixtures("float32_after")
def test_mixed_precision_holds_for_every_trial_of_a_worker(
        sqlite_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The n-gram bag (sparse) beside a small LSTM: both paths under mixed_float16, on the CPU.
    space = tmp_path / "space.yaml"
    space.write_text("params:\n  family: wide_deep\n  ngram_units: {low: 8, high: 16}\n"
                     "  rnn_layers: 1\n  rnn_units: {low: 4, high: 8}\n  bidirectional: false\n"
                     "  dense_layers: 0\n  embedding_dim: {low: 8, high: 16}\n"
                     "  batch_size: [128]\n")
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=1,
                 pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, space=space)
    monkeypatch.setenv("HPSEARCH_MIXED_PRECISION", "float16")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    run_worker(study_name, sqlite_url, n_trials=2)
    done = trials(reader(sqlite_url, study_name), TrialState.COMPLETE, TrialState.PRUNED,
                  TrialState.FAIL)
    assert [t.state for t in done] == [TrialState.COMPLETE] * 2, [
        t.user_attrs.get("fail_reason") for t in done]
    # Recorded from each trained network: the second trial follows a clear_session().
    assert [t.user_attrs["policy"] for t in done] == ["mixed_float16"] * 2
    assert [t.user_attrs["gpu"] for t in done] == ["cpu"] * 2
    assert all(t.value is not None and np.isfinite(t.value) for t in done)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_worker_told_to_use_a_gpu_it_cannot_see_refuses_to_start(
        sqlite_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path) -> None:
    """The real path: this machine has no GPU, TensorFlow lists none, the worker exits 2."""
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=1)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CUDA_VISIBLE_DEVICES": "0",
           "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "search", "worker", "--study", study_name,
                           "--storage", sqlite_url, "--n-trials", "1"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=280)
    out = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 2, out[-2000:]
    assert ("error: This worker was told to train on GPU 0 (CUDA_VISIBLE_DEVICES='0'), but "
            "TensorFlow sees no GPU: ") in out
    assert "docs/GPU.md" in out and "Traceback" not in out
    assert trials(reader(sqlite_url, study_name), TrialState.RUNNING, TrialState.COMPLETE) == []
