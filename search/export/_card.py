"""The model card (README.md beside model.keras), as code the exported script prints and
``hpsearch export --model`` runs: one card, whichever way the model was made."""

from __future__ import annotations

from typing import Any

CARD = '''\
def model_card(scores, command):
    \"\"\"README.md of the saved model: what it is, where it comes from, how it scored.\"\"\"
    info = STUDY["info"]
    columns = {**({"this model": scores} if scores else {}), "the trial": TRIAL,
               **info["baselines"]}
    lines = [f"# {info['description']}", "", f"hpsearch study `{info['study']}`, trial "
             f"{info['trial']}, data `{info['data_file']}` (fingerprint "
             f"`{info['data_fingerprint'][:16]}`); made by `{command}`. Raw strings in, "
             "probabilities out; labels.json holds the classes and thresholds.", "",
             "| metric | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    lines += [f"| {k} | " + " | ".join(f"{c.get(k, float('nan')):.4f}" for c in columns.values())
              + " |" for k in TRIAL]
    lines += ["", "| class | precision | recall | F1 | rows |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
              f"{m['support']} |" for c, m in (scores or info)["per_class"].items()]
    return "\\n".join([*lines, "", "```json", json.dumps(info["params"], indent=2), "```", ""])
'''


def render_card(info: dict[str, Any], trial: dict[str, Any], command: str) -> str:
    """The card of a saved trial (``export --model``), by the code the script prints."""
    import json

    namespace: dict[str, Any] = {"STUDY": {"info": info}, "TRIAL": trial, "json": json}
    exec(CARD, namespace)  # noqa: S102
    return str(namespace["model_card"](None, command))
