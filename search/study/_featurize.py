"""The featurize step of ``create``: fit the study's vocabularies on the training rows (once:
trials and the exported model reuse them) and keep both parts of the split as they are stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from search._errors import DataError
from search.data import LabelledSplit, load_embedding_matrix
from search.options import DataOptions
from spaces.features import StudyData, fit_vocabulary

log = logging.getLogger("hpsearch")


@dataclass
class Featurized:
    """The stored data, and what fitting found on the way."""

    data: StudyData
    lengths: dict[str, int]  # token-length percentiles of the training texts
    embeddings: dict[str, Any] | None  # path, dimension and vocabulary coverage


def featurize_split(split: LabelledSplit, options: DataOptions) -> Featurized:
    """Fit the vocabularies on the training rows: words cut at ``--max-len`` (default: the 95th
    percentile of training lengths), word 1- to 3-grams, and character n-grams of a sample of
    the texts."""
    train_texts = [split.texts[i] for i in split.train]
    fitted = fit_vocabulary(train_texts, max_tokens=options.max_tokens,
                            max_len=options.max_len, seed=options.seed)
    vocabulary = fitted.vocabulary
    if not vocabulary.words:
        raise DataError("No training text holds a word (letters or digits) once lower-cased "
                        "and stripped of punctuation, so there is nothing to learn from. Check "
                        "--text-col.")
    log.info("vocabularies: %d words, %d word n-grams, %d character n-grams (fitted on %d "
             "texts)", len(vocabulary.words), len(vocabulary.ngrams), len(vocabulary.chars),
             vocabulary.char_docs)
    matrix, embeddings = None, None
    if options.embeddings is not None:
        matrix, coverage = load_embedding_matrix(options.embeddings, vocabulary.words,
                                                 options.seed)
        embeddings = {"path": str(options.embeddings), "dim": int(matrix.shape[1]),
                      "coverage": round(coverage, 4)}
        log.info("embeddings: %d dimensions, %.0f%% of the vocabulary found",
                 embeddings["dim"], 100 * coverage)
    data = StudyData(vocabulary, train_texts, split.y[split.train],
                     [split.texts[i] for i in split.val], split.y[split.val], matrix)
    return Featurized(data, fitted.lengths, embeddings)
