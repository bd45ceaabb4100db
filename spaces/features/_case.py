"""Lower-casing beyond ASCII within Keras' built-in layers.

Keras' "lower" lower-cases A to Z only (``_tokens``), so the layers see ``École`` and
``école``, ``Школа`` and ``школа`` as different words. The vocabularies are counted on
``folded`` text instead (every letter lower-cased); an n-gram as the layers see it that folds
to a vocabulary term, and differs from it, is one of that term's variants. The layers hold the
variants beside the terms, and add a variant's count into its term's column (a sequence model's
word id: its term's id), so the exported model folds case as the study did. Variants are
found in the training sample the vocabulary is fitted on, most frequent first; a variant never
seen there is an unknown n-gram (``ÉCOLE`` is seen as ``École``, so most are seen).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from spaces.features._tokens import lowered, tokenize

MAX_VARIANTS = 200_000  # of each vocabulary, kept at most


@dataclass(frozen=True)
class Variants:
    """Terms as the layers see them (``terms``), and the index of the vocabulary term each
    folds to (``targets``)."""

    terms: list[str] = field(default_factory=list)
    targets: np.ndarray = field(default_factory=lambda: np.zeros(0, "int64"))

    def __len__(self) -> int:
        return len(self.terms)

    def within(self, columns: np.ndarray) -> tuple[list[str], np.ndarray]:
        """The variants of the terms at ``columns`` (ascending vocabulary indices), and the
        position in ``columns`` of each one's term."""
        at = np.searchsorted(columns, self.targets)
        kept = np.flatnonzero(at < len(columns))
        kept = kept[columns[at[kept]] == self.targets[kept]]
        return [self.terms[i] for i in kept.tolist()], at[kept]

    def id_map(self, n_terms: int, first_id: int) -> np.ndarray:
        """Layer ids (terms from ``first_id``, then the variants) to term ids."""
        return np.concatenate([np.arange(first_id + n_terms), first_id + self.targets])


def word_variants(texts: Sequence[str], folds: Sequence[str], ngrams: Sequence[str],
                  words: Sequence[str], order: int) -> tuple[Variants, Variants]:
    """(the variants of the word 1- to ``order``-grams ``ngrams``, those of the sequence
    vocabulary ``words``) seen in ``texts``, whose ``folded`` forms are ``folds``."""
    ngram_index = {g: i for i, g in enumerate(ngrams)}
    word_index = {w: i for i, w in enumerate(words)}
    found: Counter[tuple[str, int]] = Counter()
    found_words: Counter[tuple[str, int]] = Counter()
    for text, fold in zip(texts, folds, strict=True):
        if fold == lowered(text):
            continue  # nothing beyond A to Z to lower-case
        seen, canonical = tokenize([text])[0], tokenize([fold])[0]
        if len(seen) != len(canonical):
            continue
        changed = [i for i, (a, b) in enumerate(zip(seen, canonical, strict=True)) if a != b]
        for start, n in _spans(changed, len(seen), range(1, order + 1)):
            term = ngram_index.get(" ".join(canonical[start:start + n]))
            if term is not None:
                found[" ".join(seen[start:start + n]), term] += 1
        for i in changed:
            word = word_index.get(canonical[i])
            if word is not None:
                found_words[seen[i], word] += 1
    return _ranked(found), _ranked(found_words)


def char_variants(texts: Sequence[str], folds: Sequence[str], chars: Sequence[str],
                  orders: Sequence[int]) -> Variants:
    """The variants of the character n-grams ``chars`` (joined by a space, as Keras joins
    them) seen in ``texts``, whose ``folded`` forms are ``folds``."""
    index = {g: i for i, g in enumerate(chars)}
    found: Counter[tuple[str, int]] = Counter()
    for text, fold in zip(texts, folds, strict=True):
        seen = lowered(text)
        if seen == fold:
            continue
        changed = [i for i, (a, b) in enumerate(zip(seen, fold, strict=True)) if a != b]
        for start, n in _spans(changed, len(seen), orders):
            term = index.get(" ".join(fold[start:start + n]))
            if term is not None:
                found[" ".join(seen[start:start + n]), term] += 1
    return _ranked(found)


def _spans(changed: list[int], length: int, orders: Iterable[int]) -> set[tuple[int, int]]:
    """(start, n) of every n-gram of ``length`` items that holds a ``changed`` position."""
    return {(start, n) for n in orders for i in changed
            for start in range(max(0, i - n + 1), min(i, length - n) + 1)}


def _ranked(found: Counter[tuple[str, int]]) -> Variants:
    """The most frequent first (ties alphabetically), at most ``MAX_VARIANTS``."""
    kept = sorted(found, key=lambda pair: (-found[pair], pair[0]))[:MAX_VARIANTS]
    return Variants([term for term, _ in kept],
                    np.array([target for _, target in kept], dtype="int64"))
