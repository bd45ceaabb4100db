"""The ``hpsearch`` command: a thin layer over the library functions in ``search``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

import storage
from search._errors import HpsearchError
from search.study._config import PrunerName, SamplerName
from spaces import HeadMismatchError, SpaceError, Task

app = typer.Typer(
    help="Hyperparameter search for Keras text classifiers, on Optuna studies.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True)
log = logging.getLogger("hpsearch")

StudyOpt = Annotated[str, typer.Option("--study", help="Study name.")]
StorageOpt = Annotated[str | None, typer.Option(
    "--storage", help="Storage URL (default: $HPSEARCH_STORAGE, then the file named by "
    "$HPSEARCH_STORAGE_FILE, then sqlite:///hpsearch.db).")]
DataOpt = Annotated[Path, typer.Option("--data", help="CSV, TSV, JSON Lines or Parquet file.")]
TrialsOpt = Annotated[int | None, typer.Option("--n-trials", min=1, help="Trials to run.")]
TimeoutOpt = Annotated[float | None, typer.Option("--timeout", min=1,
                                                     help="Seconds to run.")]


@contextmanager
def user_errors() -> Iterator[None]:
    """The one exit path for problems a user can fix: the message, then exit status 2."""
    try:
        yield
    except (HpsearchError, storage.StorageError, SpaceError, HeadMismatchError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each record (tests swap it)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _DropOptunaFailureEcho(logging.Filter):
    """Optuna logs each failed trial with a traceback; the worker already logs it with its
    reason, so the echo is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Trial ") and " failed with " in message)


def setup_logging(verbose: bool = False) -> None:
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("hpsearch: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False
    optuna_log = logging.getLogger("optuna")
    if not any(isinstance(f, _DropOptunaFailureEcho) for f in optuna_log.filters):
        optuna_log.addFilter(_DropOptunaFailureEcho())


@app.callback()
def _root(verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                                help="Log every epoch.")] = False) -> None:
    setup_logging(verbose)


def _create_options(text_col: str, label_col: str, label_sep: str, task: Task | None,
                    val_frac: float, val_data: Path | None, seed: int, space: Path | None,
                    embeddings: Path | None, metric: str, pruner: PrunerName,
                    sampler: SamplerName, max_epochs: int, patience: int, max_tokens: int,
                    max_len: int | None, drop_invalid: bool) -> dict[str, object]:
    return dict(text_col=text_col, label_col=label_col, label_sep=label_sep, task=task,
                val_frac=val_frac, val_data=val_data, seed=seed, space=space,
                embeddings=embeddings, metric=metric, pruner=pruner, sampler=sampler,
                max_epochs=max_epochs, patience=patience, max_tokens=max_tokens,
                max_len=max_len, drop_invalid=drop_invalid)


# The options shared by `create` and `run`.
TextCol = Annotated[str, typer.Option("--text-col", help="Column holding the texts.")]
LabelCol = Annotated[str, typer.Option("--label-col", help="Column holding the labels.")]
LabelSep = Annotated[str, typer.Option("--label-sep", help="Separator of several labels.")]
TaskOpt = Annotated[Task | None, typer.Option("--task", help="Force the task (default: "
                                                 "detected from the labels).")]
ValFrac = Annotated[float, typer.Option("--val-frac", help="Share of rows for validation.")]
ValData = Annotated[Path | None, typer.Option("--val-data", help="Use this file for "
                                                 "validation instead of a split.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the split and the trials.")]
SpaceFile = Annotated[Path | None, typer.Option("--space", help="YAML space file "
                                                   "(default: the built-in lstm space).")]
Embeddings = Annotated[Path | None, typer.Option("--embeddings", help="GloVe/word2vec "
                                                    "text file of word vectors.")]
Metric = Annotated[str, typer.Option("--metric", help="Objective: val_loss, accuracy, "
                                     "macro_f1, pr_auc...; the direction follows.")]
PrunerOpt = Annotated[PrunerName, typer.Option("--pruner", help="Stops weak trials early.")]
SamplerOpt = Annotated[SamplerName, typer.Option("--sampler", help="Picks the next trial.")]
MaxEpochs = Annotated[int, typer.Option("--max-epochs", min=1, help="Epochs per trial at most.")]
Patience = Annotated[int, typer.Option("--patience", min=1, help="Stop a trial after this many "
                                       "epochs without improvement.")]
MaxTokens = Annotated[int, typer.Option("--max-tokens", min=100, help="Vocabulary size.")]
MaxLen = Annotated[int | None, typer.Option("--max-len", min=1, help="Tokens per text "
                                               "(default: 95th percentile of lengths).")]
