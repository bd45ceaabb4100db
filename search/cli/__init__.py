"""The ``hpsearch`` command: a thin layer over the library, one module per kind of command.

Importing it loads typer, rich and the option groups; each command imports the library it
needs when it runs. May import every package of ``search``, and ``storage`` and ``spaces``.
"""

from search.cli import _change, _study, _use, _views, _work  # noqa: F401  (they register commands)
from search.cli._app import app, main, setup_logging

__all__ = ["app", "main", "setup_logging"]
