"""The request log's only writer: log, update, hold, resume, extend, deliver, reject, withdraw.

Every function is keyword-only, takes the session (the caller owns the transaction) and
the acting user (``None`` = the system), checks the user's scope on the server side, and
writes its RequestEvent rows in the same transaction as the change. Nothing is deleted;
corrections are events. "Now" is a parameter: only the CLI/dashboard ask the clock.

Lifecycle: received -> in_progress -> on_hold (clock stops) -> in_progress ->
delivered | rejected | withdrawn. Due dates are frozen when logged, with the calendar
version used; holds push them later; only ``recompute_due_dates`` moves them otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.deadlines import (
    DeadlineError,
    DeadlineSpec,
    DeadlineUnit,
    Hold,
    Track,
    allows_extension,
    choose_track,
    due_date,
    due_in_force,
    hold_working_days,
    spec_for,
)
from tracker.domain.localtime import to_local, to_utc
from tracker.domain.status import CLOSED_STATES, RequestState
from tracker.errors import TrackerError
from tracker.services.auth import Scope, scope_for
from tracker.store.models import (
    CHANNELS,
    OPEN_STATES,
    CharterVersion,
    District,
    HoldPeriod,
    Office,
    Request,
    RequestEvent,
    Service,
    User,
)


class RequestError(TrackerError):
    """A request operation that cannot be done as asked (nothing was written)."""


class ConcurrentUpdate(RequestError):
    """Someone else changed the request meanwhile; reload and try again."""


#: Allowed lifecycle transitions: action -> (states it may start from, resulting state).
_S = RequestState
#: The lifecycle as one table: action -> (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[tuple[RequestState, ...], RequestState]] = {
    "start": ((_S.RECEIVED,), _S.IN_PROGRESS),
    "hold": ((_S.RECEIVED, _S.IN_PROGRESS), _S.ON_HOLD),
    "resume": ((_S.ON_HOLD,), _S.IN_PROGRESS),
    "deliver": ((_S.RECEIVED, _S.IN_PROGRESS), _S.DELIVERED),
    "reject": ((_S.RECEIVED, _S.IN_PROGRESS, _S.ON_HOLD), _S.REJECTED),
    "withdraw": ((_S.RECEIVED, _S.IN_PROGRESS, _S.ON_HOLD), _S.WITHDRAWN),
}


# -- lookups ------------------------------------------------------------------------------


def get_office(session: Session, code: str) -> Office:
    office = session.exec(select(Office).where(Office.code == code.strip().lower())).first()
    if office is None:
        raise RequestError(f"unknown office {code!r} (see `tracker office list`)")
    return office


def office_calendar(session: Session, office: Office) -> BangladeshCalendar:
    """The calendar of the office's district (national plus its regional closures)."""
    district = session.get(District, office.district_id)
    return load_calendar(district.name_en if district else None)


def charter_in_force(session: Session, office: Office, day: date) -> CharterVersion:
    version = session.exec(
        select(CharterVersion)
        .where(CharterVersion.office_id == office.id, CharterVersion.effective_date <= day)
        .order_by(col(CharterVersion.effective_date).desc(), col(CharterVersion.id).desc())
    ).first()
    if version is None:
        raise RequestError(f"office {office.code} has no charter in force on {day} "
                           "(received before the charter's effective date?)")
    return version


def parse_service_key(key: str) -> tuple[str, int]:
    """``citizen-3`` / ``institutional-2`` / ``internal-1``; a bare ``3`` means citizen."""
    raw = key.strip().lower()
    category, _, number = raw.rpartition("-")
    category = category or "citizen"
    if category not in ("citizen", "institutional", "internal") or not number.isdigit():
        raise RequestError(f"bad service {key!r} (expected e.g. citizen-3, institutional-1)")
    return category, int(number)


def get_service(session: Session, version: CharterVersion, key: str) -> Service:
    category, number = parse_service_key(key)
    service = session.exec(select(Service).where(
        Service.charter_version_id == version.id, Service.category == category,
        Service.number == number)).first()
    if service is None:
        raise RequestError(f"unknown service {key!r} in the charter of "
                           f"{version.effective_date} for this office")
    return service


def deadline_for(service: Service, track: str) -> DeadlineSpec | None:
    """The deadline rule for a stored service on a track (tracker.domain.deadlines.spec_for);
    None for "as per directive"."""
    return spec_for(service.unit, service.amount, track, service.extended_working_days)


