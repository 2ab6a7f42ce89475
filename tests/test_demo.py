"""The demo database: realistic, deterministic, and the same on SQLite and PostgreSQL.
The demos are built by build_demo once per run (conftest: demo_databases) and read here."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from tests.conftest import FULL_DEMO, SMALL_DEMO
from tests.databases import DemoDatabases, DemoSpec
from tracker.domain.periods import fiscal_year
from tracker.services.auth import SYSTEM
from tracker.services.reports import compliance, request_frame
from tracker.store.db import make_engine
from tracker.store.models import HoldPeriod, Office, Request, RequestEvent, Service, User

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
    # an admin; five ICT offices and two of other kinds, each with its officer; seven
    # district programmers
    assert c["requests"] > 1000 and c["users"] == 15
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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_offices_of_other_kinds_with_their_real_charters(demo_databases: DemoDatabases,
                                                         backend: str) -> None:
    from tracker.services.auth import scope_for
    from tracker.services.queries import judged_requests

    engine = make_engine(demo_databases.shared(SMALL_DEMO, backend))
    with Session(engine) as session:
        offices = {o.code: o for o in session.exec(select(Office))}
        land = offices["habiganj.madhabpur@land"]
        union = offices["jamalpur.sarishabari@doail-up"]
        assert (land.office_kind, land.kind, union.office_kind, union.kind) == (
            "land", "upazila", "union_parishad", "upazila")
        assert land.parent_office_id == offices["habiganj"].id
        assert land.go_live_date == union.go_live_date == date(2024, 7, 1)
        # the land office's charter has one row without a time limit: flagged, never logged
        flagged = session.exec(select(Service).where(Service.office_id == land.id,
                                                     col(Service.needs_review))).all()
        assert [(s.category, s.number) for s in flagged] == [("citizen", 9)]
        requests = session.exec(select(Request, Service).join(
            Service, col(Service.id) == Request.service_id)
            .where(col(Request.office_id).in_([land.id, union.id]))).all()
        assert not any(service.needs_review for _, service in requests)
        per_office = {o: sum(1 for r, _ in requests if r.office_id == o)
                      for o in (land.id, union.id)}
        assert all(n > 50 for n in per_office.values())
        # "no deadline" services (annual, ongoing processes) are logged, without a due date
        no_limit = [r for r, s in requests if s.unit == "no_deadline"]
        assert no_limit and all(r.due_date is None for r in no_limit)
        programmer = session.exec(select(User).where(
            User.username == "habiganj-programmer")).one()
        officer = session.exec(select(User).where(
            User.username == "habiganj-madhabpur-land")).one()
        assert officer.office_id == land.id and officer.role == "upazila_officer"
        frame = judged_requests(session, scope=scope_for(session, programmer),
                                as_of=SMALL_DEMO.until)
        assert set(frame["office_code"]) == {"habiganj.madhabpur@land"}
        # and judged "no deadline", never on time or late
        judged = frame[frame["id"].isin([r.id for r in no_limit if r.office_id == land.id])]
        assert "no_deadline" in set(judged["status"])
        assert set(judged["status"]) <= {"no_deadline", "rejected", "withdrawn"}
    engine.dispose()
