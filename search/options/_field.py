"""An option defined once: its default, flag, help and bounds, on a dataclass field.

The CLI turns each field into a typer option, the Python API takes the same names as keywords,
and ``StudyConfig`` stores the groups as they are (``to_dict``/``from_dict``).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, Self, TypeVar, cast

from search._errors import OptionError

T = TypeVar("T")


def option(default: T, flag: str, help: str, *, min: float | None = None,
           envvar: str | None = None, short: str | None = None, root: bool = False) -> T:
    """A field of an option group. ``min`` is an inclusive lower bound; ``envvar`` a variable
    the CLI reads when the flag is not given; ``root`` marks an option of the ``hpsearch``
    command itself (given before the subcommand), such as ``--verbose``."""
    metadata = {"flag": flag, "help": help, "min": min, "envvar": envvar, "short": short,
                "root": root}
    return cast(T, dataclasses.field(default=default, metadata=metadata))


@dataclass(frozen=True)
class OptionSpec:
    """One option of a group, as the CLI and the checks see it."""

    name: str
    kind: Any  # the field's type, e.g. ``int | None`` or ``Task | None``
    default: Any
    flag: str
    help: str
    min: float | None
    envvar: str | None
    short: str | None
    root: bool

    @property
    def choices(self) -> type[Enum] | None:
        """The enum the option takes its values from, if any."""
        for member in _members(self.kind):
            if isinstance(member, type) and issubclass(member, Enum):
                return member
        return None


def _members(kind: Any) -> tuple[Any, ...]:
    return typing.get_args(kind) if isinstance(kind, UnionType) else (kind,)


_SPECS: dict[type, tuple[OptionSpec, ...]] = {}


def _specs(group: type) -> tuple[OptionSpec, ...]:
    if group not in _SPECS:
        kinds = typing.get_type_hints(group)
        _SPECS[group] = tuple(OptionSpec(f.name, kinds[f.name], f.default, **f.metadata)
                              for f in dataclasses.fields(group))
    return _SPECS[group]


@dataclass(frozen=True)
class OptionGroup:
    """Base of the option groups. On creation each value is brought to its field's type
    (``"val_loss"`` to ``Metric.VAL_LOSS``, ``"data.csv"`` to a ``Path``) and its bound
    checked, so the Python API and the CLI accept and refuse the same values."""

    @classmethod
    def specs(cls) -> tuple[OptionSpec, ...]:
        return _specs(cls)

    def __post_init__(self) -> None:
        for spec in self.specs():
            value = _coerce(spec, getattr(self, spec.name))
            object.__setattr__(self, spec.name, value)
            if spec.min is not None and value is not None and value < spec.min:
                raise OptionError(f"{spec.flag} must be at least {spec.min:g}, but got {value}.")

    def take(self, keywords: dict[str, Any]) -> Self:
        """A copy with the options that ``keywords`` names, which are removed from it."""
        mine = {s.name: keywords.pop(s.name) for s in self.specs() if s.name in keywords}
        return dataclasses.replace(self, **mine) if mine else self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values: enums by value, paths as text."""
        return {spec.name: _plain(getattr(self, spec.name)) for spec in self.specs()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        names = {spec.name for spec in cls.specs()}
        return cls(**{k: v for k, v in data.items() if k in names})


def refuse_unknown(keywords: Mapping[str, Any], *groups: type[OptionGroup]) -> None:
    """Refuse the keywords no group took, naming the options there are."""
    if keywords:
        known = sorted(spec.name for group in groups for spec in group.specs())
        raise TypeError(f"Unknown option(s) {sorted(keywords)}; the options here are: "
                        f"{', '.join(known)}.")


def _coerce(spec: OptionSpec, value: Any) -> Any:
    choices = spec.choices
    if value is None or (choices is not None and isinstance(value, choices)):
        return value
    if choices is not None:
        try:
            return choices(value)
        except ValueError:
            raise OptionError(f"{spec.flag} {value!r} is not allowed. Choose one of: "
                              f"{', '.join(str(c.value) for c in choices)}.") from None
    if Path in _members(spec.kind) and isinstance(value, str):
        return Path(value)
    if float in _members(spec.kind) and type(value) is int:
        return float(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return str(value) if isinstance(value, Path) else value
