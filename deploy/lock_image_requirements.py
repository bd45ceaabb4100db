"""Write deploy/image-requirements.txt: the exact versions the Docker image installs.

The image installs these pins first (one cached layer of about 5 GB, CUDA wheels included) and
then hpsearch itself with ``--no-deps``, so a rebuild gets the same TensorFlow, Keras, Optuna
and CUDA libraries until this file is regenerated. The pins are pip's own resolution of
pyproject.toml's dependencies plus the ``gpu`` extra, made on Linux x86_64 with the image's
Python version, so they are what ``pip install '.[gpu]'`` would pick there today.

Run ``make image-lock`` (or ``python deploy/lock_image_requirements.py``) after changing a
dependency in pyproject.toml; tests/test_pins.py fails while the two disagree.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "deploy" / "image-requirements.txt"
EXTRA = "gpu"


def image_python() -> str:
    """The ``X.Y`` of the image's ``FROM python:X.Y-...`` line."""
    found = re.search(r"^FROM\s+python:(\d+\.\d+)", (REPO / "Dockerfile").read_text(), re.M)
    if found is None:
        raise SystemExit("Dockerfile: no `FROM python:X.Y...` line, so no Python to lock for.")
    return found.group(1)


def requirements() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"][EXTRA]]


def resolve(reqs: list[str]) -> dict[str, str]:
    """pip's resolution of ``reqs`` for this interpreter: {name: version}."""
    with tempfile.TemporaryDirectory() as tmp:
        req_file, report = Path(tmp, "requirements.txt"), Path(tmp, "report.json")
        req_file.write_text("\n".join(reqs) + "\n")
        subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                        "--ignore-installed", "--report", str(report), "-r", str(req_file)],
                       check=True)
        installs = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
            for item in installs}


def main() -> None:
    wanted = image_python()
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if (sys.platform, platform.machine(), here) != ("linux", "x86_64", wanted):
        raise SystemExit(f"The image is Linux x86_64 with Python {wanted}; this is "
                         f"{sys.platform} {platform.machine()} with Python {here}. Run this "
                         f"where they match (CI, or a python:{wanted} container), so the "
                         "environment markers resolve as in the image.")
    pins = resolve(requirements())
    header = ("# The exact versions the Docker image installs (then hpsearch with --no-deps).\n"
              f"# pip's resolution of pyproject.toml's dependencies and the `{EXTRA}` extra for\n"
              f"# Linux x86_64, Python {wanted}. Regenerate: make image-lock\n")
    LOCK.write_text(header + "".join(f"{name}=={pins[name]}\n" for name in sorted(pins)))
    print(f"wrote {len(pins)} pins to {LOCK.relative_to(REPO)}")


if __name__ == "__main__":
    main()
