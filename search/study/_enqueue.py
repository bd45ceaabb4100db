"""``hpsearch enqueue``: queue a known configuration so the search is measured against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import optuna
import yaml

import storage
from search._errors import StudyError
from search.study._open import open_study
from spaces import Space, Task, suggest_params


def _distributions(config_space: Space, task: Task, params: dict[str, Any],
                   embeddings: bool) -> dict[str, optuna.distributions.BaseDistribution]:
    """The distributions ``params`` would be sampled from, by replaying them through the space."""
    trial = optuna.trial.FixedTrial(params)
    suggest_params(trial, config_space, task, pretrained_embeddings=embeddings)
    return dict(trial.distributions)


def enqueue_params(study_name: str, params: dict[str, Any] | str | Path,
                   storage_url: str | None = None) -> dict[str, Any]:
    """Queue ``params`` (a mapping, or a YAML/JSON file of one) as the study's next trial.

    Every key the configuration needs must be given and lie inside the study's space.
    """
    if not isinstance(params, dict):
        path = Path(params)
        if not path.is_file():
            raise StudyError(f"Params file {str(path)!r} does not exist.")
        loaded = yaml.safe_load(path.read_text()) if path.suffix in (".yaml", ".yml") else \
            json.loads(path.read_text())
        if not isinstance(loaded, dict):
            raise StudyError(f"{str(path)!r} must hold a mapping of param: value.")
        params = loaded
    study, config = open_study(study_name, storage_url)
    space = config.parsed_space()
    try:
        distributions = _distributions(space, config.task, params, config.embeddings is not None)
    except ValueError as exc:
        raise StudyError(f"Cannot queue {params!r}: {exc}") from None
    unused = set(params) - set(distributions)
    if unused:
        raise StudyError(
            f"Keys {sorted(unused)} are not used by this configuration (allowed here: "
            f"{', '.join(distributions)}). Remove them."
        )
    for name, dist in distributions.items():
        if not storage.in_distribution(dist, params[name]):
            raise StudyError(
                f"{name}={params[name]!r} lies outside the study's space ({dist}). "
                "Queue a value inside it, or create a study whose space file widens it."
            )
    study.enqueue_trial(params)
    return params
