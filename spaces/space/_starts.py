"""Known-good first trials, so a search starts from a sensible model rather than from noise.

Each family names its own (``Family.starting_points``); they are queued in the order of their
rank: the expert's linear model on words and characters first (its grid of C and class
weights), then an n-gram MLP on words and characters, which errs differently (what an ensemble
of the two gains from). The search moves away from them, but the best of them is on the
leaderboard within the first minutes and the search must beat it to change the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from spaces._task import Task
from spaces.families import REGISTRY, StartingPoint
from spaces.space._space import Space
from spaces.space._suggest import suggest_params

if TYPE_CHECKING:
    import optuna


class _FitToSpace:
    """Answers a space's suggestions from a point, moved into the space where it lies outside:
    a number is clipped (or, among choices, becomes the nearest allowed one), a missing or
    foreign choice becomes the first allowed one."""

    def __init__(self, point: dict[str, Any]):
        self.point = point
        self.params: dict[str, Any] = {}

    def suggest_int(self, name: str, low: int, high: int, log: bool = False) -> int:
        value = int(min(max(self.point.get(name, low), low), high))
        self.params[name] = value
        return value

    def suggest_float(self, name: str, low: float, high: float, log: bool = False) -> float:
        value = float(min(max(self.point.get(name, low), low), high))
        self.params[name] = value
        return value

    def suggest_categorical(self, name: str, choices: list[Any]) -> Any:
        value = self.point.get(name, choices[0])
        if not any(value == c and type(value) is type(c) for c in choices):
            numbers = [c for c in choices if type(c) is type(value) and isinstance(c, int | float)
                       and not isinstance(c, bool)]
            value = min(numbers, key=lambda c: abs(c - value)) if numbers else choices[0]
        self.params[name] = value
        return value


def all_starting_points() -> list[StartingPoint]:
    """Every family's starting points, in the order they are queued."""
    points = [p for family in REGISTRY.values() for p in family.starting_points]
    return sorted(points, key=lambda p: p.rank)


def starting_points(space: Space, task: Task, *, pretrained_embeddings: bool = False,
                    ) -> list[tuple[str, dict[str, Any]]]:
    """The starting points moved into ``space``, as (name, trial params); a point whose family
    the space leaves out is skipped, and duplicates dropped."""
    families = space.params["family"].choices  # type: ignore[union-attr]
    points: list[tuple[str, dict[str, Any]]] = []
    for point in all_starting_points():
        if point.params["family"] not in families:
            continue
        fitted = _FitToSpace(point.params)
        suggest_params(cast("optuna.trial.BaseTrial", fitted), space, task,
                       pretrained_embeddings=pretrained_embeddings)
        if all(fitted.params != params for _, params in points):
            points.append((point.name, fitted.params))
    return points
