"""A trial's network written out as Keras code, with the trial's literal values.

The same text builds the network a trial trains (``spaces._model.build_network`` executes it)
and is printed in the exported script, so the script's model is the trial's model by
construction: same layers, same order of creation (hence the same initial weights for a seed).

Pure Python: it writes code, it imports no Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spaces._families import has_deep_part, input_names

# Helpers the network code may call (the exported script prints those it calls).
HELPERS = '''\
def token_mask(ids, dtype="float32", first=1):  # 1.0 at ids >= first, else 0.0: (batch, len, 1)
    return ops.expand_dims(ops.cast(ops.greater_equal(ids, first), dtype), -1)


def masked_mean(x, mask):  # over real tokens (Keras' pooling layers would count padding)
    return ops.sum(x * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)


def masked_max(x, mask):
    return ops.max(x * mask - (1.0 - mask) * 1e4, axis=1)
'''


@dataclass(frozen=True)
class Dims:
    """Sizes a network needs from the data: outputs, word ids, n-gram columns."""

    n_outputs: int
    word_vocab: int = 0
    ngram_width: int = 0


WIDTH = 100


class _Code:
    """Lines of a function body, each indented once and wrapped to ``WIDTH`` columns."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        self.lines.extend(_wrapped(f"    {line}") if line else [""])


def _wrapped(line: str) -> list[str]:
    """A long call split after its commas, continued under its first open parenthesis."""
    if len(line) <= WIDTH or "(" not in line or line.lstrip().startswith("#"):
        return [line]
    hang = " " * (line.index("(") + 1)
    lines, current = [], ""
    for piece in line.split(", "):
        candidate = f"{current}, {piece}" if current else piece
        if current and len(candidate) + 1 > WIDTH:
            lines.append(current + ",")
            candidate = hang + piece
        current = candidate
    return [*lines, current]


def network_code(params: dict[str, Any], dims: Dims) -> str:
    """``def build_network(sparse=True, embedding_matrix=None)``: the inputs of
    ``input_names(params)`` in (the n-gram bag as a sparse tensor unless ``sparse`` is
    False), one logit per output out."""
    code = _Code()
    names = input_names(params)
    code('"""' + describe(params) + '"""')
    hidden = "ngrams" in names and params["ngram_hidden"]
    beside = "ngram_ids" in names or "words" in names  # a branch whose vector is x
    if "ngrams" in names:
        _ngram_branch(code, params, dims, "hidden" if beside else "x")
    if "ngram_ids" in names:
        _fasttext_branch(code, params, dims)
    if "words" in names:
        _sequence_branch(code, params, dims)
    if hidden and beside:
        code("x = layers.Concatenate()([hidden, x])")
    if has_deep_part(params):
        for _ in range(params["dense_layers"]):
            code(f'x = layers.Dense({params["dense_units"]}, activation="relu")(x)')
            code(f'x = layers.Dropout({params["dropout"]!r})(x)')
        code("# Logits stay float32 under mixed precision.")
        code(f'logits = layers.Dense({dims.n_outputs}, dtype="float32", name="logits")(x)')
        if "ngrams" in names and not hidden:
            code('logits = layers.Add(name="wide_and_deep")([wide, logits])')
    else:
        code("logits = wide")
    inputs = ", ".join(f'"{name}": {name}' for name in names)
    code(f'return keras.Model({{{inputs}}}, logits, name="network")')
    return "def build_network(sparse=True, embedding_matrix=None):\n" + "\n".join(code.lines)


def _ngram_branch(code: _Code, params: dict[str, Any], dims: Dims, out: str) -> None:
    code(f"# The n-gram bag: {dims.ngram_width - 1} n-grams of up to {params['ngram_order']} "
         f"words, {params['ngram_weighting']}, each row of unit length.")
    code(f'ngrams = keras.Input(({dims.ngram_width},), sparse=sparse, name="ngrams")')
    penalty = f'keras.regularizers.L2({params["ngram_l2"]!r})'
    if params["ngram_hidden"]:
        code(f'{out} = layers.Dense({params["ngram_units"]}, activation="relu", '
             f'dtype="float32", kernel_regularizer={penalty}, name="ngram_hidden")(ngrams)')
        code(f'{out} = layers.Dropout({params["dropout"]!r})({out})')
    else:
        code("# Straight into the output: a linear model on the bag.")
        code(f'wide = layers.Dense({dims.n_outputs}, dtype="float32", '
             f'kernel_regularizer={penalty}, name="wide")(ngrams)')


def _fasttext_branch(code: _Code, params: dict[str, Any], dims: Dims) -> None:
    code(f"# fastText-style: the ids of the text's n-grams (up to {params['ngram_order']} "
         "words), embedded and averaged.")
    code('ngram_ids = keras.Input((None,), dtype="int32", name="ngram_ids")')
    code(f'x = layers.Embedding({dims.ngram_width + 1}, {params["embedding_dim"]}, '
         'name="ngram_embedding")(ngram_ids)')
    code("# Unknown n-grams (id 1) are left out of the mean, like padding (id 0).")
    code('x = masked_mean(ops.cast(x, "float32"), token_mask(ngram_ids, first=2))')
    code(f'x = layers.Dropout({params["dropout"]!r})(x)')


def _sequence_branch(code: _Code, params: dict[str, Any], dims: Dims) -> None:
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


def describe(params: dict[str, Any]) -> str:
    """One line that names the model."""
    family = params["family"]
    bag = (f"{params['ngram_weighting']} n-grams (up to {params['ngram_order']} words)"
           if "ngram_weighting" in params else "")
    if family == "ngram":
        if params["ngram_hidden"]:
            return f"An n-gram MLP: {bag} through {params['ngram_units']} ReLU units."
        return f"A linear model on {bag}."
    if family == "fasttext":
        return (f"fastText-style: n-gram ids (up to {params['ngram_order']} words) embedded "
                f"in {params['embedding_dim']} dimensions and averaged.")
    depth = params["rnn_layers"]
    rnn = ("pooled word embeddings" if depth == 0 else
           f"{depth} {'bidirectional ' if params['bidirectional'] else ''}"
           f"{params['cell'].upper()} layer(s) of {params['rnn_units']}")
    if family == "sequence":
        return f"A sequence model: {rnn}."
    return f"Wide and deep: {rnn}, beside {bag}."


def helpers_for(code: str) -> str:
    """The helper functions ``code`` calls, as code."""
    blocks = HELPERS.split("\n\n\n")
    return "\n\n\n".join(b for b in blocks if b.split("(")[0].removeprefix("def ") in code)
