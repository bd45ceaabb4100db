"""The kept models' bound (``--keep-models``, ``--keep-bytes``) through the worker's keeper, on
SQLite and PostgreSQL: after more trials than the bound, only the best remain; the best
trial's, the ensemble's members' and the answer's survive any bound; a lowered bound drops at
once; kept models are deflated and still read as the zip they were."""

from __future__ import annotations

import errno
import io
import random
import zipfile

import optuna
import pytest
from optuna.distributions import CategoricalDistribution

import storage
from search import DiskFull
from search.metrics import Direction
from search.options import KeepBound
from search.study import (
    ANSWER_ATTR,
    ENSEMBLE_ATTR,
    ENSEMBLE_KEY,
    MODEL_FILE,
    KeptCandidate,
    choose_kept,
    packed_model,
    trim_kept,
)
from search.worker._keeper import ModelKeeper

MB = 10**6
FAMILIES = CategoricalDistribution(["linear", "ngram", "sequence"])


def fake_model(size: int, seed: int) -> bytes:
    """A ``.keras``-like zip: a vocabulary that deflates well, weights that do not."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # stored, as Keras writes it
        archive.writestr("config.json", b'{"vocabulary": ["' + b'ngram", "' * 20_000 + b'"]}')
        archive.writestr("model.weights.h5", random.Random(seed).randbytes(size))
    return buffer.getvalue()


def offer_trials(study: optuna.Study, keeper: ModelKeeper, values: list[float],
                 families: list[str], size: int = MB) -> None:
    """One finished trial per value, of its family, each offering a model of ``size`` bytes
    as it ends (as the objective does, before the trial is told)."""
    for i, (value, family) in enumerate(zip(values, families, strict=True)):
        study.enqueue_trial({"family": family})
        trial = study.ask({"family": FAMILIES})
        keeper.offer(study, trial.number, value, family, lambda i=i: fake_model(size, i), None)
        study.tell(trial, value)


def kept(study: optuna.Study) -> list[int]:
    return storage.trials_with_file(study, MODEL_FILE)


@pytest.fixture
def study(storage_url: str, study_name: str) -> optuna.Study:
    return optuna.create_study(study_name=study_name, storage=storage.open_storage(storage_url),
                               direction="maximize")


def test_after_n_plus_k_models_only_the_n_best_remain(study: optuna.Study) -> None:
    keeper = ModelKeeper(Direction.MAXIMIZE, KeepBound(models=3, bytes=10**12))
    values = [0.50, 0.70, 0.60, 0.90, 0.40, 0.80, 0.65, 0.30]
    offer_trials(study, keeper, values, families=["linear"] * len(values))
    assert kept(study) == [1, 3, 5]  # 0.70, 0.90, 0.80
    sizes = storage.trial_file_sizes(study)  # deflated: the vocabulary's 180 kB shrink
    assert set(sizes) == {1, 3, 5}
    assert all(size < len(fake_model(MB, 0)) - 150_000 for size in sizes.values())


def test_each_familys_best_comes_before_the_others(study: optuna.Study) -> None:
    keeper = ModelKeeper(Direction.MAXIMIZE, KeepBound(models=3, bytes=10**12))
    offer_trials(study, keeper, [0.9, 0.8, 0.7, 0.2, 0.6],
                 families=["linear", "linear", "linear", "sequence", "ngram"])
    assert kept(study) == [0, 3, 4]  # the best, then the best sequence and ngram models


def test_the_byte_bound_keeps_the_best_that_fit(study: optuna.Study) -> None:
    one = len(packed_model(fake_model(MB, 0)))
    keeper = ModelKeeper(Direction.MAXIMIZE, KeepBound(models=10, bytes=int(2.5 * one)))
    offer_trials(study, keeper, [0.1, 0.5, 0.3, 0.4, 0.2], families=["linear"] * 5)
    assert kept(study) == [1, 3]
    assert sum(storage.trial_file_sizes(study).values()) <= 2.5 * one


def test_the_best_the_ensembles_and_the_answers_models_are_never_dropped(
        study: optuna.Study) -> None:
    keeper = ModelKeeper(Direction.MAXIMIZE, KeepBound(models=2, bytes=10**12))
    offer_trials(study, keeper, [0.50, 0.40, 0.30, 0.20], families=["linear"] * 4)
    assert kept(study) == [0, 1]
    study.set_user_attr(ENSEMBLE_ATTR, {"members": [{"trial": 1, "weight": 0.5},
                                                    {"trial": 0, "weight": 0.5}]})
    study.set_user_attr(ANSWER_ATTR, {"model": "trial", "members": [{"trial": 0}],
                                      "best_trial": 0})
    offer_trials(study, keeper, [0.95, 0.45, 0.90], families=["linear"] * 3)
    # Over the bound: the best (4), the ensemble's members (0, 1) and the answer's (0) stay;
    # 5 and 6, better than the members, are not kept while they fill it.
    assert kept(study) == [0, 1, 4]
    study.set_user_attr(ENSEMBLE_ATTR, None)
    study.set_user_attr(ANSWER_ATTR, None)
    # Unprotected, 1 goes; 5 and 6 kept no model, so 0 is the best after 4 that has one.
    assert trim_kept(study, KeepBound(models=2, bytes=10**12), Direction.MAXIMIZE) == [1]
    assert kept(study) == [0, 4]


def test_the_ensembles_and_refits_bytes_count_against_the_bound(study: optuna.Study) -> None:
    one = len(packed_model(fake_model(MB, 0)))
    keeper = ModelKeeper(Direction.MAXIMIZE, KeepBound(models=10, bytes=3 * one))
    offer_trials(study, keeper, [0.3, 0.2, 0.1], families=["linear"] * 3)
    assert kept(study) == [0, 1, 2]
    rdb = storage.storage_of(study)
    storage.put_blob(rdb, study.study_name, ENSEMBLE_KEY, random.Random(9).randbytes(one // 2))
    assert trim_kept(study, KeepBound(models=10, bytes=3 * one), Direction.MAXIMIZE) == [2]
    assert kept(study) == [0, 1]


def test_models_a_keeper_cannot_save_take_no_room(study: optuna.Study) -> None:
    keeper = ModelKeeper(Direction.MAXIMIZE, KeepBound(models=1, bytes=10**12))
    trial = study.ask({"family": FAMILIES})
    assert not keeper.offer(study, trial.number, 0.5, "linear", lambda: None, None)
    study.tell(trial, 0.5)
    assert kept(study) == []
    offer_trials(study, keeper, [0.4], families=["linear"])
    assert kept(study) == [1]  # the best trial kept no model, so the bound has room


def test_choose_kept_ranks_protected_then_family_bests_then_the_rest() -> None:
    def c(number: int, value: float, family: str = "linear", size: int = 1) -> KeptCandidate:
        return KeptCandidate(number, value, family, size)

    candidates = [c(0, 0.2), c(1, 0.9), c(2, 0.8), c(3, 0.1, "ngram"), c(4, 0.7, size=5)]
    bound = KeepBound(models=3, bytes=10)
    assert choose_kept(candidates, {1}, bound, Direction.MAXIMIZE) == {1, 3, 2}
    assert choose_kept(candidates, {0}, bound, Direction.MAXIMIZE) == {0, 1, 3}
    # Minimising: the lowest values are the best.
    assert choose_kept(candidates, set(), bound, Direction.MINIMIZE) == {3, 0, 4}
    # Bytes: 4 (5 bytes) does not fit beside 9 used; the next best that fits does.
    assert choose_kept(candidates, set(), KeepBound(models=3, bytes=12), Direction.MINIMIZE,
                       used=9) == {3, 0, 2}
    # A protected model stays even when it alone is over the bound.
    assert choose_kept(candidates, {4}, KeepBound(models=1, bytes=1), Direction.MAXIMIZE) == {4}


def test_a_kept_model_is_deflated_and_reads_back_the_same() -> None:
    model = fake_model(MB, 3)
    packed = packed_model(model)
    assert len(packed) < len(model) - 150_000  # the vocabulary, 180 kB, deflates to little
    with zipfile.ZipFile(io.BytesIO(model)) as before, \
            zipfile.ZipFile(io.BytesIO(packed)) as after:
        assert after.namelist() == before.namelist()
        assert {i.compress_type for i in after.infolist()} == {zipfile.ZIP_DEFLATED}
        for name in before.namelist():
            assert after.read(name) == before.read(name)
    assert packed_model(b"not a zip") == b"not a zip"


def test_a_full_temporary_folder_while_saving_stops_the_worker_after_the_trial(
        study: optuna.Study) -> None:
    keeper = ModelKeeper(Direction.MAXIMIZE, KeepBound(models=3, bytes=10**12))
    trial = study.ask({"family": FAMILIES})

    def save() -> bytes:
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/tmpab12/model.keras")

    assert not keeper.offer(study, trial.number, 0.5, "linear", save, None)
    study.tell(trial, 0.5)
    with pytest.raises(DiskFull, match=r"^Could not save the model of trial 0 to keep it: the "
                                       r"disk of the temporary folder .* is full \("):
        keeper.raise_if_disk_full()
    assert kept(study) == []
