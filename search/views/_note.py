"""The study's note in optuna-dashboard (Markdown): what the study is about and where it stands.

The task and the objective, the data and what its checks warned of, the baselines on every
headline metric (and the expert's model once it has run), the best trial against them, time
by model family, and how to export. Workers save it after each finished trial
(``save_study_note``), so a dashboard reader finds it current; saving never fails a trial.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import optuna

from search.metrics import HEADLINE
from search.study import FamilyTime, StudyConfig, StudyStatus, answer_record, status_of
from search.views._references import Reference, answer_name, references, versus_references

log = logging.getLogger("hpsearch")

# Characters that Markdown (CommonMark, and GFM's tables) may read as markup in running text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def _text(value: Any) -> str:
    """``value`` as Markdown text: its characters shown, never read as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-" if value is None else _text(value)
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; the first column is text, the others numbers (right-aligned)."""
    return ["| " + " | ".join(head) + " |",
            "|" + "|".join([" --- "] + [" ---: "] * (len(head) - 1)) + "|",
            *["| " + " | ".join(row) + " |" for row in rows]]


def _data_section(config: StudyConfig) -> list[str]:
    data = config.data_report
    lines = ["### Data", ""]
    if "rows" in data:
        lines.append(f"{data['rows']} rows of {_text(config.data_path)}: "
                     f"{data.get('train_rows', '?')} for training, "
                     f"{data.get('val_rows', '?')} for validation. "
                     f"{len(config.classes)} classes"
                     + (f", the largest {data['imbalance_ratio']}× the smallest"
                        if "imbalance_ratio" in data else "")
                     + f"; texts cut at {config.max_len} tokens.")
    else:
        lines.append(f"{_text(config.data_path)}: {len(config.classes)} classes; texts cut at "
                     f"{config.max_len} tokens.")
    warnings = data.get("warnings") or []
    lines.append("")
    if warnings:
        lines += ["The data checks warned:", ""] + [f"- {_text(w)}" for w in warnings]
    elif "rows" in data:
        lines.append("The data checks found nothing to warn of.")
    return lines


def _references_section(status: StudyStatus, config: StudyConfig,
                        found: Sequence[Reference]) -> list[str]:
    columns = HEADLINE[config.task]
    lines = ["### Against the baselines", ""]
    best = status.best
    rows = [[_text(ref.label), *[_num(ref.metrics.get(m)) for m in columns]] for ref in found
            if best is None or ref.trial != best.number]
    if best is not None:
        rows.insert(0, [f"**best: trial {best.number}**",
                        *[_num(best.metrics.get(m)) for m in columns]])
    if not config.baselines:
        lines += ["The baselines (majority class, TF-IDF + logistic regression) are still "
                  "being computed; they appear here when they are done.", ""]
    if rows:
        lines += _table(["", *[m.value + (" ★" if m == config.metric else "")
                               for m in columns]], rows)
        lines += ["", f"★ the objective ({config.metric.value}, {config.direction.value}). "
                      "The baselines are scored on the validation rows held out of every "
                      "choice; the trials on the others, which chose them."]
    lines.append("")
    if best is None:
        lines.append("No trial has finished yet.")
    else:
        lines.append(f"**Best trial: {best.number}**, {config.metric.value} = "
                     f"{_num(best.value)} on the validation rows that chose it.")
        answer = status.answer
        if answer and answer.get("estimate"):
            estimate = answer["estimate"]
            lines += ["", f"**The answer** ({_text(answer_name(answer))}): honest "
                          f"estimate {config.metric.value} = {_num(estimate['value'])} (90% "
                          f"interval {_num(estimate['low'])} to {_num(estimate['high'])}) on "
                          f"{answer['held_rows']} held rows no choice has seen."]
        sentences = versus_references(best, found, config, status.answer)
        if sentences:
            lines += [""] + [f"- {_text(s[0].upper() + s[1:])}." for s in sentences]
    return lines


def _families_section(families: list[FamilyTime]) -> list[str]:
    if not families:
        return []
    return ["### Time by model family", "",
            *_table(list(FamilyTime.COLUMNS),
                    [[*map(_text, f.cells()), _num(f.best)] for f in families])]


def _export_section(study_name: str) -> list[str]:
    name = shlex.quote(study_name)
    return [
        "### Export", "",
        "The best trials keep their trained model: open a trial's page and download it under "
        "**Artifacts**. Or, with the same storage (`--storage` or `$HPSEARCH_STORAGE`):", "",
        "```sh",
        f"hpsearch export --study {name} --model DIR       # model.keras, labels.json, README.md",
        f"hpsearch export --study {name} --out train_best.py  # a script that trains it again",
        "```", "",
        "`--trial N` exports another trial than the best.",
    ]


def study_note(study: optuna.Study, config: StudyConfig) -> str:
    """The study's note, as Markdown, from its trials as they stand."""
    trials = study.get_trials(deepcopy=False)
    status = status_of(study.study_name, trials, config, answer=answer_record(study))
    counts = ", ".join(f"{state.lower()} {n}" for state, n in status.counts.items())
    sections = [
        [f"## {_text(study.study_name)}", "",
         f"**{config.task.value.capitalize()} classification** of texts into "
         f"{len(config.classes)} classes; objective **{config.metric.value}** "
         f"({config.direction.value}). Trials: {counts or 'none yet'}."],
        _data_section(config),
        _references_section(status, config, references(trials, config)),
        _families_section(status.families),
        _export_section(study.study_name),
        ["_Written by hpsearch after each finished trial: edits made here are replaced._"],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


@functools.cache
def _note_functions() -> tuple[Callable[[optuna.Study], str], Callable[[optuna.Study, str], None]]:
    """optuna-dashboard's ``get_note`` and ``save_note``. Its package loads its web app, and
    through ``optuna.importance`` scikit-learn, before it hands them out: about 2.5 s of CPU at
    every worker's start. The module that defines them needs only Optuna, so where it is found
    it is loaded by itself; else (a release that moved it) the package's names are used."""
    found = None if "optuna_dashboard" in sys.modules else importlib.util.find_spec(
        "optuna_dashboard")
    for folder in (found.submodule_search_locations or []) if found else []:
        module_file = Path(folder) / "_note.py"
        spec = (importlib.util.spec_from_file_location("_hpsearch_dashboard_note", module_file)
                if module_file.is_file() else None)
        if spec and spec.loader:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            if hasattr(module, "get_note") and hasattr(module, "save_note"):
                return module.get_note, module.save_note
    from optuna_dashboard import get_note, save_note

    return get_note, save_note


def save_study_note(study: optuna.Study, config: StudyConfig) -> None:
    """Save the study's note where optuna-dashboard shows it, unless it says that already.

    Never raises: the note is a courtesy, and a worker calls this after every trial, so a
    failure is logged and the worker goes on."""
    try:
        get_note, save_note = _note_functions()
        body = study_note(study, config)
        if get_note(study) != body:
            save_note(study, body)
    except Exception as exc:  # a note must never cost a trial; the log says what went wrong
        log.warning("could not save the dashboard note of study %r: %s: %s",
                    study.study_name, type(exc).__name__, exc)
