"""A study at a glance: its trials counted, summarised and ranked, one way for every view.

``status``, ``best``, ``status --watch``, the report and the export all read trials through
these functions: one ranking (``ranked``), one best trial (``best_of``), one ``TrialSummary``
and one ``StudyStatus``, each with ``to_dict`` for ``--json``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from optuna.trial import FrozenTrial, TrialState

from search._errors import StudyError
from search.metrics import RECORDED, Detail, Direction, Metric, TrialAttr, versus_baselines
from search.options import BudgetOptions
from search.study._config import StudyConfig
from spaces import Task, params_of

# Trials that count against a study's trial budget (failed ones do not).
BUDGET_STATES = (TrialState.COMPLETE, TrialState.PRUNED)
# How many of the latest failures `status` shows.
RECENT_FAILURES = 5
NO_REASON = "no reason recorded (worker lost? see its log)"


def trained(trial: FrozenTrial) -> bool:
    """Whether ``trial`` finished having trained: not failed, nor skipped unrun (a skipped
    trial records no training seconds). Its ``own_seconds`` are what the family's trials
    take."""
    return (trial.state in BUDGET_STATES and trial.duration is not None
            and TrialAttr.TRAIN_SECONDS in trial.user_attrs)


def own_seconds(trial: FrozenTrial) -> float:
    """How long ``trial`` took, less what it spent encoding training rows that its worker
    keeps for every later trial (the first trial of a worker encodes them for all: 12 of its
    34 s on the 24,000-row set)."""
    took = trial.duration.total_seconds() if trial.duration is not None else 0.0
    return max(took - float(trial.user_attrs.get(TrialAttr.SHARED_SECONDS, 0.0)), 0.0)


@dataclass(frozen=True)
class TrialSummary:
    """One trial as people read it: its recorded metrics and the model params it stands for."""

    number: int
    state: str
    value: float | None
    metrics: dict[str, float]
    best_epoch: int | None
    epochs_run: int | None
    thresholds: list[float] | None
    params: dict[str, Any]
    duration_s: float | None
    worker: str | None
    gpu: str | None
    train_seconds: float | None = None
    policy: str | None = None  # the Keras dtype policy it trained under
    cut_by_deadline: bool = False
    not_converged: str | None = None  # a solver stopped at its iteration limit: on how many
    per_class: dict[str, Any] | None = None
    logit_scale: float | None = None  # what a solved linear model's margins were multiplied by
    starting_point: str | None = None  # the known-good configuration it was queued as
    rows: int | None = None  # the training rows a solved trial was fitted on (grown by rungs)
    walked_from: int | None = None  # the trial whose C it was queued to try another of

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class FamilyTime:
    """Where the time went: a model family's finished trials, their wall time, the best."""

    family: str
    trials: int
    pruned: int
    seconds: float
    best: float | None

    # The columns of its table, in ``status`` and the report alike.
    COLUMNS = ("family", "trials", "pruned", "s per trial", "total s", "best")

    @property
    def per_trial(self) -> float:
        return self.seconds / self.trials if self.trials else 0.0

    def cells(self) -> list[str]:
        """Its table row but the last column (each view formats ``best`` its own way)."""
        return [self.family, str(self.trials), str(self.pruned), f"{self.per_trial:.1f}",
                f"{self.seconds:.0f}"]


def family_times(trials: Sequence[FrozenTrial], direction: Direction) -> list[FamilyTime]:
    """Finished and pruned trials by model family (the ``family`` param), busiest first."""
    groups: dict[str, list[FrozenTrial]] = {}
    for trial in trials:
        if trial.state in BUDGET_STATES and trial.duration is not None:
            groups.setdefault(str(trial.params.get("family", "?")), []).append(trial)
    rows = []
    for family, group in groups.items():
        best = best_of(group, direction)
        rows.append(FamilyTime(
            family, len(group), sum(t.state is TrialState.PRUNED for t in group),
            sum(t.duration.total_seconds() for t in group if t.duration is not None),
            best.value if best else None))
    return sorted(rows, key=lambda row: -row.seconds)


