"""A study-wide cap on the trials that count against its budget, checked as a trial starts.

Counting a study's trials and then starting one are two steps: workers that count at the same
moment all see room for one more, and all start one (three workers on a budget of 6 finished
8). Here the count and the start are one transaction, which first locks the study's row with
an UPDATE (PostgreSQL holds the row lock, SQLite its single write lock, until the commit), so
every other process starting a trial of the study waits for it. Both ways of starting a trial
go through it: a new trial (``study.ask``) and a queued one taken from the queue.

The cap then holds exactly: at no moment do more than ``limit`` trials of the study count,
whether finished in a ``counted`` state or running. A running trial that fails frees its slot.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from optuna.trial import TrialState
from sqlalchemy import orm

from storage._optuna_private import StudyModel, TrialModel


class BudgetSpent(Exception):
    """No trial was started: the study's finished and running trials fill its budget."""

    def __init__(self, limit: int, finished: int, running: int):
        super().__init__(f"the study's budget of {limit} trials is spent: {finished} finished, "
                         f"{running} running")
        self.limit = limit
        self.finished = finished
        self.running = running


@dataclass(frozen=True)
class TrialCap:
    """The cap ``storage.cap_trials`` puts on a study's ``ResilientStorage``."""

    study_id: int
    limit: int
    counted: tuple[TrialState, ...]


def check_room(session: orm.Session, cap: TrialCap) -> None:
    """Lock the study's row for the rest of ``session``'s transaction, then raise
    ``BudgetSpent`` if its counted and running trials fill ``cap``."""
    session.execute(sa.update(StudyModel).where(StudyModel.study_id == cap.study_id)
                    .values(study_name=StudyModel.study_name)
                    .execution_options(synchronize_session=False))
    counts: dict[TrialState, int] = {state: n for state, n in session.execute(
        sa.select(TrialModel.state, sa.func.count())
        .where(TrialModel.study_id == cap.study_id,
               TrialModel.state.in_([*cap.counted, TrialState.RUNNING]))
        .group_by(TrialModel.state))}
    running = counts.pop(TrialState.RUNNING, 0)
    finished = sum(counts.values())
    if finished + running >= cap.limit:
        raise BudgetSpent(cap.limit, finished, running)
