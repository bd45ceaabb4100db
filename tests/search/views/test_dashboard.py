"""``hpsearch dashboard``: optuna-dashboard on the study storage, seen in headless Chromium;
the trials' kept files in its artifacts panel, downloaded as they were kept; the study's note;
localhost and read-only by default; the password never printed."""

from __future__ import annotations

import base64
import json
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import storage
from search._errors import HpsearchError
from search.cli import app
from search.study._open import open_study
from search.views import save_study_note
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


@pytest.mark.slow
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


def get_bytes(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def small_keras_model(path: Path) -> Any:
    """A real (tiny) Keras model saved at ``path``; the model."""
    import keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.save(path)
    return model


@pytest.mark.slow
def test_a_kept_model_is_listed_on_its_trial_and_downloads_as_the_model(
        sqlite_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path) -> None:
    """The trial's page shows the kept files in its artifacts panel (headless Chromium); the
    panel's link serves the model's bytes, which load with safe_mode=True and predict as the
    model did. A screenshot of the panel is kept in test-artifacts/."""
    import keras
    import numpy as np

    browser.chromium()
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=3)
    study, _ = open_study(study_name, sqlite_url)
    best = study.best_trial.number
    model = small_keras_model(tmp_path / "kept.keras")
    kept = (tmp_path / "kept.keras").read_bytes()
    storage.keep_trial_file(study, best, "model.keras", kept)
    storage.keep_trial_file(study, best, "validation_probabilities.npy", b"probabilities")
    other = next(t.number for t in study.trials if t.number != best)

    with make_dashboard(sqlite_url, "127.0.0.1", 0) as server:
        sid = study_id(server, study_name)
        trials = {t["number"]: t for t in get_json(server.url.replace(
            "/dashboard", f"/api/studies/{sid}"))["trials"]}
        assert [a["filename"] for a in trials[other]["artifacts"]] == []
        [meta] = [a for a in trials[best]["artifacts"] if a["filename"] == "model.keras"]
        shot = browser.ARTIFACTS / "dashboard-artifacts.png"
        dom = browser.dump_dom(f"{server.url}/studies/{sid}/trials?numbers={best}", shot,
                               width=1400, height=1250)
        text = browser.visible_text(dom)
        assert f"Trial {best} (trial_id={trials[best]['trial_id']})" in text
        assert "Artifacts model.keras validation_probabilities.npy" in text
        link = f"/artifacts/{sid}/{trials[best]['trial_id']}/{meta['artifact_id']}"
        assert f'href="{link}"' in dom
        served = get_bytes(server.url.replace("/dashboard", link))

    assert served == kept
    (tmp_path / "downloaded.keras").write_bytes(served)
    loaded = keras.models.load_model(tmp_path / "downloaded.keras", safe_mode=True)
    rows = np.linspace(-1.0, 1.0, 24, dtype="float32").reshape(4, 6)
    np.testing.assert_allclose(loaded.predict(rows, verbose=0), model.predict(rows, verbose=0),
                               rtol=1e-6)
    assert browser.png_size(shot) == (1400, 1250)
    print(f"\nartifacts panel: {shot} (docs/{shot.name} is a copy of one)")


@pytest.mark.slow
def test_the_study_note_shows_the_baselines(sqlite_url: str, study_name: str,
                                            multiclass_csv: Path) -> None:
    browser.chromium()
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=2)
    study, config = open_study(study_name, sqlite_url)
    save_study_note(study, config)
    with make_dashboard(sqlite_url, "127.0.0.1", 0) as server:
        sid = study_id(server, study_name)
        shot = browser.ARTIFACTS / "dashboard-note.png"
        text = browser.visible_text(browser.dump_dom(f"{server.url}/studies/{sid}/note", shot,
                                                     height=1300))
    assert "Against the baselines val_loss ★ accuracy macro_f1" in text
    for name, values in config.baselines.items():
        assert (f"baseline {name} {values['val_loss']:.4f} {values['accuracy']:.4f} "
                f"{values['macro_f1']:.4f}") in text
    assert f"Best trial: {study.best_trial.number} , val_loss = " in text
    assert f"hpsearch export --study {study_name} --model DIR" in text


def send(request: urllib.request.Request) -> tuple[int, bytes]:
    """The status and body of a write, refused or not."""
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def test_uploads_with_writes_allowed_are_kept_with_their_study(
        sqlite_url: str, study_name: str, multiclass_csv: Path) -> None:
    """optuna-dashboard's upload (a running trial's, a study's) through the same store:
    refused when read-only, filed under the study in the request's path otherwise."""
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=1, max_epochs=1)
    running = leave_running(study_name, sqlite_url)
    study, _ = open_study(study_name, sqlite_url)
    body = json.dumps({"file": "data:text/plain;base64," + base64.b64encode(
        b"uploaded from the browser").decode(), "filename": "notes.txt"}).encode()
    for allow_writes, expected in ((False, 403), (True, 201)):
        with make_dashboard(sqlite_url, "127.0.0.1", 0, allow_writes=allow_writes) as server:
            sid = study_id(server, study_name)
            trial_id = next(t["trial_id"] for t in get_json(server.url.replace(
                "/dashboard", f"/api/studies/{sid}"))["trials"] if t["number"] == running)
            upload = urllib.request.Request(
                server.url.replace("/dashboard", f"/api/artifacts/{sid}/{trial_id}"),
                data=body, method="POST", headers={"Content-Type": "application/json"})
            status, answer = send(upload)
        assert status == expected, answer
    assert storage.trial_file(study, running, "notes.txt") == b"uploaded from the browser"
    assert storage.trials_with_file(study, "notes.txt") == [running]
    assert re.fullmatch(r"[0-9a-f-]{36}", json.loads(answer)["artifact_id"])


def test_read_only_unless_writes_are_allowed(sqlite_url: str, study_name: str,
                                             multiclass_csv: Path) -> None:
    """Saving a study note (a write) is refused by default, and works with allow_writes."""
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=1,
               max_epochs=1)
    for allow_writes, expected in ((False, 403), (True, 204)):
        with make_dashboard(sqlite_url, "127.0.0.1", 0, allow_writes=allow_writes) as server:
            study_api = f"{server.url.replace('/dashboard', '/api/studies')}/" \
                        f"{study_id(server, study_name)}"
            before = get_json(study_api)["note"]  # the workers' note
            note = urllib.request.Request(
                f"{study_api}/note", method="PUT", headers={"Content-Type": "application/json"},
                data=json.dumps({"version": before["version"] + 1, "body": "hello"}).encode())
            status, body = send(note)
            assert status == expected, body
            saved = get_json(study_api)["note"]
            if not allow_writes:
                assert json.loads(body)["reason"] == (
                    "PUT refused: this dashboard is read-only. Restart it with "
                    "`hpsearch dashboard --allow-writes` to change studies from the browser.")
                assert saved == before and "objective" in saved["body"]
            else:
                assert saved == {"version": before["version"] + 1, "body": "hello"}


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