DropInvalid = Annotated[bool, typer.Option("--drop-invalid", help="Skip rows with empty text "
                                           "or missing labels instead of failing.")]
BudgetTrials = Annotated[int | None, typer.Option("--n-trials", min=1, help="Study-wide "
                                                     "budget of finished trials.")]
BudgetTimeout = Annotated[float | None, typer.Option("--timeout", min=1, help="Study-wide "
                                                        "budget in seconds from creation.")]


@app.command()
def create(
    study: StudyOpt, data: DataOpt, storage_url: StorageOpt = None,
    text_col: TextCol = "text", label_col: LabelCol = "label", label_sep: LabelSep = "|",
    task: TaskOpt = None, val_frac: ValFrac = 0.2, val_data: ValData = None, seed: Seed = 0,
    space: SpaceFile = None, embeddings: Embeddings = None, metric: Metric = "val_loss",
    pruner: PrunerOpt = PrunerName.MEDIAN, sampler: SamplerOpt = SamplerName.TPE,
    max_epochs: MaxEpochs = 20, patience: Patience = 4, max_tokens: MaxTokens = 20_000,
    max_len: MaxLen = None, n_trials: BudgetTrials = None, timeout: BudgetTimeout = None,
    drop_invalid: DropInvalid = False,
) -> None:
    """Check the data, vectorize the split once, and create a study workers can join."""
    from search.study._create import create_study

    with user_errors():
        config = create_study(
            study, data, storage_url=storage_url, n_trials=n_trials, timeout=timeout,
            **_create_options(text_col, label_col, label_sep, task, val_frac, val_data, seed,
                              space, embeddings, metric, pruner, sampler, max_epochs,
                              patience, max_tokens, max_len, drop_invalid))  # type: ignore[arg-type]
    console.print(f"study [bold]{study}[/]: {config.task.value}, {len(config.classes)} classes, "
                  f"objective {config.metric} ({config.direction})")


HeartbeatOpt = Annotated[int, typer.Option(
    "--heartbeat-interval", min=1, envvar="HPSEARCH_HEARTBEAT_INTERVAL",
    help="Seconds between heartbeats of the running trial.")]
GraceOpt = Annotated[int | None, typer.Option(
    "--grace-period", min=1, envvar="HPSEARCH_GRACE_PERIOD",
    help="A trial without heartbeat for this long is failed and queued again (default: twice "
    "the interval). Use the same value on every worker.")]
ReconnectOpt = Annotated[float, typer.Option(
    "--reconnect-timeout", min=1, envvar="HPSEARCH_RECONNECT_TIMEOUT",
    help="Seconds to wait out an unreachable database before giving up.")]


@app.command()
def worker(study: StudyOpt, storage_url: StorageOpt = None, n_trials: TrialsOpt = None,
           timeout: TimeoutOpt = None,
           seed: Annotated[int | None, typer.Option("--seed", help="Sampler seed.")] = None,
           heartbeat_interval: HeartbeatOpt = 30, grace_period: GraceOpt = None,
           reconnect_timeout: ReconnectOpt = 600.0,
           ) -> None:
    """Run trials of an existing study (any number of workers may share one).

    SIGTERM or Ctrl-C fails the running trial as "interrupted", queues it again, exits 0."""
    from search.worker._progress import make_progress
    from search.worker._worker import run_worker

    with user_errors():
        summary = run_worker(study, storage_url, n_trials=n_trials, timeout=timeout,
                             progress=make_progress(), seed=seed,
                             heartbeat_interval=heartbeat_interval, grace_period=grace_period,
                             reconnect_timeout=reconnect_timeout)
    console.print(f"worker done: {summary.trials_run} trial(s) "
                  + ", ".join(f"{k.lower()} {v}" for k, v in summary.states.items()))
    if summary.stopped_by:
        queued = ("" if summary.interrupted_trial is None else
                  f"; trial {summary.interrupted_trial} failed as interrupted and queued again")
        console.print(f"stopped by {summary.stopped_by}{queued}")


