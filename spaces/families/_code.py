"""Writing a network as Keras code: lines wrapped to the script's width, the sizes a network
needs from the data, and the helper functions the code may call.

Pure Python: it writes code, it imports no Keras.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

WIDTH = 100
# Functions of ``spaces.model`` a network's code may call: the trial runs them, and the
# exported script prints the source of those its network calls.
HELPERS = ("token_mask", "masked_mean", "masked_max")


@dataclass(frozen=True)
class Dims:
    """Sizes a network needs from the data: outputs, word ids, columns of the n-gram bag."""

    n_outputs: int
    word_vocab: int = 0
    bag_width: int = 0


class Code:
    """Lines of a function body, each indented once and wrapped to ``WIDTH`` columns."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        self.lines.extend(_wrapped(f"    {line}") if line else [""])

    def docstring(self, text: str) -> None:
        """``text`` as the function's docstring, wrapped to the width."""
        lines = textwrap.wrap(text, WIDTH - 10, break_on_hyphens=False)
        if len(lines) == 1:
            self.lines.append(f'    """{lines[0]}"""')
            return
        self.lines.extend([f'    """{lines[0]}', *(f"    {line}" for line in lines[1:]),
                           '    """'])

    def text(self) -> str:
        return "\n".join(self.lines)


def _wrapped(line: str) -> list[str]:
    """A long comment wrapped at spaces; a long call split after its commas, continued under
    its first open parenthesis."""
    if len(line) <= WIDTH:
        return [line]
    if line.lstrip().startswith("#"):
        indent = line[:len(line) - len(line.lstrip())] + "# "
        return textwrap.wrap(line.lstrip()[2:], WIDTH, initial_indent=indent,
                             subsequent_indent=indent)
    if "(" not in line:
        return [line]
    hang = " " * (line.index("(") + 1)
    lines, current = [], ""
    for piece in line.split(", "):
        candidate = f"{current}, {piece}" if current else piece
        if current and len(candidate) + 1 > WIDTH:
            lines.append(current + ",")
            candidate = hang + piece
        current = candidate
    return [*lines, current]


def helpers_called(code: str) -> tuple[str, ...]:
    """The helper functions ``code`` calls."""
    return tuple(name for name in HELPERS if f"{name}(" in code)


def dense_head(code: Code, params: dict[str, Any], dims: Dims, x: str = "x") -> None:
    """The dense layers after a family's features, then one logit per output."""
    for _ in range(params["dense_layers"]):
        code(f'{x} = layers.Dense({params["dense_units"]}, activation="relu")({x})')
        code(f'{x} = layers.Dropout({params["dropout"]!r})({x})')
    code("# Logits stay float32 under mixed precision.")
    code(f'logits = layers.Dense({dims.n_outputs}, dtype="float32", name="logits")({x})')
