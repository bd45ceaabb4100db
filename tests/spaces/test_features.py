"""The featurizing package: the layers count, count for count, what a reference written here
from the specification counts (accented, CJK, emoji, NBSP, NUL, tab and mixed-case text); the
vocabularies are fitted as it says; what a trial reads is, value for value, what the exported
model's layers compute from the raw text; texts are kept as written and cut at one length; the
stored data comes back as it went in."""

from __future__ import annotations

import logging
import re
import string
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from search._errors import DataError
from search.data import load_table
from spaces.features import (
    CHAR_ORDERS,
    MAX_TEXT_CHARS,
    MAX_WORD_ORDER,
    BagSetting,
    StudyData,
    Vocabulary,
    _inputs,
    bag,
    encode,
    fit_vocabulary,
    inputs_model,
    prepare_texts,
    tokenize,
)
from spaces.features._tokens import WORD_STANDARDIZE
from spaces.features._vocabulary import fit_chars, fit_words, text_sample

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
    # Characters as Keras splits them, joined by a space, every letter lower-cased; the
    # length of each is recorded.
    assert "c a f é" in vocabulary.chars and "東 京" in vocabulary.chars
    assert "🙂 🙂" in vocabulary.chars and "C A" not in vocabulary.chars
    # É is not ASCII: the layers see it as written, a variant counted into é's column.
    assert "é l" in vocabulary.chars and "É l" not in vocabulary.chars
    variants = vocabulary.char_variants
    assert vocabulary.chars[variants.targets[variants.terms.index("É l")]] == "é l"
    assert "C A" not in variants.terms  # the layers lower-case A to Z themselves
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


def test_text_sample_is_seeded_and_bounded() -> None:
    lengths = [100] * 50
    first = text_sample(lengths, budget=1000, seed=3)
    assert len(first) == 10 and np.array_equal(first, text_sample(lengths, budget=1000, seed=3))
    assert not np.array_equal(first, text_sample(lengths, budget=1000, seed=4))
    assert set(text_sample(lengths, budget=500, seed=3)) < set(first)
    assert len(text_sample(lengths, budget=10**6)) == 50


def test_words_are_fitted_on_a_bounded_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    from spaces.features import _fit

    texts = [f"common word{i} " + "x" * 80 for i in range(50)]
    monkeypatch.setattr(_fit, "WORD_FIT_CHARS", 1000)
    vocabulary = _fit.fit_vocabulary(texts, max_tokens=1000, seed=1).vocabulary
    sample = text_sample([len(t) for t in texts], 1000, seed=1)
    assert vocabulary.n_docs == len(sample) < len(texts)
    assert {w for w in vocabulary.words if w.startswith("word")} == {f"word{i}" for i in sample}


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
def test_the_saved_layers_fold_case_beyond_ascii(vocabulary: Vocabulary, tmp_path: Path) -> None:
    """Saved and loaded with Keras alone in safe mode, the featurizing layers count what the
    layers see of a term into its column: ``ÉLÈVE`` (seen as ``ÉlÈve``) and ``Élève`` as
    ``élève``."""
    import keras

    assert len(vocabulary.word_variants) and len(vocabulary.char_variants)
    model = inputs_model(vocabulary, ("words", "ngrams"), SETTINGS[2])
    model.save(tmp_path / "inputs.keras")
    loaded = keras.saving.load_model(tmp_path / "inputs.keras", safe_mode=True)
    texts = np.array(["ÉLÈVE NAÏF", "Élève Naïf", "élève naïf", "eleve naif"], dtype=object)
    out = {k: np.asarray(v) for k, v in loaded(texts).items()}
    for name, values in model(texts).items():
        np.testing.assert_array_equal(np.asarray(values), out[name])
    for name in ("words", "ngrams"):
        np.testing.assert_array_equal(out[name][0], out[name][2])
        np.testing.assert_array_equal(out[name][1], out[name][2])
        assert not np.array_equal(out[name][3], out[name][2])


