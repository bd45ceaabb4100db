#!/usr/bin/env python3
"""Train trial 0 of hpsearch study 'bench' from scratch.

A linear model on tfidf n-grams (up to 2 words).

    python train_best.py --data search.csv --out model/
Reads the study's vocabularies from train_best.study.json (never re-fitted), makes the study's
split, trains 7 epochs (the trial's best) with seed 0, prints the validation metrics beside the
trial's, and writes model.keras (raw strings in, probabilities out), labels.json and README.md.
--full trains on every row.
"""

import argparse
import contextlib
import hashlib
import json
import sys
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import layers, ops
from sklearn import metrics
from sklearn.model_selection import train_test_split

TASK = 'multilabel'
CLASSES = ['c0', 'c1', 'c10', 'c11', 'c12', 'c13', 'c14', 'c15', 'c16', 'c17', 'c18', 'c19',
           'c2', 'c20', 'c21', 'c22', 'c23', 'c24', 'c25', 'c26', 'c27', 'c28', 'c29', 'c3',
           'c4', 'c5', 'c6', 'c7', 'c8', 'c9']
TEXT_COL, LABEL_COL, LABEL_SEP = 'text', 'label', '|'
DROP_INVALID = False  # skip rows with an empty text or no label, as the study did
VAL_FRAC, SPLIT_SEED = 0.2, 0
EPOCHS, SEED = 7, 0  # the trial's best epoch count, and its seed
BATCH_SIZE, LEARNING_RATE = 128, 0.1
# The trial's validation metrics; the study's vocabularies (never re-fitted) and facts.
TRIAL = {'val_loss': 0.0865, 'accuracy': 0.6950, 'macro_f1': 0.8110, 'micro_f1': 0.8113,
         'recall': 0.7517, 'pr_auc_micro': 0.8463}
STUDY = json.loads((Path(__file__).parent / 'train_best.study.json').read_text(encoding="utf-8"))
TEXT = {"standardize": "lower_and_strip_punctuation", "split": "whitespace"}


