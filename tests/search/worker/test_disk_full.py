"""A disk that fills for real (a small tmpfs, tests/tiny_disk.py) under a worker keeping its
models in a SQLite study, under any other write of a worker, and under ``export``: the command
exits 4 with the path and the space in its message, the study keeps every finished trial, and
once space is freed another worker goes on. Trained by a scripted trainer whose models are 3 MB
of noise, so each test takes seconds."""

from __future__ import annotations

import contextlib
import io
import os
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

import storage
from search import ExitCode, create_study, run_worker
from search.cli import app
from search.options import PrunerName
from search.study import MODEL_FILE, kept_model, open_study
from tests.scripted_trainer import ScriptedTrainer
from tests.tiny_disk import tiny_disk

runner = CliRunner()
MB = 10**6


class BigModels(ScriptedTrainer):
    """The scripted trainer, keeping a 3 MB model (a zip of noise, as Keras stores it) per
    trial."""

    def saved_model(self, params: Any, prepared: Any, result: Any, task: Any) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("model.weights.h5", random.Random(self.calls).randbytes(3 * MB))
        return buffer.getvalue()


def study_on(folder: Path, study_name: str, data: Path) -> tuple[Path, str]:
    """A study of five sampled trials in a SQLite file in ``folder``: (the file, its URL)."""
    path = folder / "studies.db"
    url = f"sqlite:///{path}"
    create_study(study_name, data, storage_url=url, metric="val_loss", max_epochs=2,
                 pruner=PrunerName.NONE, n_trials=5, start_points=False)
    return path, url


def test_a_worker_whose_disk_fills_exits_4_and_another_goes_on_once_space_is_freed(
        tmp_path: Path, study_name: str, multiclass_csv: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with tiny_disk(tmp_path / "disk", "8m") as disk:
        path, url = study_on(disk.path, study_name, multiclass_csv)
        monkeypatch.setenv("HPSEARCH_TRAINER", f"{__name__}:BigModels")

        result = runner.invoke(app, ["worker", "--study", study_name, "--storage", url])

        assert result.exit_code == ExitCode.DISK_FULL == 4, result.output
        assert "Traceback" not in result.output
        assert "error: Could not keep 'model.keras', 'held_probabilities.npy' of trial 2 of " \
               f"study '{study_name}': the disk holding the study file {path} is full (" \
               in result.output
        assert f" MB free in {disk.path}; this write needed about 3.0 MB). Free space there, " \
               "then run the command again: the write was undone and the study holds every " \
               "trial that finished. Or keep fewer models: `hpsearch update --study " \
               f"{study_name} --keep-models N --keep-bytes SIZE` (now 10 and 2 GB)." \
               in result.output
        study, _ = open_study(study_name, url)
        states = [t.state for t in study.get_trials(deepcopy=False)
                  if t.state is not TrialState.WAITING]
        assert states == [TrialState.COMPLETE] * 3  # the third recorded, its model not kept
        assert storage.trials_with_file(study, MODEL_FILE) == [0, 1]

        disk.resize("64m")
        summary = run_worker(study_name, url, trainer=BigModels())

        assert summary.trials_run == 2
        study, _ = open_study(study_name, url)
        assert [t.state for t in study.get_trials(deepcopy=False)] == [TrialState.COMPLETE] * 5
        assert storage.trials_with_file(study, MODEL_FILE) == [0, 1, 3, 4]


class FillsTheDisk(ScriptedTrainer):
    """The scripted trainer, whose second trial fills the disk of ``$FILL_DIR`` as it ends, as
    another program might: the worker's next write to the study is refused."""

    def fit(self, *args: Any, **kwargs: Any) -> Any:
        result = super().fit(*args, **kwargs)
        if self.calls == 2:
            with open(Path(os.environ["FILL_DIR"]) / "junk", "wb") as junk, \
                    contextlib.suppress(OSError):
                while True:
                    junk.write(bytes(1 << 16))
        return result


def test_a_full_disk_under_any_write_of_a_worker_exits_4_with_the_file_named(
        tmp_path: Path, study_name: str, multiclass_csv: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with tiny_disk(tmp_path / "disk", "8m") as disk:
        path, url = study_on(disk.path, study_name, multiclass_csv)
        monkeypatch.setenv("HPSEARCH_TRAINER", f"{__name__}:FillsTheDisk")
        monkeypatch.setenv("FILL_DIR", str(disk.path))

        result = runner.invoke(app, ["worker", "--study", study_name, "--storage", url])

        assert result.exit_code == ExitCode.DISK_FULL, result.output
        assert f"error: Could not record a trial of study '{study_name}': the disk holding " \
               f"the study file {path} is full (0.0 MB free in {disk.path})." in result.output
        assert "Traceback" not in result.output
        (disk.path / "junk").unlink()
        study, _ = open_study(study_name, url)  # the trial in flight waits for a stale check
        assert [t.state for t in study.get_trials(deepcopy=False)][:2] == [
            TrialState.COMPLETE, TrialState.RUNNING]


def test_export_on_a_full_disk_exits_4_and_leaves_no_part_behind(
        tmp_path: Path, sqlite_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, metric="val_loss",
                 max_epochs=2, pruner=PrunerName.NONE, n_trials=1)
    run_worker(study_name, sqlite_url, trainer=BigModels())
    study, _ = open_study(study_name, sqlite_url)
    model = kept_model(study, 0)
    assert model is not None and len(model) > 3 * MB
    with tiny_disk(tmp_path / "disk", "1m") as disk:
        out = disk.path / "model"
        args = ["export", "--study", study_name, "--storage", sqlite_url, "--model", str(out)]

        result = runner.invoke(app, args)

        assert result.exit_code == ExitCode.DISK_FULL, result.output
        assert f"error: Could not write the model '{out / 'model.keras'}': the disk is full (" \
               in result.output
        assert f" MB free in {out}; the file needs {len(model) / 1e6:.1f} MB). Free space " \
               "there, or choose a folder on another disk, and run the command again" \
               in result.output
        assert not (out / "model.keras").exists()
        assert disk.free() > 0.9 * MB  # nothing half-written holds the space
    assert kept_model(open_study(study_name, sqlite_url)[0], 0) == model
