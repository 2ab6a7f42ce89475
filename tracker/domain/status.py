"""Status as of a date (GUIDE §3 rules 8-9). Pure; the only place any status is derived.

Requests: open ones are ``on_track``, ``due_today`` or ``overdue``; delivered ones ``on_time``
or ``late``; closed without delivery ``rejected`` or ``withdrawn``; a request without a due
date (per directive, none entered) is ``no_deadline`` — never silently on time. A hold still
running on the as-of date stops the clock: the due date in force moves later (rule 8).
Complaints: each GRS tier's status and the complaint's (``complaint_status``).
Status is never stored: it always follows from the data as of a date.

``request_status`` judges one request; ``request_statuses`` is its vectorised twin (the
judged frame of tracker.services.queries); a property test pins the two equal.

Working days late: the working days after the due date up to the as-of (or delivery) date.
A request past its due date on a weekend/holiday before any further working day has passed
counts as 1 (it is already in its first day of lateness), never as 0.

Date outside the calendar: working days are counted only on days the calendar knows (its
curated and forecast years). A request with a date it does not know — its receipt, due
date, closure (once closed as of the date) or the start of a hold still running — or whose
running hold pushes its due date past the calendar's last day is ``outside_calendar``: not
judged (not on time, late, overdue...), reported apart so that someone corrects the date,
while every other request is judged as usual. Only the as-of date itself must be inside
the calendar (``check_as_of``): without it nothing can be judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from tracker.domain.calendar import BangladeshCalendar
from tracker.domain.deadlines import (
    GRS_ROLES,
    TierLimit,
    due_dates_with_open_holds,
    due_with_open_hold,
    tier_due,
)
from tracker.errors import CalendarRangeError


class RequestState(StrEnum):
    """Where a request is in its lifecycle (stored; tracker.services.requests moves it)."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATES


OPEN_STATES: tuple[RequestState, ...] = (RequestState.RECEIVED, RequestState.IN_PROGRESS,
                                         RequestState.ON_HOLD)
CLOSED_STATES: tuple[RequestState, ...] = (RequestState.DELIVERED, RequestState.REJECTED,
                                           RequestState.WITHDRAWN)
#: Closed without delivery: neither on time nor late (reported apart).
CLOSED_UNDELIVERED: tuple[RequestState, ...] = (RequestState.REJECTED, RequestState.WITHDRAWN)


class Status(StrEnum):
    """A request's SLA status as of a date (derived, never stored)."""

    ON_TRACK = "on_track"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"
    NO_DEADLINE = "no_deadline"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    #: A date the calendar does not know: not judged, reported apart (module docstring).
    OUTSIDE_CALENDAR = "outside_calendar"

    @property
    def is_open(self) -> bool:
        return self in (Status.ON_TRACK, Status.DUE_TODAY, Status.OVERDUE)

    @property
    def breached(self) -> bool:
        return self in (Status.OVERDUE, Status.LATE)


#: Integer codes used by the vectorised path (index into STATUS_CODES).
STATUS_CODES: tuple[Status, ...] = tuple(Status)


@dataclass(frozen=True)
class RequestStatus:
    status: Status
    working_days_late: int  # 0 unless overdue or late
    #: The due date in force as of the date (a running hold pushes it); None: no deadline.
    effective_due: date | None = None

    @property
    def ever_breached(self) -> bool:
        return self.status.breached


def on_time(done: date, due: date) -> bool:
    """Rule 9: done (delivered, resolved) on or before the due date (local dates) is on time."""
    return done <= due


def days_late(calendar: BangladeshCalendar, due: date, until: date) -> int:
    """Working days after ``due`` up to ``until`` (> due): at least 1 (see the docstring)."""
    return max(1, int(calendar.get_working_days_delta(due, until)))



def status_as_of(due: date | None, delivered: date | None, as_of: date,
                 calendar: BangladeshCalendar) -> RequestStatus:
    """Status of one request on local date ``as_of``.

    ``delivered`` is the local delivery (or closing) date; a delivery after ``as_of`` has
    not happened yet as of that date, so the request is judged as open.
    """
    if due is None:
        return RequestStatus(Status.NO_DEADLINE, 0)
    if delivered is not None and delivered <= as_of:
        if on_time(delivered, due):
            return RequestStatus(Status.ON_TIME, 0)
        return RequestStatus(Status.LATE, days_late(calendar, due, delivered))
    if as_of < due:
        return RequestStatus(Status.ON_TRACK, 0)
    if as_of == due:
        return RequestStatus(Status.DUE_TODAY, 0)
    return RequestStatus(Status.OVERDUE, days_late(calendar, due, as_of))


