"""A trial's files (its trained model, its validation probabilities) as Optuna artifacts kept
in the study's own database, so that optuna-dashboard lists and serves them and
``optuna.artifacts.download_artifact`` reads them, with nothing to set up beside the storage.

Two halves, as Optuna splits them:

- the bytes, in the blob table (``storage/_blobs.py``) under the study's id and the key
  ``artifact:<artifact id>``. The study's id is what makes ``delete_study`` (and
  ``drop_orphan_blobs``, after a study deleted elsewhere) take them away with the study;
- the listing, Optuna's trial system attribute ``artifacts:<artifact id>`` holding the
  artifact's metadata as JSON (id, file name, MIME type): what optuna-dashboard shows on the
  trial's page and ``optuna.artifacts.get_all_artifact_meta`` returns.

Optuna's ``ArtifactStore`` protocol names an artifact by its id alone (a UUID), with no
study: a store reads and removes any artifact of its storage by id, and writes need the
study to file the bytes under (``artifact_store(rdb, study_name)``). ``keep_trial_file``
writes both halves in one transaction, on a running or a finished trial alike (Optuna
refuses attributes on finished trials, so the listing is written through its tables).
"""

from __future__ import annotations

import contextlib
import io
import json
import mimetypes
import threading
import uuid
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import optuna
import sqlalchemy as sa
from optuna.artifacts.exceptions import ArtifactNotFound

from storage._blobs import _call, blob_digest, blobs
from storage._optuna_private import (
    ARTIFACTS_ATTR_PREFIX,
    DEFAULT_MIME_TYPE,
    ArtifactStore,
    TrialModel,
    TrialSystemAttributeModel,
    study_id,
)
from storage._resilient import ResilientStorage, storage_of
from storage._storage_error import StorageError
from storage._url import mask_url

if TYPE_CHECKING:
    from typing import BinaryIO

BLOB_PREFIX = "artifact:"
_MAX_ID_LENGTH = 128 - len(BLOB_PREFIX)  # the blob table's key is a String(128)
_attrs = TrialSystemAttributeModel


def _blob_key(artifact_id: str) -> str:
    if not artifact_id or len(artifact_id) > _MAX_ID_LENGTH:
        raise StorageError(f"An artifact id must have 1 to {_MAX_ID_LENGTH} characters, but "
                           f"got {artifact_id!r} ({len(artifact_id)}). Let Optuna make the id "
                           "(upload_artifact uses a UUID).")
    return BLOB_PREFIX + artifact_id


