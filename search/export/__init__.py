"""A trial as a standalone training script (``export_script``), or the study's best model as
it was scored (``export_model``: its ensemble when one beat the best trial, else a kept
trial's model), each with its model card (``model_card.md.j2``: YAML front matter for model
hubs, intended use, limitations, how to load it, the metrics); beside the model, ``predict.py``
(``predict.py.j2``), which labels texts with it and needs no hpsearch, and ``saved_model/1``,
the model and its decisions as a SavedModel for TensorFlow Serving (``_saved_model.py``).

One export path: the script is rendered from ``train_script.py.j2`` with the trial's literal
values; its network is the code the trial ran, its batching, solver, losses and scoring the
source of the very functions hpsearch runs, and its featurizing the Keras layers saved beside
it (``search.training.inputs_model_bytes``, which loads TensorFlow). May import
``search.metrics``, ``search.study``, ``search.training``, ``storage`` and ``spaces``.
"""

from search.export._export import export_model, export_script

__all__ = ["export_model", "export_script"]
