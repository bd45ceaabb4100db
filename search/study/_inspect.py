"""Reading a study: trials by state, the best trial, a leaderboard, next to the baselines."""

from __future__ import annotations

from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from search._errors import StudyError
from search.study._config import StudyConfig
from search.study._open import open_study
from spaces import params_of

COLUMNS = ("val_loss", "accuracy", "macro_f1")


def completed(study: optuna.Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def ranked(study: optuna.Study, config: StudyConfig) -> list[FrozenTrial]:
    trials = [t for t in completed(study) if t.value is not None]
    return sorted(trials, key=lambda t: t.value, reverse=config.direction == "maximize")  # type: ignore[arg-type,return-value]


def trial_summary(trial: FrozenTrial, config: StudyConfig) -> dict[str, Any]:
    metrics = {k: trial.user_attrs[k] for k in
               ("val_loss", "accuracy", "macro_f1", "precision", "recall", "f1_positive",
                "pr_auc", "pr_auc_micro", "pr_auc_macro", "all_zero_rows")
               if k in trial.user_attrs}
    return {
        "number": trial.number,
        "state": trial.state.name,
        "value": trial.value,
        "metrics": metrics,
        "best_epoch": trial.user_attrs.get("best_epoch"),
        "thresholds": trial.user_attrs.get("thresholds"),
        "params": params_of(trial.params, config.parsed_space(), config.task,
                            pretrained_embeddings=config.embeddings is not None),
        "duration_s": trial.duration.total_seconds() if trial.duration else None,
    }


def study_status(study_name: str, storage_url: str | None = None) -> dict[str, Any]:
    """Counts by state, the best trial with its params, the baselines."""
    study, config = open_study(study_name, storage_url)
    trials = study.get_trials(deepcopy=False)
    counts = {state.name: 0 for state in TrialState}
    for t in trials:
        counts[t.state.name] += 1
    best = ranked(study, config)
    running = [{"number": t.number, "worker": t.user_attrs.get("worker"),
                "epoch": t.user_attrs.get("epoch")}
               for t in trials if t.state is TrialState.RUNNING]
    failures = [{"number": t.number, "reason": t.user_attrs.get("fail_reason", "unknown")}
                for t in trials if t.state is TrialState.FAIL]
    return {
        "study": study_name,
        "task": config.task.value,
        "metric": config.metric,
        "direction": config.direction,
        "counts": {k: v for k, v in counts.items() if v},
        "n_trials": len(trials),
        "budget": {"n_trials": config.n_trials, "timeout": config.timeout},
        "best": trial_summary(best[0], config) if best else None,
        "baselines": config.baselines,
        "running": running,
        "failures": failures[-5:],
        "data_report": config.data_report,
    }


def best_trial(study_name: str, storage_url: str | None = None,
               trial_number: int | None = None) -> dict[str, Any]:
    """The best finished trial (or trial ``trial_number``) with its params and metrics."""
    study, config = open_study(study_name, storage_url)
    trial = pick_trial(study, config, trial_number)
    return {"study": study_name, "task": config.task.value, "metric": config.metric,
            "direction": config.direction, **trial_summary(trial, config),
            "baselines": config.baselines}


def pick_trial(study: optuna.Study, config: StudyConfig,
               trial_number: int | None = None) -> FrozenTrial:
    """Trial ``trial_number`` (COMPLETE or PRUNED), or the best finished trial."""
    study_name = study.study_name
    if trial_number is not None:
        trials = [t for t in study.get_trials(deepcopy=False) if t.number == trial_number]
        if not trials:
            raise StudyError(f"Study {study_name!r} has no trial {trial_number}.")
        trial = trials[0]
        if trial.state not in (TrialState.COMPLETE, TrialState.PRUNED):
            raise StudyError(f"Trial {trial_number} is {trial.state.name}; only COMPLETE or "
                             "PRUNED trials have a configuration worth exporting.")
    else:
        best = ranked(study, config)
        if not best:
            states = {t.state.name for t in study.get_trials(deepcopy=False)}
            raise StudyError(
                f"Study {study_name!r} has no finished trial yet"
                + (f" (trials so far: {', '.join(sorted(states))})" if states else "")
                + ". Run `hpsearch worker` first."
            )
        trial = best[0]
    return trial


def leaderboard(study: optuna.Study, config: StudyConfig, top: int = 10) -> list[dict[str, Any]]:
    return [trial_summary(t, config) for t in ranked(study, config)[:top]]
