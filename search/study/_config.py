"""Everything a worker needs to run trials, recorded in the study itself."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from search._errors import StudyError
from search.metrics import DEFAULT_OBJECTIVE, Direction, Metric
from search.options import BudgetOptions, DataOptions, OptionGroup, SearchOptions
from spaces import Space, Task, parse_space

CONFIG_ATTR = "hpsearch"
# The baselines workers compute beside the trials (TF-IDF + logistic regression), by name.
BASELINES_ATTR = "hpsearch_baselines"
# 2: the options are stored as their groups (data, search, budget). 3: the stored split holds
# the one vectorizer's vocabularies and every n-gram's id. 4: the stored data holds the texts
# and the word and character vocabularies; baselines beside the trials.
CONFIG_VERSION = 4
_GROUPS: dict[str, type[OptionGroup]] = {"data": DataOptions, "search": SearchOptions,
                                         "budget": BudgetOptions}


@dataclass
class StudyConfig:
    """The options the study was created with, and what ``create`` found in the data."""

    task: Task
    classes: list[str]
    data_path: str
    data_fingerprint: str
    cache_sha256: str
    space: dict[str, Any]
    max_len: int
    vocab_size: int
    data: DataOptions = field(default_factory=DataOptions)
    search: SearchOptions = field(default_factory=SearchOptions)
    budget: BudgetOptions = field(default_factory=BudgetOptions)
    embeddings: dict[str, Any] | None = None
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_report: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    data_sha256: str | None = None  # of the data file's bytes alone
    # The space as the command gave it, before `create` fitted it to the data (`space` is what
    # trials sample); resuming compares a command's space with this one.
    space_asked: dict[str, Any] | None = None
    version: int = CONFIG_VERSION

    @property
    def metric(self) -> Metric:
        """The objective (``create`` records the task's default when none was given)."""
        return self.search.metric or DEFAULT_OBJECTIVE[self.task]

    @property
    def direction(self) -> Direction:
        return self.metric.direction or Direction.MINIMIZE

    def parsed_space(self) -> Space:
        return parse_space({"params": self.space}, source="the study's recorded space")

    def asked_space(self) -> dict[str, Any]:
        """The space the study was created with, as its command gave it."""
        return self.space if self.space_asked is None else self.space_asked

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in _GROUPS:
            out[name] = out[name].to_dict()
        out["task"] = self.task.value
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
        for name, group in _GROUPS.items():
            values[name] = group.from_dict(values.get(name, {}))
        return cls(**values)
