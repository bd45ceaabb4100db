"""``hpsearch predict``: a file's texts labelled by a kept model, a batch at a time, into a table
with a row per text in the file's order: its label (``labels``, joined by the label separator,
for multi-label) and a probability column per class (``prob_<class>``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from search._paths import refuse_to_replace
from search.data import text_chunks
from search.options import DataOptions, PredictOptions, refuse_unknown
from search.predict._classifier import TextClassifier, load_model, model_folder, read_labels
from search.predict._writers import check_output, prediction_writer
from spaces import Task

log = logging.getLogger("hpsearch")

PROB_PREFIX = "prob_"  # the probability columns: prob_<class>
_DATA = DataOptions()  # the defaults of --text-col and --label-sep


@dataclass(frozen=True)
class Predicted:
    """What ``predict_file`` did: rows labelled, where they went (None: standard output), how
    many texts were empty, and the seconds it took."""

    rows: int
    out: Path | None
    empty_texts: int
    seconds: float


def prediction_columns(classifier: TextClassifier) -> list[str]:
    """The columns of the predictions: the label column, then one probability per class."""
    label = "labels" if classifier.task is Task.MULTILABEL else "label"
    return [label, *(PROB_PREFIX + c for c in classifier.classes)]


def prediction_frame(classifier: TextClassifier, texts: list[str], label_sep: str,
                     ) -> pd.DataFrame:
    """The predictions of ``texts``: a row each, the columns of ``prediction_columns``."""
    chosen, probs = classifier.decide(classifier.outputs(texts))
    columns = prediction_columns(classifier)
    if classifier.task is Task.MULTILABEL:
        chosen = [label_sep.join(labels) for labels in chosen]
    frame = pd.DataFrame(probs, columns=columns[1:])
    frame.insert(0, columns[0], pd.Series(chosen, dtype=object))
    return frame


def predict_file(model: str | Path | TextClassifier, data: str | Path, *,
                 text_col: str = _DATA.text_col, label_sep: str = _DATA.label_sep,
                 predict_options: PredictOptions | None = None,
                 progress: Callable[[int], None] | None = None,
                 stdin: TextIO | None = None, stdout: TextIO | None = None,
                 **options: object) -> Predicted:
    """Label every text of ``data`` (a file in any format ``create`` reads, or ``-`` for
    standard input) with the model of the folder ``model`` (or a loaded one), and write the
    predictions to ``out`` (its suffix gives the format) or CSV on standard output.

    Reads, labels and writes ``batch_size`` texts at a time, so memory holds one batch, and
    calls ``progress`` with the rows done after each. ``text_col`` and ``label_sep`` (which
    joins a multi-label row's labels) are the data options of that name (no label column:
    the texts are all it reads); the others come as a group or as keywords named like its
    fields (``out=``, ``batch_size=``)."""
    keywords = dict(options)
    predict_options = (predict_options or PredictOptions()).take(keywords)
    refuse_unknown(keywords, PredictOptions)
    started = time.monotonic()
    out, size = predict_options.out, predict_options.batch_size
    # What can be refused is, before TensorFlow loads: the model folder, the output, the data.
    if not isinstance(model, TextClassifier):
        read_labels(model_folder(model))
    check_output(out)
    if out is not None:
        refuse_to_replace([out], "Predictions file (--out)", force=predict_options.force)
    chunks = text_chunks(data, text_col, size, stdin=stdin)
    classifier = model if isinstance(model, TextClassifier) else load_model(
        model, batch_size=size)
    rows = empty = 0
    with prediction_writer(out, stdout) as write:
        for texts in chunks:
            write(prediction_frame(classifier, texts, label_sep))
            rows += len(texts)
            empty += sum(1 for text in texts if not text.strip())
            if progress is not None:
                progress(rows)
        if not rows:  # the header (and a Parquet file's schema) all the same
            write(prediction_frame(classifier, [], label_sep))
    if empty:
        log.warning("%d of %d texts were blank (or a missing cell): their predictions "
                    "are the model's for an empty text", empty, rows)
    return Predicted(rows, out, empty, time.monotonic() - started)


class ProgressLines:
    """A ``progress`` for ``predict_file`` that logs the rows done and the rate, at most once
    every ``every`` seconds (none for a run shorter than that). ``clock`` is passed in so that
    tests need no real time."""

    def __init__(self, every: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 say: Callable[[str], None] | None = None):
        self.every, self.clock = every, clock
        self.say = say or (lambda line: log.info("%s", line))
        self.started = self.last = clock()

    def __call__(self, rows: int) -> None:
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        rate = rows / max(now - self.started, 1e-9)
        self.say(f"{rows:,} texts labelled ({rate:,.0f} a second)")
