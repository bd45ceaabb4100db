"""The featurizing layers: Keras' own ``TextVectorization`` layers rebuilt from the study's
vocabularies (never re-fitted), and the weighting of a trial's bag, so that raw strings go into
the exported model. They see a text as ``_tokens`` defines it. Workers encode the stored texts
with the same layers (``_encode.py``), and ``_inputs.py`` derives each trial's bag from those
counts with the same arithmetic as ``weighted`` here. Built-in layers and ops only: a saved model
loads with ``safe_mode=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from spaces.features._case import Variants
from spaces.features._inputs import BagSetting
from spaces.features._tokens import CHAR_STANDARDIZE, WORD_STANDARDIZE
from spaces.features._vocabulary import MAX_WORD_ORDER, Vocabulary, char_range


def word_layer(words: Sequence[str], max_len: int | None = None, *, ragged: bool = False,
               name: str = "words") -> layers.TextVectorization:
    """Word ids (0 padding, 1 unknown, then ``words``), padded or cut to ``max_len``."""
    return layers.TextVectorization(
        standardize=WORD_STANDARDIZE, split="whitespace", vocabulary=list(words),
        output_mode="int", output_sequence_length=max_len, ragged=ragged, name=name)


def ngram_count_layer(ngrams: Sequence[str], order: int = MAX_WORD_ORDER, *,
                      sparse: bool = False, name: str = "ngram_counts",
                      ) -> layers.TextVectorization:
    """How often each of ``ngrams`` (word 1- to ``order``-grams) occurs in a text; column 0
    counts the others."""
    return layers.TextVectorization(
        standardize=WORD_STANDARDIZE, split="whitespace", vocabulary=list(ngrams),
        ngrams=order, output_mode="count", sparse=sparse, name=name)


def char_count_layer(chars: Sequence[str], orders: tuple[int, ...], *, sparse: bool = False,
                     name: str = "char_counts") -> layers.TextVectorization:
    """How often each of ``chars`` (character n-grams of the lengths ``orders``) occurs in a
    text; column 0 counts the others."""
    return layers.TextVectorization(
        standardize=CHAR_STANDARDIZE, split="character", vocabulary=list(chars),
        ngrams=orders, output_mode="count", sparse=sparse, name=name)


@dataclass(frozen=True)
class Featurizer:
    """What one model's featurizing layers compute, once for all its members: word ids, and
    the counts of the union of the members' word and character n-grams (indices of the
    vocabularies, ascending)."""

    words: bool
    ngram_columns: np.ndarray
    char_columns: np.ndarray

    @classmethod
    def of(cls, vocabulary: Vocabulary, members: Sequence[tuple[tuple[str, ...],
                                                                BagSetting | None]]) -> Featurizer:
        """The featurizer of members given as (the inputs a network reads, its bag)."""
        bags = [setting for _, setting in members if setting is not None]
        return cls(words=any("words" in reads for reads, _ in members),
                   ngram_columns=_union([s.word_columns(vocabulary) for s in bags]),
                   char_columns=_union([s.char_columns(vocabulary) for s in bags]))

    def __call__(self, text: keras.KerasTensor, vocabulary: Vocabulary,
                 ) -> dict[str, keras.KerasTensor]:
        """Word ids and the n-gram counts of ``text`` (a string input), case variants
        folded into their terms."""
        out = {}
        if self.words:
            variants = vocabulary.word_variants
            ids = word_layer(vocabulary.words + variants.terms, vocabulary.max_len)(text)
            out["words"] = (ops.take(variants.id_map(len(vocabulary.words), 2), ids)
                            if len(variants) else ids)
        if len(self.ngram_columns):
            order = int(vocabulary.ngram_orders[self.ngram_columns].max())
            out["ngram_counts"] = _folded_counts(
                lambda terms: ngram_count_layer(terms, order), text, vocabulary.ngrams,
                self.ngram_columns, vocabulary.ngram_variants)
        if len(self.char_columns):
            orders = tuple(int(n) for n in np.unique(vocabulary.char_orders[self.char_columns]))
            out["char_counts"] = _folded_counts(
                lambda terms: char_count_layer(terms, orders), text, vocabulary.chars,
                self.char_columns, vocabulary.char_variants)
        return out

    def bag(self, counts: dict[str, keras.KerasTensor], vocabulary: Vocabulary,
            setting: BagSetting, name: str = "bag") -> keras.KerasTensor:
        """The bag of ``setting`` from the counts: its columns taken, weighted, normalised
        part by part, then side by side (as ``spaces.features._inputs.bag``)."""
        words = setting.word_columns(vocabulary)
        parts = [weighted(self._take(counts["ngram_counts"], self.ngram_columns, words),
                          vocabulary.ngram_idf(words), setting, f"{name}_words")]
        if setting.chars:
            chars = setting.char_columns(vocabulary)
            parts.append(weighted(self._take(counts["char_counts"], self.char_columns, chars),
                                  vocabulary.char_idf(chars), setting, f"{name}_chars"))
        return parts[0] if len(parts) == 1 else layers.Concatenate(name=name)(parts)

    @staticmethod
    def _take(counts: keras.KerasTensor, held: np.ndarray,
              wanted: np.ndarray) -> keras.KerasTensor:
        """The columns of ``wanted`` among the counts of ``held`` (column 0: unknown)."""
        positions = np.searchsorted(held, wanted) + 1
        if len(positions) == len(held) and np.array_equal(positions, np.arange(1, len(held) + 1)):
            return counts[:, 1:]
        return ops.take(counts, positions.astype("int32"), axis=1)


def _folded_counts(layer_of: Callable[[list[str]], layers.TextVectorization],
                   text: keras.KerasTensor, terms: Sequence[str], columns: np.ndarray,
                   variants: Variants) -> keras.KerasTensor:
    """The counts of the ``terms`` at ``columns`` (column 0: unknown), each variant's count
    added into its term's column."""
    extra, targets = variants.within(columns)
    counts = layer_of([terms[i] for i in columns] + extra)(text)
    if not extra:
        return counts
    segments = np.concatenate([np.arange(1 + len(columns)), 1 + targets]).astype("int32")
    return ops.transpose(ops.segment_sum(ops.transpose(counts), segments,
                                         num_segments=1 + len(columns)))


