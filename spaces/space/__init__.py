"""A search space: the built-in one (every family of the registry and its keys), narrowed by a
YAML space file; sampling a trial's params from it, and the starting points moved into it;
``read_yaml``, how hpsearch reads any YAML a person wrote (``1e-3`` is a number, as in YAML
1.2). Pure Python (Optuna only for ``params_of``)."""

from spaces.space._keys import BUILT_IN, KEYS
from spaces.space._space import (
    Space,
    SpaceError,
    check_space_for_task,
    default_space,
    load_space,
    parse_space,
)
from spaces.space._starts import all_starting_points, starting_points
from spaces.space._suggest import params_of, suggest_params
from spaces.space._yaml import read_yaml

__all__ = ["BUILT_IN", "KEYS", "Space", "SpaceError", "all_starting_points",
           "check_space_for_task", "default_space", "load_space", "params_of", "parse_space",
           "read_yaml", "starting_points", "suggest_params"]
