"""The vectorizer layers of a text model, rebuilt from a study's stored vocabularies.

Trials train on inputs derived from these layers' output (``search.data``); the exported model
puts the layers themselves in front of the trained network, so raw strings go in. Keras'
built-in layers only, so the saved model loads anywhere with ``safe_mode=True``.
"""

from __future__ import annotations

from keras import layers

# Keras' "lower_and_strip_punctuation": ASCII letters lower-cased (others kept as written),
# ASCII punctuation deleted; then tokens are split on whitespace. PUNCTUATION is the pattern
# Keras deletes, for code that tokenizes outside a layer.
STANDARDIZE = "lower_and_strip_punctuation"
SPLIT = "whitespace"
PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
UNKNOWN = "[UNK]"


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


def ngram_bag_layer(ngrams, order, weighting, idf=None, name="ngram_counts"):
    """A bag of 1- to ``order``-grams: column 0 for unknown n-grams, then one per n-gram.

    ``binary``: 1 where present (column 0: any unknown n-gram). ``count`` and ``tfidf``
    (count x ``idf``): column 0 stays 0, or a long text's unknown n-grams would outweigh
    everything it says once the row is scaled to unit length.
    """
    if weighting == "binary":
        return layers.TextVectorization(
            standardize=STANDARDIZE, split=SPLIT, vocabulary=list(ngrams), ngrams=order,
            output_mode="multi_hot", name=name)
    weights = [1.0] * len(ngrams) if weighting == "count" else [float(v) for v in idf]
    return layers.TextVectorization(
        standardize=STANDARDIZE, split=SPLIT, vocabulary=[UNKNOWN, *ngrams], ngrams=order,
        output_mode="tf_idf", idf_weights=[0.0, *weights], name=name)
