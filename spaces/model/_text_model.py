"""The model users keep: raw strings in, probabilities out. The study's featurizing layers run
once, then each member's bag and network; one member is a trial's model, several an ensemble,
whose probabilities are the members' averaged with their weights. ``load_text_model`` reads one
back from its ``.keras`` file as anyone would, with Keras alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
from keras import layers

from spaces.features import BagSetting, Featurizer, Vocabulary


@dataclass(frozen=True)
class Member:
    """A trained network (built with ``sparse=False``), what it reads, and its weight."""

    network: keras.Model
    reads: tuple[str, ...]
    bag: BagSetting | None
    weight: float = 1.0


def text_model(members: Sequence[Member], vocabulary: Vocabulary, task: str) -> keras.Model:
    """One Keras model over the members (their networks renamed ``network_0``, ... when
    there are several)."""
    featurizer = Featurizer.of(vocabulary, [(m.reads, m.bag) for m in members])
    text = keras.Input(shape=(), dtype="string", name="text")
    counts = featurizer(text, vocabulary)
    activation = "softmax" if task == "multiclass" else "sigmoid"
    single = len(members) == 1
    outputs = []
    for i, member in enumerate(members):
        suffix = "" if single else f"_{i}"
        fed = {}
        if "words" in member.reads:
            fed["words"] = counts["words"]
        if member.bag is not None:
            fed["ngrams"] = featurizer.bag(counts, vocabulary, member.bag, name=f"bag{suffix}")
        if not single:
            member.network.name = f"network{suffix}"
        probs = layers.Activation(activation, dtype="float32",
                                  name="probabilities" if single else f"probabilities{suffix}")
        outputs.append(probs(member.network(fed)))
    if not single:
        weighted = [layers.Rescaling(member.weight, name=f"weight_{i}")(p)
                    for i, (member, p) in enumerate(zip(members, outputs, strict=True))]
        outputs = [layers.Add(name="probabilities")(weighted)]
    return keras.Model(text, outputs[0], name="text_classifier")


def load_text_model(path: str | Path) -> keras.Model:
    """The model saved at ``path`` (a ``.keras`` file), loaded with ``safe_mode=True``: it holds
    built-in layers only, so it needs no custom object and no code of hpsearch."""
    return keras.models.load_model(path, safe_mode=True)
