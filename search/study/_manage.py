"""Changing and removing a study: its budget (``hpsearch update``) and the study itself with
its data (``hpsearch delete``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import optuna
from optuna.trial import TrialState

import storage
from search._errors import OptionError, StudyError
from search.options import BudgetOptions, refuse_unknown
from search.study._config import CONFIG_ATTR
from search.study._kept import trim_kept
from search.study._open import open_existing, require_config
from search.study._summary import count_states


def update_budget(study_name: str, storage_url: str | None = None,
                  budget: BudgetOptions | None = None,
                  **options: object) -> tuple[BudgetOptions, BudgetOptions]:
    """Give the study a new budget; returns (the old one, the new one).

    The values ``budget`` (or the keywords ``n_trials``, ``timeout``, ``keep_models``,
    ``keep_bytes``) sets replace the study's; those left unset keep theirs. Raising or lowering
    both work: running workers read the budget from the storage before each trial. ``timeout``
    still counts from creation. Kept models over a lowered bound are dropped at once."""
    keywords = dict(options)
    budget = (budget or BudgetOptions()).take(keywords)
    refuse_unknown(keywords, BudgetOptions)
    given = {spec.name: getattr(budget, spec.name) for spec in budget.specs()
             if getattr(budget, spec.name) is not None}
    url = storage.resolve_storage_url(storage_url)
    rdb = open_existing(url, study_name)
    config = require_config(rdb, url, study_name)
    if not given:
        *some, last = [spec.flag for spec in BudgetOptions.specs()]
        flags = f"{', '.join(some)} or {last}"
        raise OptionError(f"Give {flags}: the budget study {study_name!r} should have "
                          f"(it has {_described(config.budget)}).")
    old = config.budget
    config.budget = dataclasses.replace(old, **given)
    rdb.set_study_user_attr(rdb.get_study_id_from_name(study_name), CONFIG_ATTR,
                            config.to_dict())
    if config.budget.keep_bound() != old.keep_bound():
        trim_kept(optuna.load_study(study_name=study_name, storage=rdb),
                  config.budget.keep_bound(), config.direction)
    return old, config.budget


def shown_budget(value: float | None) -> str:
    """A budget's value as its flag takes it: ``none``, ``80``, ``3600``, ``2GB``."""
    if value is None:
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _described(budget: BudgetOptions) -> str:
    parts = [f"{spec.flag} {shown_budget(getattr(budget, spec.name))}"
             for spec in budget.specs() if getattr(budget, spec.name) is not None]
    return ", ".join(parts) or "no budget"


@dataclass(frozen=True)
class DeletedStudy:
    name: str
    counts: dict[str, int]  # its trials by state when it was deleted


def delete_study(study_name: str, storage_url: str | None = None, *, force: bool = False,
                 confirm: Callable[[str], bool] | None = None) -> DeletedStudy | None:
    """Delete the study, its trials and its stored data.

    Refused while trials are RUNNING (their workers would fail at their next write) unless
    ``force``. ``confirm`` is asked with a description of what goes; if it answers False
    nothing is deleted and None returned. Only studies hpsearch created are deleted."""
    url = storage.resolve_storage_url(storage_url)
    rdb = open_existing(url, study_name)
    require_config(rdb, url, study_name)
    trials = rdb.get_all_trials(rdb.get_study_id_from_name(study_name), deepcopy=False)
    counts = count_states(trials)
    running = counts.get(TrialState.RUNNING.name, 0)
    if running and not force:
        raise StudyError(
            f"Study {study_name!r} has {running} RUNNING trial(s): their workers would fail "
            "at their next write. Stop its workers first (Ctrl-C or SIGTERM queues their "
            "trials), or pass --force to delete it anyway.")
    what = ", ".join(f"{n} {state.lower()}" for state, n in counts.items()) or "no trials"
    if confirm is not None and not confirm(
            f"Delete study {study_name!r} ({what}) and its stored data from "
            f"{storage.mask_url(url)}?"):
        return None
    storage.delete_study(rdb, study_name)
    return DeletedStudy(study_name, counts)
