"""This process's devices: the refusal to train on the CPU when told to use a GPU, GPU memory
(growth, or a cap per worker), and the dtype policy every trial trains under.

The rules live in ``_device_rules.py`` (no TensorFlow); this module feeds them what TensorFlow
and the dynamic loader find here.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib.util
import logging
import os
import warnings
from collections.abc import Mapping
from typing import Any

import keras
import tensorflow as tf

from search.training._device_rules import (
    ENV_GPU_MEMORY_MB,
    CudaProbe,
    DeviceSettings,
    device_label,
    policy_for,
    refuse_missing_gpu,
)

log = logging.getLogger("hpsearch")
_memory_configured = False
_policy: str | None = None  # chosen by the last configure_devices(); applied by each fit


def probe_cuda() -> CudaProbe:
    """Whether this TensorFlow has CUDA, its libraries are installed, and the driver loads."""
    libraries = ctypes.util.find_library("cudnn") is not None
    with contextlib.suppress(ImportError, ValueError):  # no `nvidia` wheels at all
        libraries = libraries or importlib.util.find_spec("nvidia.cudnn") is not None
    try:
        ctypes.CDLL("libcuda.so.1")
        driver = True
    except OSError:
        driver = False
    return CudaProbe(cuda_build=bool(tf.test.is_built_with_cuda()), libraries=libraries,
                     driver=driver)


def _limit_memory(gpus: list[Any], memory_mb: int | None) -> None:
    """Once per process (TensorFlow refuses it after its GPUs are initialised): a cap of
    ``memory_mb`` on each GPU (K workers sharing a card: ``launch --per-gpu K``), or memory
    growth, so a worker takes what its trials use rather than the whole card."""
    global _memory_configured
    if _memory_configured:
        return
    for gpu in gpus:
        try:
            if memory_mb is None:
                tf.config.experimental.set_memory_growth(gpu, True)
            else:
                tf.config.set_logical_device_configuration(
                    gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=memory_mb)])
        except RuntimeError:  # TensorFlow ran on the GPU already in this process
            if memory_mb is not None:
                log.warning("cannot cap %s at %d MB (%s): TensorFlow used it before this "
                            "worker started; start workers with hpsearch worker or launch",
                            gpu.name, memory_mb, ENV_GPU_MEMORY_MB)
    _memory_configured = True


def _not_retracing(record: logging.LogRecord) -> bool:
    """Each trial traces its own forward pass (``logits_function``) once; TensorFlow counts
    those traces across trials and warns of "retracing" after a few, which is not so."""
    return "triggered tf.function retracing" not in record.getMessage()


def configure_devices(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Check and set up this process's devices, and choose the dtype policy of its trials.

    Raises ``DeviceError`` when the worker was told to use a GPU (``CUDA_VISIBLE_DEVICES``)
    that TensorFlow cannot see. Returns ``{"gpus": [...], "device": the GPU (or cpu) trials
    train on, "policy": the dtype policy each ``fit`` applies}``. Safe to call more than once;
    the policy follows ``$HPSEARCH_MIXED_PRECISION`` as it is at each call.
    """
    global _policy
    settings = DeviceSettings.from_env(os.environ if env is None else env)
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    warnings.filterwarnings("ignore", message=".*does not support masking")
    logging.getLogger("tensorflow").addFilter(_not_retracing)  # added once, however often
    gpus = tf.config.list_physical_devices("GPU")
    refuse_missing_gpu(settings.requested, [g.name for g in gpus], probe_cuda())
    _limit_memory(gpus, settings.gpu_memory_mb)
    details = [tf.config.experimental.get_device_details(g) for g in gpus]
    capability = details[0].get("compute_capability") if details else None
    _policy = policy_for(settings.precision, capability)
    names = [str(d.get("device_name", g.name)) for d, g in zip(details, gpus, strict=True)]
    if settings.gpu_memory_mb is not None and gpus:
        log.info("GPU memory capped at %d MB per GPU for this worker", settings.gpu_memory_mb)
    return {"gpus": names, "device": device_label(settings.requested, names),
            "policy": _policy}


def apply_policy() -> str:
    """Set the chosen dtype policy as Keras' global one, and return it. Called at the start of
    every trial: ``keras.backend.clear_session()`` between trials resets it to float32."""
    policy = _policy if _policy is not None else configure_devices()["policy"]
    keras.mixed_precision.set_global_policy(policy)
    return policy


__all__ = ["apply_policy", "configure_devices", "probe_cuda"]
