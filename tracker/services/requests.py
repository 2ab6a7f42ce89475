"""The request log's only writer: log, update, hold, resume, extend, deliver, reject, withdraw.

Every function is keyword-only, takes the session (the caller owns the transaction) and
the acting user (``None`` = the system), checks the user's scope on the server side, and
writes its RequestEvent rows in the same transaction as the change. Nothing is deleted;
corrections are events. "Now" is a parameter: only the CLI/dashboard ask the clock.

Lifecycle: received -> in_progress -> on_hold (clock stops) -> in_progress ->
delivered | rejected | withdrawn. Due dates are frozen when logged, with the calendar
version used; holds push them later; only ``recompute_due_dates`` moves them otherwise.

Input is checked here, whoever calls (CLI, dashboard, importer, demo): register numbers
go through ``tracker.domain.text.normalise_reference`` (so invisible and spacing variants
are one number), free text through ``clean_text`` (control characters refused), and the
dates a user enters must lie inside the office calendar (a date no calendar can judge
would stop every report of the office). The unique index on (office, register number)
has the last word when two writers race: the loser gets the same one-line refusal.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from tracker.domain.bn import ascii_digits
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
    takes_directive_date,
)
from tracker.domain.localtime import LocalMoment, to_local, to_utc
from tracker.domain.status import CLOSED_STATES, RequestState
from tracker.domain.text import clean_text, normalise_reference
from tracker.errors import CalendarRangeError, InputError, TrackerError
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

log = logging.getLogger(__name__)

#: The largest id an INTEGER primary key holds (PostgreSQL's int4; SQLite's are 64-bit):
#: anything larger cannot exist and would make the driver raise, not "no such". The CLI
#: bounds its id arguments with it.
MAX_ID = 2**31 - 1


class RequestError(TrackerError):
    """A request operation that cannot be done as asked (nothing was written)."""


class ConcurrentUpdate(RequestError):
    """Someone else changed the request meanwhile; reload and try again."""


class RegisterNumberTaken(RequestError):
    """The register number is already used in the office, by request #``owner``.

    Also what the loser of a race sees (two writers inserting one new number at once), so
    a caller such as the importer can tell it apart from other refusals.
    """

    def __init__(self, ref: str, office_code: str, owner: int) -> None:
        super().__init__(f"register number {ref!r} is already used in {office_code} "
                         f"(request #{owner})")
        self.ref, self.office_code, self.owner = ref, office_code, owner


class ServiceNeedsReview(RequestError, InputError):
    """The service's time limit was not safely understood (``Service.needs_review``): no
    request is logged against it until a reviewer sets the limit (nothing was written)."""

    def __init__(self, office_code: str, service: Service) -> None:
        cell = (repr(service.deadline_raw) if service.deadline_raw.strip()
                else "(an empty cell)")
        super().__init__(
            f"service {service_key(service)} ({service.name_bn}) of {office_code} cannot be "
            f"logged against yet: its time limit {cell} needs review; "
            + review_instruction(office_code))


def service_key(service: Service) -> str:
    """How officers name a service: ``citizen-3``."""
    return f"{service.category}-{service.number}"


def review_instruction(office_code: str) -> str:
    """What to do about a service that needs review (the refusal and the Charter page)."""
    return (f"a reviewer must set its limit in data/charters/{office_code}.toml (and remove "
            "needs_review), then run `tracker init` to load the reviewed catalog")


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


#: A service number as officers type it: ASCII or Bengali digits (after ``ascii_digits``),
#: a few of them. ``str.isdigit`` would also take "²" (int() then fails) or "١" (silently 1).
_SERVICE_NUMBER = re.compile(r"[0-9]{1,4}")


def parse_service_key(key: str) -> tuple[str, int]:
    """``citizen-3`` / ``institutional-2`` / ``internal-1``; a bare ``3`` means citizen.
    Digits may be ASCII or Bengali (``citizen-৩``)."""
    raw = ascii_digits(key.strip().lower())
    category, _, number = raw.rpartition("-")
    category = category or "citizen"
    if (category not in ("citizen", "institutional", "internal")
            or not _SERVICE_NUMBER.fullmatch(number)):
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
    None for "as per directive" and "no deadline"."""
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
    if not 1 <= request_id <= MAX_ID:  # beyond the INTEGER key: the driver would raise
        raise RequestError(f"no request #{request_id}")
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


