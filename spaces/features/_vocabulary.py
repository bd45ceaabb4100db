"""The study's vocabularies, fitted once at ``create`` on the training split and never again.

Three of them: the words a sequence model reads (most frequent first), the word 1- to 3-grams
of the bags, and the character 2- to 5-grams of the bags, each n-gram list ranked by how many
training texts hold it (ties broken alphabetically for words, by a fixed hash for characters,
so the same data gives the same vocabulary). Each is counted on a bounded, seeded sample of the
training texts (``WORD_FIT_CHARS`` characters for words, ``CHAR_FIT_CHARS`` for characters;
every text of a smaller table), so fitting them costs the same on a million rows as on a
hundred thousand. Numpy only: the word tokens come from
``spaces.features._tokens``; the characters are counted here, on Unicode code points, as Keras
splits them. Both are counted on folded text (every letter lower-cased); each vocabulary keeps
the case variants the layers will see (``spaces.features._case``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from spaces.features._case import Variants
from spaces.features._tokens import lowered

MAX_WORD_ORDER = 3
CHAR_ORDERS = (2, 3, 4, 5)
# The character n-gram lengths a bag may take, shortest-longest.
CHAR_RANGES = ("2-5", "2-4", "3-5")
MAX_NGRAMS = 200_000  # word n-grams, and character n-grams, kept at most
CHAR_FIT_CHARS = 1_500_000  # characters of training text the character vocabulary is fitted on
# ... and the words and word n-grams: about 5 million words of English, 1.4 GB at the peak of
# counting them (measured on generated texts of 20-80 words).
WORD_FIT_CHARS = 30_000_000
# Keras holds a vocabulary in a numpy array, whose strings lose a trailing NUL: a word or an
# n-gram ending in one could never be counted, so none is kept.
_NUL = "\x00"


def char_range(orders: str) -> tuple[int, int]:
    """``"2-5"`` as (2, 5)."""
    low, high = orders.split("-")
    return int(low), int(high)


@dataclass(frozen=True)
class Vocabulary:
    """Vocabularies fitted on the training split.

    ``words``: the sequence vocabulary (ids 2.., 0 padding, 1 unknown). ``ngrams``: word 1- to
    3-grams seen in at least two training texts, with those counts in ``ngram_df`` (of
    ``n_docs`` texts). ``chars``: character n-grams as Keras joins them (the characters
    separated by a space), their lengths in ``char_orders`` and document counts in ``char_df``
    (of the ``char_docs`` texts of the sample). All of them lower-cased every letter
    (``_tokens.folded``), with the case variants the layers see of each (none in studies made
    before).
    """

    words: list[str]
    ngrams: list[str]
    ngram_df: np.ndarray
    n_docs: int
    max_len: int
    chars: list[str]
    char_orders: np.ndarray
    char_df: np.ndarray
    char_docs: int
    word_variants: Variants = field(default_factory=Variants)
    ngram_variants: Variants = field(default_factory=Variants)
    char_variants: Variants = field(default_factory=Variants)

    @property
    def word_vocab_size(self) -> int:
        return len(self.words) + 2

    @cached_property
    def ngram_orders(self) -> np.ndarray:
        return np.fromiter((g.count(" ") + 1 for g in self.ngrams), "int64", len(self.ngrams))

    def ngram_subset(self, order: int, size: int) -> np.ndarray:
        """Indices of the ``size`` top word n-grams of at most ``order`` words."""
        return np.flatnonzero(self.ngram_orders <= order)[:size]

    def char_subset(self, orders: str, size: int) -> np.ndarray:
        """Indices of the ``size`` top character n-grams whose length is in ``orders``."""
        low, high = char_range(orders)
        return np.flatnonzero((self.char_orders >= low) & (self.char_orders <= high))[:size]

    def ngram_idf(self, subset: np.ndarray) -> np.ndarray:
        return _idf(self.ngram_df[subset], self.n_docs)

    def char_idf(self, subset: np.ndarray) -> np.ndarray:
        return _idf(self.char_df[subset], self.char_docs)

    def available_ngrams(self) -> int:
        return len(self.ngrams)

    def available_chars(self) -> int:
        return len(self.chars)


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Smoothed inverse document frequency, ln((1 + n) / (1 + df)) + 1, as float32."""
    return (np.log((1.0 + n_docs) / (1.0 + df.astype("float64"))) + 1.0).astype("float32")


