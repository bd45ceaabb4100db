"""`make test`'s pytest step, run with a stand-in PostgreSQL script and a stand-in Python: a
server that does not start stops it loudly, before any test (its PostgreSQL cases would skip
and the run pass); one that starts hands its URL to the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_pytest(tmp_path: Path, postgres: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """`make pytest` (the venv and the system packages taken as made) with ``postgres`` as
    the script's body; what it printed, and what the stand-in Python was called with."""
    script = tmp_path / "postgres.sh"
    script.write_text(postgres)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\necho "$TEST_DB_URL $*" >> {calls}\n')
    python.chmod(0o755)
    run = subprocess.run(["make", "--no-print-directory", "-o", "venv", "-o", "deps", "pytest",
                          f"POSTGRES_SCRIPT={script}", f"BIN={bin_dir}"], cwd=REPO,
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PGVER": "16"})
    return run, calls.read_text() if calls.exists() else ""


def test_a_postgresql_that_does_not_start_stops_the_tests(tmp_path: Path) -> None:
    run, calls = make_pytest(tmp_path, "echo 'pg_ctlcluster: no such cluster' >&2\nexit 1\n")
    assert run.returncode != 0 and calls == ""
    assert "pg_ctlcluster: no such cluster" in run.stderr
    assert ("make: PostgreSQL did not start" in run.stderr
            and "so the tests stop here. It installs and starts PostgreSQL 16 with apt-get and "
                "pg_ctlcluster: root on Debian or Ubuntu." in run.stderr)


def test_a_started_postgresql_gives_the_tests_its_url(tmp_path: Path) -> None:
    run, calls = make_pytest(tmp_path, "echo postgresql+psycopg://u:p@127.0.0.1:5432/t\n")
    assert run.returncode == 0, run.stderr
    first, second = calls.splitlines()
    assert first.startswith("postgresql+psycopg://u:p@127.0.0.1:5432/t -m pytest -q -ra -n")
    assert "-m alone" in second


def test_the_quick_start_runs_as_printed_from_the_root() -> None:
    """README's commands after `make demo` are the ones it prints, and they name the demo's
    study where `make demo` leaves it: `run` in demo/ on the default storage, demo/hpsearch.db."""
    readme = (REPO / "README.md").read_text()
    after = readme.split("Then, from the repository's root", 1)[1]
    block = after.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    dry = subprocess.run(["make", "--no-print-directory", "-n", "-o", "venv", "demo"],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    for line in block:
        assert f'echo "  {line}"' in dry.stdout, line
    [run] = [line for line in dry.stdout.splitlines() if " run --data " in line]
    assert run.startswith("cd demo && ") and "--storage" not in run
    [export] = [line for line in block if " export " in line]
    assert "--storage sqlite:///demo/hpsearch.db" in export
    assert any(" predict --model demo/model " in line for line in block)


def test_an_older_python_is_refused_with_the_fix(tmp_path: Path) -> None:
    python = tmp_path / "python3.10"
    python.write_text('#!/bin/sh\n[ "$1" = "-V" ] && echo "Python 3.10.12" && exit 0\nexit 1\n')
    python.chmod(0o755)
    venv = tmp_path / "venv"
    run = subprocess.run(["make", "--no-print-directory", f"PYTHON={python}", f"VENV={venv}",
                          f"{venv}/.installed"], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode != 0 and not venv.exists()
    assert (f"make: hpsearch needs Python 3.11 or newer, and {python} is Python 3.10.12; name "
            "another with make PYTHON=python3.12 ...") in run.stderr
