"""Deadline specs and the due-date rules of GUIDE.md §3 (rules 1-4 and 8). Pure.

- N working days: the N-th working day strictly after the local receipt date (the receipt
  day is not counted: General Clauses Act 1897 s.9). Time of day does not matter.
- N calendar days: receipt date + N days, moved to the next working day if needed.
- N months: same day of month N months later (clamped to month end), then next working day.
- Immediate: the receipt date if it is a working day and the request came before closing
  time (17:00; 15:30 in Ramadan); otherwise the next working day.
- Holds: working days spent wholly on hold move the due date later by as many working days.
- Hours: counted as whole working days (24 h -> 1 working day), rounded up.
- Tracks (rule 5): "immediate / N working days where applicable" is immediate unless the
  officer picks the extended track with a reason; a single limit has one track.
- N-M (a range): the upper bound M is the promise; the lower bound is kept, not counted.
- As per directive: no spec; the officer enters the date (rule 7).
- No deadline (a schedule, an ongoing process): no spec and no date to enter; reported as
  "no deadline", never on time or overdue.
- Not understood, or flagged by the parser: ``needs_review``, never guessed; no request is
  logged against it until a reviewer sets the limit (tracker.services.requests refuses).
- GRS tiers: each tier's limit counted strictly after the day the tier started.

The one home of these rules: the service catalog, the request writers, reports and the
pages call them. Nothing here asks the clock: callers pass the moments they mean.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from tracker.domain.bn import Lang, fmt_date, grs_title
from tracker.domain.calendar import BangladeshCalendar, DayInfo
from tracker.domain.localtime import LocalMoment, to_local
from tracker.errors import InputError

DateArray = npt.NDArray[np.datetime64]


class DeadlineUnit(StrEnum):
    """How a service's time limit is counted (the catalog's ``unit``)."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"
    HOURS = "hours"
    IMMEDIATE = "immediate"
    PER_DIRECTIVE = "per_directive"  # the officer enters the date (rule 7)
    #: No per-request limit (a schedule, office hours, an ongoing process: GUIDE §6):
    #: requests are logged and reported as "no deadline", never on time.
    NO_DEADLINE = "no_deadline"


#: The units a DeadlineSpec counts in.
SPEC_UNITS = (DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS, DeadlineUnit.MONTHS,
              DeadlineUnit.IMMEDIATE)


class Track(StrEnum):
    """Which limit a request runs on (GUIDE §3 rule 5)."""

    STANDARD = "standard"  # a service with a single limit
    IMMEDIATE = "immediate"  # "immediate / N where applicable": the default
    EXTENDED = "extended"  # ... the N working days, with a recorded reason


@dataclass(frozen=True)
class DeadlineSpec:
    """A promised time limit: ``immediate`` or ``amount`` units (working days, calendar
    days or months: hours and "per directive" are turned into these by ``spec_for``)."""

    unit: DeadlineUnit
    amount: int = 0

    def __post_init__(self) -> None:
        # Accept the unit's text too; it is stored as the enum.
        try:
            object.__setattr__(self, "unit", DeadlineUnit(self.unit))
        except ValueError:
            raise InputError(f"unknown deadline unit {self.unit!r}") from None
        if self.unit not in SPEC_UNITS:
            raise InputError(f"a {self.unit} deadline has no counting rule here")
        if self.unit == "immediate":
            if self.amount:
                raise InputError("an immediate deadline has no amount")
        elif self.amount < 1:
            raise InputError(f"a deadline of {self.amount} {self.unit} is not allowed (>= 1)")

    @classmethod
    def working_days(cls, n: int) -> DeadlineSpec:
        return cls(DeadlineUnit.WORKING_DAYS, n)

    @classmethod
    def immediate(cls) -> DeadlineSpec:
        return cls(DeadlineUnit.IMMEDIATE)

    def describe(self) -> str:
        if self.unit == "immediate":
            return "immediate"
        return f"{self.amount} {self.unit.replace('_', ' ')}"


@dataclass(frozen=True)
class Hold:
    """An on-hold period (awaiting the applicant), by Dhaka local date.

    ``end`` is the resume date, or None while still on hold.
    """

    start: date
    end: date | None = None