@app.command()
def run(
    data: DataOpt,
    study: Annotated[str | None, typer.Option("--study", help="Study name (default: the "
                                                 "data file's name).")] = None,
    storage_url: StorageOpt = None, n_trials: TrialsOpt = 20, timeout: TimeoutOpt = None,
    text_col: TextCol = "text", label_col: LabelCol = "label", label_sep: LabelSep = "|",
    task: TaskOpt = None, val_frac: ValFrac = 0.2, val_data: ValData = None, seed: Seed = 0,
    space: SpaceFile = None, embeddings: Embeddings = None, metric: Metric = "val_loss",
    pruner: PrunerOpt = PrunerName.MEDIAN, sampler: SamplerOpt = SamplerName.TPE,
    max_epochs: MaxEpochs = 20, patience: Patience = 4, max_tokens: MaxTokens = 20_000,
    max_len: MaxLen = None, drop_invalid: DropInvalid = False,
) -> None:
    """Create (or resume) a study and run trials here, then print the leaderboard."""
    from search.study._inspect import leaderboard
    from search.study._open import open_study
    from search.views._display import leaderboard_table
    from search.worker._progress import make_progress
    from search.worker._run import run_search

    name = study or data.stem
    with user_errors():
        run_search(name, data, storage_url=storage_url, n_trials=n_trials, timeout=timeout,
                   progress=make_progress(),
                   **_create_options(text_col, label_col, label_sep, task, val_frac, val_data,
                                     seed, space, embeddings, metric, pruner, sampler,
                                     max_epochs, patience, max_tokens, max_len, drop_invalid))
        opened, config = open_study(name, storage_url)
        rows = leaderboard(opened, config)
    console.print(leaderboard_table(rows, config.baselines, config.task.value, config.metric,
                                    title=f"Leaderboard of {name}"))
    counts: dict[str, int] = {}
    for t in opened.get_trials(deepcopy=False):
        counts[t.state.name] = counts.get(t.state.name, 0) + 1
    console.print(", ".join(f"{k.lower()} {v}" for k, v in counts.items()))


@app.command()
def status(study: StudyOpt, storage_url: StorageOpt = None,
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
           watch: Annotated[bool, typer.Option("--watch", help="Refresh a live table until "
                                               "Ctrl-C or the budget is spent.")] = False,
           interval: Annotated[float, typer.Option("--interval", min=0.5, help="Seconds "
                                                   "between refreshes of --watch.")] = 5.0,
           ) -> None:
    """Trials by state, the best so far with its params, next to the baselines."""
    from search.study._inspect import study_status
    from search.views._display import print_status

    if watch:
        from search.views._watch import describe_end, watch_study

        with user_errors():
            if as_json:
                raise HpsearchError("--watch draws a live table and --json prints once; "
                                    "use one of them.")
            numbers = watch_study(study, storage_url, interval=interval, console=console)
        console.print(describe_end(numbers))
        return
    with user_errors():
        result = study_status(study, storage_url)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print_status(result, console)


