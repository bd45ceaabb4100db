"""pyproject.toml's version ranges: what the code needs, what CI installs, what the image pins.

A range that no longer admits what ``make test`` installed fails here, and so does a floor
dropped below the version that brought an API hpsearch calls (Keras 3.3's
``clear_session(free_memory=...)``, Optuna 4.9's ``heartbeat_stale_trial_callback``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import re
import tomllib
from pathlib import Path

import optuna
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
IMAGE_LOCK = REPO / "deploy" / "image-requirements.txt"


def declared(*extras: str) -> list[Requirement]:
    """The base dependencies, plus those of ``extras``."""
    found = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    return found


def spec_of(name: str, extra: str | None = None) -> SpecifierSet:
    reqs = declared() if extra is None else [
        Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    [req] = [r for r in reqs if canonicalize_name(r.name) == canonicalize_name(name)]
    return req.specifier


def test_installed_versions_lie_in_the_declared_ranges() -> None:
    """`make test` installs `.[dev]`: every declared range admits what it installed."""
    outside = []
    for req in declared("dev"):
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        installed = importlib.metadata.version(req.name)
        if not req.specifier.contains(installed, prereleases=True):
            outside.append(f"{req.name} {installed} is installed, pyproject says {req}")
    assert outside == []


@pytest.mark.parametrize(("name", "admitted", "refused"), [
    # keras.backend.clear_session(free_memory=True) came in Keras 3.3.0.
    ("keras", ["3.3.0", "3.15.1"], ["3.2.1", "4.0.0"]),
    # RDBStorage(heartbeat_stale_trial_callback=...) came in Optuna 4.9.0; storage/ uses
    # optuna.storages._rdb internals, so the next major release is refused until checked.
    ("optuna", ["4.9.0", "5.0.0"], ["4.8.0", "6.0.0"]),
    # 2.16.1's wheel cannot find the cuDNN wheels of tensorflow[and-cuda]; 2.21 is the newest
    # release the suite has run on.
    ("tensorflow", ["2.17.0", "2.21.0"], ["2.16.1", "2.22.0"]),
])
def test_floors_and_caps(name: str, admitted: list[str], refused: list[str]) -> None:
    spec = spec_of(name)
    assert [v for v in admitted if v in spec] == admitted, f"{name}{spec}"
    assert [v for v in refused if v in spec] == [], f"{name}{spec}"


def test_gpu_extra_is_tensorflow_with_cuda_in_the_same_range() -> None:
    [req] = [Requirement(r) for r in PROJECT["optional-dependencies"]["gpu"]]
    assert canonicalize_name(req.name) == "tensorflow"
    assert req.extras == {"and-cuda"}
    assert req.specifier == spec_of("tensorflow")


def test_installed_optuna_has_the_heartbeat_callback_argument() -> None:
    """The floor names the release that brought the argument storage/ passes."""
    assert "heartbeat_stale_trial_callback" in inspect.signature(
        optuna.storages.RDBStorage).parameters


def test_installed_keras_clear_session_takes_free_memory() -> None:
    """Read from Keras' source rather than imported: importing Keras starts TensorFlow."""
    spec = importlib.util.find_spec("keras")
    assert spec is not None and spec.submodule_search_locations
    source = Path(next(iter(spec.submodule_search_locations)),
                  "src", "backend", "common", "global_state.py").read_text()
    assert re.search(r"^def clear_session\(free_memory=True\)", source, re.M)


def image_pins() -> dict[str, str]:
    pins = {}
    # A requirement and its `--hash` options are one logical line, continued with backslashes.
    for line in IMAGE_LOCK.read_text().replace("\\\n", " ").splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.split()[0].partition("==")
            assert sep and version, f"{IMAGE_LOCK.name}: not an exact pin: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def test_image_pins_lie_in_the_declared_ranges() -> None:
    """The image installs deploy/image-requirements.txt, then hpsearch with --no-deps: every
    dependency (the gpu extra's too) must be pinned there, inside its range. After changing
    pyproject.toml, run `make image-lock`."""
    pins = image_pins()
    problems = []
    for req in declared("gpu"):
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not pinned")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} is outside {req}")
    assert problems == [], "deploy/image-requirements.txt is stale (make image-lock): " + \
        "; ".join(problems)
    # The CUDA libraries come with the extra: no pinned nvidia wheels, no GPU in the image.
    assert {"nvidia-cudnn-cu12", "nvidia-cublas-cu12", "nvidia-cuda-runtime-cu12"} <= set(pins)