def statuses_as_of(due: npt.ArrayLike, delivered: npt.ArrayLike, as_of: date,
                   calendar: BangladeshCalendar) -> tuple[npt.NDArray[np.int8],
                                                          npt.NDArray[np.int64]]:
    """Vectorised ``status_as_of``: (status codes into STATUS_CODES, working days late).

    ``due`` and ``delivered`` are datetime64[D] arrays; NaT means no due date / not delivered.
    """
    due_arr = np.asarray(due, dtype="datetime64[D]")
    delivered_arr = np.asarray(delivered, dtype="datetime64[D]")
    as_of64 = np.datetime64(as_of, "D")
    no_deadline = np.isnat(due_arr)
    closed = ~np.isnat(delivered_arr) & (delivered_arr <= as_of64)
    # The day a request is judged on: its delivery if closed, else as_of.
    judged = np.where(closed, delivered_arr, as_of64)
    safe_due = np.where(no_deadline, judged, due_arr)  # placeholder, masked out below
    index = calendar.index
    late_by = np.maximum(index.working_days_between(safe_due, judged), 1)

    codes = np.full(due_arr.shape, STATUS_CODES.index(Status.ON_TRACK), dtype=np.int8)
    codes[~closed & (judged == safe_due)] = STATUS_CODES.index(Status.DUE_TODAY)
    codes[~closed & (judged > safe_due)] = STATUS_CODES.index(Status.OVERDUE)
    codes[closed & (judged <= safe_due)] = STATUS_CODES.index(Status.ON_TIME)
    codes[closed & (judged > safe_due)] = STATUS_CODES.index(Status.LATE)
    codes[no_deadline] = STATUS_CODES.index(Status.NO_DEADLINE)
    breached = (judged > safe_due) & ~no_deadline
    return codes, np.where(breached, late_by, 0).astype(np.int64)


def check_as_of(as_of: date, calendar: BangladeshCalendar) -> None:
    """Requests can be judged only as of a day the calendar knows (else CalendarRangeError)."""
    if not calendar.covers(as_of):
        raise CalendarRangeError(
            f"cannot judge requests as of {as_of}: outside the calendar "
            f"({calendar.first_day} to {calendar.last_day}); pick a date inside it or add "
            f"calendars/bd-{as_of.year}.toml")


def _known(day: date | None, calendar: BangladeshCalendar) -> bool:
    return day is None or calendar.covers(day)


def outside_calendar(*, state: RequestState | str, due: date | None, closed: date | None,
                     as_of: date, calendar: BangladeshCalendar,
                     running_hold_start: date | None = None,
                     received: date | None = None) -> bool:
    """Whether one request has a date the calendar does not know (module docstring):
    its receipt, due date, closure by ``as_of`` or running hold's start, or the due date a
    running hold pushes it to. ``received`` None: the receipt is not checked."""
    state = RequestState(state)
    hold = running_hold_start if state is RequestState.ON_HOLD else None
    closed_by = (closed if state in CLOSED_STATES and closed is not None and closed <= as_of
                 else None)
    if not all(_known(day, calendar) for day in (received, due, closed_by, hold)):
        return True
    try:
        due_with_open_hold(due, hold, as_of, calendar)
    except CalendarRangeError:  # pushed past the calendar's last day: no answer
        return True
    return False


def request_status(*, state: RequestState | str, due: date | None, closed: date | None,
                   as_of: date, calendar: BangladeshCalendar,
                   running_hold_start: date | None = None,
                   received: date | None = None) -> RequestStatus:
    """The status of one request on local date ``as_of``, whatever its state.

    ``due`` is the stored due date in force (holds already resumed counted in);
    ``running_hold_start`` the start of a hold still open (the request is on hold): the
    working days after it up to ``as_of`` push the due date (rule 8). A closure after
    ``as_of`` has not happened yet as of that date: the request is judged as open.
    ``received`` (optional) is checked against the calendar like the other dates: a
    request with a date outside it is ``outside_calendar`` with its stored due date.
    """
    check_as_of(as_of, calendar)
    state = RequestState(state)
    if outside_calendar(state=state, due=due, closed=closed, as_of=as_of, calendar=calendar,
                        running_hold_start=running_hold_start, received=received):
        return RequestStatus(Status.OUTSIDE_CALENDAR, 0, due)
    effective = (due_with_open_hold(due, running_hold_start, as_of, calendar)
                 if state is RequestState.ON_HOLD else due)
    if state in CLOSED_UNDELIVERED and closed is not None and closed <= as_of:
        return RequestStatus(Status(state.value), 0, effective)
    delivered = closed if state is RequestState.DELIVERED else None
    judged = status_as_of(effective, delivered, as_of, calendar)
    return RequestStatus(judged.status, judged.working_days_late, effective)


