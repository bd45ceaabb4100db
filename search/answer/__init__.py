"""The study's answer, settled when a search ends (``hpsearch run``'s end, ``hpsearch refit``):
the best trial or the ensemble that beat it on the held rows, its honest estimate there with
an interval, and the answer trained again on every labelled row (what ``export --model``
writes).

May import ``search._errors``, ``search.metrics``, ``search.study``, ``search.training`` (for
the refit, on first use: TensorFlow), ``search.ensemble``, ``storage`` and ``spaces``.
"""

from typing import TYPE_CHECKING

from search._lazy import lazy_names
from search.answer._cost import refit_memory_problem, refit_seconds

if TYPE_CHECKING:
    from search.answer._settle import AnswerOutcome, describe_estimate, settle_answer

__getattr__ = lazy_names(__name__, {
    "search.answer._settle": ("AnswerOutcome", "describe_estimate", "settle_answer")})

__all__ = ["AnswerOutcome", "describe_estimate", "refit_memory_problem", "refit_seconds",
           "settle_answer"]