# -- what users may enter -------------------------------------------------------------------


def _outside_calendar(what: str, day: date, calendar: BangladeshCalendar,
                      hint: str = "enter a date in that range") -> RequestError:
    return RequestError(f"{what} {day} is outside the office calendar ({calendar.first_day} "
                        f"to {calendar.last_day}); {hint}")


def _within_calendar(what: str, day: date, calendar: BangladeshCalendar) -> None:
    """Refuse a date the office calendar cannot count working days on: stored, it would
    make every report, export and digest of the office fail (issue 11, item 1)."""
    if not calendar.covers(day):
        raise _outside_calendar(what, day, calendar)


def _receipt(received: datetime, calendar: BangladeshCalendar,
             now: datetime) -> tuple[datetime, LocalMoment]:
    """The receipt moment in UTC and in Dhaka terms: not in the future, inside the calendar.

    The future is checked first: "in the future" says more about 2099 than the calendar's
    range does.

    A date before the first calendar year (a typo such as year 0001, or an old paper
    register) cannot be judged; at the extremes of ``datetime`` the time-zone shift itself
    overflows, which is the same mistake.
    """
    hint = f"check the date, or add calendars/bd-{received.year:04d}.toml"
    try:
        local, utc = to_local(received), to_utc(received)
    except OverflowError:
        raise _outside_calendar("the date received", received.date(), calendar, hint) from None
    if utc > now:
        raise RequestError(f"received_at {received} is in the future")
    if not calendar.covers(local.date):
        raise _outside_calendar("the date received", local.date, calendar, hint)
    return utc, local


def _one_line(raw: str | None, what: str) -> str | None:
    """Optional one-line text (names, contacts, references): cleaned; empty means none."""
    return clean_text(raw, what=what) or None


def _prose(raw: str | None, what: str) -> str | None:
    """Optional free prose (reasons, outcomes): may span lines; empty means none."""
    return clean_text(raw, what=what, multiline=True) or None


def _summary(raw: str | None) -> str:
    return clean_text(raw, what="summary", multiline=True) or ""


def _cleaned(new: NewRequest) -> NewRequest:
    """What the officer entered, with every text field cleaned (controls refused)."""
    return replace(
        new, external_ref=normalise_reference(new.external_ref),
        applicant_name=_one_line(new.applicant_name, "applicant name"),
        applicant_contact=_one_line(new.applicant_contact, "applicant contact"),
        summary=_summary(new.summary), track_reason=_prose(new.track_reason, "track reason"),
        directive_ref=_one_line(new.directive_ref, "directive reference"))


# -- register numbers -------------------------------------------------------------------------


def _reference_owner(session: Session, office_id: int, ref: str) -> int | None:
    """The request of the office that holds register number ``ref`` (normalised), if any."""
    return session.exec(select(Request.id).where(
        Request.office_id == office_id, Request.external_ref == ref)).first()


def _refuse_used_reference(session: Session, office: Office, ref: str | None,
                           request_id: int | None = None) -> None:
    assert office.id is not None
    owner = None if ref is None else _reference_owner(session, office.id, ref)
    if ref is not None and owner is not None and owner != request_id:
        raise RegisterNumberTaken(ref, office.code, owner)