# -- helpers ------------------------------------------------------------------------------


def _event(session: Session, request: Request, *, at: datetime, user: User | None,
           action: str, field: str | None = None, old: Any = None, new: Any = None,
           reason: str | None = None) -> None:
    assert request.id is not None
    session.add(RequestEvent(
        request_id=request.id, at=at, user_id=user.id if user else None, action=action,
        field=field, old_value=None if old is None else str(old),
        new_value=None if new is None else str(new), reason=reason))


def _lock(session: Session, request_id: int, scope: Scope) -> tuple[Request, Office]:
    """Load a request for update (row lock on PostgreSQL) and check the user may change it."""
    request = session.exec(
        select(Request).where(Request.id == request_id).with_for_update()
    ).first()
    if request is None:
        raise RequestError(f"no request #{request_id}")
    office = session.get(Office, request.office_id)
    assert office is not None
    scope.require_write(office)
    return request, office


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentUpdate("the request was changed by someone else; try again") from None


def _check_time(request: Request, at: datetime, now: datetime, what: str) -> None:
    if at > now:
        raise RequestError(f"{what} time {at:%Y-%m-%d %H:%M} UTC is in the future")
    if at < request.received_at:
        raise RequestError(f"{what} ({to_local(at).date}) is before the request was received "
                           f"({request.received_date})")


def _holds(session: Session, request: Request) -> list[HoldPeriod]:
    return list(session.exec(select(HoldPeriod).where(HoldPeriod.request_id == request.id)
                             .order_by(col(HoldPeriod.id))))


def _current_due(request: Request, held: int, calendar: BangladeshCalendar) -> date | None:
    return due_in_force(request.base_due_date, held, calendar,
                        anchor_due=request.anchor_due_date,
                        anchor_hold_days=request.anchor_hold_days)


# -- writes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRequest:
    """What an officer enters when logging a request."""

    office_code: str
    service: str  # e.g. "citizen-3"
    received_at: datetime  # aware, or naive = Asia/Dhaka
    channel: str
    applicant_name: str | None = None
    applicant_contact: str | None = None
    summary: str = ""
    external_ref: str | None = None
    track: str | None = None  # immediate (default) | extended, where the charter allows
    track_reason: str | None = None
    directive_due: date | None = None  # per-directive services: the directive's date
    directive_ref: str | None = None


def log_request(session: Session, *, new: NewRequest, now: datetime,
                user: User | None) -> Request:
    """Record a request and freeze its due date (with the calendar version used)."""
    scope = scope_for(session, user)
    office = get_office(session, new.office_code)
    scope.require_write(office)
    received_at = to_utc(new.received_at)
    now = to_utc(now)
    if received_at > now:
        raise RequestError(f"received_at {new.received_at} is in the future")
    local = to_local(received_at)
    version = charter_in_force(session, office, local.date)
    service = get_service(session, version, new.service)
    if new.channel not in CHANNELS:
        raise RequestError(f"unknown channel {new.channel!r} (one of {', '.join(CHANNELS)})")
    ref = (new.external_ref or "").strip() or None
    if ref and session.exec(select(Request.id).where(
            Request.office_id == office.id, Request.external_ref == ref)).first():
        raise RequestError(f"external reference {ref!r} is already used in {office.code}")

    track = _choose_track(service, new.track, new.track_reason)
    calendar = office_calendar(session, office)
    spec = deadline_for(service, track)
    base_due: date | None = None
    anchor: date | None = None
    provisional = False
    if spec is not None:
        result = due_date(received_at, spec, calendar)
        base_due, provisional = result.due, result.provisional
    elif new.directive_due is not None:
        if new.directive_due < local.date:
            raise RequestError("the directive's due date is before the request was received")
        anchor = new.directive_due
        provisional = calendar.any_provisional(local.date, anchor)
    elif new.track == Track.EXTENDED or new.track_reason:
        raise RequestError("tracks apply only to 'immediate / N where applicable' services")

    assert office.id is not None and service.id is not None and version.id is not None
    request = Request(
        office_id=office.id, service_id=service.id, charter_version_id=version.id,
        received_at=received_at, received_date=local.date, channel=new.channel,
        applicant_name=new.applicant_name, applicant_contact=new.applicant_contact,
        summary=new.summary, external_ref=ref, track=Track(track), track_reason=new.track_reason,
        directive_ref=new.directive_ref, base_due_date=base_due, anchor_due_date=anchor,
        due_date=base_due or anchor, calendar_version=calendar.version,
        due_provisional=provisional, state=RequestState.RECEIVED,
        backdated=local.date < to_local(now).date, created_at=now,
        created_by=user.id if user else None,
    )
    session.add(request)
    _flush(session)
    _event(session, request, at=now, user=user, action="logged", field="due_date",
           new=request.due_date, reason=f"{service.deadline_raw} ({track})")
    if request.backdated:
        _event(session, request, at=now, user=user, action="backdated",
               field="received_at", new=received_at.isoformat())
    _flush(session)
    return request


