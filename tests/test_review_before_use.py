"""Issue 12, review before use: a service whose limit needs review cannot be logged against;
"no deadline" services are logged and reported as such; calendar-day, hour and month limits
follow GUIDE §3 rule 3 (the upper bound of a range is the promise)."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from tests.conftest import NOW, add_charter
from tracker.domain.calendar import BangladeshCalendar
from tracker.domain.charter.catalog import load_all
from tracker.domain.charter.deadline import parse_deadline
from tracker.domain.charter.model import Deadline
from tracker.domain.deadlines import (
    DeadlineSpec,
    DeadlineUnit,
    ServiceDeadline,
    Track,
    allows_extension,
    due_date,
    has_extended_track,
    service_deadline,
    spec_for,
    takes_directive_date,
    uncounted_explanation,
)
from tracker.domain.localtime import DHAKA
from tracker.domain.periods import fiscal_year
from tracker.domain.status import Status, request_status
from tracker.errors import InputError
from tracker.services.auth import SYSTEM
from tracker.services.importer import import_requests
from tracker.services.offices import load_geography_rows
from tracker.services.queries import judged_requests
from tracker.services.reports import compliance, request_frame
from tracker.services.requests import (
    NewRequest,
    RequestError,
    ServiceNeedsReview,
    extend,
    log_request,
    transition,
)
from tracker.store.models import Request, RequestEvent

OFFICE = "jashore.keshabpur"
REVIEW_RAW = "নবায়ন ১ দিন / নতুন ২-৩ দিন"
SERVICES: list[dict[str, object]] = [
    dict(number=1, unit="working_days", amount=3, deadline_raw="৩ কার্যদিবস"),
    # variants: what was understood is kept, but the service is flagged for review
    dict(number=2, unit="calendar_days", amount=3, needs_review=True, deadline_raw=REVIEW_RAW),
    dict(number=3, unit="no_deadline", deadline_raw="চলমান প্রক্রিয়া"),
    dict(number=4, unit="calendar_days", amount=7, deadline_raw="৫-৭ দিন"),
    dict(number=5, unit="months", amount=1, deadline_raw="১ মাস"),
    dict(number=6, unit="hours", amount=48, deadline_raw="৪৮ ঘণ্টা"),
    dict(number=7, unit="per_directive", deadline_raw="নির্দেশনা অনুযায়ী"),
]


def cell(raw: str, **kw: object) -> Deadline:
    return Deadline(raw=raw, **kw)  # type: ignore[arg-type]


# -- the stored limit (pure) -----------------------------------------------------------------


def test_no_deadline_cell_is_stored_as_no_deadline() -> None:
    stored = service_deadline(cell("সারা বছর", no_deadline=True))
    assert stored == ServiceDeadline(DeadlineUnit.NO_DEADLINE)
    assert stored.columns()["unit"] == "no_deadline"
    assert stored.columns()["needs_review"] is False


def test_flagged_cell_keeps_what_was_understood_and_is_marked() -> None:
    stored = service_deadline(cell(REVIEW_RAW, unit="calendar_days", amount=3,
                                   variants=True, needs_review=True))
    assert (stored.unit, stored.amount, stored.needs_review) == (
        DeadlineUnit.CALENDAR_DAYS, 3, True)
    assert stored.columns()["needs_review"] is True  # -> Service.needs_review (catalog sync)


def test_a_cell_not_understood_is_never_guessed() -> None:
    stored = service_deadline(cell("যথাসময়ে"))
    assert stored.unit is DeadlineUnit.PER_DIRECTIVE and stored.needs_review
    empty = service_deadline(cell("", needs_review=True))
    assert empty.unit is DeadlineUnit.PER_DIRECTIVE and empty.needs_review
    flagged_immediate = service_deadline(cell("তাৎক্ষণিক (?)", immediate=True,
                                              needs_review=True))
    assert (flagged_immediate.unit, flagged_immediate.needs_review) == (
        DeadlineUnit.IMMEDIATE, True)


def test_every_limit_read_safely_is_stored_as_read() -> None:
    for unit in ("working_days", "calendar_days", "months", "hours"):
        stored = service_deadline(cell(f"5 {unit}", unit=unit, amount=5))
        assert (stored.unit.value, stored.amount, stored.needs_review) == (unit, 5, False)
    assert service_deadline(cell("নির্দেশনা অনুযায়ী", per_directive=True)) == ServiceDeadline(
        DeadlineUnit.PER_DIRECTIVE)


def test_immediate_with_working_days_keeps_its_extended_track() -> None:
    stored = service_deadline(cell("তাৎক্ষণিক/৩ কার্যদিবস", immediate=True,
                                   unit="working_days", amount=3))
    assert stored == ServiceDeadline(DeadlineUnit.IMMEDIATE, 0, 3, True)


@pytest.mark.parametrize(("raw", "unit", "amount"), [
    ("তাৎক্ষণিক/১ মাস", "months", 1), ("তাৎক্ষণিক/৭২ ঘণ্টা", "hours", 72),
    ("তাৎক্ষণিক/৩ দিন", "calendar_days", 3)])
def test_immediate_with_a_limit_the_extended_track_cannot_hold_is_flagged(
        raw: str, unit: str, amount: int) -> None:
    """The extended track counts working days only: 1 month / 72 hours would be lost and 3
    calendar days would become 3 working days; a reviewer sets it, even if the Deadline
    itself (built elsewhere) was not flagged."""
    stored = service_deadline(cell(raw, immediate=True, unit=unit, amount=amount))
    assert (stored.unit, stored.extended_working_days, stored.needs_review) == (
        DeadlineUnit.IMMEDIATE, None, True)


def test_the_grammar_flags_immediate_with_a_non_working_day_limit() -> None:
    for raw in ("তাৎক্ষণিক/১ মাস", "তাৎক্ষণিক/৭২ ঘণ্টা", "তাৎক্ষণিক/৩ দিন"):
        deadline, messages = parse_deadline(raw)
        assert deadline.needs_review and "working days only" in " ".join(messages)
        assert service_deadline(deadline).needs_review


def test_a_range_promises_its_upper_bound() -> None:
    stored = service_deadline(cell("৫-৭ দিন", unit="calendar_days", amount=7, range_min=5))
    assert (stored.unit, stored.amount, stored.needs_review) == (
        DeadlineUnit.CALENDAR_DAYS, 7, False)
    assert spec_for(stored.unit, stored.amount, Track.STANDARD) == DeadlineSpec(
        DeadlineUnit.CALENDAR_DAYS, 7)


def test_the_ict_catalogs_have_nothing_to_review() -> None:
    """The five ICT charters still load exactly as before: no service is refused."""
    services = [s for code, c in load_all().items() if "@" not in code
                for v in c.versions for s in v.services]
    assert len(services) > 50
    assert not [s.deadline.raw for s in services if service_deadline(s.deadline).needs_review]


def test_no_deadline_counts_nothing_and_takes_no_date_or_extension() -> None:
    unit = DeadlineUnit.NO_DEADLINE
    assert spec_for(unit, 0, Track.STANDARD) is None
    assert not allows_extension(unit, conditional=True)
    assert not takes_directive_date(unit)
    assert not has_extended_track(unit, 3)
    assert takes_directive_date(DeadlineUnit.PER_DIRECTIVE)
    assert not takes_directive_date(DeadlineUnit.CALENDAR_DAYS)


def test_explanation_of_a_limit_that_counts_nothing() -> None:
    assert uncounted_explanation(DeadlineUnit.NO_DEADLINE, "সারা বছর", None, None) == (
        "no deadline: the charter sets no per-request limit (সারা বছর)")
    assert uncounted_explanation(DeadlineUnit.PER_DIRECTIVE, "নির্দেশনা অনুযায়ী",
                                 date(2025, 4, 20), "DC memo") == (
        "as per directive: due 20-04-2025 (DC memo)")


# -- rule 3: calendar days, months, hours ------------------------------------------------


def test_calendar_days_roll_forward_to_a_working_day(calendar: BangladeshCalendar) -> None:
    spec = spec_for(DeadlineUnit.CALENDAR_DAYS, 7, Track.STANDARD)
    assert spec is not None
    # Wed 2 Apr 2025 + 7 = Wed 9 Apr: a working day again after the Eid block.
    assert due_date(datetime(2025, 4, 2, 10, tzinfo=DHAKA), spec, calendar).due == date(
        2025, 4, 9)
    # Sun 23 Mar + 7 = Sun 30 Mar, inside Eid-ul-Fitr closure (till 5 Apr) -> Sun 6 Apr.
    assert due_date(date(2025, 3, 23), spec, calendar).due == date(2025, 4, 6)
    # Thu 3 Jul 2025 + 1 = Fri 4 Jul -> Sat -> Sun 6 Jul is Ashura -> Mon 7 Jul.
    one = DeadlineSpec(DeadlineUnit.CALENDAR_DAYS, 1)
    assert due_date(date(2025, 7, 3), one, calendar).due == date(2025, 7, 7)


def test_months_keep_the_day_of_month_clamped_then_roll(calendar: BangladeshCalendar) -> None:
    spec = spec_for(DeadlineUnit.MONTHS, 1, Track.STANDARD)
    assert spec is not None
    # 31 Jan 2025 -> 28 Feb 2025 (clamped), a Friday -> Sun 2 Mar.
    assert due_date(date(2025, 1, 31), spec, calendar).due == date(2025, 3, 2)
    # 15 Jan 2025 -> Sat 15 Feb -> Sun 16 Feb.
    assert due_date(date(2025, 1, 15), spec, calendar).due == date(2025, 2, 16)
    # 10 Jun 2025 (Eid-ul-Azha closure) + 1 month = Thu 10 Jul, a working day.
    assert due_date(date(2025, 6, 10), spec, calendar).due == date(2025, 7, 10)


def test_hours_are_whole_working_days(calendar: BangladeshCalendar) -> None:
    assert spec_for(DeadlineUnit.HOURS, 48, Track.STANDARD) == DeadlineSpec.working_days(2)
    assert spec_for(DeadlineUnit.HOURS, 72, Track.STANDARD) == DeadlineSpec.working_days(3)
    assert spec_for(DeadlineUnit.HOURS, 1, Track.STANDARD) == DeadlineSpec.working_days(1)
    assert spec_for(DeadlineUnit.HOURS, 25, Track.STANDARD) == DeadlineSpec.working_days(2)


@settings(max_examples=300, deadline=None)
@given(received=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31)),
       days=st.integers(min_value=1, max_value=45))
def test_calendar_days_property(calendar: BangladeshCalendar, received: date,
                                days: int) -> None:
    """due = receipt + N, rolled forward to a working day: never before receipt + N, always
    a working day, and no working day skipped between receipt + N and the due date."""
    due = due_date(received, DeadlineSpec(DeadlineUnit.CALENDAR_DAYS, days), calendar).due
    target = received + timedelta(days=days)
    assert due >= target
    assert calendar.is_working_day(due)
    assert all(not calendar.is_working_day(target + timedelta(days=k))
               for k in range((due - target).days))


# -- the request log (SQLite and PostgreSQL) -------------------------------------------


@pytest.fixture
def office_session(session: Session) -> Session:
    load_geography_rows(session)
    add_charter(session, OFFICE, services=[dict(s) for s in SERVICES])
    session.commit()
    return session


def new(**kw: object) -> NewRequest:
    base: dict[str, object] = dict(office_code=OFFICE, service="citizen-1",
                                   received_at=datetime(2025, 4, 2, 10, 15, tzinfo=DHAKA),
                                   channel="in_person", external_ref="R-1")
    base.update(kw)
    return NewRequest(**base)  # type: ignore[arg-type]


def counts(session: Session) -> tuple[int, int]:
    return (session.exec(select(func.count()).select_from(Request)).one(),
            session.exec(select(func.count()).select_from(RequestEvent)).one())


def test_a_service_needing_review_is_refused_and_nothing_written(
    office_session: Session,
) -> None:
    log_request(office_session, new=new(), now=NOW, user=None)
    office_session.commit()
    before = counts(office_session)
    with pytest.raises(ServiceNeedsReview) as refused:
        log_request(office_session, new=new(service="citizen-2", external_ref="R-2"),
                    now=NOW, user=None)
    office_session.rollback()
    message = str(refused.value)
    assert isinstance(refused.value, InputError) and isinstance(refused.value, RequestError)
    assert "\n" not in message
    for part in ("citizen-2", REVIEW_RAW, f"data/charters/{OFFICE}.toml", "tracker init",
                 "needs review"):
        assert part in message
    assert counts(office_session) == before


def test_the_refusal_names_an_empty_cell() -> None:
    from tracker.store.models import Service

    service = Service(charter_version_id=1, office_id=1, category="citizen", number=9,
                      name_bn="সম্পত্তি রক্ষণাবেক্ষণ", deadline_raw=" ",
                      unit=DeadlineUnit.PER_DIRECTIVE, needs_review=True)
    message = str(ServiceNeedsReview(OFFICE, service))
    assert "citizen-9 (সম্পত্তি রক্ষণাবেক্ষণ)" in message
    assert "its time limit (an empty cell) needs review" in message


def test_an_import_with_a_service_needing_review_imports_nothing(
    office_session: Session, tmp_path: Path,
) -> None:
    path = tmp_path / "register.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["office", "service", "received_at", "channel", "external_ref"])
        writer.writerow([OFFICE, "citizen-1", "2025-04-02T10:00", "letter", "P-1"])
        writer.writerow([OFFICE, "citizen-2", "2025-04-02T11:00", "letter", "P-2"])
    before = counts(office_session)
    with pytest.raises(InputError) as refused:
        import_requests(office_session, path=path, now=NOW, user=None)
    office_session.rollback()
    assert "row 3" in str(refused.value) and "needs review" in str(refused.value)
    assert "row 2" not in str(refused.value)
    assert counts(office_session) == before


def test_no_deadline_request_is_logged_without_a_due_date(office_session: Session) -> None:
    request = log_request(office_session, new=new(service="citizen-3"), now=NOW, user=None)
    office_session.commit()
    assert request.due_date is None and request.base_due_date is None
    assert request.track == Track.STANDARD
    for as_of, closed in ((date(2025, 6, 30), None), (date(2025, 6, 30), date(2025, 6, 1))):
        judged = request_status(state="delivered" if closed else "received", due=None,
                                closed=closed, as_of=as_of,
                                calendar=_calendar(office_session))
        assert judged.status is Status.NO_DEADLINE and judged.working_days_late == 0


def _calendar(session: Session) -> BangladeshCalendar:
    from tracker.services.requests import get_office, office_calendar
    return office_calendar(session, get_office(session, OFFICE))


def test_a_directive_date_is_refused_for_no_deadline_and_counted_limits(
    office_session: Session,
) -> None:
    before = counts(office_session)
    with pytest.raises(RequestError, match=r"takes no directive due date.*no deadline"):
        log_request(office_session, new=new(service="citizen-3",
                                            directive_due=date(2025, 5, 1)), now=NOW, user=None)
    with pytest.raises(RequestError, match="counted from the charter"):
        log_request(office_session, new=new(service="citizen-1", external_ref="R-9",
                                            directive_due=date(2025, 5, 1)), now=NOW, user=None)
    office_session.rollback()
    assert counts(office_session) == before
    dated = log_request(office_session, new=new(service="citizen-7",
                                                directive_due=date(2025, 5, 1)),
                        now=NOW, user=None)
    assert dated.due_date == date(2025, 5, 1)


def test_a_no_deadline_request_cannot_be_extended(office_session: Session) -> None:
    request = log_request(office_session, new=new(service="citizen-3"), now=NOW, user=None)
    assert request.id is not None
    with pytest.raises(RequestError, match="allows no extension"):
        extend(office_session, request_id=request.id, new_due=date(2025, 5, 1),
               reason="busy", now=NOW, user=None)


def test_calendar_day_month_and_hour_limits_give_rule_3_due_dates(
    office_session: Session,
) -> None:
    received = datetime(2025, 1, 31, 10, tzinfo=DHAKA)  # a Friday
    due = {service: log_request(office_session, new=new(service=service, external_ref=service,
                                                        received_at=received),
                                now=NOW, user=None).due_date
           for service in ("citizen-4", "citizen-5", "citizen-6")}
    assert due == {
        "citizen-4": date(2025, 2, 9),  # 31 Jan + 7 = Fri 7 Feb -> Sun 9 Feb
        "citizen-5": date(2025, 3, 2),  # 28 Feb (clamped) is a Friday -> Sun 2 Mar
        "citizen-6": date(2025, 2, 3),  # 48 h = 2 working days after Fri 31 Jan: Mon 3 Feb
    }


def test_no_deadline_is_reported_neither_on_time_nor_late(office_session: Session) -> None:
    received = datetime(2025, 4, 2, 10, tzinfo=DHAKA)
    open_one = log_request(office_session, new=new(service="citizen-3", external_ref="N-1",
                                                   received_at=received), now=NOW, user=None)
    done = log_request(office_session, new=new(service="citizen-3", external_ref="N-2",
                                               received_at=received), now=NOW, user=None)
    on_time = log_request(office_session, new=new(external_ref="W-1", received_at=received),
                          now=NOW, user=None)
    for request in (done, on_time):
        assert request.id is not None
        transition(office_session, request_id=request.id, action="deliver",
                   at=datetime(2025, 4, 6, 12, tzinfo=DHAKA), now=NOW, user=None)
    office_session.commit()
    as_of = date(2025, 6, 30)  # long after any limit: an open no-deadline one is not overdue
    frame = judged_requests(office_session, scope=SYSTEM, as_of=as_of)
    status = dict(zip(frame["external_ref"], frame["status"], strict=True))
    assert status == {"N-1": "no_deadline", "N-2": "no_deadline", "W-1": "on_time"}
    assert open_one.id is not None
    report = compliance(request_frame(office_session, scope=SYSTEM,
                                      period=fiscal_year("2024-25"), as_of=as_of), "office")
    row = report.iloc[0].to_dict()
    assert (row["no_deadline"], row["on_time"], row["late"], row["overdue"]) == (2, 1, 0, 0)
    assert row["compliance_pct"] == 100.0  # the no-deadline ones are not in the ratio


# -- the CLI (both backends) ---------------------------------------------------------------


def test_cli_refuses_review_and_directive_dates_and_logs_no_deadline(
    cli_db: str, capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.test_cli import run
    from tracker.store.db import make_engine

    assert run(capsys, "init")[0] == 0
    engine = make_engine(cli_db)
    with Session(engine) as session:
        # in force from 2025 (after the reviewed Keshabpur charter `init` loaded)
        add_charter(session, OFFICE, effective=date(2025, 1, 1),
                    services=[dict(s) for s in SERVICES])
        session.commit()
    log = ("request", "log", "--office", OFFICE, "--channel", "letter",
           "--received", "2025-04-02T10:00")
    code, out, err = run(capsys, *log, "--service", "citizen-2", "--ref", "C/1")
    assert code != 0 and not out
    line = err.strip()
    assert "\n" not in line and "needs review" in line and REVIEW_RAW in line
    assert f"data/charters/{OFFICE}.toml" in line and "tracker init" in line
    code, out, err = run(capsys, *log, "--service", "citizen-3", "--ref", "C/2",
                         "--directive-due", "2025-05-01")
    assert code != 0 and "takes no directive due date" in err
    code, out, err = run(capsys, *log, "--service", "citizen-3", "--ref", "C/3")
    assert code == 0, err
    assert out.strip() == "#1 due no deadline (the charter sets no per-request limit)"
    code, out, _ = run(capsys, "request", "show", "1", "--as-of", "2025-06-30")
    assert code == 0 and "no_deadline" in out
    with Session(engine) as session:
        assert counts(session)[0] == 1  # the refused ones wrote nothing
    engine.dispose()


def test_why_is_a_no_deadline_request_due_says_there_is_no_limit(
    office_session: Session,
) -> None:
    """"Why is it due then?" of a no-deadline request names the printed cell (the one
    explanation home, ``uncounted_explanation``), not "as per directive"."""
    from tracker.services.auth import SYSTEM
    from tracker.services.queries import explain_due, load_readable
    from tracker.store.models import Service

    request = log_request(office_session, new=new(service="citizen-3"), now=NOW, user=None)
    office_session.commit()
    assert request.id is not None
    loaded, office = load_readable(office_session, request_id=request.id, scope=SYSTEM)
    service = office_session.get(Service, loaded.service_id)
    assert service is not None
    lines = explain_due(office_session, request=loaded, office=office, service=service,
                        as_of=date(2025, 6, 30))
    assert any(line == "no deadline: the charter sets no per-request limit (চলমান প্রক্রিয়া)"
               for line in lines), lines
    assert not any("as per directive" in line for line in lines)
