"""The study's answer, settled when a search ends (``hpsearch run``'s end, ``hpsearch refit``):
the best trial or the ensemble that beat it on the held rows, its honest estimate there with
an interval, and the answer trained again on every labelled row (what ``export --model``
writes).

May import ``search._errors``, ``search.metrics``, ``search.study``, ``search.training`` (for
the refit, on first use: TensorFlow), ``search.ensemble``, ``storage`` and ``spaces``.
"""

from typing import TYPE_CHECKING

import lazy_loader

from search.answer._cost import refit_memory_problem, refit_seconds

if TYPE_CHECKING:
    from search.answer._settle import AnswerOutcome, describe_estimate, settle_answer

__getattr__ = lazy_loader.attach(__name__, submod_attrs={
    "_settle": ["AnswerOutcome", "describe_estimate", "settle_answer"],
})[0]

__all__ = ["AnswerOutcome", "describe_estimate", "refit_memory_problem", "refit_seconds",
           "settle_answer"]
