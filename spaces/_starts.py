"""Known-good first trials, so a search starts from a sensible model rather than from noise.

The first trials are the models known to do well on short texts of modest size: a linear model
and an MLP over n-grams, then a recurrent model beside the n-gram branch. The search moves away
from them, but is never behind a linear baseline for long.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from spaces._space import Space
from spaces._suggest import suggest_params
from spaces._task import Task

if TYPE_CHECKING:
    import optuna

STARTING_POINTS: tuple[dict[str, Any], ...] = (
    # Logistic regression on TF-IDF words and word pairs: level with the TF-IDF + logistic
    # regression baseline within seconds (on fortunes.csv and imbalanced binary data alike).
    {"family": "ngram", "ngram_order": 2, "ngram_vocab": 100_000, "ngram_weighting": "tfidf",
     "ngram_hidden": False, "ngram_l2": 1e-6, "learning_rate": 0.1, "batch_size": 128,
     "class_weight": "none", "loss": "crossentropy"},
    # An MLP on TF-IDF words: one ReLU layer over the bag; on fortunes.csv ahead of the linear
    # models on every headline metric, and cheap (unigrams overfit less than pairs here).
    {"family": "ngram", "ngram_order": 1, "ngram_vocab": 100_000, "ngram_weighting": "tfidf",
     "ngram_hidden": True, "ngram_units": 256, "ngram_l2": 1e-8, "dropout": 0.5,
     "dense_layers": 0, "learning_rate": 0.003, "batch_size": 256, "class_weight": "none",
     "loss": "crossentropy"},
    # A one-layer bidirectional LSTM beside the n-gram MLP (wide and deep).
    {"family": "wide_deep", "ngram_order": 2, "ngram_vocab": 100_000,
     "ngram_weighting": "tfidf", "ngram_hidden": True, "ngram_units": 256, "ngram_l2": 1e-8,
     "rnn_layers": 1, "cell": "lstm", "rnn_units": 64, "bidirectional": True,
     "embedding_dim": 64, "embedding_trainable": True, "embedding_dropout": 0.1,
     "conv": False, "pooling": "max_avg", "dropout": 0.4, "dense_layers": 0,
     "learning_rate": 0.003, "batch_size": 64, "class_weight": "none", "loss": "crossentropy"},
)


class _FitToSpace:
    """Answers a space's suggestions from a point, moved into the space where it lies outside:
    a missing or foreign choice becomes the first allowed one, a number is clipped."""

    def __init__(self, point: dict[str, Any]):
        self.point = point
        self.params: dict[str, Any] = {}

    def suggest_int(self, name: str, low: int, high: int, log: bool = False) -> int:
        value = int(min(max(self.point.get(name, low), low), high))
        self.params[name] = value
        return value

    def suggest_float(self, name: str, low: float, high: float, log: bool = False) -> float:
        value = float(min(max(self.point.get(name, low), low), high))
        self.params[name] = value
        return value

    def suggest_categorical(self, name: str, choices: list[Any]) -> Any:
        value = self.point.get(name, choices[0])
        if not any(value == c and type(value) is type(c) for c in choices):
            value = choices[0]
        self.params[name] = value
        return value


def starting_points(space: Space, task: Task, *, pretrained_embeddings: bool = False,
                    ) -> list[dict[str, Any]]:
    """The starting points moved into ``space``, as trial params (duplicates dropped)."""
    points: list[dict[str, Any]] = []
    for point in STARTING_POINTS:
        fitted = _FitToSpace(point)
        suggest_params(cast("optuna.trial.BaseTrial", fitted), space, task,
                       pretrained_embeddings=pretrained_embeddings)
        if fitted.params not in points:
            points.append(fitted.params)
    return points
