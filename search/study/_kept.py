"""What a study keeps of its best trials (their trained models and validation probabilities,
as artifacts of the trials in its own database) and of its ensemble (a model and a record),
and which of them stay under the study's bound (``--keep-models``, ``--keep-bytes``)."""

from __future__ import annotations

import io
import logging
import shutil
import zipfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
from optuna.trial import TrialState

import storage
from search.metrics import Direction
from search.options import KeepBound, format_size

MODEL_FILE = "model.keras"
PROBS_FILE = "validation_probabilities.npy"
HELD_FILE = "held_probabilities.npy"  # of the validation rows held out of every choice
REFIT_KEY = "answer:model.keras"  # the answer trained again on every labelled row, a blob
ENSEMBLE_KEY = "ensemble:model.keras"  # the ensemble's model, a blob of the study
ENSEMBLE_ATTR = "hpsearch_ensemble"  # its members, weights and validation metrics
# The study's answer: which model, its honest estimate on the held rows, and its refit.
ANSWER_ATTR = "hpsearch_answer"
log = logging.getLogger("hpsearch")


def probs_bytes(probs: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(probs, dtype="float32"), allow_pickle=False)
    return buffer.getvalue()


def kept_model(study: optuna.Study, number: int) -> bytes | None:
    """Trial ``number``'s trained model (a ``.keras`` file's bytes), if the study kept it."""
    return storage.trial_file(study, number, MODEL_FILE)


def kept_probabilities(study: optuna.Study, name: str = PROBS_FILE) -> dict[int, np.ndarray]:
    """The validation probabilities (or, with ``HELD_FILE``, the held rows') of every trial
    the study kept them for, by number."""
    found = {}
    for number in storage.trials_with_file(study, name):
        data = storage.trial_file(study, number, name)
        if data is not None:
            found[number] = np.load(io.BytesIO(data), allow_pickle=False)
    return found


def ensemble_record(study: optuna.Study) -> dict[str, Any] | None:
    """The study's ensemble (members, weights, metrics) while it beats the study's best trial;
    None once a trial finished since beats it (workers elsewhere go on after an ensemble)."""
    record = study.user_attrs.get(ENSEMBLE_ATTR)
    if not record:
        return None
    try:
        best = study.best_value
    except ValueError:  # no completed trial: nothing to beat
        return record
    maximize = study.direction is optuna.study.StudyDirection.MAXIMIZE
    return record if (record["value"] > best if maximize else record["value"] < best) else None


def answer_record(study: optuna.Study) -> dict[str, Any] | None:
    """The study's answer as its last run, ``refit`` or ``ensemble`` settled it: the model
    (``"trial"`` or ``"ensemble"``), its estimate on the held rows with an interval, and
    whether it was refitted on every row; None when not settled, or when a trial finished
    since beats it on validation (the answer is out of date)."""
    record = study.user_attrs.get(ANSWER_ATTR)
    if not record:
        return None
    try:
        best = study.best_trial.number
    except ValueError:
        return None
    return record if record.get("best_trial") == best else None


