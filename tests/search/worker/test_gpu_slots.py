"""``hpsearch launch`` on GPUs without a GPU: the ids given against an inherited
CUDA_VISIBLE_DEVICES (Slurm, containers), ``--gpus all``, the per-worker memory cap of
``--per-gpu K``, and the device variables each worker starts with. The plan is pure: nvidia-smi
is replaced by a list."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from search.cli import app
from search.worker._launch import worker_env
from search.worker._slots import (
    ALL,
    CONTEXT_MARGIN_MB,
    GpuInfo,
    GpuQueryError,
    LaunchError,
    WorkerSlot,
    choose_gpus,
    inherited_gpus,
    parse_gpus,
    plan_launch,
)

H200_MB = 143_771
TWO = [GpuInfo("0", "GPU-aaa", "NVIDIA H200", H200_MB), GpuInfo("1", "GPU-bbb", "NVIDIA H200",
                                                                 H200_MB)]
pytestmark = pytest.mark.usefixtures("keep_hpsearch_logging")


def two_gpus() -> list[GpuInfo]:
    return TWO


def no_nvidia_smi() -> list[GpuInfo]:
    raise GpuQueryError("is not installed (no NVIDIA driver here)")


def visible(value: str) -> dict[str, str]:
    return {"CUDA_VISIBLE_DEVICES": value}


@pytest.mark.parametrize(("value", "gpus"), [
    ("", None), ("2,3", ["2", "3"]), (" 2, 3 ", ["2", "3"]), ("-1", []), ("1,-1,2", ["1"]),
    ("GPU-aaa,GPU-bbb", ["GPU-aaa", "GPU-bbb"]),
])
def test_the_inherited_set(value: str, gpus: list[str] | None) -> None:
    assert inherited_gpus(visible(value)) == gpus
    assert inherited_gpus({}) is None


def test_ids_given_must_be_among_the_inherited_ones() -> None:
    assert choose_gpus(["3"], visible("2,3"), two_gpus) == ["3"]
    assert choose_gpus(["0", "1"], {}, two_gpus) == ["0", "1"]  # nothing inherited
    with pytest.raises(LaunchError) as info:
        choose_gpus(["0", "3"], visible("2,3"), two_gpus)
    assert str(info.value) == (
        "--gpus names GPU 0, which this process was not given: CUDA_VISIBLE_DEVICES='2,3' (set "
        "by Slurm, a container or you). Give ids from that list, or --gpus all to use each of "
        "them.")
    with pytest.raises(LaunchError, match=r"given no GPU \(CUDA_VISIBLE_DEVICES='-1' hides "
                                          r"them all\)\. Unset CUDA_VISIBLE_DEVICES, or use "
                                          r"--cpus N\."):
        choose_gpus(["0"], visible("-1"), two_gpus)


def test_all_is_the_inherited_set_else_what_nvidia_smi_lists_else_a_refusal() -> None:
    assert choose_gpus(ALL, visible("GPU-bbb"), no_nvidia_smi) == ["GPU-bbb"]
    assert choose_gpus(ALL, {}, two_gpus) == ["0", "1"]
    with pytest.raises(LaunchError) as info:
        choose_gpus(ALL, {}, no_nvidia_smi)
    assert str(info.value) == (
        "--gpus all found no GPU: CUDA_VISIBLE_DEVICES is not set and nvidia-smi is not "
        "installed (no NVIDIA driver here). Install the NVIDIA driver (docs/GPU.md), give the "
        "ids (--gpus 0,1), or use --cpus N.")
    with pytest.raises(LaunchError, match="not set and nvidia-smi lists none"):
        choose_gpus(ALL, {}, list)
    assert parse_gpus("all") == ALL and parse_gpus(" ALL ") == ALL
    with pytest.raises(LaunchError, match="like 0,1,2,3, but got '-1'. Ids are nvidia-smi's "):
        parse_gpus("-1")


@pytest.mark.parametrize("k", [1, 2, 4])
def test_the_launcher_caps_each_of_k_workers_and_passes_the_cap(k: int) -> None:
    slots, warning = plan_launch(["1"], per_gpu=k, env=visible("0,1"), inventory=two_gpus)
    cap = None if k == 1 else H200_MB // k - CONTEXT_MARGIN_MB
    assert warning is None
    assert [(s.gpu, s.memory_mb, s.shared) for s in slots] == [("1", cap, k > 1)] * k
    env = worker_env("sqlite:///s.db", slots[0], visible("0,1"))
    assert env["CUDA_VISIBLE_DEVICES"] == "1" and env["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"
    assert env.get("HPSEARCH_GPU_MEMORY_MB") == (None if cap is None else str(cap))
    assert "TF_GPU_ALLOCATOR" not in env
    if k == 4:
        assert cap == 34_918


def test_the_cap_by_uuid_or_given_and_the_fallback_without_nvidia_smi() -> None:
    slots, _ = plan_launch(["GPU-bbb"], per_gpu=2, env={}, inventory=two_gpus)
    assert slots[0].memory_mb == H200_MB // 2 - CONTEXT_MARGIN_MB
    slots, _ = plan_launch(ALL, per_gpu=2, env={}, gpu_memory_mb=20_000, inventory=two_gpus)
    assert [(s.gpu, s.memory_mb) for s in slots] == [("0", 20_000)] * 2 + [("1", 20_000)] * 2
    slots, warning = plan_launch(["0"], per_gpu=2, env={}, inventory=no_nvidia_smi)
    assert [s.memory_mb for s in slots] == [None, None]
    assert warning == (
        "cannot cap the GPU memory of 2 workers per GPU: nvidia-smi is not installed (no NVIDIA "
        "driver here); they use TF_GPU_ALLOCATOR=cuda_malloc_async (freed memory goes back to "
        "the GPU) instead. Give --gpu-memory MB to cap each worker.")
    env = worker_env("sqlite:///s.db", slots[0], {"HPSEARCH_GPU_MEMORY_MB": "999"})
    assert env["TF_GPU_ALLOCATOR"] == "cuda_malloc_async" and "HPSEARCH_GPU_MEMORY_MB" not in env
    with pytest.raises(LaunchError, match=r"--per-gpu 300 leaves each worker -545 MB of GPU 0's "
                                          r"143771 MB .* Use a smaller --per-gpu, or give "
                                          r"--gpu-memory MB\."):
        plan_launch(["0"], per_gpu=300, env={}, inventory=two_gpus)


def test_all_with_k_workers_per_gpu_asks_nvidia_smi_once() -> None:
    calls: list[int] = []

    def counted() -> list[GpuInfo]:
        calls.append(1)
        return two_gpus()

    slots, _ = plan_launch(ALL, per_gpu=2, env={}, inventory=counted)
    assert [s.memory_mb for s in slots] == [H200_MB // 2 - CONTEXT_MARGIN_MB] * 4
    assert len(calls) == 1


def test_cpu_workers_get_no_gpu_and_no_cap() -> None:
    slots, _ = plan_launch(None, cpus=2, env=visible("0,1"), inventory=no_nvidia_smi)
    env = worker_env("sqlite:///s.db", slots[0], {"HPSEARCH_GPU_MEMORY_MB": "999",
                                                  "CUDA_VISIBLE_DEVICES": "0,1"})
    assert env["CUDA_VISIBLE_DEVICES"] == "" and "HPSEARCH_GPU_MEMORY_MB" not in env
    assert "CUDA_DEVICE_ORDER" not in env
    with pytest.raises(LaunchError, match="--gpu-memory caps each GPU worker's memory, but no "
                                          "--gpus was given"):
        plan_launch(None, cpus=2, env={}, gpu_memory_mb=1000)
    with pytest.raises(LaunchError, match="not both"):
        plan_launch(ALL, cpus=2, env={})


def test_an_inherited_device_order_is_kept() -> None:
    env = worker_env("sqlite:///s.db", WorkerSlot(0, "1"), {"CUDA_DEVICE_ORDER": "FASTEST_FIRST"})
    assert env["CUDA_DEVICE_ORDER"] == "FASTEST_FIRST"


def test_launch_cli_refuses_an_id_outside_the_inherited_set(
        sqlite_url: str, study_name: str, multiclass_csv: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from search import create_study

    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=1)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")
    result = CliRunner().invoke(app, ["launch", "--study", study_name, "--storage", sqlite_url,
                                      "--gpus", "0"])
    assert result.exit_code == 2
    assert "--gpus names GPU 0, which this process was not given" in result.output