class DatabaseArtifactStore:
    """Optuna's ``ArtifactStore`` over the study storage's own database.

    ``open_reader`` and ``remove`` find an artifact of any study by its id. ``write`` files
    the bytes under the study the store was made for (``artifact_store(rdb, study_name)``),
    or, for one thread at a time, under the study named by ``writing_for`` (the dashboard's
    uploads, whose study is in the request's path); a store with neither refuses to write.
    Writing an id again replaces its bytes.
    """

    def __init__(self, rdb: ResilientStorage, study_name: str | None = None):
        self.rdb = rdb
        self.study_name = study_name
        self._study_id: int | None = None
        self._request = threading.local()

    @contextlib.contextmanager
    def writing_for(self, study_id: int) -> Iterator[None]:
        """Within the block, this thread's ``write`` calls file their bytes under
        ``study_id``."""
        before = getattr(self._request, "study_id", None)
        self._request.study_id = study_id
        try:
            yield
        finally:
            self._request.study_id = before

    def _writing_study_id(self, artifact_id: str) -> int:
        current = getattr(self._request, "study_id", None)
        if current is not None:
            return int(current)
        if self.study_name is None:
            raise StorageError(
                f"Cannot write artifact {artifact_id!r}: this artifact store reads the "
                f"artifacts of every study in {mask_url(self.rdb.url)} but was made for no "
                "study, and an artifact is stored with the study it belongs to. Make one with "
                "storage.artifact_store(rdb, study_name) to upload.")
        if self._study_id is None:
            self._study_id = _study_id_of(self.rdb, self.study_name)
        return self._study_id

    def open_reader(self, artifact_id: str) -> BinaryIO:
        key = _blob_key(artifact_id)

        def read() -> bytes | None:
            with self.rdb.engine.connect() as conn:
                data = conn.execute(sa.select(blobs.c.data).where(blobs.c.key == key)
                                    .limit(1)).scalar_one_or_none()
            return None if data is None else bytes(data)

        data = _call(self.rdb, f"read artifact {artifact_id!r}", read)
        if data is None:
            raise ArtifactNotFound(f"No artifact {artifact_id!r} in "
                                   f"{mask_url(self.rdb.url)}: it was removed, or never "
                                   "uploaded to this storage.")
        return io.BytesIO(data)

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        key = _blob_key(artifact_id)
        study_id = self._writing_study_id(artifact_id)
        data = content_body.read()

        def store() -> None:
            with self.rdb.engine.begin() as conn:
                _put(conn, study_id, key, data)

        _call(self.rdb, f"store artifact {artifact_id!r}", store)

    def remove(self, artifact_id: str) -> None:
        key = _blob_key(artifact_id)

        def drop() -> int:
            with self.rdb.engine.begin() as conn:
                return int(conn.execute(blobs.delete().where(blobs.c.key == key)).rowcount)

        if not _call(self.rdb, f"remove artifact {artifact_id!r}", drop):
            raise ArtifactNotFound(f"No artifact {artifact_id!r} in {mask_url(self.rdb.url)} "
                                   "to remove.")


if TYPE_CHECKING:
    _: ArtifactStore = DatabaseArtifactStore(ResilientStorage("", retry_window_s=0))


def artifact_store(rdb: ResilientStorage, study_name: str | None = None,
                   ) -> DatabaseArtifactStore:
    """An ``ArtifactStore`` on ``rdb`` (what ``storage.open_storage`` returns): it reads and
    removes the artifacts of every study there (what optuna-dashboard needs); with
    ``study_name`` it also uploads, filing the bytes with that study, for
    ``optuna.artifacts.upload_artifact`` on that study or its trials."""
    if study_name is not None:
        _study_id_of(rdb, study_name)  # refuse a study that does not exist now, not later
    return DatabaseArtifactStore(rdb, study_name)


def _study_id_of(rdb: ResilientStorage, study_name: str) -> int:
    try:
        return int(rdb.get_study_id_from_name(study_name))
    except KeyError:
        raise StorageError(f"No study named {study_name!r} in {mask_url(rdb.url)} to keep "
                           "artifacts for. Check the study's name (hpsearch studies lists "
                           "them).") from None


def _put(conn: sa.Connection, study_id: int, key: str, data: bytes) -> None:
    """Store ``data`` under (``study_id``, ``key``), replacing what that key held."""
    owner = conn.execute(sa.select(blobs.c.study_id).where(
        blobs.c.key == key, blobs.c.study_id != study_id).limit(1)).scalar_one_or_none()
    if owner is not None:
        raise StorageError(f"Artifact {key[len(BLOB_PREFIX):]!r} belongs to the study with "
                           f"id {owner}, not to the study with id {study_id}. Upload under a "
                           "new id (Optuna's upload_artifact makes one).")
    conn.execute(blobs.delete().where(blobs.c.study_id == study_id, blobs.c.key == key))
    conn.execute(blobs.insert().values(study_id=study_id, key=key, sha256=blob_digest(data),
                                       data=data))


def _check_filename(filename: str) -> None:
    if not filename or filename in (".", "..") or "/" in filename or "\\" in filename:
        raise StorageError(f"A trial's file is named by a plain file name, such as "
                           f"'model.keras', but got {filename!r}. Give the name without a "
                           "folder.")


def _trial_id(conn: sa.Connection, study_id: int, trial_number: int) -> int | None:
    return conn.execute(sa.select(TrialModel.trial_id).where(
        TrialModel.study_id == study_id, TrialModel.number == trial_number,
    )).scalar_one_or_none()


