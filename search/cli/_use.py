"""Commands that put an exported model to use, with no study: ``predict`` and ``evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from search.cli._app import app
from search.cli._console import console, err_console
from search.cli._options import JsonOpt, grouped_options, option_of
from search.options import DataOptions, InputFiles, PredictOptions

ModelOpt = Annotated[Path, option_of(InputFiles, "model")]
TextColOpt = Annotated[str, option_of(DataOptions, "text_col")]
LabelColOpt = Annotated[str, option_of(DataOptions, "label_col")]
LabelSepOpt = Annotated[str, option_of(DataOptions, "label_sep")]
DropInvalidOpt = Annotated[bool, option_of(DataOptions, "drop_invalid")]
_DATA = DataOptions()


@app.command()
@grouped_options()
def predict(model: ModelOpt,
            data: Annotated[Path, option_of(InputFiles, "data", "predict")],
            text_col: TextColOpt = _DATA.text_col, label_sep: LabelSepOpt = _DATA.label_sep,
            *, options: PredictOptions) -> None:
    """Label the texts of a file with an exported model: a row per text, in order, with its
    label (labels, joined by --label-sep, for multi-label) and a probability per class
    (prob_<class>), the thresholds of labels.json applied."""
    from search.predict import ProgressLines, predict_file

    done = predict_file(model, data, text_col=text_col, label_sep=label_sep,
                        predict_options=options, progress=ProgressLines())
    if done.out is not None:
        console.print(f"wrote {done.rows} prediction(s) to {done.out} "
                      f"({done.seconds:.1f} s)", highlight=False)
    else:
        err_console.print(f"{done.rows} prediction(s) written ({done.seconds:.1f} s)",
                          highlight=False)


@app.command()
def evaluate(model: ModelOpt,
             data: Annotated[Path, option_of(InputFiles, "data", "evaluate")],
             text_col: TextColOpt = _DATA.text_col, label_col: LabelColOpt = _DATA.label_col,
             label_sep: LabelSepOpt = _DATA.label_sep,
             drop_invalid: DropInvalidOpt = _DATA.drop_invalid,
             batch_size: Annotated[int, option_of(PredictOptions, "batch_size", "evaluate")] =
             PredictOptions().batch_size,
             as_json: JsonOpt = False) -> None:
    """Score an exported model on labelled rows, with the study's metrics at the thresholds of
    its labels.json: headline metrics, per-class precision, recall and F1, and the most
    confused classes (multi-class)."""
    from search.predict import evaluate_model

    found = evaluate_model(model, data, text_col=text_col, label_col=label_col,
                           label_sep=label_sep, drop_invalid=drop_invalid,
                           batch_size=batch_size)
    if as_json:
        print(json.dumps(found.to_dict(), indent=2))
        return
    console.print(found.heading(), highlight=False)
    for table in found.tables():
        console.print(table)
