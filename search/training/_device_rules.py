"""What a worker trains on and how, decided from its environment and what TensorFlow lists.

Pure Python (no TensorFlow), so the launcher, the trainer and the tests share one set of rules:
which GPU a worker was told to use, the refusal when TensorFlow cannot see it, the dtype policy
for a GPU's compute capability, the per-worker memory cap, and the device a trial records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from search._errors import DeviceError

ENV_VISIBLE = "CUDA_VISIBLE_DEVICES"
ENV_DEVICE_ORDER = "CUDA_DEVICE_ORDER"
ENV_MIXED_PRECISION = "HPSEARCH_MIXED_PRECISION"
ENV_GPU_MEMORY_MB = "HPSEARCH_GPU_MEMORY_MB"
ENV_ALLOCATOR = "TF_GPU_ALLOCATOR"
CHECK_GPU = "python -c \"import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))\""

FLOAT32, MIXED_FLOAT16, MIXED_BFLOAT16 = "float32", "mixed_float16", "mixed_bfloat16"
# Tensor cores: float16 from Volta (7.0); bfloat16 at float16's rate from Ampere (8.0). From
# Hopper (9.0) bfloat16 is chosen: float16's range while needing no loss scaling (so no
# skipped steps and no LossScaleOptimizer). By NVIDIA's and Keras' documentation, not measured
# here (no GPU was lent); tests/benchmarks/bench_gpu.py times both on a GPU.
BFLOAT16_FROM, FLOAT16_FROM = (9, 0), (7, 0)


class Precision(StrEnum):
    """``$HPSEARCH_MIXED_PRECISION``: which dtype policy every trial of a worker trains under."""

    AUTO = "auto"  # mixed on GPUs with tensor cores (see BFLOAT16_FROM), float32 elsewhere
    OFF = "off"  # float32 everywhere
    ON = "on"  # mixed everywhere, the CPU included: bfloat16 from Hopper on, else float16
    FLOAT16 = "float16"
    BFLOAT16 = "bfloat16"


_PRECISION_ALIASES = {"": Precision.AUTO, "0": Precision.OFF, "false": Precision.OFF,
                      FLOAT32: Precision.OFF, "1": Precision.ON, "true": Precision.ON,
                      MIXED_FLOAT16: Precision.FLOAT16, MIXED_BFLOAT16: Precision.BFLOAT16}


@dataclass(frozen=True)
class CudaProbe:
    """What a GPU needs besides being there, as found in this process."""

    cuda_build: bool  # this TensorFlow was built with CUDA (not tensorflow-cpu, not macOS)
    libraries: bool  # the CUDA and cuDNN libraries (the gpu extra's wheels, or system ones)
    driver: bool  # the NVIDIA driver's libcuda.so.1 loads


@dataclass(frozen=True)
class DeviceSettings:
    """A worker's device settings, from its environment (set by ``hpsearch launch`` or you)."""

    requested: str | None  # the GPUs it was told to use (CUDA_VISIBLE_DEVICES), None: the CPU
    precision: Precision
    gpu_memory_mb: int | None  # the cap on its GPU memory; None: grow as needed

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DeviceSettings:
        return cls(requested_gpus(env), parse_precision(env.get(ENV_MIXED_PRECISION, "")),
                   parse_memory_mb(env.get(ENV_GPU_MEMORY_MB, "")))


def requested_gpus(env: Mapping[str, str]) -> str | None:
    """The GPUs ``CUDA_VISIBLE_DEVICES`` tells this process to use, or None when it asks for
    none: unset, empty, or starting with a negative id such as ``-1`` (CUDA stops reading the
    list at the first id that names no device, so ``-1`` hides them all)."""
    value = env.get(ENV_VISIBLE, "").strip()
    first = value.split(",")[0].strip()
    if not first or first.startswith("-"):
        return None
    return value


def parse_precision(text: str) -> Precision:
    value = text.strip().lower()
    found = _PRECISION_ALIASES.get(value)
    if found is None and value in set(Precision):
        found = Precision(value)
    if found is None:
        raise DeviceError(
            f"${ENV_MIXED_PRECISION} must be one of {', '.join(Precision)} (or 0/1), but got "
            f"{text!r}. Unset it to let hpsearch choose by the GPU.")
    return found


def parse_memory_mb(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise DeviceError(
            f"${ENV_GPU_MEMORY_MB} must be a whole number of megabytes of at least 1, but got "
            f"{text!r}. Unset it to let the worker's GPU memory grow as needed.")
    return int(value)


def policy_for(precision: Precision, capability: tuple[int, int] | None) -> str:
    """The Keras dtype policy for ``precision`` on a GPU of ``capability`` (None: no GPU)."""
    if precision is Precision.OFF:
        return FLOAT32
    if precision is Precision.FLOAT16:
        return MIXED_FLOAT16
    if precision is Precision.BFLOAT16:
        return MIXED_BFLOAT16
    if capability is not None and capability >= BFLOAT16_FROM:
        return MIXED_BFLOAT16
    if precision is Precision.ON or (capability is not None and capability >= FLOAT16_FROM):
        return MIXED_FLOAT16
    return FLOAT32


def missing_gpu_reasons(probe: CudaProbe) -> list[str]:
    """Why TensorFlow may list no GPU, each with its fix, most likely first."""
    if not probe.cuda_build:
        return ["this TensorFlow was built without CUDA (tensorflow-cpu, or not Linux x86_64): "
                "install hpsearch[gpu] (pip install 'hpsearch[gpu]') on Linux x86_64"]
    reasons = []
    if not probe.libraries:
        reasons.append("no CUDA/cuDNN libraries were found: install them with "
                       "pip install 'hpsearch[gpu]'")
    if not probe.driver:
        reasons.append("the NVIDIA driver (libcuda.so.1) cannot be loaded: install the driver, "
                       "and in a container give it the GPU (docker run --gpus, the NVIDIA "
                       "Container Toolkit, or Kubernetes' nvidia.com/gpu)")
    if not reasons:
        reasons.append("the driver and libraries load, but no GPU matches that id: "
                       "nvidia-smi -L lists this machine's GPUs")
    return reasons


def refuse_missing_gpu(requested: str | None, listed: Sequence[str], probe: CudaProbe) -> None:
    """Raise ``DeviceError`` when the worker was told to use a GPU (``requested``) but
    TensorFlow lists none (``listed``): it would train on the CPU without a word."""
    if requested is None or listed:
        return
    raise DeviceError(
        f"This worker was told to train on GPU {requested} ({ENV_VISIBLE}={requested!r}), but "
        f"TensorFlow sees no GPU: {'; and '.join(missing_gpu_reasons(probe))}. Check with "
        f"{CHECK_GPU} (docs/GPU.md, 'Is the worker on the GPU?'). To train on the CPU instead, "
        f"unset {ENV_VISIBLE} or use hpsearch launch --cpus N.")


def device_label(requested: str | None, names: Sequence[str]) -> str:
    """What a trial records as its ``gpu``: the GPU TensorFlow trains on (its first visible
    one), by the id the worker was given and its model name, or ``cpu``."""
    if not names:
        return "cpu"
    first = requested.split(",")[0].strip() if requested else "0"
    return f"{first} ({names[0]})"
