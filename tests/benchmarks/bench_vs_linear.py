"""The model hpsearch hands back against the expert's linear model and TF-IDF + logistic
regression, on data the search never saw.

    python -m tests.benchmarks.bench_vs_linear --budget 600 --fortunes ../shared/data/fortunes.csv
    python -m tests.benchmarks.bench_vs_linear --budget 120 --sets multiclass,binary
    python -m tests.benchmarks.bench_vs_linear --peers-only --sets multiclass,binary

For each set (fortunes.csv if given; generated multi-class, 2%-positive binary and sparse
multi-label sets of 15,000 rows; a generated 24,000-row, 53-class set of longer texts; and, when
named, ``bench_case``'s 30-class sets written in Cyrillic or accented Latin and cased as prose:
``cyrillic``, ``latin-accented``), 20% of the rows are held out as a test set the search never
sees. On the rest:

- hpsearch as a user runs it: ``hpsearch run --timeout BUDGET`` (the budget counted from
  Enter), then ``hpsearch export --model`` (the study's answer: its ensemble when one beat the
  best trial on the held rows, refitted on every labelled row when the run had time); the
  saved model, with its labels.json thresholds, is scored on the test rows. From the study:
  seconds from Enter to the end of ``create``, and to the first finished trial; the answer's
  honest estimate (on the held validation rows) beside the test score of the same model before
  its refit; the refit's gain on test; the trials finished and how many the sampler picked
  (not queued starting points); a kept ensemble's gain on test over the best trial.
- the expert's model, fitted by scikit-learn outside hpsearch: TF-IDF of words (1-2) and
  characters (char_wb, 2-5) into LinearSVC, C and class weights chosen on the study's own
  validation rows (C 0.1, 0.3, 1, 3; none or balanced; thresholds tuned there for binary and
  multi-label), then refit on every search row (training and validation) at those settings and
  scored on the test rows; beside it, in brackets, the chosen model before that refit;
- TF-IDF (words and pairs) + logistic regression (C = 4), its thresholds tuned on the
  validation rows, then refit on every search row.

All on the same machine in the same run. Prints one JSON line per set, then a Markdown table.
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
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from search.data import LabelledSplit, encode_labels, label_sets, load_split, split_indices
from search.metrics import tune_thresholds
from search.options import DataOptions
from spaces import Task
from tests.benchmarks._realistic import realistic_frame
from tests.benchmarks.bench_case import ALPHABETS, written

GENERATED = {"multiclass": (Task.MULTICLASS, {}), "binary": (Task.BINARY, {}),
             "multilabel": (Task.MULTILABEL, {}),
             "multiclass24k": (Task.MULTICLASS, {"rows": 24_000, "classes": 53,
                                                 "lengths": (20, 120)})}
HELD_OUT, SEED = 0.2, 1234
EXPERT_GRID = [(c, w) for c in (0.1, 0.3, 1.0, 3.0) for w in (None, "balanced")]


def sets(names: list[str], fortunes: str | None) -> dict[str, pd.DataFrame]:
    found: dict[str, pd.DataFrame] = {}
    if fortunes and "fortunes" in names:
        found["fortunes"] = pd.read_csv(fortunes, dtype=str, keep_default_na=False)
    for name, (task, shape) in GENERATED.items():
        if name in names:
            found[name] = realistic_frame(task, **{"rows": 15_000, "seed": 7, **shape})
    for name, alphabet in ALPHABETS.items():  # bench_case's sets: text cased as prose
        if name in names:
            found[name] = written(realistic_frame(Task.MULTICLASS, rows=15_000, classes=30,
                                                  seed=7), alphabet, seed=7)
    return found


def targets(frame: pd.DataFrame, classes: list[str] | None = None,
            task: Task | None = None) -> tuple[Task, list[str], np.ndarray]:
    sets_ = label_sets(frame["label"].tolist(), "|")
    classes = classes or sorted({c for s in sets_ for c in s})
    task = task or (Task.MULTILABEL if any(len(s) != 1 for s in sets_)
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


def _texts(split: LabelledSplit, rows: np.ndarray) -> list[str]:
    return [split.texts[i] for i in rows]


def _objective(task: Task, y: np.ndarray, scores: np.ndarray) -> float:
    """The study's default objective on validation: macro-F1, PR-AUC, micro-F1."""
    if task is Task.MULTICLASS:
        return float(f1_score(y, scores.argmax(axis=1), average="macro"))
    if task is Task.BINARY:
        return float(average_precision_score(y, scores[:, 0]))
    thresholds = tune_thresholds(task.value, y, scores)
    return float(f1_score(y, (scores >= np.asarray(thresholds)).astype(int),
                          average="micro", zero_division=0))


