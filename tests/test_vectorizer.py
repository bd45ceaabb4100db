"""The study's one vectorizer: what trials train on is what the exported model computes."""

from __future__ import annotations

import numpy as np
import pytest

from search.data import (
    NgramSetting,
    Prepared,
    fit_vectorizer,
    layer_vocabulary,
    network_inputs,
    ngram_bags,
)
from search.data._prepared import Ragged

TEXTS = [
    "Héllo WÖRLD, ça va? Ça VA!", "東京 タワー 😀 Big big 😀", "İstanbul ıi ß ẞ straße",
    "naïve café CAFÉ café", "a\u00a0b\u3000c\td e", "don't stop -- believing!!!",
    "Été été ÉTÉ, l'été", "emoji 🎉🎉 party 🎉", "北京 上海 北京 广州", "MiXeD CaSe mixed case",
    "one two three four five", "two three four five six", "!!! ???", "x",
] * 4


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    from search.training._text import encode, tokenize

    rng = np.random.default_rng(0)
    order = rng.permutation(len(TEXTS))
    train, val = order[:40], order[40:]
    texts = [TEXTS[i] + f" w{i % 7}" for i in range(len(TEXTS))]
    y = np.arange(len(texts)) % 3
    vectorizer = fit_vectorizer(tokenize([texts[i] for i in train]), max_tokens=30, max_len=5)
    return Prepared(vectorizer, encode([texts[i] for i in train], y[train], vectorizer),
                    encode([texts[i] for i in val], y[val], vectorizer)), texts, train, val


PARAMS = [
    {"family": "ngram", "ngram_order": order, "ngram_vocab": size, "ngram_weighting": weighting}
    for order, size, weighting in ((1, 8, "count"), (2, 200, "tfidf"), (3, 40, "binary"),
                                   (3, 200, "tfidf"), (2, 15, "binary"), (1, 200, "count"))
] + [{"family": "fasttext", "ngram_order": 2, "ngram_vocab": 30},
     {"family": "fasttext", "ngram_order": 3, "ngram_vocab": 200},
     {"family": "sequence"}]


@pytest.mark.slow
@pytest.mark.parametrize("params", PARAMS, ids=lambda p: "-".join(map(str, p.values())))
def test_trial_inputs_equal_the_exported_vectorizer_on_non_ascii_text(prepared, params) -> None:
    """For every training and validation text, the ids and bags trials use equal what the
    exported model's own vectorizer layers produce from the raw string."""
    import keras
    import tensorflow as tf

    from spaces._model import vectorized_inputs

    prep, texts, train, val = prepared
    text, fed = vectorized_inputs(params, **layer_vocabulary(prep.vectorizer, params))
    layers_out = keras.Model(text, fed)
    for split, rows in ((prep.train, train), (prep.val, val)):
        mine = network_inputs(split, prep.vectorizer, params)
        theirs = {k: np.asarray(v) for k, v in
                  layers_out(tf.constant([texts[i] for i in rows])).items()}
        if mine.bags is not None:
            np.testing.assert_allclose(mine.bags.dense(), theirs["ngrams"], rtol=1e-6, atol=1e-7)
            assert (mine.bags.dense() > 0).any(axis=1).mean() > 0.3  # not trivially empty
        for name in ("words", "ngram_ids"):
            ragged: Ragged | None = getattr(mine, name)
            if ragged is None:
                continue
            for i in range(len(rows)):
                row = ragged.values[ragged.splits[i]:ragged.splits[i + 1]]
                padded = theirs[name][i]
                assert list(row) == list(padded[:len(row)]), (name, texts[rows[i]])
                assert not padded[len(row):].any()
            assert (ragged.values > 1).sum() >= 10  # known ids, not all unknown


