"""An option defined once: its default, flag, help and bounds, on a dataclass field.

The CLI turns each field into a typer option, the Python API takes the same names as keywords,
``StudyConfig`` stores the groups as they are (``to_dict``/``from_dict``), and ``to_args``
turns a group back into the flags that give its values (``hpsearch launch`` starts its workers
with them).
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
from search.options._size import ByteSize

T = TypeVar("T")


def option(default: T, flag: str, help: str, *, min: float | None = None,
           max: float | None = None, envvar: str | None = None, short: str | None = None,
           off_flag: str | None = None, help_in: Mapping[str, str] | None = None,
           root: bool = False) -> T:
    """A field of an option group.

    ``min`` and ``max`` are inclusive bounds; ``envvar`` a variable the CLI reads when the flag
    is not given; ``short`` a one-letter alias (``-y``); ``off_flag`` the flag that turns a
    boolean off (``--no-color``), which a boolean that is on by default must have;
    ``help_in`` the help as one command words it, by the command's name (``{"run": ...}``),
    where the option means something more there; ``root`` marks an option of the
    ``hpsearch`` command itself (given before the subcommand), such as ``--verbose``."""
    if default is True and off_flag is None:
        raise TypeError(f"The boolean option {flag} is on by default, so it needs an off_flag "
                        f"(say '--no-{flag.removeprefix('--')}') to be turned off.")
    return cast(T, dataclasses.field(default=default, metadata=_metadata(
        flag, help, min, max, envvar, short, off_flag, help_in, root)))


def required(flag: str, help: str, *, min: float | None = None, max: float | None = None,
             short: str | None = None, help_in: Mapping[str, str] | None = None) -> Any:
    """A field of an option group that has no default: the CLI asks for it (``[required]``)
    and so does the group (which needs ``@dataclass(frozen=True, kw_only=True)``)."""
    return dataclasses.field(metadata=_metadata(flag, help, min, max, None, short, None,
                                                help_in, False))


def _metadata(flag: str, help: str, min: float | None, max: float | None, envvar: str | None,
              short: str | None, off_flag: str | None, help_in: Mapping[str, str] | None,
              root: bool) -> dict[str, Any]:
    if min is not None and max is not None and min > max:
        raise TypeError(f"{flag}: `min <= max` must hold, but got ({min=}, {max=}).")
    return {"flag": flag, "help": help, "min": min, "max": max, "envvar": envvar,
            "short": short, "off_flag": off_flag,
            "help_in": tuple(sorted((help_in or {}).items())), "root": root}


@dataclass(frozen=True)
class OptionSpec:
    """One option of a group, as the CLI and the checks see it."""

    name: str
    kind: Any  # the field's type, e.g. ``int | None`` or ``Task | None``
    default: Any  # ``dataclasses.MISSING`` for a required option
    flag: str
    help: str
    min: float | None
    max: float | None
    envvar: str | None
    short: str | None
    off_flag: str | None
    help_in: tuple[tuple[str, str], ...]  # (command name, the help it shows)
    root: bool

    @property
    def required(self) -> bool:
        return self.default is dataclasses.MISSING

    @property
    def is_bool(self) -> bool:
        return bool in _members(self.kind)

    @property
    def is_size(self) -> bool:
        """Whether the option takes a size (``2GB``: ``ByteSize``)."""
        return ByteSize in _members(self.kind)

    @property
    def choices(self) -> type[Enum] | None:
        """The enum the option takes its values from, if any."""
        for member in _members(self.kind):
            if isinstance(member, type) and issubclass(member, Enum):
                return member
        return None

    def help_for(self, command: str | None) -> str:
        """The help as ``command`` shows it: its own wording if it has one, else the option's."""
        return dict(self.help_in).get(command or "", self.help)

    def args(self, value: Any) -> list[str]:
        """The command-line arguments that give this option ``value``: a boolean as its flag
        (or its ``off_flag``), an enum by its value, a path or a number as text."""
        if self.is_bool:
            if value:
                return [self.flag]
            if self.off_flag is None:
                raise OptionError(f"{self.flag} cannot be turned off on the command line: it "
                                  "has no off flag. Leave it at its default there.")
            return [self.off_flag]
        if value is None:
            raise OptionError(f"{self.flag} cannot be set back to none on the command line "
                              f"(its default there is {self.default!r}).")
        return [self.flag, str(_plain(value))]


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
    (``"val_loss"`` to ``Metric.VAL_LOSS``, ``"data.csv"`` to a ``Path``) and its bounds
    checked, so the Python API and the CLI accept and refuse the same values."""

    @classmethod
    def specs(cls) -> tuple[OptionSpec, ...]:
        return _specs(cls)

    @classmethod
    def spec(cls, name: str) -> OptionSpec:
        """The option ``name`` of this group."""
        for spec in cls.specs():
            if spec.name == name:
                return spec
        raise KeyError(f"{cls.__name__} has no option {name!r}; it has: "
                       f"{', '.join(s.name for s in cls.specs())}.")

    def __post_init__(self) -> None:
        for spec in self.specs():
            value = _coerce(spec, getattr(self, spec.name))
            object.__setattr__(self, spec.name, value)
            if value is None or spec.is_bool:
                continue
            if spec.min is not None and value < spec.min:
                raise OptionError(f"{spec.flag} must be at least {spec.min:g}, but got {value}.")
            if spec.max is not None and value > spec.max:
                raise OptionError(f"{spec.flag} must be at most {spec.max:g}, but got {value}.")

    def take(self, keywords: dict[str, Any]) -> Self:
        """A copy with the options that ``keywords`` names, which are removed from it."""
        mine = {s.name: keywords.pop(s.name) for s in self.specs() if s.name in keywords}
        return dataclasses.replace(self, **mine) if mine else self

    def to_args(self, *, root: bool = False) -> list[str]:
        """The command-line arguments that give a command this group's values: one flag per
        value that differs from its default (the command's defaults are the group's own), in
        field order. ``root``: those of the ``hpsearch`` command itself (``--verbose``) rather
        than those of the subcommand."""
        found: list[str] = []
        for spec in self.specs():
            value = getattr(self, spec.name)
            if spec.root == root and (spec.required or value != spec.default):
                found += spec.args(value)
        return found

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
    if ByteSize in _members(spec.kind) and not isinstance(value, ByteSize):
        try:
            return ByteSize.parse(value)
        except ValueError as exc:
            raise OptionError(f"{spec.flag} {exc}") from None
    if float in _members(spec.kind) and type(value) is int:
        return float(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return str(value) if isinstance(value, Path) else value
