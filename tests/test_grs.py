"""GRS complaints: tier clocks on exact working-day boundaries, escalation, appeals, counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from tests.conftest import add_charter
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.charter.model import Deadline, GrsTier, default_grs
from tracker.domain.deadlines import DEFAULT_TIER_LIMITS as DEFAULT_LIMITS
from tracker.domain.deadlines import TierLimit
from tracker.domain.localtime import DHAKA
from tracker.domain.periods import fiscal_year
from tracker.domain.status import StepFact, complaint_status
from tracker.services.auth import SYSTEM, PermissionDenied
from tracker.services.catalog import sync_all
from tracker.services.complaints import (
    ComplaintError,
    NewComplaint,
    appeal_complaint,
    complaint_frame,
    complaint_history,
    complaint_summary,
    escalate_due,
    limits_from_catalog,
    log_complaint,
    resolve_complaint,
    tier_summary,
)
from tracker.services.offices import create_user, load_geography_rows
from tracker.services.requests import NewRequest, log_request
from tracker.store.models import ComplaintEvent, ComplaintStep, GrsTierLimit

OFFICE = "jashore.keshabpur"
NOW = datetime(2025, 12, 31, 12, tzinfo=UTC)
SHORT = (TierLimit(1, "complaint_officer", "working_days", 3),
         TierLimit(2, "appeal_officer", "working_days", 2),
         TierLimit(3, "cabinet_cell", "working_days", 5))


def dhaka(y: int, m: int, d: int, h: int = 11) -> datetime:
    return datetime(y, m, d, h, tzinfo=DHAKA)


def count_forward(calendar: BangladeshCalendar, start: date, n: int) -> date:
    """Independent reference: walk day by day, counting working days after ``start``."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += calendar.is_working_day(day)
    return day


@pytest.fixture
def cal() -> BangladeshCalendar:
    return load_calendar("Jashore")


# -- pure status ----------------------------------------------------------------------------


def test_default_tiers_are_30_20_60_working_days(cal: BangladeshCalendar) -> None:
    assert [(t.role, t.unit, t.amount) for t in DEFAULT_LIMITS] == [
        ("complaint_officer", "working_days", 30), ("appeal_officer", "working_days", 20),
        ("cabinet_cell", "working_days", 60)]
    received = date(2025, 3, 27)
    st = complaint_status(received=received, limits=DEFAULT_LIMITS, steps=[],
                          as_of=received, calendar=cal)
    assert st.status == "on_track" and st.tier == 1
    assert st.due == count_forward(cal, received, 30)


def test_each_tier_moves_up_the_day_after_its_limit(cal: BangladeshCalendar) -> None:
    """Received Thu 27 Mar 2025: 3 wd over the Eid block -> due Tue 8 Apr; tier 2 starts
    counting after 8 Apr (2 wd -> Thu 10 Apr); tier 3 after 10 Apr (5 wd, skipping
    Pohela Boishakh on 14 Apr)."""
    received = date(2025, 3, 27)
    due1 = date(2025, 4, 8)
    assert count_forward(cal, received, 3) == due1
    due2 = count_forward(cal, due1, 2)
    assert due2 == date(2025, 4, 10)
    due3 = count_forward(cal, due2, 5)
    assert due3 == date(2025, 4, 20)

    def at(day: date) -> tuple[str, int, date]:
        st = complaint_status(received=received, limits=SHORT, steps=[], as_of=day,
                              calendar=cal)
        return st.status, st.tier, st.due

    assert at(date(2025, 4, 7)) == ("on_track", 1, due1)
    assert at(due1) == ("due_today", 1, due1)
    assert at(due1 + timedelta(days=1)) == ("on_track", 2, due2)
    assert at(due2) == ("due_today", 2, due2)
    assert at(due2 + timedelta(days=1)) == ("on_track", 3, due3)
    assert at(due3) == ("due_today", 3, due3)
    last = complaint_status(received=received, limits=SHORT, steps=[],
                            as_of=date(2025, 4, 22), calendar=cal)
    assert (last.status, last.tier, last.working_days_late) == ("overdue", 3, 2)
    assert last.escalations == 2 and last.judged and not last.within_time
    assert [t.status for t in last.tiers] == ["escalated", "escalated", "overdue"]


