"""The worker slots of ``hpsearch launch``: which GPU each worker gets, and how much of its
memory it may take.

Pure planning, tested without a GPU: the ids given are checked against an inherited
``CUDA_VISIBLE_DEVICES`` (a scheduler's allocation), ``--gpus all`` takes every visible GPU,
and K workers sharing a GPU (``--per-gpu K``) each get a memory cap. nvidia-smi is read only
through the ``inventory`` function passed in (``query_gpus`` by default).
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from search._errors import HpsearchError
from search.training import (
    ENV_ALLOCATOR,
    ENV_DEVICE_ORDER,
    ENV_GPU_MEMORY_MB,
    ENV_VISIBLE,
    requested_gpus,
)

ALL: Literal["all"] = "all"
GpuRequest = Sequence[str] | Literal["all"]
# Each worker's CUDA context, cuDNN and cuBLAS handles and workspaces live outside TensorFlow's
# allocator, so its cap leaves this much of its share free. An estimate (about 0.5 GB of
# context with CUDA 12's lazy loading, plus the libraries' workspaces), not measured here.
CONTEXT_MARGIN_MB = 1024
MIN_WORKER_MB = 512


class LaunchError(HpsearchError):
    """The launch options do not describe a set of worker slots."""


class GpuQueryError(Exception):
    """nvidia-smi is missing or failed; the message says how."""


@dataclass(frozen=True)
class GpuInfo:
    """One GPU as nvidia-smi lists it (its index is in PCI bus order)."""

    index: str
    uuid: str
    name: str
    memory_mb: int


Inventory = Callable[[], list[GpuInfo]]


@dataclass(frozen=True)
class WorkerSlot:
    index: int
    gpu: str | None  # None: a CPU worker
    memory_mb: int | None = None  # the cap on its GPU memory; None: memory growth
    shared: bool = False  # another worker uses the same GPU (--per-gpu K > 1)

    @property
    def label(self) -> str:
        return f"w{self.index} gpu {self.gpu}" if self.gpu is not None else f"w{self.index} cpu"

    @property
    def visible_devices(self) -> str:
        """``CUDA_VISIBLE_DEVICES`` of the worker: its GPU, or none at all."""
        return self.gpu if self.gpu is not None else ""

    def device_env(self) -> dict[str, str | None]:
        """The device variables of its environment (None: removed): its GPU, ids in PCI bus
        order as nvidia-smi numbers them, and its memory cap (or, sharing a GPU whose memory
        is unknown, the allocator that hands freed memory back)."""
        env: dict[str, str | None] = {ENV_VISIBLE: self.visible_devices,
                                      ENV_GPU_MEMORY_MB: None}
        if self.gpu is None:
            return env
        env[ENV_DEVICE_ORDER] = "PCI_BUS_ID"
        if self.memory_mb is not None:
            env[ENV_GPU_MEMORY_MB] = str(self.memory_mb)
        elif self.shared:
            env[ENV_ALLOCATOR] = "cuda_malloc_async"
        return env


def parse_gpus(text: str) -> list[str] | Literal["all"]:
    """``"0,1,2,3"`` -> ``["0", "1", "2", "3"]`` (indices or GPU UUIDs, each once); ``"all"``."""
    if text.strip().lower() == ALL:
        return ALL
    gpus = [part.strip() for part in text.split(",")]
    if not all(gpus) or any(" " in g or g.startswith("-") for g in gpus):
        raise LaunchError(f"--gpus must list GPU ids separated by commas, like 0,1,2,3, but "
                          f"got {text!r}. Ids are nvidia-smi's indexes or GPU UUIDs; --gpus all "
                          "takes every visible GPU.")
    repeated = sorted({g for g in gpus if gpus.count(g) > 1})
    if repeated:
        raise LaunchError(f"--gpus names GPU {', '.join(repeated)} more than once ({text!r}); "
                          "use --per-gpu K to run K workers on each GPU.")
    return gpus


def query_gpus() -> list[GpuInfo]:
    """This machine's GPUs as ``nvidia-smi`` lists them; raises ``GpuQueryError``."""
    command = ["nvidia-smi", "--query-gpu=index,uuid,name,memory.total",
               "--format=csv,noheader,nounits"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except FileNotFoundError:
        raise GpuQueryError("is not installed (no NVIDIA driver here)") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GpuQueryError(f"could not run ({exc})") from None
    if done.returncode != 0:
        raise GpuQueryError(f"failed: {(done.stderr or done.stdout).strip()[:200]}")
    found = []
    for line in done.stdout.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        found.append(GpuInfo(parts[0], parts[1], ",".join(parts[2:-1]), int(parts[-1])))
    return found


def inherited_gpus(env: Mapping[str, str]) -> list[str] | None:
    """The GPUs this process was given by ``CUDA_VISIBLE_DEVICES`` (Slurm, a container, you);
    None when it is unset or empty; [] when it hides them all (``-1``)."""
    value = env.get(ENV_VISIBLE, "").strip()
    if not value:
        return None
    if requested_gpus(env) is None:
        return []
    gpus: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part or part.startswith("-"):
            break  # CUDA reads no further than the first id that names no device
        gpus.append(part)
    return gpus


def choose_gpus(request: GpuRequest, env: Mapping[str, str], inventory: Inventory,
                ) -> list[str]:
    """The GPU ids of the workers. Under an inherited ``CUDA_VISIBLE_DEVICES`` the ids given
    must be among its entries (the names it gives them, never indexes into it), so a worker
    cannot land on a GPU this process was not given; ``all`` is that set, else every GPU
    nvidia-smi lists."""
    inherited = inherited_gpus(env)
    value = env.get(ENV_VISIBLE, "")
    if inherited == []:
        raise LaunchError(f"--gpus: this process was given no GPU ({ENV_VISIBLE}={value!r} "
                          f"hides them all). Unset {ENV_VISIBLE}, or use --cpus N.")
    if request == ALL:
        if inherited is not None:
            return inherited
        try:
            listed = inventory()
        except GpuQueryError as exc:
            listed, why = [], f"nvidia-smi {exc}"
        else:
            why = "nvidia-smi lists none"
        if not listed:
            raise LaunchError(f"--gpus all found no GPU: {ENV_VISIBLE} is not set and {why}. "
                              "Install the NVIDIA driver (docs/GPU.md), give the ids "
                              "(--gpus 0,1), or use --cpus N.")
        return [gpu.index for gpu in listed]
    gpus = list(request)
    missing = [g for g in gpus if inherited is not None and g not in inherited]
    if missing:
        raise LaunchError(
            f"--gpus names GPU {', '.join(missing)}, which this process was not given: "
            f"{ENV_VISIBLE}={value!r} (set by Slurm, a container or you). Give ids from that "
            "list, or --gpus all to use each of them.")
    return gpus


def memory_caps(gpus: Sequence[str], per_gpu: int, explicit_mb: int | None,
                inventory: Inventory) -> tuple[dict[str, int | None], str | None]:
    """Each GPU's per-worker memory cap in MB, and why some are unknown (None: no cap).

    ``explicit_mb`` (``--gpu-memory``) wins. One worker per GPU grows as needed. K workers per
    GPU each get the card's memory / K less ``CONTEXT_MARGIN_MB``, from nvidia-smi."""
    if explicit_mb is not None:
        return dict.fromkeys(gpus, explicit_mb), None
    if per_gpu == 1:
        return dict.fromkeys(gpus, None), None
    try:
        listed = inventory()
    except GpuQueryError as exc:
        return dict.fromkeys(gpus, None), f"nvidia-smi {exc}"
    memory = {key: gpu.memory_mb for gpu in listed for key in (gpu.index, gpu.uuid)}
    caps: dict[str, int | None] = {}
    for gpu in gpus:
        cap = memory[gpu] // per_gpu - CONTEXT_MARGIN_MB if gpu in memory else None
        caps[gpu] = cap
        if cap is not None and cap < MIN_WORKER_MB:
            raise LaunchError(
                f"--per-gpu {per_gpu} leaves each worker {cap} MB of GPU {gpu}'s "
                f"{memory[gpu]} MB (its share less {CONTEXT_MARGIN_MB} MB for its CUDA "
                f"context), below {MIN_WORKER_MB} MB. Use a smaller --per-gpu, or give "
                "--gpu-memory MB.")
    unknown = [g for g in gpus if caps[g] is None]
    why = None if not unknown else f"nvidia-smi does not list GPU {', '.join(unknown)}"
    return caps, why


def plan_slots(gpus: Sequence[str] | None = None, per_gpu: int = 1, cpus: int | None = None,
               memory: Mapping[str, int | None] | None = None) -> list[WorkerSlot]:
    """The worker slots: ``per_gpu`` on each of ``gpus`` (each capped at ``memory[gpu]`` MB),
    or ``cpus`` CPU workers."""
    if (gpus is None) == (cpus is None):
        raise LaunchError("Give either --gpus (one worker per GPU slot) or --cpus N (N CPU "
                          f"workers), not {'both' if gpus is not None else 'neither'}.")
    if per_gpu < 1:
        raise LaunchError(f"--per-gpu must be at least 1, but got {per_gpu}.")
    if cpus is not None:
        if cpus < 1:
            raise LaunchError(f"--cpus must be at least 1, but got {cpus}.")
        return [WorkerSlot(i, None) for i in range(cpus)]
    assert gpus is not None
    if not gpus:
        raise LaunchError("--gpus lists no GPU; give ids like 0,1 or use --cpus N.")
    memory = memory or {}
    return [WorkerSlot(i, gpu, memory.get(gpu), per_gpu > 1)
            for i, gpu in enumerate(g for g in gpus for _ in range(per_gpu))]


def plan_launch(gpus: GpuRequest | None, per_gpu: int = 1, cpus: int | None = None, *,
                env: Mapping[str, str], gpu_memory_mb: int | None = None,
                inventory: Inventory = query_gpus) -> tuple[list[WorkerSlot], str | None]:
    """The slots of a launch from its options and environment, and a warning when workers
    share a GPU whose memory is unknown (they then use the allocator that frees memory)."""
    if gpu_memory_mb is not None and gpu_memory_mb < 1:
        raise LaunchError(f"--gpu-memory must be at least 1 (MB), but got {gpu_memory_mb}.")
    if gpus is None or cpus is not None:  # CPU workers, or plan_slots' refusal of both
        if gpus is None and gpu_memory_mb is not None:
            raise LaunchError("--gpu-memory caps each GPU worker's memory, but no --gpus was "
                              "given; drop it, or use --gpus.")
        return plan_slots(None if gpus is None else [], per_gpu, cpus), None
    inventory = functools.cache(inventory)  # nvidia-smi once, for the ids and the memory
    ids = choose_gpus(gpus, env, inventory)
    caps, unknown = memory_caps(ids, per_gpu, gpu_memory_mb, inventory)
    warning = None
    if unknown and per_gpu > 1:
        warning = (f"cannot cap the GPU memory of {per_gpu} workers per GPU: {unknown}; they "
                   f"use {ENV_ALLOCATOR}=cuda_malloc_async (freed memory goes back to the "
                   "GPU) instead. Give --gpu-memory MB to cap each worker.")
    return plan_slots(ids, per_gpu, None, caps), warning
