"""Accuracy and macro-F1 of the Bayes-optimal classifier on a generated multi-class set's test
rows in bench_vs_linear: the ceiling no model can pass there.

    python -m tests.benchmarks.bench_ceiling [--set multiclass24k|multiclass]

The set and its test rows are built as ``bench_vs_linear`` builds them. Each test text is
scored under the exact likelihood of ``_realistic``'s generator (its hidden filler, topic and
phrase words, rates, lengths and class prior); the decision is the class of highest posterior,
which is also the most probable observed label, as the label noise is uniform. Scored against
the observed labels and against the labels before the noise.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from tests.benchmarks._realistic import Hidden, hidden, realistic_frame
from tests.benchmarks.bench_vs_linear import GENERATED, HELD_OUT, SEED, split_indices, targets

SETS = ["multiclass24k", "multiclass"]


class Likelihood:
    """log P(text | class) under the generator, for every class at once."""

    def __init__(self, world: Hidden) -> None:
        words = sorted({*world.filler, *(w for topic in world.topics for w in topic)})
        self.ids = {w: i for i, w in enumerate(words)}
        self.world = world
        k = len(world.names)
        filler = np.zeros(len(words))
        filler[self.ids_of(world.filler)] = world.zipf
        topic = np.zeros((k, len(words)))
        for c, topic_words in enumerate(world.topics):
            topic[c, self.ids_of(topic_words)] = 1 / len(topic_words)
        shared = world.signal * world.shared
        anywhere = shared * topic.mean(axis=0)
        self.word = (1 - shared) * ((1 - world.signal) * filler + world.signal * topic) + anywhere
        self.first = np.tile(anywhere, (k, len(world.phrases[0]), 1))
        self.second = self.first.copy()
        for c, phrases in enumerate(world.phrases):
            for p, (a, b) in enumerate(phrases):
                self.first[c, p, self.ids[a]] += 1 - shared
                self.second[c, p, self.ids[b]] += 1 - shared

    def ids_of(self, words: list[str]) -> np.ndarray:
        return np.array([self.ids[w] for w in words])

    def length(self, n: int) -> float:
        low, high = self.world.lengths
        return 1 / (high - low) if low <= n < high else 0.0

    def __call__(self, text: str) -> np.ndarray:
        x = self.ids_of(text.split())
        n = len(x)
        without = self.length(n) * (1 - self.world.phrase)
        within = np.zeros(len(self.world.names))
        if self.length(n - 2) > 0:  # a phrase at j, j + 1 for j < n - 2, in place of plain words
            a, b = x[:-2], x[1:-1]
            ratio = (self.first[:, :, a] * self.second[:, :, b]).mean(axis=1) / (
                self.word[:, a] * self.word[:, b])
            within = self.length(n - 2) * self.world.phrase * ratio.mean(axis=1)
        with np.errstate(divide="ignore"):  # log 0: a class that cannot have written the text
            return np.log(self.word[:, x]).sum(axis=1) + np.log(without + within)


def generated(name: str) -> tuple[Hidden, pd.DataFrame]:
    """The set as ``bench_vs_linear.sets`` builds it, with a "truth" column, and its generator."""
    task, shape = GENERATED[name]
    options = {"rows": 15_000, "seed": 7, **shape}
    frame = realistic_frame(task, **options, truth=True)
    del options["rows"]
    return hidden(task, **options), frame


def bayes_decisions(world: Hidden, texts: list[str], classes: list[str]) -> np.ndarray:
    """Each text's class of highest posterior, as an index into ``classes``."""
    likelihood = Likelihood(world)
    posterior = np.array([likelihood(t) for t in texts]) + np.log(world.prior)
    order = [world.names.index(c) for c in classes]
    return posterior[:, order].argmax(axis=1)


def report(labels: str, y: np.ndarray, pred: np.ndarray) -> None:
    print(f"Bayes-optimal on test, {labels}: accuracy {accuracy_score(y, pred):.4f}  "
          f"macro-F1 {f1_score(y, pred, average='macro'):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="multiclass24k", choices=SETS)
    args = parser.parse_args()
    world, frame = generated(args.set)
    task, classes, y = targets(frame)
    _, test = split_indices(y, task.value, HELD_OUT, SEED)
    _, _, truth = targets(frame.assign(label=frame["truth"]), classes, task)
    print(f"{args.set}: {len(frame)} rows, {len(classes)} classes, {len(test)} test rows")
    pred = bayes_decisions(world, frame["text"].iloc[test].tolist(), classes)
    report("observed labels", y[test], pred)
    report("labels before noise", truth[test], pred)


if __name__ == "__main__":
    main()
