"""The built-in ``lstm`` space: every key a space file may set, its limits and its default."""

from __future__ import annotations

from dataclasses import dataclass

from spaces._families import FAMILIES
from spaces._params import Choice, FloatRange, IntRange, Param, Scalar


@dataclass(frozen=True)
class Key:
    """What a space key may hold: ``kind`` int/float/choice, hard limits or allowed values."""

    kind: str
    default: Param
    limits: tuple[float, float] | None = None
    allowed: tuple[Scalar, ...] | None = None
    help: str = ""


KEYS: dict[str, Key] = {
    "family": Key("choice", Choice(FAMILIES), allowed=FAMILIES,
                  help="ngram: a bag of n-grams into a linear layer or an MLP; fasttext: word "
                       "and n-gram ids embedded and averaged; sequence: embeddings through "
                       "recurrent/conv layers; wide_deep: the sequence and n-gram branches "
                       "together"),
    "ngram_order": Key("choice", Choice((1, 2, 3)), allowed=(1, 2, 3),
                       help="longest n-gram: 1 words, 2 words and pairs, 3 up to triples"),
    "ngram_vocab": Key("int", IntRange(10_000, 200_000, log=True), (100, 200_000),
                       help="n-grams kept, most frequent first (capped by those seen in at "
                            "least two training texts)"),
    "ngram_weighting": Key("choice", Choice(("binary", "count", "tfidf")),
                           allowed=("binary", "count", "tfidf"),
                           help="n-gram bag values (tfidf: (1 + ln count) x idf), then each row "
                                "scaled to unit length"),
    "ngram_hidden": Key("choice", Choice((True, False)), allowed=(False, True),
                        help="the bag through a ReLU layer (an n-gram MLP) or straight into "
                             "the output (a linear model, the 'wide' part of wide_deep)"),
    "ngram_units": Key("int", IntRange(32, 1024, log=True), (1, 8192)),
    "ngram_l2": Key("float", FloatRange(1e-9, 1e-4, log=True), (0.0, 1.0),
                    help="L2 penalty on the weights that read the n-gram bag"),
    "rnn_layers": Key("int", IntRange(0, 4), (0, 6),
                      help="recurrent layers; 0 pools the embeddings directly"),
    "cell": Key("choice", Choice(("lstm", "gru")), allowed=("lstm", "gru")),
    "rnn_units": Key("int", IntRange(8, 256, log=True), (1, 2048)),
    "bidirectional": Key("choice", Choice((False, True)), allowed=(False, True)),
    "embedding_dim": Key("int", IntRange(16, 256, log=True), (2, 1024),
                         help="ignored with --embeddings (the vectors' dimension is used)"),
    "embedding_trainable": Key("choice", Choice((False, True)), allowed=(False, True),
                               help="fine-tune pre-trained vectors; only with --embeddings"),
    "embedding_dropout": Key("float", FloatRange(0.0, 0.5), (0.0, 0.9),
                             help="spatial dropout on the embedded sequence (input dropout)"),
    "dropout": Key("float", FloatRange(0.0, 0.5), (0.0, 0.9), help="dropout between layers"),
    "conv": Key("choice", Choice((False, True)), allowed=(False, True),
                help="a Conv1D block before pooling"),
    "conv_filters": Key("int", IntRange(16, 256, log=True), (1, 2048)),
    "conv_kernel": Key("choice", Choice((3, 5)), allowed=(2, 3, 4, 5, 7)),
    "pooling": Key("choice", Choice(("last", "max", "avg", "max_avg")),
                   allowed=("last", "max", "avg", "max_avg"),
                   help="'last' applies only after a recurrent layer without conv"),
    "dense_layers": Key("int", IntRange(0, 4), (0, 8)),
    "dense_units": Key("int", IntRange(16, 512, log=True), (1, 4096)),
    "learning_rate": Key("float", FloatRange(1e-4, 0.3, log=True), (1e-6, 1.0),
                         help="Adam's step; linear n-gram models like 0.1, recurrent ones 1e-3"),
    "batch_size": Key("choice", Choice((32, 64, 128, 256, 512)),
                      allowed=(8, 16, 32, 64, 128, 256, 512, 1024)),
    "class_weight": Key("choice", Choice(("none", "balanced", "softened")),
                        allowed=("none", "balanced", "softened"),
                        help="per-class weights (single-label) or per-label positive weights "
                             "(multi-label); softened = balanced ** power"),
    "class_weight_power": Key("float", FloatRange(0.2, 0.8), (0.0, 1.0)),
    "loss": Key("choice", Choice(("crossentropy",)),
                allowed=("crossentropy", "focal", "top_k", "binary_crossentropy",
                         "categorical_crossentropy", "sparse_categorical_crossentropy"),
                help="focal and top_k (the loss on the k hardest examples of each batch) "
                     "are opt-in"),
    "focal_gamma": Key("float", FloatRange(1.0, 3.0), (0.0, 10.0)),
    "top_k": Key("choice", Choice((16,)), allowed=(4, 8, 16, 32, 64, 128)),
    "output_activation": Key("choice", Choice(("auto",)),
                             allowed=("auto", "softmax", "sigmoid"),
                             help="'auto' picks the one that fits the task; others are checked"),
}