@contextmanager
def _claiming_reference(session: Session, office: Office, ref: str | None) -> Iterator[None]:
    """Run the writes that set register number ``ref`` in a savepoint, and flush them.

    The SELECT check cannot see a number another writer has inserted but not committed:
    both writers pass it, and on PostgreSQL the unique index (office, external_ref) makes
    the second wait for the first and then refuse it. The loser gets the same one-line
    error as for a committed number, and the savepoint keeps the caller's transaction
    usable (an importer goes on with its next row).
    """
    if ref is None:
        yield
        _flush(session)
        return
    try:
        with session.begin_nested():
            yield
            _flush(session)
    except IntegrityError:
        assert office.id is not None
        owner = _reference_owner(session, office.id, ref)
        if owner is None:  # another constraint: a bug, not the user's mistake
            raise
        raise RegisterNumberTaken(ref, office.code, owner) from None


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
    external_ref: str | None = None  # "" is refused: leave it out for no register number
    track: str | None = None  # immediate (default) | extended, where the charter allows
    track_reason: str | None = None
    directive_due: date | None = None  # per-directive services: the directive's date
    directive_ref: str | None = None


@dataclass(frozen=True)
class _InitialDue:
    base: date | None  # from the charter's rule
    anchor: date | None  # the directive's date
    provisional: bool


def log_request(session: Session, *, new: NewRequest, now: datetime,
                user: User | None) -> Request:
    """Record a request and freeze its due date (with the calendar version used)."""
    scope = scope_for(session, user)
    office = get_office(session, new.office_code)
    scope.require_write(office)
    calendar = office_calendar(session, office)
    now = to_utc(now)
    received_at, local = _receipt(new.received_at, calendar, now)
    version = charter_in_force(session, office, local.date)
    service = get_service(session, version, new.service)
    if service.needs_review:  # never guessed: a reviewer sets the limit first (GUIDE §6)
        raise ServiceNeedsReview(office.code, service)
    if new.channel not in CHANNELS:
        raise RequestError(f"unknown channel {new.channel!r} (one of {', '.join(CHANNELS)})")
    new = _cleaned(new)
    _refuse_used_reference(session, office, new.external_ref)
    track = _choose_track(service, new.track, new.track_reason)
    due = _initial_due(service, track, new, received_at, local.date, calendar)

    assert office.id is not None and service.id is not None and version.id is not None
    request = Request(
        office_id=office.id, service_id=service.id, charter_version_id=version.id,
        received_at=received_at, received_date=local.date, channel=new.channel,
        applicant_name=new.applicant_name, applicant_contact=new.applicant_contact,
        summary=new.summary, external_ref=new.external_ref, track=Track(track),
        track_reason=new.track_reason, directive_ref=new.directive_ref,
        base_due_date=due.base, anchor_due_date=due.anchor, due_date=due.base or due.anchor,
        calendar_version=calendar.version, due_provisional=due.provisional,
        state=RequestState.RECEIVED, backdated=local.date < to_local(now).date,
        created_at=now, created_by=user.id if user else None,
    )
    with _claiming_reference(session, office, new.external_ref):
        session.add(request)
    _event(session, request, at=now, user=user, action="logged", field="due_date",
           new=request.due_date, reason=f"{service.deadline_raw} ({track})")
    if request.backdated:
        _event(session, request, at=now, user=user, action="backdated",
               field="received_at", new=received_at.isoformat())
    _flush(session)
    return request


def _initial_due(service: Service, track: str, new: NewRequest, received_at: datetime,
                 day: date, calendar: BangladeshCalendar) -> _InitialDue:
    """The due date frozen at logging: the charter's rule, the directive's date, or none
    (per directive without a date yet; no deadline)."""
    if new.directive_due is not None and not takes_directive_date(service.unit):
        raise RequestError(
            f"service {service_key(service)} ({service.deadline_raw}) takes no directive "
            "due date: " + ("the charter sets no per-request limit (no deadline)"
                            if service.unit == DeadlineUnit.NO_DEADLINE
                            else "its due date is counted from the charter's limit"))
    spec = deadline_for(service, track)
    if spec is not None:
        try:
            result = due_date(received_at, spec, calendar)
        except CalendarRangeError as exc:  # received near the end of the last known year
            raise RequestError(f"cannot count the due date: {exc}") from None
        return _InitialDue(result.due, None, result.provisional)
    if new.directive_due is not None:
        if new.directive_due < day:
            raise RequestError("the directive's due date is before the request was received")
        _within_calendar("the directive's due date", new.directive_due, calendar)
        return _InitialDue(None, new.directive_due,
                           calendar.any_provisional(day, new.directive_due))
    if new.track == Track.EXTENDED or new.track_reason:
        raise RequestError("tracks apply only to 'immediate / N where applicable' services")
    return _InitialDue(None, None, False)


