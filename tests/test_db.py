"""Migrations and concurrency on both backends."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, func, select

from tests.conftest import _postgres_engine, add_charter, reset_schema
from tracker.domain.localtime import DHAKA
from tracker.services.offices import load_geography_rows
from tracker.services.requests import (
    ConcurrentUpdate,
    NewRequest,
    RequestError,
    log_request,
    update,
)
from tracker.store import db
from tracker.store.models import Request, RequestEvent


def _migrated(engine: Engine) -> list[object]:
    db.upgrade(engine)
    db.upgrade(engine)  # idempotent
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection),
                                     SQLModel.metadata))


def test_migrations_build_exactly_the_model_schema_on_sqlite(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    assert _migrated(engine) == []
    heads = ScriptDirectory.from_config(db.alembic_config(engine)).get_heads()
    assert db.current_revision(engine) == ",".join(sorted(heads))


def test_migration_history_has_exactly_one_head() -> None:
    """Two branches written at once need a merge revision (docs/migrations.md)."""
    heads = db.migration_heads()
    assert len(heads) == 1, f"several heads, add a merge revision: {heads}"


def test_a_database_on_both_old_branches_upgrades_to_the_single_head(tmp_path: Path) -> None:
    """Databases upgraded to "heads" before the merge existed sat on 0002 and 0003 at once."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0002_digests")
    db.upgrade(engine, "0003_grs")
    assert db.current_revision(engine) == "0002_digests,0003_grs"
    db.upgrade(engine)
    assert db.current_revision(engine) == db.migration_heads()[0]


def test_migrations_build_exactly_the_model_schema_on_postgresql() -> None:
    engine = _postgres_engine()
    reset_schema(engine)
    assert _migrated(engine) == []


def test_concurrent_officers_lose_no_update_on_postgresql() -> None:
    """20 threads log and update requests for a bounded time: no lost update, no duplicate,
    exactly one event per change."""
    engine = _postgres_engine()
    reset_schema(engine)
    SQLModel.metadata.create_all(engine)
    office = "jashore.keshabpur"
    with Session(engine) as session:
        load_geography_rows(session)
        add_charter(session, office)
        session.commit()
    now = datetime(2025, 6, 30, 10, tzinfo=UTC)
    shared_ids: list[int] = []
    with Session(engine) as session:
        for i in range(5):
            r = log_request(session, new=NewRequest(
                office_code=office, service="citizen-1", channel="phone",
                received_at=datetime(2025, 6, 1, 10, tzinfo=DHAKA), external_ref=f"S{i}"),
                now=now, user=None)
            assert r.id is not None
            shared_ids.append(r.id)
        session.commit()

    deadline = time.monotonic() + 4.0
    applied: Counter[int] = Counter()
    logged: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        k = 0
        try:
            while time.monotonic() < deadline and k < 40:
                k += 1
                rid = shared_ids[(n + k) % len(shared_ids)]
                try:
                    with db.session_scope(engine) as session:
                        update(session, request_id=rid,
                               changes={"summary": f"w{n}-{k}"}, now=now, user=None)
                    with lock:
                        applied[rid] += 1
                except ConcurrentUpdate:
                    pass  # refused cleanly; nothing written
                ref = f"T{n}-{k % 5}"  # repeats: the second use must be refused
                try:
                    with db.session_scope(engine) as session:
                        log_request(session, new=NewRequest(
                            office_code=office, service="citizen-1", channel="web",
                            received_at=datetime(2025, 6, 2, 10, tzinfo=DHAKA),
                            external_ref=ref), now=now, user=None)
                    with lock:
                        logged.append(ref)
                except RequestError:
                    pass
                except Exception as exc:  # a unique-constraint race is also a refusal
                    if "unique" not in str(exc).lower() and "duplicate" not in str(exc).lower():
                        raise
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[:3]

    with Session(engine) as session:
        for rid in shared_ids:
            request = session.get(Request, rid)
            assert request is not None
            events = session.exec(select(func.count()).select_from(RequestEvent).where(
                RequestEvent.request_id == rid, RequestEvent.action == "updated")).one()
            # Every committed update is one event and one version bump: none lost.
            assert events == applied[rid]
            assert request.version == 1 + applied[rid]
        refs = session.exec(select(Request.external_ref).where(
            col(Request.external_ref).like("T%"))).all()
        assert len(refs) == len(set(refs)) == len(set(logged)) == len(logged)
        logged_events = session.exec(select(func.count()).select_from(RequestEvent).where(
            RequestEvent.action == "logged")).one()
        assert logged_events == len(refs) + len(shared_ids)
    assert sum(applied.values()) > 20


def test_timestamps_keep_their_zone_on_both_backends(engine: Engine) -> None:
    with Session(engine) as session:
        load_geography_rows(session)
        add_charter(session, "jashore.keshabpur")
        received = datetime(2025, 3, 26, 18, 30, tzinfo=UTC)  # 00:30 on 27 Mar in Dhaka
        r = log_request(session, new=NewRequest(
            office_code="jashore.keshabpur", service="citizen-1", channel="email",
            received_at=received), now=received + timedelta(hours=1), user=None)
        session.commit()
        rid = r.id
    with Session(engine) as session:
        stored = session.get(Request, rid)
        assert stored is not None
        assert stored.received_at == received and stored.received_at.tzinfo is not None
        assert str(stored.received_date) == "2025-03-27"
