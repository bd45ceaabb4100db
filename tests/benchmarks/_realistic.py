"""Generated sets with the difficulty of real short-text data (no download): a Zipfian
vocabulary of filler words, topic words shared between classes, two-word phrases that only
mean something together (word order and bigrams matter), and label noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from spaces import Task

_SYLLABLES = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "da", "gu", "fe", "zo",
              "bi", "ha", "ju", "xe", "qo", "wy", "ce", "an", "el", "or", "us"]


@dataclass(frozen=True, eq=False)
class Hidden:
    """What a generated set's rows are drawn from. A row's classes: one by ``prior``
    (multi-class), positive at ``positive_rate`` (binary), each at 1.2 / classes (multi-label).
    Its text: a length uniform in ``lengths`` (at least, under at most), filler words drawn by
    ``zipf``; for each of its classes (binary: the positive one), each word turns into one of
    the class's ``topics`` at rate ``signal``, and at rate ``phrase`` one of its ``phrases`` is
    inserted; then each word turns into a topic word of a random class at ``signal * shared``.
    A single label is then redrawn uniformly at rate ``noise``."""

    task: Task
    names: list[str]
    filler: list[str]
    zipf: np.ndarray
    topics: list[list[str]]
    phrases: list[list[tuple[str, str]]]
    prior: np.ndarray
    positive_rate: float
    signal: float
    shared: float
    noise: float
    phrase: float
    lengths: tuple[int, int]


def hidden(task: Task, classes: int = 30, seed: int = 0, positive_rate: float = 0.02,
           lengths: tuple[int, int] = (8, 60)) -> Hidden:
    """The hidden parameters of ``realistic_frame`` called with the same arguments."""
    return _draw(np.random.default_rng(seed), task, classes, positive_rate, lengths)


def _draw(rng: np.random.Generator, task: Task, classes: int, positive_rate: float,
          lengths: tuple[int, int]) -> Hidden:
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
    weights = np.geomspace(1, 1 / 8, k)
    names = ["no", "yes"] if task is Task.BINARY else [f"c{i}" for i in range(k)]
    return Hidden(task=task, names=names, filler=filler, zipf=zipf, topics=topics,
                  phrases=phrases, prior=weights / weights.sum(), positive_rate=positive_rate,
                  signal=signal, shared=shared, noise=noise, phrase=0.4, lengths=lengths)


def _row(world: Hidden, rng: np.random.Generator) -> tuple[str, list[int], list[int]]:
    """One row: its text, its labels, and its labels before the label noise."""
    task, k = world.task, len(world.names)
    if task is Task.MULTILABEL:
        labs = [int(c) for c in np.flatnonzero(rng.random(k) < 1.2 / k)]
    elif task is Task.BINARY:
        labs = [int(rng.random() < world.positive_rate)]
    else:
        labs = [int(rng.choice(k, p=world.prior))]
    length = int(rng.integers(*world.lengths))
    text = list(rng.choice(world.filler, size=length, p=world.zipf))
    for c in labs:
        if task is Task.BINARY and c == 0:
            continue
        for pos in np.flatnonzero(rng.random(length) < world.signal):
            text[pos] = str(rng.choice(world.topics[c]))
        if rng.random() < world.phrase:
            a, b = world.phrases[c][rng.integers(len(world.phrases[c]))]
            pos = int(rng.integers(length))
            text[pos:pos] = [a, b]
    for pos in np.flatnonzero(rng.random(len(text)) < world.signal * world.shared):
        text[pos] = str(rng.choice(world.topics[rng.integers(k)]))
    truth = labs
    if task is not Task.MULTILABEL and rng.random() < world.noise:
        labs = [int(rng.integers(k))]
    return " ".join(text), labs, truth


def realistic_frame(task: Task, rows: int = 15_000, classes: int = 30, seed: int = 0,
                    positive_rate: float = 0.02, lengths: tuple[int, int] = (8, 60),
                    truth: bool = False) -> pd.DataFrame:
    """Multi-class (``classes``, 8:1 imbalance), binary (``positive_rate`` positives) or
    multi-label (``classes`` labels, about 1.2 a row, some rows none); texts of ``lengths``
    words (at least, at most). With ``truth``, a "truth" column holds each row's labels before
    the label noise."""
    rng = np.random.default_rng(seed)
    world = _draw(rng, task, classes, positive_rate, lengths)
    drawn = [_row(world, rng) for _ in range(rows)]
    frame = pd.DataFrame({"text": [text for text, _, _ in drawn],
                          "label": [_joined(world, labs) for _, labs, _ in drawn]})
    if truth:
        frame["truth"] = [_joined(world, labs) for _, _, labs in drawn]
    return frame


def _joined(world: Hidden, labs: list[int]) -> str:
    return "|".join(world.names[c] for c in labs)