def test_a_recorded_resolution_and_appeal_restart_the_clock(cal: BangladeshCalendar) -> None:
    received = date(2025, 3, 27)
    steps = [StepFact(1, "lodged", received, date(2025, 4, 8), resolved=date(2025, 4, 7)),
             StepFact(2, "appeal", date(2025, 4, 9), count_forward(cal, date(2025, 4, 9), 2))]
    before = complaint_status(received=received, limits=SHORT, steps=steps,
                              as_of=date(2025, 4, 8), calendar=cal)
    assert before.status == "resolved" and before.within_time and before.can_appeal
    after = complaint_status(received=received, limits=SHORT, steps=steps,
                             as_of=date(2025, 4, 9), calendar=cal)
    assert (after.status, after.tier, after.due) == ("on_track", 2, date(2025, 4, 13))
    assert after.appeals == 1 and after.escalations == 0


def test_catalog_limits_keep_printed_units_and_fill_gaps() -> None:
    printed = (GrsTier(1, "complaint_officer", Deadline("২৫ কার্যদিবস", unit="working_days",
                                                         amount=25)),
               GrsTier(3, "cabinet_cell", Deadline("২ মাস", unit="months", amount=2)))
    limits, default = limits_from_catalog(printed)
    assert [(t.unit, t.amount) for t in limits] == [
        ("working_days", 25), ("working_days", 20), ("months", 2)]
    assert not default
    assert limits_from_catalog(default_grs()) == (DEFAULT_LIMITS, True)


# -- writers --------------------------------------------------------------------------------


@pytest.fixture
def office(session: Session) -> Session:
    load_geography_rows(session)
    version = add_charter(session, OFFICE)
    for t in SHORT:
        assert version.id is not None
        session.add(GrsTierLimit(charter_version_id=version.id, tier=t.tier, role=t.role,
                                 unit=t.unit, amount=t.amount))
    session.commit()
    return session


def _log(session: Session, received: datetime, ref: str | None = None,
         **kw: object) -> int:
    c = log_complaint(session, new=NewComplaint(
        office_code=OFFICE, complainant_name="করিম", complainant_contact="+8801711000000",
        received_at=received, external_ref=ref, **kw), now=NOW, user=None)  # type: ignore[arg-type]
    assert c.id is not None
    return c.id


def test_log_uses_the_charter_limits_and_freezes_them(office: Session) -> None:
    cid = _log(office, dhaka(2025, 3, 27))
    step = office.exec(select(ComplaintStep).where(ComplaintStep.complaint_id == cid)).one()
    assert (step.tier, step.kind, step.start_date, step.due_date) == (
        1, "lodged", date(2025, 3, 27), date(2025, 4, 8))
    # Changing the charter's limits later does not move a logged complaint.
    for row in office.exec(select(GrsTierLimit)):
        row.amount = 30
        office.add(row)
    office.flush()
    frame = complaint_frame(office, scope=SYSTEM, period=fiscal_year("2024-25"),
                            as_of=date(2025, 4, 9))
    assert frame.iloc[0]["tier"] == 2 and frame.iloc[0]["limits"].startswith("3 working")


def test_escalation_is_recorded_once_with_an_event(office: Session) -> None:
    cid = _log(office, dhaka(2025, 3, 27))
    assert escalate_due(office, as_of=date(2025, 4, 8), now=NOW) == []
    done = escalate_due(office, as_of=date(2025, 4, 9), now=NOW)
    assert [(e.complaint_id, e.from_tier, e.to_tier, e.due) for e in done] == [
        (cid, 1, 2, date(2025, 4, 10))]
    assert escalate_due(office, as_of=date(2025, 4, 9), now=NOW) == []  # idempotent
    done = escalate_due(office, as_of=date(2025, 4, 30), now=NOW)
    assert [(e.from_tier, e.to_tier, e.due) for e in done] == [(2, 3, date(2025, 4, 20))]
    actions = [e.action for e in complaint_history(office, cid)]
    assert actions == ["logged", "escalated", "escalated"]
    steps = office.exec(select(ComplaintStep).where(ComplaintStep.complaint_id == cid)
                        .order_by(col(ComplaintStep.tier))).all()
    assert [(s.tier, s.kind, s.start_date) for s in steps] == [
        (1, "lodged", date(2025, 3, 27)), (2, "auto", date(2025, 4, 8)),
        (3, "auto", date(2025, 4, 10))]


def test_resolution_goes_to_the_tier_in_force(office: Session) -> None:
    cid = _log(office, dhaka(2025, 3, 27))
    # Resolved on 9 April: tier 1's limit (8 April) has passed, so the appeal officer
    # holds it (escalation written on the way), within tier 2's limit.
    step = resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 9),
                             resolution="সমাধান", now=NOW, user=None)
    assert step.tier == 2 and step.kind == "auto"
    frame = complaint_frame(office, scope=SYSTEM, period=fiscal_year("2024-25"),
                            as_of=date(2025, 6, 30))
    row = frame.iloc[0]
    assert row["status"] == "resolved" and not row["within_time"] and row["judged"]
    with pytest.raises(ComplaintError, match="already resolved"):
        resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 10), resolution="x",
                          now=NOW, user=None)