def _choose_track(service: Service, track: str | None, reason: str | None) -> str:
    try:
        return choose_track(service.unit, service.extended_working_days, track, reason,
                            service_label=f"{service.category}-{service.number}",
                            deadline_raw=service.deadline_raw).value
    except DeadlineError as exc:
        raise RequestError(str(exc)) from None


def transition(session: Session, *, request_id: int, action: str, at: datetime,
               now: datetime, user: User | None, reason: str | None = None,
               outcome: str | None = None) -> Request:
    """Apply one lifecycle action; illegal transitions are refused with the current state."""
    if action not in TRANSITIONS:
        raise RequestError(f"unknown action {action!r} (one of {', '.join(TRANSITIONS)})")
    scope = scope_for(session, user)
    request, office = _lock(session, request_id, scope)
    at, now = to_utc(at), to_utc(now)
    allowed_from, target = TRANSITIONS[action]
    if request.state not in allowed_from:
        raise RequestError(f"request #{request_id} is {request.state}: cannot {action} "
                           f"(only from {', '.join(allowed_from)})")
    _check_time(request, at, now, action)
    if action in ("hold", "reject", "withdraw") and not (reason or "").strip():
        raise RequestError(f"{action} needs a reason")
    old_state = request.state

    if action == "hold":
        session.add(HoldPeriod(request_id=request_id, started_at=at,
                               start_date=to_local(at).date, reason=reason or ""))
    elif action == "resume":
        holds = _holds(session, request)
        open_hold = holds[-1]
        if at < open_hold.started_at:
            raise RequestError("cannot resume before the hold started")
        open_hold.ended_at, open_hold.end_date = at, to_local(at).date
        session.add(open_hold)
        calendar = office_calendar(session, office)
        held = hold_working_days([Hold(h.start_date, h.end_date) for h in holds], calendar)
        old_due = request.due_date
        request.hold_working_days = held
        request.due_date = _current_due(request, held, calendar)
        if request.due_date != old_due:
            _event(session, request, at=now, user=user, action="due_moved", field="due_date",
                   old=old_due, new=request.due_date,
                   reason=f"{held} working day(s) on hold in total")
    elif target in CLOSED_STATES:
        request.closed_at, request.closed_date = at, to_local(at).date
        request.outcome = outcome or reason
    request.state = target
    session.add(request)
    _event(session, request, at=now, user=user, action=action, field="state",
           old=old_state, new=target, reason=reason or outcome)
    _flush(session)
    return request


def extend(session: Session, *, request_id: int, new_due: date, reason: str, now: datetime,
           user: User | None) -> Request:
    """Extend the due date of a conditional service ("N / as needed"), with a reason.

    Also sets the date for a per-directive request logged without one.
    """
    scope = scope_for(session, user)
    request, _office = _lock(session, request_id, scope)
    service = session.get(Service, request.service_id)
    assert service is not None
    if request.state not in OPEN_STATES:
        raise RequestError(f"request #{request_id} is {request.state}: cannot extend")
    if not reason.strip():
        raise RequestError("an extension needs a reason")
    if not allows_extension(service.unit, service.conditional):
        raise RequestError(f"the charter allows no extension for {service.deadline_raw!r}")
    if request.due_date is not None and new_due <= request.due_date:
        raise RequestError(f"the new due date must be after {request.due_date}")
    if new_due < request.received_date:
        raise RequestError("the new due date is before the request was received")
    old = request.due_date
    request.anchor_due_date, request.anchor_hold_days = new_due, request.hold_working_days
    request.due_date = new_due
    request.extended = service.unit != DeadlineUnit.PER_DIRECTIVE
    session.add(request)
    _event(session, request, at=to_utc(now), user=user, action="extended", field="due_date",
           old=old, new=new_due, reason=reason)
    _flush(session)
    return request


