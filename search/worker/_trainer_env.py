"""Choosing the trainer of a worker process: TensorFlow, or a stand-in named in the environment.

``HPSEARCH_TRAINER=module:attribute`` is for tests and benchmarks: worker processes started by
them train nothing and run in milliseconds (see tests/scripted_trainer.py). The attribute is an
object that satisfies ``search.training.Trainer``, or a class whose no-argument instance
does.
"""

from __future__ import annotations

import importlib
import os

from search._errors import HpsearchError
from search.training import Trainer

ENV_TRAINER = "HPSEARCH_TRAINER"


def trainer_from_env() -> Trainer | None:
    """The trainer named by ``$HPSEARCH_TRAINER``, or None (use TensorFlow)."""
    spec = os.environ.get(ENV_TRAINER, "").strip()
    if not spec:
        return None
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise HpsearchError(f"${ENV_TRAINER} must read 'module:attribute', but got {spec!r}. "
                            f"Unset it to train with TensorFlow.")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HpsearchError(f"${ENV_TRAINER}={spec!r}: cannot import {module_name!r} ({exc}). "
                            "Run from the directory that holds it, or fix the name.") from None
    found = getattr(module, attribute, None)
    if found is None:
        raise HpsearchError(f"${ENV_TRAINER}={spec!r}: module {module_name!r} has no "
                            f"attribute {attribute!r}.")
    trainer = found() if isinstance(found, type) else found
    if not isinstance(trainer, Trainer):
        missing = [name for name in ("configure_devices", "prepare", "fit", "saved_model",
                                     "release")
                   if not callable(getattr(trainer, name, None))]
        raise HpsearchError(f"${ENV_TRAINER}={spec!r} is not a trainer: it lacks "
                            f"{', '.join(missing)} (see search.training.Trainer).")
    return trainer
