"""The option groups: every option of hpsearch, defined once with its default, flag and help."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from search._errors import OptionError
from search.metrics import DEFAULT_OBJECTIVE, Metric
from search.options._field import OptionGroup, option
from search.options._size import ByteSize
from spaces import BUILT_IN, Task


class PrunerName(StrEnum):
    HYPERBAND = "hyperband"
    MEDIAN = "median"
    SUCCESSIVE_HALVING = "successive-halving"
    NONE = "none"


class SamplerName(StrEnum):
    TPE = "tpe"
    RANDOM = "random"


@dataclass(frozen=True)
class DataOptions(OptionGroup):
    """How the table is read, split and featurized: every field shapes the stored data, so all
    of them enter the study's data fingerprint."""

    text_col: str = option("text", "--text-col", "Column holding the texts.")
    label_col: str = option("label", "--label-col", "Column holding the labels.")
    label_sep: str = option("|", "--label-sep", "Separator of several labels in one cell.")
    task: Task | None = option(None, "--task", "Force the task (default: detected from the "
                               "labels).")
    positive_label: str | None = option(
        None, "--positive-label", "Binary tasks: the class to detect, whose F1, PR-AUC and "
        "decision threshold are reported (default: the rarer class of the training rows).")
    val_frac: float = option(0.2, "--val-frac", "Share of rows for validation (between 0 and "
                             "1).")
    val_data: Path | None = option(None, "--val-data", "Use this file for validation instead "
                                   "of a split.")
    seed: int = option(0, "--seed", "Seed of the split, the baselines and the trials.", min=0)
    max_tokens: int = option(20_000, "--max-tokens", "Words in the vocabulary of sequence "
                             "models (the n-gram bags keep up to 200,000 of each kind).",
                             min=100)
    max_len: int | None = option(None, "--max-len", "Tokens per text (default: the 95th "
                                 "percentile of training lengths).", min=1)
    drop_invalid: bool = option(False, "--drop-invalid", "Skip rows with empty text or missing "
                                "labels instead of failing.")
    embeddings: Path | None = option(None, "--embeddings", "GloVe/word2vec text file of word "
                                     "vectors.")

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 < self.val_frac < 1.0:
            raise OptionError(f"--val-frac must be between 0 and 1, but got {self.val_frac}.")
        if self.text_col == self.label_col:
            raise OptionError(f"--text-col and --label-col must name two columns, but both are "
                              f"{self.text_col!r}. Name the label column with --label-col.")


@dataclass(frozen=True)
class SearchOptions(OptionGroup):
    """What is searched and how trials are judged and stopped."""

    space: Path | None = option(None, "--space", "YAML space file (default: the built-in "
                                f"space, {BUILT_IN!r}: every model family).")
    metric: Metric | None = option(
        None, "--metric", "Objective (default: the task's own: " + ", ".join(
            f"{metric.value} for {task.value}" for task, metric in DEFAULT_OBJECTIVE.items())
        + "); the direction follows (val_loss is minimised, the others maximised).")
    pruner: PrunerName = option(PrunerName.MEDIAN, "--pruner", "Stops weak trials early.")
    sampler: SamplerName = option(SamplerName.TPE, "--sampler", "Picks the next trial: tpe "
                                  "(each family's settings by TPE, the family by where the "
                                  "seconds are best spent) or random.")
    max_epochs: int = option(30, "--max-epochs", "Epochs per trial at most.", min=1)
    patience: int = option(3, "--patience", "Stop a trial after this many epochs without "
                           "improvement.", min=1)


# A study keeps at most this many trained models, in at most this many bytes: ten hold what
# the rule before the bounds kept (the best five and each of the five families' best), and
# ten of the largest measured (n-gram MLPs of 93 to 118 MB, 43 classes) take 1.2 GB at most.
KEEP_MODELS = 10
KEEP_BYTES = ByteSize(2 * 10**9)


@dataclass(frozen=True)
class KeepBound:
    """The most models, and bytes, a study keeps (``BudgetOptions.keep_bound``)."""

    models: int
    bytes: int


