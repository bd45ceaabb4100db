"""The vectorizer layers of a text model, rebuilt from a study's stored vocabularies.

Trials train on inputs derived from these layers' output (``search.data``); the exported model
puts the layers themselves in front of the trained network, so raw strings go in. Keras'
built-in layers only, so the saved model loads anywhere with ``safe_mode=True``.
"""

from __future__ import annotations

from keras import layers, ops

# Keras' "lower_and_strip_punctuation": ASCII letters lower-cased (others kept as written),
# ASCII punctuation deleted; then tokens are split on whitespace. PUNCTUATION is the pattern
# Keras deletes, for code that tokenizes outside a layer.
STANDARDIZE = "lower_and_strip_punctuation"
SPLIT = "whitespace"
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


def word_layer(words, max_len=None, *, ragged=False, name="words"):
    """Word ids (0 padding, 1 unknown, then ``words``), padded or cut to ``max_len``."""
    return layers.TextVectorization(
        standardize=STANDARDIZE, split=SPLIT, vocabulary=list(words), output_mode="int",
        output_sequence_length=max_len, ragged=ragged, name=name)


def ngram_id_layer(ngrams, order, *, ragged=False, name="ngram_ids"):
    """Ids of every 1- to ``order``-gram (0 padding, 1 unknown, then ``ngrams``), unigrams
    first, then bigrams, then trigrams."""
    return layers.TextVectorization(
        standardize=STANDARDIZE, split=SPLIT, vocabulary=list(ngrams), ngrams=order,
        output_mode="int", ragged=ragged, name=name)


def ngram_bag(text, ngrams, order, weighting, idf=None):
    """A text's bag of 1- to ``order``-grams, each row of unit length: 1 where present
    (``binary``), the count (``count``), or (1 + ln count) x idf (``tfidf``, the sublinear
    form scikit-learn's TF-IDF uses). N-grams not in the vocabulary (column 0) weigh 0."""
    mode = "multi_hot" if weighting == "binary" else "count"
    counts = layers.TextVectorization(
        standardize=STANDARDIZE, split=SPLIT, vocabulary=list(ngrams), ngrams=order,
        output_mode=mode, name="ngram_counts")(text)
    counts = ops.cast(counts, "float32")
    if weighting == "tfidf":
        counts = ops.where(ops.greater(counts, 0.0), 1.0 + ops.log(ops.maximum(counts, 1.0)),
                           0.0)
    scale = [float(v) for v in idf] if weighting == "tfidf" else [1.0] * len(ngrams)
    weighted = layers.Rescaling(scale=[0.0, *scale], name="ngram_weights")(counts)
    return layers.UnitNormalization(name="unit_length")(weighted)