def expert(split: LabelledSplit, test: pd.DataFrame) -> dict[str, Any]:
    """Words + characters TF-IDF into LinearSVC, C and class weights picked on validation, then
    refit on every search row (training + validation) at those settings, as the expert does;
    thresholds (binary, multi-label) tuned on validation before the refit. Also the model as
    chosen, fitted on the training rows only ("as_chosen")."""
    started = time.monotonic()

    def bag(rows: np.ndarray) -> tuple[Any, sp.csr_matrix]:
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        texts = _texts(split, rows)
        return (words, chars), sp.hstack([words.fit_transform(texts),
                                          chars.fit_transform(texts)]).tocsr()

    def fit(bagged: tuple[Any, sp.csr_matrix], rows: np.ndarray, c: float,
            weight: str | None) -> Any:
        vectorizers, x = bagged
        y = split.y[rows]
        model = LinearSVC(C=c, class_weight=weight)
        present = y.sum(axis=0) > 0 if split.task is Task.MULTILABEL else None
        model = (OneVsRestClassifier(model).fit(x, y[:, present]) if present is not None
                 else model.fit(x, y))
        return vectorizers, model, present

    def features(vectorizers: tuple[Any, Any], texts: list[str]) -> sp.csr_matrix:
        words, chars = vectorizers
        return sp.hstack([words.transform(texts), chars.transform(texts)]).tocsr()

    def scores(fitted: Any, x: sp.csr_matrix) -> np.ndarray:
        _, model, present = fitted
        out = model.decision_function(x)
        if present is not None:
            full = np.full((x.shape[0], len(split.classes)), -10.0)
            full[:, present] = out
            return full
        return out.reshape(x.shape[0], -1)

    y_val = split.y[split.val]
    training = bag(split.train)
    x_val = features(training[0], _texts(split, split.val))  # once, for every grid point
    best = None  # (its validation score, C and weight, the model)
    for cw in EXPERT_GRID:
        model = fit(training, split.train, *cw)
        score = _objective(split.task, y_val, scores(model, x_val))
        if best is None or score > best[0]:
            best = score, cw, model
    assert best is not None
    _, chosen, as_chosen = best
    thresholds = (None if split.task is Task.MULTICLASS
                  else tune_thresholds(split.task.value, y_val, scores(as_chosen, x_val)))
    every = np.concatenate([split.train, split.val])
    refit = fit(bag(every), every, *chosen)
    _, _, y_test = targets(test, split.classes, split.task)
    texts = test["text"].tolist()
    return {"metrics": headline(split.task, y_test,
                                scores(refit, features(refit[0], texts)), thresholds),
            "as_chosen": headline(split.task, y_test,
                                  scores(as_chosen, features(training[0], texts)), thresholds),
            "C": chosen[0], "class_weight": chosen[1], "seconds": time.monotonic() - started}


def linear_baseline(split: LabelledSplit, test: pd.DataFrame) -> dict[str, float]:
    """TF-IDF + LR (C 4): thresholds tuned on the validation rows with the model fitted on the
    training rows, then fitted again on every search row."""

    def fit(rows: np.ndarray) -> Any:
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=100_000,
                                     sublinear_tf=True)
        x = vectorizer.fit_transform(_texts(split, rows))
        linear = LogisticRegression(max_iter=1000, C=4.0)
        model = OneVsRestClassifier(linear) if split.task is Task.MULTILABEL else linear
        return vectorizer, model.fit(x, split.y[rows])

    def probs(fitted: Any, texts: list[str]) -> np.ndarray:
        vectorizer, model = fitted
        out = model.predict_proba(vectorizer.transform(texts))
        return out[:, 1:] if split.task is Task.BINARY else out

    thresholds = tune_thresholds(split.task.value, split.y[split.val],
                                 probs(fit(split.train), _texts(split, split.val)))
    refit = fit(np.concatenate([split.train, split.val]))
    _, _, y_test = targets(test, split.classes, split.task)
    return headline(split.task, y_test, probs(refit, test["text"].tolist()), thresholds)


