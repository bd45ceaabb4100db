"""A worker process loads what its trials need and no more: scikit-learn, matplotlib,
optuna-dashboard's web app, pandas, scipy and Jinja2 cost seconds of CPU at each start, and a
study runs one worker per GPU or core, started again by every `run` and `launch`. (A real trial
loads TensorFlow, and scipy for a bag of n-grams, when it trains.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from optuna.trial import TrialState

from search import create_study, run_worker
from search.study import open_study, study_status
from search.views import study_note
from tests.scripted_trainer import ScriptedTrainer
from tests.worker_procs import REPO, scripted_env

# `python -m search worker ...`, then the heavy modules it loaded.
WORKER_THEN_MODULES = (
    "import runpy, sys\n"
    "sys.argv = ['search', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('search', run_name='__main__', alter_sys=True)\n"
    "finally:\n"
    "    heavy = ('sklearn', 'matplotlib', 'optuna_dashboard', 'tensorflow', 'pandas',\n"
    "             'scipy', 'jinja2')\n"
    "    print('loaded:', sorted(m for m in heavy if m in sys.modules))\n")


@pytest.mark.slow
def test_a_worker_loads_no_heavy_library_its_trials_do_not_use(
        sqlite_url: str, study_name: str, multiclass_csv: Path) -> None:
    create_study(study_name, multiclass_csv, storage_url=sqlite_url, max_epochs=2)
    # The expert's point, then the baseline's (its scores need scikit-learn, once).
    run_worker(study_name, sqlite_url, n_trials=2, trainer=ScriptedTrainer())
    assert "tfidf_logreg" in study_status(study_name, sqlite_url).baselines
    done = subprocess.run(
        [sys.executable, "-c", WORKER_THEN_MODULES, "worker", "--study", study_name,
         "--storage", sqlite_url, "--n-trials", "2"], cwd=REPO, env=scripted_env(sqlite_url),
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "loaded: []"
    # ... and it still kept the dashboard's note current, as optuna-dashboard reads it.
    from optuna_dashboard import get_note

    study, config = open_study(study_name, sqlite_url)
    assert [t.state for t in study.trials].count(TrialState.COMPLETE) == 4
    assert get_note(study) == study_note(study, config)
