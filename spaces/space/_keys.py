"""Every key a space may set: the family, each family's keys, and the keys they share."""

from __future__ import annotations

from spaces.families import REGISTRY, family_keys
from spaces.keys import HEAD_KEYS, LOSS_KEYS, OPTIMISER_KEYS, WEIGHT_KEYS, Choice, Key

# The built-in space holds every family of the registry, so it is named for them.
BUILT_IN = "families"
FORMER_NAMES = ("lstm",)  # accepted in `extends:` of old space files

FAMILY_KEY = Key("choice", Choice(tuple(REGISTRY)), allowed=tuple(REGISTRY),
                 help="; ".join(f"{name}: {family.summary}" for name, family in REGISTRY.items()))

KEYS: dict[str, Key] = {"family": FAMILY_KEY, **family_keys(), **HEAD_KEYS, **OPTIMISER_KEYS,
                        **WEIGHT_KEYS, **LOSS_KEYS}
