"""The model card (README.md beside model.keras): YAML front matter as model hubs and catalogs
read it (library, task, tags, the metrics, a ``model-index`` of the honest estimate on the held
rows, or of the validation results named as used for choosing, the data's fingerprint),
then what the model is for, its limitations, how to load it and how it scored. Rendered from
``model_card.md.j2``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from search.export._templates import render
from search.metrics import HEADLINE, versus_baselines
from search.study import StudyConfig


@dataclass(frozen=True)
class CardFacts:
    """What the card says of one model: a trial's, or an ensemble's."""

    study: str
    name: str  # "trial 12", "ensemble of trials 3, 7"
    description: str
    family: str  # or "ensemble"
    metrics: dict[str, float]
    per_class: dict[str, dict[str, Any]]
    params: dict[str, Any]
    command: str
    # The study's answer when this model is it: its scores on the held rows and its estimate.
    answer: dict[str, Any] | None = None


def render_card(config: StudyConfig, facts: CardFacts) -> str:
    headline = [m.value for m in HEADLINE[config.task] if m in facts.metrics]
    held = (facts.answer or {}).get("held_metrics")
    columns = {"this model (validation, chose it)": facts.metrics,
               **({"this model (held rows)": held} if held else {}),
               **{f"{name} (held rows)": found for name, found in config.baselines.items()}}
    return render(
        "model_card.md.j2",
        front_matter=yaml.safe_dump(_front_matter(config, facts, headline), sort_keys=False,
                                    allow_unicode=True),
        title=f"{facts.study}: {facts.name}", description=facts.description,
        study=facts.study, origin=facts.name, data_file=Path(config.data_path).name,
        fingerprint=config.data_fingerprint, command=facts.command, task=config.task.value,
        classes=config.classes, val_rows=config.data_report.get("val_rows", "?"),
        versus=versus_baselines(held or facts.metrics, config.baselines, config.task),
        versus_rows="on the held rows" if held else
        "its validation scores against the baselines' on the held rows",
        estimate=_estimate_sentence(facts.answer),
        warnings=config.data_report.get("warnings", []), columns=list(columns),
        metric_rows=[(m, [_number(c.get(m)) for c in columns.values()]) for m in headline],
        per_class=facts.per_class, params=json.dumps(facts.params, indent=2))


def _front_matter(config: StudyConfig, facts: CardFacts, headline: list[str]) -> dict[str, Any]:
    """The ``model-index`` carries the honest estimate (the held rows' scores) when the model
    is the study's settled answer, else the validation scores, named as used for choosing."""
    data_file = Path(config.data_path).name
    held = (facts.answer or {}).get("held_metrics")
    found, split, named = ((held, "validation rows held out of every choice", "honest estimate of")
                           if held else (facts.metrics, "validation",
                                         "validation (used for choosing)"))
    return {
        "library_name": "keras",
        "pipeline_tag": "text-classification",
        "tags": ["hpsearch", "text-classification", config.task.value, facts.family],
        "metrics": headline,
        "model-index": [{
            "name": f"{facts.study} {facts.name}",
            "results": [{
                "task": {"type": "text-classification",
                         "name": f"Text Classification ({config.task.value})"},
                "dataset": {"name": data_file, "type": data_file, "split": split},
                "metrics": [{"type": m, "value": round(float(found[m]), 6),
                             "name": f"{named} {m}"} for m in headline if m in found],
            }],
        }],
        "hpsearch": {"study": facts.study, "model": facts.name,
                     "data_fingerprint": config.data_fingerprint,
                     "data_sha256": config.data_sha256, "classes": config.classes},
    }


def _estimate_sentence(answer: dict[str, Any] | None) -> str | None:
    if not answer or not answer.get("estimate"):
        return None
    estimate = answer["estimate"]
    return (f"On {answer['held_rows']} validation rows held out of every choice "
            f"(ranking, epochs, thresholds, ensemble), it scored {answer['metric']} "
            f"{estimate['value']:.4f} (90% bootstrap interval {estimate['low']:.4f} to "
            f"{estimate['high']:.4f}): the honest estimate")


def _number(value: Any) -> str:
    return "-" if value is None else f"{float(value):.4f}"
