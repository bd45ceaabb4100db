"""Compile the venv's installed modules, and the folders named, to bytecode on every core.

Packages' own test suites (folders named ``tests`` or ``test`` in site-packages) are skipped:
only those packages' own test runs import them, and they are a quarter of the source. (Where one
is imported all the same, Python compiles it then.) Compiled once, here: where
$PYTHONDONTWRITEBYTECODE is set, Python caches nothing it compiles on import (each process of the
tests would compile TensorFlow and the project again), and elsewhere the first processes would
each compile the same modules at once. (`python -m compileall -j 2` took 42 s for what this
takes 29 s here: it walks, checks and hands out one file at a time.)

    python .ci/compile.py search spaces storage tests
"""

from __future__ import annotations

import os
import py_compile
import sys
import sysconfig
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

SKIPPED_IN_SITE_PACKAGES = {"tests", "test", "__pycache__"}


def sources(root: str, skipped: set[str]) -> Iterator[str]:
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in skipped]
        yield from (os.path.join(folder, name) for name in names if name.endswith(".py"))


def compile_source(path: str) -> bool:
    # A file that does not compile (a template, an old Python 2 module) is left as it is.
    return py_compile.compile(path, quiet=2) is not None


def main(folders: list[str]) -> None:
    paths = list(sources(sysconfig.get_paths()["purelib"], SKIPPED_IN_SITE_PACKAGES))
    for folder in folders:
        paths += sources(folder, {"__pycache__"})
    paths.sort(key=os.path.getsize, reverse=True)  # the largest first: the cores end together
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with ProcessPoolExecutor(cores) as pool:
        compiled = sum(pool.map(compile_source, paths, chunksize=32))
    print(f"compiled {compiled} of {len(paths)} modules to bytecode")


if __name__ == "__main__":
    main(sys.argv[1:])