@dataclass(frozen=True)
class RunningTrial:
    number: int
    worker: str | None
    gpu: str | None
    epoch: int | None
    running_s: float | None


@dataclass(frozen=True)
class FailedTrial:
    number: int
    reason: str


@dataclass(frozen=True)
class StudyStatus:
    """Trials by state, the best finished trial, what runs and what failed, the baselines."""

    study: str
    task: Task
    metric: Metric
    direction: Direction
    counts: dict[str, int]
    n_trials: int
    budget: BudgetOptions
    best: TrialSummary | None
    baselines: dict[str, dict[str, Any]]
    running: list[RunningTrial]
    failures: list[FailedTrial]
    data_report: dict[str, Any]
    families: list[FamilyTime] = dataclasses.field(default_factory=list)
    # The ensemble kept as a result of the study, when one beat the best trial: its members
    # and weights, its validation metrics (search.ensemble).
    ensemble: dict[str, Any] | None = None
    # The study's answer as settled at the end of a run (search.answer): its metrics and
    # estimate on the held rows, and its refit.
    answer: dict[str, Any] | None = None

    def subject(self) -> str:
        """What ``comparisons`` compares with the baselines, which are on the held rows."""
        if self.answer and self.answer.get("held_metrics"):
            return "answer, on the held rows"
        return ("best trial, on the validation rows that chose it (the baselines are on the "
                "held rows; `hpsearch refit` scores the answer there)")

    def comparisons(self) -> list[str]:
        """The answer on the held rows (else the best trial on validation) against each
        baseline on the task's headline metrics."""
        if self.answer and self.answer.get("held_metrics"):
            return versus_baselines(self.answer["held_metrics"], self.baselines, self.task)
        if self.best is None:
            return []
        return versus_baselines(self.best.metrics, self.baselines, self.task)

    def require_best(self) -> TrialSummary:
        """The best trial, or the error that says there is none yet."""
        if self.best is None:
            raise no_finished_trial(self.study, self.counts)
        return self.best

    def heading(self) -> dict[str, str]:
        return {"study": self.study, "task": self.task.value, "metric": self.metric.value,
                "direction": self.direction.value}

    def to_dict(self) -> dict[str, Any]:
        return {**self.heading(), "counts": self.counts, "n_trials": self.n_trials,
                "budget": self.budget.to_dict(),
                "best": self.best.to_dict() if self.best else None,
                "baselines": self.baselines,
                "running": [dataclasses.asdict(r) for r in self.running],
                "failures": [dataclasses.asdict(f) for f in self.failures[-RECENT_FAILURES:]],
                "data_report": self.data_report,
                "families": [dataclasses.asdict(f) for f in self.families],
                "ensemble": self.ensemble, "answer": self.answer,
                "versus_baselines": self.comparisons()}

    def best_to_dict(self) -> dict[str, Any]:
        """``hpsearch best --json``: the best trial with the study's heading and baselines."""
        return {**self.heading(), **self.require_best().to_dict(), "baselines": self.baselines,
                "answer": self.answer}