def _union(columns: list[np.ndarray]) -> np.ndarray:
    return np.unique(np.concatenate([np.zeros(0, "int64"), *columns]))


def weighted(counts: keras.KerasTensor, idf: np.ndarray, setting: BagSetting,
             name: str) -> keras.KerasTensor:
    """Counts as the bag's values: 1 where present (binary), the count, or (1 + ln count) x
    idf (tfidf, the sublinear form scikit-learn's TF-IDF uses); then scaled to unit length
    (l2) or to sum 1 (l1)."""
    x = ops.cast(counts, "float32")
    if setting.weighting == "binary":
        x = ops.minimum(x, 1.0)
    elif setting.weighting == "tfidf":
        x = ops.where(ops.greater(x, 0.0), 1.0 + ops.log(ops.maximum(x, 1.0)), 0.0)
        x = layers.Rescaling(scale=[float(v) for v in idf], name=f"{name}_idf")(x)
    order = 2 if setting.norm == "l2" else 1
    return ops.normalize(x, axis=-1, order=order, epsilon=1e-12)


def inputs_model(vocabulary: Vocabulary, reads: tuple[str, ...],
                 setting: BagSetting | None) -> keras.Model:
    """Raw strings in, the inputs of one network out (``{"words": ..., "ngrams": ...}``)."""
    featurizer = Featurizer.of(vocabulary, [(reads, setting)])
    text = keras.Input(shape=(), dtype="string", name="text")
    counts = featurizer(text, vocabulary)
    out = {}
    if "words" in reads:
        out["words"] = counts["words"]
    if setting is not None:
        out["ngrams"] = featurizer.bag(counts, vocabulary, setting)
    return keras.Model(text, out, name="inputs")


__all__ = ["Featurizer", "char_count_layer", "char_range", "inputs_model", "ngram_count_layer",
           "weighted", "word_layer"]