def test_vocabulary_ties_are_broken_alphabetically_and_rare_ngrams_dropped() -> None:
    tokens = [["b", "a", "c"], ["a", "b"], ["c", "b", "a"]] * 20
    vec = fit_vectorizer(tokens, max_tokens=4, max_len=3)
    assert vec.words == ["a", "b"]  # all three tie; max_tokens 4 keeps 2 after padding/unknown
    # "a" and "b" are in 60 texts; "b a" and "c" in 40 each, so alphabetical order decides.
    assert vec.ngrams[:4] == ["a", "b", "b a", "c"]
    assert "a b" in vec.ngrams and "b a c" in vec.ngrams
    assert vec.ngram_df[vec.ngrams.index("a b")] == 20
    once = fit_vectorizer(tokens + [["zz", "yy"]], max_tokens=10, max_len=3)
    assert "zz" not in once.ngrams  # seen in one text only (min_df 2 from 50 texts)


def test_bags_are_unit_length_and_idf_weighted() -> None:
    tokens = [["x", "y"], ["x", "z"], ["x", "y", "y"]] * 20
    vec = fit_vectorizer(tokens, max_tokens=10, max_len=3)
    split = _encoded(vec, [["x", "y", "y"], ["q"]])
    bag = ngram_bags(split, vec, NgramSetting(1, 10), "tfidf").dense()
    idf = dict(zip(vec.ngrams, vec.idf(np.arange(len(vec.ngrams))), strict=True))
    subset = [vec.ngrams[i] for i in NgramSetting(1, 10).subset(vec)]
    x, y = subset.index("x") + 1, subset.index("y") + 1  # column 0 is "unknown"
    expected = np.array([idf["x"], (1 + np.log(2)) * idf["y"]])  # sublinear tf x idf
    np.testing.assert_allclose(bag[0, [x, y]], expected / np.linalg.norm(expected), rtol=1e-6)
    assert not bag[1].any()  # only an unknown word: nothing counted in tfidf
    binary = ngram_bags(split, vec, NgramSetting(1, 10), "binary").dense()
    assert not binary[1].any()  # unknown n-grams weigh nothing, whatever the weighting


def test_prepared_bytes_are_deterministic_and_round_trip() -> None:
    tokens = [["x", "y"], ["x", "z"]] * 30
    vec = fit_vectorizer(tokens, max_tokens=10, max_len=3)
    split = _encoded(vec, [["x", "y"], ["z"]])
    prepared = Prepared(vec, split, split)
    data = prepared.to_bytes()
    assert data == Prepared(vec, split, split).to_bytes()
    back = Prepared.from_bytes(data)
    assert back.vectorizer.ngrams == vec.ngrams and back.vectorizer.words == vec.words
    np.testing.assert_array_equal(back.val.grams.values, split.grams.values)
    assert back.embedding_matrix is None


def test_taking_rows_keeps_each_row_whole() -> None:
    ragged = Ragged(np.array([1, 2, 3, 4, 5, 6]), np.array([0, 2, 2, 5, 6]))
    taken = ragged.take(np.array([3, 0, 2]))
    assert list(taken.values) == [6, 1, 2, 3, 4, 5]
    assert list(taken.splits) == [0, 1, 3, 6]


def _encoded(vec, token_rows):
    """An EncodedSplit for pre-split tokens, as the Keras layer would give it."""
    from search.data._prepared import EncodedSplit
    from search.data._vectorize import ngrams_of

    index = {g: i + 2 for i, g in enumerate(vec.ngrams)}
    words = {w: i + 2 for i, w in enumerate(vec.words)}
    grams = [[index.get(g, 1) for g in ngrams_of(t)] for t in token_rows]
    word_ids = [[words.get(w, 1) for w in t[:vec.max_len]] for t in token_rows]

    def ragged(rows):
        return Ragged(np.array([v for r in rows for v in r], dtype="int32"),
                      np.cumsum([0] + [len(r) for r in rows]).astype("int64"))

    return EncodedSplit(ragged(word_ids), ragged(grams),
                        np.array([len(t) for t in token_rows]), np.zeros(len(token_rows)))
