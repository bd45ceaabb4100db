"""What to try: search spaces, and turning a trial's params into a compiled Keras model.

Importing it loads neither Optuna nor Keras: sampling (``suggest_params``, ``params_of``,
``starting_points``) works on the trial it is given. ``build_model`` and the losses import
Keras: import them from ``spaces._model`` and ``spaces._losses`` where training happens
(``search.training``), so that nothing else loads TensorFlow. Imports nothing from ``search``
or ``storage``.
"""

from spaces._params import Choice, FloatRange, IntRange, Param
from spaces._space import (
    Space,
    SpaceError,
    check_space_for_task,
    default_space,
    load_space,
    parse_space,
)
from spaces._starts import starting_points
from spaces._suggest import params_of, suggest_params
from spaces._task import OUTPUT_ACTIVATION, HeadMismatchError, Task, check_head

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
