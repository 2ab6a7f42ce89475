"""Dashboard aggregates (SQL GROUP BY + rollup) agree with tracker.services.reports.compliance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from tests.conftest import FULL_DEMO, SMALL_DEMO
from tests.databases import BACKENDS, DemoCopy, DemoDatabases
from tracker.domain.periods import Period, fiscal_quarter, fiscal_year
from tracker.services import aggregates
from tracker.services.auth import SYSTEM, Scope, scope_for
from tracker.services.reports import REPORT_COLUMNS, compliance
from tracker.services.reports import request_frame as full_frame
from tracker.services.requests import NewRequest, log_request, transition
from tracker.store.db import make_engine
from tracker.store.models import Office, Request, User

UNTIL = FULL_DEMO.until
COUNTED = [c for c in REPORT_COLUMNS if c != "median_wd_to_deliver"]


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, demo_databases: DemoDatabases) -> Iterator[Engine]:
    """The full demo, shared by the tests that only read it."""
    engine = make_engine(demo_databases.shared(FULL_DEMO, request.param))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def demo_to_change(request: pytest.FixtureRequest,
                   demo_copy: DemoCopy) -> Iterator[Engine]:
    """A copy of the full demo of its own, for a test that writes."""
    engine = make_engine(demo_copy(FULL_DEMO, request.param))
    yield engine
    engine.dispose()


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).one()
    return user


def _mine(session: Session, scope: Scope, period: Period, as_of: date, by: str,
          rollup: aggregates.Rollup | None) -> pd.DataFrame:
    result = aggregates.overview(session, scope=scope, start=period.start, end=period.end,
                                 as_of=as_of, rollup=rollup)
    keys = ["office_code"] if by == "office" else ["office_code", "service_key",
                                                   "service_name_bn"]
    table = aggregates.summarise(result.counts, keys)
    return table[[*keys, *COUNTED]].reset_index(drop=True)


def _reference(session: Session, scope: Scope, period: Period, as_of: date,
               by: str) -> pd.DataFrame:
    table = compliance(full_frame(session, scope=scope, period=period, as_of=as_of), by)
    keys = ["office_code"] if by == "office" else ["office_code", "service_key",
                                                   "service_name_bn"]
    return table[[*keys, *COUNTED]].reset_index(drop=True)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.astype(str), b.astype(str))


CASES = [
    (fiscal_year("2024-25"), UNTIL),
    (fiscal_quarter("2024-25", "Q2"), UNTIL),
    (Period(date(2024, 8, 11), date(2024, 12, 17), "mid-month range"), UNTIL),
    (fiscal_year("2024-25"), date(2024, 11, 5)),  # as of a date before later closures
]


@pytest.mark.parametrize("by", ["office", "service"])
@pytest.mark.parametrize(("period", "as_of"), CASES)
def test_overview_agrees_with_compliance_on_the_demo(demo: Engine, period: Period,
                                                     as_of: date, by: str) -> None:
    rollup = aggregates.Rollup(demo).refresh()
    with Session(demo) as session:
        expected = _reference(session, SYSTEM, period, as_of, by)
        assert int(expected["received"].sum()) > 100
        _same(_mine(session, SYSTEM, period, as_of, by, rollup), expected)
        _same(_mine(session, SYSTEM, period, as_of, by, None), expected)


def test_district_and_officer_scopes_agree_and_stay_in_scope(demo: Engine) -> None:
    rollup = aggregates.Rollup(demo).refresh()
    period = fiscal_year("2024-25")
    with Session(demo) as session:
        for username in ("jashore-programmer", "jashore-keshabpur"):
            scope = scope_for(session, _user(session, username))
            mine = _mine(session, scope, period, UNTIL, "office", rollup)
            _same(mine, _reference(session, scope, period, UNTIL, "office"))
            assert list(mine["office_code"]) == ["jashore.keshabpur"]
        # A filter never widens the scope: asking for another office gives nothing.
        officer = scope_for(session, _user(session, "jashore-keshabpur"))
        other = session.exec(select(Office).where(Office.code == "lalmonirhat.patgram")).one()
        assert other.id is not None
        result = aggregates.overview(session, scope=officer, start=period.start,
                                     end=period.end, as_of=UNTIL,
                                     office_ids=frozenset({other.id}), rollup=rollup)
        assert result.counts.empty and result.totals["received"] == 0


def test_go_live_inside_a_month_splits_measured_from_not_measured(
        demo_to_change: Engine) -> None:
    rollup = aggregates.Rollup(demo_to_change).refresh()
    period = fiscal_year("2024-25")
    with Session(demo_to_change) as session:
        office = session.exec(select(Office).where(Office.code == "magura.magura-sadar")).one()
        office.go_live_date = date(2024, 9, 17)
        session.add(office)
        session.commit()
        try:
            expected = _reference(session, SYSTEM, period, UNTIL, "office")
            assert int(expected["not_measured"].sum()) > 0
            _same(_mine(session, SYSTEM, period, UNTIL, "office", rollup), expected)
        finally:
            office.go_live_date = date(2024, 7, 1)
            session.add(office)
            session.commit()


def test_rollup_catches_up_with_new_closures_without_counting_twice(
        demo_to_change: Engine) -> None:
    rollup = aggregates.Rollup(demo_to_change).refresh()
    before = len(rollup.groups)
    period = fiscal_year("2024-25")
    now = datetime(2025, 1, 30, 10, tzinfo=UTC)
    with Session(demo_to_change) as session:
        officer = _user(session, "jashore-keshabpur")
        request = log_request(session, new=NewRequest(
            office_code="jashore.keshabpur", service="citizen-1",
            received_at=datetime(2025, 1, 29, 5, tzinfo=UTC), channel="phone",
            external_ref="AGG-1"), now=now, user=officer)
        assert request.id is not None
        transition(session, request_id=request.id, action="deliver", at=now, now=now,
                   user=officer)
        open_one = session.exec(select(Request).where(Request.state == "received")).first()
        assert open_one is not None and open_one.id is not None
        transition(session, request_id=open_one.id, action="withdraw", at=now, now=now,
                   user=None, reason="test")
        left_open = log_request(session, new=NewRequest(
            office_code="jashore.keshabpur", service="citizen-1",
            received_at=datetime(2025, 1, 5, 5, tzinfo=UTC), channel="phone",
            external_ref="AGG-2"), now=now, user=officer)
        working = session.exec(select(Request).where(Request.state == "in_progress")).first()
        assert working is not None and working.id is not None
        transition(session, request_id=working.id, action="hold", at=now, now=now,
                   user=None, reason="documents")
        session.commit()
        assert left_open.id in set(rollup.refresh().open["id"])
        assert working.id in set(rollup.open.loc[rollup.open["state"] == "on_hold", "id"])
        assert open_one.id not in set(rollup.open["id"])
        rollup.refresh()
        rollup.refresh()  # a second refresh with nothing new changes nothing
        assert len(rollup.groups) >= before
        _same(_mine(session, SYSTEM, period, UNTIL, "service", rollup),
              _reference(session, SYSTEM, period, UNTIL, "service"))


def test_rollup_rebuilds_after_the_database_is_recreated(
        demo_copy: DemoCopy) -> None:
    engine = make_engine(demo_copy(SMALL_DEMO))
    rollup = aggregates.Rollup(engine).refresh()
    assert rollup.watermark > 0 and not rollup.groups.empty
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    rollup.refresh()
    assert rollup.watermark == 0 and rollup.groups.empty
    with Session(engine) as session:
        result = aggregates.overview(session, scope=SYSTEM, start=date(2024, 7, 1),
                                     end=date(2025, 6, 30), as_of=date(2024, 8, 31),
                                     rollup=rollup)
        assert result.totals == {**{c: 0 for c in aggregates.COUNT_COLUMNS},
                                 "compliance_pct": None}


def test_summaries_and_totals_compute_compliance_pct(demo: Engine) -> None:
    with Session(demo) as session:
        result = aggregates.overview(session, scope=SYSTEM, start=date(2024, 7, 1),
                                     end=date(2025, 6, 30), as_of=UNTIL,
                                     categories=["citizen"])
        assert set(result.counts["category"]) == {"citizen"}
        totals = result.totals
        on_time, late = int(totals["on_time"] or 0), int(totals["late"] or 0)
        assert totals["compliance_pct"] == round(100 * on_time / (on_time + late), 1)
        assert list(result.by_month["month_start"]) == [date(2024, m, 1) for m in
                                                        (7, 8, 9, 10, 11, 12)] + [
            date(2025, 1, 1)]
        assert int(result.by_office["received"].sum()) == totals["received"]
        # 7 offices (5 ICT, AC Land Madhabpur, Doail UP) x 7 months (July to January)
        assert len(result.office_month) == 7 * 7
