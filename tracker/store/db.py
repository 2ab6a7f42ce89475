"""Engine and session factory (no engine at import time) and Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.config import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Execution option naming the SQLite BEGIN mode of a transaction ("IMMEDIATE" or absent).
SQLITE_BEGIN = "tracker_sqlite_begin"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """A new engine for ``url`` (default: TRACKER_DATABASE_URL)."""
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = sa.create_engine(url, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINTs (imports roll back
            # row by row inside one transaction): let SQLAlchemy emit BEGIN itself.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A unit of work asks for the write lock up front (see session_scope); plain
            # reads stay deferred so the dashboard is never queued behind a writer.
            mode = connection.get_execution_options().get(SQLITE_BEGIN, "")
            connection.exec_driver_sql(f"BEGIN {mode}".strip())

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: the current settings' URL)."""
    return _engine_for(url or get_settings().database_url)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def clear_engine_cache() -> None:
    """Forget cached engines (tests that switch TRACKER_DATABASE_URL)."""
    _engine_for.cache_clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    On SQLite it begins IMMEDIATE: a deferred transaction that reads and then writes cannot
    wait for a concurrent writer (SQLite fails it at once with "database is locked", the busy
    timeout notwithstanding), while one holding the write lock from the start makes the
    others wait their turn (up to the 30 s busy timeout). PostgreSQL ignores the option.
    """
    with Session(engine or get_engine()) as session:
        try:
            session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_transient_lock(exc: BaseException) -> bool:
    """SQLite's "database is locked": a read transaction that tried to write after another
    connection wrote (no busy timeout helps). Safe to retry an idempotent unit of work."""
    return isinstance(exc, sa.exc.OperationalError) and "database is locked" in str(exc)


def alembic_config(engine: Engine | None = None) -> Any:
    """Alembic's configuration for the tracker's migrations (no alembic.ini: the engine is
    passed in; ``python -m tracker.store.migrations`` is the command line, docs/migrations.md).
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Revision ids carry their own slug ("0004_merge_heads"): the file is named the same.
    config.set_main_option("file_template", "%%(rev)s")
    if engine is not None:  # else env.py opens TRACKER_DATABASE_URL's engine
        config.attributes["engine"] = engine
    return config


def migration_heads() -> list[str]:
    """The head revision(s) of the migration history: exactly one, or a merge is missing."""
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` (idempotent; "head": the single head)."""
    from alembic import command

    command.upgrade(alembic_config(engine or get_engine()), revision)


def current_revision(engine: Engine) -> str | None:
    """The applied revision(s), comma-separated when several branches are applied."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
        return ",".join(sorted(heads)) or None
