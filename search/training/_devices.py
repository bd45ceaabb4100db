"""This process's devices: GPU memory growth and the mixed-precision policy."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import keras
import tensorflow as tf

_configured = False




def configure_devices(mixed_precision: bool | None = None) -> dict[str, Any]:
    """Memory growth on every GPU; mixed precision on GPUs with tensor cores (unless told).
    Safe to call more than once per process. Also silences two Keras warnings that are
    expected here: length-bucketed datasets have no known length, and Conv1D follows a
    masked sequence."""
    global _configured
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    warnings.filterwarnings("ignore", message=".*does not support masking")
    gpus = tf.config.list_physical_devices("GPU")
    if not _configured:
        for gpu in gpus:
            with contextlib.suppress(RuntimeError):  # already initialised in this process
                tf.config.experimental.set_memory_growth(gpu, True)
        if mixed_precision is None:
            mixed_precision = bool(gpus) and all(
                tf.config.experimental.get_device_details(g).get("compute_capability", (0, 0))
                >= (7, 0) for g in gpus)
        if mixed_precision:
            keras.mixed_precision.set_global_policy("mixed_float16")
        _configured = True
    return {"gpus": [g.name for g in gpus],
            "policy": keras.mixed_precision.global_policy().name}
