"""Every option of hpsearch, defined once: four frozen groups whose fields carry the default,
the flag, the help and the bounds. The CLI builds its options from them, the Python API takes
them (or their fields as keywords), ``StudyConfig`` stores them, and the data fingerprint is
taken over ``DataOptions``.

May import ``search._errors``, ``search.metrics`` (``Metric``) and ``spaces`` (``Task``); it
loads no third-party library, so the CLI can build ``--help`` from it at once.
"""

from search.options._field import OptionGroup, OptionSpec, option, refuse_unknown
from search.options._groups import (
    RUN_WORKER_DEFAULTS,
    BudgetOptions,
    DataOptions,
    PrunerName,
    SamplerName,
    SearchOptions,
    WorkerOptions,
)

__all__ = [
    "RUN_WORKER_DEFAULTS",
    "BudgetOptions",
    "DataOptions",
    "OptionGroup",
    "OptionSpec",
    "PrunerName",
    "SamplerName",
    "SearchOptions",
    "WorkerOptions",
    "option",
    "refuse_unknown",
]
