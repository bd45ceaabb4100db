"""Trials per hour on one GPU with K = 1, 2, 4 workers sharing it (``launch --per-gpu K``).

    python tests/benchmarks/bench_per_gpu.py [--data PATH] [--budget 300] [--gpu 0]

Each K gets a fresh study on the same data (SQLite in a temporary folder: K <= 4 local
workers) and the same wall-clock budget. Needs a GPU; on a machine without one it says so.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from optuna.trial import TrialState

from search import create_study
from search.options import WorkerOptions
from search.study._open import open_study
from search.worker._launch import launch_workers
from tests.benchmarks._data import benchmark_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--budget", type=float, default=300, help="seconds per K")
    parser.add_argument("--gpu", default="0")
    parser.add_argument("--max-epochs", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("nvidia-smi") is None:
        raise SystemExit("no NVIDIA GPU here (nvidia-smi not found): this benchmark needs one")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = benchmark_data(args.data, Path(tmp))
        for k in (1, 2, 4):
            url = f"sqlite:///{tmp}/k{k}.db"
            create_study(f"k{k}", data, storage_url=url, max_epochs=args.max_epochs)
            launch_workers(f"k{k}", url, gpus=[args.gpu], per_gpu=k,
                           options=WorkerOptions(timeout=args.budget, seed=0))
            study, _ = open_study(f"k{k}", url)
            done = study.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED))
            rows.append((k, len(done), len(done) * 3600 / args.budget))
    print(f"| workers per GPU | trials in {args.budget:.0f} s | trials per hour |")
    print("|---:|---:|---:|")
    for k, n, per_hour in rows:
        print(f"| {k} | {n} | {per_hour:.0f} |")


if __name__ == "__main__":
    main()
