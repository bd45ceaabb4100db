"""What a worker needs of a trainer, so that tests and benchmarks can stand in for TensorFlow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from search.metrics import Metric
from search.training._result import EpochReport, TrainResult
from spaces import Task
from spaces.features import StudyData

# The epochs whose time a trial's cost cap bounds (``FitSettings.cost_limit_s``).
COST_EPOCHS = 3


@dataclass(frozen=True)
class FitSettings:
    """How to train and judge one trial: the study's settings and this trial's limits."""

    task: Task
    classes: list[str]
    metric: Metric
    max_epochs: int
    patience: int
    seed: int = 0
    # time.monotonic() the trial's epochs end before (the last epoch end before it), kept with
    # its best epoch so far (the study's --timeout).
    deadline: float | None = None
    # The most seconds a few epochs may take; a trial whose first steps say it would take
    # longer stops before its first epoch ends, as too costly for the budget.
    cost_limit_s: float | None = None
    # Called after each rung of rows but the last (``search.training._rows``) with (rows, the
    # objective there): the reason the trial is pruned there, or None to grow it.
    promote: Callable[[int, float], str | None] | None = None


@runtime_checkable
class Trainer(Protocol):
    """Fits one configuration at a time: TensorFlow's (``search.training._trainer``, the
    module itself), or a scripted stand-in named by ``$HPSEARCH_TRAINER``."""

    def configure_devices(self) -> dict[str, Any]:
        """Check and set up this process's devices: ``{"gpus": [...], "device": what a trial
        records as its GPU ("cpu" when none), "policy": the dtype policy of its trials}``.
        Raises ``DeviceError`` when told to use a GPU it cannot see."""
        ...

    def prepare(self, data: StudyData) -> Any:
        """The study's data as this worker's trials read it (encoded once, here)."""
        ...

    def fit(self, params: dict[str, Any], prepared: Any, settings: FitSettings, *,
            report: EpochReport) -> TrainResult:
        """Fit ``params`` (for up to ``settings.max_epochs`` epochs, calling ``report`` after
        each: True prunes); raise ``TrialFailed`` when the trial cannot finish."""
        ...

    def saved_model(self, params: dict[str, Any], prepared: Any, result: TrainResult,
                    task: Task) -> bytes | None:
        """The trained model of ``result`` as a ``.keras`` file's bytes (raw strings in,
        probabilities out), or None when this trainer keeps no model."""
        ...

    def release(self) -> None:
        """Free the last trial's graph and memory before the next."""
        ...