def _require_trial_id(conn: sa.Connection, study: optuna.Study, trial_number: int) -> int:
    found = _trial_id(conn, study_id(study), trial_number)
    if found is None:
        raise StorageError(f"Study {study.study_name!r} has no trial {trial_number}: its "
                           "files cannot be kept or dropped. Give the number of one of its "
                           "trials.")
    return found


def _listing(conn: sa.Connection, trial_ids: sa.ColumnElement[bool],
             ) -> list[tuple[int, int, str, dict[str, Any] | None]]:
    """(attribute row id, trial id, artifact id, metadata or None) of the artifacts listed on
    the trials ``trial_ids`` selects, oldest first; the metadata is None where the dashboard
    deleted the artifact (it leaves the attribute, set to null)."""
    rows = conn.execute(
        sa.select(_attrs.trial_system_attribute_id, _attrs.trial_id, _attrs.key,
                  _attrs.value_json)
        .where(trial_ids, _attrs.key.startswith(ARTIFACTS_ATTR_PREFIX))
        .order_by(_attrs.trial_system_attribute_id)).all()
    found = []
    for row_id, trial_id, key, value_json in rows:
        if trial_id is None:  # the column is nullable in Optuna's schema, never null in use
            continue
        # Optuna stores the metadata as a JSON string inside the attribute's JSON value.
        listed = json.loads(value_json)
        meta = json.loads(listed) if isinstance(listed, str) else None
        found.append((int(row_id), int(trial_id), key[len(ARTIFACTS_ATTR_PREFIX):],
                      meta if isinstance(meta, dict) else None))
    return found


def _of_trial(trial_id: int) -> sa.ColumnElement[bool]:
    return _attrs.trial_id == trial_id


def _forget(conn: sa.Connection, listed: list[tuple[int, int, str, dict[str, Any] | None]],
            ) -> None:
    """Delete these artifacts: their bytes and their attributes."""
    if not listed:
        return
    conn.execute(blobs.delete().where(blobs.c.key.in_(
        [BLOB_PREFIX + artifact_id for _, _, artifact_id, _ in listed])))
    conn.execute(sa.delete(_attrs).where(_attrs.trial_system_attribute_id.in_(
        [row_id for row_id, _, _, _ in listed])))


def keep_trial_file(study: optuna.Study, trial_number: int, filename: str,
                    data: bytes) -> None:
    """Keep ``data`` as the artifact ``filename`` of the study's trial ``trial_number``
    (running or finished), replacing the trial's artifact of that name if it has one; the
    dashboard lists it on the trial's page. Bytes and listing are written together."""
    keep_trial_files(study, trial_number, {filename: data})


def keep_trial_files(study: optuna.Study, trial_number: int,
                     files: Mapping[str, bytes]) -> None:
    """``keep_trial_file`` for each of ``files`` (file name: bytes), in one transaction: a
    trial keeps all of them or, when the write fails (a full disk), none."""
    for filename in files:
        _check_filename(filename)
    rdb = storage_of(study)

    def write() -> None:
        with rdb.engine.begin() as conn:
            trial_id = _require_trial_id(conn, study, trial_number)
            _forget(conn, [a for a in _listing(conn, _of_trial(trial_id))
                           if a[3] is not None and a[3].get("filename") in files])
            for filename, data in files.items():
                artifact_id = str(uuid.uuid4())
                guessed_type, guessed_encoding = mimetypes.guess_type(filename)
                meta = {"artifact_id": artifact_id, "filename": filename,
                        "mimetype": guessed_type or DEFAULT_MIME_TYPE,
                        "encoding": guessed_encoding}
                _put(conn, study_id(study), _blob_key(artifact_id), data)
                conn.execute(sa.insert(_attrs).values(
                    trial_id=trial_id, key=ARTIFACTS_ATTR_PREFIX + artifact_id,
                    value_json=json.dumps(json.dumps(meta))))

    names = ", ".join(map(repr, files))
    _call(rdb, f"keep {names} of trial {trial_number} of study {study.study_name!r}", write,
          writes=sum(len(data) for data in files.values()))


