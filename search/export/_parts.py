"""The task-specific functions of the exported script, as code: reading the data, the split,
the evaluation, and the model card. Each mirrors what hpsearch does for the study (the tests run
the rendered script's functions against ``search.data`` and ``search.metrics``).
"""

from __future__ import annotations

READER = '''\
def label_names(cell):
    \"\"\"A label cell as the study read it: a JSON list, or (multi-label) text split on
    LABEL_SEP; numbers named as written (0 stays "0").\"\"\"
    text = cell.strip() if isinstance(cell, str) else ""
    if text[:1] == "[" and text[-1:] == "]":
        with contextlib.suppress(ValueError):  # "[draft]" is a label, not a broken list
            listed = json.loads(text)
            cell = listed if isinstance(listed, list) else cell
    if isinstance(cell, str):
        cell = cell.split(LABEL_SEP) if TASK == "multilabel" and LABEL_SEP else [cell]
    elif not isinstance(cell, (list, tuple, np.ndarray)):
        cell = [cell]
    names = [("true" if v else "false") if isinstance(v, (bool, np.bool_))
             else str(int(v)) if isinstance(v, (int, np.integer))
             else repr(float(v)) if isinstance(v, (float, np.floating)) else str(v).strip()
             for v in cell if v is not None and v is not pd.NA and not (
                 isinstance(v, (float, np.floating)) and np.isnan(v))]
    return [n for n in names if n]


def read_rows(path):
    \"\"\"Texts and targets of a data file, read as the study read it.\"\"\"
    path, suffix = Path(path), Path(path).suffix.lower()
    if not path.is_file():
        fail(f"{path} is not a file; pass the data file with --data.")
    try:
        if suffix in (".jsonl", ".json", ".ndjson"):
            rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
            frame = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object)
                                  for c in (TEXT_COL, LABEL_COL) if any(c in r for r in rows)})
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                                **({"sep": "\\t", "quoting": 3} if suffix == ".tsv" else {}))
    except (OSError, ValueError) as exc:
        fail(f"could not read {path}: {exc}")
    for column in (TEXT_COL, LABEL_COL):
        if column not in frame.columns:
            fail(f"{path} has no column {column!r}; it has {', '.join(map(str, frame.columns))}.")
    texts = frame[TEXT_COL].astype("string").fillna("").str.strip().tolist()
    sets = [label_names(cell) for cell in frame[LABEL_COL].tolist()]
    bad = {i for i, (text, labels) in enumerate(zip(texts, sets, strict=True))
           if not text or (TASK != "multilabel" and len(labels) != 1)}
    if bad and not DROP_INVALID:
        fail(f"{path}: {len(bad)} row(s) with an empty text or not one label (rows "
             f"{sorted(i + 1 for i in bad)[:10]}, counted from 1 after the header).")
    unknown = sorted({label for labels in sets for label in labels} - set(CLASSES))
    if unknown:
        fail(f"{path}: labels the study never saw: {unknown[:10]}.")
    keep = [i for i in range(len(texts)) if i not in bad]
'''

READ_TARGETS = {
    "multiclass": '''\
    return [texts[i] for i in keep], np.array([CLASSES.index(sets[i][0]) for i in keep])
''',
    "binary": '''\
    return ([texts[i] for i in keep],
            np.array([CLASSES.index(sets[i][0]) for i in keep], dtype="float32"))
''',
    "multilabel": '''\
    y = np.array([[c in sets[i] for c in CLASSES] for i in keep], dtype="float32")
    return [texts[i] for i in keep], y.reshape(len(keep), len(CLASSES))
''',
}