def ngrams_of(tokens: Sequence[str], order: int = MAX_WORD_ORDER) -> list[str]:
    """Every 1- to ``order``-gram, unigrams first, joined by a space as Keras joins them."""
    out = list(tokens)
    for n in range(2, order + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def fit_words(train_tokens: Sequence[Sequence[str]], *, max_tokens: int,
              max_ngrams: int = MAX_NGRAMS) -> tuple[list[str], list[str], np.ndarray]:
    """(the sequence vocabulary, the word 1- to 3-grams, their document counts)."""
    counts: Counter[str] = Counter(t for tokens in train_tokens for t in tokens)
    for word in [w for w in counts if w.endswith(_NUL)]:
        del counts[word]  # left out, and every n-gram holding it
    words = sorted(counts, key=lambda w: (-counts[w], w))[:max(max_tokens - 2, 0)]
    # Word ids in alphabetical order, so that ties of document counts break alphabetically.
    # Past 2**20 distinct words, those seen once (in one text: no n-gram of theirs is kept)
    # are left out, so that three ids fit in one integer.
    names = sorted(counts) if len(counts) < 2**20 - 1 else sorted(w for w in counts
                                                              if counts[w] > 1)
    index = {w: i for i, w in enumerate(names)}
    ids = np.fromiter((index.get(t, -1) for tokens in train_tokens for t in tokens), "int64",
                      sum(len(tokens) for tokens in train_tokens))
    grams = _Grams(ids, np.fromiter(map(len, train_tokens), "int64", len(train_tokens)))
    # An n-gram of word ids packed in one integer: ``bits`` a word, 2 for n.
    bits = max(int(len(names)).bit_length(), 1)
    keys, df, docs = grams.document_counts(
        lambda start, n: _pack(ids, start, n, bits), MAX_WORD_ORDER)
    order = np.lexsort((keys, -df))
    kept = order[df[order] >= _min_df(docs, df)][:max_ngrams]
    return words, [_unpack(int(k), bits, names) for k in keys[kept]], df[kept]


def fit_chars(texts: Sequence[str], max_chars: int = MAX_NGRAMS,
              ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(the character n-grams, their lengths, their document counts) of ``texts``, as Keras
    makes them: ASCII letters lower-cased, split into characters (Unicode code points)."""
    joined = lowered("".join(texts)).encode("utf-32-le")
    points = np.frombuffer(joined, dtype="<u4").astype("uint64")
    grams = _Grams(points, np.fromiter(map(len, texts), "int64", len(texts)))
    keys, df, docs = grams.document_counts(_RollingHash(points), max(CHAR_ORDERS),
                                           orders=CHAR_ORDERS)
    order = np.lexsort((keys, -df))  # ties by a fixed hash of the n-gram
    last = points[grams.first_position + grams.key_order - 1]
    kept = order[(df[order] >= _min_df(docs, df)) & (last[order] != ord(_NUL))][:max_chars]
    first, length = grams.first_position[kept], grams.key_order[kept]
    strings = [" ".join(chr(c) for c in points[s:s + n]) for s, n in zip(
        first.tolist(), length.tolist(), strict=True)]
    return strings, length.astype("int8"), df[kept]


class _Grams:
    """The n-grams of texts laid end to end in ``items`` (``lengths`` items a text): their
    keys, how many texts hold each, and where each first occurs."""

    def __init__(self, items: np.ndarray, lengths: np.ndarray):
        self.items, self.lengths = items, lengths
        self.doc = np.repeat(np.arange(len(lengths)), lengths)
        self.first_position = np.zeros(0, "int64")
        self.key_order = np.zeros(0, "int64")

    def document_counts(self, key_of, most: int, orders: Sequence[int] | None = None,
                        ) -> tuple[np.ndarray, np.ndarray, int]:
        """(distinct keys, texts holding each, texts); ``key_of(start, n)`` keys the n-grams
        starting at the positions ``start``."""
        keys, docs, first, sizes = [], [], [], []
        for n in orders or range(1, most + 1):
            start = np.flatnonzero(self._fits(n))
            key = key_of(start, n)
            # One (text, n-gram) pair each: an n-gram counts once per text.
            pair = key ^ (self.doc[start].astype("uint64") * np.uint64(0x9E3779B97F4A7C15))
            unique = _distinct(pair)[1]
            keys.append(key[unique])
            docs.append(self.doc[start[unique]])
            first.append(start[unique])
            sizes.append(np.full(len(unique), n, "int64"))
        all_keys = np.concatenate(keys) if keys else np.zeros(0, "uint64")
        distinct, at, df = _distinct(all_keys)
        positions, lengths = np.concatenate(first), np.concatenate(sizes)
        self.first_position, self.key_order = positions[at], lengths[at]
        return distinct, df, len(self.lengths)

    def _fits(self, n: int) -> np.ndarray:
        """Positions where an n-gram starts and ends inside one text."""
        if n > len(self.items):
            return np.zeros(len(self.items), bool)
        fits = np.zeros(len(self.items), bool)
        fits[:len(self.items) - n + 1] = self.doc[:len(self.items) - n + 1] == self.doc[n - 1:]
        for k in range(n):  # no left-out item (id -1) inside
            fits[:len(self.items) - k] &= self.items[k:] >= 0
        return fits


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the distinct values, sorted; the position of one occurrence of each; their counts):
    ``np.unique`` without its stable sort, which ``return_index`` makes several times slower."""
    if not len(values):
        return values, np.zeros(0, "int64"), np.zeros(0, "int64")
    order = np.argsort(values, kind="quicksort")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    counts = np.diff(np.append(starts, len(values)))
    return ordered[starts], order[starts], counts


def _pack(ids: np.ndarray, start: np.ndarray, n: int, bits: int) -> np.ndarray:
    key = np.full(len(start), n, "uint64")  # the order in the lowest bits
    for k in range(MAX_WORD_ORDER):
        word = ids[start + k] + 1 if k < n else np.zeros(len(start), "int64")
        key |= word.astype("uint64") << np.uint64(bits * (MAX_WORD_ORDER - 1 - k) + 2)
    return key


def _unpack(key: int, bits: int, names: list[str]) -> str:
    mask = (1 << bits) - 1
    words = [(key >> (bits * (MAX_WORD_ORDER - 1 - k) + 2)) & mask
             for k in range(MAX_WORD_ORDER)]
    return " ".join(names[w - 1] for w in words if w)


class _RollingHash:
    """64-bit polynomial hashes of the n-grams of code points (with their length), each order
    made from the one before: keys of n-grams starting at ``start``, asked for n = 1, 2, ..."""

    def __init__(self, points: np.ndarray):
        self.points = points
        self.n, self.hashes = 0, np.zeros(len(points), "uint64")

    def __call__(self, start: np.ndarray, n: int) -> np.ndarray:
        with np.errstate(over="ignore"):
            while self.n < n:
                self.n += 1
                shifted = np.zeros(len(self.points), "uint64")
                shifted[:len(self.points) - self.n + 1] = self.points[self.n - 1:]
                self.hashes = self.hashes * np.uint64(1_000_003) + shifted
            return self.hashes[start] ^ np.uint64(n)


def _min_df(n_docs: int, doc_freq: np.ndarray) -> int:
    """N-grams of a single text tell nothing of a class, unless there are too few texts for
    any n-gram to come twice."""
    return 2 if n_docs >= 50 and int(doc_freq.max(initial=0)) >= 2 else 1


def text_sample(lengths: Sequence[int], budget: int, seed: int = 0) -> np.ndarray:
    """Which training texts (of ``lengths`` characters) a vocabulary is fitted on: a seeded
    shuffle, cut once ``budget`` characters are in (every text when they fit). With one seed,
    a smaller budget's texts are among a larger one's."""
    order = np.random.default_rng(seed).permutation(len(lengths))
    total = np.cumsum(np.asarray(lengths, dtype="int64")[order])
    return np.sort(order[:max(int(np.searchsorted(total, budget, side="right")), 1)])


def length_percentiles(token_lists: Sequence[Sequence[str]]) -> dict[str, int]:
    lengths = np.array([len(t) for t in token_lists] or [0])
    return {f"p{q}": int(np.percentile(lengths, q)) for q in (50, 90, 95, 99)} | {
        "max": int(lengths.max())
    }


def choose_max_len(percentiles: dict[str, int], cap: int = 512) -> int:
    """Sequence cut-off: the 95th percentile of training lengths, at least 8, at most ``cap``."""
    return int(min(max(percentiles["p95"], 8), cap))