def completed(trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
    """The COMPLETE trials that have a value."""
    return [t for t in trials if t.state is TrialState.COMPLETE and t.value is not None]


def ranked(trials: Sequence[FrozenTrial], direction: Direction) -> list[FrozenTrial]:
    """The completed trials, best first."""
    return sorted(completed(trials), key=lambda t: t.value,  # type: ignore[arg-type,return-value]
                  reverse=direction is Direction.MAXIMIZE)


def best_of(trials: Sequence[FrozenTrial], direction: Direction) -> FrozenTrial | None:
    """The best completed trial, or None when none has completed."""
    found = ranked(trials, direction)
    return found[0] if found else None


def count_states(trials: Sequence[FrozenTrial]) -> dict[str, int]:
    """Trials by state name (the states that have any, in Optuna's order of states)."""
    counts = {state.name: 0 for state in TrialState}
    for t in trials:
        counts[t.state.name] += 1
    return {name: n for name, n in counts.items() if n}


def running_trials(trials: Sequence[FrozenTrial], now: datetime | None = None,
                   ) -> list[RunningTrial]:
    """The RUNNING trials with their worker, device, last epoch and time running at ``now``."""
    now = now or datetime.now()
    return [RunningTrial(t.number, t.user_attrs.get(TrialAttr.WORKER),
                         t.user_attrs.get(TrialAttr.GPU), t.user_attrs.get(TrialAttr.EPOCH),
                         (now - t.datetime_start).total_seconds() if t.datetime_start else None)
            for t in trials if t.state is TrialState.RUNNING]


def failed_trials(trials: Sequence[FrozenTrial]) -> list[FailedTrial]:
    """The FAIL trials with why they failed (the worker's words, or the stale check's)."""
    return [FailedTrial(t.number, str(t.user_attrs.get(TrialAttr.FAIL_REASON)
                                      or t.system_attrs.get(TrialAttr.FAIL_REASON)
                                      or NO_REASON))
            for t in trials if t.state is TrialState.FAIL]


def summarize_trial(trial: FrozenTrial, config: StudyConfig) -> TrialSummary:
    attrs = trial.user_attrs
    return TrialSummary(
        number=trial.number, state=trial.state.name, value=trial.value,
        metrics={m.value: attrs[m] for m in RECORDED[config.task] if m in attrs},
        best_epoch=attrs.get(TrialAttr.BEST_EPOCH), epochs_run=attrs.get(TrialAttr.EPOCHS_RUN),
        thresholds=attrs.get(Detail.THRESHOLDS),
        params=params_of(trial.params, config.parsed_space(), config.task,
                         pretrained_embeddings=config.embeddings is not None),
        duration_s=trial.duration.total_seconds() if trial.duration else None,
        worker=attrs.get(TrialAttr.WORKER), gpu=attrs.get(TrialAttr.GPU),
        train_seconds=attrs.get(TrialAttr.TRAIN_SECONDS), policy=attrs.get(TrialAttr.POLICY),
        cut_by_deadline=bool(attrs.get(TrialAttr.CUT_BY_DEADLINE)),
        not_converged=attrs.get(TrialAttr.NOT_CONVERGED),
        per_class=attrs.get(Detail.PER_CLASS), logit_scale=attrs.get(TrialAttr.LOGIT_SCALE),
        starting_point=_starting_point(attrs.get(TrialAttr.STARTING_POINT)),
        rows=attrs.get(TrialAttr.ROWS), walked_from=attrs.get(TrialAttr.WALKED_FROM))


def _starting_point(recorded: Any) -> str | None:
    """Its name (studies made before starting points had names recorded True)."""
    return None if not recorded else str(recorded) if recorded is not True else "yes"


def status_of(study_name: str, trials: Sequence[FrozenTrial], config: StudyConfig,
              now: datetime | None = None,
              ensemble: dict[str, Any] | None = None,
              answer: dict[str, Any] | None = None) -> StudyStatus:
    best = best_of(trials, config.direction)
    return StudyStatus(
        study=study_name, task=config.task, metric=config.metric, direction=config.direction,
        counts=count_states(trials), n_trials=len(trials), budget=config.budget,
        best=summarize_trial(best, config) if best else None, baselines=config.baselines,
        running=running_trials(trials, now), failures=failed_trials(trials),
        data_report=config.data_report, families=family_times(trials, config.direction),
        ensemble=ensemble, answer=answer)


def no_finished_trial(study_name: str, counts: dict[str, int]) -> StudyError:
    states = ", ".join(sorted(counts))
    return StudyError(f"Study {study_name!r} has no finished trial yet"
                      + (f" (trials so far: {states})" if states else "")
                      + ". Run `hpsearch worker` first.")
