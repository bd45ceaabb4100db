"""Generated sets with the difficulty of real short-text data (no download): a Zipfian
vocabulary of filler words, topic words shared between classes, two-word phrases that only
mean something together (word order and bigrams matter), and label noise."""

from __future__ import annotations

import numpy as np
import pandas as pd

from spaces import Task

_SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "da", "gu", "fe", "zo",
              "bi", "ha", "ju", "xe", "qo", "wy", "ce", "an", "el", "or", "us"]


def realistic_frame(task: Task, rows: int = 15_000, classes: int = 30, seed: int = 0,
                    positive_rate: float = 0.02, lengths: tuple[int, int] = (8, 60),
                    ) -> pd.DataFrame:
    """Multi-class (``classes``, 8:1 imbalance), binary (``positive_rate`` positives) or
    multi-label (``classes`` labels, about 1.2 a row, some rows none); texts of ``lengths``
    words (at least, at most)."""
    rng = np.random.default_rng(seed)
    words: set[str] = set()
    while len(words) < 4000:
        words.add("".join(rng.choice(_SYLLABLES, size=rng.integers(1, 4))))
    vocab = sorted(words)
    rng.shuffle(vocab)
    filler, topical = vocab[:3000], vocab[3000:]
    zipf = 1.0 / np.arange(1, len(filler) + 1) ** 1.05
    zipf /= zipf.sum()
    k = 2 if task is Task.BINARY else classes
    topics = [list(rng.choice(topical, 30, replace=False)) for _ in range(k)]
    phrases = [[(filler[rng.integers(60)], filler[rng.integers(60)]) for _ in range(6)]
               for _ in range(k)]
    signal, shared, noise = {Task.BINARY: (0.10, 0.2, 0.004)}.get(task, (0.12, 0.5, 0.05))
    texts, labels = [], []
    for _ in range(rows):
        if task is Task.MULTILABEL:
            labs = [int(c) for c in np.flatnonzero(rng.random(k) < 1.2 / k)]
        elif task is Task.BINARY:
            labs = [int(rng.random() < positive_rate)]
        else:
            weights = np.geomspace(1, 1 / 8, k)
            labs = [int(rng.choice(k, p=weights / weights.sum()))]
        length = int(rng.integers(*lengths))
        text = list(rng.choice(filler, size=length, p=zipf))
        for c in labs:
            if task is Task.BINARY and c == 0:
                continue
            for pos in np.flatnonzero(rng.random(length) < signal):
                text[pos] = str(rng.choice(topics[c]))
            if rng.random() < 0.4:
                a, b = phrases[c][rng.integers(6)]
                pos = int(rng.integers(length))
                text[pos:pos] = [a, b]
        for pos in np.flatnonzero(rng.random(len(text)) < signal * shared):
            text[pos] = str(rng.choice(topics[rng.integers(k)]))
        if task is not Task.MULTILABEL and rng.random() < noise:
            labs = [int(rng.integers(k))]
        texts.append(" ".join(text))
        names = ["no", "yes"] if task is Task.BINARY else [f"c{i}" for i in range(k)]
        labels.append("|".join(names[c] for c in labs))
    return pd.DataFrame({"text": texts, "label": labels})
