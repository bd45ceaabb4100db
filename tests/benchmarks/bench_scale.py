"""hpsearch on a large generated table: what ``create`` and ``run --timeout`` cost at 100k,
300k or 1M rows, and whether a run ends near its budget with a model.

    python -m tests.benchmarks.bench_scale --rows 300000 --budgets 180,600
    python -m tests.benchmarks.bench_scale --rows 1000000 --min-words 20 --max-words 80

Generates ``hpsearch sample-data --rows N --classes 50 --seed 0`` (or reads ``--data``), runs
``hpsearch create`` on it alone, then for each budget ``hpsearch run --data FILE --timeout B``
on a new SQLite study, every default (its budget counts from Enter: ``create`` is in it).
Prints one JSON line per step: its seconds and the peak resident memory of each process it ran
(VmHWM, polled from /proc); for a run also the seconds from Enter to the first finished trial,
the finished and pruned trials, the training rows the best trial was fitted on, its validation
score, and whether the answer was refitted on every row. Then a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STUDY = "scale"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--classes", type=int, default=50)
    parser.add_argument("--min-words", type=int, default=8)
    parser.add_argument("--max-words", type=int, default=47)
    parser.add_argument("--budgets", default="180,600", help="run --timeout values, seconds")
    parser.add_argument("--data", help="a table to use instead of generating one")
    parser.add_argument("--out", help="folder to keep the files in (default: a temporary one)")
    args = parser.parse_args()
    folder = Path(args.out or tempfile.mkdtemp(prefix="bench_scale_"))
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    data = Path(args.data) if args.data else folder / f"rows{args.rows}.csv"
    if not data.exists():
        step("sample-data", ["sample-data", "--out", str(data), "--rows", str(args.rows),
                             "--classes", str(args.classes), "--seed", "0",
                             "--min-words", str(args.min_words),
                             "--max-words", str(args.max_words)])
    created = folder / "create.db"
    created.unlink(missing_ok=True)
    rows.append(step("create", ["create", "--study", STUDY, "--data", str(data),
                                "--storage", f"sqlite:///{created}"]))
    for budget in (int(b) for b in args.budgets.split(",") if b):
        db = folder / f"run{budget}.db"
        db.unlink(missing_ok=True)
        url = f"sqlite:///{db}"
        found = step(f"run --timeout {budget}", ["run", "--study", STUDY, "--data", str(data),
                                                 "--storage", url, "--timeout", str(budget)])
        found.update(study_figures(url, found["started"]))
        rows.append(found)
    print_table(rows)


def step(name: str, args: list[str]) -> dict[str, Any]:
    """Run ``hpsearch ARGS``; its seconds and each process's peak memory."""
    started = time.time()
    process = subprocess.Popen([sys.executable, "-m", "search", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peaks: dict[int, float] = {}
    while process.poll() is None:
        for pid in [process.pid, *descendants(process.pid)]:
            peaks[pid] = max(peaks.get(pid, 0.0), peak_gb(pid))
        time.sleep(0.5)
    output = process.stdout.read() if process.stdout else ""
    found = {"step": name, "seconds": round(time.time() - started, 1),
             "exit": process.returncode, "peak_gb": sorted(
                 (round(p, 2) for p in peaks.values() if p), reverse=True),
             "started": started, "last_lines": output.strip().splitlines()[-3:]}
    print(json.dumps({k: v for k, v in found.items() if k != "started"}), flush=True)
    return found


def descendants(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found += [int(entry.name), *descendants(int(entry.name))]
    return found


def peak_gb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e6
    except OSError:
        pass
    return 0.0


def study_figures(url: str, started: float) -> dict[str, Any]:
    """From the study: the first finished trial, the best one, the answer's refit."""
    import optuna

    from search.metrics import TrialAttr
    from search.study import ANSWER_ATTR

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=STUDY, storage=url)
    done = [t for t in study.trials if t.state is optuna.trial.TrialState.COMPLETE]
    pruned = sum(t.state is optuna.trial.TrialState.PRUNED for t in study.trials)
    if not done:
        return {"complete": 0, "pruned": pruned}
    first = min(t.datetime_complete.timestamp() for t in done)
    best = study.best_trial
    answer = study.user_attrs.get(ANSWER_ATTR) or {}
    return {"complete": len(done), "pruned": pruned,
            "first_model_s": round(first - started, 1),
            "best_value": round(float(best.value), 4),
            "best_rows": best.user_attrs.get(TrialAttr.ROWS),
            "best_params": best.params.get("family"),
            "refit": (answer.get("refit") or {}).get("rows")}


def print_table(rows: list[dict[str, Any]]) -> None:
    print("\n| step | s | exit | first model s | trials (complete/pruned) | best validation "
          "| its rows | refit rows | peak GB per process |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['step']} | {r['seconds']} | {r['exit']} | {r.get('first_model_s', '')} | "
              f"{r.get('complete', '')}/{r.get('pruned', '')} | {r.get('best_value', '')} | "
              f"{r.get('best_rows', '')} | {r.get('refit', '')} | "
              f"{', '.join(map(str, r['peak_gb']))} |")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
