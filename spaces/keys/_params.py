"""Search dimensions: ranges, choices and fixed values, and how a space file describes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna

Scalar = bool | int | float | str


@dataclass(frozen=True)
class IntRange:
    low: int
    high: int
    log: bool = False

    def suggest(self, trial: optuna.trial.BaseTrial, name: str) -> int:
        return trial.suggest_int(name, self.low, self.high, log=self.log)


@dataclass(frozen=True)
class FloatRange:
    low: float
    high: float
    log: bool = False

    def suggest(self, trial: optuna.trial.BaseTrial, name: str) -> float:
        return trial.suggest_float(name, self.low, self.high, log=self.log)


@dataclass(frozen=True)
class Choice:
    choices: tuple[Scalar, ...]

    def suggest(self, trial: optuna.trial.BaseTrial, name: str) -> Any:
        return trial.suggest_categorical(name, list(self.choices))


Param = IntRange | FloatRange | Choice


def describe_param(param: Param) -> str:
    if isinstance(param, Choice):
        return "one of " + ", ".join(map(str, param.choices))
    log = ", log scale" if param.log else ""
    return f"{param.low} to {param.high}{log}"


def to_yaml_value(param: Param) -> Any:
    if isinstance(param, Choice):
        return param.choices[0] if len(param.choices) == 1 else list(param.choices)
    value: dict[str, Any] = {"low": param.low, "high": param.high}
    if param.log:
        value["log"] = True
    return value


@dataclass(frozen=True)
class Key:
    """What a space key may hold: ``kind`` int/float/choice, hard limits or allowed values,
    and its default in the built-in space."""

    kind: str
    default: Param
    limits: tuple[float, float] | None = None
    allowed: tuple[Scalar, ...] | None = None
    help: str = ""