def _choose_track(service: Service, track: str | None, reason: str | None) -> str:
    try:
        return choose_track(service.unit, service.extended_working_days, track, reason,
                            service_label=service_key(service),
                            deadline_raw=service.deadline_raw).value
    except DeadlineError as exc:
        raise RequestError(str(exc)) from None


def transition(session: Session, *, request_id: int, action: str, at: datetime,
               now: datetime, user: User | None, reason: str | None = None,
               outcome: str | None = None) -> Request:
    """Apply one lifecycle action; illegal transitions are refused with the current state."""
    if action not in TRANSITIONS:
        raise RequestError(f"unknown action {action!r} (one of {', '.join(TRANSITIONS)})")
    reason, outcome = _prose(reason, "reason"), _prose(outcome, "outcome")
    scope = scope_for(session, user)
    request, office = _lock(session, request_id, scope)
    at, now = to_utc(at), to_utc(now)
    allowed_from, target = TRANSITIONS[action]
    if request.state not in allowed_from:
        raise RequestError(f"request #{request_id} is {request.state}: cannot {action} "
                           f"(only from {', '.join(allowed_from)})")
    _check_time(request, at, now, action)
    if action in ("hold", "reject", "withdraw") and not reason:
        raise RequestError(f"{action} needs a reason")
    old_state = request.state

    if action == "hold":
        session.add(HoldPeriod(request_id=request_id, started_at=at,
                               start_date=to_local(at).date, reason=reason or ""))
    elif old_state == RequestState.ON_HOLD:  # resume, or closed while on hold
        _end_hold(session, request, office, action=action, at=at, now=now, user=user)
    if target in CLOSED_STATES:
        request.closed_at, request.closed_date = at, to_local(at).date
        request.outcome = outcome or reason
    request.state = target
    session.add(request)
    _event(session, request, at=now, user=user, action=action, field="state",
           old=old_state, new=target, reason=reason or outcome)
    _flush(session)
    return request


def _end_hold(session: Session, request: Request, office: Office, *, action: str,
              at: datetime, now: datetime, user: User | None) -> None:
    """End the running hold at ``at``; the due date moves by the working days on hold.

    On resume, and when a request on hold is rejected or withdrawn: the hold ledger must
    not keep a hold running on a closed request (that one gets a ``hold_ended`` event).
    """
    holds = _holds(session, request)
    open_hold = holds[-1]
    if at < open_hold.started_at:
        raise RequestError(f"cannot {action} before the hold started "
                           f"({open_hold.start_date})")
    open_hold.ended_at, open_hold.end_date = at, to_local(at).date
    session.add(open_hold)
    if action != "resume":
        _event(session, request, at=now, user=user, action="hold_ended", field="hold",
               old=open_hold.start_date, new=open_hold.end_date, reason=f"ended by {action}")
    calendar = office_calendar(session, office)
    held = hold_working_days([Hold(h.start_date, h.end_date) for h in holds], calendar)
    old_due = request.due_date
    request.hold_working_days = held
    request.due_date = _current_due(request, held, calendar)
    if request.due_date != old_due:
        _event(session, request, at=now, user=user, action="due_moved", field="due_date",
               old=old_due, new=request.due_date,
               reason=f"{held} working day(s) on hold in total")


