"""Running an exported script as a user without hpsearch would."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# Runs the script with hpsearch's packages made unimportable, as in an environment without it.
WITHOUT_HPSEARCH = (
    "import runpy, sys\n"
    "for name in ('search', 'spaces', 'storage'):\n"
    "    sys.modules[name] = None\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def run_script(script: Path, *args: str) -> dict[str, float]:
    """The validation metrics the script prints for its model (it must succeed)."""
    run = subprocess.run([sys.executable, "-c", WITHOUT_HPSEARCH, str(script), *args],
                         capture_output=True, text=True, timeout=600, cwd=script.parent)
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(x for x in run.stdout.splitlines() if x.startswith("this model"))
    return {k: float(v) for k, v in re.findall(r"(\w+) (-?\d+\.\d+)", line)}
