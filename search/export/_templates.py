"""The export's Jinja2 templates (the script, the model card), rendered as text: no
autoescaping (neither is HTML), every name given or an error (``StrictUndefined``)."""

from __future__ import annotations

import pprint
import textwrap
from typing import Any

import jinja2


def pyrepr(value: Any, indent: int = 0) -> str:
    """A Python literal, wrapped to fit 100 columns after ``indent`` characters; a dict of
    scores reads as one line of four decimals where it fits, a dict of plain values (a
    trial's params) as few lines as they fit."""
    if isinstance(value, dict) and all(isinstance(v, float) for v in value.values()):
        return _flowing([f"{k!r}: {v:.4f}" for k, v in value.items()], indent)
    if isinstance(value, dict) and all(isinstance(v, str | int | float | None)
                                       for v in value.values()):
        return _flowing([f"{k!r}: {v!r}" for k, v in value.items()], indent)
    text = pprint.pformat(value, width=96 - indent, compact=True, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def _flowing(items: list[str], indent: int) -> str:
    """``{item, item, ...}`` wrapped between items (never inside one) to fit 96 columns
    after ``indent`` characters."""
    lines, line = [], "{"
    for i, item in enumerate(items):
        item += "}" if i == len(items) - 1 else ","
        if len(line) > 1 and indent + len(line) + 1 + len(item) > 96:
            lines.append(line)
            line = " " * (indent + 1) + item
        else:
            line += ("" if line.endswith("{") else " ") + item
    return "\n".join([*lines, line if items else "{}"])


def render(template: str, **context: Any) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("search.export", "."),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["pyrepr"] = pyrepr
    env.filters["wrap"] = lambda text: textwrap.fill(text, 96)
    return env.get_template(template).render(**context)
