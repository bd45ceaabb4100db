"""Names a package exports but loads only on first use (module ``__getattr__``, PEP 562), so
that importing the package stays cheap: the CLI's ``--help`` must not load heavy libraries."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_names(package: str, sources: dict[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A ``__getattr__`` for ``package`` that imports ``module`` when one of the names
    ``sources[module]`` is first asked for."""
    source = {name: module for module, names in sources.items() for name in names}

    def __getattr__(name: str) -> object:
        if name not in source:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(source[name]), name)

    return __getattr__
