"""Everything a worker needs to run trials, recorded in the study itself."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from search._errors import StudyError
from spaces import Space, Task, parse_space

# Metric name -> True when larger is better.
MAXIMIZE = {
    "val_loss": False,
    "accuracy": True,
    "macro_f1": True,
    "precision": True,
    "recall": True,
    "pr_auc": True,
    "pr_auc_micro": True,
    "pr_auc_macro": True,
}

CONFIG_ATTR = "hpsearch"
CONFIG_VERSION = 1


class PrunerName(StrEnum):
    HYPERBAND = "hyperband"
    MEDIAN = "median"
    SUCCESSIVE_HALVING = "successive-halving"
    NONE = "none"


class SamplerName(StrEnum):
    TPE = "tpe"
    RANDOM = "random"


METRICS_FOR_TASK = {
    Task.MULTICLASS: ["val_loss", "accuracy", "macro_f1"],
    Task.BINARY: ["val_loss", "accuracy", "macro_f1", "precision", "recall", "pr_auc"],
    Task.MULTILABEL: ["val_loss", "accuracy", "macro_f1", "precision", "recall",
                      "pr_auc_micro", "pr_auc_macro"],
}


def check_metric(metric: str, task: Task) -> str:
    """The study direction for ``metric``; refuse a metric the task does not record."""
    if metric not in METRICS_FOR_TASK[task]:
        raise StudyError(
            f"--metric {metric!r} is not recorded for a {task.value} task. "
            f"Choose one of: {', '.join(METRICS_FOR_TASK[task])}."
        )
    return "maximize" if MAXIMIZE[metric] else "minimize"


@dataclass
class StudyConfig:
    task: Task
    classes: list[str]
    metric: str
    data_path: str
    data_fingerprint: str
    cache_sha256: str
    space: dict[str, Any]
    max_len: int
    vocab_size: int
    text_col: str = "text"
    label_col: str = "label"
    label_sep: str = "|"
    val_frac: float = 0.2
    val_data_path: str | None = None
    seed: int = 0
    pruner: PrunerName = PrunerName.MEDIAN
    sampler: SamplerName = SamplerName.TPE
    max_epochs: int = 20
    patience: int = 4
    n_trials: int | None = None
    timeout: float | None = None
    embeddings: dict[str, Any] | None = None
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_report: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    version: int = CONFIG_VERSION

    @property
    def direction(self) -> str:
        return "maximize" if MAXIMIZE[self.metric] else "minimize"

    def parsed_space(self) -> Space:
        return parse_space({"params": self.space}, source="the study's recorded space")

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("task", "pruner", "sampler"):
            out[key] = getattr(self, key).value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyConfig:
        if data.get("version") != CONFIG_VERSION:
            raise StudyError(
                f"This study was created by an hpsearch with config version "
                f"{data.get('version')!r}; this one reads version {CONFIG_VERSION}. "
                "Use the hpsearch version that created it."
            )
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["task"] = Task(values["task"])
        values["pruner"] = PrunerName(values["pruner"])
        values["sampler"] = SamplerName(values["sampler"])
        return cls(**values)