def fail(message):
    """Refuse input this script cannot use, as hpsearch does: the reason, exit status 2."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


# ---- Read the data, with the study's rules -------------------------------------------------
def label_names(cell):
    """A label cell as the study read it: a JSON list, or (multi-label) text split on
    LABEL_SEP; numbers named as written (0 stays "0")."""
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
    """Texts and targets of a data file, read as the study read it."""
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
                                **({"sep": "\t", "quoting": 3} if suffix == ".tsv" else {}))
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
    y = np.array([[c in sets[i] for c in CLASSES] for i in keep], dtype="float32")
    return [texts[i] for i in keep], y.reshape(len(keep), len(CLASSES))


# ---- The study's split ---------------------------------------------------------------------
def split_rows(y, path):
    """(training, validation) rows: the study's own split when ``path`` is its data file,
    else a new stratified one."""
    if hashlib.sha256(Path(path).read_bytes()).hexdigest() == STUDY["data_sha256"]:
        val = np.asarray(STUDY["val_rows"], dtype=int)
    else:
        print(f"{path} is not the study's data file: a new split of its rows")
        single = TASK != "multilabel" and np.bincount(y.astype(int)).min() >= 2
        val = train_test_split(np.arange(len(y)), test_size=VAL_FRAC, random_state=SPLIT_SEED,
                               stratify=y if single else None)[1]
    return np.setdiff1d(np.arange(len(y)), val), np.sort(val)


# ---- The vectorizer, rebuilt from the study's vocabularies ---------------------------------
def network_inputs(texts):
    """Each text as the trial's network read it: ids as (values, row splits), the n-gram bag
    as (columns, weights, row splits)."""
    texts, inputs = tf.constant(texts), {}
    counts = layers.TextVectorization(vocabulary=STUDY["ngrams"], ngrams=2,
                                      output_mode="count", sparse=True, **TEXT)(texts)
    rows, columns = counts.indices.numpy().T
    keep = columns > 0  # column 0: n-grams not in the vocabulary, left out
    rows, columns = rows[keep], columns[keep]
    weights = counts.values.numpy()[keep].astype("float32")
    idf = np.asarray([0.0, *STUDY["idf"]], dtype="float32")
    weights = (np.float32(1.0) + np.log(weights)) * idf[columns]  # sublinear tf x idf
    norms = np.sqrt(np.bincount(rows, weights=weights.astype("float64") ** 2,
                                minlength=len(texts)))  # each row scaled to unit length
    weights = (weights / np.maximum(norms[rows], 1e-12)).astype("float32")
    splits = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(texts)))])
    inputs["ngrams"] = columns, weights, splits
    return inputs


# ---- The model -----------------------------------------------------------------------------
def build_network(sparse=True, embedding_matrix=None):
    """A linear model on tfidf n-grams (up to 2 words)."""
    # The n-gram bag: 35064 n-grams of up to 2 words, tfidf, each row of unit length.
    ngrams = keras.Input((35065,), sparse=sparse, name="ngrams")
    # Straight into the output: a linear model on the bag.
    logits = layers.Dense(30, dtype="float32", kernel_regularizer=keras.regularizers.L2(1e-06),
                          name="wide")(ngrams)
    return keras.Model({"ngrams": ngrams}, logits, name="network")


# ---- Training ------------------------------------------------------------------------------
def batch_rows(n_rows, rng):
    """One epoch's batches: rows shuffled (a bag costs the same whatever the text's length)."""
    order = rng.permutation(n_rows)
    return [order[i:i + BATCH_SIZE] for i in range(0, n_rows, BATCH_SIZE)]


def network_batch(inputs, rows):
    """Ids padded with 0 (masked), and the bag as a sparse tensor, for these rows."""
    batch = {}
    columns, weights, splits = inputs["ngrams"]
    at = np.concatenate([np.arange(splits[r], splits[r + 1]) for r in rows])
    at_row = np.repeat(np.arange(len(rows)), np.diff(splits)[rows])
    batch["ngrams"] = tf.SparseTensor(np.stack([at_row, columns[at]], axis=1).astype("int64"),
                                      weights[at], (len(rows), 35065))
    return batch


def training_batches(inputs, y, weights):
    """Batches drawn anew each epoch from one seeded generator, as the trial drew them."""
    rng = np.random.default_rng(SEED)

    def epoch():
        for rows in batch_rows(len(y), rng):
            x = network_batch(inputs, rows)
            yield (x, y[rows]) if weights is None else (x, y[rows], weights[rows])

    spec = {"ngrams": tf.SparseTensorSpec([None, 35065], tf.float32)}
    spec = (spec, tf.TensorSpec([None, *y.shape[1:]], tf.as_dtype(y.dtype)))
    if weights is not None:
        spec = (*spec, tf.TensorSpec([None], tf.float32))
    return tf.data.Dataset.from_generator(epoch, output_signature=spec).prefetch(2)


# ---- Evaluation ----------------------------------------------------------------------------
def per_class(p, r, f, s):
    return {c: {"precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
            for i, c in enumerate(CLASSES)}


def best_threshold(y, p):
    """The probability cut that maximises F1 on these rows (0.5 if y is all one value)."""
    if y.sum() == 0 or y.sum() == len(y):
        return 0.5
    precision, recall, cuts = metrics.precision_recall_curve(y, p)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-7)
    return float(cuts[int(np.argmax(f1))])


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


# ---- Saving --------------------------------------------------------------------------------
def text_model(trained):
    """Raw strings in, probabilities out: the vectorizer layers, then the trained network."""
    network = build_network(sparse=False)
    network.set_weights(trained.get_weights())
    text, fed = keras.Input(shape=(), dtype="string", name="text"), {}
    counts = layers.TextVectorization(
        vocabulary=STUDY["ngrams"], ngrams=2, name="ngram_counts",
        output_mode='count', **TEXT)(text)
    bag = ops.cast(counts, "float32")
    bag = ops.where(ops.greater(bag, 0.0), 1.0 + ops.log(ops.maximum(bag, 1.0)), 0.0)
    scale = [0.0, *STUDY["idf"]]  # column 0, n-grams not in the vocabulary, weighs 0
    bag = layers.Rescaling(scale=scale, name="ngram_weights")(bag)
    fed["ngrams"] = layers.UnitNormalization(name="unit_length")(bag)
    probs = layers.Activation("sigmoid", dtype="float32", name="probabilities")
    return keras.Model(text, probs(network(fed)), name="text_classifier")


def model_card(scores, command):
    """README.md of the saved model: what it is, where it comes from, how it scored."""
    info = STUDY["info"]
    columns = {**({"this model": scores} if scores else {}), "the trial": TRIAL,
               **info["baselines"]}
    lines = [f"# {info['description']}", "", f"hpsearch study `{info['study']}`, trial "
             f"{info['trial']}, data `{info['data_file']}` (fingerprint "
             f"`{info['data_fingerprint'][:16]}`); made by `{command}`. Raw strings in, "
             "probabilities out; labels.json holds the classes and thresholds.", "",
             "| metric | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    lines += [f"| {k} | " + " | ".join(f"{c.get(k, float('nan')):.4f}" for c in columns.values())
              + " |" for k in TRIAL]
    lines += ["", "| class | precision | recall | F1 | rows |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
              f"{m['support']} |" for c, m in (scores or info)["per_class"].items()]
    return "\n".join([*lines, "", "```json", json.dumps(info["params"], indent=2), "```", ""])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="CSV, TSV, JSON Lines or Parquet file")
    parser.add_argument("--out", required=True, help="folder for the model and its card")
    parser.add_argument("--val-data", help="validation file instead of the study's split")
    parser.add_argument("--full", action="store_true",
                        help="train on training and validation rows (then no validation score)")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(SEED)
    texts, y = read_rows(args.data)
    if args.val_data:
        val_texts, y_val = read_rows(args.val_data)
    else:
        train, val = split_rows(y, args.data)
        texts, y, val_texts, y_val = ([texts[i] for i in train], y[train],
                                      [texts[i] for i in val], y[val])
    if args.full:
        print("--full: training on every row, so there is no validation score")
        texts, y = texts + val_texts, np.concatenate([y, y_val])
    network = build_network()
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    network.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE), loss=loss,
                    jit_compile=False)
    weights = None
    batches = training_batches(network_inputs(texts), y, weights)
    network.fit(batches, epochs=EPOCHS, verbose=2, shuffle=False)
    model, scores = text_model(network), None
    if not args.full:  # the saved model itself, on raw validation texts
        scores = evaluate(y_val, model.predict(np.array(val_texts, dtype=object), verbose=0))
        for name, found in (("this model", scores), ("the trial", TRIAL)):
            print(f"{name:11} " + "  ".join(f"{k} {found[k]:.4f}" for k in TRIAL
                                            if isinstance(found.get(k), float)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "model.keras")
    thresholds = (scores or STUDY["info"]["trial_metrics"]).get("thresholds")
    (out / "labels.json").write_text(json.dumps({"classes": CLASSES, "task": TASK,
                                                 "thresholds": thresholds}, indent=2))
    (out / "README.md").write_text(model_card(scores, "python " + " ".join(sys.argv)))
    print(f"wrote {out}/model.keras, labels.json and README.md")


if __name__ == "__main__":
    main()
