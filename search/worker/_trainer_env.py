"""Choosing the trainer of a worker process: TensorFlow, or a stand-in named in the environment.

``HPSEARCH_TRAINER=module:attribute`` is for tests and benchmarks: worker processes started by
them train nothing and run in milliseconds (see tests/scripted_trainer.py). The attribute is an
object with ``configure_devices``, ``validation_input``, ``fit`` and ``release`` (the interface
of ``search.training._trainer``), or a class whose no-argument instance is one.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from search._errors import HpsearchError

ENV_TRAINER = "HPSEARCH_TRAINER"


def trainer_from_env() -> Any | None:
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
    return found() if isinstance(found, type) else found
