"""Names a subpackage of ``spaces`` exports but imports on first use (PEP 562), so that
importing ``spaces`` loads neither TensorFlow nor Keras."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def on_first_use(package: str, modules: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` that imports ``package.modules[name]`` when
    ``name`` is first asked for."""

    def __getattr__(name: str) -> object:
        if name not in modules:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{modules[name]}"), name)

    return __getattr__
