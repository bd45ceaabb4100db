"""hpsearch as a user installs it: the wheel, installed (not editable) where the repository is
out of reach, holds every file its packages read, so `hpsearch export` works from it. An
editable install (`make test`'s) reads the templates from the repository and cannot show a
file the wheel leaves out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.scripted_studies import make_study

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("search", "spaces", "storage")


def package_data() -> set[str]:
    """Every file of the packages that is not Python: what they read at run time."""
    return {f.relative_to(REPO).as_posix() for package in PACKAGES
            for f in (REPO / package).rglob("*") if f.is_file()
            and "__pycache__" not in f.parts and f.suffix not in (".py", ".pyc")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of a copy of the sources (a build in the repository would leave build/ there)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", str(root / "dist"),
                            str(source)], capture_output=True, text=True, timeout=180)
    assert built.returncode == 0, built.stderr[-3000:]
    [found] = (root / "dist").glob("hpsearch-*.whl")
    return found


def test_the_wheel_holds_every_file_the_packages_read_and_the_license(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = package_data()
    assert {"search/export/train_script.py.j2", "search/export/model_card.md.j2",
            "search/export/predict.py.j2", "spaces/examples/small.yaml"} <= data
    assert sorted(data - names) == []
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    metadata = zipfile.ZipFile(wheel).read(next(
        n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata


@pytest.mark.slow
def test_export_runs_from_the_installed_wheel(wheel: Path, tmp_path: Path,
                                              multiclass_csv: Path) -> None:
    """The wheel installed into a folder of its own (no editable finder, no repository on the
    path): `hpsearch export --out` renders both templates from the installed package."""
    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                                "--no-compile", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=180)
    assert installed.returncode == 0, installed.stderr[-3000:]
    url = f"sqlite:///{tmp_path / 'studies.db'}"
    make_study("s", multiclass_csv, url, n_trials=2)
    out = tmp_path / "run" / "train_best.py"
    out.parent.mkdir()
    code = ("import sys, search\n"
            f"assert search.__file__.startswith({str(site)!r}), search.__file__\n"
            "from search.cli import main\n"
            f"sys.argv = ['hpsearch', 'export', '--study', 's', '--storage', {url!r}, "
            f"'--out', {str(out)!r}]\n"
            "main()\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", code], cwd=out.parent, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "def main(" in out.read_text()
    card = (out.parent / "train_best.card.md").read_text()
    assert card.startswith("---\n") and "## How to use it" in card
