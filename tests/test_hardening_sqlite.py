"""Issue 11 item 13 (SQLite part): concurrent writers wait for each other instead of failing.

A deferred ``BEGIN`` that reads and then writes cannot wait for the write lock once another
connection has committed (SQLite answers "database is locked" at once, whatever the busy
timeout); a unit of work that begins ``IMMEDIATE`` takes the write lock first and waits.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import col, select

from tests.conftest import SMALL_DEMO, DemoCopy
from tracker.services import requests
from tracker.store.db import make_engine, session_scope
from tracker.store.models import Request, RequestEvent

WRITERS = 5
UPDATES_EACH = 10
NOW = datetime(2024, 9, 1, 6, tzinfo=UTC)


def test_five_concurrent_writers_on_sqlite_all_succeed(demo_copy: DemoCopy) -> None:
    engine = make_engine(demo_copy(SMALL_DEMO, "sqlite"))
    with session_scope(engine) as session:
        ids = [r for r in session.exec(select(Request.id).order_by(col(Request.id)).limit(WRITERS))]
        events_before = session.exec(select(sa.func.count()).select_from(RequestEvent)).one()
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(request_id: int) -> None:
        start.wait()
        for n in range(UPDATES_EACH):
            try:
                with session_scope(engine) as session:
                    # read first, then write: the pattern a deferred BEGIN cannot upgrade
                    session.exec(select(sa.func.count()).select_from(Request)).one()
                    requests.update(session, request_id=request_id,
                                    changes={"summary": f"update {n}"}, now=NOW, user=None)
            except Exception as exc:  # collected: the assertion below names them
                failures.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with session_scope(engine) as session:
        events_after = session.exec(select(sa.func.count()).select_from(RequestEvent)).one()
        summaries = {r.summary for r in session.exec(select(Request).where(
            col(Request.id).in_(ids)))}
    assert events_after - events_before == WRITERS * UPDATES_EACH
    assert summaries == {f"update {UPDATES_EACH - 1}"}
    engine.dispose()


def test_reads_outside_a_unit_of_work_do_not_take_the_write_lock(demo_copy: DemoCopy) -> None:
    """A reader (the dashboard, a report) is not queued behind a writer."""
    engine = make_engine(demo_copy(SMALL_DEMO, "sqlite"))
    with session_scope(engine) as writer:
        requests.update(writer, request_id=1, changes={"summary": "held"}, now=NOW, user=None)
        with engine.connect() as reader:  # would wait 30 s if it asked for the write lock
            assert reader.execute(sa.text("SELECT count(*) FROM request")).scalar_one() > 0
    engine.dispose()
