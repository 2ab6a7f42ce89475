"""Shared fixtures: the real national calendar and scratch copies of calendars/ to amend."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.config import PROJECT_ROOT, get_settings
from tracker.domain.calendar import BangladeshCalendar, load_calendar


@pytest.fixture(scope="session")
def calendar() -> BangladeshCalendar:
    return load_calendar()


@pytest.fixture
def calendars_copy(tmp_path: Path) -> Path:
    """A writable copy of calendars/ for amendment and validation tests."""
    target = tmp_path / "calendars"
    shutil.copytree(PROJECT_ROOT / "calendars", target)
    return target


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set TRACKER_* variables for one test; settings are re-read before and after."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


# -- databases: every DB test runs on SQLite and on PostgreSQL ---------------------------

import os  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import tracker.store.models  # noqa: E402
from tracker.store.db import make_engine  # noqa: E402

#: The server the PostgreSQL tests use (README: "Tests"). Each run of the suite (each xdist
#: worker) creates its own uniquely named database on it and drops only that one at the end,
#: so two runs on one server never touch each other's data.
POSTGRES_SERVER_URL = os.environ.get(
    "TRACKER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_run_database: dict[str, str] = {}


def _server_engine() -> Engine:
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


def postgres_url() -> str:
    """This run's own database (created on first use, dropped by pytest_sessionfinish)."""
    if "url" not in _run_database:
        name = f"tracker_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        server = _server_engine()
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        server.dispose()
        _run_database["name"] = name
        _run_database["url"] = str(sa.engine.make_url(POSTGRES_SERVER_URL).set(database=name)
                                   .render_as_string(hide_password=False))
    return _run_database["url"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the database this run created, and nothing else."""
    name = _run_database.pop("name", None)
    if name is None:
        return
    from tracker.store import db

    db.clear_engine_cache()
    server = sa.create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _postgres_engine() -> Engine:
    return make_engine(postgres_url())


def reset_schema(engine: Engine) -> None:
    """Empty this run's database (the engine always points at the run's own database)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            assert connection.engine.url.database == _run_database.get("name"), \
                "refusing to reset a database this run did not create"
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        else:
            SQLModel.metadata.drop_all(connection)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database with the current schema, on each backend."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        eng = _postgres_engine()
        reset_schema(eng)
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


NOW = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


def add_charter(session: Session, office_code: str, effective: date = date(2024, 1, 1),
                services: list[dict[str, object]] | None = None,
                ) -> tracker.store.models.CharterVersion:
    """A small hand-built charter: the deadline kinds of GUIDE §3 rules 2-7."""
    from tracker.services.offices import ensure_office
    from tracker.store.models import CharterVersion, Service

    office = ensure_office(session, office_code, go_live_date=date(2024, 7, 1))
    version = CharterVersion(office_id=office.id, effective_date=effective, source="test",
                             content_hash=f"h-{office_code}-{effective}", loaded_at=NOW)
    session.add(version)
    session.flush()
    rows = services or [
        dict(number=1, unit="working_days", amount=3, deadline_raw="৩ কার্যদিবস"),
        dict(number=2, unit="immediate", extended_working_days=3, conditional=True,
             deadline_raw="তাৎক্ষণিক/৩ কার্যদিবস (প্রযোজ্য ক্ষেত্রে)"),
        dict(number=3, unit="working_days", amount=7, conditional=True,
             deadline_raw="৭ কার্যদিবস/প্রয়োজন অনুযায়ী"),
        dict(number=4, unit="per_directive", deadline_raw="নির্দেশনা অনুযায়ী"),
        dict(number=5, unit="immediate", deadline_raw="তাৎক্ষণিক"),
    ]
    for row in rows:
        session.add(Service(charter_version_id=version.id, office_id=office.id,
                            category=str(row.pop("category", "citizen")),
                            name_bn=f"সেবা {row['number']}", **row))  # type: ignore[arg-type]
    session.flush()
    return version


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_db(request: pytest.FixtureRequest, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """TRACKER_DATABASE_URL pointed at an empty database, for CLI tests on each backend."""
    from tracker.store import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        engine = _postgres_engine()
        reset_schema(engine)
        engine.dispose()
        url = postgres_url()
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    get_settings.cache_clear()
    db.clear_engine_cache()
    yield url
    db.clear_engine_cache()
    get_settings.cache_clear()
