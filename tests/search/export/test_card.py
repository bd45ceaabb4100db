"""The model card reads as model hubs and catalogs read it: YAML front matter with the library,
the task, tags, the metrics and a model-index of the validation results, equal to the trial's
and named as used for choosing (the answer's card carries its honest estimate instead:
tests/search/answer/test_answer.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from search.export._export import trial_card
from search.study import open_study, pick_trial, summarize_trial
from tests.scripted_studies import make_study


def front_matter(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n", 2)[1])


def test_the_cards_front_matter_holds_the_trials_metrics(sqlite_url: str, study_name: str,
                                                          multiclass_csv: Path) -> None:
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=3)
    study, config = open_study(study_name, sqlite_url)
    trial = summarize_trial(pick_trial(study, config), config)
    card = trial_card(study_name, config, trial, "hpsearch export --model m")
    found = front_matter(card)
    assert found["library_name"] == "keras" and found["pipeline_tag"] == "text-classification"
    assert {"hpsearch", "multiclass", trial.params["family"]} <= set(found["tags"])
    assert found["metrics"] == ["val_loss", "accuracy", "macro_f1"]
    [model] = found["model-index"]
    [result] = model["results"]
    assert result["dataset"]["split"] == "validation"
    assert {m["type"]: m["value"] for m in result["metrics"]} == {
        k: round(trial.metrics[k], 6) for k in ("val_loss", "accuracy", "macro_f1")}
    assert found["hpsearch"]["data_fingerprint"] == config.data_fingerprint
    assert found["hpsearch"]["classes"] == config.classes
    body = card.split("---\n", 2)[2]
    for heading in ("## Intended use", "## Limitations", "## How to use it"):
        assert heading in body
    assert "safe_mode=True" in body and ("Against the baselines (its validation scores against "
                                         "the baselines' on the held rows): ahead of majority"
                                         in " ".join(body.split()))
    assert [m["name"] for m in result["metrics"]][0] == "validation (used for choosing) val_loss"
    assert found["license"] == "mit"
    # How to use it: the commands, the script beside the model, and the multi-class decision.
    assert "hpsearch predict --model . --data texts.csv" in body and "predict.py" in body
    assert 'label = labels["classes"][int(probs[0].argmax())]' in body