@dataclass(frozen=True)
class BudgetOptions(OptionGroup):
    """The budget of the whole study, shared by all its workers (``create``, ``update``): its
    trials, its time, and the space its kept models take."""

    n_trials: int | None = option(None, "--n-trials", "Study-wide budget: finished trials, all "
                                  "workers together.", min=1)
    timeout: float | None = option(None, "--timeout", "Study-wide budget: seconds from the "
                                   "study's creation, all workers together.", min=1)
    keep_models: int | None = option(
        None, "--keep-models", "Trained models the study keeps at most, for its ensemble and "
        f"export --model: its best, each family's best first (default {KEEP_MODELS}). The best "
        "trial's, the ensemble's members' and the answer's are never removed.", min=1)
    keep_bytes: ByteSize | None = option(
        None, "--keep-bytes", "Space the study's kept models take at most, its ensemble's and "
        f"its refitted answer's included: 500MB, 2GB, 1.5GiB... (default {KEEP_BYTES}). The "
        "worst go first; the best trial's, the ensemble's members' and the answer's stay.",
        min=1)

    def keep_bound(self) -> KeepBound:
        """How many models, and how many bytes, the study keeps (the defaults where unset)."""
        return KeepBound(KEEP_MODELS if self.keep_models is None else self.keep_models,
                         KEEP_BYTES if self.keep_bytes is None else self.keep_bytes)

    def with_keep_defaults(self) -> BudgetOptions:
        """This budget with the kept models' bounds written out, as ``create`` stores it: every
        worker applies the same, whatever its version's defaults."""
        bound = self.keep_bound()
        return dataclasses.replace(self, keep_models=bound.models,
                                   keep_bytes=ByteSize(bound.bytes))


# `hpsearch run` is the quick start: with neither --n-trials nor --timeout it stops after this
# many trials.
RUN_TRIALS = 20
# The study's budget still holds for a worker: only the words change from command to command.
_STUDY_STILL = "(the study's budget, set at create, still holds)"


@dataclass(frozen=True)
class WorkerOptions(OptionGroup):
    """How one worker runs (``worker``, each worker of ``launch``, the trials of ``run``): its
    own budget, its sampler seed, heartbeats and outages."""

    n_trials: int | None = option(
        None, "--n-trials", f"This worker's own budget: trials it runs {_STUDY_STILL}.", min=1,
        help_in={"launch": f"Each worker's own budget: trials each one runs {_STUDY_STILL}.",
                 "run": "This run's own budget: trials it runs here (a budget the study was "
                        "created with still holds). Without it, a run with --timeout uses its "
                        f"time; one without either stops after {RUN_TRIALS} trials."})
    timeout: float | None = option(
        None, "--timeout", f"This worker's own budget: seconds it runs {_STUDY_STILL}.", min=1,
        help_in={"launch": f"Each worker's own budget: seconds each one runs {_STUDY_STILL}.",
                 "run": "This run's own budget: seconds from the moment the command starts, "
                        "create included; it ends about then with the best model so far (a "
                        "budget the study was created with still holds)."})
    max_consecutive_failures: int = option(
        5, "--max-consecutive-failures", "Stop this worker (exit status 3) after this many "
        "failed trials in a row, printing their reasons.", min=1)
    heartbeat_interval: int = option(
        30, "--heartbeat-interval", "Seconds between heartbeats of the running trial.",
        min=1, envvar="HPSEARCH_HEARTBEAT_INTERVAL")
    grace_period: int | None = option(
        None, "--grace-period", "A trial without heartbeat for this long is failed and queued "
        "again (default: twice the interval). Use the same value on every worker.", min=1,
        envvar="HPSEARCH_GRACE_PERIOD")
    reconnect_timeout: float = option(
        600.0, "--reconnect-timeout", "Seconds to wait out an unreachable database before "
        "giving up.", min=1, envvar="HPSEARCH_RECONNECT_TIMEOUT")
    seed: int | None = option(None, "--seed", "Sampler seed; hpsearch launch gives its workers "
                              "seed, seed+1, ...", min=0)
    verbose: bool = option(False, "--verbose", "Log every epoch.", short="-v", root=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        grace, interval = self.grace_period, self.heartbeat_interval
        if grace is not None and grace <= interval:
            raise OptionError(
                "--grace-period must be longer than --heartbeat-interval, or live trials are "
                "taken for dead between two heartbeats; got "
                f"(grace_period={grace}, heartbeat_interval={interval}). "
                "Leave --grace-period out (twice the interval) or raise it.")


RUN_WORKER_DEFAULTS = WorkerOptions()


def run_trials(options: WorkerOptions) -> WorkerOptions:
    """A run's own budget: with neither --n-trials nor --timeout, ``RUN_TRIALS`` trials."""
    if options.n_trials is None and options.timeout is None:
        return dataclasses.replace(options, n_trials=RUN_TRIALS)
    return options
