"""What to try: the model families and their search space, sampling a trial's params, turning
text into what a network reads, and turning params into a Keras model.

- ``spaces.keys``: search dimensions and the keys every family shares;
- ``spaces.families``: one file per family, and the registry;
- ``spaces.space``: the built-in space (every family), YAML space files, sampling, starting points;
- ``spaces.features``: vocabularies, the stored data, each trial's inputs, the featurizing layers;
- ``spaces.model``: the network built from its family's code, losses, the model users keep.

Importing it loads neither Optuna nor Keras; ``spaces.features`` and ``spaces.model`` load
TensorFlow for the names that need it, on first use. Imports nothing from ``search`` or
``storage``.
"""

from spaces._task import OUTPUT_ACTIVATION, HeadMismatchError, Task, check_head
from spaces.families import REGISTRY, Dims, Family, describe_params, family_of
from spaces.keys import Choice, FloatRange, IntRange, Param
from spaces.space import (
    BUILT_IN,
    Space,
    SpaceError,
    check_space_for_task,
    default_space,
    load_space,
    params_of,
    parse_space,
    read_yaml,
    starting_points,
    suggest_params,
)

__all__ = [
    "BUILT_IN",
    "OUTPUT_ACTIVATION",
    "REGISTRY",
    "Choice",
    "Dims",
    "Family",
    "FloatRange",
    "HeadMismatchError",
    "IntRange",
    "Param",
    "Space",
    "SpaceError",
    "Task",
    "check_head",
    "check_space_for_task",
    "default_space",
    "describe_params",
    "family_of",
    "load_space",
    "params_of",
    "parse_space",
    "read_yaml",
    "starting_points",
    "suggest_params",
]
