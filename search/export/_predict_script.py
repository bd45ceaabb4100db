"""The prediction script written beside an exported model (``predict.py``): texts in, each
text's label(s) and class probabilities out as JSON Lines, with the thresholds of labels.json.
Rendered from ``predict.py.j2``; its decisions are the source of the functions ``hpsearch
predict`` decides with (``search.metrics.PREDICT_FUNCTIONS``), so the two label alike."""

from __future__ import annotations

import inspect

from search.export._templates import render
from search.metrics import PREDICT_FUNCTIONS

PREDICT_SCRIPT = "predict.py"


def predict_script() -> str:
    """The text of ``predict.py``."""
    return render("predict.py.j2", functions="\n\n".join(
        inspect.getsource(function) for function in PREDICT_FUNCTIONS).rstrip("\n"))
