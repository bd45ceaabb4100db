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
    """One sentence per baseline: the headline metrics the trial wins and those it loses,
    with both values. Never "beats" on one metric while losing another unsaid."""
    sentences = []
    for name, theirs in baselines.items():
        won: list[str] = []
        lost: list[str] = []
        for metric in KEY_METRICS[task]:
            if metric not in metrics or metric not in theirs:
                continue
            pair = f"{metric} {metrics[metric]:.4f} vs {theirs[metric]:.4f}"
            (won if ahead(metric, metrics[metric], theirs[metric]) else lost).append(pair)
        if not lost:
            sentences.append(f"ahead of {name} on every headline metric ({'; '.join(won)})")
        elif not won:
            sentences.append(f"behind {name} on every headline metric ({'; '.join(lost)})")
        else:
            sentences.append(f"ahead of {name} on {'; '.join(won)}, but behind on "
                             f"{'; '.join(lost)}")
    return sentences
