"""Search dimensions: ranges and choices (``IntRange``, ``FloatRange``, ``Choice``), what a
space key may hold (``Key``), and the keys every family shares. Pure Python."""

from spaces.keys._common import HEAD_KEYS, LOSS_KEYS, OPTIMISER_KEYS, WEIGHT_KEYS
from spaces.keys._params import (
    Choice,
    FloatRange,
    IntRange,
    Key,
    Param,
    Scalar,
    describe_param,
    to_yaml_value,
)

__all__ = ["HEAD_KEYS", "LOSS_KEYS", "OPTIMISER_KEYS", "WEIGHT_KEYS", "Choice", "FloatRange",
           "IntRange", "Key", "Param", "Scalar", "describe_param", "to_yaml_value"]