@dataclass(frozen=True)
class DueDate:
    """A computed due date and everything needed to explain and freeze it."""

    due: date
    received: LocalMoment
    spec: DeadlineSpec
    hold_working_days: int
    provisional: bool
    calendar_version: str
    steps: tuple[ExplainStep, ...] = field(default=(), compare=False)

    def explain(self) -> str:
        """Human explanation: every day looked at, counted or skipped, and why."""
        lines = [
            f"received {fmt_date(self.received.date, Lang.EN)}"
            + (f" {self.received.time:%H:%M}" if self.received.time else "")
            + f" (Asia/Dhaka); deadline {self.spec.describe()}",
        ]
        if self.hold_working_days:
            lines.append(f"on hold for {self.hold_working_days} working day(s): added")
        for step in self.steps:
            mark = f"#{step.count:<3}" if step.count else "skip"
            lines.append(f"  {fmt_date(step.day, Lang.EN)} {mark} {step.info.reason_en}")
        lines.append(f"due {fmt_date(self.due, Lang.EN)}" + (" (provisional)" if self.provisional
                                                      else ""))
        lines.append(f"calendar {self.calendar_version}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ExplainStep:
    day: date
    count: int  # 0 when the day is skipped, else the running working-day number
    info: DayInfo


# --------------------------------------------------------------------------------------
# Scalar rules (one request)


def add_months(day: date, months: int) -> date:
    """Same day of month ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def next_working_day_on_or_after(day: date, calendar: BangladeshCalendar) -> date:
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, calendar: BangladeshCalendar) -> date:
    """The last working day strictly before ``day``."""
    d = day - timedelta(days=1)
    while not calendar.is_working_day(d):
        d -= timedelta(days=1)
    return d


def hold_working_days(holds: Iterable[Hold], calendar: BangladeshCalendar,
                      as_of: date | None = None) -> int:
    """Working days spent *wholly* on hold.

    A resumed hold covers the days strictly between its start and resume dates (both of
    those were partly worked). A hold still open covers the days after its start up to and
    including ``as_of``: the clock is stopped while the office waits. Overlaps count once.
    """
    covered: set[date] = set()
    for hold in holds:
        if hold.end is not None and hold.end < hold.start:
            raise InputError(f"hold resumed ({hold.end}) before it started ({hold.start})")
        if hold.end is None:
            if as_of is None:
                raise InputError("an open hold needs an as-of date")
            last = as_of
        else:
            last = hold.end - timedelta(days=1)
        day = hold.start + timedelta(days=1)
        while day <= last:
            covered.add(day)
            day += timedelta(days=1)
    return sum(1 for day in covered if calendar.is_working_day(day))


def due_in_force(base_due: date | None, held: int, calendar: BangladeshCalendar, *,
                 anchor_due: date | None = None, anchor_hold_days: int = 0) -> date | None:
    """The due date in force after holds (rules 6-8).

    ``anchor_due`` is an extension's date or a per-directive date: it replaces the base due
    date, and only the working days on hold beyond ``anchor_hold_days`` (those already
    spent when it was set) push it later. None when there is no date at all (rule 7).
    """
    if anchor_due is not None:
        extra = held - anchor_hold_days
        return calendar.add_working_days(anchor_due, extra) if extra > 0 else anchor_due
    if base_due is None:
        return None
    return calendar.add_working_days(base_due, held) if held > 0 else base_due


def due_date(received: datetime | date | LocalMoment, spec: DeadlineSpec,
             calendar: BangladeshCalendar, *, holds: Iterable[Hold] = (),
             as_of: date | None = None, explain: bool = False) -> DueDate:
    """The due date of one request (GUIDE §3 rules 1-4, 8).

    ``received`` is an aware datetime (any zone), a naive one (Asia/Dhaka), or a date.
    A date without a time, for an immediate deadline, is taken as before closing time.
    """
    moment = received if isinstance(received, LocalMoment) else to_local(received)
    day = moment.date
    calendar.check_in_range(day)
    held = hold_working_days(holds, calendar, as_of)

    if spec.unit == "working_days":
        due = calendar.add_working_days(day, spec.amount + held)
    elif spec.unit == "immediate":
        in_time = moment.time is None or moment.time < calendar.office_closing_time(day)
        if calendar.is_working_day(day) and in_time:
            due = day
        else:
            due = calendar.add_working_days(day, 1)
        if held:
            due = calendar.add_working_days(due, held)
    else:
        target = (day + timedelta(days=spec.amount) if spec.unit == "calendar_days"
                  else add_months(day, spec.amount))
        due = next_working_day_on_or_after(target, calendar)
        if held:
            due = calendar.add_working_days(due, held)

    steps: tuple[ExplainStep, ...] = ()
    if explain:
        steps = _explain_steps(day, due, spec, calendar)
    return DueDate(due, moment, spec, held, calendar.any_provisional(day, due),
                   calendar.version, steps)


def _explain_steps(received: date, due: date, spec: DeadlineSpec,
                   calendar: BangladeshCalendar) -> tuple[ExplainStep, ...]:
    """Each day from the receipt date to the due date, counted or skipped with its reason."""
    steps = []
    count = 0
    start = received if spec.unit == "immediate" else received + timedelta(days=1)
    day = start
    while day <= due:
        info = calendar.day_info(day)
        if info.working and (spec.unit == "working_days" or day == due):
            count += 1
        steps.append(ExplainStep(day, count if info.working else 0, info))
        day += timedelta(days=1)
    return tuple(steps)


# --------------------------------------------------------------------------------------
# Vectorised path (hundreds of thousands of requests at once)


def due_dates(received_dates: DateArray, working_days: npt.ArrayLike,
              calendar: BangladeshCalendar, hold_days: npt.ArrayLike | None = None) -> DateArray:
    """Due dates for N-working-day deadlines, one per row, as datetime64[D].

    ``received_dates`` are Dhaka local dates (datetime64[D]); ``working_days`` ints >= 1;
    ``hold_days`` optional working days wholly on hold per row (>= 0). Equal, row for row,
    to ``calendar.add_working_days(received, n + hold)``; a few array lookups per row.
    """
    received = np.asarray(received_dates, dtype="datetime64[D]")
    n = np.asarray(working_days, dtype=np.int64)
    if n.size and n.min() < 1:
        raise InputError("working days must be >= 1")
    if hold_days is not None:
        held = np.asarray(hold_days, dtype=np.int64)
        if held.size and held.min() < 0:
            raise InputError("hold days must be >= 0")
        n = n + held
    return calendar.index.add_working_days(received, n)


def due_dates_with_open_holds(due: DateArray, hold_start: DateArray, as_of: date,
                              calendar: BangladeshCalendar) -> DateArray:
    """Vectorised rule 8 for holds still running on ``as_of``: the working days after the
    hold's start up to and including ``as_of`` push the due date (as hold_working_days does
    for one request). Rows with no running hold (NaT start) or no due date keep theirs."""
    result = np.array(due, dtype="datetime64[D]", copy=True)
    start = np.asarray(hold_start, dtype="datetime64[D]")
    running = ~np.isnat(start) & ~np.isnat(result)
    if not running.any():
        return result
    index = calendar.index
    held = index.working_days_between(start[running],
                                      np.full(int(running.sum()), np.datetime64(as_of, "D")))
    rows = np.flatnonzero(running)[held > 0]
    if rows.size:
        result[rows] = index.add_working_days(result[rows], held[held > 0])
    return result


def running_hold_working_days(hold_start: DateArray, as_of: date,
                               calendar: BangladeshCalendar) -> npt.NDArray[np.int64]:
    """Working days wholly on hold so far for holds still running on ``as_of`` (the days
    after the start up to and including ``as_of``: rule 8); 0 where no hold runs."""
    start = np.asarray(hold_start, dtype="datetime64[D]")
    held = np.zeros(start.shape, dtype=np.int64)
    running = ~np.isnat(start)
    if running.any():
        held[running] = calendar.index.working_days_between(
            start[running], np.full(int(running.sum()), np.datetime64(as_of, "D")))
    return held


def working_days_allowed(received: DateArray, due: DateArray,
                         calendar: BangladeshCalendar) -> npt.NDArray[np.int64]:
    """The working days a request was given: from its receipt to its due date in force
    (holds and extensions included), at least 1 (same-day); 1 where there is no due date."""
    received_arr = np.asarray(received, dtype="datetime64[D]")
    due_arr = np.asarray(due, dtype="datetime64[D]")
    allowed = np.ones(due_arr.shape, dtype=np.int64)
    dated = ~np.isnat(due_arr)
    if dated.any():
        allowed[dated] = np.maximum(
            calendar.index.working_days_between(received_arr[dated], due_arr[dated]), 1)
    return allowed


def working_days_left(due: DateArray, as_of: date,
                      calendar: BangladeshCalendar) -> npt.NDArray[np.int64]:
    """Working days after ``as_of`` up to each due date (0 on or past it); -1 where there
    is no due date."""
    due_arr = np.asarray(due, dtype="datetime64[D]")
    left = np.full(due_arr.shape, -1, dtype=np.int64)
    dated = ~np.isnat(due_arr)
    if dated.any():
        left[dated] = calendar.index.working_days_between(
            np.full(int(dated.sum()), np.datetime64(as_of, "D")), due_arr[dated])
    return left


def immediate_due_dates(received_dates: DateArray, before_closing: npt.ArrayLike,
                        calendar: BangladeshCalendar) -> DateArray:
    """Vectorised immediate rule: same day if a working day and before closing, else next."""
    received = np.asarray(received_dates, dtype="datetime64[D]")
    same_day = calendar.index.is_working_day(received) & np.asarray(before_closing, dtype=bool)
    next_day = calendar.index.add_working_days(received, np.ones(received.shape, np.int64))
    return np.where(same_day, received, next_day)


def due_with_open_hold(due: date | None, hold_start: date | None, as_of: date,
                       calendar: BangladeshCalendar) -> date | None:
    """Scalar ``due_dates_with_open_holds``: a hold still running on ``as_of`` (started on
    ``hold_start``) pushes ``due`` by the working days after its start up to ``as_of``."""
    if due is None or hold_start is None:
        return due
    held = int(calendar.get_working_days_delta(hold_start, as_of)) if as_of > hold_start else 0
    return calendar.add_working_days(due, held) if held > 0 else due


# --------------------------------------------------------------------------------------
# Services: the catalog's limit -> a rule per track


class DeadlineError(InputError):
    """A track or extension that the service's limit does not allow."""


