"""Digest building: what each section lists, judged as of a date, in Bengali and English.

Hand-built log for one upazila (Keshabpur, Jashore) on each backend: one request per case,
its receipt date chosen with the calendar so that it lands exactly in the case as of
Sunday 18-05-2025 (the day after a working Saturday).
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from tests.conftest import add_charter
from tracker.domain.bn import fmt_date, fmt_num, fmt_pct, localise_digits
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.deadlines import previous_working_day
from tracker.domain.localtime import DHAKA
from tracker.domain.periods import is_first_working_day_of_week
from tracker.services.digests import (
    Item,
    build_digests,
    compose,
    tr,
)
from tracker.services.offices import ensure_office, load_geography_rows
from tracker.services.requests import NewRequest, log_request, transition
from tracker.store.models import Office

OFFICE = "jashore.keshabpur"
AS_OF = date(2025, 5, 18)
NOW = datetime(2025, 5, 18, 8, 0, tzinfo=DHAKA)


def _received_for_due(calendar: BangladeshCalendar, due: date, n: int = 3) -> date:
    """A working day whose n-working-day due date is ``due``."""
    day = due - timedelta(days=1)
    while not (calendar.is_working_day(day) and calendar.add_working_days(day, n) == due):
        day -= timedelta(days=1)
    return day


def _log(session: Session, ref: str, received: date) -> int:
    r = log_request(session, new=NewRequest(
        office_code=OFFICE, service="citizen-1", channel="in_person",
        received_at=datetime.combine(received, time(10, 0), tzinfo=DHAKA), external_ref=ref),
        now=NOW, user=None)
    assert r.id is not None
    return r.id


def _act(session: Session, rid: int, action: str, day: date, reason: str | None = None) -> None:
    transition(session, request_id=rid, action=action, reason=reason, now=NOW, user=None,
               at=datetime.combine(day, time(11, 0), tzinfo=DHAKA))


@pytest.fixture
def seeded(session: Session) -> Session:
    load_geography_rows(session)
    add_charter(session, OFFICE)
    ensure_office(session, "jashore")
    cal = load_calendar("Jashore")
    prev = previous_working_day(AS_OF, cal)
    nxt = cal.add_working_days(AS_OF, 1)
    _log(session, "DUE-TODAY", _received_for_due(cal, AS_OF))
    _log(session, "DUE-NEXT", _received_for_due(cal, nxt))
    _log(session, "NEW-LATE", _received_for_due(cal, prev))          # due yesterday
    old = _log(session, "OLD-LATE", _received_for_due(cal, date(2025, 4, 24)))
    held = _log(session, "HELD", date(2025, 5, 13))
    _act(session, held, "hold", date(2025, 5, 14), "NID copy needed")
    done = _log(session, "DONE-ON-TIME", _received_for_due(cal, nxt))
    _act(session, done, "deliver", prev)
    late = _log(session, "DONE-LATE", _received_for_due(cal, date(2025, 5, 6)))
    _act(session, late, "deliver", prev)
    # Delivered last month: outside "since the previous working day", inside 30 days.
    month = _log(session, "DONE-MAY-5", _received_for_due(cal, date(2025, 5, 5)))
    _act(session, month, "deliver", date(2025, 5, 5))
    assert old
    session.commit()
    return session


def _refs(items: list[Item]) -> list[str]:
    return [i.ref for i in items]


def test_upazila_digest_sections_as_of_a_date(seeded: Session) -> None:
    digests = build_digests(seeded, as_of=AS_OF)
    office = seeded.exec(select(Office).where(Office.code == OFFICE)).one()
    assert office.id is not None
    d = digests.upazila[office.id]
    assert _refs(d.due_today) == ["DUE-TODAY"]
    assert _refs(d.due_next) == ["DUE-NEXT"]  # DONE-ON-TIME, same due date, is delivered
    assert _refs(d.overdue) == ["OLD-LATE", "NEW-LATE"]  # oldest first
    assert d.overdue[1].days == 1 and d.overdue[0].days > 10
    assert _refs(d.on_hold) == ["HELD"] and d.on_hold[0].since == date(2025, 5, 14)
    held_days = load_calendar("Jashore").get_working_days_delta(date(2025, 5, 14), AS_OF)
    assert d.on_hold[0].days == held_days > 0
    assert {i.ref: i.on_time for i in d.delivered} == {"DONE-ON-TIME": True,
                                                       "DONE-LATE": False}
    [rate] = d.compliance
    assert (rate.on_time, rate.late) == (2, 1)  # DONE-ON-TIME, DONE-MAY-5 / DONE-LATE
    assert d.next_working_day == date(2025, 5, 19)
    assert not d.all_clear


def test_district_digest_counts_newly_overdue_and_escalations(seeded: Session) -> None:
    digests = build_digests(seeded, as_of=AS_OF)
    [d] = digests.district.values()
    assert d.name_en == "Jashore" and d.since == date(2025, 5, 17)  # the working Saturday
    [row] = d.upazilas
    assert (row.office_code, row.overdue, row.newly_overdue) == (OFFICE, 2, 1)
    assert (row.on_time, row.late) == (2, 1)
    # OLD-LATE is late by more than its whole 3-working-day limit; NEW-LATE is not.
    assert [(i.ref, i.limit) for i in d.escalations] == [("OLD-LATE", 3)]
    assert [s.service_key for s in d.worst_services] == ["citizen-1"]
    # Newly overdue counts from the previous district digest actually sent.
    since = {d.district_id: date(2025, 4, 20)}
    [earlier] = build_digests(seeded, as_of=AS_OF, since=since).district.values()
    assert earlier.since == date(2025, 4, 20) and earlier.upazilas[0].newly_overdue == 2


def test_bengali_rendering_uses_bengali_digits_and_dd_mm_yyyy(seeded: Session) -> None:
    d = next(iter(build_digests(seeded, as_of=AS_OF).upazila.values()))
    bn = d.render("bn")
    assert "১৮-০৫-২০২৫" in bn.subject and "আজ ১টি, মেয়াদোত্তীর্ণ ২টি" in bn.subject
    assert not re.search(r"[0-9]", bn.subject)
    assert "আজ নিষ্পত্তির শেষ দিন (১)" in bn.text and "<table" in bn.html
    en = d.render("en")
    assert en.subject.endswith("18-05-2025: 1 due today, 2 overdue")
    assert "Overdue (oldest first) (2)" in en.text
    message = compose(bn, sender="t@tracker.local", to="o@tracker.local",
                      message_id="<x@tracker.local>", date_=datetime(2025, 5, 18, 3, tzinfo=UTC))
    assert message.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())
    assert str(message["Subject"]) == bn.subject
    # Through the wire format: every space survives (encoded words end inside the text).
    parsed = email.message_from_string(message.as_string(), policy=email.policy.default)
    assert str(parsed["Subject"]) == bn.subject
    assert max(len(line) for line in message.as_string().splitlines()) <= 78
    assert message.as_string().isascii()  # 7-bit: base64 bodies, encoded-word subject
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content() == bn.text


def test_all_clear_when_nothing_is_due_or_late(session: Session) -> None:
    load_geography_rows(session)
    add_charter(session, OFFICE)
    session.commit()
    d = next(iter(build_digests(session, as_of=AS_OF).upazila.values()))
    assert d.all_clear
    assert d.render("en").text.splitlines()[2] == "All clear: nothing is due and nothing is late."


def test_formatting_helpers() -> None:
    assert fmt_date(date(2025, 3, 7), "bn") == "০৭-০৩-২০২৫"
    assert fmt_date(date(2025, 3, 7), "en") == "07-03-2025"
    assert localise_digits("2025/118", "bn") == "২০২৫/১১৮"
    # Whole numbers as integers with thousands separators, percentages with one decimal.
    assert fmt_num(1234, "bn") == "১,২৩৪" and fmt_num(7, "en") == "7"
    assert fmt_pct(100.0, "en") == "100.0%" and fmt_pct(None, "bn") == "—"
    assert tr("subj_counts", "bn", a=1234, b=2) == "আজ ১,২৩৪টি, মেয়াদোত্তীর্ণ ২টি"


def test_weekly_summary_goes_out_on_the_first_working_day_of_the_week() -> None:
    cal = load_calendar()
    # Week of Saturday 17-05-2025: the Saturday itself is a declared working day.
    assert is_first_working_day_of_week(date(2025, 5, 17), cal)
    assert not is_first_working_day_of_week(date(2025, 5, 18), cal)
    assert is_first_working_day_of_week(date(2025, 5, 24), cal)  # another working Saturday
    # An ordinary week: Sunday.
    assert is_first_working_day_of_week(date(2025, 4, 27), cal)
    assert not is_first_working_day_of_week(date(2025, 4, 28), cal)
    assert not is_first_working_day_of_week(date(2025, 4, 25), cal)  # Friday


def test_weekly_summary_counts_last_week(seeded: Session) -> None:
    digests = build_digests(seeded, as_of=date(2025, 5, 24))
    [week] = digests.upazila_weekly.values()
    assert (week.week_start, week.week_end) == (date(2025, 5, 17), date(2025, 5, 23))
    [row] = week.rows
    assert (row.delivered, row.on_time, row.late) == (2, 1, 1)
    assert "সাপ্তাহিক সারসংক্ষেপ" in week.render("bn").subject


def test_district_digest_lists_grs_complaints_past_a_tier_limit(seeded: Session) -> None:
    from tracker.services.complaints import NewComplaint, log_complaint

    for name, received in (("পুরোনো", date(2025, 1, 5)), ("নতুন", date(2025, 5, 12))):
        log_complaint(seeded, new=NewComplaint(
            office_code=OFFICE, complainant_name=name, complainant_contact="01711000000",
            received_at=datetime.combine(received, time(11, 0), tzinfo=DHAKA)),
            now=NOW, user=None)
    seeded.commit()
    [d] = build_digests(seeded, as_of=AS_OF).district.values()
    [g] = d.grs_overdue  # the January complaint passed tiers 1 (30) and 2 (20 working days)
    assert (g.received, g.escalations, g.role) == (date(2025, 1, 5), 2, "cabinet_cell")
    text = d.render("bn").text
    assert "সময়সীমা পেরোনো অভিযোগ (জিআরএস) (১)" in text and "মন্ত্রিপরিষদ বিভাগের সেল" in text
