"""Storage overhead per trial (SQLite, PostgreSQL) and throughput of 1, 2, 4, 8 workers.

    python -m tests.benchmarks.bench_storage [--postgres URL] [--epoch-s 0.1] [--trials 12]

Every worker is a real ``python -m search worker`` process on the scripted trainer: each trial
sleeps ``--epochs`` x ``--epoch-s`` seconds and reports each epoch, so everything beyond that
sleep is hpsearch and the storage (sampling with the random sampler, trial rows, one
intermediate value and attribute write per epoch, the final state). The PostgreSQL rows need
``--postgres`` or $TEST_DB_URL (``bash .ci/postgres.sh`` prints one).

- overhead/trial: (span from the first trial's start to the last trial's end) / trials, minus
  the objective's sleep; with one worker this is the per-trial cost of the storage round trips.
- trials/s: trials finished per second over that span (excludes process start-up).
- efficiency: trials/s divided by (workers / objective seconds), the ideal for that many
  workers that never wait.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from optuna.trial import TrialState

from search import create_study
from search.data._sample import write_sample
from search.options import PrunerName, SamplerName, WorkerOptions
from search.worker._launch import launch_workers
from spaces import Task
from tests.worker_procs import reader, scripted_env, trials


def measure(url: str, data: Path, workers: int, trials_each: int, epochs: int,
            epoch_s: float) -> tuple[float, float, int]:
    """(overhead seconds per trial with this many workers, trials per second, trials)."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    create_study(name, data, storage_url=url, max_epochs=epochs, pruner=PrunerName.NONE,
                 sampler=SamplerName.RANDOM)
    out = io.StringIO()
    exits = launch_workers(name, url, cpus=workers, out=out, env=scripted_env(url, epoch_s),
                           options=WorkerOptions(n_trials=trials_each))
    if any(e.returncode for e in exits):
        sys.exit(f"a worker failed:\n{out.getvalue()}")
    done = trials(reader(url, name), TrialState.COMPLETE)
    start = min(t.datetime_start for t in done if t.datetime_start)
    end = max(t.datetime_complete for t in done if t.datetime_complete)
    span = (end - start).total_seconds()
    per_trial = span * workers / len(done)
    return per_trial - epochs * epoch_s, len(done) / span, len(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("TEST_DB_URL"))
    parser.add_argument("--epoch-s", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--trials", type=int, default=12, help="trials per worker")
    parser.add_argument("--workers", default="1,2,4,8")
    args = parser.parse_args()
    objective_s = args.epochs * args.epoch_s
    with tempfile.TemporaryDirectory() as tmp:
        data = write_sample(Path(tmp) / "data.csv", task=Task.MULTICLASS, rows=400, classes=3)
        backends = {"sqlite": f"sqlite:///{tmp}/bench.db"}
        if args.postgres:
            backends["postgres"] = args.postgres
        print(f"objective {objective_s:.2f}s ({args.epochs} epochs x {args.epoch_s}s), "
              f"{args.trials} trials per worker, {os.cpu_count()} CPU cores, "
              f"load average {os.getloadavg()[0]:.1f} at start")
        print(f"{'backend':<9} {'workers':>7} {'trials':>6} {'overhead/trial':>15} "
              f"{'trials/s':>9} {'efficiency':>10}")
        for backend, url in backends.items():
            for workers in map(int, args.workers.split(",")):
                began = time.monotonic()
                overhead, rate, count = measure(url, data, workers, args.trials, args.epochs,
                                                args.epoch_s)
                ideal = workers / objective_s
                print(f"{backend:<9} {workers:>7} {count:>6} {1000 * overhead:>12.0f} ms "
                      f"{rate:>9.2f} {rate / ideal:>9.0%}   ({time.monotonic() - began:.0f}s)",
                      flush=True)


if __name__ == "__main__":
    main()