@dataclass(frozen=True)
class ServiceDeadline:
    """A service's time limit as stored with the service (``Service`` columns).

    ``needs_review``: the charter's cell was not safely understood (GUIDE §6): the limit
    holds what was understood, but no request may be logged against the service until a
    reviewer sets the limit in the catalog TOML (tracker.services.requests refuses).
    """

    unit: DeadlineUnit
    amount: int = 0
    #: For "immediate / N working days where applicable": the extended track's N.
    extended_working_days: int | None = None
    conditional: bool = False
    needs_review: bool = False

    def columns(self) -> dict[str, object]:
        return dict(unit=self.unit.value, amount=self.amount,
                    extended_working_days=self.extended_working_days,
                    conditional=self.conditional, needs_review=self.needs_review)


class ParsedDeadline(Protocol):
    """What the charter parser read from a time-limit cell (tracker.domain.charter.model
    .Deadline has these); a protocol, so the deadline rules do not depend on the parser."""

    @property
    def per_directive(self) -> bool: ...
    @property
    def understood(self) -> bool: ...
    @property
    def immediate(self) -> bool: ...
    @property
    def conditional(self) -> bool: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def amount(self) -> int | None: ...
    @property
    def no_deadline(self) -> bool: ...
    @property
    def needs_review(self) -> bool: ...


