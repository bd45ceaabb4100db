"""``sequence``: word embeddings through 0-4 LSTM/GRU layers and an optional Conv1D block,
pooled. Its keys and branch are shared with ``wide_deep``."""

from __future__ import annotations

from typing import Any

from spaces.families._base import Family, Pick, SampleContext
from spaces.families._code import Code, Dims, dense_head
from spaces.keys import Choice, FloatRange, IntRange, Key

POOLINGS = ("last", "max", "avg", "max_avg")
SEQUENCE_KEYS: dict[str, Key] = {
    "rnn_layers": Key("int", IntRange(0, 4), (0, 6),
                      help="recurrent layers; 0 pools the embeddings directly"),
    "cell": Key("choice", Choice(("lstm", "gru")), allowed=("lstm", "gru")),
    "rnn_units": Key("int", IntRange(8, 256, log=True), (1, 2048)),
    "bidirectional": Key("choice", Choice((False, True)), allowed=(False, True)),
    "embedding_dim": Key("int", IntRange(16, 256, log=True), (2, 1024),
                         help="the sequence branch's: ignored with --embeddings (the "
                              "vectors' dimension is used); fastText's n-gram embeddings"),
    "embedding_trainable": Key("choice", Choice((False, True)), allowed=(False, True),
                               help="fine-tune pre-trained vectors; only with --embeddings"),
    "embedding_dropout": Key("float", FloatRange(0.0, 0.5), (0.0, 0.9),
                             help="spatial dropout on the embedded sequence (input dropout)"),
    "conv": Key("choice", Choice((False, True)), allowed=(False, True),
                help="a Conv1D block before pooling"),
    "conv_filters": Key("int", IntRange(16, 256, log=True), (1, 2048)),
    "conv_kernel": Key("choice", Choice((3, 5)), allowed=(2, 3, 4, 5, 7)),
    "pooling": Key("choice", Choice(POOLINGS), allowed=POOLINGS,
                   help="'last' applies only after a recurrent layer without conv"),
}


def sample_sequence(pick: Pick, params: dict[str, Any], context: SampleContext) -> None:
    params["rnn_layers"] = pick("rnn_layers")
    if params["rnn_layers"] > 0:
        params["cell"] = pick("cell")
        params["rnn_units"] = pick("rnn_units")
        params["bidirectional"] = pick("bidirectional")
    if context.pretrained_embeddings:
        params["embedding_trainable"] = pick("embedding_trainable")
    else:
        params["embedding_dim"] = pick("embedding_dim")
    params["embedding_dropout"] = pick("embedding_dropout")
    params["conv"] = pick("conv")
    if params["conv"]:
        params["conv_filters"] = pick("conv_filters")
        params["conv_kernel"] = pick("conv_kernel")
    if params["rnn_layers"] > 0 and not params["conv"]:
        params["pooling"] = pick("pooling")
    else:  # no last state to take: a choice among the others, under a name of its own
        params["pooling"] = context.pick_as("pooling", "pooling_seq",
                                            tuple(p for p in POOLINGS if p != "last"))


def sequence_branch(code: Code, params: dict[str, Any], dims: Dims) -> None:
    """Word ids to a pooled vector ``x`` (or the last state with ``pooling`` last)."""
    if params["pooling"] == "last" and (params["rnn_layers"] == 0 or params["conv"]):
        raise ValueError("pooling='last' takes the last state of a recurrent layer, so it needs "
                         "rnn_layers > 0 and conv off; use max, avg or max_avg instead")
    code("# The sequence branch: word embeddings"
         + (f" through {params['rnn_layers']} recurrent layer(s)" if params["rnn_layers"]
            else "") + ", pooled.")
    code('words = keras.Input((None,), dtype="int32", name="words")')
    if "embedding_trainable" in params:
        code("x = layers.Embedding(embedding_matrix.shape[0], embedding_matrix.shape[1], "
             "mask_zero=True, embeddings_initializer=keras.initializers.Constant("
             f"embedding_matrix), trainable={bool(params['embedding_trainable'])}, "
             'name="word_embedding")(words)')
    else:
        code(f'x = layers.Embedding({dims.word_vocab}, {params["embedding_dim"]}, '
             'mask_zero=True, name="word_embedding")(words)')
    if params["embedding_dropout"] > 0:
        code(f'x = layers.SpatialDropout1D({params["embedding_dropout"]!r})(x)')
    code("# Conv1D and pooling take no Keras mask: padding is zeroed and left out here.")
    code("mask = token_mask(words, x.dtype)")
    last = params["pooling"] == "last"
    cell = "LSTM" if params.get("cell") == "lstm" else "GRU"
    for i in range(params["rnn_layers"]):
        sequences = not (last and i == params["rnn_layers"] - 1)
        layer = f"layers.{cell}({params['rnn_units']}, return_sequences={sequences})"
        if params["bidirectional"]:
            layer = f"layers.Bidirectional({layer})"
        code(f"x = {layer}(x)")
        if params["dropout"] > 0:
            code(f'x = layers.Dropout({params["dropout"]!r})(x)')
    if params["conv"]:
        code(f'x = layers.Conv1D({params["conv_filters"]}, {params["conv_kernel"]}, '
             'padding="same", activation="relu")(x * mask)')
    if last:
        return
    code('x, mask = ops.cast(x, "float32"), ops.cast(mask, "float32")')
    pooled = {"max": "masked_max(x, mask)", "avg": "masked_mean(x, mask)",
              "max_avg": "layers.Concatenate()([masked_max(x, mask), masked_mean(x, mask)])"}
    code(f"x = {pooled[params['pooling']]}")


def describe_sequence(params: dict[str, Any]) -> str:
    """``2×bi-LSTM 64, conv 64k3, max_avg`` or ``pooled embeddings, max``."""
    depth = params["rnn_layers"]
    bi = "bi-" if params.get("bidirectional") else ""
    parts = [f"{depth}×{bi}{params['cell'].upper()} {params['rnn_units']}" if depth
             else "pooled embeddings"]
    if params["conv"]:
        parts.append(f"conv {params['conv_filters']}k{params['conv_kernel']}")
    return ", ".join([*parts, params["pooling"]])


class Sequence(Family):
    name = "sequence"
    summary = "word embeddings through recurrent and convolutional layers, pooled"
    keys = SEQUENCE_KEYS
    reads = ("words",)

    def sample(self, pick: Pick, params: dict[str, Any], context: SampleContext) -> None:
        sample_sequence(pick, params, context)

    def network(self, code: Code, params: dict[str, Any], dims: Dims) -> None:
        sequence_branch(code, params, dims)
        dense_head(code, params, dims)

    def describe(self, params: dict[str, Any]) -> str:
        return "sequence: " + describe_sequence(params)