@dataclass(frozen=True)
class JudgedArrays:
    """``request_statuses``' result, one entry per request."""

    codes: npt.NDArray[np.int8]  # into STATUS_CODES
    working_days_late: npt.NDArray[np.int64]
    effective_due: npt.NDArray[np.datetime64]

    @property
    def statuses(self) -> npt.NDArray[np.object_]:
        return np.array([STATUS_CODES[c].value for c in self.codes], dtype=object)

    @property
    def outside_calendar(self) -> npt.NDArray[np.bool_]:
        """Rows not judged: a date outside the calendar (their working-day figures too)."""
        flagged: npt.NDArray[np.bool_] = self.codes == STATUS_CODES.index(
            Status.OUTSIDE_CALENDAR)
        return flagged


def _dates(values: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    return np.asarray(values, dtype="datetime64[D]")


def _outside_calendar_rows(received: npt.NDArray[np.datetime64] | None,
                           due: npt.NDArray[np.datetime64],
                           closed_by: npt.NDArray[np.datetime64],
                           hold: npt.NDArray[np.datetime64], as_of: date,
                           calendar: BangladeshCalendar) -> npt.NDArray[np.bool_]:
    """Vectorised ``outside_calendar`` (``closed_by``: NaT unless closed by ``as_of`` in a
    closed state; ``hold``: NaT unless on hold). Never raises: it lets the rest not raise."""
    index = calendar.index

    def unknown(days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
        flagged: npt.NDArray[np.bool_] = ~np.isnat(days) & ~index.covers(days)
        return flagged

    outside = unknown(due) | unknown(closed_by) | unknown(hold)
    if received is not None:
        outside |= unknown(received)
    pushed = ~outside & ~np.isnat(hold) & ~np.isnat(due)
    if pushed.any():
        held = index.working_days_between(
            hold[pushed], np.full(int(pushed.sum()), np.datetime64(as_of, "D")))
        outside[pushed] = ~index.reaches(due[pushed], held)
    return outside


def request_statuses(states: npt.ArrayLike, due: npt.ArrayLike, closed: npt.ArrayLike,
                     running_hold_start: npt.ArrayLike, as_of: date,
                     calendar: BangladeshCalendar,
                     received: npt.ArrayLike | None = None) -> JudgedArrays:
    """Vectorised ``request_status`` (dates as datetime64[D], NaT for none).

    Rows with a date outside the calendar are ``outside_calendar`` (their stored due date,
    0 days late); the others are judged exactly as if those rows were not there.
    """
    check_as_of(as_of, calendar)
    state = np.asarray(states, dtype=object).astype(str)
    due_arr = _dates(due)
    closed_arr = _dates(closed)
    as_of64 = np.datetime64(as_of, "D")
    closed_by = ~np.isnat(closed_arr) & (closed_arr <= as_of64)
    hold = np.where(state == RequestState.ON_HOLD.value, _dates(running_hold_start),
                    np.datetime64("NaT"))
    closing = closed_by & np.isin(state, [s.value for s in CLOSED_STATES])
    inside = ~_outside_calendar_rows(
        None if received is None else _dates(received), due_arr,
        np.where(closing, closed_arr, np.datetime64("NaT")), hold, as_of, calendar)
    effective = due_arr.copy()
    effective[inside] = due_dates_with_open_holds(due_arr[inside], hold[inside], as_of,
                                                  calendar)
    delivered = np.where(state == RequestState.DELIVERED.value, closed_arr,
                         np.datetime64("NaT"))
    codes = np.full(due_arr.shape, STATUS_CODES.index(Status.OUTSIDE_CALENDAR), dtype=np.int8)
    late = np.zeros(due_arr.shape, dtype=np.int64)
    codes[inside], late[inside] = statuses_as_of(effective[inside], delivered[inside], as_of,
                                                 calendar)
    for undelivered in CLOSED_UNDELIVERED:
        rows = inside & closed_by & (state == undelivered.value)
        codes[rows] = STATUS_CODES.index(Status(undelivered.value))
        late[rows] = 0
    return JudgedArrays(codes, late, effective)


# -- complaints (GRS tiers) -----------------------------------------------------------------


class StepKind(StrEnum):
    LODGED = "lodged"
    APPEAL = "appeal"
    AUTO = "auto"  # escalated automatically when the tier below let its limit pass


class TierStatus(StrEnum):
    ON_TRACK = "on_track"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"  # last tier only
    ESCALATED = "escalated"  # limit passed, moved up automatically
    RESOLVED_ON_TIME = "resolved_on_time"
    RESOLVED_LATE = "resolved_late"


class ComplaintState(StrEnum):
    ON_TRACK = "on_track"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class StepFact:
    """A recorded tier step (the data the status is derived from)."""

    tier: int
    kind: str  # a StepKind
    start: date
    due: date
    resolved: date | None = None


@dataclass(frozen=True)
class TierState:
    tier: int
    role: str
    kind: str  # a StepKind
    start: date
    due: date
    status: str  # a TierStatus
    resolved: date | None
    recorded: bool  # False: derived, not yet written by escalate_due
    working_days_late: int = 0


@dataclass(frozen=True)
class ComplaintStatus:
    status: str  # a ComplaintState
    tier: int  # the tier in force as of the date
    due: date  # that tier's due date
    working_days_late: int  # open past the last tier's limit, or resolved late
    tiers: tuple[TierState, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintState.RESOLVED

    @property
    def escalations(self) -> int:
        """Tiers whose limit passed unresolved (automatic escalations)."""
        return sum(1 for t in self.tiers if t.status == TierStatus.ESCALATED)

    @property
    def appeals(self) -> int:
        return sum(1 for t in self.tiers if t.kind == StepKind.APPEAL)

    @property
    def within_time(self) -> bool:
        """Resolved within its tier's limit with no tier's limit passed on the way."""
        return (self.status == ComplaintState.RESOLVED and self.escalations == 0
                and self.tiers[-1].status == TierStatus.RESOLVED_ON_TIME)

    @property
    def judged(self) -> bool:
        """Counts in "% resolved within time": resolved, or some limit already passed."""
        return (self.status in (ComplaintState.RESOLVED, ComplaintState.OVERDUE)
                or self.escalations > 0)

    @property
    def can_appeal(self) -> bool:
        return self.status == ComplaintState.RESOLVED and self.tier < len(GRS_ROLES)


def complaint_status(*, received: date, limits: Sequence[TierLimit],
                     steps: Sequence[StepFact], as_of: date,
                     calendar: BangladeshCalendar) -> ComplaintStatus:
    """The complaint's tiers and status on local date ``as_of`` (steps after it ignored)."""
    recorded = {s.tier: s for s in steps if s.start <= as_of}
    states: list[TierState] = []
    tier, start, kind = 1, received, StepKind.LODGED.value
    while True:
        limit = limits[tier - 1]
        # A recorded step counts only where the chain puts it: an automatic escalation
        # made void by a resolution entered later (backdated) is ignored.
        step = recorded.get(tier)
        if step is not None and (step.start, step.kind) != (start, kind):
            step = None
        if step is not None:
            due = step.due
            resolved = step.resolved if step.resolved and step.resolved <= as_of else None
        else:
            due, resolved = tier_due(start, limit, calendar), None
        if resolved is not None:
            late = 0 if on_time(resolved, due) else days_late(calendar, due, resolved)
            states.append(TierState(tier, limit.role, kind, start, due,
                                    TierStatus.RESOLVED_LATE if late
                                    else TierStatus.RESOLVED_ON_TIME,
                                    resolved, step is not None, late))
            appeal = recorded.get(tier + 1)
            if (appeal is not None and appeal.kind == StepKind.APPEAL
                    and appeal.start >= resolved and tier < len(limits)):
                tier, start, kind = tier + 1, appeal.start, StepKind.APPEAL.value
                continue
            return ComplaintStatus(ComplaintState.RESOLVED, tier, due, late, tuple(states))
        if as_of > due and tier < len(limits):
            states.append(TierState(tier, limit.role, kind, start, due, TierStatus.ESCALATED,
                                    None, step is not None))
            tier, start, kind = tier + 1, due, StepKind.AUTO.value
            continue
        judged = status_as_of(due, None, as_of, calendar)
        status = ComplaintState(judged.status.value)
        states.append(TierState(tier, limit.role, kind, start, due, TierStatus(status.value),
                                None, step is not None, judged.working_days_late))
        return ComplaintStatus(status, tier, due, judged.working_days_late, tuple(states))