@app.command()
def best(study: StudyOpt, storage_url: StorageOpt = None,
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The best finished trial: value, metrics and params."""
    from search.study._inspect import best_trial
    from search.views._display import leaderboard_table

    with user_errors():
        result = best_trial(study, storage_url)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    console.print(leaderboard_table([result], result["baselines"], result["task"],
                                    result["metric"], title=f"Best trial of {study}"))
    console.print(json.dumps(result["params"], indent=2))


@app.command()
def export(study: StudyOpt,
           out: Annotated[Path, typer.Option("--out", help="Script to write.")] = Path(
               "train_best.py"),
           storage_url: StorageOpt = None,
           trial: Annotated[int | None, typer.Option("--trial", help="Trial number "
                                                        "(default: the best).")] = None) -> None:
    """Write a standalone training script for the best (or a given) trial."""
    from search.export._export import export_script

    with user_errors():
        path = export_script(study, out, storage_url, trial)
    console.print(f"wrote {path}: python {path} --data DATA --out MODEL_DIR")


@app.command()
def enqueue(study: StudyOpt,
            params: Annotated[Path, typer.Option("--params", help="YAML or JSON file of "
                                                 "param: value.")],
            storage_url: StorageOpt = None) -> None:
    """Queue a known configuration (say, your current model) as the next trial."""
    from search.study._enqueue import enqueue_params

    with user_errors():
        queued = enqueue_params(study, params, storage_url)
    console.print(f"queued for study {study}: {queued}")


@app.command("sample-data")
def sample_data(out: Annotated[Path, typer.Option("--out", help="File to write.")],
                task: Annotated[Task, typer.Option("--task")] = Task.MULTICLASS,
                rows: Annotated[int, typer.Option("--rows", min=20)] = 2000,
                classes: Annotated[int, typer.Option("--classes", min=2)] = 6,
                imbalance: Annotated[float, typer.Option("--imbalance", min=1.0)] = 1.0,
                seed: Annotated[int, typer.Option("--seed")] = 0) -> None:
    """Generate a text-classification dataset (for demos and tests; no download)."""
    from search.data._sample import write_sample

    path = write_sample(out, task=task, rows=rows, classes=classes, imbalance=imbalance,
                        seed=seed)
    console.print(f"wrote {rows} rows to {path}")


@app.command()
def dashboard(
    storage_url: StorageOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind; anything but "
                                      "localhost exposes every study (no login).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8080,
    allow_writes: Annotated[bool, typer.Option("--allow-writes", help="Let the browser "
                                               "change studies (delete, notes...).")] = False,
) -> None:
    """Serve optuna-dashboard on the study storage (read-only, localhost by default)."""
    from search.views._dashboard import exposure_warning, make_dashboard

    with user_errors():
        server = make_dashboard(storage_url, host, port, allow_writes=allow_writes)
    warning = exposure_warning(host)
    if warning:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False)
    url = storage.mask_url(storage.resolve_storage_url(storage_url))
    console.print(f"optuna-dashboard on {url} at {server.url} "
                  f"({'read-write' if allow_writes else 'read-only'}); Ctrl-C to stop",
                  highlight=False, soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("dashboard stopped")


@app.command()
def report(study: StudyOpt,
           out: Annotated[Path, typer.Option("--out", help="Folder for index.html and its "
                                             "figures.")] = Path("report"),
           storage_url: StorageOpt = None) -> None:
    """Write an HTML report with figures: history, curves, importances, the best trial."""
    from search.views._report import write_report

    with user_errors():
        written = write_report(study, out, storage_url)
    console.print(written.headline, highlight=False)
    console.print(f"wrote {written.index} with {len(written.figures)} figure(s)"
                  + (f"; {len(written.notes)} not drawn (see the page)" if written.notes else ""),
                  highlight=False)


@app.command()
def launch(
    study: StudyOpt, storage_url: StorageOpt = None,
    gpus: Annotated[str | None, typer.Option("--gpus", help="GPU ids, like 0,1,2,3: one "
                                             "worker per GPU slot, each seeing only its GPU.")
                    ] = None,
    per_gpu: Annotated[int, typer.Option("--per-gpu", min=1, help="Workers per GPU.")] = 1,
    cpus: Annotated[int | None, typer.Option("--cpus", min=1, help="Without GPUs: start "
                                             "this many CPU workers.")] = None,
    n_trials: Annotated[int | None, typer.Option("--n-trials", min=1, help="Trials per "
                                                 "worker (the study budget still holds).")
                        ] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", min=1, help="Seconds per "
                                                  "worker.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Sampler seed of the first "
                                             "worker; the next ones get seed+1, seed+2...")
                    ] = None,
    heartbeat_interval: Annotated[int | None, typer.Option(
        "--heartbeat-interval", min=1, help="Passed to every worker.")] = None,
    grace_period: Annotated[int | None, typer.Option(
        "--grace-period", min=1, help="Passed to every worker.")] = None,
    reconnect_timeout: Annotated[float | None, typer.Option(
        "--reconnect-timeout", min=1, help="Passed to every worker.")] = None,
) -> None:
    """Start one worker process per GPU slot (or --cpus N) and report each one's exit.

    The storage URL reaches workers through their environment, never their arguments.

    Workers are not restarted. Ctrl-C/SIGTERM is forwarded to them; a second one kills them.

    Exits 1 if any worker exited non-zero."""
    from search.worker._launch import WorkerOptions, launch_workers, parse_gpus

    with user_errors():
        exits = launch_workers(
            study, storage_url, gpus=parse_gpus(gpus) if gpus is not None else None,
            per_gpu=per_gpu, cpus=cpus,
            options=WorkerOptions(n_trials=n_trials, timeout=timeout, seed=seed,
                                  heartbeat_interval=heartbeat_interval,
                                  grace_period=grace_period, reconnect_timeout=reconnect_timeout,
                                  verbose=log.level <= logging.DEBUG))
    for done in exits:
        console.print(f"worker {done.slot.label} (pid {done.pid}) {done.how} after "
                      f"{done.seconds:.1f}s", highlight=False)
    failed = [done for done in exits if done.returncode != 0]
    if failed:
        err_console.print(f"[bold red]error:[/] {len(failed)} of {len(exits)} worker(s) did not "
                          "exit cleanly; their output above says why.", highlight=False)
        raise typer.Exit(1)


def main() -> None:
    app()
