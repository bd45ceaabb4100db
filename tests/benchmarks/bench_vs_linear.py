"""The model hpsearch hands back against TF-IDF + logistic regression, on data it never saw.

    python -m tests.benchmarks.bench_vs_linear --budget 600 --fortunes ../shared/data/fortunes.csv
    python -m tests.benchmarks.bench_vs_linear --budget 120 --sets multiclass,binary

For each set (fortunes.csv if given; generated multi-class, 2%-positive binary and sparse
multi-label sets), 20% of the rows are held out as a test set the search never sees. On the
rest: `hpsearch run --timeout BUDGET` with the defaults, `hpsearch export`, and the exported
script trained in a fresh process. Its saved model (with the decision thresholds of its
labels.json) is scored on the test rows, next to TF-IDF + logistic regression fitted on the
same training rows (thresholds tuned on the same validation rows). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, f1_score

from search.data import load_split, split_indices
from search.data._labels import encode_labels, label_sets
from search.metrics import tune_thresholds
from search.options import DataOptions
from spaces import Task
from tests.benchmarks._realistic import realistic_frame

GENERATED = {"multiclass": Task.MULTICLASS, "binary": Task.BINARY,
             "multilabel": Task.MULTILABEL}
HELD_OUT, SEED = 0.2, 1234


def sets(names: list[str], fortunes: str | None) -> dict[str, pd.DataFrame]:
    found: dict[str, pd.DataFrame] = {}
    if fortunes and "fortunes" in names:
        found["fortunes"] = pd.read_csv(fortunes, dtype=str, keep_default_na=False)
    for name, task in GENERATED.items():
        if name in names:
            found[name] = realistic_frame(task, rows=15_000, seed=7)
    return found


def targets(frame: pd.DataFrame) -> tuple[Task, list[str], np.ndarray]:
    sets_ = label_sets(frame["label"].tolist(), "|")
    classes = sorted({c for s in sets_ for c in s})
    task = (Task.MULTILABEL if any(len(s) != 1 for s in sets_)
            else Task.BINARY if len(classes) == 2 else Task.MULTICLASS)
    return task, classes, encode_labels(sets_, task.value, classes)


def hold_out(frame: pd.DataFrame, folder: Path) -> tuple[Path, pd.DataFrame]:
    task, _, y = targets(frame)
    keep, test = split_indices(y, task.value, HELD_OUT, SEED)
    path = folder / "search.csv"
    frame.iloc[keep].to_csv(path, index=False)
    return path, frame.iloc[test].reset_index(drop=True)


def headline(task: Task, y: np.ndarray, probs: np.ndarray,
             thresholds: list[float] | None) -> dict[str, float]:
    if task is Task.MULTICLASS:
        pred = probs.argmax(axis=1)
        return {"accuracy": float(np.mean(pred == y)),
                "macro_f1": float(f1_score(y, pred, average="macro"))}
    p2 = probs.reshape(len(probs), -1)
    pred = (p2 >= np.asarray(thresholds)).astype(int)
    if task is Task.BINARY:
        return {"f1_positive": float(f1_score(y.astype(int), pred[:, 0])),
                "pr_auc": float(average_precision_score(y, p2[:, 0]))}
    return {"micro_f1": float(f1_score(y, pred, average="micro", zero_division=0)),
            "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0))}


def linear_baseline(search_csv: Path, test: pd.DataFrame) -> dict[str, float]:
    """TF-IDF + LR on the study's training rows, thresholds tuned on its validation rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    split = load_split(search_csv, DataOptions())
    _, _, y_test = targets_like(test, split.classes, split.task)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=100_000,
                                 sublinear_tf=True)
    x_train = vectorizer.fit_transform([split.texts[i] for i in split.train])
    linear = LogisticRegression(max_iter=1000, C=4.0)
    y_train = split.y[split.train]
    model = (OneVsRestClassifier(linear) if split.task is Task.MULTILABEL else linear).fit(
        x_train, y_train)

    def probs(texts: list[str]) -> np.ndarray:
        out = model.predict_proba(vectorizer.transform(texts))
        return out[:, 1:] if split.task is Task.BINARY else out

    val = probs([split.texts[i] for i in split.val])
    thresholds = tune_thresholds(split.task.value, split.y[split.val], val)
    return headline(split.task, y_test, probs(test["text"].tolist()), thresholds)


