"""What to try: search spaces, and turning a trial's params into a compiled Keras model.

The spaces, their keys and the task heads load at once (the CLI needs them); sampling from a
space (``suggest_params``, ``params_of``, ``starting_points``) loads Optuna on first use.
``build_model`` and the losses import Keras: import them from ``spaces._model`` and
``spaces._losses`` where training happens (``search.training``), so that nothing else loads
TensorFlow. Imports nothing from ``search`` or ``storage``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from spaces._params import Choice, FloatRange, IntRange, Param
from spaces._space import (
    Space,
    SpaceError,
    check_space_for_task,
    default_space,
    load_space,
    parse_space,
)
from spaces._task import OUTPUT_ACTIVATION, HeadMismatchError, Task, check_head

if TYPE_CHECKING:
    from spaces._starts import starting_points
    from spaces._suggest import params_of, suggest_params

_SAMPLING = {"starting_points": "spaces._starts", "params_of": "spaces._suggest",
             "suggest_params": "spaces._suggest"}


def __getattr__(name: str) -> object:
    if name not in _SAMPLING:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_SAMPLING[name]), name)


__all__ = [
    "OUTPUT_ACTIVATION",
    "Choice",
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
    "load_space",
    "params_of",
    "parse_space",
    "starting_points",
    "suggest_params",
]
