"""Which trial next and when to stop one: Optuna samplers and pruners from the study config."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import optuna

from search.options import PrunerName, SamplerName, SearchOptions
from search.study._family_pick import FamilyBySeconds


@contextmanager
def experimental_optuna() -> Iterator[None]:
    """Optuna features hpsearch relies on though Optuna marks them experimental (TPE's
    multivariate, group and constant-liar modes, metric names), without the warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


STARTUP_TRIALS = 4


def make_sampler(options: SearchOptions, seed: int | None = None) -> optuna.samplers.BaseSampler:
    if options.sampler is SamplerName.RANDOM:
        return optuna.samplers.RandomSampler(seed=seed)
    # group=True models the conditional dimensions (cell only when rnn_layers > 0...);
    # constant_liar keeps parallel workers from sampling the same point. The starting points
    # count among the startup trials, so TPE models the space after one random trial more.
    # TPE samples each family's settings; the family itself is picked by its seconds.
    with experimental_optuna():
        return FamilyBySeconds(optuna.samplers.TPESampler(
            n_startup_trials=STARTUP_TRIALS, multivariate=True, group=True, constant_liar=True,
            seed=seed), seed)


def make_pruner(options: SearchOptions) -> optuna.pruners.BasePruner:
    if options.pruner is PrunerName.HYPERBAND:
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=options.max_epochs, reduction_factor=3)
    if options.pruner is PrunerName.MEDIAN:
        # The default: in tests/benchmarks/bench_search.py it reached a given loss sooner than
        # Hyperband, which at small budgets prunes most trials after one or two epochs.
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=2)
    if options.pruner is PrunerName.SUCCESSIVE_HALVING:
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    return optuna.pruners.NopPruner()