def search_and_export(search_csv: Path, folder: Path, budget: float) -> dict[str, Any]:
    """hpsearch as a user runs it, each step a fresh process; timings read off the study."""
    import optuna

    url = f"sqlite:///{folder / 'bench.db'}"
    hpsearch = [sys.executable, "-m", "search"]
    entered, wall = time.time(), time.monotonic()
    run = subprocess.run([*hpsearch, "run", "--data", str(search_csv), "--study", "bench",
                          "--storage", url, "--timeout", str(budget), "--n-trials", "100000"],
                         capture_output=True, text=True)
    searched = time.monotonic() - wall
    if run.returncode != 0:
        raise SystemExit(run.stderr[-3000:])
    study = optuna.load_study(study_name="bench", storage=url)
    created = study.user_attrs["hpsearch"]["created_at"] - entered
    finished = [t.datetime_complete.timestamp() for t in study.trials if t.datetime_complete
                and t.state.name == "COMPLETE"]
    status = json.loads(subprocess.run([*hpsearch, "status", "--study", "bench", "--storage",
                                        url, "--json"], capture_output=True, text=True).stdout)
    subprocess.run([*hpsearch, "export", "--study", "bench", "--storage", url, "--model",
                    str(folder / "model")], check=True, capture_output=True)
    ensemble = study.user_attrs.get("hpsearch_ensemble")
    answer = status.get("answer") or {}
    chosen = unrefitted = None
    if answer:  # the best trial as the search chose it (trained on the training rows)
        subprocess.run([*hpsearch, "export", "--study", "bench", "--storage", url, "--model",
                        str(folder / "chosen"), "--trial", str(answer["best_trial"])],
                       check=True, capture_output=True)
        chosen = folder / "chosen"
    if ensemble:  # the kept ensemble as selected, before its refit
        unrefitted = _ensemble_as_selected(url, folder / "ensemble", ensemble)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    walked = sum(1 for t in complete if "walked_from" in t.user_attrs)
    sampled = sum(1 for t in complete if "walked_from" not in t.user_attrs
                  and "starting_point" not in t.user_attrs)
    return {"search_s": searched, "create_s": created, "answer": answer, "chosen": chosen,
            "unrefitted": unrefitted,
            "sampled": sampled, "walked": walked,
            "first_trial_s": min(finished) - entered if finished else None,
            "status": status, "model": folder / "model",
            "ensemble": None if not ensemble else [m["trial"] for m in ensemble["members"]],
            "log": run.stderr}


def _ensemble_as_selected(url: str, folder: Path, record: dict[str, Any]) -> Path:
    """The study's ensemble model as selection kept it (before any refit), with its labels."""
    import storage
    from search.study import ENSEMBLE_KEY, open_study

    study, config = open_study("bench", url)
    found = storage.get_blob(storage.storage_of(study), "bench", ENSEMBLE_KEY)
    if found is None:
        raise SystemExit("the study records an ensemble but keeps no model of it")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.keras").write_bytes(found[0])
    (folder / "labels.json").write_text(json.dumps({
        "classes": config.classes, "task": config.task.value,
        "thresholds": record.get("thresholds")}))
    return folder


def score_model(model_dir: Path, test: pd.DataFrame, classes: list[str],
                task: Task) -> dict[str, float]:
    """The exported model's headline metrics on the held-out rows, at its labels.json
    thresholds, read as a user reads it (``search.load_model``)."""
    from search import load_model

    model = load_model(model_dir, batch_size=64)
    assert model.classes == classes, "the exported model has other classes"
    probs = model.outputs(test["text"].tolist())
    _, _, y = targets(test, classes, task)
    return headline(task, y, probs, model.thresholds)


def peers(name: str, frame: pd.DataFrame, root: Path) -> dict[str, Any]:
    """The expert's model and TF-IDF + LR alone, on the split ``run_set`` uses."""
    folder = root / f"{name}-peers"
    folder.mkdir(parents=True, exist_ok=True)
    search_csv, test = hold_out(frame, folder)
    split = load_split(search_csv, DataOptions())
    return {"set": name, "expert": expert(split, test),
            "tfidf_logreg": linear_baseline(split, test)}