def extend(session: Session, *, request_id: int, new_due: date, reason: str, now: datetime,
           user: User | None) -> Request:
    """Extend the due date of a conditional service ("N / as needed"), with a reason.

    Also sets the date for a per-directive request logged without one. The new date must
    lie inside the office calendar.
    """
    why = _prose(reason, "reason")
    scope = scope_for(session, user)
    request, office = _lock(session, request_id, scope)
    service = session.get(Service, request.service_id)
    assert service is not None
    if request.state not in OPEN_STATES:
        raise RequestError(f"request #{request_id} is {request.state}: cannot extend")
    if not why:
        raise RequestError("an extension needs a reason")
    if not allows_extension(service.unit, service.conditional):
        raise RequestError(f"the charter allows no extension for {service.deadline_raw!r}")
    if request.due_date is not None and new_due <= request.due_date:
        raise RequestError(f"the new due date must be after {request.due_date}")
    if new_due < request.received_date:
        raise RequestError("the new due date is before the request was received")
    _within_calendar("the new due date", new_due, office_calendar(session, office))
    old = request.due_date
    request.anchor_due_date, request.anchor_hold_days = new_due, request.hold_working_days
    request.due_date = new_due
    request.extended = service.unit != DeadlineUnit.PER_DIRECTIVE
    session.add(request)
    _event(session, request, at=to_utc(now), user=user, action="extended", field="due_date",
           old=old, new=new_due, reason=why)
    _flush(session)
    return request


EDITABLE = ("applicant_name", "applicant_contact", "summary", "external_ref", "directive_ref")
_LABELS = {"applicant_name": "applicant name", "applicant_contact": "applicant contact",
           "directive_ref": "directive reference"}


def _corrected(field: str, value: str | None) -> str | None:
    """A corrected field's value, cleaned as at logging; empty optional text means none.

    A register number typed empty is refused like at logging (an empty ``--ref "$REF"``
    is a mistake, not a wish to lose the number); ``None`` clears it deliberately.
    """
    if field == "external_ref":
        return normalise_reference(value)
    if field == "summary":
        return _summary(value)
    return _one_line(value, _LABELS[field])