def test_appeal_rules(office: Session) -> None:
    cid = _log(office, dhaka(2025, 3, 27))
    with pytest.raises(ComplaintError, match="not resolved at tier 1"):
        appeal_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 7), reason="x",
                         now=NOW, user=None)
    resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 7), resolution="ok",
                      now=NOW, user=None)
    with pytest.raises(ComplaintError, match="not resolved"):  # before the resolution
        appeal_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 6), reason="x",
                         now=NOW, user=None)
    with pytest.raises(ComplaintError, match="needs a reason"):
        appeal_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 9), reason=" ",
                         now=NOW, user=None)
    step = appeal_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 9),
                            reason="not satisfied", now=NOW, user=None)
    assert (step.tier, step.start_date, step.due_date) == (2, date(2025, 4, 9),
                                                           date(2025, 4, 13))
    resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 13), resolution="ok",
                      now=NOW, user=None)
    appeal_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 15), reason="still not",
                     now=NOW, user=None)
    resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 16), resolution="final",
                      now=NOW, user=None)
    with pytest.raises(ComplaintError, match="last tier"):
        appeal_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 17), reason="x",
                         now=NOW, user=None)
    frame = complaint_frame(office, scope=SYSTEM, period=fiscal_year("2024-25"),
                            as_of=date(2025, 6, 30))
    assert frame.iloc[0]["within_time"] and frame.iloc[0]["appeals"] == 2
    actions = [e.action for e in office.exec(select(ComplaintEvent).order_by(
        col(ComplaintEvent.id)))]
    assert actions == ["logged", "resolved", "appealed", "resolved", "appealed", "resolved"]


def test_bad_input_is_refused(office: Session) -> None:
    with pytest.raises(ComplaintError, match="name and contact"):
        log_complaint(office, new=NewComplaint(OFFICE, " ", "", dhaka(2025, 3, 27)), now=NOW,
                      user=None)
    with pytest.raises(ComplaintError, match="future"):
        _log(office, NOW + timedelta(days=1))
    with pytest.raises(ComplaintError, match="no request"):
        _log(office, dhaka(2025, 3, 27), request_id=999)
    _log(office, dhaka(2025, 3, 27), ref="G-1")
    with pytest.raises(ComplaintError, match="already used"):
        _log(office, dhaka(2025, 3, 28), ref="G-1")
    cid = _log(office, dhaka(2025, 3, 27))
    with pytest.raises(ComplaintError, match="before the complaint"):
        resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 3, 20), resolution="x",
                          now=NOW, user=None)


def test_linked_request_and_scope(office: Session) -> None:
    request = log_request(office, new=NewRequest(
        office_code=OFFICE, service="citizen-1", received_at=dhaka(2025, 3, 20),
        channel="phone"), now=NOW, user=None)
    cid = _log(office, dhaka(2025, 3, 27), request_id=request.id)
    assert cid
    add_charter(office, "jashore.jhikargacha")
    other = create_user(office, username="jk", full_name="J", role="upazila_officer",
                        password="password123", office_code="jashore.jhikargacha")
    with pytest.raises(PermissionDenied):
        log_complaint(office, new=NewComplaint(OFFICE, "a", "b", dhaka(2025, 3, 27)),
                      now=NOW, user=other)
    with pytest.raises(ComplaintError, match="another office"):
        log_complaint(office, new=NewComplaint("jashore.jhikargacha", "a", "b",
                                               dhaka(2025, 3, 27), request_id=request.id),
                      now=NOW, user=other)


def test_summaries_count_each_case(office: Session) -> None:
    a = _log(office, dhaka(2025, 3, 27))  # resolved within tier 1
    resolve_complaint(office, complaint_id=a, at=dhaka(2025, 4, 8), resolution="ok",
                      now=NOW, user=None)
    _log(office, dhaka(2025, 3, 27))  # never resolved: past tier 3 by 30 June
    _log(office, dhaka(2025, 6, 29))  # open within tier 1
    frame = complaint_frame(office, scope=SYSTEM, period=fiscal_year("2024-25"),
                            as_of=date(2025, 6, 30))
    summary = complaint_summary(frame).iloc[0].to_dict()
    assert summary == {"office_code": OFFICE, "received": 3, "resolved": 1,
                       "resolved_within_time": 1, "open": 2, "open_overdue": 1,
                       "escalated": 1, "appealed": 0, "pct_within_time": 50.0}
    tiers = tier_summary(frame).set_index("tier")
    assert tiers.loc[1, "reached"] == 3 and tiers.loc[1, "resolved_within_limit"] == 1
    assert tiers.loc[1, "escalated"] == 1 and tiers.loc[1, "open"] == 1
    assert tiers.loc[3, "overdue"] == 1 and tiers.loc[2, "escalated"] == 1