def run_set(name: str, frame: pd.DataFrame, budget: float, root: Path) -> dict[str, Any]:
    folder = root / f"{name}-{budget:.0f}"
    folder.mkdir(parents=True, exist_ok=True)
    search_csv, test = hold_out(frame, folder)
    found = search_and_export(search_csv, folder, budget)
    split = load_split(search_csv, DataOptions())
    status = found["status"]
    best = status["best"] or {}
    return {"set": name, "budget": budget, "task": split.task.value, "rows": len(frame),
            "objective": status.get("metric"),
            "test_rows": len(test), "classes": len(split.classes), "trials": status["counts"],
            "best_family": best.get("params", {}).get("family"), "ensemble": found["ensemble"],
            "search_s": round(found["search_s"]), "create_s": round(found["create_s"], 1),
            "first_trial_s": found["first_trial_s"] and round(found["first_trial_s"], 1),
            "hpsearch": score_model(found["model"], test, split.classes, split.task),
            "chosen": found["chosen"] and score_model(found["chosen"], test, split.classes,
                                                      split.task),
            "unrefitted": found["unrefitted"] and score_model(found["unrefitted"], test,
                                                              split.classes, split.task),
            "estimate": (found["answer"] or {}).get("estimate"),
            "sampled": found["sampled"], "walked": found["walked"],
            "expert": expert(split, test), "tfidf_logreg": linear_baseline(split, test)}


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| set | budget s | metric (test) | hpsearch | expert, refitted (as chosen) "
             "| TF-IDF + LR | honest estimate [90%] (its test score) | refit gain on test | trials "
             "(complete/pruned, sampled, walked along C) | best | create s | first trial s "
             "| run s |",
             "|---|---:|---|---:|---:|---:|---|---:|---|---|---:|---:|---:|"]
    for r in results:
        trials = f"{r['trials'].get('COMPLETE', 0)}/{r['trials'].get('PRUNED', 0)}"
        best = ("ensemble " + ",".join(map(str, r["ensemble"])) if r["ensemble"]
                else r["best_family"])
        trials += f", {r['sampled']}, {r.get('walked', 0)}"
        estimate = r["estimate"]
        for metric, value in r["hpsearch"].items():
            # The refit's gain: the answer against itself as chosen (an ensemble: as selected);
            # an ensemble's: as selected, against the best trial as chosen.
            before = r["unrefitted"] or r["chosen"]
            # The estimate describes the answer before its refit: its test score beside it.
            honest = (f"{estimate['value']:.4f} [{estimate['low']:.4f}, {estimate['high']:.4f}]"
                      + (f" (test {before[metric]:.4f})" if before else "")
                      if estimate and metric == r["objective"] else "")
            gain = f"{value - before[metric]:+.4f}" if before else "-"
            kept = (f"{best} ({r['unrefitted'][metric] - r['chosen'][metric]:+.4f} on test)"
                    if r["unrefitted"] and r["chosen"] else best)
            lines.append(
                f"| {r['set']} | {r['budget']:.0f} | {metric} | {value:.4f} | "
                f"{r['expert']['metrics'][metric]:.4f} ({r['expert']['as_chosen'][metric]:.4f}) | "
                f"{r['tfidf_logreg'][metric]:.4f} | "
                f"{honest} | {gain} | {trials} | {kept} | {r['create_s']} | "
                f"{r['first_trial_s']} | {r['search_s']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="600", help="search seconds per set; several "
                        "comma-separated (600,120)")
    parser.add_argument("--sets", default="fortunes,multiclass,binary,multilabel,"
                                          "multiclass24k")
    parser.add_argument("--fortunes", help="path of fortunes.csv (a real 43-class set)")
    parser.add_argument("--out", help="folder to keep the studies and models in")
    parser.add_argument("--peers-only", action="store_true", help="no search: print the "
                        "expert's model's and TF-IDF + LR's test metrics on each set")
    args = parser.parse_args()
    root = Path(args.out or tempfile.mkdtemp(prefix="bench-vs-linear-"))
    if args.peers_only:
        for name, frame in sets(args.sets.split(","), args.fortunes).items():
            print(json.dumps(peers(name, frame, root), default=str), flush=True)
        return
    results = []
    for budget in (float(b) for b in args.budget.split(",")):
        for name, frame in sets(args.sets.split(","), args.fortunes).items():
            result = run_set(name, frame, budget, root)
            results.append(result)
            print(json.dumps(result, default=str), flush=True)
    print(f"\nheld-out test = {HELD_OUT:.0%} of rows; files in {root}\n")
    print(table(results))


if __name__ == "__main__":
    main()
