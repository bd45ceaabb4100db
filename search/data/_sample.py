"""Generated text-classification data for the demo, tests and benchmarks (no downloads)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from search._errors import OptionError, PathError
from search._paths import make_folder, output_file
from search.data._read import READERS
from spaces import Task

_SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "da", "gu", "fe", "zo",
              "bi", "ha", "ju", "xe", "qo", "wy", "ce"]


def _words(rng: np.random.Generator, n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYLLABLES, size=rng.integers(2, 4))))
    return sorted(words)


def sample_frame(task: Task = Task.MULTICLASS, rows: int = 2000, classes: int = 6,
                 seed: int = 0, imbalance: float = 1.0, signal: float = 0.35,
                 label_noise: float = 0.03, min_words: int = 8, max_words: int = 47,
                 ) -> pd.DataFrame:
    """Texts of filler words with some topic words of their class(es).

    ``signal`` is the share of topic words in a text; ``imbalance`` the ratio of the largest
    to the smallest class (single-label); a text has ``min_words`` to ``max_words`` words (one
    more when a class word opens it); multi-label rows carry about one label on average
    (some none, some several).
    """
    if max_words < min_words:
        raise OptionError(f"--max-words must be at least --min-words, but got {max_words} "
                          f"and {min_words}. Raise --max-words.")
    rng = np.random.default_rng(seed)
    n_classes = 2 if task is Task.BINARY else classes
    vocab = _words(rng, 400 + 25 * n_classes)
    filler, topical = vocab[:400], vocab[400:]
    topics = [topical[i * 25:(i + 1) * 25] for i in range(n_classes)]
    names = [f"class_{i}" for i in range(n_classes)] if task is not Task.BINARY else ["no", "yes"]
    label_rows: list[list[int]]
    if task is Task.MULTILABEL:
        label_rows = [[int(c) for c in np.flatnonzero(rng.random(n_classes) < 1.0 / n_classes)]
                      for _ in range(rows)]
    else:
        weights = np.geomspace(1.0, 1.0 / imbalance, n_classes)
        drawn = rng.choice(n_classes, size=rows, p=weights / weights.sum())
        label_rows = [[int(c)] for c in drawn]
    texts, labels = [], []
    for labs in label_rows:
        length = int(rng.integers(min_words, max_words + 1))
        words = list(rng.choice(filler, size=length))
        for c in labs:
            n_topic = max(1, int(rng.binomial(length, signal / max(len(labs), 1))))
            for pos in rng.choice(length, size=min(n_topic, length), replace=False):
                words[pos] = str(rng.choice(topics[c]))
        # Word order matters a little: the class's first topic word tends to open the text.
        if labs and rng.random() < 0.3:
            words.insert(0, topics[labs[0]][0])
        if task is not Task.MULTILABEL and rng.random() < label_noise:
            labs = [int(rng.integers(n_classes))]
        texts.append(" ".join(words) + ".")
        labels.append("|".join(names[c] for c in labs))
    return pd.DataFrame({"text": texts, "label": labels})


def write_sample(out: str | Path, **kwargs: object) -> Path:
    """Write ``sample_frame(**kwargs)`` to ``out``, in the format its suffix names."""
    out = output_file(out, "Sample data file (--out)")
    fmt = READERS.get(out.suffix.lower())
    if fmt is None:
        raise PathError(f"Sample data file {str(out)!r} has the suffix {out.suffix!r}; the "
                        f"format follows the suffix: {', '.join(sorted(READERS))}.")
    frame = sample_frame(**kwargs)  # type: ignore[arg-type]
    make_folder(out.parent, "the folder of the sample data")
    try:
        if fmt == "parquet":
            frame.to_parquet(out, index=False)
        elif fmt == "jsonl":
            frame.to_json(out, orient="records", lines=True)
        else:
            frame.to_csv(out, sep="\t" if fmt == "tsv" else ",", index=False)
    except OSError as exc:
        raise PathError(f"Could not write {str(out)!r}: {exc.strerror or exc}.") from None
    return out
