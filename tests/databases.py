"""The databases a test run creates, and the demo templates built once per run.

Naming (so that runs sharing one PostgreSQL server never touch each other's data): a run is
``tracker_test_<controller pid>_<random hex>`` (one name for the whole run, passed to every
xdist worker). Everything the run creates is named after it:

- ``<run>_<worker>``            the worker's own scratch database (the ``engine`` fixture);
- ``<run>_<worker>_r_<demo>``   the worker's shared, read-only copy of a demo;
- ``<run>_<worker>_c<n>``       one test's writable copy of a demo (dropped after the test);
- ``<run>_demo_<demo>``         a demo template, built once per run by whichever worker
                                needs it first (a file lock makes the others wait);
- ``$TMPDIR/<run>/``            the SQLite demo templates and the locks.

A worker drops its own databases at the end; the controller (or the only process, without
xdist) then drops every database whose name starts with ``<run>_`` and the template folder.
A crashed run leaves its ``tracker_test_*`` databases behind, which is harmless; no run ever
drops a database that is not named after itself.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from tracker.store import db

#: The server the PostgreSQL tests use (README: "Tests"): any database on it will do, it is
#: used only to create and drop this run's own databases.
POSTGRES_SERVER_URL = os.environ.get(
    "TRACKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TRACKER = Path(sys.executable).parent / "tracker"
MAX_NAME = 63  # PostgreSQL truncates longer identifiers (NAMEDATALEN - 1)


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


BACKENDS = [Backend.SQLITE, Backend.POSTGRESQL]


class Builder(StrEnum):
    """How a demo's schema and rows are made (each is a path the product itself uses)."""

    MODELS = "orm"          # SQLModel.metadata.create_all, then build_demo
    MIGRATIONS = "alembic"  # db.upgrade (Alembic), then build_demo
    CLI = "cli"             # `tracker demo --reset --until D --seed N` in a subprocess


@dataclass(frozen=True)
class DemoSpec:
    """One demo database: the synthetic log up to ``until`` with ``seed``."""

    until: date
    seed: int = 1
    builder: Builder = Builder.MODELS

    @property
    def key(self) -> str:
        return f"d{self.until:%Y%m%d}_s{self.seed}_{self.builder.value}"


class DemoCopy(Protocol):
    """The ``demo_copy`` fixture: a fresh writable copy of a demo, as a URL."""

    def __call__(self, spec: DemoSpec, backend: Backend | str = Backend.SQLITE) -> str: ...


# -- this run's names -------------------------------------------------------------------


@dataclass(frozen=True)
class RunNames:
    run: str     # tracker_test_<pid>_<hex>, the same in every worker of the run
    worker: str  # gw0, gw1, ... or "main" without xdist

    @classmethod
    def new_run_id(cls) -> str:
        return f"tracker_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    @property
    def own_database(self) -> str:
        return _checked(f"{self.run}_{self.worker}")

    def template_database(self, spec: DemoSpec) -> str:
        return _checked(f"{self.run}_demo_{spec.key}")

    def shared_database(self, spec: DemoSpec) -> str:
        return _checked(f"{self.own_database}_r_{spec.key}")

    def copy_database(self, number: int) -> str:
        return _checked(f"{self.own_database}_c{number}")

    @property
    def template_dir(self) -> Path:
        return Path(tempfile.gettempdir()) / self.run

    def is_workers(self, name: str) -> bool:
        return name == self.own_database or name.startswith(self.own_database + "_")

    def is_runs(self, name: str) -> bool:
        return name == self.run or name.startswith(self.run + "_")


def _checked(name: str) -> str:
    assert len(name) <= MAX_NAME, f"database name too long for PostgreSQL: {name}"
    return name


# -- the PostgreSQL server ----------------------------------------------------------------


def server_engine() -> Engine:
    """An AUTOCOMMIT engine on the server (fails under CI, skips elsewhere, if it is down)."""
    engine = sa.create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_SERVER_URL}")
    return engine


def database_url(name: str) -> str:
    return sa.engine.make_url(POSTGRES_SERVER_URL).set(database=name).render_as_string(
        hide_password=False)


def create_database(name: str, *, template: str | None = None) -> str:
    sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    server = server_engine()
    try:
        with server.connect() as connection:
            connection.execute(sa.text(sql))
    finally:
        server.dispose()
    return database_url(name)


def forget_engines(url: str) -> None:
    """Close the pooled connections tracker.store.db keeps for ``url``."""
    db.get_engine(url).dispose()
    db.clear_engine_cache()


def drop_databases(names: list[str]) -> None:
    """Drop these databases (FORCE: a connection a test leaked must not keep one alive)."""
    if not names:
        return
    for name in names:
        forget_engines(database_url(name))
    server = sa.create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


def existing_databases() -> list[str]:
    server = sa.create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            return list(connection.execute(sa.text("SELECT datname FROM pg_database"))
                        .scalars())
    finally:
        server.dispose()


# -- building a demo ----------------------------------------------------------------------


