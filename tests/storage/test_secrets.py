"""No output, log line or exception text of any command holds a password given in a storage
URL, in any of the places a SQLAlchemy URL carries one: ``user:password@``, a password with an
unencoded ``@``, a percent-encoded one, ``?password=``, ``?sslpassword=`` and other parameters
named like a secret. SQLite URLs (query parameters), and PostgreSQL URLs against the local
server of ``.ci/postgres.sh`` with a wrong password, and at an address where nothing listens."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from typer.testing import CliRunner

import storage
from search.views import DashboardServer
from tests.scripted_studies import make_study
from tests.worker_procs import REPO

SECRET = "Hunter2-xyzzy"  # the password every URL below carries, in some form
AT_SECRET = "Hunt@er2-xyzzy"
ODD_SECRET = "p@ss/w?rd:Hunter2"  # percent-encoded in the URL
SQLITE_FORMS = ["sqlite:///{db}?password={s}", "sqlite:///{db}?token={s}&mode=rw",
                "sqlite:///{missing}?sslpassword={s}"]
POSTGRES_FORMS = [
    "postgresql+psycopg://{user}:{s}@{host}/{name}",
    "postgresql+psycopg://{user}@{host}/{name}?password={s}",
    "postgresql+psycopg://{user}@{host}/{name}?sslmode=prefer&sslpassword={s}&password={s}",
    "postgresql+psycopg://{user}:{at}@{host}/{name}",
    "postgresql+psycopg://{user}:{odd}@{host}/{name}",
    "postgresql+psycopg://{user}:{s}@127.0.0.1:1/{name}",  # nothing listens there
    "postgresql+psycopg://{user}@127.0.0.1:1/{name}?api_key={s}",
]
COMMANDS = [["status", "--study", "typo"], ["best", "--study", "s"],
            ["worker", "--study", "typo", "--n-trials", "1"],
            ["create", "--study", "s2", "--data", "{data}"],
            ["enqueue", "--study", "typo", "--params", "{params}"],
            ["export", "--study", "typo", "--out", "{here}/x.py"],
            ["report", "--study", "typo", "--out", "{here}/r"], ["dashboard", "--port", "0"],
            ["launch", "--study", "typo", "--cpus", "1"]]


def secrets_in(text: str) -> list[str]:
    """The secrets (or the parts an unencoded '@' splits one into) found in ``text``."""
    pieces = {SECRET, AT_SECRET, ODD_SECRET, *AT_SECRET.split("@"), quote(ODD_SECRET, safe="")}
    return [p for p in pieces if len(p) >= 4 and p in text]


def run_everywhere(url: str, here: Path, data: Path, caplog: pytest.LogCaptureFixture,
                   monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run every command with ``url`` by flag, $HPSEARCH_STORAGE and $HPSEARCH_STORAGE_FILE;
    the secrets any output, log or exception showed, with the command."""
    from search.cli import app

    monkeypatch.setattr(DashboardServer, "serve_forever", _stop_at_once)
    params = here / "p.yaml"
    params.write_text("rnn_layers: 1\n")
    url_file = here / "url"
    url_file.write_text(url)
    leaks = []
    ways = [(["--storage", url], {}), ([], {"HPSEARCH_STORAGE": url}),
            ([], {"HPSEARCH_STORAGE_FILE": str(url_file)})]
    for command in COMMANDS:
        for flag, env in ways:
            args = [a.format(data=data, params=params, here=here) for a in command] + flag
            result = CliRunner().invoke(app, args, env={"HPSEARCH_STORAGE": None,
                                                        "HPSEARCH_STORAGE_FILE": None, **env})
            exc = result.exception
            shown = result.output + caplog.text + "".join(
                traceback.format_exception(exc) if exc else [])
            leaks += [f"{args}: {found}" for found in secrets_in(shown)]
            caplog.clear()
    return leaks


def _stop_at_once(self: DashboardServer) -> None:
    self.httpd.server_close()
    raise KeyboardInterrupt


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, Path]:
    """A SQLite study ``s`` with a finished trial, and its data."""
    from search.data import write_sample
    from spaces import Task

    data = write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=120, classes=3)
    db = tmp_path / "studies.db"
    make_study("s", data, f"sqlite:///{db}", n_trials=1, max_epochs=1)
    return db, data


@pytest.mark.filterwarnings("ignore:Query string argument")  # SQLite ignores them, and says so
@pytest.mark.parametrize("form", SQLITE_FORMS)
def test_no_sqlite_url_secret_is_shown(form: str, study: tuple[Path, Path], tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    db, data = study
    url = form.format(db=db, missing=tmp_path / "nope.db", s=SECRET)
    assert run_everywhere(url, tmp_path, data, caplog, monkeypatch) == []


@pytest.mark.parametrize("form", POSTGRES_FORMS)
def test_no_postgres_url_secret_is_shown(form: str, study: tuple[Path, Path], tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    server = os.environ.get("TEST_DB_URL")
    if not server:
        pytest.skip("TEST_DB_URL is not set (make test starts PostgreSQL and sets it)")
    caplog.set_level(logging.DEBUG)
    parts = urlsplit(server)
    assert parts.password not in (SECRET, AT_SECRET, ODD_SECRET)  # so the password is wrong
    url = form.format(user=parts.username, host=parts.netloc.rsplit("@", 1)[1],
                      name=parts.path.lstrip("/"), s=SECRET, at=AT_SECRET,
                      odd=quote(ODD_SECRET, safe=""))
    assert run_everywhere(url, tmp_path, study[1], caplog, monkeypatch) == []


def test_the_driver_error_is_told_with_the_secret_masked() -> None:
    url = f"postgresql+psycopg://hp:{SECRET}@127.0.0.1:1/none?sslpassword={SECRET}"
    with pytest.raises(storage.StorageError) as info:
        storage.open_storage(url)
    assert "hp:***@127.0.0.1:1/none?sslpassword=***" in str(info.value)
    assert "port 1 failed" in str(info.value) and SECRET not in str(info.value)


def test_masking_covers_every_form() -> None:
    assert storage.mask_url(f"postgresql://u:{SECRET}@h:5/d?application_name=a@b&token=t1"
                            ) == "postgresql://u:***@h:5/d?application_name=a@b&token=***"
    assert storage.mask_url(f"postgresql://u:{AT_SECRET}@h/d") == "postgresql://u:***@h/d"
    assert storage.mask_url("sqlite:////tmp/a:b@c.db?key=k9&mode=ro") == \
        "sqlite:////tmp/a:b@c.db?key=***&mode=ro"
    text = storage.mask_secrets(f'could not translate host name "{AT_SECRET.split("@")[1]}@h" '
                                f"password={SECRET} x", f"postgresql://u:{AT_SECRET}@h/d")
    assert secrets_in(text) == [] and text.endswith("password=*** x")


def test_the_entry_point_keeps_the_secret_out_of_a_workers_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPSEARCH_STORAGE")}
    env |= {"HPSEARCH_STORAGE": f"postgresql+psycopg://hp@127.0.0.1:1/db?password={SECRET}",
            "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "search", "worker", "--study", "s"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "password=***" in done.stderr and secrets_in(done.stderr + done.stdout) == []
    assert "Traceback" not in done.stderr


def test_a_short_password_is_masked_where_it_stands_alone_not_inside_words() -> None:
    url = "postgresql+psycopg://user:x@db.example/hpsearch"
    said = storage.mask_secrets('password "x" rejected for user: index out of range', url)
    assert said == 'password "***" rejected for user: index out of range'
