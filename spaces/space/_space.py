"""A search space: the built-in one (every family), optionally narrowed by a YAML space file,
checked key by key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spaces._task import Task, check_head
from spaces.keys import Choice, FloatRange, IntRange, Key, Param, describe_param, to_yaml_value
from spaces.space._keys import BUILT_IN, FORMER_NAMES, KEYS
from spaces.space._yaml import read_yaml


class SpaceError(ValueError):
    """A space file that cannot be used; the message names the key, the value and the rule."""


@dataclass(frozen=True)
class Space:
    params: dict[str, Param] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {name: to_yaml_value(p) for name, p in self.params.items()}

    def capped(self, name: str, most: int) -> Space:
        """This space with the integer key ``name`` held at ``most`` or below (the data
        offers no more: e.g. n-grams seen in at least two training texts)."""
        param = self.params[name]
        if isinstance(param, IntRange):
            capped: Param = IntRange(min(param.low, most), min(param.high, most), param.log)
        elif isinstance(param, Choice):
            capped = Choice(tuple(sorted({min(int(v), most) for v in param.choices})))
        else:
            return self
        return Space({**self.params, name: capped})

    def fixed(self, name: str, value: Any) -> Space:
        """This space with the key ``name`` held at ``value`` (the data allows no other)."""
        return Space({**self.params, name: Choice((value,))})


def _parse_value(name: str, key: Key, value: Any) -> Param:
    if isinstance(value, dict):
        return _parse_range(name, key, value)
    return _parse_choices(name, key, value if isinstance(value, list) else [value])


def _parse_range(name: str, key: Key, value: dict[str, Any]) -> Param:
    where = f"space key {name!r}"
    if key.kind == "choice":
        raise SpaceError(
            f"{where} takes a list of choices from {list(key.allowed or ())}, "
            f"but got a range {value!r}. Write e.g. {name}: {list(key.allowed or ())[:2]}."
        )
    unknown = set(value) - {"low", "high", "log"}
    if unknown or not {"low", "high"} <= set(value):
        raise SpaceError(
            f"{where} range must have 'low' and 'high' (and optionally 'log'), "
            f"but got {value!r}. Write e.g. {name}: {to_yaml_value(key.default)}."
        )
    low, high, log = value["low"], value["high"], value.get("log", False)
    number = int if key.kind == "int" else (int, float)
    for bound in (low, high):
        if isinstance(bound, bool) or not isinstance(bound, number):
            raise SpaceError(
                f"{where} takes {key.kind} bounds, but got {bound!r} "
                f"({type(bound).__name__}). Allowed: {describe_param(key.default)}."
            )
    if not isinstance(log, bool):
        raise SpaceError(f"{where}: 'log' must be true or false, but got {log!r}.")
    if low > high:
        raise SpaceError(
            f"{where} is an empty range: `low <= high` must hold, but got "
            f"(low={low}, high={high}). Swap them or widen the range."
        )
    if log and low <= 0:
        raise SpaceError(f"{where}: a log range needs low > 0, but got low={low}.")
    assert key.limits is not None
    if low < key.limits[0] or high > key.limits[1]:
        raise SpaceError(
            f"{where} must stay within {key.limits[0]} to {key.limits[1]}, "
            f"but got {low} to {high}."
        )
    if key.kind == "int":
        return IntRange(int(low), int(high), log)
    return FloatRange(float(low), float(high), log)


def _parse_choices(name: str, key: Key, values: list[Any]) -> Param:
    where = f"space key {name!r}"
    if not values:
        raise SpaceError(f"{where} is an empty list of choices. Give at least one value.")
    if key.kind == "choice":
        allowed = key.allowed or ()
        bad = [v for v in values if not any(a == v and type(a) is type(v) for a in allowed)]
        if bad:
            raise SpaceError(
                f"{where} got {bad[0]!r}, which is not allowed. Allowed: "
                f"{', '.join(map(repr, allowed))}."
            )
        return Choice(tuple(values))
    kind = int if key.kind == "int" else (int, float)
    assert key.limits is not None
    for v in values:
        if isinstance(v, bool) or not isinstance(v, kind):
            raise SpaceError(
                f"{where} takes {key.kind} values, but got {v!r} ({type(v).__name__}). "
                f"Allowed: {describe_param(key.default)}."
            )
        if not key.limits[0] <= v <= key.limits[1]:
            raise SpaceError(
                f"{where} must stay within {key.limits[0]} to {key.limits[1]}, but got {v}."
            )
    return Choice(tuple(values))


def default_space() -> Space:
    return Space({name: key.default for name, key in KEYS.items()})


def parse_space(doc: Any, source: str = "space") -> Space:
    """A space from a parsed YAML document: built-in defaults overridden by ``params``."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise SpaceError(f"{source} must be a mapping with a 'params' key, but got {doc!r}.")
    unknown_top = set(doc) - {"params", "extends"}
    if unknown_top:
        raise SpaceError(
            f"{source} has unknown top-level key(s) {sorted(unknown_top)}; "
            f"allowed: 'extends' ({BUILT_IN}) and 'params'."
        )
    if doc.get("extends", BUILT_IN) not in (BUILT_IN, *FORMER_NAMES):
        raise SpaceError(f"{source}: 'extends' must be {BUILT_IN!r} (the built-in space of "
                         f"every family), but got {doc['extends']!r}.")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise SpaceError(f"{source}: 'params' must be a mapping of key: value, got {params!r}.")
    space = default_space().params.copy()
    for name, value in params.items():
        if name not in KEYS:
            raise SpaceError(
                f"{source} has unknown key {name!r}. Allowed keys: {', '.join(KEYS)}."
            )
        space[name] = _parse_value(name, KEYS[name], value)
    return Space(space)


def load_space(path: str | Path | None) -> Space:
    """The built-in space, or the one a YAML space file describes."""
    if path is None:
        return default_space()
    path = Path(path)
    if not path.is_file():
        raise SpaceError(f"Space file {str(path)!r} does not exist.")
    try:
        doc = read_yaml(path.read_text())
    except yaml.YAMLError as exc:
        raise SpaceError(f"Space file {str(path)!r} is not valid YAML: {exc}") from None
    return parse_space(doc, source=f"space file {str(path)!r}")


def check_space_for_task(space: Space, task: Task) -> None:
    """Refuse heads and losses in ``space`` that contradict ``task``."""
    activation = space.params.get("output_activation", Choice(("auto",)))
    losses = space.params.get("loss", Choice(("crossentropy",)))
    assert isinstance(activation, Choice) and isinstance(losses, Choice)
    for act in activation.choices:
        for loss in losses.choices:
            check_head(task, activation=None if act == "auto" else str(act), loss=str(loss))
