"""Binary payloads kept beside the study in the same database (the vectorized data cache).

Workers on other machines then need only the storage URL and the study name.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
import sqlalchemy.exc

from storage._errors import StorageError
from storage._rdb import engine_kwargs
from storage._schema import schema_lock
from storage._url import mask_secrets, mask_url

_metadata = sa.MetaData()
blobs = sa.Table(
    "hpsearch_blobs",
    _metadata,
    sa.Column("study_name", sa.String(512), primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)


def _engine(url: str) -> sa.Engine:
    kwargs = engine_kwargs(url)
    kwargs.pop("pool_size", None)
    kwargs.pop("max_overflow", None)
    return sa.create_engine(url, poolclass=sa.pool.NullPool, **kwargs)


def _wrap(url: str, action: str, exc: Exception) -> StorageError:
    return StorageError(
        f"Could not {action} in {mask_url(url)}: {mask_secrets(str(exc).splitlines()[0], url)}"
    )


def put_blob(url: str, study_name: str, key: str, data: bytes) -> str:
    """Store ``data`` under (study, key), replacing what was there; return its sha256."""
    digest = hashlib.sha256(data).hexdigest()
    engine = _engine(url)
    try:
        with schema_lock(url):
            _metadata.create_all(engine, checkfirst=True)
        with engine.begin() as conn:
            conn.execute(blobs.delete().where(blobs.c.study_name == study_name, blobs.c.key == key))
            conn.execute(
                blobs.insert().values(study_name=study_name, key=key, sha256=digest, data=data)
            )
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise _wrap(url, f"store {key!r} for study {study_name!r}", exc) from None
    finally:
        engine.dispose()
    return digest


def get_blob(url: str, study_name: str, key: str) -> tuple[bytes, str] | None:
    """The (data, sha256) stored under (study, key), or None."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(blobs.name):
                return None
            row = conn.execute(
                sa.select(blobs.c.data, blobs.c.sha256).where(
                    blobs.c.study_name == study_name, blobs.c.key == key
                )
            ).first()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise _wrap(url, f"read {key!r} of study {study_name!r}", exc) from None
    finally:
        engine.dispose()
    if row is None:
        return None
    return bytes(row[0]), str(row[1])


def delete_blobs(url: str, study_name: str) -> None:
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            if sa.inspect(conn).has_table(blobs.name):
                conn.execute(blobs.delete().where(blobs.c.study_name == study_name))
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise _wrap(url, f"delete the blobs of study {study_name!r}", exc) from None
    finally:
        engine.dispose()


def blob_keys(url: str, study_name: str, prefix: str = "") -> list[str]:
    """The keys stored for the study that start with ``prefix``."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(blobs.name):
                return []
            rows = conn.execute(sa.select(blobs.c.key).where(
                blobs.c.study_name == study_name, blobs.c.key.startswith(prefix))).all()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise _wrap(url, f"list the blobs of study {study_name!r}", exc) from None
    finally:
        engine.dispose()
    return sorted(str(row[0]) for row in rows)


def delete_blob(url: str, study_name: str, key: str) -> None:
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(blobs.delete().where(blobs.c.study_name == study_name,
                                              blobs.c.key == key))
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise _wrap(url, f"delete {key!r} of study {study_name!r}", exc) from None
    finally:
        engine.dispose()
