"""The one way hpsearch reads a YAML file a person wrote (a space file, a params file to
queue): PyYAML's safe loader, with numbers read as YAML 1.2 reads them."""

from __future__ import annotations

import re
from typing import Any

import yaml


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, which follows YAML 1.1: there ``1e-3`` is text, since a float
    needs a dot and a signed exponent (``1.0e-3``). YAML 1.2, and everyone writing a learning
    rate, reads it as a number: so does this loader (``1e-3``, ``1E5``, ``2e+2``)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                   |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
                   |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                   |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                   |[-+]?\.(?:inf|Inf|INF)
                   |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))


def read_yaml(text: str) -> Any:
    """The document ``text`` holds, numbers as YAML 1.2 reads them; raises ``yaml.YAMLError``
    where it is not YAML."""
    return yaml.load(text, Loader=_Loader)
