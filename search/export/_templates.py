"""The export's Jinja2 templates (the script, the model card), rendered as text: no
autoescaping (neither is HTML), every name given or an error (``StrictUndefined``)."""

from __future__ import annotations

import pprint
import textwrap
from typing import Any

import jinja2


def pyrepr(value: Any, indent: int = 0) -> str:
    """A Python literal, wrapped to fit 100 columns after ``indent`` characters; a dict of
    scores reads as one line of four decimals where it fits."""
    if isinstance(value, dict) and all(isinstance(v, float) for v in value.values()):
        text = "{" + ", ".join(f"{k!r}: {v:.4f}" for k, v in value.items()) + "}"
        return textwrap.fill(text, 96 - indent, subsequent_indent=" " * (indent + 1),
                             break_long_words=False, break_on_hyphens=False)
    text = pprint.pformat(value, width=96 - indent, compact=True, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def render(template: str, **context: Any) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("search.export", "."),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["pyrepr"] = pyrepr
    env.filters["wrap"] = lambda text: textwrap.fill(text, 96)
    return env.get_template(template).render(**context)