def trial_file(study: optuna.Study, trial_number: int, filename: str) -> bytes | None:
    """The bytes of the trial's artifact ``filename`` (the latest kept, if several), or None
    when the trial has none of that name."""
    rdb = storage_of(study)

    def read() -> bytes | None:
        with rdb.engine.connect() as conn:
            trial_id = _trial_id(conn, study_id(study), trial_number)
            if trial_id is None:
                return None
            named = [a for a in _listing(conn, _of_trial(trial_id))
                     if a[3] is not None and a[3].get("filename") == filename]
            if not named:
                return None
            data = conn.execute(sa.select(blobs.c.data).where(
                blobs.c.key == BLOB_PREFIX + named[-1][2]).limit(1)).scalar_one_or_none()
        return None if data is None else bytes(data)

    return _call(rdb, f"read {filename!r} of trial {trial_number} of study "
                      f"{study.study_name!r}", read)


def drop_trial_files(study: optuna.Study, *trial_numbers: int) -> None:
    """Delete every artifact of these trials, bytes and listing (models that left the kept
    few), in one transaction. ``give_back_space`` then returns a SQLite file's freed pages."""
    if not trial_numbers:
        return
    rdb = storage_of(study)

    def drop() -> None:
        with rdb.engine.begin() as conn:
            for trial_number in trial_numbers:
                trial_id = _require_trial_id(conn, study, trial_number)
                _forget(conn, _listing(conn, _of_trial(trial_id)))

    numbers = ", ".join(map(str, trial_numbers))
    _call(rdb, f"drop the files of trial(s) {numbers} of study {study.study_name!r}", drop)


def trial_file_sizes(study: optuna.Study) -> dict[int, int]:
    """The bytes every kept file of a trial takes together, by the number of each of the
    study's trials that keeps some."""
    rdb = storage_of(study)

    def read() -> dict[int, int]:
        in_study = _attrs.trial_id.in_(sa.select(TrialModel.trial_id).where(
            TrialModel.study_id == study_id(study)))
        with rdb.engine.connect() as conn:
            owner = {BLOB_PREFIX + artifact_id: trial_id for _, trial_id, artifact_id, meta
                     in _listing(conn, in_study) if meta is not None}
            if not owner:
                return {}
            sizes = conn.execute(sa.select(blobs.c.key, sa.func.length(blobs.c.data)).where(
                blobs.c.study_id == study_id(study), blobs.c.key.in_(owner))).all()
            numbers = dict(conn.execute(sa.select(
                TrialModel.trial_id, TrialModel.number).where(
                TrialModel.trial_id.in_(set(owner.values())))).all())
        found: dict[int, int] = {}
        for key, size in sizes:
            number = int(numbers[owner[key]])
            found[number] = found.get(number, 0) + int(size)
        return found

    return _call(rdb, f"measure the kept files of study {study.study_name!r}", read)


def trials_with_file(study: optuna.Study, filename: str) -> list[int]:
    """The numbers of the study's trials that keep an artifact named ``filename``."""
    rdb = storage_of(study)

    def read() -> list[int]:
        in_study = _attrs.trial_id.in_(sa.select(TrialModel.trial_id).where(
            TrialModel.study_id == study_id(study)))
        with rdb.engine.connect() as conn:
            holding = {trial_id for _, trial_id, _, meta in _listing(conn, in_study)
                       if meta is not None and meta.get("filename") == filename}
            if not holding:
                return []
            numbers = conn.execute(sa.select(TrialModel.number).where(
                TrialModel.trial_id.in_(holding))).scalars().all()
        return sorted(int(n) for n in numbers if n is not None)

    return _call(rdb, f"list the trials of study {study.study_name!r} keeping {filename!r}",
                 read)
