"""Running an exported script as a user without hpsearch would: in this process (its module
loaded from the file, hpsearch's packages made unimportable while it runs), or in a fresh
interpreter, which also proves the script needs nothing this process had loaded.
TensorFlow's start costs seconds a process, so most tests run scripts here;
tests/search/export/test_end_to_end.py runs one in a fresh interpreter."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

HPSEARCH = ("search", "spaces", "storage")

# Runs the script with hpsearch's packages made unimportable, as in an environment without it.
WITHOUT_HPSEARCH = (
    "import runpy, sys\n"
    f"for name in {HPSEARCH!r}:\n"
    "    sys.modules[name] = None\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


@contextlib.contextmanager
def without_hpsearch(argv: list[str]) -> Iterator[None]:
    """``import search`` (and the others) fails inside, as it would where hpsearch is not
    installed, and ``sys.argv`` is the script's; both are put back on leaving."""
    saved = {name: sys.modules.get(name) for name in HPSEARCH}
    saved_argv = sys.argv
    sys.modules.update(dict.fromkeys(HPSEARCH))
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved_argv
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def load_script(path: Path) -> ModuleType:
    """The script as a module (its top level run, ``main`` not called)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    with without_hpsearch([str(path)]):
        spec.loader.exec_module(module)
    return module


def call_main(script: Path, *args: str, cwd: Path | None = None) -> str:
    """What ``python SCRIPT ARGS`` prints, its ``main`` run in this process in ``cwd`` (the
    script's folder by default). A refusal raises ``SystemExit`` as it would end the program."""
    module = load_script(script)
    out = io.StringIO()
    with without_hpsearch([str(script), *args]), contextlib.redirect_stdout(out), \
            contextlib.chdir(cwd or script.parent):
        module.main(list(args))
    return out.getvalue()


def run_script(script: Path, *args: str) -> dict[str, float]:
    """The validation metrics the script prints for its model (it must succeed), run here."""
    return printed_metrics(call_main(script, *args))


def run_script_in_new_process(script: Path, *args: str, then: str = "") -> str:
    """What ``python SCRIPT ARGS`` prints in a fresh interpreter (it must succeed), then what
    the Python code ``then`` prints, run in that interpreter after the script (TensorFlow's
    start is paid once)."""
    run = subprocess.run([sys.executable, "-c", WITHOUT_HPSEARCH + then, str(script), *args],
                         capture_output=True, text=True, timeout=600, cwd=script.parent)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def printed_metrics(printed: str) -> dict[str, float]:
    line = next(x for x in printed.splitlines() if x.startswith("this model"))
    return {k: float(v) for k, v in re.findall(r"(\w+) (-?\d+\.\d+)", line)}


def imported_modules(source: str) -> set[str]:
    """The top-level modules a script's source imports."""
    import ast

    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    return imported