def service_deadline(deadline: ParsedDeadline) -> ServiceDeadline:
    """A parsed charter deadline as the service's stored limit.

    - no per-request limit (a schedule, an ongoing process) -> ``NO_DEADLINE``: requests
      are logged and reported as "no deadline", never on time;
    - per directive -> ``PER_DIRECTIVE`` (the officer enters the date, rule 7);
    - immediate, or N units -> that limit (a range's upper bound: ``range_min`` does not
      count);
    - nothing of the above -> ``PER_DIRECTIVE`` flagged ``needs_review``: never guessed.
    A cell flagged ``needs_review`` (or not ``understood``) keeps what was understood,
    marked ``needs_review``: no request is logged against it until a reviewer sets it.
    """
    review = deadline.needs_review or not deadline.understood
    if deadline.no_deadline:
        return ServiceDeadline(DeadlineUnit.NO_DEADLINE, needs_review=review)
    if deadline.per_directive:
        return ServiceDeadline(DeadlineUnit.PER_DIRECTIVE, needs_review=review)
    if deadline.immediate:
        # "immediate / N working days": N on the extended track. The extended track counts
        # working days only, so "immediate / 3 days / 72 hours / 1 month" cannot be stored
        # as read: the limit is kept for nobody and a reviewer must set it (the grammar
        # flags such cells too; this guards a Deadline built elsewhere).
        extended = (deadline.amount if deadline.unit == "working_days"
                    and deadline.amount else None)
        lost = deadline.amount is not None and extended is None
        return ServiceDeadline(DeadlineUnit.IMMEDIATE, 0, extended, bool(extended),
                               needs_review=review or lost)
    counted = _counted_unit(deadline.unit)
    if counted is not None and deadline.amount is not None and deadline.amount >= 1:
        return ServiceDeadline(counted, deadline.amount, conditional=deadline.conditional,
                               needs_review=review)
    return ServiceDeadline(DeadlineUnit.PER_DIRECTIVE, needs_review=True)


