"""Issue 11, the request writer (tracker.services.requests) under hostile input and races.

Item 1: dates a user enters (directive, extension, receipt) lie inside the office calendar.
Items 6, 8, 9: register numbers normalised on every write (duplicates found on the
normalised value); control characters refused in free text. Item 7: a calendar reload
writes an event for every row it changes. Item 13: two writers racing on one register
number on PostgreSQL; a request rejected or withdrawn while on hold ends its hold.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import tracker.services.requests as requests_service
from tests.conftest import NOW, add_charter
from tracker.config import get_settings
from tracker.domain.calendar import load_calendar
from tracker.domain.localtime import DHAKA
from tracker.errors import InputError, TrackerError
from tracker.services.offices import load_geography_rows
from tracker.services.requests import (
    NewRequest,
    RegisterNumberTaken,
    RequestError,
    extend,
    log_request,
    recompute_due_dates,
    transition,
    update,
)
from tracker.store.models import HoldPeriod, Request, RequestEvent

OFFICE = "jashore.keshabpur"
OLD_CHARTER_OFFICE = "dinajpur.dinajpur-sadar"  # a charter "in force" since year 1


@pytest.fixture
def office_session(session: Session) -> Session:
    load_geography_rows(session)
    add_charter(session, OFFICE)
    add_charter(session, OLD_CHARTER_OFFICE, effective=date(1, 1, 1))
    session.commit()
    return session


def new(**kw: Any) -> NewRequest:
    base: dict[str, Any] = dict(office_code=OFFICE, service="citizen-1",
                                received_at=datetime(2025, 3, 27, 10, 15, tzinfo=DHAKA),
                                channel="in_person", external_ref="R-1")
    base.update(kw)
    return NewRequest(**base)


def events(session: Session, request_id: int | None) -> list[tuple[str, str | None,
                                                                   str | None, str | None]]:
    rows = session.exec(select(RequestEvent).where(RequestEvent.request_id == request_id)
                        .order_by(col(RequestEvent.id)))
    return [(e.action, e.field, e.old_value, e.new_value) for e in rows]


def nothing_written(session: Session) -> bool:
    session.rollback()
    return not session.exec(select(Request)).all() and not session.exec(
        select(RequestEvent)).all()


# -- item 1: dates inside the office calendar ------------------------------------------------


def test_a_directive_date_beyond_the_calendar_is_refused(office_session: Session) -> None:
    last = load_calendar("Jashore").last_day
    with pytest.raises(RequestError, match=f"outside the office calendar.*{last}"):
        log_request(office_session, new=new(service="4", directive_due=last + timedelta(1)),
                    now=NOW, user=None)
    assert nothing_written(office_session)
    on_the_edge = log_request(office_session, new=new(service="4", directive_due=last),
                              now=NOW, user=None)
    assert on_the_edge.due_date == last


def test_an_extension_beyond_the_calendar_is_refused(office_session: Session) -> None:
    request = log_request(office_session, new=new(service="3"), now=NOW, user=None)
    office_session.commit()
    for far in (load_calendar("Jashore").last_day + timedelta(1), date(9999, 12, 31)):
        with pytest.raises(RequestError, match="outside the office calendar"):
            extend(office_session, request_id=request.id or 0, new_due=far,
                   reason="site visit", now=NOW, user=None)
    office_session.rollback()
    assert [e[0] for e in events(office_session, request.id)] == ["logged", "backdated"]


@pytest.mark.parametrize("received", [
    datetime(1, 1, 1),  # naive midnight in Dhaka: before UTC's year 1 (OverflowError)
    datetime(1, 1, 1, 12, tzinfo=DHAKA),
    datetime(2020, 5, 5, 12, tzinfo=DHAKA),  # a charter in force, but no calendar yet
])
def test_a_receipt_before_the_calendar_is_refused(office_session: Session,
                                                  received: datetime) -> None:
    first = load_calendar("Dinajpur").first_day
    with pytest.raises(RequestError, match=f"outside the office calendar \\({first}"):
        log_request(office_session, new=new(office_code=OLD_CHARTER_OFFICE,
                                            received_at=received), now=NOW, user=None)
    assert nothing_written(office_session)


# -- items 6, 8, 9: register numbers and free text --------------------------------------------


def test_register_number_variants_are_one_number_on_log_and_update(
    office_session: Session,
) -> None:
    first = log_request(office_session, new=new(external_ref=" R/1\u200b "), now=NOW,
                        user=None)
    assert first.external_ref == "R/1"
    for variant in ("R/1", "\ufeffR/1", "R/1\u00ad", "  R/1"):
        with pytest.raises(RequestError, match="register number 'R/1' is already used in "
                                               f"{OFFICE}"):
            log_request(office_session, new=new(external_ref=variant), now=NOW, user=None)
    second = log_request(office_session, new=new(external_ref="R\u00a02"), now=NOW, user=None)
    assert second.external_ref == "R 2"
    with pytest.raises(RequestError, match="already used"):
        update(office_session, request_id=second.id or 0,
               changes={"external_ref": "R/1\u200b"}, now=NOW, user=None)
    update(office_session, request_id=second.id or 0, changes={"external_ref": " R/2\t"},
           now=NOW, user=None)
    assert second.external_ref == "R/2"
    assert events(office_session, second.id)[-1] == ("updated", "external_ref", "R 2", "R/2")


_BASE = st.text(alphabet="AZaz09/-é ", min_size=1, max_size=10).filter(lambda s: s.strip())


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=_BASE, pad=st.sampled_from(["", " ", "\u00a0", "\t", "\u3000"]),
       invisible=st.sampled_from(["", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad",
                                  "\u2060"]),
       position=st.integers(0, 12), decompose=st.booleans())
def test_any_invisible_or_spacing_variant_of_a_used_number_is_refused(
    office_session: Session, base: str, pad: str, invisible: str, position: int, decompose: bool,
) -> None:
    serial = office_session.exec(select(sa.func.count()).select_from(Request)).one()
    ref = f"N{serial}-{base}"
    original = log_request(office_session, new=new(external_ref=ref), now=NOW, user=None)
    office_session.commit()
    cut = min(position, len(ref))
    spelled = ref[:cut] + invisible + ref[cut:]
    variant = pad + (unicodedata.normalize("NFD", spelled) if decompose else spelled) + pad
    with pytest.raises(RequestError, match="already used"):
        log_request(office_session, new=new(external_ref=variant), now=NOW, user=None)
    with pytest.raises(RequestError, match="already used"):
        other = log_request(office_session, new=new(external_ref=f"other-{serial}"), now=NOW,
                            user=None)
        update(office_session, request_id=other.id or 0, changes={"external_ref": variant},
               now=NOW, user=None)
    office_session.rollback()
    assert original.external_ref is not None


def test_update_with_an_empty_register_number_is_refused_every_time(
    office_session: Session,
) -> None:
    """Before: the first ``update --ref ""`` stored "" and the second hit the unique index
    (IntegrityError). An empty number is a mistake (an empty shell variable): refused."""
    one = log_request(office_session, new=new(external_ref="A/1"), now=NOW, user=None)
    two = log_request(office_session, new=new(external_ref="A/2"), now=NOW, user=None)
    office_session.commit()
    for request, empty in ((one, ""), (two, "   "), (one, "\u200b")):
        with pytest.raises(InputError, match="register number is empty"):
            update(office_session, request_id=request.id or 0,
                   changes={"external_ref": empty}, now=NOW, user=None)
        office_session.rollback()
    assert office_session.exec(select(Request.external_ref).order_by(col(Request.id))).all() \
        == ["A/1", "A/2"]


def test_update_with_none_clears_the_register_number_with_an_event(
    office_session: Session,
) -> None:
    one = log_request(office_session, new=new(external_ref="A/1"), now=NOW, user=None)
    two = log_request(office_session, new=new(external_ref="A/2"), now=NOW, user=None)
    for request, old in ((one, "A/1"), (two, "A/2")):  # two without a number: no clash
        update(office_session, request_id=request.id or 0, changes={"external_ref": None},
               now=NOW, user=None, reason="number belonged to another file")
        office_session.commit()
        assert request.external_ref is None
        assert events(office_session, request.id)[-1] == ("updated", "external_ref", old,
                                                          None)
    three = log_request(office_session, new=new(external_ref="A/1"), now=NOW, user=None)
    assert three.external_ref == "A/1"  # the number is free for the request it belongs to


def test_an_empty_register_number_is_refused_when_logging(office_session: Session) -> None:
    with pytest.raises(InputError, match="register number is empty"):
        log_request(office_session, new=new(external_ref=" \u200b "), now=NOW, user=None)
    assert nothing_written(office_session)


CONTROL = ["\x00", "\x1b", "\x85"]  # C0, escape, C1 (NEL)
LOG_FIELDS = ["external_ref", "applicant_name", "applicant_contact", "summary",
              "directive_ref"]


@pytest.mark.parametrize("char", CONTROL)
@pytest.mark.parametrize("field", LOG_FIELDS)
def test_control_characters_are_refused_when_logging(office_session: Session, field: str,
                                                     char: str) -> None:
    with pytest.raises(InputError, match="control character"):
        log_request(office_session, new=new(**{field: f"R/1{char}=cmd|' /C calc'!A0"}),
                    now=NOW, user=None)
    assert nothing_written(office_session)


@pytest.mark.parametrize("field", ["external_ref", "applicant_name", "directive_ref"])
def test_line_breaks_are_refused_in_one_line_fields(office_session: Session,
                                                    field: str) -> None:
    with pytest.raises(InputError, match="control character U\\+000D"):
        log_request(office_session, new=new(**{field: "R/1\r=cmd|' /C calc'!A0"}), now=NOW,
                    user=None)


def test_free_text_is_cleaned_and_a_summary_may_span_lines(office_session: Session) -> None:
    request = log_request(office_session, new=new(
        applicant_name="  করিম  ", applicant_contact=" +8801711000000 ",
        summary=" first line\r\nsecond line ", directive_ref=None), now=NOW, user=None)
    assert (request.applicant_name, request.applicant_contact, request.summary) == (
        "করিম", "+8801711000000", "first line\nsecond line")
    decomposed = unicodedata.normalize("NFD", "é")
    update(office_session, request_id=request.id or 0,
           changes={"applicant_name": f"Jos{decomposed}"}, now=NOW, user=None)
    assert request.applicant_name == "José"


@pytest.mark.parametrize("field", ["applicant_name", "applicant_contact", "summary",
                                   "external_ref", "directive_ref"])
def test_control_characters_are_refused_when_updating(office_session: Session,
                                                      field: str) -> None:
    request = log_request(office_session, new=new(), now=NOW, user=None)
    office_session.commit()
    with pytest.raises(InputError, match="control character"):
        update(office_session, request_id=request.id or 0, changes={field: "x\x00y"},
               now=NOW, user=None)
    with pytest.raises(InputError, match="control character"):
        update(office_session, request_id=request.id or 0, changes={field: "x"}, now=NOW,
               user=None, reason="typo\x1b")


@pytest.mark.parametrize("write", ["hold", "reject", "deliver", "extend", "track"])
def test_control_characters_are_refused_in_reasons(office_session: Session,
                                                   write: str) -> None:
    request = log_request(office_session, new=new(service="3"), now=NOW, user=None)
    office_session.commit()
    rid, at = request.id or 0, datetime(2025, 3, 30, 11, tzinfo=DHAKA)
    bad = "waiting\x00for NID"
    with pytest.raises(InputError, match="control character"):
        if write == "extend":
            extend(office_session, request_id=rid, new_due=date(2025, 5, 1), reason=bad,
                   now=NOW, user=None)
        elif write == "track":
            log_request(office_session, new=new(service="2", external_ref="T",
                                                track="extended", track_reason=bad),
                        now=NOW, user=None)
        else:
            transition(office_session, request_id=rid, action=write, at=at, now=NOW,
                       user=None, reason=bad, outcome=bad if write == "deliver" else None)


@pytest.mark.parametrize("key", ["citizen-\u00b2", "citizen-\u0661", "citizen-\uff11",
                                 "citizen-99999999999999999999", "citizen-", "citizen--1"])
def test_a_service_number_in_other_digits_or_too_long_is_refused(key: str) -> None:
    """Before: "²" passed isdigit() and int() raised ValueError (a traceback); "١" (Arabic-
    Indic one) silently meant service 1; 20 digits overflowed the INTEGER column."""
    with pytest.raises(RequestError, match="bad service"):
        requests_service.parse_service_key(key)


@given(number=st.integers(1, 9999), bengali=st.booleans(),
       category=st.sampled_from(["citizen", "institutional", "internal", ""]))
def test_service_keys_in_ascii_or_bengali_digits_parse(number: int, bengali: bool,
                                                       category: str) -> None:
    from tracker.domain.bn import bengali_digits

    digits = bengali_digits(str(number)) if bengali else str(number)
    key = f" {category.upper()}-{digits} " if category else digits
    assert requests_service.parse_service_key(key) == (category or "citizen", number)


@pytest.mark.parametrize("request_id", [2**31, 2**63, 2**64, 0, -1])
def test_a_request_id_beyond_the_key_is_no_request(office_session: Session,
                                                  request_id: int) -> None:
    """Before: 2^31 was a DataError on PostgreSQL, 2^63 an OverflowError on SQLite."""
    writes: list[Callable[[], object]] = [
        lambda: transition(office_session, request_id=request_id, action="start", at=NOW,
                           now=NOW, user=None),
        lambda: extend(office_session, request_id=request_id, new_due=date(2025, 5, 1),
                       reason="x", now=NOW, user=None),
        lambda: update(office_session, request_id=request_id, changes={"summary": "x"},
                       now=NOW, user=None),
    ]
    for write in writes:
        with pytest.raises(RequestError, match=f"no request #{request_id}"):
            write()
        office_session.rollback()


# -- item 7: a calendar reload audits every row it changes --------------------------------------

AUDITED = ("base_due_date", "due_date", "hold_working_days", "due_provisional",
           "calendar_version")


def _snapshot(session: Session) -> dict[int, dict[str, Any]]:
    session.expire_all()
    return {r.id or 0: {f: getattr(r, f) for f in AUDITED}
            for r in session.exec(select(Request))}


def _add_closure(calendars: Path, day: date) -> None:
    path = calendars / f"bd-{day.year}.toml"
    path.write_text(path.read_text("utf-8") + f'''
[[day]]
date = {day.isoformat()}
kind = "executive"
name_en = "Hypothetical closure"
name_bn = "ছুটি"
source = "test"
''', encoding="utf-8")


def test_a_calendar_reload_writes_an_event_for_every_row_it_changes(
    office_session: Session, calendars_copy: Path, settings_env: pytest.MonkeyPatch,
) -> None:
    now = NOW + timedelta(days=90)
    received = [datetime(2025, 9, 1, 10, tzinfo=DHAKA), datetime(2025, 9, 14, 10, tzinfo=DHAKA),
                datetime(2025, 9, 21, 10, tzinfo=DHAKA)]
    logged = [log_request(office_session, new=new(external_ref=f"C/{i}", received_at=at),
                          now=now, user=None) for i, at in enumerate(received)]
    office_session.commit()
    before = _snapshot(office_session)
    _add_closure(calendars_copy, date(2025, 9, 3))  # moves the first due date only
    settings_env.setenv("TRACKER_CALENDARS_DIR", str(calendars_copy))
    get_settings.cache_clear()
    done = requests_service.recompute_open_requests(office_session,
                                                    now=now + timedelta(days=1))
    office_session.commit()
    after = _snapshot(office_session)
    assert [m.request_id for m in done.moved] == [logged[0].id]
    assert (done.restamped, done.skipped) == ([logged[1].id, logged[2].id], [])
    changed_rows = 0
    for request_id, old in before.items():
        audit = {(field, o, n) for _, field, o, n in events(office_session, request_id)}
        changes = {(f, str(old[f]), str(after[request_id][f])) for f in AUDITED
                   if old[f] != after[request_id][f]}
        changed_rows += bool(changes)
        assert changes <= audit, f"#{request_id}: unaudited {changes - audit}"
    assert changed_rows == 3  # every open request took the new calendar version
    version_events = [e for e in events(office_session, logged[1].id)
                      if e[0] == "calendar_version_changed"]
    assert version_events == [("calendar_version_changed", "calendar_version",
                               before[logged[1].id or 0]["calendar_version"],
                               after[logged[1].id or 0]["calendar_version"])]
    assert events(office_session, logged[0].id)[-1] == (
        "due_recomputed", "due_date", "2025-09-04", "2025-09-07")
    assert recompute_due_dates(office_session, now=now + timedelta(days=1)) == []
    assert _snapshot(office_session) == after


def test_a_reload_skips_a_request_the_new_calendar_cannot_count_and_does_the_rest(
    office_session: Session, calendars_copy: Path, settings_env: pytest.MonkeyPatch,
) -> None:
    """A far-future directive date stored before the input bound (item 1) must not stop
    the reload of every other request: it is left as it was and reported."""
    now = NOW + timedelta(days=90)
    good = log_request(office_session, new=new(external_ref="G/1", received_at=datetime(
        2025, 9, 1, 10, tzinfo=DHAKA)), now=now, user=None)
    legacy = log_request(office_session, new=new(service="4", external_ref="L/1",
                                                 directive_due=date(2025, 12, 1)),
                         now=now, user=None)
    for action, day in (("hold", 4), ("resume", 8)):  # 5-7 May 2025 wholly on hold
        transition(office_session, request_id=legacy.id or 0, action=action,
                   at=datetime(2025, 5, day, 11, tzinfo=DHAKA), now=now, user=None,
                   reason="documents asked for")
    office_session.commit()
    far = load_calendar("Jashore").last_day + timedelta(days=1)
    office_session.execute(sa.update(Request).where(col(Request.id) == legacy.id).values(
        anchor_due_date=far, due_date=far))  # as written before the bound existed
    office_session.commit()
    before = _snapshot(office_session)[legacy.id or 0]
    audit_before = events(office_session, legacy.id)
    assert before["hold_working_days"] > 0  # the held days push the date: counted on it
    _add_closure(calendars_copy, date(2025, 9, 3))
    settings_env.setenv("TRACKER_CALENDARS_DIR", str(calendars_copy))
    get_settings.cache_clear()
    done = requests_service.recompute_open_requests(office_session, now=now)
    office_session.commit()
    assert [m.request_id for m in done.moved] == [good.id]
    assert [(rid, "outside every known" in why) for rid, why in done.skipped] == [
        (legacy.id, True)]
    assert _snapshot(office_session)[legacy.id or 0] == before
    assert events(office_session, legacy.id) == audit_before


# -- item 13: racing writers, and holds ended by a closure ---------------------------------------


def test_a_unique_index_conflict_at_insert_is_a_clear_error_and_the_session_lives_on(
    office_session: Session, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the losing writer of a race sees: the SELECT check passed (simulated here by
    hiding the first look-up), the unique index refuses the row at flush."""
    log_request(office_session, new=new(external_ref="U/1"), now=NOW, user=None)
    office_session.commit()
    real = requests_service._reference_owner
    calls: list[str] = []

    def blind_first_time(session: Session, office_id: int, ref: str) -> int | None:
        calls.append(ref)
        return None if len(calls) == 1 else real(session, office_id, ref)

    monkeypatch.setattr(requests_service, "_reference_owner", blind_first_time)
    with pytest.raises(RequestError, match=f"register number 'U/1' is already used in "
                                           f"{OFFICE} \\(request #"):
        log_request(office_session, new=new(external_ref="U/1"), now=NOW, user=None)
    # The savepoint kept the caller's transaction usable (on PostgreSQL it would be aborted).
    survivor = log_request(office_session, new=new(external_ref="U/2"), now=NOW, user=None)
    office_session.commit()
    refs = office_session.exec(select(Request.external_ref).order_by(col(Request.id))).all()
    assert refs == ["U/1", "U/2"] and survivor.id is not None


