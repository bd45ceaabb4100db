"""What a model family is: its space keys, how it samples them, what it reads, its network
as code, its one-line description and its starting points, in one place (as a KerasTuner
``HyperModel`` holds its space and its builder). Each family is one file; the registry in
``spaces.families`` lists them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from spaces.families._code import Code, Dims
from spaces.features import BagSetting
from spaces.keys import Key

# Samples one key of the space by name, as the trial names it.
Pick = Callable[[str], Any]


@dataclass(frozen=True)
class SampleContext:
    """What sampling may depend on besides the space: pre-trained word vectors, and a way to
    sample a key under another name (a conditional choice with fewer options)."""

    pretrained_embeddings: bool = False
    pick_as: Callable[[str, str, tuple[Any, ...]], Any] = field(
        default=lambda key, name, choices: choices[0])


@dataclass(frozen=True)
class SolveScript:
    """A solved family's part of the exported script: its solving function, printed as
    written, and the call of it with one trial's values."""

    function: Callable[..., Any]
    call: str


@dataclass(frozen=True)
class StartingPoint:
    """A known-good configuration queued as one of a study's first trials, before ``rank``'s
    higher ones; ``name`` is recorded on the trial (the expert's model is ``expert``)."""

    name: str
    rank: int
    params: dict[str, Any]


class Family(ABC):
    """One kind of model. Subclasses set the class attributes and write the four methods."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one line: the help of the `family` key
    keys: ClassVar[dict[str, Key]] = {}  # the space keys it samples (shared keys included)
    reads: ClassVar[tuple[str, ...]]  # the network's inputs: "ngrams" (the bag), "words"
    starting_points: ClassVar[tuple[StartingPoint, ...]] = ()
    # A log-scale key worth walking from the family's best trial (the search queues its
    # neighbours along it, the rest of the trial's settings kept): the linear family's C.
    walked: ClassVar[str | None] = None

    @abstractmethod
    def sample(self, pick: Pick, params: dict[str, Any], context: SampleContext) -> None:
        """Add this family's params to ``params``, sampling only the keys that apply."""

    def has_head(self, params: dict[str, Any]) -> bool:
        """Whether the network ends in the dense head (dropout, dense layers) before its
        logits; a linear model does not."""
        return True

    def bag(self, params: dict[str, Any]) -> BagSetting | None:
        """The n-gram bag the network reads, if it reads one."""
        return None

    @abstractmethod
    def network(self, code: Code, params: dict[str, Any], dims: Dims) -> None:
        """Write the lines that turn this family's inputs into ``logits``."""

    @property
    def solver(self) -> bool:
        """Whether it is fitted in one step by its own ``solve``, not epoch by epoch."""
        return type(self).solve is not Family.solve

    def solve(self, params: dict[str, Any], x: Any, targets: Any, sample_weight: Any,
              positive_weight: list[float] | None, *, seed: int,
              stop: Callable[[int], Exception | None] | None = None) -> tuple[Any, Any, int]:
        """A family fitted in one step solves its logits' weights here, one-vs-rest: a column
        of ``targets`` (0/1) per output, on the sparse bag ``x``, rows weighted by
        ``sample_weight`` and each column's positives by ``positive_weight``. Returns (kernel
        of shape (features, columns), bias, how many columns did not converge). ``stop(columns
        done)`` may return an exception: then no further column starts, and it is raised."""
        raise NotImplementedError(f"the {self.name} family is trained epoch by epoch")

    def solve_script(self, params: dict[str, Any]) -> SolveScript:
        """How the exported script solves this trial: the function ``solve`` runs, and the
        call of it with the trial's values, in the script's names (``x``, ``targets``,
        ``sample_weight``, ``positive``, ``SEED``)."""
        raise NotImplementedError(f"the {self.name} family is trained epoch by epoch")

    @abstractmethod
    def describe(self, params: dict[str, Any]) -> str:
        """The model in one line, as every view names it."""
