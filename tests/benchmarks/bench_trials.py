"""Time per trial and share of trials pruned, for a study that ran (or runs a short one).

    python tests/benchmarks/bench_trials.py --storage sqlite:///hpsearch.db --study fortunes
    python tests/benchmarks/bench_trials.py --data fortunes.csv --budget 1200
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from optuna.trial import TrialState

from search import create_study, run_worker
from search.study._open import open_study
from tests.benchmarks._data import benchmark_data


def summarize(url: str, name: str) -> None:
    study, config = open_study(name, url)
    trials = study.get_trials(deepcopy=False)
    finished = [t for t in trials if t.state.is_finished() and t.duration is not None]
    print(f"study {name}: {len(trials)} trials, objective {config.metric}, "
          f"max {config.search.max_epochs} epochs, pruner {config.search.pruner.value}")
    print("| state | trials | mean s/trial | median s/trial | mean epochs |")
    print("|---|---:|---:|---:|---:|")
    for state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL):
        group = [t for t in finished if t.state is state]
        if not group:
            continue
        seconds = [t.duration.total_seconds() for t in group]  # type: ignore[union-attr]
        epochs = [len(t.intermediate_values) for t in group]
        print(f"| {state.name.lower()} | {len(group)} | {statistics.mean(seconds):.1f} | "
              f"{statistics.median(seconds):.1f} | {statistics.mean(epochs):.1f} |")
    all_s = [t.duration.total_seconds() for t in finished]  # type: ignore[union-attr]
    pruned = sum(t.state is TrialState.PRUNED for t in finished)
    if finished:
        print(f"all finished: {statistics.mean(all_s):.1f} s per trial; "
              f"{pruned / len(finished):.0%} pruned")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storage")
    parser.add_argument("--study")
    parser.add_argument("--data")
    parser.add_argument("--budget", type=float, default=600)
    parser.add_argument("--max-epochs", type=int, default=10)
    args = parser.parse_args()
    if args.storage and args.study:
        summarize(args.storage, args.study)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        create_study("bench", benchmark_data(args.data, Path(tmp)), storage_url=url,
                     max_epochs=args.max_epochs)
        run_worker("bench", url, timeout=args.budget, seed=0)
        summarize(url, "bench")


if __name__ == "__main__":
    main()
