"""Trials that the views measure a search against: the expert's model, added to a scripted
study as a finished trial with the value a test chooses."""

from __future__ import annotations

import optuna
from optuna.trial import TrialState

from search.metrics import RECORDED, TrialAttr
from search.study._open import open_study
from search.views import EXPERT


def add_starting_point_trial(study_name: str, url: str, value: float | None, *,
                             point: object = EXPERT,
                             state: TrialState = TrialState.COMPLETE) -> int:
    """A finished trial queued as the starting point ``point`` (the params and metrics of
    the study's first completed trial, the objective set to ``value``); its number."""
    study, config = open_study(study_name, url)
    template = next(t for t in study.get_trials() if t.state is TrialState.COMPLETE)
    metrics = {m.value: template.user_attrs[m] for m in RECORDED[config.task]
               if m in template.user_attrs}
    if value is not None:
        metrics[config.metric.value] = value
    study.add_trial(optuna.trial.create_trial(
        state=state, value=value if state is TrialState.COMPLETE else None,
        params=template.params, distributions=template.distributions,
        user_attrs={**metrics, TrialAttr.STARTING_POINT: point}))
    return len(study.get_trials()) - 1