#: The units a charter cell counts in (``service_deadline``).
COUNTED_UNITS = (DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS, DeadlineUnit.MONTHS,
                 DeadlineUnit.HOURS)


def _counted_unit(unit: str | None) -> DeadlineUnit | None:
    return next((u for u in COUNTED_UNITS if u.value == unit), None)


def hours_as_working_days(hours: int) -> int:
    """An hour limit counted as whole working days (24 h -> 1), at least 1."""
    return max(1, -(-hours // 24))


def spec_for(unit: DeadlineUnit | str, amount: int, track: Track | str,
             extended_working_days: int | None = None) -> DeadlineSpec | None:
    """The rule for a service's limit on a track; None where the charter counts nothing:
    "as per directive" (the officer enters the date) and "no deadline"."""
    unit = DeadlineUnit(unit)
    if unit in (DeadlineUnit.PER_DIRECTIVE, DeadlineUnit.NO_DEADLINE):
        return None
    if unit is DeadlineUnit.IMMEDIATE:
        if Track(track) is Track.EXTENDED:
            if not extended_working_days:
                raise DeadlineError("this service has no extended track")
            return DeadlineSpec.working_days(extended_working_days)
        return DeadlineSpec.immediate()
    if unit is DeadlineUnit.HOURS:
        return DeadlineSpec.working_days(hours_as_working_days(amount))
    return DeadlineSpec(unit, amount)


def has_extended_track(unit: DeadlineUnit | str, extended_working_days: int | None) -> bool:
    """Whether the officer may pick a track (rule 5: immediate / N where applicable)."""
    return DeadlineUnit(unit) is DeadlineUnit.IMMEDIATE and bool(extended_working_days)


def takes_directive_date(unit: DeadlineUnit | str) -> bool:
    """Whether the officer may enter a due date for a request (rule 7: only "as per
    directive"). A "no deadline" service has no per-request limit to enter; a counted
    limit has its own date."""
    return DeadlineUnit(unit) is DeadlineUnit.PER_DIRECTIVE


def allows_extension(unit: DeadlineUnit | str, conditional: bool) -> bool:
    """Whether the due date may be extended (rule 6: "N / as needed", with a reason and a
    new date; or a per-directive date entered or moved later, rule 7). Never for "no
    deadline": there is no date to move."""
    unit = DeadlineUnit(unit)
    if unit is DeadlineUnit.NO_DEADLINE:
        return False
    return conditional or unit is DeadlineUnit.PER_DIRECTIVE


def uncounted_explanation(unit: DeadlineUnit | str, deadline_raw: str, due: date | None,
                          directive_ref: str | None) -> str:
    """"Why is it due then?" for a limit ``spec_for`` counts nothing for (None)."""
    if DeadlineUnit(unit) is DeadlineUnit.NO_DEADLINE:
        return f"no deadline: the charter sets no per-request limit ({deadline_raw})"
    shown = fmt_date(due, Lang.EN) if due is not None else "not entered"
    return f"as per directive: due {shown} ({directive_ref or 'no reference'})"


def choose_track(unit: DeadlineUnit | str, extended_working_days: int | None,
                 track: str | None, reason: str | None, *, service_label: str = "",
                 deadline_raw: str = "") -> Track:
    """The track a request runs on: immediate by default where the charter offers a choice,
    extended only with a reason; a single limit has only the standard track."""
    if has_extended_track(unit, extended_working_days):
        chosen = track or Track.IMMEDIATE.value
        if chosen not in (Track.IMMEDIATE, Track.EXTENDED):
            raise DeadlineError(f"unknown track {track!r} (immediate or extended)")
        if chosen == Track.EXTENDED and not (reason or "").strip():
            raise DeadlineError("the extended track needs a reason")
        return Track(chosen)
    if track not in (None, Track.STANDARD):
        raise DeadlineError(f"service {service_label} has a single time limit "
                            f"({deadline_raw}); no track to choose")
    if (reason or "").strip():  # it would be stored as if it had chosen something
        raise DeadlineError(f"service {service_label} has a single time limit "
                            f"({deadline_raw}); a track reason has nothing to explain")
    return Track.STANDARD


# --------------------------------------------------------------------------------------
# GRS tiers (complaints): complaint officer 30, appeal officer 20, Cabinet cell 60 working
# days unless the charter prints others (GUIDE §1)

GrsRole = Literal["complaint_officer", "appeal_officer", "cabinet_cell"]
GRS_ROLES: tuple[GrsRole, ...] = ("complaint_officer", "appeal_officer", "cabinet_cell")
#: The national GRS limits in working days, used when a charter prints no GRS table.
GRS_DEFAULT_DAYS: dict[str, int] = {
    "complaint_officer": 30, "appeal_officer": 20, "cabinet_cell": 60,
}
#: Units a printed GRS limit may have (others fall back to the default).
TIER_LIMIT_UNITS = (DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS, DeadlineUnit.MONTHS)


@dataclass(frozen=True)
class TierLimit:
    tier: int
    role: str
    unit: str  # a TIER_LIMIT_UNITS value
    amount: int

    @property
    def spec(self) -> DeadlineSpec:
        return DeadlineSpec(DeadlineUnit(self.unit), self.amount)

    @property
    def title_bn(self) -> str:
        return grs_title(self.role, Lang.BN)

    @property
    def title_en(self) -> str:
        return grs_title(self.role, Lang.EN)

    def describe(self) -> str:
        return f"{self.amount} {self.unit.replace('_', ' ')}"


DEFAULT_TIER_LIMITS: tuple[TierLimit, ...] = tuple(
    TierLimit(i, role, DeadlineUnit.WORKING_DAYS.value, GRS_DEFAULT_DAYS[role])
    for i, role in enumerate(GRS_ROLES, 1))


def printed_tier_limit(default: TierLimit, *, marked_default: bool, unit: str | None,
                       amount: int | None) -> TierLimit | None:
    """A charter's printed limit for a GRS tier, or None where the national default applies:
    nothing printed, marked as the default, or not a countable unit (hours, per directive)."""
    if marked_default or unit not in TIER_LIMIT_UNITS or not amount:
        return None
    assert unit is not None
    return TierLimit(default.tier, default.role, unit, amount)


def tier_due(start: date, limit: TierLimit, calendar: BangladeshCalendar) -> date:
    """A tier's due date: its limit counted strictly after the day the tier started."""
    return due_date(start, limit.spec, calendar).due
