"""Which trial next and when to stop one: Optuna samplers and pruners from the study config."""

from __future__ import annotations

import warnings

import optuna

from search.study._config import PrunerName, SamplerName, StudyConfig

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def make_sampler(config: StudyConfig, seed: int | None = None) -> optuna.samplers.BaseSampler:
    if config.sampler is SamplerName.RANDOM:
        return optuna.samplers.RandomSampler(seed=seed)
    # group=True models the conditional dimensions (cell only when rnn_layers > 0...);
    # constant_liar keeps parallel workers from sampling the same point.
    return optuna.samplers.TPESampler(
        n_startup_trials=8, multivariate=True, group=True, constant_liar=True, seed=seed)


def make_pruner(config: StudyConfig) -> optuna.pruners.BasePruner:
    if config.pruner is PrunerName.HYPERBAND:
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=config.max_epochs, reduction_factor=3)
    if config.pruner is PrunerName.MEDIAN:
        # The default: in tests/benchmarks/bench_search.py it reached a given loss sooner than
        # Hyperband, which at small budgets prunes most trials after one or two epochs.
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=2)
    if config.pruner is PrunerName.SUCCESSIVE_HALVING:
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    return optuna.pruners.NopPruner()
