"""The best trial against the baselines, on each of the task's headline metrics in turn."""

from __future__ import annotations

from collections.abc import Mapping

from search.metrics._names import Direction, Metric
from search.metrics._tasks import KEY_METRICS
from spaces import Task


def ahead(metric: Metric, mine: float, theirs: float) -> bool:
    """Whether ``mine`` is better than ``theirs`` on ``metric`` (a tie is not ahead)."""
    if metric.direction is Direction.MINIMIZE:
        return mine < theirs
    return mine > theirs


def versus_baselines(metrics: Mapping[str, float], baselines: Mapping[str, Mapping[str, float]],
                     task: Task) -> list[str]:
    """One sentence per baseline: the headline metrics the trial wins, those it ties (equal to
    the four decimals shown) and those it loses, with both values. Never "beats" on one metric
    while losing another unsaid."""
    sentences = []
    for name, theirs in baselines.items():
        won: list[str] = []
        tied: list[str] = []
        lost: list[str] = []
        for metric in KEY_METRICS[task]:
            if metric not in metrics or metric not in theirs:
                continue
            pair = f"{metric} {metrics[metric]:.4f} vs {theirs[metric]:.4f}"
            if f"{metrics[metric]:.4f}" == f"{theirs[metric]:.4f}":
                tied.append(pair)
            else:
                (won if ahead(metric, metrics[metric], theirs[metric]) else lost).append(pair)
        sentences.append(_sentence(name, won, tied, lost))
    return sentences


def _sentence(name: str, won: list[str], tied: list[str], lost: list[str]) -> str:
    if not won and not lost:
        return f"level with {name} on every headline metric ({'; '.join(tied)})"
    if not lost and not tied:
        return f"ahead of {name} on every headline metric ({'; '.join(won)})"
    if not won and not tied:
        return f"behind {name} on every headline metric ({'; '.join(lost)})"
    parts = ([f"ahead of {name} on {'; '.join(won)}"] if won else []) + (
        [f"level{'' if won else ' with ' + name} on {'; '.join(tied)}"] if tied else [])
    said = ", ".join(parts)
    return said + (f", but behind on {'; '.join(lost)}" if lost else "")