def test_catalog_sync_stores_the_tiers_of_every_version(session: Session) -> None:
    load_geography_rows(session)
    sync_all(session, now=NOW)
    rows = session.exec(select(GrsTierLimit)).all()
    assert rows and {r.tier for r in rows} == {1, 2, 3}
    # Manikganj Sadar prints its three tiers (30/20/60 with officers); the others do not.
    printed = [r for r in rows if not r.is_default]
    assert sorted(r.amount for r in printed) == [20, 30, 60]
    assert all(r.raw for r in printed)
    # Re-running adds nothing.
    sync_all(session, now=NOW)
    assert len(session.exec(select(GrsTierLimit)).all()) == len(rows)


def test_a_backdated_resolution_voids_a_recorded_escalation(office: Session,
                                                            cal: BangladeshCalendar) -> None:
    cid = _log(office, dhaka(2025, 3, 27))
    assert len(escalate_due(office, as_of=date(2025, 4, 9), now=NOW)) == 1  # tier 2 from 8 Apr
    # The complaint officer had in fact resolved it on 7 April (entered late).
    step = resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 7),
                             resolution="done", now=NOW, user=None)
    assert step.tier == 1
    frame = complaint_frame(office, scope=SYSTEM, period=fiscal_year("2024-25"),
                            as_of=date(2025, 6, 30))
    assert frame.iloc[0]["status"] == "resolved" and frame.iloc[0]["within_time"]
    assert escalate_due(office, as_of=date(2025, 6, 30), now=NOW) == []
    # An appeal reuses the void escalation's tier: its clock starts on the appeal date.
    appeal = appeal_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 10),
                              reason="not satisfied", now=NOW, user=None)
    assert (appeal.tier, appeal.kind, appeal.start_date, appeal.due_date) == (
        2, "appeal", date(2025, 4, 10), count_forward(cal, date(2025, 4, 10), 2))
    actions = [e.action for e in complaint_history(office, cid)]
    assert actions == ["logged", "escalated", "escalation_void", "resolved", "appealed"]
    # Tier 2 passes its limit unresolved: the complaint moves to tier 3 on its own.
    done = escalate_due(office, as_of=date(2025, 6, 30), now=NOW)
    assert [(e.from_tier, e.to_tier) for e in done] == [(2, 3)]


def test_resolution_on_the_due_day_stays_with_the_tier(office: Session) -> None:
    cid = _log(office, dhaka(2025, 3, 27))
    step = resolve_complaint(office, complaint_id=cid, at=dhaka(2025, 4, 8, 16),
                             resolution="done", now=NOW, user=None)
    assert (step.tier, step.due_date) == (1, date(2025, 4, 8))
    frame = complaint_frame(office, scope=SYSTEM, period=fiscal_year("2024-25"),
                            as_of=date(2025, 6, 30))
    assert frame.iloc[0]["within_time"] and frame.iloc[0]["escalations"] == 0


def test_month_and_calendar_day_tiers(cal: BangladeshCalendar) -> None:
    """"২ মাস" printed for the Cabinet cell: same day two months later, then the next
    working day; calendar days likewise."""
    limits = (TierLimit(1, "complaint_officer", "calendar_days", 10),
              TierLimit(2, "appeal_officer", "working_days", 1),
              TierLimit(3, "cabinet_cell", "months", 2))
    received = date(2025, 3, 21)  # + 10 days = Mon 31 Mar, inside the Eid block
    st = complaint_status(received=received, limits=limits, steps=[],
                          as_of=received, calendar=cal)
    assert st.due == date(2025, 4, 6)  # the first working day after the Eid block
    st = complaint_status(received=received, limits=limits, steps=[],
                          as_of=date(2025, 4, 8), calendar=cal)
    # Tier 2: one working day after 6 April -> 7 April; tier 3 from 7 April: 7 June is a
    # Saturday inside the Eid-ul-Azha closure -> the next working day.
    assert [t.due for t in st.tiers] == [date(2025, 4, 6), date(2025, 4, 7),
                                         count_forward(cal, date(2025, 6, 6), 1)]
    assert st.tier == 3 and st.status == "on_track"
