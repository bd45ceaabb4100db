"""A refit whose fit would hold more than a fit may is not tried."""

from __future__ import annotations

from types import SimpleNamespace

import optuna
import pytest

from search.answer import refit_memory_problem
from search.metrics import TrialAttr
from search.training import FIT_BYTES


def study_with(values: float | None) -> optuna.Study:
    study = optuna.create_study(direction="maximize")
    attrs = {} if values is None else {TrialAttr.ROW_BYTES: values}
    study.add_trial(optuna.trial.create_trial(value=0.9, user_attrs=attrs))
    return study


@pytest.mark.parametrize(("rows", "refused"), [(1_000, False), (10_000_000, True)])
def test_a_refit_over_the_memory_a_solve_may_hold_is_refused(rows: int, refused: bool) -> None:
    data = SimpleNamespace(n_rows=rows)
    problem = refit_memory_problem(study_with(70_200.0), [{"trial": 0}], data)  # type: ignore[arg-type]
    assert (problem is not None) is refused
    assert refused is (70_200.0 * rows > FIT_BYTES)
    if refused:
        assert problem.startswith(f"not refitted on every row: trial 0's fit over all {rows} "
                                  "rows would hold about 653.8 GB")


def test_a_member_with_no_row_cost_recorded_is_not_refused() -> None:
    data = SimpleNamespace(n_rows=10_000_000)
    assert refit_memory_problem(study_with(None), [{"trial": 0}], data) is None  # type: ignore[arg-type]
