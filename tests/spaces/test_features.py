"""The featurizing package: what a trial reads is, value for value, what the exported model's
layers compute from the raw text (accented, CJK, emoji and mixed-case text included); the
vocabularies are fitted as documented; the stored data comes back as it went in."""

from __future__ import annotations

import numpy as np
import pytest

from spaces.features import (
    BagSetting,
    StudyData,
    Vocabulary,
    bag,
    encode,
    fit_vocabulary,
    inputs_model,
    tokenize,
)
from spaces.features._tokens import WORD_STANDARDIZE
from spaces.features._vocabulary import char_sample, fit_chars, fit_words

TEXTS = [
    "Ça coûte 12€, très CHER !", "naïve café: le Café NAÏF", "東京は大きい 東京 タワー",
    "emoji 🙂🙂 and more 🙂", "Mixed CASE words, Mixed case", "tabs\tand\nnewlines  here",
    "don't stop-believing... HOLD on", "ÉLÈVE élève Élève", "数据 数据 科学", "a b c a b c",
    "the cat sat on the mat", "the dog sat on the log", "naïve naive NAÏVE",
] * 3

SETTINGS = [BagSetting(1, 40, "binary"), BagSetting(2, 200, "count", norm="l1"),
            BagSetting(3, 500, "tfidf", chars="2-5", char_size=300),
            BagSetting(2, 100, "tfidf", chars="3-5", char_size=50, norm="l1"),
            BagSetting(1, 500, "count", chars="2-4", char_size=1000)]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return fit_vocabulary(TEXTS, max_tokens=200).vocabulary


def test_character_ngrams_are_fitted_as_keras_splits_them(vocabulary: Vocabulary) -> None:
    # Characters as Keras splits them: ASCII letters lower-cased, others kept, joined by a
    # space; the length of each is recorded.
    assert "c a f é" in vocabulary.chars and "東 京" in vocabulary.chars
    assert "🙂 🙂" in vocabulary.chars and "C A" not in vocabulary.chars
    assert "É l" in vocabulary.chars  # É is not ASCII: kept as written, as TensorFlow does
    at = vocabulary.chars.index("東 京")
    assert vocabulary.char_orders[at] == 2 and vocabulary.char_df[at] == 3
    orders = {int(n) for n in vocabulary.char_orders}
    assert orders == {2, 3, 4, 5}


# Whitespace and case at the edges of what Keras treats as ASCII: no-break and ideographic
# spaces, a file separator and NEL are not its whitespace; İ, ß and É are not lower-cased.
EDGES = ["a\u00a0b c\u3000d", "e\x1cf\x85g\u2028h", "  lead\ttab\nnl\rcr\x0bvt\x0cff  ", "",
         "İstanbul STRASSE ẞ ß É", "x-y_z's (it's) [ok]", "\ufeffbom 🎉!PARTY!", "...", "a\x00b"]


def test_words_are_split_as_the_keras_word_layer_splits_them() -> None:
    """tokenize (plain Python, so that create starts no TensorFlow) against the word layer's
    own standardize and split."""
    import keras

    texts = TEXTS + EDGES
    layer = keras.layers.TextVectorization(standardize=WORD_STANDARDIZE, split="whitespace")
    split = layer._preprocess(np.array(texts, dtype=object))  # what it looks up
    theirs = [[t.decode("utf-8") for t in row] for row in split.to_list()]
    assert tokenize(texts) == theirs
    assert tokenize(["a\u00a0b ÉCOLE, d'Été"]) == [["a\u00a0b", "École", "dÉté"]]


def test_word_ngrams_rank_by_texts_holding_them_then_alphabetically() -> None:
    words, ngrams, df = fit_words([["b", "a"], ["a", "c"], ["a", "b"]], max_tokens=10)
    assert words == ["a", "b", "c"]
    assert ngrams[0] == "a" and df[0] == 3
    assert ngrams[1:] == ["b", "a b", "a c", "b a", "c"] and list(df[1:]) == [2, 1, 1, 1, 1]


def test_character_sample_is_seeded_and_bounded() -> None:
    lengths = [100] * 50
    first = char_sample(lengths, budget=1000, seed=3)
    assert len(first) == 10 and np.array_equal(first, char_sample(lengths, budget=1000, seed=3))
    assert not np.array_equal(first, char_sample(lengths, budget=1000, seed=4))
    assert len(char_sample(lengths, budget=10**6)) == 50


def test_character_counts_are_document_counts() -> None:
    chars, orders, df = fit_chars(["abab", "ab"])
    found = dict(zip(chars, df, strict=True))
    assert found["a b"] == 2 and found["b a"] == 1 and found["a b a b"] == 1
    assert orders[chars.index("a b a")] == 3


@pytest.mark.slow
@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: f"{s.weighting}-{s.norm}-{s.chars}")
def test_a_trials_bag_is_what_the_exported_layers_compute(vocabulary: Vocabulary,
                                                          setting: BagSetting) -> None:
    ours = bag(encode(TEXTS, vocabulary), vocabulary, setting).toarray()
    theirs = np.asarray(inputs_model(vocabulary, ("ngrams",), setting)(
        np.array(TEXTS, dtype=object))["ngrams"])
    assert ours.shape == theirs.shape == (len(TEXTS), setting.width(vocabulary))
    assert ours[:, -1].any() or setting.chars is None  # the last column is a character n-gram
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_word_ids_and_character_counts_equal_the_layers(vocabulary: Vocabulary) -> None:
    encoded = encode(TEXTS, vocabulary)
    model = inputs_model(vocabulary, ("words", "ngrams"), SETTINGS[2])
    ids = np.asarray(model(np.array(TEXTS, dtype=object))["words"])
    for row in range(len(TEXTS)):
        ours = encoded.words.values[encoded.words.splits[row]:encoded.words.splits[row + 1]]
        assert list(ids[row, :len(ours)]) == list(ours) and not ids[row, len(ours):].any()
    chars = encoded.char_counts.toarray()
    row = TEXTS.index("emoji 🙂🙂 and more 🙂")
    assert chars[row, vocabulary.chars.index("🙂 🙂")] == 1
    assert chars[row, vocabulary.chars.index("e m")] == 1


def test_study_data_comes_back_byte_for_byte(vocabulary: Vocabulary) -> None:
    data = StudyData(vocabulary, TEXTS[:30], np.arange(30), TEXTS[30:], np.arange(9))
    stored = data.to_bytes()
    back = StudyData.from_bytes(stored)
    assert back.to_bytes() == stored
    assert back.train_texts == TEXTS[:30] and back.vocabulary.chars == vocabulary.chars
    assert np.array_equal(back.vocabulary.char_orders, vocabulary.char_orders)
