"""hpsearch on one GPU, in one command: epoch time against the naive pipeline, mixed precision
on and off, whether cuDNN's RNN kernel ran, and trials per hour with K = 1, 2, 4 workers.

    python -m tests.benchmarks.bench_gpu [--data fortunes.csv] [--gpu 0] [--budget 25]
    python -m tests.benchmarks.bench_gpu --smoke     # on a CPU, in seconds: checks the script

About 6 minutes on one GPU with the defaults (generated 20-class data, 4000 rows). Prints
markdown tables:

1. Trials per hour on the GPU with K workers sharing it (``hpsearch launch --per-gpu K``, each
   capped at the GPU's memory / K less 1 GB), per model: full trials over the time from the
   first trial's start to the last one's end (worker start-up left out), and the dtype policy
   and device the trials recorded.
2. Epoch seconds and rows/s of the naive pipeline (3000 tokens, recurrent dropout) and of
   hpsearch's training path for an LSTM(100) (the naive model), a large model (2 x BiLSTM(128))
   and a small one (an n-gram MLP), each under float32, mixed_float16 and mixed_bfloat16;
   "cuDNN" says whether the traced training step calls cuDNN's RNN kernel (CudnnRNNV3, which
   has only GPU kernels: in the graph means it ran on the GPU).

Without a GPU it refuses (use ``--smoke``). ``--smoke`` runs every section on tiny data on the
CPU, the trials on the scripted trainer (no TensorFlow in the workers): it checks the script,
its figures mean nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SMOKE_ROWS, SMOKE_LEN = 240, 50
POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")
MAX_EPOCHS = 3  # per trial, in the trials-per-hour runs
K_VALUES = (1, 2, 4)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a CSV with text and label columns (default: generated)")
    parser.add_argument("--rows", type=int, default=4000, help="generated rows")
    parser.add_argument("--gpu", default="0", help="the GPU to measure (nvidia-smi's index)")
    parser.add_argument("--budget", type=float, default=25.0, help="seconds per K and model")
    parser.add_argument("--naive-rows", type=int, default=400,
                        help="training rows of the naive pipeline's timed epoch")
    parser.add_argument("--smoke", action="store_true", help="tiny, on the CPU: checks the "
                        "script, measures nothing")
    return parser.parse_args(argv)


def refuse_without_gpu(args: argparse.Namespace) -> None:
    """Before TensorFlow starts: this process sees only ``--gpu``, and there must be one."""
    if args.smoke:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        return
    if shutil.which("nvidia-smi") is None:
        raise SystemExit("bench_gpu needs an NVIDIA GPU, and nvidia-smi is not installed here "
                         "(no NVIDIA driver). Run it on a GPU machine (docs/GPU.md), or with "
                         "--smoke to check the script on a CPU.")
    os.environ["CUDA_VISIBLE_DEVICES"] = args.gpu
    os.environ["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID"


def device_line() -> str:
    """The GPU (or CPU) and the library versions the figures were measured with."""
    import keras
    import tensorflow as tf

    from search._errors import DeviceError
    from search.training._devices import configure_devices

    try:
        devices = configure_devices()  # the worker's check and memory growth
    except DeviceError as exc:
        raise SystemExit(f"bench_gpu needs a GPU TensorFlow can use: {exc}") from None
    gpus = tf.config.list_physical_devices("GPU")
    capability = (tf.config.experimental.get_device_details(gpus[0]).get("compute_capability")
                  if gpus else None)
    where = devices["device"] + (f", compute capability {capability}" if capability else "")
    return f"device: {where}; TensorFlow {tf.__version__}, Keras {keras.__version__}"


def epoch_rows(data: Path, args: argparse.Namespace) -> list[tuple[str, str, Any]]:
    """(pipeline, policy, EpochTime) for the naive pipeline and each model and policy."""
    from tests.benchmarks import _epoch

    prepared, task, n_out = _epoch.prepare(data, SMOKE_ROWS if args.smoke else None)
    naive_len = SMOKE_LEN if args.smoke else 3000
    models = {"LSTM(100), the naive model": _epoch.LSTM_100,
              "large: 2 x BiLSTM(128)": _epoch.BILSTM, "small: n-gram MLP(256)": _epoch.NGRAM_MLP}
    if args.smoke:
        models = {name: {**params, **SMALLER} for name, params in models.items()}
    rows = [(f"naive: LSTM(100), {naive_len} tokens, recurrent dropout", "float32",
             _epoch.naive_epoch(prepared, n_out, naive_len, 64 if args.smoke else args.naive_rows))]
    for name, params in models.items():
        for policy in _policies(name, args.smoke):
            rows.append((f"hpsearch: {name}", policy,
                         _epoch.hpsearch_epoch(params, prepared, task, n_out, policy)))
    return rows


SMALLER = {"rnn_layers": 1, "rnn_units": 8, "embedding_dim": 8, "ngram_units": 16}


def _policies(model: str, smoke: bool) -> tuple[str, ...]:
    """Every policy; with --smoke, float32, and mixed_float16 on the quickest model only (a
    recurrent model's first epoch is seconds of tracing on a CPU)."""
    if not smoke:
        return POLICIES
    return POLICIES[:2] if model.startswith("small") else POLICIES[:1]


def print_epochs(rows: list[tuple[str, str, Any]]) -> None:
    print("| pipeline | policy | epoch s | rows/s | cuDNN RNN kernel |")
    print("|---|---|---:|---:|---|")
    for name, policy, timed in rows:
        print(f"| {name} | {policy} | {timed.seconds:.2f} | {timed.rows_per_s:.0f} | "
              f"{'yes' if timed.cudnn else 'no'} |")
    naive, ours = rows[0][2], rows[1][2]
    print(f"\nhpsearch's path, LSTM(100), float32: {ours.rows_per_s / naive.rows_per_s:.1f}x "
          "the naive pipeline's rows per second (target 5x)")


SPACES = {
    "small: n-gram MLP": "params:\n  family: ngram\n  ngram_hidden: true\n  ngram_order: 1\n"
                         "  ngram_units: 256\n  batch_size: [256]\n",
    "large: 2 x BiLSTM": "params:\n  family: sequence\n  rnn_layers: 2\n  cell: lstm\n"
                         "  bidirectional: true\n  rnn_units: 128\n  embedding_dim: 128\n"
                         "  conv: false\n  pooling: max_avg\n  batch_size: [64]\n",
}


def trial_rate(url: str, name: str) -> tuple[int, float, str]:
    """(full trials, trials per hour over the time they ran, "policy on device" they record)."""
    from optuna.trial import TrialState

    from search.study._open import open_study

    study, _ = open_study(name, url)
    full = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if not t.user_attrs.get("cut_by_deadline")]
    if not full:
        return 0, 0.0, "-"
    start = min(t.datetime_start for t in full if t.datetime_start)
    end = max(t.datetime_complete for t in full if t.datetime_complete)
    seconds = max((end - start).total_seconds(), 1e-6)
    seen = sorted({f"{t.user_attrs.get('policy')} on {t.user_attrs.get('gpu')}" for t in full})
    return len(full), len(full) * 3600 / seconds, ", ".join(seen)


