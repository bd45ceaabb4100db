"""docs/examples/: what `hpsearch export --out` writes, made from the code so that the examples
cannot drift from it. Three small generated studies (seeded, no download), one trial each, a
starting point of the search: the expert's linear model (multi-class, a solver), the TF-IDF +
logistic regression baseline (multi-label, a solver) and the n-gram MLP (multi-class, trained by
Keras). Each trial's facts (its metrics, thresholds, best epoch, logit scale) are those its
run recorded, kept in docs/examples/trials.json; everything else in a script is rendered now.

    python -m tests.examples           # the scripts again, from trials.json (after a change to
                                       # the template or to a function the scripts print)
    python -m tests.examples --train   # the trials again too (TensorFlow; a minute)

tests/search/export/test_examples.py checks that docs/examples/ is what this writes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search import create_study, enqueue_params, run_worker
from search.data import sample_frame
from search.export._script import script_files
from search.study import TrialSummary, load_data, open_study, summarize_trial
from spaces import Task, starting_points

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "docs" / "examples"
FACTS = FOLDER / "trials.json"
STUDY = "example"
# What a trial's summary holds that the script prints.
FACT_KEYS = ("number", "params", "metrics", "best_epoch", "thresholds", "logit_scale")


@dataclass(frozen=True)
class Example:
    name: str  # the script's file name, without .py
    task: Task
    classes: int
    start: str  # the name of the starting point it trains
    what: str  # the table's line

    def csv(self, folder: Path) -> Path:
        path = folder / f"{self.name}.csv"
        frame = sample_frame(task=self.task, rows=1200, classes=self.classes, seed=7,
                             signal=0.125)
        frame.to_csv(path, index=False)
        return path


EXAMPLES = (
    Example("multiclass_train_best", Task.MULTICLASS, 6, "expert",
            "the expert's model: LinearSVC (C 1, balanced) on tf-idf words 1-2 and characters "
            "2-5"),
    Example("multilabel_train_best", Task.MULTILABEL, 5, "TF-IDF + LR",
            "the TF-IDF + LR baseline: logistic regression (C 4) on tf-idf words 1-2"),
    Example("ngram_train_trial", Task.MULTICLASS, 6, "n-gram MLP",
            "the n-gram MLP: 256 units on tf-idf words and characters 2-5, trained by Keras"),
)


def study(example: Example, folder: Path) -> str:
    """The example's study, created in ``folder`` (no trial); its storage URL."""
    url = f"sqlite:///{folder / example.name}.db"
    create_study(STUDY, example.csv(folder), storage_url=url, max_epochs=3, start_points=False)
    return url


def start_params(url: str, example: Example) -> dict[str, Any]:
    """The example's starting point, moved into its study's space as the search queues it."""
    _, config = open_study(STUDY, url)
    return next(params for name, params in starting_points(config.parsed_space(), config.task)
                if name == example.start)


def train(example: Example, url: str) -> dict[str, Any]:
    """The facts of the example's trial, run now."""
    enqueue_params(STUDY, start_params(url, example), url)
    run_worker(STUDY, url, n_trials=1)
    found, config = open_study(STUDY, url)
    summary = summarize_trial(found.trials[0], config).to_dict()
    return {key: summary[key] for key in FACT_KEYS}


def script(example: Example, url: str, facts: dict[str, Any]) -> str:
    """What `hpsearch export --out NAME.py` writes for a trial of these facts."""
    found, config = open_study(STUDY, url)
    trial = TrialSummary(state="COMPLETE", value=None, epochs_run=None, duration_s=None,
                         worker=None, gpu=None, **facts)
    out = Path(f"{example.name}.py")
    return script_files(STUDY, config, trial, load_data(found, config), out).script


def markdown(example: Example, text: str) -> str:
    return (f"# `{example.name}.py`\n\nAs `hpsearch export` wrote it (see [README.md](README.md)"
            "); kept as Markdown, since it is output, not source of this project.\n\n"
            f"```python\n{text}```\n")


def readme(scripts: dict[str, str]) -> str:
    rows = "\n".join(
        f"| [`{e.name}.py`]({e.name}.md) | {e.task.value}, {e.classes} "
        f"{'labels' if e.task is Task.MULTILABEL else 'classes'} | {e.what} | "
        f"{len(scripts[e.name].splitlines())} |" for e in EXAMPLES)
    return f"""# Exported training scripts

What `hpsearch export --study S --out train_best.py` writes, for one trial of each of three
small generated studies (1,200 rows of `search.data.sample_frame`, seed 7, topic words an
eighth of each text): a starting point of the search each.

| script | task | the model | lines |
|---|---|---|---:|
{rows}

Each script holds what the trial is (its network as Keras code, or its solver, its loss, its
params, metrics and thresholds) and the functions that weigh its classes, draw its batches and
score it, the very ones hpsearch runs. It was written beside three files it reads and which are
not kept in this folder: `<name>.rows.jsonl` (the study's rows as hpsearch read them, and which
rows validate), `<name>.inputs.keras` (the study's featurizing layers: the vocabularies fitted at
`create`, raw strings in) and `<name>.card.md` (the model card's template). To run one, export
your own study.

They are made from the code, not kept by hand: `python -m tests.examples` writes them again
(the trials' recorded facts are in `trials.json`; `--train` runs the trials again), and
`tests/search/export/test_examples.py` fails when they differ from what `export` writes now.
Every generated script passes `ruff` with the project's settings and reproduces its trial's
validation metrics within 0.01 (`tests/search/export/test_export.py`). The scripts are kept
here as Markdown: they are hpsearch's output, and print some of its functions as they are.
"""


def documents(folder: Path, facts: dict[str, dict[str, Any]] | None = None,
              ) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Every file of docs/examples/ by name, made in ``folder``, and the trials' facts: those
    given, or the trials run now (``facts`` None)."""
    scripts, found = {}, {}
    for example in EXAMPLES:
        url = study(example, folder)
        found[example.name] = train(example, url) if facts is None else facts[example.name]
        scripts[example.name] = script(example, url, found[example.name])
    files = {f"{name}.md": markdown(e, scripts[name])
             for e in EXAMPLES for name in [e.name]}
    files["README.md"] = readme(scripts)
    return files, found


def recorded_facts() -> dict[str, dict[str, Any]]:
    facts: dict[str, dict[str, Any]] = json.loads(FACTS.read_text(encoding="utf-8"))
    return facts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", action="store_true",
                        help="run the trials again and record their facts in trials.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        files, facts = documents(Path(folder), None if args.train else recorded_facts())
    for name, text in files.items():
        (FOLDER / name).write_text(text, encoding="utf-8")
    FACTS.write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {', '.join(sorted(files))} and trials.json in {FOLDER}")


if __name__ == "__main__":
    main()