SPLIT = '''\
def split_rows(y, path):
    \"\"\"(training, validation) rows: the study's own split when ``path`` is its data file,
    else a new stratified one.\"\"\"
    if hashlib.sha256(Path(path).read_bytes()).hexdigest() == STUDY["data_sha256"]:
        val = np.asarray(STUDY["val_rows"], dtype=int)
    else:
        print(f"{path} is not the study's data file: a new split of its rows")
        single = TASK != "multilabel" and np.bincount(y.astype(int)).min() >= 2
        val = train_test_split(np.arange(len(y)), test_size=VAL_FRAC, random_state=SPLIT_SEED,
                               stratify=y if single else None)[1]
    return np.setdiff1d(np.arange(len(y)), val), np.sort(val)
'''

_PER_CLASS = '''\
def per_class(p, r, f, s):
    return {c: {"precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
            for i, c in enumerate(CLASSES)}
'''

EVALUATE_MULTICLASS = _PER_CLASS + '''

def evaluate(y, probs):
    """Plain (unweighted) cross-entropy, accuracy and macro-F1, as the trial scored them."""
    probs = np.clip(np.asarray(probs, dtype="float64"), 1e-7, 1 - 1e-7)
    pred, labels = probs.argmax(axis=1), list(range(len(CLASSES)))
    p, r, f, s = metrics.precision_recall_fscore_support(y, pred, labels=labels,
                                                         zero_division=0)
    return {"val_loss": float(-np.mean(np.log(probs[np.arange(len(y)), y]))),
            "accuracy": float(np.mean(pred == y)),
            "macro_f1": float(metrics.f1_score(y, pred, labels=labels, average="macro",
                                               zero_division=0)),
            "per_class": per_class(p, r, f, s)}
'''

_THRESHOLD = '''\
def best_threshold(y, p):
    """The probability cut that maximises F1 on these rows (0.5 if y is all one value)."""
    if y.sum() == 0 or y.sum() == len(y):
        return 0.5
    precision, recall, cuts = metrics.precision_recall_curve(y, p)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-7)
    return float(cuts[int(np.argmax(f1))])
'''

EVALUATE_BINARY = _PER_CLASS + "\n\n" + _THRESHOLD + '''

def evaluate(y, probs):
    """Cross-entropy, F1 of the positive class at the F1-best threshold, and PR-AUC."""
    y, p = np.asarray(y).astype(int).reshape(-1), np.clip(np.asarray(probs).reshape(-1),
                                                          1e-7, 1 - 1e-7)
    threshold = best_threshold(y, p)
    pred = (p >= threshold).astype(int)
    pr, rc, f, s = metrics.precision_recall_fscore_support(y, pred, labels=[0, 1],
                                                           zero_division=0)
    return {"val_loss": float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
            "accuracy": float(np.mean(pred == y)), "macro_f1": float(np.mean(f)),
            "f1_positive": float(f[1]),
            "pr_auc": float(metrics.average_precision_score(y, p)) if y.any() else 0.0,
            "thresholds": [threshold], "per_class": per_class(pr, rc, f, s)}
'''

EVALUATE_MULTILABEL = _PER_CLASS + "\n\n" + _THRESHOLD + '''

def evaluate(y, probs):
    """Cross-entropy, micro- and macro-F1 at each label's F1-best threshold."""
    y, p = np.asarray(y).astype(int), np.clip(np.asarray(probs), 1e-7, 1 - 1e-7)
    thresholds = [best_threshold(y[:, j], p[:, j]) for j in range(y.shape[1])]
    pred = (p >= np.asarray(thresholds)).astype(int)
    pr, rc, f, s = metrics.precision_recall_fscore_support(y, pred, zero_division=0)
    present = y.sum(axis=0) > 0
    return {"val_loss": float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
            "accuracy": float(np.mean((pred == y).all(axis=1))),
            "macro_f1": float(np.mean(f[present])) if present.any() else 0.0,
            "micro_f1": float(metrics.f1_score(y, pred, average="micro", zero_division=0)),
            "thresholds": thresholds, "per_class": per_class(pr, rc, f, s)}
'''

EVALUATORS = {"multiclass": EVALUATE_MULTICLASS, "binary": EVALUATE_BINARY,
              "multilabel": EVALUATE_MULTILABEL}
