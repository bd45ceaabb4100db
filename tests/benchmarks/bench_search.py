"""Best validation loss over wall-clock time: hpsearch defaults against the alternatives.

    python tests/benchmarks/bench_search.py [--data PATH] [--budget 300]

Strategies, each with the same wall-clock budget on the same data and split:
- hpsearch: TPE + median pruning over the built-in space, with its starting points (defaults);
- tpe-hyperband: TPE + Hyperband;
- no-pruning: TPE over the same space, no pruner;
- hand-rolled: the hand-rolled random search that left a 30-class LSTM stuck at 76% —
  random configs of LSTM layers/size and dense layers/size, fixed epochs, no pruning, no early
  stopping.
Prints the best val_loss reached by each and when each reached the hand-rolled search's final
best.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from optuna.trial import TrialState

from search import create_study, run_worker
from search.options import PrunerName, SamplerName
from search.study._open import open_study
from tests.benchmarks._data import benchmark_data

HAND_ROLLED_SPACE = """params:
  rnn_layers: {low: 1, high: 4}
  cell: lstm
  rnn_units: {low: 8, high: 64}
  bidirectional: false
  embedding_dim: 80
  embedding_dropout: 0.0
  dropout: 0.0
  conv: false
  pooling: last
  dense_layers: {low: 0, high: 8}
  dense_units: {low: 8, high: 64}
  learning_rate: 0.001
  batch_size: 128
  class_weight: none
"""

STRATEGIES: dict[str, dict[str, Any]] = {
    "hpsearch": {"pruner": PrunerName.MEDIAN, "sampler": SamplerName.TPE},
    "tpe-hyperband": {"pruner": PrunerName.HYPERBAND, "sampler": SamplerName.TPE},
    "no-pruning": {"pruner": PrunerName.NONE, "sampler": SamplerName.TPE},
    "hand-rolled": {"pruner": PrunerName.NONE, "sampler": SamplerName.RANDOM,
                    "space": "hand-rolled"},
}


def curve(url: str, name: str, start: float) -> list[tuple[float, float]]:
    """(seconds since start, best val_loss so far) at each completed trial."""
    study, _ = open_study(name, url)
    done = sorted((t for t in study.get_trials() if t.state is TrialState.COMPLETE),
                  key=lambda t: t.datetime_complete)  # type: ignore[arg-type,return-value]
    points, best = [], float("inf")
    for t in done:
        assert t.value is not None and t.datetime_complete is not None
        best = min(best, t.value)
        points.append((t.datetime_complete.timestamp() - start, best))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--budget", type=float, default=300, help="seconds per strategy")
    parser.add_argument("--max-epochs", type=int, default=10)
    parser.add_argument("--only", nargs="*", choices=list(STRATEGIES))
    parser.add_argument("--json", help="write the curves here")
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = benchmark_data(args.data, Path(tmp))
        hand_rolled = Path(tmp) / "hand-rolled.yaml"
        hand_rolled.write_text(HAND_ROLLED_SPACE)
        for name in args.only or list(STRATEGIES):
            options = dict(STRATEGIES[name])
            space = hand_rolled if options.pop("space", None) else None
            url = f"sqlite:///{tmp}/{name}.db"
            create_study(name, data, storage_url=url, max_epochs=args.max_epochs, space=space,
                         patience=args.max_epochs if name == "hand-rolled" else 3, **options)
            start = time.time()
            run_worker(name, url, timeout=args.budget, seed=0)
            study, _ = open_study(name, url)
            states = [t.state for t in study.get_trials()]
            results[name] = {
                "curve": curve(url, name, start),
                "complete": states.count(TrialState.COMPLETE),
                "pruned": states.count(TrialState.PRUNED),
                "failed": states.count(TrialState.FAIL),
            }
            best = results[name]["curve"][-1][1] if results[name]["curve"] else "-"
            print(f"{name}: {results[name]['complete']} complete, {results[name]['pruned']} "
                  f"pruned, best {best}", flush=True)
    reference = results.get("hand-rolled", {}).get("curve")
    target = reference[-1][1] if reference else None
    ref_time = reference[-1][0] if reference else None
    print(f"\nbudget {args.budget:.0f} s per strategy, max {args.max_epochs} epochs per trial")
    print("| strategy | complete | pruned | best val_loss | time to the hand-rolled search's "
          "final best |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        best = f"{r['curve'][-1][1]:.4f}" if r["curve"] else "-"
        reach = "-"
        if target is not None:
            hit = next((t for t, v in r["curve"] if v <= target), None)
            reach = f"{hit:.0f} s" if hit is not None else "not reached"
            if hit is not None and ref_time:
                reach += f" ({hit / ref_time:.2f} of its {ref_time:.0f} s)"
        print(f"| {name} | {r['complete']} | {r['pruned']} | {best} | {reach} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
