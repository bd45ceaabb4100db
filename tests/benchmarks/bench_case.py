"""Whether lower-casing every letter, not only ASCII ones, measures better on text beyond
English.

    python -m tests.benchmarks.bench_case

hpsearch's featurizing layers are Keras' ``TextVectorization``, whose "lower" lower-cases ASCII
letters only (so ``Привет`` and ``привет``, ``École`` and ``école`` are different features).
This benchmark fits the expert's model (TF-IDF of words 1-2 and characters ``char_wb`` 2-5 into
LinearSVC, C and class weights chosen on validation, refitted on training + validation) twice
on generated sets written in other alphabets, once with ASCII-only lower-casing and once with
Python's ``str.lower``, and prints the test macro-F1 and accuracy of each.

The sets are ``tests.benchmarks._realistic`` texts (15,000 rows, 30 classes) with their
syllables written in Cyrillic, or in Latin with accents, then cased as prose is: each sentence
(5-15 words) opens with a capital, and one text in 30 has a sentence in capitals.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

from spaces import Task
from tests.benchmarks._realistic import realistic_frame

ALPHABETS = {
    "cyrillic": {"ka": "ка", "lo": "ло", "mi": "ми", "ne": "не", "su": "су", "ta": "та",
                 "ri": "ри", "po": "по", "ve": "ве", "da": "да", "gu": "гу", "fe": "фе",
                 "zo": "зо", "bi": "би", "ha": "ха", "ju": "ю", "xe": "же", "qo": "що",
                 "wy": "вы", "ce": "це", "an": "ан", "el": "ель", "or": "ор", "us": "ус"},
    "latin-accented": {"ka": "ká", "lo": "lô", "mi": "mî", "ne": "né", "su": "sü", "ta": "tà",
                       "ri": "rï", "po": "pö", "ve": "vè", "da": "dâ", "gu": "gù", "fe": "fé",
                       "zo": "zø", "bi": "bì", "ha": "hå", "ju": "jú", "xe": "xê", "qo": "qó",
                       "wy": "wÿ", "ce": "çe", "an": "än", "el": "él", "or": "ór", "us": "ûs"},
}
GRID = [(c, w) for c in (0.1, 0.3, 1.0, 3.0) for w in (None, "balanced")]


def ascii_lower(text: str) -> str:
    """Keras' "lower": ASCII letters lower-cased, every other character as written."""
    return text.encode("utf-8").lower().decode("utf-8")


def written(frame: pd.DataFrame, alphabet: dict[str, str], seed: int) -> pd.DataFrame:
    """``frame``'s texts in ``alphabet``, cased as prose."""
    rng = np.random.default_rng(seed)
    syllables = sorted(alphabet, key=len, reverse=True)

    def word(w: str) -> str:
        out, i = [], 0
        while i < len(w):
            found = next(s for s in syllables if w.startswith(s, i))
            out.append(alphabet[found])
            i += len(found)
        return "".join(out)

    def cased(words: list[str]) -> str:
        sentences, i = [], 0
        shout = rng.random() < 1 / 30
        while i < len(words):
            n = int(rng.integers(5, 16))
            sentence = words[i:i + n]
            sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
            if shout and not sentences:
                sentence = [w.upper() for w in sentence]
            sentences.append(" ".join(sentence) + ".")
            i += n
        return " ".join(sentences)

    texts = [cased([word(w) for w in text.split()]) for text in frame["text"]]
    return pd.DataFrame({"text": texts, "label": frame["label"]})


def expert_scores(frame: pd.DataFrame, lowercase) -> dict[str, float]:
    """The expert's model with ``lowercase`` as its preprocessor: test macro-F1 and accuracy."""
    rest, test = train_test_split(frame, test_size=0.2, random_state=0, stratify=frame["label"])
    train, val = train_test_split(rest, test_size=0.2, random_state=0, stratify=rest["label"])

    def featurizer():
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, preprocessor=lowercase)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                preprocessor=lowercase)
        return words, chars

    def fit(texts, labels, c, weight):
        words, chars = featurizer()
        x = sp.hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
        model = LinearSVC(C=c, class_weight=weight).fit(x, labels)
        return lambda t: model.predict(sp.hstack([words.transform(t), chars.transform(t)]))

    chosen = max(GRID, key=lambda cw: f1_score(
        val["label"], fit(train["text"], train["label"], *cw)(val["text"]), average="macro"))
    predict = fit(rest["text"], rest["label"], *chosen)(test["text"])
    return {"macro_f1": round(f1_score(test["label"], predict, average="macro"), 4),
            "accuracy": round(accuracy_score(test["label"], predict), 4),
            "c": chosen[0], "class_weight": chosen[1] or "none"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=15_000)
    args = parser.parse_args()
    base = realistic_frame(Task.MULTICLASS, rows=args.rows, classes=30, seed=7)
    rows = []
    for name, alphabet in ALPHABETS.items():
        frame = written(base, alphabet, seed=7)
        found = {"set": name, "example": frame["text"][0][:60],
                 "ascii": expert_scores(frame, ascii_lower),
                 "unicode": expert_scores(frame, str.lower)}
        print(json.dumps(found, ensure_ascii=False), flush=True)
        rows.append(found)
    print("\n| set | lower-casing | test macro-F1 | accuracy | C, class weights chosen |")
    print("|---|---|---:|---:|---|")
    for found in rows:
        for kind in ("ascii", "unicode"):
            s = found[kind]
            print(f"| {found['set']} | {kind} | {s['macro_f1']:.4f} | {s['accuracy']:.4f} | "
                  f"{s['c']}, {s['class_weight']} |")


if __name__ == "__main__":
    main()
