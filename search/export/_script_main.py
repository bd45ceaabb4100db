"""The exported training script's entry point.

``hpsearch export`` writes this module, with the modules it imports from ``search`` and
``spaces`` inlined above it and CONFIG filled in, as one file that needs only tensorflow,
numpy, pandas and scikit-learn. It trains the chosen configuration from scratch on the same
split rules, saves a model that takes raw strings and returns class probabilities, and prints
its validation metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from search.data._embeddings import load_embedding_matrix
from search.data._labels import encode_labels, label_sets
from search.data._split import split_indices
from search.metrics._evaluate import evaluate
from search.training._batches import eval_batches, logits_function, predict_logits, train_batches
from spaces._losses import label_positive_weights, row_weights
from spaces._model import build_model, probabilities

CONFIG: dict = {}
warnings.filterwarnings("ignore", message="Your input ran out of data")
warnings.filterwarnings("ignore", message=".*does not support masking")


def read_table(path, text_col, label_col):
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return pd.read_json(path, lines=True, dtype=False)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    sep = "\t" if suffix == ".tsv" else ","
    return pd.read_csv(path, sep=sep, dtype={text_col: "string", label_col: "string"},
                       keep_default_na=False, na_values=[""])


def load_rows(path, config):
    """Texts and label sets, skipping rows the study could not use (reported)."""
    frame = read_table(path, config["text_col"], config["label_col"])
    texts = frame[config["text_col"]].astype("string").fillna("").str.strip().tolist()
    sets = label_sets(frame[config["label_col"]].tolist(), config["label_sep"])
    single = config["task"] != "multilabel"
    keep = [bool(t) and (bool(s) or not single) for t, s in zip(texts, sets, strict=False)]
    unknown = sorted({lab for s in sets for lab in s} - set(config["classes"]))
    if unknown:
        sys.exit(f"{path}: labels the study never saw: {', '.join(unknown[:10])}. The model's "
                 "outputs are fixed to the study's classes.")
    if not all(keep):
        print(f"skipping {keep.count(False)} row(s) with an empty text or no label")
    rows = [i for i, k in enumerate(keep) if k]
    return [texts[i] for i in rows], [sets[i] for i in rows]


def token_ids(vectorizer, texts, max_len):
    """Ragged ids as (values, splits), cut at max_len; an empty text becomes one unknown id."""
    ragged = vectorizer(tf.constant(texts, dtype=tf.string))[:, :max_len]
    values = ragged.flat_values.numpy().astype("int32")
    lengths = ragged.row_lengths().numpy()
    starts = ragged.row_splits.numpy()[:-1]
    values = np.insert(values, starts[lengths == 0], 1)
    splits = np.concatenate([[0], np.cumsum(np.maximum(lengths, 1))]).astype("int64")
    return values, splits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", required=True, help="CSV/TSV/JSONL/Parquet of texts and labels")
    parser.add_argument("--out", required=True, help="folder for model.keras and labels.json")
    parser.add_argument("--val-data", help="use this file for validation instead of a split")
    parser.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    parser.add_argument("--embeddings", default=(CONFIG.get("embeddings") or {}).get("path"),
                        help="GloVe/word2vec text file (only if the study used one)")
    args = parser.parse_args(argv)
    cfg, params, task = CONFIG, CONFIG["params"], CONFIG["task"]
    keras.utils.set_random_seed(cfg["train_seed"])

    texts, sets = load_rows(args.data, cfg)
    y = encode_labels(sets, task, cfg["classes"])
    if task == "binary":
        y = y.astype("float32")
    if args.val_data:
        val_texts, val_sets = load_rows(args.val_data, cfg)
        train_texts, y_train = texts, y
        y_val = encode_labels(val_sets, task, cfg["classes"])
        y_val = y_val.astype("float32") if task == "binary" else y_val
    else:
        train, val = split_indices(y, task, cfg["val_frac"], cfg["seed"])
        train_texts, y_train = [texts[i] for i in train], y[train]
        val_texts, y_val = [texts[i] for i in val], y[val]

    vectorizer = keras.layers.TextVectorization(max_tokens=cfg["vocab_size"], ragged=True)
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(train_texts).batch(1024))
    vocabulary = vectorizer.get_vocabulary()
    train_ids, train_splits = token_ids(vectorizer, train_texts, cfg["max_len"])
    val_ids, val_splits = token_ids(vectorizer, val_texts, cfg["max_len"])

    matrix = None
    if cfg.get("embeddings"):
        if not args.embeddings:
            sys.exit("this configuration uses pre-trained word vectors: pass --embeddings PATH")
        matrix, coverage = load_embedding_matrix(args.embeddings, vocabulary[2:], cfg["seed"])
        print(f"embeddings: {coverage:.0%} of the vocabulary found")

    n_out = 1 if task == "binary" else len(cfg["classes"])
    model = build_model(params, task=task, n_outputs=n_out, vocab_size=len(vocabulary),
                        embedding_matrix=matrix,
                        pos_weight=label_positive_weights(task, y_train, params))
    weights = row_weights(task, y_train, params, len(cfg["classes"]))
    model.fit(train_batches(train_ids, train_splits, y_train, weights, params["batch_size"],
                            cfg["train_seed"]), epochs=args.epochs, verbose=2, shuffle=False)

    val_ds, order = eval_batches(val_ids, val_splits)
    probs = probabilities(predict_logits(logits_function(model), val_ds, order), task)
    metrics = evaluate(task, y_val, probs, cfg["classes"])
    thresholds = metrics.get("thresholds")

    text_in = keras.Input(shape=(), dtype="string", name="text")
    reader = keras.layers.TextVectorization(max_tokens=cfg["vocab_size"],
                                            output_sequence_length=cfg["max_len"],
                                            vocabulary=vocabulary[2:], name="vectorizer")
    activation = "softmax" if task == "multiclass" else "sigmoid"
    # A fresh, uncompiled graph over the trained layers: the saved file needs no custom loss.
    network = keras.Model(model.input, model.output, name="network")
    outputs = keras.layers.Activation(activation, dtype="float32", name="probabilities")(
        network(reader(text_in)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    keras.Model(text_in, outputs).save(out / "model.keras")
    (out / "labels.json").write_text(json.dumps({
        "classes": cfg["classes"], "task": task, "output": activation + " probabilities",
        "thresholds": thresholds, "study": cfg["study"], "trial": cfg["trial"],
    }, indent=2))
    shown = {k: round(v, 4) for k, v in metrics.items() if isinstance(v, float)}
    print("validation metrics: " + json.dumps(shown))
    (out / "metrics.json").write_text(json.dumps(shown, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
