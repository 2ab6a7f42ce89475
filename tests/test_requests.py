"""The request log: logging, lifecycle, holds, extensions, audit events, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from tests.conftest import NOW, add_charter
from tracker.domain.localtime import DHAKA
from tracker.services.auth import PermissionDenied
from tracker.services.offices import create_user, load_geography_rows
from tracker.services.requests import (
    NewRequest,
    RequestError,
    extend,
    log_request,
    recompute_due_dates,
    transition,
    update,
)
from tracker.store.models import HoldPeriod, Request, RequestEvent

OFFICE = "jashore.keshabpur"


@pytest.fixture
def office_session(session: Session) -> Session:
    load_geography_rows(session)
    add_charter(session, OFFICE)
    session.commit()
    return session


def new(**kw: object) -> NewRequest:
    base: dict[str, object] = dict(office_code=OFFICE, service="citizen-1",
                                   received_at=datetime(2025, 3, 27, 10, 15, tzinfo=DHAKA),
                                   channel="in_person", external_ref="R-1")
    base.update(kw)
    return NewRequest(**base)  # type: ignore[arg-type]


def events(session: Session, request_id: int) -> list[tuple[str, str | None, str | None]]:
    rows = session.exec(select(RequestEvent).where(RequestEvent.request_id == request_id)
                        .order_by(col(RequestEvent.id)))
    return [(e.action, e.old_value, e.new_value) for e in rows]


def test_logging_freezes_the_due_date_with_the_calendar_version(office_session: Session) -> None:
    request = log_request(office_session, new=new(), now=NOW, user=None)
    office_session.commit()
    assert request.due_date == date(2025, 4, 8)
    assert request.received_date == date(2025, 3, 27)
    assert "bd-2025@" in request.calendar_version
    assert request.backdated  # logged on 30 June for a March receipt
    assert events(office_session, request.id)[0] == ("logged", None, "2025-04-08")  # type: ignore[arg-type]


def test_received_at_survives_the_round_trip_with_its_time_zone(
    office_session: Session,
) -> None:
    request = log_request(office_session, new=new(), now=NOW, user=None)
    office_session.commit()
    office_session.expire_all()
    stored = office_session.get(Request, request.id)
    assert stored is not None
    assert stored.received_at.tzinfo is not None
    assert stored.received_at == datetime(2025, 3, 27, 4, 15, tzinfo=UTC)


def test_tracks_immediate_by_default_or_extended_with_a_reason(office_session: Session) -> None:
    received = datetime(2025, 4, 10, 16, 0, tzinfo=DHAKA)
    immediate = log_request(office_session, new=new(service="2", external_ref="A",
                                                    received_at=received), now=NOW, user=None)
    assert (immediate.track, immediate.due_date) == ("immediate", date(2025, 4, 10))
    with pytest.raises(RequestError, match="needs a reason"):
        log_request(office_session, new=new(service="2", external_ref="B", track="extended",
                                            received_at=received), now=NOW, user=None)
    extended = log_request(office_session, new=new(service="2", external_ref="C",
                                                   track="extended", track_reason="field visit",
                                                   received_at=received), now=NOW, user=None)
    assert (extended.track, extended.due_date) == ("extended", date(2025, 4, 16))
    with pytest.raises(RequestError, match="no track to choose"):
        log_request(office_session, new=new(service="1", external_ref="D", track="extended",
                                            track_reason="x"), now=NOW, user=None)
    with pytest.raises(RequestError, match="a track reason has nothing to explain"):
        log_request(office_session, new=new(service="1", external_ref="E",
                                            track_reason="urgent"), now=NOW, user=None)


def test_per_directive_without_a_date_has_no_deadline(office_session: Session) -> None:
    none = log_request(office_session, new=new(service="4", external_ref="P1"), now=NOW,
                       user=None)
    assert none.due_date is None
    dated = log_request(office_session, new=new(service="4", external_ref="P2",
                                                directive_due=date(2025, 4, 20),
                                                directive_ref="DC memo 12"), now=NOW, user=None)
    assert dated.due_date == date(2025, 4, 20)


def test_lifecycle_with_hold_moves_the_due_date_and_audits_each_change(
    office_session: Session,
) -> None:
    received = datetime(2025, 1, 5, 10, 0, tzinfo=DHAKA)  # Sunday; 3 wd -> Wed 8 Jan
    r = log_request(office_session, new=new(received_at=received), now=NOW, user=None)
    assert r.id is not None and r.due_date == date(2025, 1, 8)
    at = lambda d, h=11: datetime(2025, 1, d, h, 0, tzinfo=DHAKA)  # noqa: E731
    transition(office_session, request_id=r.id, action="start", at=at(5), now=NOW, user=None)
    transition(office_session, request_id=r.id, action="hold", at=at(6), now=NOW, user=None,
               reason="applicant to bring NID copy")
    transition(office_session, request_id=r.id, action="resume", at=at(9), now=NOW, user=None)
    office_session.commit()
    assert r.hold_working_days == 2  # 7 and 8 January wholly on hold
    assert r.due_date == date(2025, 1, 12)
    transition(office_session, request_id=r.id, action="deliver", at=at(12, 15), now=NOW,
               user=None, outcome="certificate issued")
    office_session.commit()
    assert (r.state, r.closed_date) == ("delivered", date(2025, 1, 12))
    assert [e[0] for e in events(office_session, r.id)] == [
        "logged", "backdated", "start", "hold", "due_moved", "resume", "deliver"]
    assert ("due_moved", "2025-01-08", "2025-01-12") in events(office_session, r.id)
    hold = office_session.exec(select(HoldPeriod)).one()
    assert (hold.start_date, hold.end_date) == (date(2025, 1, 6), date(2025, 1, 9))


@pytest.mark.parametrize(
    ("action", "state_first", "message"),
    [("resume", None, "cannot resume"), ("deliver", "withdraw", "is withdrawn"),
     ("start", "start", "is in_progress: cannot start")],
)
def test_illegal_transitions_are_refused(office_session: Session, action: str,
                                         state_first: str | None, message: str) -> None:
    r = log_request(office_session, new=new(), now=NOW, user=None)
    assert r.id is not None
    at = datetime(2025, 3, 30, tzinfo=UTC)
    if state_first:
        transition(office_session, request_id=r.id, action=state_first, at=at, now=NOW,
                   user=None, reason="applicant withdrew")
    with pytest.raises(RequestError, match=message):
        transition(office_session, request_id=r.id, action=action, at=at, now=NOW, user=None)


def test_extension_only_where_the_charter_allows_it(office_session: Session) -> None:
    flexible = log_request(office_session, new=new(service="3", external_ref="E1"), now=NOW,
                           user=None)
    assert flexible.id is not None and flexible.due_date == date(2025, 4, 15)  # 14 Apr closed
    extend(office_session, request_id=flexible.id, new_due=date(2025, 4, 30),
           reason="site inspection needed", now=NOW, user=None)
    assert flexible.due_date == date(2025, 4, 30) and flexible.extended
    fixed = log_request(office_session, new=new(service="1", external_ref="E2"), now=NOW,
                        user=None)
    assert fixed.id is not None
    with pytest.raises(RequestError, match="allows no extension"):
        extend(office_session, request_id=fixed.id, new_due=date(2025, 4, 30), reason="x",
               now=NOW, user=None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(office_code="dhaka.nowhere"), "unknown office"),
        (dict(service="citizen-99"), "unknown service"),
        (dict(service="bogus"), "bad service"),
        (dict(received_at=NOW + timedelta(hours=1)), "in the future"),
        (dict(received_at=datetime(2023, 12, 20, tzinfo=UTC)), "no charter in force"),
        (dict(channel="pigeon"), "unknown channel"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    office_session: Session, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(Exception, match=message):
        log_request(office_session, new=new(**kwargs), now=NOW, user=None)
    office_session.rollback()
    assert office_session.exec(select(Request)).all() == []
    assert office_session.exec(select(RequestEvent)).all() == []


def test_duplicate_external_reference_is_refused(office_session: Session) -> None:
    log_request(office_session, new=new(), now=NOW, user=None)
    with pytest.raises(RequestError, match="already used"):
        log_request(office_session, new=new(), now=NOW, user=None)


def test_delivery_before_receipt_is_refused(office_session: Session) -> None:
    r = log_request(office_session, new=new(), now=NOW, user=None)
    assert r.id is not None
    with pytest.raises(RequestError, match="before the request was received"):
        transition(office_session, request_id=r.id, action="deliver",
                   at=datetime(2025, 3, 26, tzinfo=UTC), now=NOW, user=None)


def test_updates_write_one_event_per_changed_field(office_session: Session) -> None:
    r = log_request(office_session, new=new(), now=NOW, user=None)
    assert r.id is not None
    update(office_session, request_id=r.id, changes={"applicant_name": "রহিম",
                                                     "summary": ""}, now=NOW, user=None)
    assert events(office_session, r.id)[-1] == ("updated", None, "রহিম")
    with pytest.raises(RequestError, match="cannot update due_date"):
        update(office_session, request_id=r.id, changes={"due_date": "2030-01-01"}, now=NOW,
               user=None)


def test_an_officer_cannot_touch_another_office(office_session: Session) -> None:
    add_charter(office_session, "dinajpur.dinajpur-sadar")
    other = log_request(office_session, new=new(office_code="dinajpur.dinajpur-sadar"),
                        now=NOW, user=None)
    officer = create_user(office_session, username="keshabpur", full_name="Officer",
                          role="upazila_officer", password="secret-pass-1", office_code=OFFICE)
    programmer = create_user(office_session, username="jashore", full_name="Programmer",
                             role="district_programmer", password="secret-pass-2",
                             office_code="jashore")
    assert other.id is not None
    with pytest.raises(PermissionDenied):
        log_request(office_session, new=new(office_code="dinajpur.dinajpur-sadar",
                                            external_ref="X"), now=NOW, user=officer)
    with pytest.raises(PermissionDenied):
        transition(office_session, request_id=other.id, action="start", at=NOW, now=NOW,
                   user=officer)
    with pytest.raises(PermissionDenied):  # programmers read, never write
        log_request(office_session, new=new(external_ref="Y"), now=NOW, user=programmer)
    own = log_request(office_session, new=new(external_ref="Z"), now=NOW, user=officer)
    assert own.created_by == officer.id


def test_calendar_reload_moves_open_requests_only(office_session: Session,
                                                  calendars_copy: object,
                                                  settings_env: pytest.MonkeyPatch) -> None:
    open_r = log_request(office_session, new=new(received_at=datetime(2025, 9, 1, 10,
                                                                      tzinfo=DHAKA)),
                         now=NOW + timedelta(days=90), user=None)
    closed = log_request(office_session, new=new(external_ref="R-2", received_at=datetime(
        2025, 9, 1, 11, tzinfo=DHAKA)), now=NOW + timedelta(days=90), user=None)
    assert closed.id is not None and open_r.id is not None
    transition(office_session, request_id=closed.id, action="deliver",
               at=datetime(2025, 9, 4, 12, tzinfo=DHAKA), now=NOW + timedelta(days=90),
               user=None)
    office_session.commit()
    assert open_r.due_date == date(2025, 9, 4)
    path = calendars_copy / "bd-2025.toml"  # type: ignore[operator]
    path.write_text(path.read_text("utf-8") + '''
[[day]]
date = 2025-09-03
kind = "executive"
name_en = "Hypothetical closure"
name_bn = "ছুটি"
source = "test"
''', encoding="utf-8")
    settings_env.setenv("TRACKER_CALENDARS_DIR", str(calendars_copy))
    from tracker.config import get_settings
    get_settings.cache_clear()
    moved = recompute_due_dates(office_session, now=NOW + timedelta(days=91))
    office_session.commit()
    assert [(m.request_id, m.old, m.new) for m in moved] == [
        (open_r.id, date(2025, 9, 4), date(2025, 9, 7))]
    assert "Hypothetical closure" in moved[0].why
    assert closed.due_date == date(2025, 9, 4)
    assert events(office_session, open_r.id)[-1] == ("due_recomputed", "2025-09-04",
                                                     "2025-09-07")
    assert recompute_due_dates(office_session, now=NOW + timedelta(days=91)) == []