def update(session: Session, *, request_id: int, changes: Mapping[str, str | None],
           now: datetime, user: User | None, reason: str | None = None) -> Request:
    """Correct descriptive fields; one event per changed field (old -> new).

    Values are cleaned as when logging. ``external_ref=None`` clears the register number
    (with its event, freeing it for the request it belongs to); an empty one is refused.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise RequestError(f"cannot update {', '.join(sorted(unknown))} "
                           f"(editable: {', '.join(EDITABLE)})")
    cleaned = {field: _corrected(field, value) for field, value in changes.items()}
    why = _prose(reason, "reason")
    scope = scope_for(session, user)
    request, office = _lock(session, request_id, scope)
    ref = cleaned.get("external_ref")
    claimed = ref if ref is not None and ref != request.external_ref else None
    _refuse_used_reference(session, office, claimed, request.id)
    with _claiming_reference(session, office, claimed):
        for field, value in cleaned.items():
            old = getattr(request, field)
            if old != value:
                setattr(request, field, value)
                _event(session, request, at=to_utc(now), user=user, action="updated",
                       field=field, old=old, new=value, reason=why)
        session.add(request)
    return request


# -- calendar changes ---------------------------------------------------------------------


@dataclass(frozen=True)
class MovedDue:
    request_id: int
    old: date | None
    new: date | None
    why: str


@dataclass(frozen=True)
class Recomputation:
    """What a calendar reload did to the open requests it looked at."""

    moved: list[MovedDue] = field(default_factory=list)
    #: Due date unchanged; the new calendar version recorded (with its event).
    restamped: list[int] = field(default_factory=list)
    #: (request id, why) left as they were: a date of theirs is outside the new calendar.
    skipped: list[tuple[int, str]] = field(default_factory=list)


#: The columns a calendar reload derives again, in the order their events are written
#: (the due date in force last: the one readers look for).
_RECOMPUTED = ("base_due_date", "hold_working_days", "due_provisional", "due_date")


def recompute_due_dates(session: Session, *, now: datetime,
                        office_codes: list[str] | None = None) -> list[MovedDue]:
    """After a calendar edit: recompute the due dates of *open* requests (rule 10); the
    moved ones. See ``recompute_open_requests`` for the whole account."""
    return recompute_open_requests(session, now=now, office_codes=office_codes).moved


def recompute_open_requests(session: Session, *, now: datetime,
                            office_codes: list[str] | None = None) -> Recomputation:
    """After a calendar edit: derive the due dates of *open* requests again (rule 10).

    Closed requests stay as judged. Every open request computed with another calendar
    takes the new calendar version, with a ``calendar_version_changed`` event (old -> new),
    and each derived column that changes gets a ``due_recomputed`` event (old -> new, naming
    the calendar entries in play): no row changes without an event. A request with a date
    the new calendar cannot count on is left as it was and reported, so one bad row does
    not stop the reload of every other.
    """
    query = select(Request).where(col(Request.state).in_(OPEN_STATES))
    if office_codes:
        ids = [get_office(session, c).id for c in office_codes]
        query = query.where(col(Request.office_id).in_(ids))
    done = Recomputation()
    calendars: dict[int, BangladeshCalendar] = {}
    for request in session.exec(query.order_by(col(Request.id)).with_for_update()):
        if request.office_id not in calendars:
            office = session.get(Office, request.office_id)
            assert office is not None
            calendars[request.office_id] = office_calendar(session, office)
        calendar = calendars[request.office_id]
        if request.calendar_version == calendar.version:
            continue
        assert request.id is not None
        try:
            derived = _derive(session, request, calendar)
        except CalendarRangeError as exc:
            log.warning("request #%s not recomputed: %s", request.id, exc)
            done.skipped.append((request.id, str(exc)))
            continue
        moved = _apply_derived(session, request, calendar, derived, at=to_utc(now))
        if moved is None:
            done.restamped.append(request.id)
        else:
            done.moved.append(moved)
    _flush(session)
    return done


def _derive(session: Session, request: Request, calendar: BangladeshCalendar,
            ) -> dict[str, Any]:
    """The derived columns of an open request under ``calendar``, without touching it
    (CalendarRangeError if one of its dates is outside the calendar)."""
    service = session.get(Service, request.service_id)
    assert service is not None
    spec = deadline_for(service, request.track)
    base = (due_date(request.received_at, spec, calendar).due if spec is not None
            else request.base_due_date)
    closed_holds = [Hold(h.start_date, h.end_date) for h in _holds(session, request)
                    if h.end_date]
    held = hold_working_days(closed_holds, calendar)
    due = due_in_force(base, held, calendar, anchor_due=request.anchor_due_date,
                       anchor_hold_days=request.anchor_hold_days)
    end = _span_end(request, due)
    return {"base_due_date": base, "hold_working_days": held, "due_date": due,
            "due_provisional": calendar.any_provisional(request.received_date, end)}


def _span_end(request: Request, new_due: date | None) -> date:
    """The last day whose calendar matters: the later of the old and new due dates."""
    return max(d for d in (request.due_date, new_due, request.received_date) if d is not None)


def _apply_derived(session: Session, request: Request, calendar: BangladeshCalendar,
                   derived: Mapping[str, Any], *, at: datetime) -> MovedDue | None:
    """Store the derived columns and the calendar version, one event per changed column;
    the moved due date, if it moved."""
    assert request.id is not None
    old_version, old_due = request.calendar_version, request.due_date
    why = _why_moved(calendar, request.received_date, _span_end(request, derived["due_date"]),
                     old_version)
    moved = derived["due_date"] != old_due
    request.calendar_version = calendar.version
    _event(session, request, at=at, user=None, action="calendar_version_changed",
           field="calendar_version", old=old_version, new=calendar.version,
           reason="calendar reload" + ("" if moved else "; due date unchanged"))
    for column in _RECOMPUTED:
        old = getattr(request, column)
        if derived[column] != old:
            setattr(request, column, derived[column])
            _event(session, request, at=at, user=None, action="due_recomputed",
                   field=column, old=old, new=derived[column], reason=why)
    session.add(request)
    return MovedDue(request.id, old_due, request.due_date, why) if moved else None


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
