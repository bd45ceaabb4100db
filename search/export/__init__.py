"""A trial as a standalone training script (``export_script``), or as its own trained model
(``export_model``).

The script is rendered from ``train_script.py.j2`` with the trial's literal values; the code it
prints for the network and loss comes from ``spaces`` (the same text that built the trial's
network), and its reading, split and evaluation from ``_parts.py``. Exporting starts without
TensorFlow. May import ``search.data``, ``search.metrics``, ``search.study``, ``storage`` and
``spaces``.
"""

from search.export._export import export_model, export_script

__all__ = ["export_model", "export_script"]
