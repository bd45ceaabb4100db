"""Write deploy/image-requirements.txt: the exact versions the Docker image installs, with hashes.

The image installs this file first with ``pip install --require-hashes`` (one cached layer of
about 5 GB, CUDA wheels included) and then hpsearch itself with ``--no-deps
--no-build-isolation``, so a rebuild gets the same TensorFlow, Keras, Optuna and CUDA libraries,
byte for byte, until this file is regenerated. The pins are pip's own resolution of
pyproject.toml's dependencies, the ``gpu`` extra and the build backend, made on Linux x86_64
with the image's Python version against PyPI alone (this machine's pip configuration, its extra
indexes, find-links and constraints, is ignored: the image's pip sees none of it), so they are
what ``pip install '.[gpu]'`` would pick in the image today.

Each pin lists the sha256 of every file of that release the image could install (its wheels for
CPython 3.11 on manylinux x86_64, pure-Python wheels, and the file pip chose here), read from
PyPI's JSON index (PEP 691). In hash-checking mode pip in the image keeps only files whose hash
is listed, and fails the build on any other.

Run ``make image-lock`` (or ``python deploy/lock_image_requirements.py``) after changing a
dependency in pyproject.toml; tests/test_pins.py fails while the two disagree.
"""

from __future__ import annotations

import json
import os
import platform
import re
import ssl
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "deploy" / "image-requirements.txt"
EXTRA = "gpu"
INDEX = "https://pypi.org/simple"
INDEX_JSON = "application/vnd.pypi.simple.v1+json"
# Environment variables that say how pip reaches the network, kept; every other PIP_* variable
# (an index, find-links, constraints) would change what gets resolved, and is dropped.
TRANSPORT_VARS = {"PIP_CERT", "PIP_CLIENT_CERT", "PIP_PROXY", "PIP_TRUSTED_HOST",
                  "PIP_TIMEOUT", "PIP_DEFAULT_TIMEOUT", "PIP_RETRIES"}


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    sha256: tuple[str, ...]

    def lines(self) -> str:
        hashes = "".join(f" \\\n    --hash=sha256:{digest}" for digest in self.sha256)
        return f"{self.name}=={self.version}{hashes}\n"


def image_tags(python: str) -> frozenset[Tag]:
    """The wheel tags CPython ``python`` accepts on glibc Linux x86_64, for any glibc: a wheel
    needing a newer glibc than the base has is never chosen, so listing its hash allows nothing
    the image could install instead."""
    version = tuple(int(part) for part in python.split("."))
    platforms = [*(f"manylinux_2_{minor}_x86_64" for minor in range(99, 4, -1)),
                 "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    return frozenset([*cpython_tags(version, platforms=platforms),
                      *compatible_tags(version, f"cp{version[0]}{version[1]}", platforms)])


def image_python() -> str:
    """The ``X.Y`` of the image's ``FROM python:X.Y-...`` line."""
    found = re.search(r"^FROM\s+python:(\d+\.\d+)", (REPO / "Dockerfile").read_text(), re.M)
    if found is None:
        raise SystemExit("Dockerfile: no `FROM python:X.Y...` line, so no Python to lock for.")
    return found.group(1)


def requirements() -> list[str]:
    """pyproject's dependencies, the image's extra, and the build backend the image's
    ``--no-build-isolation`` install of hpsearch uses."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    project = pyproject["project"]
    return [*project["dependencies"], *project["optional-dependencies"][EXTRA],
            *pyproject["build-system"]["requires"]]


def pip_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PIP_") or k in TRANSPORT_VARS}
    env["PIP_CONFIG_FILE"] = os.devnull  # pip then reads no configuration file at all
    return env


def release_hashes(name: str, version: str, tags: frozenset[Tag]) -> set[str]:
    """The sha256 of each wheel of ``name`` ``version`` on PyPI that has one of ``tags``."""
    request = urllib.request.Request(f"{INDEX}/{name}/", headers={"Accept": INDEX_JSON})
    context = ssl.create_default_context(cafile=os.environ.get("PIP_CERT"))
    with urllib.request.urlopen(request, timeout=60, context=context) as response:
        files = json.load(response)["files"]
    found = set()
    for file in files:
        try:
            _, file_version, _, file_tags = parse_wheel_filename(file["filename"])
        except InvalidWheelFilename:
            continue  # an sdist: pip builds it only when no wheel fits, and then chose it here
        if str(file_version) == version and file_tags & tags and "sha256" in file["hashes"]:
            found.add(file["hashes"]["sha256"])
    return found


def resolve(reqs: list[str], python: str) -> list[Pin]:
    """pip's resolution of ``reqs`` for this interpreter, from PyPI: each release's name,
    version and the sha256 of every file the image could install, sorted by name."""
    with tempfile.TemporaryDirectory() as tmp:
        req_file, report = Path(tmp, "requirements.txt"), Path(tmp, "report.json")
        req_file.write_text("\n".join(reqs) + "\n")
        subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                        "--ignore-installed", "--index-url", INDEX, "--report", str(report),
                        "-r", str(req_file)], check=True, env=pip_environment())
        installs = json.loads(report.read_text())["install"]
    tags = image_tags(python)
    pins = []
    for item in installs:
        name = item["metadata"]["name"].lower().replace("_", "-")
        version = item["metadata"]["version"]
        chosen = item["download_info"].get("archive_info", {}).get("hashes", {}).get("sha256")
        if chosen is None:
            raise SystemExit(f"pip chose {item['download_info']['url']} for {name}, which has "
                             "no sha256 to lock: every requirement must come from the index as "
                             "a file (no VCS or directory requirements in pyproject.toml).")
        hashes = release_hashes(name, version, tags) | {chosen}
        pins.append(Pin(name, version, tuple(sorted(hashes))))
    return sorted(pins, key=lambda pin: pin.name)


def main() -> None:
    wanted = image_python()
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if (sys.platform, platform.machine(), here) != ("linux", "x86_64", wanted):
        raise SystemExit(f"The image is Linux x86_64 with Python {wanted}; this is "
                         f"{sys.platform} {platform.machine()} with Python {here}. Run this "
                         f"where they match (CI, or a python:{wanted} container), so the "
                         "environment markers resolve as in the image.")
    pins = resolve(requirements(), wanted)
    header = ("# The exact versions the Docker image installs, with the sha256 of each file\n"
              "# (pip install --require-hashes; then hpsearch with --no-deps).\n"
              "# pip's resolution from PyPI of pyproject.toml's dependencies, the "
              f"`{EXTRA}` extra\n# and the build backend, for Linux x86_64, Python {wanted}.\n"
              "# Regenerate: make image-lock\n")
    LOCK.write_text(header + "".join(pin.lines() for pin in pins))
    count = sum(len(pin.sha256) for pin in pins)
    print(f"wrote {len(pins)} pins with {count} hashes to {LOCK.relative_to(REPO)}")


if __name__ == "__main__":
    main()
