"""The demo database: realistic, deterministic, and the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, func, select

from tests.conftest import _postgres_engine, reset_schema
from tracker.services.auth import SYSTEM
from tracker.services.demo import build_demo
from tracker.services.reports import compliance, fiscal_year, request_frame
from tracker.store.db import make_engine
from tracker.store.models import HoldPeriod, Request, RequestEvent, User

UNTIL = date(2025, 1, 31)


def _demo_report(engine: object) -> tuple[str, dict[str, int]]:
    SQLModel.metadata.create_all(engine)  # type: ignore[arg-type]
    with Session(engine) as session:  # type: ignore[arg-type]
        build_demo(session, until=UNTIL, seed=7)
        session.commit()
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
        return compliance(frame, "service").to_csv(index=False), counts


def test_same_seed_same_report_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    sqlite_csv, sqlite_counts = _demo_report(make_engine(f"sqlite:///{tmp_path / 'd.db'}"))
    pg = _postgres_engine()
    reset_schema(pg)
    pg_csv, pg_counts = _demo_report(pg)
    assert sqlite_csv == pg_csv
    assert sqlite_counts == pg_counts
    c = sqlite_counts
    assert c["requests"] > 1000 and c["users"] == 11
    assert c["holds"] > 10 and c["extended"] > 0 and c["extended_track"] > 50
    assert c["no_deadline"] > 0 and c["overdue"] > 0
    assert 0.05 < c["late"] / c["delivered"] < 0.2  # about 10% late
    assert c["events"] > 2 * c["requests"]  # every change audited


def test_a_different_seed_gives_a_different_log(tmp_path: Path) -> None:
    a = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    b = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    for engine, seed in ((a, 1), (b, 2)):
        SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            build_demo(session, until=date(2024, 8, 31), seed=seed)
            session.commit()
    with Session(a) as sa_, Session(b) as sb:
        refs_a = sa_.exec(select(Request.received_at)).all()
        refs_b = sb.exec(select(Request.received_at)).all()
    assert refs_a != refs_b


def test_demo_users_can_log_in_with_hashed_passwords(tmp_path: Path) -> None:
    from tracker.services.auth import AuthenticationFailed, authenticate
    from tracker.services.demo import DEMO_PASSWORD

    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        build_demo(session, until=date(2024, 7, 10), seed=1)
        session.commit()
        user = authenticate(session, username="jashore-keshabpur", password=DEMO_PASSWORD)
        assert user.role == "upazila_officer" and user.password_hash != DEMO_PASSWORD
        with pytest.raises(AuthenticationFailed):
            authenticate(session, username="jashore-keshabpur", password="wrong-password")
        with pytest.raises(AuthenticationFailed):
            authenticate(session, username="nobody", password=DEMO_PASSWORD)
