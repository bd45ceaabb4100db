"""``hpsearch enqueue``: queue a known configuration so the search is measured against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import optuna
import yaml

from search._errors import PathError, StudyError
from search._paths import input_file
from search.study._config import StudyConfig
from search.study._open import open_study
from search.study._replay import RecordingTrial, unknown_keys
from spaces import read_yaml, suggest_params

_EXAMPLE = "rnn_layers: 1, cell: lstm, rnn_units: 100"


def load_params(path: str | Path) -> dict[str, Any]:
    """The mapping of param: value in a YAML (or, by its ``.json`` suffix, JSON) file."""
    path = input_file(path, "Params file (--params)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PathError(f"Params file {str(path)!r} cannot be read as text: "
                        f"{getattr(exc, 'strerror', None) or exc}.") from None
    if path.suffix.lower() == ".json":
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StudyError(f"Params file {str(path)!r} is not valid JSON: {exc.msg} at line "
                             f"{exc.lineno}, column {exc.colno}. Write one object of param: "
                             f'value, like {{"rnn_layers": 1, "cell": "lstm"}}.') from None
    else:
        try:
            loaded = read_yaml(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise StudyError(f"Params file {str(path)!r} is not valid YAML: {problem}{where}. "
                             f"Write one param: value per line ({_EXAMPLE}).") from None
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise StudyError(f"Params file {str(path)!r} must hold a mapping of param: value "
                         f"({_EXAMPLE}), but holds {type(loaded).__name__} {loaded!r:.60}.")
    return loaded


def check_params(params: dict[str, Any], config: StudyConfig) -> list[str]:
    """What is wrong with ``params`` as a configuration of the study's space (empty if
    nothing): missing keys, unknown keys, values of the wrong type or outside the space."""
    space = config.parsed_space()
    trial = RecordingTrial(dict(params))
    try:
        suggest_params(cast(optuna.trial.BaseTrial, trial), space, config.task,
                       pretrained_embeddings=config.embeddings is not None)
    except ValueError as exc:  # a combination the space refuses (top_k for multi-label)
        trial.problems.append(str(exc))
    found = []
    if trial.missing:
        found.append(f"missing: {', '.join(trial.missing)} (these values need them)")
    found += unknown_keys(trial, list(space.params))
    found += trial.problems
    if found:
        found.append(f"the keys these values take: {', '.join(trial.distributions)}")
    return found


def enqueue_params(study_name: str, params: dict[str, Any] | str | Path,
                   storage_url: str | None = None) -> dict[str, Any]:
    """Queue ``params`` (a mapping, or a YAML/JSON file of one) as the study's next trial.

    Every key the configuration needs must be given and lie inside the study's space.
    """
    source = "params"
    if not isinstance(params, dict):
        source = f"the params of {str(params)!r}"
        params = load_params(params)
    study, config = open_study(study_name, storage_url)
    problems = check_params(params, config)
    if problems:
        raise StudyError(f"Cannot queue {source} for study {study_name!r}:\n  - "
                         + "\n  - ".join(problems)
                         + "\nFix them and run enqueue again; a value outside the space needs "
                         "a study whose space file (--space) widens it.")
    study.enqueue_trial(params)
    return params
