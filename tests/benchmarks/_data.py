"""Data for the benchmarks: a CSV given on the command line, or generated."""

from __future__ import annotations

from pathlib import Path

from search.data._sample import write_sample
from spaces import Task


def benchmark_data(path: str | None, workdir: Path, rows: int = 4000) -> Path:
    if path:
        return Path(path)
    return write_sample(workdir / "bench.csv", task=Task.MULTICLASS, rows=rows, classes=20,
                        signal=0.15, seed=7)
