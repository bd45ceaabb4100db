"""Ensembles of a study's kept trials: greedy selection with replacement over their validation
probabilities (``select``), and the ensemble kept as a result of the study when it beats the
best single trial (``make_ensemble``), with one Keras model for ``export --model``.

May import ``search._errors``, ``search.metrics``, ``search.study``, ``search.training`` (for
the model, on first use: TensorFlow), ``storage`` and ``spaces``.
"""

from search.ensemble._make import EnsembleOutcome, ensemble_held_probs, make_ensemble
from search.ensemble._select import Selection, select

__all__ = ["EnsembleOutcome", "Selection", "ensemble_held_probs", "make_ensemble", "select"]
