"""``hpsearch dashboard``: optuna-dashboard on the study storage, seen in headless Chromium;
localhost and read-only by default; the password never printed."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from search._errors import HpsearchError
from search.cli import app
from search.study._open import open_study
from search.views._dashboard import DashboardServer, exposure_warning, make_dashboard
from tests import browser
from tests.scripted_studies import leave_running, make_study

# The dashboard computes importances from our few scripted trials and says they are rough.
pytestmark = pytest.mark.filterwarnings("ignore:Some regimes for parameter:UserWarning")


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def study_id(server: DashboardServer, name: str) -> int:
    studies = get_json(server.url.replace("/dashboard", "/api/studies"))["study_summaries"]
    return next(s["study_id"] for s in studies if s["study_name"] == name)


def test_the_api_serves_what_hpsearch_records(storage_url: str, study_name: str,
                                              multiclass_csv: Path) -> None:
    """Every trial state, and on each trial the attributes hpsearch records for it."""
    make_study(study_name, multiclass_csv, storage_url, n_trials=5, fail_on={2},
               prune_on={3})
    leave_running(study_name, storage_url, epochs=2)
    with make_dashboard(storage_url, "127.0.0.1", 0) as server:
        detail = get_json(server.url.replace("/dashboard", f"/api/studies/"
                                             f"{study_id(server, study_name)}"))
    trials = {t["number"]: t for t in detail["trials"]}
    assert {t["state"] for t in trials.values()} == {"Complete", "Pruned", "Fail", "Running"}
    attrs = {n: {a["key"]: a["value"] for a in t["user_attrs"]} for n, t in trials.items()}
    complete = next(n for n, t in trials.items() if t["state"] == "Complete")
    assert {"val_loss", "accuracy", "macro_f1", "best_epoch", "epochs_run", "worker", "gpu",
            "per_class", "confusion_matrix"} <= set(attrs[complete])
    pruned = next(n for n, t in trials.items() if t["state"] == "Pruned")
    assert attrs[pruned]["pruned_at_epoch"] == str(len(trials[pruned]["intermediate_values"]))
    failed = next(n for n, t in trials.items() if t["state"] == "Fail")
    assert attrs[failed]["fail_reason"] == "training loss became nan at epoch 1"
    running = next(n for n, t in trials.items() if t["state"] == "Running")
    assert (attrs[running]["worker"], attrs[running]["epoch"]) == ("gpu-box-7:4242", "2")


def test_dashboard_page_shows_the_study_and_its_trials(sqlite_url: str, study_name: str,
                                                        multiclass_csv: Path) -> None:
    """The rendered React pages (not just the API) in headless Chromium; screenshots are
    kept in test-artifacts/."""
    browser.chromium()
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=5, fail_on={2},
               prune_on={3})
    running = leave_running(study_name, sqlite_url, epochs=2)
    best = open_study(study_name, sqlite_url)[0].best_trial.number
    with make_dashboard(sqlite_url, "127.0.0.1", 0) as server:
        sid = study_id(server, study_name)
        trials_shot = browser.ARTIFACTS / "dashboard-trials.png"
        text = browser.visible_text(browser.dump_dom(f"{server.url}/studies/{sid}/trials",
                                                     trials_shot))
        assert f"{study_name} (id={sid})" in text
        for number, state in ((0, "Complete"), (2, "Fail"), (3, "Pruned"),
                              (running, "Running")):
            assert f"Trial {number} {state}" in text
        # Trial 0 is selected: its user attributes are on the page.
        for key in ("best_epoch", "val_loss", "worker", "gpu", "per_class"):
            assert key in text

        study_shot = browser.ARTIFACTS / "dashboard-study.png"
        text = browser.visible_text(browser.dump_dom(f"{server.url}/studies/{sid}",
                                                     study_shot))
        assert f"Best Trial (number={best})" in text
    print(f"\ndashboard screenshots: {trials_shot}, {study_shot}")


def test_read_only_unless_writes_are_allowed(sqlite_url: str, study_name: str,
                                             multiclass_csv: Path) -> None:
    """Saving a study note (a write) is refused by default, and works with allow_writes."""
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=1,
               max_epochs=1)
    for allow_writes, expected in ((False, 403), (True, 204)):
        with make_dashboard(sqlite_url, "127.0.0.1", 0, allow_writes=allow_writes) as server:
            study_api = f"{server.url.replace('/dashboard', '/api/studies')}/" \
                        f"{study_id(server, study_name)}"
            note = urllib.request.Request(
                f"{study_api}/note", data=json.dumps({"version": 1, "body": "hello"}).encode(),
                method="PUT", headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(note, timeout=30) as response:
                    status, body = response.status, response.read()
            except urllib.error.HTTPError as refused:
                status, body = refused.code, refused.read()
            assert status == expected, body
            saved = get_json(study_api)["note"]
            if not allow_writes:
                assert json.loads(body)["reason"] == (
                    "PUT refused: this dashboard is read-only. Restart it with "
                    "`hpsearch dashboard --allow-writes` to change studies from the browser.")
                assert saved["body"] == ""
            else:
                assert saved == {"version": 1, "body": "hello"}


def test_exposure_warning_only_off_localhost() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert exposure_warning(host) is None, host
    warning = exposure_warning("0.0.0.0")
    assert warning is not None
    assert warning.startswith("the dashboard is bound to 0.0.0.0, so anyone who can reach "
                              "this machine can see every study")
    assert "optuna-dashboard has no authentication" in warning


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nothing.db"
    with pytest.raises(HpsearchError) as missing:
        make_dashboard(f"sqlite:///{db}", port=0)
    assert str(missing.value).startswith(f"There is no SQLite database at {db} ")
    assert "Run the command in the folder where the study was created, or pass --storage" \
           in str(missing.value)
    assert not db.exists()


def test_a_busy_port_says_so(sqlite_url: str, study_name: str, multiclass_csv: Path) -> None:
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=1,
               max_epochs=1)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        with pytest.raises(HpsearchError) as busy:
            make_dashboard(sqlite_url, "127.0.0.1", port)
    assert str(busy.value).startswith(f"Cannot serve the dashboard on 127.0.0.1:{port}: ")
    assert str(busy.value).endswith("Another program holds that port; choose another with "
                                    "--port.")


def test_cli_masks_the_password_and_warns_off_localhost(
        storage_url: str, study_name: str, multiclass_csv: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_study(study_name, multiclass_csv, storage_url, n_trials=1,
               max_epochs=1)
    served: list[str] = []

    def serve(self: DashboardServer) -> None:
        served.append(self.url)
        self.httpd.server_close()
        raise KeyboardInterrupt

    monkeypatch.setattr(DashboardServer, "serve_forever", serve)
    result = CliRunner().invoke(app, ["dashboard", "--storage", storage_url, "--host",
                                      "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "warning: the dashboard is bound to 0.0.0.0" in output
    assert f"at {served[0]} (read-only); Ctrl-C to stop" in output
    assert output.endswith("dashboard stopped")
    if "@" in storage_url:  # PostgreSQL: user:password@host
        password = storage_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert password not in result.output
        assert ":***@" in output
