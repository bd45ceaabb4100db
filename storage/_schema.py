"""Creating the tables once when many processes open an empty database at the same moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

# pg_advisory_lock key shared by every hpsearch process: the bytes of "hpsearch" as a bigint.
SCHEMA_LOCK_KEY = int.from_bytes(b"hpsearch", "big")


def _is_postgres(url: str) -> bool:
    return url.startswith("postgres")


@contextmanager
def schema_lock(url: str) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock while the caller creates (or checks) the tables.

    ``CREATE TABLE IF NOT EXISTS`` is not atomic in PostgreSQL: two processes that both find a
    table missing both create it, and one fails. Under this lock the second one finds the table.
    The lock lives on its own short connection and ends with it, even if the process dies.
    A no-op for SQLite, whose file lock serialises schema changes (see ``open_storage``).
    """
    if not _is_postgres(url):
        yield
        return
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool,
                              connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(sa.func.pg_advisory_lock(SCHEMA_LOCK_KEY)))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(SCHEMA_LOCK_KEY)))
                conn.commit()
    finally:
        engine.dispose()
