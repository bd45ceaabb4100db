"""What the search is measured against: the study's baselines (the majority class from
``create``, TF-IDF + logistic regression once the workers have computed it), and the expert's
model (a starting point queued at create) once it has run.

One lookup for every view that shows them: the report's history and learning-curve figures draw
each as a labelled line on the objective, and the dashboard's note lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optuna.trial import FrozenTrial

from search.metrics import TrialAttr, versus_baselines
from search.study import StudyConfig, TrialSummary, best_of, completed, summarize_trial
from spaces.families import EXPERT  # the starting point whose trial is "the expert's model"


@dataclass(frozen=True)
class Reference:
    """One thing to beat: its name (as sentences say it), its label (as figures and tables
    say it), its value on the objective (None when it did not record it) and every metric it
    recorded."""

    name: str
    label: str
    value: float | None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    trial: int | None = None  # the expert's model's trial number; None for a baseline

    @property
    def is_baseline(self) -> bool:
        return self.trial is None


def expert_trial(trials: Sequence[FrozenTrial], config: StudyConfig) -> FrozenTrial | None:
    """The best completed trial of the expert's starting point, or None before one completes."""
    return best_of([t for t in completed(trials)
                    if t.user_attrs.get(TrialAttr.STARTING_POINT) == EXPERT], config.direction)


def references(trials: Sequence[FrozenTrial], config: StudyConfig) -> list[Reference]:
    """The baselines (in the order ``create`` recorded them), then the expert's model if one
    has completed. A study whose baselines are still being computed has none yet."""
    found = [Reference(name, f"baseline {name}", _number(values.get(config.metric)), values)
             for name, values in config.baselines.items()]
    expert = expert_trial(trials, config)
    if expert is not None:
        label = f"expert's model (trial {expert.number})"
        found.append(Reference(f"the {label}", label, expert.value,
                               summarize_trial(expert, config).metrics, expert.number))
    return found


def versus_references(best: TrialSummary, found: Sequence[Reference], config: StudyConfig,
                      answer: dict[str, Any] | None = None) -> list[str]:
    """A sentence each, on the task's headline metrics: the expert's model (a trial) against
    the best trial on the validation rows that chose them (left out when it is the best trial
    itself); the baselines, scored on the held rows, against the study's answer there, or,
    before an answer is settled, against the best trial's validation scores, said so."""
    trials = {ref.name: ref.metrics for ref in found
              if ref.trial is not None and ref.trial != best.number}
    baselines = {ref.name: ref.metrics for ref in found if ref.trial is None}
    held = (answer or {}).get("held_metrics")
    said = [f"on validation, the best trial is {s}"
            for s in versus_baselines(best.metrics, trials, config.task)]
    if held:
        return said + [f"on the held rows, the answer is {s}"
                       for s in versus_baselines(held, baselines, config.task)]
    return said + [f"the best trial on validation (the baseline on the held rows: no answer "
                   f"settled yet) is {s}"
                   for s in versus_baselines(best.metrics, baselines, config.task)]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def answer_name(answer: dict[str, Any]) -> str:
    """The study's answer in a few words: "trial 12", "ensemble of trials 3, 7"."""
    numbers = ", ".join(str(m["trial"]) for m in answer["members"])
    return f"ensemble of trials {numbers}" if answer["model"] == "ensemble" else f"trial {numbers}"