EDITABLE = ("applicant_name", "applicant_contact", "summary", "external_ref", "directive_ref")


def update(session: Session, *, request_id: int, changes: Mapping[str, str | None],
           now: datetime, user: User | None, reason: str | None = None) -> Request:
    """Correct descriptive fields; one event per changed field (old -> new)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise RequestError(f"cannot update {', '.join(sorted(unknown))} "
                           f"(editable: {', '.join(EDITABLE)})")
    scope = scope_for(session, user)
    request, office = _lock(session, request_id, scope)
    ref = changes.get("external_ref")
    if ref and ref != request.external_ref and session.exec(select(Request.id).where(
            Request.office_id == office.id, Request.external_ref == ref)).first():
        raise RequestError(f"external reference {ref!r} is already used in {office.code}")
    for field, value in changes.items():
        old = getattr(request, field)
        if old != value:
            setattr(request, field, value)
            _event(session, request, at=to_utc(now), user=user, action="updated",
                   field=field, old=old, new=value, reason=reason)
    session.add(request)
    _flush(session)
    return request


# -- calendar changes ---------------------------------------------------------------------


@dataclass(frozen=True)
class MovedDue:
    request_id: int
    old: date | None
    new: date | None
    why: str


def recompute_due_dates(session: Session, *, now: datetime,
                        office_codes: list[str] | None = None) -> list[MovedDue]:
    """After a calendar edit: recompute the due dates of *open* requests (rule 10).

    Closed requests stay as judged. Each moved date gets an event old -> new naming the
    calendar entries in play; every open request records the new calendar version.
    """
    query = select(Request).where(col(Request.state).in_(OPEN_STATES))
    if office_codes:
        ids = [get_office(session, c).id for c in office_codes]
        query = query.where(col(Request.office_id).in_(ids))
    moved: list[MovedDue] = []
    calendars: dict[int, BangladeshCalendar] = {}
    for request in session.exec(query.order_by(col(Request.id)).with_for_update()):
        if request.office_id not in calendars:
            office = session.get(Office, request.office_id)
            assert office is not None
            calendars[request.office_id] = office_calendar(session, office)
        calendar = calendars[request.office_id]
        if request.calendar_version == calendar.version:
            continue
        service = session.get(Service, request.service_id)
        assert service is not None
        spec = deadline_for(service, request.track)
        if spec is not None:
            request.base_due_date = due_date(request.received_at, spec, calendar).due
        holds = _holds(session, request)
        closed_holds = [Hold(h.start_date, h.end_date) for h in holds if h.end_date]
        request.hold_working_days = hold_working_days(closed_holds, calendar)
        old = request.due_date
        request.due_date = _current_due(request, request.hold_working_days, calendar)
        old_version, request.calendar_version = request.calendar_version, calendar.version
        end = max(d for d in (old, request.due_date, request.received_date) if d is not None)
        request.due_provisional = calendar.any_provisional(request.received_date, end)
        session.add(request)
        if old != request.due_date:
            why = _why_moved(calendar, request.received_date, end, old_version)
            assert request.id is not None
            moved.append(MovedDue(request.id, old, request.due_date, why))
            _event(session, request, at=to_utc(now), user=None, action="due_recomputed",
                   field="due_date", old=old, new=request.due_date, reason=why)
    _flush(session)
    return moved


def _why_moved(calendar: BangladeshCalendar, start: date, end: date, old_version: str) -> str:
    """Name the changed calendar years and their entries between receipt and due date."""
    old_parts = set(old_version.split(";", 1)[-1].split(","))
    changed_years = [y for y, c in calendar.years.items() if c.version not in old_parts]
    entries = [
        f"{e.date} {e.name_en} ({e.kind})"
        for y in changed_years for e in calendar.years[y].days
        if start < e.date <= end and (e.is_closure or e.kind == "working_weekend")
        and e.applies_to(calendar.district)
    ]
    versions = ", ".join(calendar.years[y].version for y in sorted(changed_years))
    return f"calendar changed ({versions or 'scope'}); in range: " + (
        "; ".join(entries) if entries else "no listed day (an entry was removed)")


def now_utc() -> datetime:
    """The clock, for edges only (CLI, dashboard, scheduler)."""
    return datetime.now(UTC)
