"""Resuming a study: the settings a command gives must be the study's, or it is refused with
every difference listed.

A study's trials compare with one another only under one dataset, objective, space, pruner,
sampler and epoch budget; resuming with other settings used to keep the old ones silently.
Data options and search options cannot change (a new study name can); the budget can, through
``hpsearch update``, which running workers see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

import storage
from search._errors import StudyError
from search.options import BudgetOptions, DataOptions, OptionGroup, SearchOptions
from search.study._config import StudyConfig
from spaces import Space

# Options compared otherwise: the validation file by its content (in the data fingerprint), the
# space file by the space it describes.
_BY_CONTENT = frozenset({"val_data", "space"})


@dataclass(frozen=True)
class Change:
    """One setting that differs: its flag, the study's value and the command's."""

    flag: str
    study: str
    given: str

    def __str__(self) -> str:
        return f"{self.flag}: {self.study} in the study, {self.given} now"


def _shown(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1000).strip()
    return f"{value:g}" if isinstance(value, float) else str(value)


def group_changes(study: OptionGroup, given: OptionGroup, *,
                  unset_keeps: bool = False) -> list[Change]:
    """The options of ``given`` whose values differ from the study's; with ``unset_keeps``, an
    option ``given`` leaves unset (None) keeps the study's value."""
    old, new = study.to_dict(), given.to_dict()
    return [Change(spec.flag, _shown(old[spec.name]), _shown(new[spec.name]))
            for spec in given.specs()
            if spec.name not in _BY_CONTENT and old[spec.name] != new[spec.name]
            and not (unset_keeps and new[spec.name] is None)]


def space_changes(study: dict[str, Any], given: Space) -> list[Change]:
    """The space's keys whose ranges or choices differ, as ``--space KEY`` changes."""
    new = given.to_dict()
    return [Change(f"--space {key}", _shown(study.get(key)), _shown(new.get(key)))
            for key in sorted(set(study) | set(new)) if study.get(key) != new.get(key)]


def refuse_other_data(study_name: str, url: str, config: StudyConfig, fingerprint: str,
                      data_options: DataOptions) -> None:
    """Refuse to resume the study on data other than its own (file, validation file or any
    data option), naming what differs."""
    if config.data_fingerprint == fingerprint:
        return
    changed = group_changes(config.data, data_options)
    what = ("; ".join(map(str, changed)) if changed else
            "the data file's content (or the --val-data file's) differs")
    raise StudyError(
        f"Study {study_name!r} already exists in {storage.mask_url(url)} with different data "
        f"or split options (it was created from {config.data_path!r}): {what}. Trials of two "
        "datasets must not mix: choose a new --study name.")


def refuse_other_settings(study_name: str, config: StudyConfig, search_options: SearchOptions,
                          space: Space, budget: BudgetOptions | None) -> None:
    """Refuse to resume the study with search options, a space or a budget other than its
    own, listing each difference with the way out. A budget left unset keeps the study's."""
    settings = group_changes(config.search, search_options) + space_changes(
        config.asked_space(), space)
    budgets = [] if budget is None else group_changes(config.budget, budget, unset_keeps=True)
    if not settings and not budgets:
        return
    lines = "\n".join(f"  {change}" for change in settings + budgets)
    fixes = []
    if settings:
        fixes.append("Its trials compare only under its own settings: give the study's "
                     "settings to resume it, or choose a new --study name for the new ones.")
    if budgets:
        fixes.append("To resume it, leave the budget out or give the study's; to change it: "
                     f"`hpsearch update --study {study_name} --n-trials N --timeout SECONDS` "
                     "(running workers follow it).")
    raise StudyError(f"Study {study_name!r} exists with other settings than these:\n{lines}\n"
                     + " ".join(fixes))