def test_a_bag_weighed_in_blocks_of_rows_is_the_same_bag(vocabulary: Vocabulary,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    encoded = encode(TEXTS, vocabulary)
    whole = bag(encoded, vocabulary, SETTINGS[2])
    monkeypatch.setattr(_inputs, "BAG_ROWS", 4)  # 39 rows: ten blocks, the last of three
    blocks = bag(encoded, vocabulary, SETTINGS[2])
    assert (whole != blocks).nnz == 0 and blocks.dtype == whole.dtype
    assert blocks.has_sorted_indices


def test_rows_stacked_part_by_part_are_the_rows_of_every_part() -> None:
    """``stacked_rows`` gives what scipy's vstack gives, indices sorted, and empties the list
    it was given (each part let go once copied); an encoding joined in two parts, as a worker
    grows its training rows, equals the one-piece encoding."""
    import scipy.sparse as sp

    from spaces.features._inputs import stacked_rows

    rng = np.random.default_rng(0)
    parts = [sp.random(rows, 50, density=0.2, format="csr", dtype="float32", random_state=rng)
             for rows in (7, 0, 12, 3)]
    parts[2].indices[:2] = parts[2].indices[1::-1]  # a row whose indices are out of order
    parts[2].has_sorted_indices = False
    expected = sp.vstack(parts, format="csr")
    expected.sort_indices()
    given = list(parts)
    stacked = stacked_rows(given)
    assert given == [] and stacked.shape == (22, 50) and stacked.dtype == np.float32
    assert (stacked != expected).nnz == 0 and np.array_equal(stacked.indices, expected.indices)


def test_an_encoding_joined_in_parts_is_the_encoding_of_every_row(vocabulary: Vocabulary) -> None:
    from spaces.features import joined_splits

    whole = encode(TEXTS, vocabulary)
    parts = [encode(TEXTS[:11], vocabulary), encode(TEXTS[11:], vocabulary)]
    joined = joined_splits(parts)
    assert parts == []
    assert (joined.ngram_counts != whole.ngram_counts).nnz == 0
    assert (joined.char_counts != whole.char_counts).nnz == 0
    assert np.array_equal(joined.words.values, whole.words.values)
    assert np.array_equal(joined.words.splits, whole.words.splits)


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


# The specification, written out again from its words rather than from the project's code: the
# layers see A to Z lower-cased and every other character as written; words with ASCII
# punctuation deleted, split on ASCII whitespace; characters as Unicode code points; n-grams
# joined by a space. The vocabularies are counted on the text with every letter lower-cased
# whose lower case is one character; what the layers see of an n-gram counts into its
# lower-cased form's column when that is a vocabulary term.
_A_TO_Z = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_ASCII_SPACE = re.compile("[ \t\n\r\x0b\x0c]+")


def spec_fold(text: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def spec_words(text: str) -> list[str]:
    kept = "".join(c for c in text.translate(_A_TO_Z) if c not in string.punctuation)
    return [w for w in _ASCII_SPACE.split(kept) if w]


def spec_grams(items: list[str], orders: tuple[int, ...]) -> list[str]:
    return [" ".join(items[i:i + n]) for n in orders for i in range(len(items) - n + 1)]


def spec_char_grams(text: str) -> list[str]:
    return spec_grams(list(text.translate(_A_TO_Z)), CHAR_ORDERS)


def spec_word_grams(text: str) -> list[str]:
    return spec_grams(spec_words(text), tuple(range(1, MAX_WORD_ORDER + 1)))


def spec_counts(grams_of: Callable[[str], list[str]], texts: list[str], terms: list[str],
                fitted_on: list[str]) -> np.ndarray:
    """How often each term occurs in each text, as itself or as a variant of it seen in the
    texts the vocabulary was ``fitted_on``."""
    known = spec_variants(grams_of, fitted_on, terms)
    counted = [Counter(known.get(g, g) for g in grams_of(t)) for t in texts]
    return np.array([[c[term] for term in terms] for c in counted])


def spec_df(grams_of: Callable[[str], list[str]], texts: list[str]) -> Counter[str]:
    return Counter(g for t in texts for g in set(grams_of(spec_fold(t))))


def spec_variants(grams_of: Callable[[str], list[str]], texts: list[str],
                  terms: list[str]) -> dict[str, str]:
    """What the layers see of a term, other than the term itself."""
    held = set(terms)
    return {g: spec_fold(g) for t in texts for g in grams_of(t)
            if spec_fold(g) != g and spec_fold(g) in held}


# Each twice at least, so that all their n-grams are kept; the last three once.
SPEC_TEXTS = (TEXTS[:13] + EDGES + [
    "  leading and trailing  ", "\tTab\tSEPARATED\tÀ\tà", "NBSP\u00a0between\u00a0Ü ü",
    "NUL\x00inside and at the end\x00", "\x00NUL first", "ΟΔΟΣ οδος ΣΟΦΟΣ σοφός",
    "Ωmega ÅNGSTRÖM ångström", "ǅ Ǆ ǆ ﬁ Ⅻ ⅻ"]) * 2 + ["once Ŋ only", "É\x00", "ÿŸ ÿ"]
EDGE_CHARACTERS = ["É", "é", "東", "🙂", "\u00a0", "\x00", "\t", "İ", "ẞ", "Σ", "ς", "Ⅻ"]


@pytest.fixture(scope="module")
def spec_vocabulary() -> Vocabulary:
    return fit_vocabulary(SPEC_TEXTS, max_tokens=10_000).vocabulary


def test_the_vocabularies_hold_what_the_specification_counts(
        spec_vocabulary: Vocabulary) -> None:
    """Every n-gram of at least two texts, with its document count: non-ASCII letters kept as
    written, no term ending in NUL (Keras' numpy vocabulary would cut it off)."""
    vocabulary = spec_vocabulary
    assert vocabulary.char_docs == len(SPEC_TEXTS)
    chars = spec_df(spec_char_grams, SPEC_TEXTS)
    assert dict(zip(vocabulary.chars, vocabulary.char_df.tolist(), strict=True)) == {
        g: n for g, n in chars.items() if n >= 2 and not g.endswith("\x00")}
    assert all(o == len(list(g)) // 2 + 1 for g, o in zip(vocabulary.chars,
                                                       vocabulary.char_orders.tolist(),
                                                       strict=True))
    ngrams = spec_df(spec_word_grams, SPEC_TEXTS)
    assert dict(zip(vocabulary.ngrams, vocabulary.ngram_df.tolist(), strict=True)) == {
        g: n for g, n in ngrams.items() if n >= 2 and not any(
            w.endswith("\x00") for w in g.split(" "))}
    assert list(vocabulary.char_df) == sorted(vocabulary.char_df, reverse=True)
    assert list(vocabulary.ngram_df) == sorted(vocabulary.ngram_df, reverse=True)
    counts = Counter(w for t in SPEC_TEXTS for w in spec_words(spec_fold(t))
                     if not w.endswith("\x00"))
    assert vocabulary.words == sorted(counts, key=lambda w: (-counts[w], w))
    for edge in EDGE_CHARACTERS:  # what the comparisons above hold
        assert any(edge in g for g in vocabulary.chars + vocabulary.char_variants.terms), edge
    assert "é l è v e" in vocabulary.chars and "É l è v e" not in vocabulary.chars
    assert "l \x00 i" in vocabulary.chars and "d \x00" not in vocabulary.chars
    # Case variants: exactly what the layers see of each term, other than the term.
    for variants, grams_of, terms in ((vocabulary.char_variants, spec_char_grams,
                                       vocabulary.chars),
                                      (vocabulary.ngram_variants, spec_word_grams,
                                       vocabulary.ngrams),
                                      (vocabulary.word_variants, spec_words, vocabulary.words)):
        assert {v: terms[t] for v, t in zip(variants.terms, variants.targets.tolist(),
                                            strict=True)} == spec_variants(grams_of,
                                                                           SPEC_TEXTS, terms)
    assert vocabulary.chars[vocabulary.char_variants.targets[
        vocabulary.char_variants.terms.index("É l è v e")]] == "é l è v e"
    for written, term in (("ΣΟΦΟΣ", "σοφοσ"), ("ÅNGSTRÖM", "ångström"), ("Ǆ", "ǆ")):
        at = vocabulary.word_variants.terms.index(written.translate(_A_TO_Z))
        assert vocabulary.words[vocabulary.word_variants.targets[at]] == term
    assert "i̇stanbul" not in vocabulary.words  # İ lower-cases to two characters: kept


@pytest.mark.slow
def test_the_layers_count_what_the_specification_counts(spec_vocabulary: Vocabulary) -> None:
    """The worker's encoding (the exported model's layers) against the reference, count for
    count, every vocabulary term; and every n-gram of the text counted once, known or not."""
    from spaces.features._layers import char_count_layer

    vocabulary = spec_vocabulary
    texts = SPEC_TEXTS + ["Élève ÉLÈVE: a text the vocabulary never saw, 東京 🙂\x00\u00a0"]
    encoded = encode(texts, vocabulary)
    expected = spec_counts(spec_char_grams, texts, vocabulary.chars, SPEC_TEXTS)
    assert (expected > 0).sum() > 2000
    variants = vocabulary.char_variants
    for edge in EDGE_CHARACTERS:
        held = [i for i, g in enumerate(vocabulary.chars) if edge in g] + [
            t for v, t in zip(variants.terms, variants.targets.tolist(), strict=True) if edge in v]
        assert expected[:, held].any(), edge
    np.testing.assert_array_equal(encoded.char_counts.toarray(), expected)
    np.testing.assert_array_equal(encoded.ngram_counts.toarray(),
                                  spec_counts(spec_word_grams, texts, vocabulary.ngrams,
                                              SPEC_TEXTS))
    index = {w: i + 2 for i, w in enumerate(vocabulary.words)}
    known = spec_variants(spec_words, SPEC_TEXTS, vocabulary.words)
    ids = [[index.get(known.get(w, w), 1) for w in spec_words(t)][:vocabulary.max_len]
           for t in texts]
    assert [encoded.words.values[a:b].tolist() for a, b in zip(
        encoded.words.splits[:-1], encoded.words.splits[1:], strict=True)] == ids
    every = np.asarray(char_count_layer(vocabulary.chars, CHAR_ORDERS)(
        np.array(texts, dtype=object)))
    assert every.sum(axis=1).tolist() == [len(spec_char_grams(t)) for t in texts]


def test_texts_are_kept_as_written_and_cut_at_one_length(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture,
                                                         ) -> None:
    """What training sees of a text is what the exported model is given: spaces around it
    kept; a text longer than MAX_TEXT_CHARS cut (and said), so that the character sample holds
    every text; a text of spaces alone is still empty."""
    long = "x" + "Long Text " * (2 * MAX_TEXT_CHARS)
    written = ["  spaces around  ", "\ttab first", "nbsp last\u00a0", "line\nbreak "] * 30
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": [*written, long], "label": ["a", "b"] * 60 + ["a"]}).to_csv(
        path, index=False)
    with caplog.at_level(logging.WARNING, logger="hpsearch"):
        table = load_table(path)
    assert table.texts[:-1] == written
    assert table.texts[-1] == long[:MAX_TEXT_CHARS] and len(long) > 10 * MAX_TEXT_CHARS
    assert "1 text(s) longer than 100,000 characters are cut to their first 100,000 (rows " \
           "121; the longest had 2,000,001)" in caplog.text
    assert fit_vocabulary(table.texts, max_tokens=100).vocabulary.char_docs == len(table.texts)
    kept, cut = prepare_texts(["ab", "abc", "abcd"], limit=3)
    assert kept == ["ab", "abc", "abc"] and cut.tolist() == [2]
    pd.DataFrame({"text": ["ok", " \t "], "label": ["a", "b"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="1 empty text"):
        load_table(path)
