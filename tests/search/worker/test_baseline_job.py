"""The TF-IDF + logistic-regression baseline is fitted beside the trials, in a process of its
own on large data, and recorded when ready; `hpsearch worker` on a study whose budget is spent
still fits it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from search import create_study, run_worker
from search.study import open_study, study_status
from tests.scripted_trainer import ScriptedTrainer
from tests.worker_procs import REPO, scripted_env

# `python -m search worker`, with the baseline in a process of its own whatever the rows: the
# spawned process imports the command's main module, which must not run the command again.
SPAWNING_WORKER = (
    "import runpy, sys\n"
    "import search.worker._baseline_job as job\n"
    "job.IN_PROCESS_ROWS = 0\n"
    "sys.argv = ['search', *sys.argv[1:]]\n"
    "runpy.run_module('search', run_name='__main__', alter_sys=True)\n")


@pytest.mark.slow
def test_a_worker_fits_the_baseline_in_a_process_of_its_own(sqlite_url: str, study_name: str,
                                                             multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=2)
    assert set(open_study(study_name, sqlite_url)[1].baselines) == {"majority"}
    worker = subprocess.run(
        [sys.executable, "-c", SPAWNING_WORKER, "worker", "--study", study_name, "--storage",
         sqlite_url, "--n-trials", "2"], cwd=REPO, env=scripted_env(sqlite_url),
        capture_output=True, text=True, timeout=180)
    assert worker.returncode == 0, worker.stderr[-3000:]
    assert "computing the TF-IDF + logistic regression baseline beside the trials" in \
        worker.stderr
    baselines = study_status(study_name, sqlite_url).baselines
    assert set(baselines) == {"majority", "tfidf_logreg"}
    assert baselines["tfidf_logreg"]["macro_f1"] > baselines["majority"]["macro_f1"]


def test_a_worker_on_a_spent_study_still_fits_its_baseline(sqlite_url: str, study_name: str,
                                                          multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=2, n_trials=1)
    study, _ = open_study(study_name, sqlite_url)
    run_worker(study_name, sqlite_url, trainer=ScriptedTrainer())
    study.set_user_attr("hpsearch_baselines", {})  # as if its worker stopped before it
    assert "tfidf_logreg" not in study_status(study_name, sqlite_url).baselines
    assert run_worker(study_name, sqlite_url, trainer=ScriptedTrainer()).trials_run == 0
    assert "tfidf_logreg" in study_status(study_name, sqlite_url).baselines
