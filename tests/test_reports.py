"""Compliance reports on a small hand-built log, checked against hand counts."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session

from tests.conftest import add_charter
from tracker.domain.localtime import DHAKA
from tracker.domain.periods import fiscal_quarter, fiscal_year
from tracker.errors import InputError
from tracker.services.auth import SYSTEM
from tracker.services.offices import ensure_office, load_geography_rows
from tracker.services.reports import compliance, request_frame
from tracker.services.requests import NewRequest, extend, log_request, transition

OFFICE = "jashore.keshabpur"
NOW = datetime(2025, 7, 10, 12, tzinfo=DHAKA)


def dhaka(y: int, m: int, d: int, h: int = 11) -> datetime:
    return datetime(y, m, d, h, tzinfo=DHAKA)


def test_fiscal_periods() -> None:
    fy = fiscal_year("2024-25")
    assert (fy.start, fy.end) == (date(2024, 7, 1), date(2025, 6, 30))
    assert fiscal_year("2024-2025") == fy
    q3 = fiscal_quarter("2024-25", "q3")
    assert (q3.start, q3.end) == (date(2025, 1, 1), date(2025, 3, 31))
    q2 = fiscal_quarter("2024-25", "Q2")
    assert (q2.start, q2.end) == (date(2024, 10, 1), date(2024, 12, 31))
    for bad in ("2024-26", "24-25", "2024"):
        with pytest.raises(InputError):
            fiscal_year(bad)


@pytest.fixture
def log(session: Session) -> Session:
    load_geography_rows(session)
    add_charter(session, OFFICE)
    ensure_office(session, OFFICE, go_live_date=date(2024, 8, 1))
    s = session

    def add(ref: str, received: datetime, service: str = "citizen-1", **kw: object) -> int:
        r = log_request(s, new=NewRequest(office_code=OFFICE, service=service,
                                          received_at=received, channel="phone",
                                          external_ref=ref, **kw),  # type: ignore[arg-type]
                        now=NOW, user=None)
        assert r.id is not None
        return r.id

    def act(rid: int, action: str, at: datetime, reason: str | None = None) -> None:
        transition(s, request_id=rid, action=action, at=at, now=NOW, user=None, reason=reason)

    # Before go-live: not measured.
    add("OLD", dhaka(2024, 7, 15))
    # On time: received Thu 27 Mar 2025, due 8 Apr (Eid block), delivered 8 Apr.
    act(add("A", dhaka(2025, 3, 27)), "deliver", dhaka(2025, 4, 8))
    # Late across the Eid block: delivered 9 Apr = 1 working day late.
    act(add("B", dhaka(2025, 3, 27)), "deliver", dhaka(2025, 4, 9))
    # A hold: received Sun 5 Jan (due 8 Jan); hold 6->9 Jan (7, 8 wholly) -> due 12 Jan.
    c = add("C", dhaka(2025, 1, 5))
    act(c, "hold", dhaka(2025, 1, 6), "documents")
    act(c, "resume", dhaka(2025, 1, 9))
    act(c, "deliver", dhaka(2025, 1, 12))  # on time thanks to the hold
    # Extension on a "7 / as needed" service: due 30 Apr, delivered 29 Apr.
    d = add("D", dhaka(2025, 3, 27), service="citizen-3")
    extend(s, request_id=d, new_due=date(2025, 4, 30), reason="inspection", now=NOW, user=None)
    act(d, "deliver", dhaka(2025, 4, 29))
    # Per directive without a date: no deadline, still open.
    add("E", dhaka(2025, 5, 5), service="citizen-4")
    # Open and overdue: received 1 June, due 4 June (3 wd), as of 30 June.
    add("F", dhaka(2025, 6, 1))
    # Immediate / 3 wd, extended track, open, on track as of 30 June? received 29 June.
    add("G", dhaka(2025, 6, 29), service="citizen-2", track="extended", track_reason="visit")
    # Rejected.
    act(add("H", dhaka(2025, 2, 2)), "reject", dhaka(2025, 2, 3), "not eligible")
    s.commit()
    return s


def test_compliance_by_office_counts_each_case(log: Session) -> None:
    frame = request_frame(log, scope=SYSTEM, period=fiscal_year("2024-25"),
                          as_of=date(2025, 6, 30))
    statuses = dict(zip(frame["external_ref"], frame["status"], strict=True))
    assert statuses == {"OLD": "overdue", "A": "on_time", "B": "late", "C": "on_time",
                        "D": "on_time", "E": "no_deadline", "F": "overdue", "G": "on_track",
                        "H": "rejected"}
    late = dict(zip(frame["external_ref"], frame["working_days_late"], strict=True))
    assert late["B"] == 1
    assert late["F"] == 12  # due 4 Jun; 5-12 Jun closed (Eid-ul-Azha); 15-30 Jun: 12 days
    report = compliance(frame, "office")
    row = report.iloc[0].to_dict()
    assert row["office_code"] == OFFICE
    assert {k: row[k] for k in ("received", "not_measured", "delivered", "on_time", "late",
                                 "open", "overdue", "rejected_withdrawn", "no_deadline",
                                 "extended_track")} == {
        "received": 9, "not_measured": 1, "delivered": 4, "on_time": 3, "late": 1,
        "open": 3, "overdue": 1, "rejected_withdrawn": 1, "no_deadline": 1,
        "extended_track": 1}
    assert row["compliance_pct"] == 75.0
    # Working days from receipt to delivery: A 3, B 4, C 5 (6-9 and 12 Jan), D 17.
    delivered = frame[frame["status"].isin(["on_time", "late"])]
    assert sorted(delivered["wd_to_deliver"]) == [3, 4, 5, 17]
    assert row["median_wd_to_deliver"] == 4.5


def test_as_of_an_earlier_date_shows_the_past(log: Session) -> None:
    frame = request_frame(log, scope=SYSTEM, period=fiscal_year("2024-25"),
                          as_of=date(2025, 4, 8))
    statuses = dict(zip(frame["external_ref"], frame["status"], strict=True))
    assert statuses["A"] == "on_time" and statuses["B"] == "due_today"
    assert "F" not in statuses  # received later


def test_by_service_splits_rows(log: Session) -> None:
    frame = request_frame(log, scope=SYSTEM, period=fiscal_year("2024-25"),
                          as_of=date(2025, 6, 30))
    report = compliance(frame, "service")
    assert list(report["service_key"]) == ["citizen-1", "citizen-2", "citizen-3", "citizen-4"]
    assert report["received"].sum() == 9