def trials_per_hour(data: Path, tmp: Path, args: argparse.Namespace) -> list[tuple]:
    """(model, K, memory cap, full trials, trials per hour, what they recorded) per run."""
    from search import create_study
    from search.options import PrunerName, SamplerName, WorkerOptions
    from search.worker._launch import WorkerSlot, launch_workers

    env = dict(os.environ)
    if args.smoke:  # workers on the scripted trainer: no TensorFlow, no GPU check
        env.update({"HPSEARCH_TRAINER": "tests.scripted_trainer:ScriptedTrainer",
                    "HPSEARCH_TEST_EPOCH_S": "0.05", "PYTHONPATH": str(REPO)})
    env.pop("CUDA_VISIBLE_DEVICES", None)  # the launcher gives each worker its GPU
    rows = []
    for model, space in list(SPACES.items())[:1 if args.smoke else None]:
        (tmp / "space.yaml").write_text(space)
        template = tmp / "template.db"
        create_study("bench", data, storage_url=f"sqlite:///{template}", max_epochs=MAX_EPOCHS,
                     pruner=PrunerName.NONE, sampler=SamplerName.RANDOM, space=tmp / "space.yaml")
        for k in K_VALUES[:2] if args.smoke else K_VALUES:
            db = tmp / f"k{k}.db"
            shutil.copy(template, db)
            caps: list[int | None] = []

            def started(slot: WorkerSlot, proc: object, caps: list[int | None] = caps) -> None:
                caps.append(slot.memory_mb)

            exits = launch_workers(
                "bench", f"sqlite:///{db}", gpus=[args.gpu], per_gpu=k, env=env,
                gpu_memory=1000 if args.smoke else None, out=io.StringIO(),
                options=WorkerOptions(timeout=2 if args.smoke else args.budget, seed=0),
                on_started=started)
            failed = [e for e in exits if e.returncode != 0]
            if failed:
                print(f"warning: {len(failed)} of {k} workers {failed[0].how}", file=sys.stderr)
            rows.append((model, k, caps[0], *trial_rate(f"sqlite:///{db}", "bench")))
        template.unlink()
    return rows


def print_trials(rows: list[tuple], budget: float) -> None:
    print(f"| model | workers per GPU | memory cap MB | full trials in {budget:.0f} s | "
          "trials per hour | recorded |")
    print("|---|---:|---:|---:|---:|---|")
    for model, k, cap, n, per_hour, seen in rows:
        print(f"| {model} | {k} | {cap if cap is not None else 'growth'} | {n} | "
              f"{per_hour:.0f} | {seen} |")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    refuse_without_gpu(args)
    from tests.benchmarks._data import benchmark_data

    print(device_line(), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        data = benchmark_data(args.data, tmp, rows=SMOKE_ROWS + 60 if args.smoke else args.rows)
        # Trials first: this process then holds only a CUDA context on the GPU the workers share.
        print_trials(trials_per_hour(data, tmp, args), 2 if args.smoke else args.budget)
        print(flush=True)
        print_epochs(epoch_rows(data, args))
    if args.smoke:
        print("\n--smoke: tiny data on the CPU and a scripted trainer; these figures measure "
              "nothing.")


if __name__ == "__main__":
    main()