def build_demo_database(url: str, spec: DemoSpec) -> None:
    """Fill the empty database at ``url`` with the demo, and close every connection."""
    if spec.builder is Builder.CLI:
        done = subprocess.run(
            [str(TRACKER), "demo", "--reset", "--until", spec.until.isoformat(),
             "--seed", str(spec.seed)],
            env={**os.environ, "TRACKER_DATABASE_URL": url}, capture_output=True, text=True,
            check=False)
        assert done.returncode == 0, f"tracker demo failed:\n{done.stdout}\n{done.stderr}"
        return
    from tracker.services.demo import build_demo

    engine = db.make_engine(url)
    try:
        if spec.builder is Builder.MIGRATIONS:
            db.upgrade(engine)
        else:
            SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            build_demo(session, until=spec.until, seed=spec.seed)
            session.commit()
    finally:
        engine.dispose()


def _self_contained_sqlite(path: Path) -> None:
    """Fold the WAL into the main file, so that copying that one file copies everything
    (make_engine switches every copy back to WAL when it connects)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    assert not Path(f"{path}-wal").exists(), f"{path}: the WAL was not folded in"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One process of the run at a time (xdist workers are processes)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class DemoDatabases:
    """The demo templates of this run and the copies made from them (see module docstring).

    ``shared(spec, backend)``  a URL this worker's read-only tests share (never write to it);
    ``copy(spec, backend, folder=...)``  a fresh writable URL; ``drop(url)`` when done
    (the ``demo_copy`` fixture does both).
    """

    def __init__(self, names: RunNames, folder: Path) -> None:
        self.names = names
        self.folder = folder  # this worker's files: the shared SQLite copies
        self._shared: dict[tuple[DemoSpec, Backend], str] = {}
        self._numbers = itertools.count(1)
        names.template_dir.mkdir(parents=True, exist_ok=True)

    def shared(self, spec: DemoSpec, backend: Backend | str) -> str:
        backend = Backend(backend)
        if (spec, backend) not in self._shared:
            if backend is Backend.SQLITE:
                url = self._sqlite_copy(spec, self.folder / f"shared_{spec.key}.db")
            else:
                url = self._postgres_copy(spec, self.names.shared_database(spec))
            self._shared[spec, backend] = url
        return self._shared[spec, backend]

    def copy(self, spec: DemoSpec, backend: Backend | str, *, folder: Path) -> str:
        if Backend(backend) is Backend.SQLITE:
            return self._sqlite_copy(spec, folder / f"demo_{next(self._numbers)}.db")
        return self._postgres_copy(spec, self.names.copy_database(next(self._numbers)))

    def drop(self, url: str) -> None:
        """Drop a copy made by ``copy`` (a SQLite copy is a file in the test's tmp_path)."""
        if url.startswith("postgresql"):
            name = sa.engine.make_url(url).database
            assert name and self.names.is_workers(name), f"not this worker's copy: {url}"
            drop_databases([name])
        else:
            forget_engines(url)

    # -- templates --------------------------------------------------------------------

    def _sqlite_template(self, spec: DemoSpec) -> Path:
        target = self.names.template_dir / f"{spec.key}.db"
        with _locked(self.names.template_dir / f"{spec.key}.sqlite.lock"):
            if not target.exists():
                building = target.with_suffix(".building.db")
                for leftover in building.parent.glob(building.name + "*"):
                    leftover.unlink()
                build_demo_database(f"sqlite:///{building}", spec)
                _self_contained_sqlite(building)
                building.rename(target)  # only a complete template ever has this name
        return target

    def _sqlite_copy(self, spec: DemoSpec, path: Path) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._sqlite_template(spec), path)
        return f"sqlite:///{path}"

    def _postgres_copy(self, spec: DemoSpec, name: str) -> str:
        template = self.names.template_database(spec)
        ready = self.names.template_dir / f"{spec.key}.postgresql.ready"
        # Under the lock: CREATE DATABASE ... TEMPLATE needs nobody else on the template.
        with _locked(self.names.template_dir / f"{spec.key}.postgresql.lock"):
            if not ready.exists():
                mark_postgres_used(self.names)
                url = create_database(template)
                try:
                    build_demo_database(url, spec)
                    forget_engines(url)
                    _refuse_connections(template)
                except BaseException:
                    drop_databases([template])
                    raise
                ready.touch()
            return create_database(name, template=template)


def _refuse_connections(name: str) -> None:
    """A template nobody can connect to can always be copied."""
    server = server_engine()
    try:
        with server.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
    finally:
        server.dispose()


def mark_postgres_used(names: RunNames) -> None:
    """Tell the controller to look for this run's databases on the server at the end."""
    names.template_dir.mkdir(parents=True, exist_ok=True)
    (names.template_dir / "postgresql.used").touch()


# -- the end of a run -----------------------------------------------------------------------


def drop_worker_databases(names: RunNames) -> None:
    """A worker's own databases: its scratch database and its demo copies."""
    if not (names.template_dir / "postgresql.used").exists():
        return
    drop_databases([n for n in existing_databases() if names.is_workers(n)])


def drop_run(names: RunNames) -> None:
    """Everything named after this run (after the workers are done): templates, and the
    databases of a worker that crashed before it could drop its own."""
    if (names.template_dir / "postgresql.used").exists():
        drop_databases([n for n in existing_databases() if names.is_runs(n)])
    shutil.rmtree(names.template_dir, ignore_errors=True)