def test_an_update_losing_the_race_for_a_number_is_a_clear_error(
    office_session: Session, monkeypatch: pytest.MonkeyPatch,
) -> None:
    log_request(office_session, new=new(external_ref="V/1"), now=NOW, user=None)
    other = log_request(office_session, new=new(external_ref="V/2"), now=NOW, user=None)
    office_session.commit()
    real = requests_service._reference_owner
    calls: list[str] = []

    def blind_first_time(session: Session, office_id: int, ref: str) -> int | None:
        calls.append(ref)
        return None if len(calls) == 1 else real(session, office_id, ref)

    monkeypatch.setattr(requests_service, "_reference_owner", blind_first_time)
    with pytest.raises(RequestError, match="register number 'V/1' is already used"):
        update(office_session, request_id=other.id or 0, changes={"external_ref": "V/1"},
               now=NOW, user=None)
    office_session.rollback()
    office_session.expire_all()
    assert office_session.get(Request, other.id).external_ref == "V/2"  # type: ignore[union-attr]


def _wait_for_a_lock_wait(engine: Engine, timeout: float = 20.0) -> None:
    """Until some backend of this database waits on a lock (the loser's INSERT)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one()
            if waiting:
                return
            watcher.rollback()
            time.sleep(0.05)
    raise AssertionError("the second writer never waited on the unique index")


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.parametrize("write", ["log", "update"])
def test_two_writers_racing_on_one_new_register_number(engine: Engine, write: str) -> None:
    """Two real connections on PostgreSQL: both pass the SELECT check, the unique index
    makes the second wait for the first, and the loser gets a one-line error."""
    with Session(engine) as setup:
        load_geography_rows(setup)
        add_charter(setup, OFFICE)
        spare = log_request(setup, new=new(external_ref="SPARE"), now=NOW, user=None)
        setup.commit()
        spare_id = spare.id or 0
    outcome: dict[str, object] = {}
    loser_writes: dict[str, Callable[[Session], object]] = {
        "log": lambda s: log_request(s, new=new(external_ref="RACE/1"), now=NOW, user=None),
        "update": lambda s: update(s, request_id=spare_id, changes={"external_ref": "RACE/1"},
                                   now=NOW, user=None),
    }

    def loser() -> None:
        with Session(engine) as second:
            try:
                loser_writes[write](second)
                second.commit()
                outcome["result"] = "written"
            except Exception as exc:  # the test inspects whatever came out
                second.rollback()
                outcome["result"] = exc

    with Session(engine) as first:
        log_request(first, new=new(external_ref="RACE/1"), now=NOW, user=None)  # not committed
        thread = threading.Thread(target=loser)
        thread.start()
        _wait_for_a_lock_wait(engine)
        first.commit()
    thread.join(30)
    assert not thread.is_alive()
    result = outcome["result"]
    assert isinstance(result, RegisterNumberTaken), repr(result)
    assert str(result).startswith(f"register number 'RACE/1' is already used in {OFFICE}")
    assert (result.ref, result.office_code) == ("RACE/1", OFFICE)
    assert "\n" not in str(result)
    with Session(engine) as check:
        refs = check.exec(select(Request.external_ref).order_by(col(Request.id))).all()
    assert refs == ["SPARE", "RACE/1"]
    with Session(engine) as check:
        winner = check.exec(select(Request.id).where(Request.external_ref == "RACE/1")).one()
    assert result.owner == winner


@pytest.mark.parametrize("closing", ["reject", "withdraw"])
def test_closing_a_request_on_hold_ends_its_hold(office_session: Session,
                                                 closing: str) -> None:
    received = datetime(2025, 1, 5, 10, tzinfo=DHAKA)  # Sunday; 3 wd -> Wed 8 Jan
    request = log_request(office_session, new=new(received_at=received), now=NOW, user=None)
    rid = request.id or 0
    transition(office_session, request_id=rid, action="hold",
               at=datetime(2025, 1, 6, 11, tzinfo=DHAKA), now=NOW, user=None,
               reason="applicant to bring NID copy")
    transition(office_session, request_id=rid, action=closing,
               at=datetime(2025, 1, 9, 11, tzinfo=DHAKA), now=NOW, user=None,
               reason="applicant never came back")
    office_session.commit()
    hold = office_session.exec(select(HoldPeriod).where(HoldPeriod.request_id == rid)).one()
    assert (hold.start_date, hold.end_date) == (date(2025, 1, 6), date(2025, 1, 9))
    assert hold.ended_at == datetime(2025, 1, 9, 5, tzinfo=UTC)
    assert (request.hold_working_days, request.due_date) == (2, date(2025, 1, 12))
    actions = [e[:2] for e in events(office_session, rid)]
    assert actions[-3:] == [("hold_ended", "hold"), ("due_moved", "due_date"),
                            (closing, "state")]
    open_holds = office_session.exec(select(HoldPeriod).where(
        col(HoldPeriod.end_date).is_(None))).all()
    assert open_holds == []


def test_every_refusal_here_is_a_one_line_tracker_error(office_session: Session) -> None:
    """The CLI prints TrackerErrors as one line; nothing above may escape as anything else."""
    attempts: list[Callable[[], object]] = [
        lambda: log_request(office_session, new=new(service="4",
                                                    directive_due=date(9999, 12, 31)),
                            now=NOW, user=None),
        lambda: log_request(office_session, new=new(office_code=OLD_CHARTER_OFFICE,
                                                    received_at=datetime(1, 1, 1)),
                            now=NOW, user=None),
        lambda: log_request(office_session, new=new(external_ref="R\x00"), now=NOW,
                            user=None),
        lambda: log_request(office_session, new=new(external_ref=""), now=NOW, user=None),
    ]
    for attempt in attempts:
        with pytest.raises(TrackerError) as caught:
            attempt()
        assert "\n" not in str(caught.value)
        office_session.rollback()
