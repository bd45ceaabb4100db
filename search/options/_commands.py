"""The options of the commands that are no study setting: which study and where, the files a
command reads, and what ``launch``, the views, ``export``, ``predict``, ``report``,
``dashboard``, ``delete`` and ``sample-data`` take. Defined here once, like the study's own
groups, so the CLI, the library's defaults and the tests read the same default, flag, help and
bounds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import storage
from search.options._field import OptionGroup, option, required
from spaces import Task


@dataclass(frozen=True, kw_only=True)
class StudyAddress(OptionGroup):
    """Which study, and the storage that holds it: what nearly every command starts from.
    Commands take the two apart, as the library's functions do (``study_name, storage_url``)."""

    study: str = required("--study", "Study name.",
                          help_in={"run": "Study name (default: the data file's name)."})
    storage_url: str | None = option(
        None, "--storage", f"Storage URL; the first set of: {storage.url_precedence()}.")


@dataclass(frozen=True, kw_only=True)
class InputFiles(OptionGroup):
    """The files a command reads: the table of a study (``create``, ``run``), a configuration
    to queue (``enqueue``), a model and the texts it labels (``predict``, ``evaluate``)."""

    data: Path = required("--data", "CSV, TSV, JSON Lines or Parquet file.", help_in={
        "predict": "CSV, TSV, JSON Lines or Parquet file of texts, or - for standard input "
                   "(JSON Lines if its first line is a JSON object, else one text per line).",
        "evaluate": "CSV, TSV, JSON Lines or Parquet file of texts and their labels."})
    params: Path = required("--params", "YAML or JSON file of param: value.")
    model: Path = required("--model", "Model folder, as `hpsearch export --model` writes it: "
                           "model.keras and labels.json.")


@dataclass(frozen=True)
class ViewOptions(OptionGroup):
    """How a view of a study is shown: a table, JSON (``studies``, ``status``, ``best``), or a
    live table (``status``)."""

    as_json: bool = option(False, "--json", "Print JSON.")
    watch: bool = option(False, "--watch", "Refresh a live table until Ctrl-C or the budget is "
                         "spent.")
    interval: float = option(5.0, "--interval", "Seconds between refreshes of --watch.",
                             min=0.5)


@dataclass(frozen=True)
class ExportOptions(OptionGroup):
    """What ``export`` writes, and of which trial."""

    out: Path | None = option(None, "--out", "Write a training script here (default "
                              "train_best.py), with the study's rows and the trial's "
                              "featurizing layers beside it.")
    model: Path | None = option(None, "--model", "Write the study's best model to this folder "
                                "instead: its ensemble when one beat the best trial, else that "
                                "trial's own trained model.")
    trial: int | None = option(None, "--trial", "Trial number (default: the best; with --model, "
                               "a trial's model rather than the ensemble).")
    force: bool = option(False, "--force", "Replace files that exist where export writes "
                         "(without it, export refuses and names them).")


@dataclass(frozen=True)
class PredictOptions(OptionGroup):
    """Where ``predict`` writes, and how many texts ``predict`` and ``evaluate`` read and
    label at a time (what bounds their memory)."""

    out: Path | None = option(None, "--out", "Write the predictions here: CSV, TSV, JSON Lines "
                              "or Parquet, by its suffix (default: CSV on standard output).")
    force: bool = option(False, "--force", "Replace the file --out names if it exists "
                         "(without it, predict refuses and names it).")
    batch_size: int = option(1024, "--batch-size", "Texts read and labelled at a time: memory "
                             "holds one batch, not the file.", min=1, help_in={
                                 "evaluate": "Texts the model labels at a time (the file's "
                                             "texts and labels are read whole)."})


@dataclass(frozen=True)
class ReportOptions(OptionGroup):
    """Where ``report`` writes its page."""

    out: Path = option(Path("report"), "--out", "Folder for index.html and its figures (an "
                       "earlier report there is replaced).")
    force: bool = option(False, "--force", "Replace an index.html or figure file in --out that "
                         "a report did not write (without it, report refuses and names them).")


@dataclass(frozen=True)
class DashboardOptions(OptionGroup):
    """Where ``dashboard`` listens, and whether the browser may change studies."""

    host: str = option("127.0.0.1", "--host", "Address to bind; anything but localhost "
                       "exposes every study (no login).")
    port: int = option(8080, "--port", "Port.", min=0, max=65535)
    allow_writes: bool = option(False, "--allow-writes", "Let the browser change studies "
                                "(delete, notes, uploads...).")


@dataclass(frozen=True)
class DeleteOptions(OptionGroup):
    """The safety catches of ``delete``."""

    yes: bool = option(False, "--yes", "Delete without asking.", short="-y")
    force: bool = option(False, "--force", "Delete even while trials run (their workers then "
                         "fail).")


@dataclass(frozen=True)
class LaunchOptions(OptionGroup):
    """The worker processes ``launch`` starts: on which GPUs, how many per GPU, with how much
    GPU memory each, or how many on the CPU."""

    gpus: str | None = option(
        None, "--gpus", "GPU ids as nvidia-smi numbers them, like 0,1,2,3 (or UUIDs), or all: "
        "one worker per GPU slot, each seeing only its GPU. Under an inherited "
        "CUDA_VISIBLE_DEVICES (Slurm, a container) the ids must be among its entries; all "
        "takes them, else every GPU nvidia-smi lists.")
    per_gpu: int = option(1, "--per-gpu", "Workers per GPU; with K > 1 each is capped at the "
                          "GPU's memory / K, less 1 GB.", min=1)
    gpu_memory: int | None = option(
        None, "--gpu-memory", "Cap each GPU worker's memory at this many MB (default: none "
        "with --per-gpu 1, else the GPU's memory / K less 1 GB).", min=1)
    cpus: int | None = option(None, "--cpus", "Without GPUs: start this many CPU workers.",
                              min=1)


@dataclass(frozen=True, kw_only=True)
class SampleOptions(OptionGroup):
    """The generated data set of ``sample-data``: where it goes, its task and its shape."""

    out: Path = required("--out", "File to write.")
    task: Task = option(Task.MULTICLASS, "--task", "Task of the labels.")
    rows: int = option(2000, "--rows", "Rows to generate.", min=20)
    classes: int = option(6, "--classes", "Classes (a binary task has 2, whatever this says).",
                          min=2)
    imbalance: float = option(1.0, "--imbalance", "Ratio of the largest class to the smallest "
                              "(single-label tasks).", min=1.0)
    seed: int = option(0, "--seed", "Seed of the generator.", min=0)
    min_words: int = option(8, "--min-words", "Fewest words of a text.", min=1)
    max_words: int = option(47, "--max-words", "Most words of a text (a class word may open "
                            "it besides).", min=1)