def packed_model(data: bytes) -> bytes:
    """A ``.keras`` file's bytes with its members deflated, still a ``.keras`` file that Keras,
    ``export --model`` and the dashboard's download read as they are (bytes that are no zip
    come back as given). Keras stores its members uncompressed: measured on a 43-class study,
    a linear model went from 22.8 to 11.3 MB (its vocabulary in config.json about 7x smaller,
    its weights 1.8x, since the n-grams a trial leaves out have zero weights) in 0.8 s, and an
    n-gram MLP from 102.5 to 92.7 MB (its dense weights hardly shrink) in 4 s."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return data
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as packed:
        for info in source.infolist():
            with source.open(info) as member, packed.open(
                    info.filename, "w", force_zip64=info.file_size >= zipfile.ZIP64_LIMIT,
            ) as copy:
                shutil.copyfileobj(member, copy, 1 << 20)
    return out.getvalue() if out.tell() < len(data) else data


@dataclass(frozen=True)
class KeptCandidate:
    """A finished trial that keeps its files, or offers them: its rank and their bytes."""

    number: int
    value: float
    family: str
    size: int


def _best_first(direction: Direction) -> Callable[[tuple[float, int]], tuple[float, int]]:
    """The sort key of (value, trial number) that puts the best first, the earlier of equals
    first (as ``best_of`` ranks them)."""
    sign = -1.0 if direction is Direction.MAXIMIZE else 1.0
    return lambda scored: (sign * scored[0], scored[1])


def choose_kept(candidates: Sequence[KeptCandidate], protected: Collection[int],
                bound: KeepBound, direction: Direction, used: int = 0) -> set[int]:
    """The trials that keep their files: every ``protected`` one, whatever it takes; then
    each family's best, best first (an ensemble gains most from members that err
    differently); then the others, best first; each while fewer than ``bound.models`` are kept
    and its bytes fit in ``bound.bytes`` with those kept before it and ``used`` (the study's
    other models: its ensemble's and refitted answer's)."""
    key = _best_first(direction)
    ranked = sorted(candidates, key=lambda c: key((c.value, c.number)))
    family_best: dict[str, int] = {}
    for candidate in ranked:
        family_best.setdefault(candidate.family, candidate.number)
    first = set(protected) | set(family_best.values())
    order = ([c for c in ranked if c.number in protected]
             + [c for c in ranked if c.number in first and c.number not in protected]
             + [c for c in ranked if c.number not in first])
    kept: set[int] = set()
    total = used
    for candidate in order:
        fits = len(kept) < bound.models and total + candidate.size <= bound.bytes
        if candidate.number in protected or fits:
            kept.add(candidate.number)
            total += candidate.size
    return kept


def protected_trials(study: optuna.Study) -> set[int]:
    """The trials whose kept model the study's results rest on: the members of its stored
    ensemble, and of its answer (its refit was trained from them) with the trial it was
    compared with. (The current best trial is protected besides, by ``plan_kept``.)"""
    found: set[int] = set()
    for attr in (ENSEMBLE_ATTR, ANSWER_ATTR):
        record = study.user_attrs.get(attr) or {}
        found |= {int(member["trial"]) for member in record.get("members", [])}
        if record.get("best_trial") is not None:
            found.add(int(record["best_trial"]))
    return found


def plan_kept(study: optuna.Study, bound: KeepBound, direction: Direction,
              offered: KeptCandidate | None = None) -> tuple[set[int], list[int]]:
    """(the trials that keep their files under ``bound``, with ``offered``, a finished
    trial's files not stored yet; the finished trials whose files go). The current best trial
    is protected with ``protected_trials``. A running trial's files are left alone: its worker
    may be keeping them."""
    sizes = storage.trial_file_sizes(study)
    trials = study.get_trials(deepcopy=False)
    scored = [(float(t.value), t.number) for t in trials if t.state is TrialState.COMPLETE
              and t.value is not None and (offered is None or t.number != offered.number)]
    family = {t.number: str(t.params.get("family")) for t in trials}
    candidates = [KeptCandidate(number, value, family[number], sizes[number])
                  for value, number in scored if number in sizes]
    if offered is not None:
        candidates.append(offered)
        scored.append((offered.value, offered.number))
    protected = protected_trials(study)
    if scored:
        protected.add(min(scored, key=_best_first(direction))[1])
    used = sum(storage.blob_sizes(storage.storage_of(study), study.study_name,
                                  (ENSEMBLE_KEY, REFIT_KEY)).values())
    kept = choose_kept(candidates, protected, bound, direction, used)
    finished = {t.number for t in trials if t.state in (
        TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)}
    return kept, sorted(n for n in sizes if n in finished and n not in kept)


def trim_kept(study: optuna.Study, bound: KeepBound, direction: Direction) -> list[int]:
    """Drop the files of the trials that no longer fit ``bound`` (lowered by ``hpsearch
    update``, or crowded out by an ensemble or a refit) and give their space back; returns
    their numbers."""
    _, gone = plan_kept(study, bound, direction)
    if gone:
        storage.drop_trial_files(study, *gone)
        storage.give_back_space(storage.storage_of(study))
        log.info("dropped the kept models of trial(s) %s: over the study's bound of %d "
                 "model(s) in %s", ", ".join(map(str, gone)), bound.models,
                 format_size(bound.bytes))
    return gone
