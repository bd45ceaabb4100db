"""Every option of hpsearch, defined once: frozen groups whose fields carry the default, the
flag, the help and the bounds. The CLI builds its options from them, the Python API takes
them (or their fields as keywords), ``StudyConfig`` stores the study's groups, the data
fingerprint is taken over ``DataOptions``, and ``hpsearch launch`` turns ``WorkerOptions`` back
into its workers' flags (``to_args``).

The study's settings and a worker's (``_groups``): ``DataOptions``, ``SearchOptions``,
``BudgetOptions`` (the study's budget), ``WorkerOptions`` (one worker's). The other commands'
(``_commands``): ``StudyAddress`` and ``InputFiles`` (offered field by field by most
commands), ``ViewOptions``, ``ExportOptions``, ``PredictOptions``, ``ReportOptions``,
``DashboardOptions``, ``DeleteOptions``, ``LaunchOptions``, ``SampleOptions``. A size
(``--keep-bytes 2GB``) is a ``ByteSize`` (``_size``).

May import ``search._errors``, ``search.metrics`` (``Metric``), ``spaces`` (``Task``) and
``storage`` (its URL precedence, in words); it loads no third-party library, so the CLI can
build ``--help`` from it at once.
"""

from search.options._commands import (
    DashboardOptions,
    DeleteOptions,
    ExportOptions,
    InputFiles,
    LaunchOptions,
    PredictOptions,
    ReportOptions,
    SampleOptions,
    StudyAddress,
    ViewOptions,
)
from search.options._field import OptionGroup, OptionSpec, option, refuse_unknown, required
from search.options._groups import (
    KEEP_BYTES,
    KEEP_MODELS,
    RUN_TRIALS,
    RUN_WORKER_DEFAULTS,
    BudgetOptions,
    DataOptions,
    KeepBound,
    PrunerName,
    SamplerName,
    SearchOptions,
    WorkerOptions,
    run_trials,
)
from search.options._size import ByteSize, format_size

__all__ = [
    "KEEP_BYTES",
    "KEEP_MODELS",
    "RUN_TRIALS",
    "RUN_WORKER_DEFAULTS",
    "BudgetOptions",
    "ByteSize",
    "DashboardOptions",
    "DataOptions",
    "DeleteOptions",
    "ExportOptions",
    "InputFiles",
    "KeepBound",
    "LaunchOptions",
    "OptionGroup",
    "OptionSpec",
    "PredictOptions",
    "PrunerName",
    "ReportOptions",
    "SampleOptions",
    "SamplerName",
    "SearchOptions",
    "StudyAddress",
    "ViewOptions",
    "WorkerOptions",
    "format_size",
    "option",
    "refuse_unknown",
    "run_trials",
    "required",
]
