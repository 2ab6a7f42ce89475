"""The demo database: realistic, deterministic, and the same on SQLite and PostgreSQL.
The demos are built by build_demo once per run (conftest: demo_databases) and read here."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tests.conftest import FULL_DEMO, SMALL_DEMO
from tests.databases import DemoDatabases, DemoSpec
from tracker.domain.periods import fiscal_year
from tracker.services.auth import SYSTEM
from tracker.services.reports import compliance, request_frame
from tracker.store.db import make_engine
from tracker.store.models import HoldPeriod, Request, RequestEvent, User

UNTIL = FULL_DEMO.until
AT = datetime(2025, 6, 30, tzinfo=UTC)


def _demo_report(url: str) -> tuple[str, dict[str, int]]:
    engine = make_engine(url)
    with Session(engine) as session:
        frame = request_frame(session, scope=SYSTEM, period=fiscal_year("2024-25"),
                              as_of=UNTIL)
        counts = {
            "requests": session.exec(select(func.count()).select_from(Request)).one(),
            "events": session.exec(select(func.count()).select_from(RequestEvent)).one(),
            "holds": session.exec(select(func.count()).select_from(HoldPeriod)).one(),
            "users": session.exec(select(func.count()).select_from(User)).one(),
            "extended": int(frame["extended"].sum()),
            "extended_track": int((frame["track"] == "extended").sum()),
            "no_deadline": int((frame["status"] == "no_deadline").sum()),
            "overdue": int((frame["status"] == "overdue").sum()),
            "late": int((frame["status"] == "late").sum()),
            "delivered": int(frame["status"].isin(["on_time", "late"]).sum()),
        }
        report = compliance(frame, "service").to_csv(index=False), counts
    engine.dispose()
    return report


def test_same_seed_same_report_on_sqlite_and_postgresql(demo_databases: DemoDatabases) -> None:
    sqlite_csv, sqlite_counts = _demo_report(demo_databases.shared(FULL_DEMO, "sqlite"))
    pg_csv, pg_counts = _demo_report(demo_databases.shared(FULL_DEMO, "postgresql"))
    assert sqlite_csv == pg_csv
    assert sqlite_counts == pg_counts
    c = sqlite_counts
    assert c["requests"] > 1000 and c["users"] == 11
    assert c["holds"] > 10 and c["extended"] > 0 and c["extended_track"] > 50
    assert c["no_deadline"] > 0 and c["overdue"] > 0
    assert 0.05 < c["late"] / c["delivered"] < 0.2  # about 10% late
    assert c["events"] > 2 * c["requests"]  # every change audited


def _engines(demo_databases: DemoDatabases, *specs: DemoSpec) -> list[Engine]:
    return [make_engine(demo_databases.shared(spec, "sqlite")) for spec in specs]


def test_a_different_seed_gives_a_different_log(demo_databases: DemoDatabases) -> None:
    other_seed = replace(SMALL_DEMO, seed=SMALL_DEMO.seed + 1)
    a, b = _engines(demo_databases, SMALL_DEMO, other_seed)
    with Session(a) as sa_, Session(b) as sb:
        refs_a = sa_.exec(select(Request.received_at)).all()
        refs_b = sb.exec(select(Request.received_at)).all()
    assert refs_a != refs_b


def test_demo_users_can_log_in_with_hashed_passwords(demo_databases: DemoDatabases) -> None:
    from tracker.services.auth import AuthenticationFailed, authenticate
    from tracker.services.demo import DEMO_PASSWORD

    (engine,) = _engines(demo_databases, SMALL_DEMO)
    # the session is never committed: the attempts it records leave the shared demo untouched
    with Session(engine) as session:
        user = authenticate(session, username="jashore-keshabpur", password=DEMO_PASSWORD,
                            client="test", now=AT)
        assert user.role == "upazila_officer" and user.password_hash != DEMO_PASSWORD
        with pytest.raises(AuthenticationFailed):
            authenticate(session, username="jashore-keshabpur", password="wrong-password",
                         client="test", now=AT)
        with pytest.raises(AuthenticationFailed):
            authenticate(session, username="nobody", password=DEMO_PASSWORD, client="test",
                         now=AT)
