"""Checking a user's configuration against a study's space: the params are replayed through
the space's own suggest function by a trial that records each question instead of sampling.

Nothing here knows the space's keys, so a key added to the space is checked like the others:
what the suggest function asks for and is not given is missing, what is given and never
asked for is unknown (or unused by these values), and each answer is checked against the
distribution it was asked with.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

import storage


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def describe(dist: BaseDistribution) -> str:
    """What a distribution allows, in words."""
    if isinstance(dist, CategoricalDistribution):
        return "one of " + ", ".join(_shown(c) for c in dist.choices)
    if isinstance(dist, IntDistribution | FloatDistribution):
        kind = "an integer" if isinstance(dist, IntDistribution) else "a number"
        return f"{kind} from {dist.low} to {dist.high}" + (", log scale" if dist.log else "")
    return str(dist)


def _inside(dist: BaseDistribution, value: Any) -> bool:
    """Whether ``value`` lies in ``dist``. A number is held to the bounds first: Optuna
    refuses one below a log scale's (0, -1) or NaN with an error of its own, not an answer."""
    if isinstance(dist, IntDistribution | FloatDistribution) and not (
            dist.low <= value <= dist.high):
        return False
    return storage.in_distribution(dist, value)


@dataclass
class RecordingTrial:
    """Stands in for an Optuna trial: answers each ``suggest_*`` with the given value and
    records the question; a missing or wrong value is noted and answered with a stand-in
    (the lowest value, the first choice) so that the rest of the space is still walked."""

    given: dict[str, Any]
    distributions: dict[str, BaseDistribution] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def params(self) -> dict[str, Any]:
        return {name: self.given[name] for name in self.distributions if name in self.given}

    def _answer(self, name: str, dist: BaseDistribution, stand_in: Any,
                type_problem: str | None) -> Any:
        self.distributions[name] = dist
        if name not in self.given:
            self.missing.append(name)
            return stand_in
        value = self.given[name]
        if type_problem is None and not _inside(dist, value):
            type_problem = "lies outside the study's space"
        if type_problem:
            self.problems.append(f"{name}={value!r} {type_problem} ({describe(dist)})")
            return stand_in
        return value

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1,
                    log: bool = False) -> int:
        value = self.given.get(name)
        wrong = None if isinstance(value, int) and not isinstance(value, bool) else \
            "must be an integer"
        return int(self._answer(name, IntDistribution(low, high, log=log, step=step), low,
                                wrong))

    def suggest_float(self, name: str, low: float, high: float, *, step: float | None = None,
                      log: bool = False) -> float:
        value = self.given.get(name)
        wrong = None if isinstance(value, int | float) and not isinstance(value, bool) else \
            "must be a number"
        return float(self._answer(name, FloatDistribution(low, high, log=log, step=step), low,
                                  wrong))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        value = self.given.get(name)
        allowed = any(c == value and type(c) is type(value) for c in choices)
        return self._answer(name, CategoricalDistribution(list(choices)), choices[0],
                            None if allowed else "is not allowed")


def unknown_keys(trial: RecordingTrial, space_keys: Sequence[str]) -> list[str]:
    """Each given key the replay never asked for: unused by these values, or no parameter of
    the space at all (with the closest name, if one is close)."""
    asked = list(trial.distributions)
    found = []
    for key in sorted(set(trial.given) - set(asked), key=str):
        # A missing key is the likeliest meaning of a misspelt one.
        close = (difflib.get_close_matches(str(key), trial.missing, n=1)
                 or difflib.get_close_matches(str(key), [*asked, *space_keys], n=1))
        hint = f"did you mean {close[0]!r}?" if close and close[0] != key else ""
        if key in space_keys:
            found.append(f"{key!r} is not used with these values ("
                         + (hint or "the others switch it off") + ")")
        else:
            found.append(f"{key!r} is not a parameter of this space"
                         + (f" ({hint})" if hint else ""))
    return found