def targets_like(frame: pd.DataFrame, classes: list[str], task: Task,
                 ) -> tuple[Task, list[str], np.ndarray]:
    sets_ = label_sets(frame["label"].tolist(), "|")
    return task, classes, encode_labels(sets_, task.value, classes)


def search_and_export(search_csv: Path, folder: Path, budget: float) -> dict[str, Any]:
    """hpsearch as a user runs it, each step a fresh process; the exported model's files."""
    url = f"sqlite:///{folder / 'bench.db'}"
    hpsearch = [sys.executable, "-m", "search"]
    started = time.monotonic()
    run = subprocess.run([*hpsearch, "run", "--data", str(search_csv), "--study", "bench",
                          "--storage", url, "--timeout", str(budget), "--n-trials", "100000"],
                         capture_output=True, text=True)
    searched = time.monotonic() - started
    if run.returncode != 0:
        raise SystemExit(run.stderr[-3000:])
    status = json.loads(subprocess.run([*hpsearch, "status", "--study", "bench", "--storage",
                                        url, "--json"], capture_output=True, text=True).stdout)
    subprocess.run([*hpsearch, "export", "--study", "bench", "--storage", url, "--out",
                    str(folder / "train_best.py")], check=True, capture_output=True)
    started = time.monotonic()
    train = subprocess.run([sys.executable, str(folder / "train_best.py"), "--data",
                            str(search_csv), "--out", str(folder / "model")],
                           capture_output=True, text=True)
    if train.returncode != 0:
        raise SystemExit(train.stderr[-3000:])
    return {"search_s": searched, "retrain_s": time.monotonic() - started, "status": status,
            "model": folder / "model"}


def score_model(model_dir: Path, test: pd.DataFrame, classes: list[str],
                task: Task) -> dict[str, float]:
    import keras

    model = keras.models.load_model(model_dir / "model.keras", safe_mode=True)
    labels = json.loads((model_dir / "labels.json").read_text())
    assert labels["classes"] == classes, "the exported model has other classes"
    probs = model.predict(np.array(test["text"].tolist(), dtype=object), batch_size=256,
                          verbose=0)
    _, _, y = targets_like(test, classes, task)
    return headline(task, y, probs, labels["thresholds"])


def run_set(name: str, frame: pd.DataFrame, budget: float, root: Path) -> dict[str, Any]:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    search_csv, test = hold_out(frame, folder)
    found = search_and_export(search_csv, folder, budget)
    split = load_split(search_csv, DataOptions())
    ours = score_model(found["model"], test, split.classes, split.task)
    theirs = linear_baseline(search_csv, test)
    status = found["status"]
    best = status["best"] or {}
    return {"set": name, "task": split.task.value, "rows": len(frame), "test_rows": len(test),
            "classes": len(split.classes), "trials": status["counts"],
            "best_family": best.get("params", {}).get("family"),
            "search_s": round(found["search_s"]), "retrain_s": round(found["retrain_s"]),
            "hpsearch": ours, "tfidf_logreg": theirs}


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| set | task | metric (test) | hpsearch | TF-IDF + LR | ahead | trials "
             "(complete/pruned) | best family | search s |",
             "|---|---|---|---:|---:|---|---|---|---:|"]
    for r in results:
        trials = f"{r['trials'].get('COMPLETE', 0)}/{r['trials'].get('PRUNED', 0)}"
        for metric, value in r["hpsearch"].items():
            base = r["tfidf_logreg"][metric]
            lines.append(f"| {r['set']} | {r['task']} | {metric} | {value:.4f} | {base:.4f} | "
                         f"{'yes' if value > base else 'NO'} | {trials} | {r['best_family']} | "
                         f"{r['search_s']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=600, help="search seconds per set")
    parser.add_argument("--sets", default="fortunes,multiclass,binary,multilabel")
    parser.add_argument("--fortunes", help="path of fortunes.csv (a real 43-class set)")
    parser.add_argument("--out", help="folder to keep the studies, scripts and models in")
    args = parser.parse_args()
    root = Path(args.out or tempfile.mkdtemp(prefix="bench-vs-linear-"))
    results = []
    for name, frame in sets(args.sets.split(","), args.fortunes).items():
        results.append(run_set(name, frame, args.budget, root))
        print(json.dumps(results[-1], default=str), flush=True)
    print(f"\nbudget {args.budget:.0f} s per set, held-out test = {HELD_OUT:.0%} of rows; "
          f"files in {root}\n")
    print(table(results))


if __name__ == "__main__":
    main()
