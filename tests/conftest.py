"""Shared fixtures: the real national calendar, scratch copies of calendars/, databases on
both backends, and demo databases built once per run.

Demo databases — use these instead of calling ``build_demo`` (or ``tracker demo``) in a test:
each demo is built once per run as a template (a SQLite file; a PostgreSQL database copied
with CREATE DATABASE ... TEMPLATE), see tests/databases.py for names and clean-up.

- ``demo_copy(spec, backend)`` (function fixture, a factory): a fresh writable copy, a URL;
  dropped after the test. For any test that writes::

      def test_x(demo_copy):
          url = demo_copy(DemoSpec(until=date(2024, 8, 20)), "postgresql")

- ``demo_databases.shared(spec, backend)`` (session fixture): one copy per worker that every
  read-only test shares — never write to it.
- ``seeded_engine`` (function fixture, on each backend): an Engine on a writable copy of
  DIGEST_DEMO — the drop-in for ``engine`` + ``seed(engine, until=date(2024, 8, 20))``.
- ``DemoSpec(until, seed=1, builder=Builder.MODELS)``: ``Builder.MIGRATIONS`` makes the schema
  with Alembic, ``Builder.CLI`` runs ``tracker demo``. FULL_DEMO, SMALL_DEMO and DIGEST_DEMO
  below are the ones in use: reuse one rather than adding a near-twin (each is a build).

The PostgreSQL server: 127.0.0.1:5432 as user postgres, or TRACKER_TEST_POSTGRES_URL (any
database on the server; it is used only to create and drop this run's own databases).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import tracker.store.models
from tests.databases import (
    BACKENDS,
    POSTGRES_SERVER_URL,
    Backend,
    Builder,
    DemoCopy,
    DemoDatabases,
    DemoSpec,
    RunNames,
    create_database,
    drop_run,
    drop_worker_databases,
    mark_postgres_used,
)
from tracker.config import PROJECT_ROOT, get_settings
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.store.db import make_engine

__all__ = ["POSTGRES_SERVER_URL", "Backend", "Builder", "DemoCopy", "DemoSpec"]

#: The full demo (a whole half fiscal year, five offices) most demo tests share.
FULL_DEMO = DemoSpec(until=date(2025, 1, 31), seed=3)
#: Two months of log: enough for a rollup, a login or a browser session.
SMALL_DEMO = DemoSpec(until=date(2024, 8, 31), seed=1)
#: The log of the digest tests (jobs, scheduler): it ends on Tuesday 20 August 2024.
DIGEST_DEMO = DemoSpec(until=date(2024, 8, 20), seed=1)


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


# -- this run's names (one run id for the controller and every xdist worker) ---------------

_names: list[RunNames] = []


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    run = workerinput["tracker_test_run"] if workerinput else RunNames.new_run_id()
    _names.append(RunNames(run=run, worker=os.environ.get("PYTEST_XDIST_WORKER", "main")))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """xdist: every worker gets the controller's run id."""
    node.workerinput["tracker_test_run"] = run_names().run  # type: ignore[attr-defined]


def run_names() -> RunNames:
    assert _names, "pytest_configure has not run"
    return _names[-1]


@pytest.hookimpl(trylast=True)  # after the session fixtures' teardown
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop what this run created, and nothing else."""
    names = run_names()
    try:
        drop_worker_databases(names)
        if not hasattr(session.config, "workerinput"):  # the controller, or the only process
            drop_run(names)
    except sa.exc.OperationalError as exc:
        session.config.get_terminal_writer().line(
            f"could not drop this run's databases ({names.run}*): {exc}", yellow=True)


# -- databases: every DB test runs on SQLite and on PostgreSQL ---------------------------

_run_database: dict[str, str] = {}


def postgres_url() -> str:
    """This worker's own scratch database (created on first use, dropped at the end)."""
    if "url" not in _run_database:
        names = run_names()
        mark_postgres_used(names)
        _run_database["url"] = create_database(names.own_database)
        _run_database["name"] = names.own_database
    return _run_database["url"]


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
    assert office.id is not None
    version = CharterVersion(office_id=office.id, effective_date=effective, source="test",
                             content_hash=f"h-{office_code}-{effective}", loaded_at=NOW)
    session.add(version)
    session.flush()
    assert version.id is not None
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


# -- demo databases, built once per run (see the module docstring) ------------------------


@pytest.fixture(scope="session")
def demo_databases(tmp_path_factory: pytest.TempPathFactory) -> DemoDatabases:
    """The run's demo templates; ``.shared(spec, backend)`` for read-only tests."""
    return DemoDatabases(run_names(), tmp_path_factory.mktemp("demo-shared"))


@pytest.fixture
def demo_copy(demo_databases: DemoDatabases, tmp_path: Path) -> Iterator[DemoCopy]:
    """A factory: ``demo_copy(spec, backend)`` is a fresh writable copy of that demo (a URL),
    dropped after the test."""
    made: list[str] = []

    def make(spec: DemoSpec, backend: Backend | str = Backend.SQLITE) -> str:
        made.append(demo_databases.copy(spec, backend, folder=tmp_path))
        return made[-1]

    yield make
    for url in made:
        demo_databases.drop(url)


@pytest.fixture(params=BACKENDS)
def seeded_engine(request: pytest.FixtureRequest, demo_copy: DemoCopy) -> Iterator[Engine]:
    """A writable copy of DIGEST_DEMO on each backend: what ``engine`` followed by
    ``seed(engine, until=date(2024, 8, 20))`` gives, without building the demo again."""
    engine = make_engine(demo_copy(DIGEST_DEMO, request.param))
    yield engine
    engine.dispose()
