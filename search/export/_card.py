"""The model card (README.md beside model.keras), as code the exported script prints and
``hpsearch export --model`` runs: one card, whichever way the model was made."""

from __future__ import annotations

from typing import Any

CARD = '''\
def model_card(scores, command):
    \"\"\"README.md of the saved model: what it is, where it comes from, how it scored.\"\"\"
    info, baselines = STUDY["info"], STUDY["info"]["baselines"]
    columns = (["this model"] if scores else []) + ["the trial", *baselines]
    lines = [f"# {info['description']}", "",
             f"hpsearch study `{info['study']}`, trial {info['trial']}, data `{info['data_file']}`"
             f" (fingerprint `{info['data_fingerprint'][:16]}`), made by `{command}`.", "",
             "`keras.models.load_model` gives a model that takes raw strings and returns "
             "probabilities; labels.json holds the classes and decision thresholds.", "",
             "| metric | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name in (k for k, v in TRIAL.items() if isinstance(v, float)):
        row = ([scores.get(name)] if scores else []) + [TRIAL[name]]
        row += [baselines[b].get(name) for b in baselines]
        lines.append(f"| {name} | " + " | ".join("" if v is None else f"{v:.4f}" for v in row)
                     + " |")
    lines += ["", "| class | precision | recall | F1 | rows |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
              f"{m['support']} |" for c, m in (scores or TRIAL).get("per_class", {}).items()]
    return "\\n".join([*lines, "", "```json", json.dumps(info["params"], indent=2), "```", ""])
'''


def render_card(info: dict[str, Any], trial: dict[str, Any], command: str) -> str:
    """The card of a saved trial (``export --model``), by the code the script prints."""
    import json

    namespace: dict[str, Any] = {"STUDY": {"info": info}, "TRIAL": trial, "json": json}
    exec(CARD, namespace)  # noqa: S102
    return str(namespace["model_card"](None, command))
