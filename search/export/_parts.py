"""The task-specific functions of the exported script, as code: reading the data, the split,
the evaluation, and the model card. Each mirrors what hpsearch does for the study (the tests run
the rendered script's functions against ``search.data`` and ``search.metrics``).
"""

from __future__ import annotations

READER = '''\
def label_set(cell):
    \"\"\"A label cell as labels: a JSON list, or text split on LABEL_SEP.\"\"\"
    if isinstance(cell, (list, tuple, np.ndarray)):
        return [str(v).strip() for v in cell if str(v).strip()]
    text = "" if cell is None or pd.isna(cell) else str(cell).strip()
    return [p.strip() for p in (text.split(LABEL_SEP) if LABEL_SEP else [text]) if p.strip()]


def read_rows(path):
    \"\"\"Texts and targets of a data file, read as the study read it.\"\"\"
    path, suffix = Path(path), Path(path).suffix.lower()
    if not path.is_file():
        fail(f"{path} is not a file; pass the data file with --data.")
    try:
        if suffix in (".jsonl", ".json", ".ndjson"):
            frame = pd.read_json(path, lines=True, dtype=False)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            tsv = {"sep": "\\t", "quoting": 3} if suffix == ".tsv" else {}
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], **tsv)
    except (OSError, ValueError) as exc:
        fail(f"could not read {path}: {exc}")
    for column in (TEXT_COL, LABEL_COL):
        if column not in frame.columns:
            fail(f"{path} has no column {column!r}; it has {', '.join(map(str, frame.columns))}.")
    texts = frame[TEXT_COL].astype("string").fillna("").str.strip().tolist()
    sets = [label_set(cell) for cell in frame[LABEL_COL].tolist()]
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

SPLIT_SINGLE = '''\
def split_rows(y):
    """(training, validation) rows: each class in both parts in proportion (a class of one
    row stays in training), drawn with the study's seed."""
    rng = np.random.default_rng(SPLIT_SEED)
    val = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        if len(rows) >= 2:
            val[rows[:min(max(int(round(VAL_FRAC * len(rows))), 1), len(rows) - 1)]] = True
    return np.flatnonzero(~val), np.flatnonzero(val)
'''

SPLIT_MULTILABEL = '''\
def split_rows(y):
    """(training, validation) rows by iterative stratification (Sechidis et al., 2011): label
    by label, rarest first, each row to the part that most needs its labels."""
    rng = np.random.default_rng(SPLIT_SEED)
    y = np.asarray(y) > 0
    fractions = np.array([1.0 - VAL_FRAC, VAL_FRAC])
    want_rows = fractions * len(y)
    want_label = np.outer(fractions, y.sum(axis=0)).astype("float64")
    part, left = np.full(len(y), -1), y.copy()
    while left.any():
        counts = left.sum(axis=0)
        label = int(np.argmin(np.where(counts > 0, counts, np.iinfo(np.int64).max)))
        for row in rng.permutation(np.flatnonzero(left[:, label])):
            need = want_label[:, label]
            best = np.flatnonzero(need == need.max())
            if len(best) > 1:
                best = best[want_rows[best] == want_rows[best].max()]
            j = int(rng.choice(best))
            part[row] = j
            want_rows[j] -= 1
            want_label[j] -= y[row]
            left[row] = False
    for row in rng.permutation(np.flatnonzero(part < 0)):
        j = int(np.argmax(want_rows))
        part[row] = j
        want_rows[j] -= 1
    return np.flatnonzero(part == 0), np.flatnonzero(part == 1)
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
SPLITTERS = {"multiclass": SPLIT_SINGLE, "binary": SPLIT_SINGLE,
             "multilabel": SPLIT_MULTILABEL}
