"""The one judged request frame and the one request detail: every reader uses these.

Compliance reports, digests, the breach list, the CLI's ``request show / list / explain``,
the dashboard and the exports all read requests through ``judged_requests`` (one SELECT
builder, one judgement as of a date: ``tracker.domain.status.request_statuses``), so a
request has the same status and due date in force wherever it is shown. The SQL fast path
of the dashboard (tracker.services.aggregates) counts the same things; tests pin it equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.bn import Lang, fmt_date
from tracker.domain.calendar import BangladeshCalendar, load_calendar
from tracker.domain.deadlines import (
    Hold,
    due_date,
    due_with_open_hold,
    running_hold_working_days,
    uncounted_explanation,
    working_days_allowed,
    working_days_left,
)
from tracker.domain.offices import parse_kind
from tracker.domain.status import (
    CLOSED_STATES,
    OPEN_STATES,
    RequestState,
    RequestStatus,
    Status,
    outside_calendar,
    request_statuses,
)
from tracker.errors import InputError
from tracker.services.auth import PermissionDenied, Scope
from tracker.services.requests import deadline_for, office_calendar
from tracker.store.models import (
    District,
    HoldPeriod,
    Office,
    Request,
    RequestEvent,
    Service,
)

#: The judged frame's raw columns (from the store), in order; judge_frame adds the rest.
_SELECTED: list[tuple[str, Any]] = [
    ("id", Request.id), ("office_id", Request.office_id), ("service_id", Request.service_id),
    ("office_code", Office.code),
    ("office_name_bn", Office.name_bn), ("office_name_en", Office.name_en),
    ("office_kind", Office.office_kind),
    ("go_live_date", Office.go_live_date), ("district", District.name_en),
    ("category", Service.category), ("number", Service.number),
    ("service_name_bn", Service.name_bn), ("deadline_raw", Service.deadline_raw),
    ("responsible_officer", Service.responsible_officer),
    ("responsible_contact", Service.responsible_contact),
    ("escalation_officer", Service.escalation_officer),
    ("external_ref", Request.external_ref), ("applicant_name", Request.applicant_name),
    ("received_date", Request.received_date), ("due_date", Request.due_date),
    ("closed_date", Request.closed_date), ("state", Request.state), ("track", Request.track),
    ("extended", Request.extended), ("backdated", Request.backdated),
    ("due_provisional", Request.due_provisional), ("hold_start", HoldPeriod.start_date),
]
FRAME_COLUMNS = [name for name, _ in _SELECTED]


def open_state_filter(states: Sequence[str] = OPEN_STATES) -> sa.ColumnElement[bool]:
    """``state IN (states)``, written so the planner reads it through the state index.

    As a sub-select of ids it is planned on its own (the state index, the only choice):
    SQLite would otherwise prefer to scan the office index, which reads the whole log.
    """
    ids = sa.select(col(Request.id)).where(col(Request.state).in_([str(s) for s in states]))
    return col(Request.id).in_(ids.scalar_subquery())


def office_of_kind(office_kind: str) -> sa.ColumnElement[bool]:
    """``Office.office_kind = kind``: the one office-kind filter of the read layer, for
    queries that join Office. The kind as typed (``Land``) is read by
    tracker.domain.offices.parse_kind: malformed text is an error, not an empty report."""
    return col(Office.office_kind) == parse_kind(office_kind)


def judged_requests(session: Session, *, scope: Scope, as_of: date,
                    received_from: date | None = None, received_to: date | None = None,
                    office_ids: Iterable[int] | None = None,
                    office_codes: Sequence[str] | None = None,
                    office_kind: str | None = None,
                    request_ids: Sequence[int] | None = None, open_only: bool = False,
                    states: Sequence[RequestState] | None = None,
                    closed_since: date | None = None) -> pd.DataFrame:
    """One row per request the user may read, received by ``as_of``, judged as of it.

    Filters (all optional, combined): received in [received_from, received_to]; these
    offices (ids or codes: they narrow the scope, never widen it); offices of this kind
    (``office_kind``: ict, land, ...; None = every kind, in SQL); these requests; only
    requests open now (``open_only``; or in these ``states``: read through the state index);
    only requests open or closed on or after ``closed_since``.

    Columns: FRAME_COLUMNS, then service_key, status, working_days_late, effective_due
    (the due date in force as of the date: running holds push it), wd_to_deliver,
    wd_allowed (working days from receipt to the due date in force), wd_on_hold (of a hold
    still running), wd_left (working days after the as-of date up to the due date in force;
    -1 without one), is_delivered, is_open and measured (received on or after the office's
    go-live date).
    """
    end = as_of if received_to is None else min(received_to, as_of)
    query = (
        sa.select(*(col(c) for _, c in _SELECTED))
        .join(Office, col(Office.id) == Request.office_id)
        .join(District, col(District.id) == Office.district_id)
        .join(Service, col(Service.id) == Request.service_id)
        # A request has at most one hold still running (tracker.services.requests).
        .outerjoin(HoldPeriod, (col(HoldPeriod.request_id) == Request.id)
                   & col(HoldPeriod.end_date).is_(None))
        .where(col(Request.received_date) <= end)
        .order_by(col(Request.id))
    )
    if received_from is not None:
        query = query.where(col(Request.received_date) >= received_from)
    if scope.readable is not None:
        query = query.where(col(Request.office_id).in_(sorted(scope.readable)))
    if office_ids is not None:
        query = query.where(col(Request.office_id).in_(sorted(set(office_ids))))
    if office_codes:
        # codes as typed: the stored ones are lower case (as get_office looks them up)
        query = query.where(col(Office.code).in_([c.strip().lower() for c in office_codes]))
    if office_kind is not None:
        query = query.where(office_of_kind(office_kind))
    if request_ids is not None:
        query = query.where(col(Request.id).in_(list(request_ids)))
    if open_only or states is not None:
        query = query.where(open_state_filter(OPEN_STATES if states is None else states))
    if closed_since is not None:
        query = query.where(sa.or_(col(Request.closed_date).is_(None),
                                   col(Request.closed_date) >= closed_since))
    frame = pd.DataFrame([tuple(r) for r in session.execute(query)], columns=FRAME_COLUMNS)
    return judge_frame(frame, as_of)


def _to_days(series: pd.Series) -> np.ndarray:
    return np.array([np.datetime64(v, "D") if v is not None and not pd.isna(v)
                     else np.datetime64("NaT") for v in series], dtype="datetime64[D]")


def judge_frame(frame: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Judge raw request rows as of a date: the one place statuses are derived in bulk.

    Needs id, district, category, number, received_date, due_date, closed_date, state,
    go_live_date and hold_start (the start of a hold still running, else None). Each
    district's requests are judged with its own calendar (regional closures).

    A row with a date outside the calendar never stops the others: its status is
    ``outside_calendar`` (tracker.domain.status), its due date in force the stored one and
    its working-day figures empty (wd_to_deliver NaN, wd_allowed 1, wd_on_hold 0,
    wd_left -1, 0 days late); every other row is judged as if it were not there.
    """
    frame = frame.copy()
    frame["service_key"] = frame["category"].astype(str) + "-" + frame["number"].astype(str)
    frame["status"] = pd.Series(dtype=object)
    frame["working_days_late"] = pd.Series(dtype="int64")
    frame["wd_to_deliver"] = pd.Series(dtype="float64")
    frame["effective_due"] = pd.Series(dtype="object")
    frame["is_delivered"] = pd.Series(dtype=bool)
    frame["is_open"] = pd.Series(dtype=bool)
    frame["wd_allowed"] = pd.Series(dtype="int64")
    frame["wd_on_hold"] = pd.Series(dtype="int64")
    frame["wd_left"] = pd.Series(dtype="int64")
    if frame.empty:
        frame["measured"] = pd.Series(dtype=bool)
        return frame
    for district, rows in frame.groupby("district", sort=True):
        _judge_district(frame, rows, as_of, load_calendar(str(district)))
    for column in ("working_days_late", "wd_allowed", "wd_on_hold", "wd_left"):
        frame[column] = frame[column].astype("int64")
    frame["is_delivered"] = frame["is_delivered"].astype(bool)
    frame["is_open"] = frame["is_open"].astype(bool)
    go_live = frame["go_live_date"]
    frame["measured"] = go_live.isna() | (frame["received_date"] >= go_live.fillna(date.min))
    return frame


def _judge_district(frame: pd.DataFrame, rows: pd.DataFrame, as_of: date,
                    calendar: BangladeshCalendar) -> None:
    """Fill the judged columns of one district's rows of ``frame`` (in place)."""
    as_of64 = np.datetime64(as_of, "D")
    states = rows["state"].astype(str).to_numpy()
    closed = _to_days(rows["closed_date"])
    received = _to_days(rows["received_date"])
    judged = request_statuses(states, _to_days(rows["due_date"]), closed,
                              _to_days(rows["hold_start"]), as_of, calendar,
                              received=received)
    inside = ~judged.outside_calendar
    closed_by = ~np.isnat(closed) & (closed <= as_of64)
    delivered = (states == RequestState.DELIVERED.value) & closed_by
    # Working days are counted only for rows the calendar covers (the others: see above).
    wd = np.full(len(rows), np.nan)
    counted = delivered & inside
    if counted.any():
        wd[counted] = calendar.index.working_days_between(received[counted], closed[counted])
    allowed = np.ones(len(rows), dtype=np.int64)
    allowed[inside] = working_days_allowed(received[inside], judged.effective_due[inside],
                                           calendar)
    # A hold counts only while the request is on hold (a rejection ends it).
    on_hold = np.where(inside & (states == RequestState.ON_HOLD.value),
                       _to_days(rows["hold_start"]), np.datetime64("NaT"))
    left = np.full(len(rows), -1, dtype=np.int64)
    left[inside] = working_days_left(judged.effective_due[inside], as_of, calendar)
    frame.loc[rows.index, "status"] = judged.statuses
    frame.loc[rows.index, "working_days_late"] = judged.working_days_late
    frame.loc[rows.index, "effective_due"] = list(judged.effective_due.astype(object))
    frame.loc[rows.index, "wd_to_deliver"] = wd
    frame.loc[rows.index, "wd_allowed"] = allowed
    frame.loc[rows.index, "wd_on_hold"] = running_hold_working_days(on_hold, as_of, calendar)
    frame.loc[rows.index, "wd_left"] = left
    frame.loc[rows.index, "is_delivered"] = delivered
    frame.loc[rows.index, "is_open"] = ~(closed_by & np.isin(
        states, [s.value for s in CLOSED_STATES]))


# -- one request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestDetail:
    """One request as every reader shows it: its row of the judged frame, the stored
    request, office and service, its history, and why it is due then."""

    request: Request
    office: Office
    service: Service
    row: dict[str, Any]  # the request's row of judged_requests (status as of the date)
    events: list[RequestEvent]
    explanation: list[str]

    @property
    def status(self) -> RequestStatus:
        due = self.row["effective_due"]
        return RequestStatus(Status(self.row["status"]), int(self.row["working_days_late"]),
                             None if due is None or pd.isna(due) else due)


def load_readable(session: Session, *, request_id: int, scope: Scope) -> tuple[Request, Office]:
    """The request and its office, if the user may read it (else PermissionDenied)."""
    request = session.get(Request, request_id)
    if request is None:
        raise PermissionDenied(f"no request #{request_id}")
    office = session.get(Office, request.office_id)
    assert office is not None
    scope.require_read(office)
    return request, office


def request_detail(session: Session, *, request_id: int, scope: Scope,
                   as_of: date) -> RequestDetail:
    """One request the user may read, judged as of ``as_of`` by the same frame as lists."""
    request, office = load_readable(session, request_id=request_id, scope=scope)
    service = session.get(Service, request.service_id)
    assert service is not None
    if as_of < request.received_date:
        raise InputError(f"request #{request_id} was received on {request.received_date}, "
                         f"after the as-of date {as_of}")
    frame = judged_requests(session, scope=scope, as_of=as_of, request_ids=[request_id])
    row = frame.iloc[0].to_dict()
    events = list(session.exec(select(RequestEvent).where(
        RequestEvent.request_id == request_id).order_by(col(RequestEvent.id))))
    return RequestDetail(request, office, service, row, events,
                         explain_due(session, request=request, office=office, service=service,
                                     as_of=as_of))


def explain_due(session: Session, *, request: Request, office: Office, service: Service,
                as_of: date) -> list[str]:
    """Why is it due then: the rule, every day counted or skipped, holds and extensions,
    and the due date in force as of ``as_of`` (a hold still running pushes it).

    A request with a date outside the calendar gets the stored facts and what to correct
    instead of a count the calendar cannot make."""
    spec = deadline_for(service, request.track)
    periods = list(session.exec(select(HoldPeriod).where(HoldPeriod.request_id == request.id)))
    running = next((h.start_date for h in periods if h.end_date is None), None)
    calendar = office_calendar(session, office)
    lines = [f"#{request.id}: {service.deadline_raw} -> {request.track} track"]
    if outside_calendar(state=request.state, due=request.due_date,
                        closed=request.closed_date, as_of=as_of, calendar=calendar,
                        running_hold_start=running, received=request.received_date):
        return [*lines, _outside_calendar_line(request, running, calendar)]
    if spec is None:
        lines.append(uncounted_explanation(service.unit, service.deadline_raw,
                                           request.due_date, request.directive_ref))
    else:
        holds = [Hold(h.start_date, h.end_date) for h in periods if h.end_date is not None]
        lines.append(due_date(request.received_at, spec, calendar, holds=holds,
                              explain=True).explain())
    if request.extended:
        lines.append(f"extended to {_day(request.anchor_due_date)} (see the history)")
    in_force = (due_with_open_hold(request.due_date, running, as_of, calendar)
                if request.state == RequestState.ON_HOLD else request.due_date)
    if in_force != request.due_date:
        lines.append(f"on hold since {_day(running)}: the clock is stopped, due "
                     f"{_day(in_force)} as of {_day(as_of)}")
    lines.append(f"due date in force: {_day(in_force) or 'none'}; frozen with calendar "
                 f"{request.calendar_version}")
    return lines


def _outside_calendar_line(request: Request, running: date | None,
                           calendar: BangladeshCalendar) -> str:
    days = {"received": request.received_date, "due": request.due_date,
            "closed": request.closed_date, "on hold since": running}
    shown = ", ".join(f"{name} {_day(day)}" for name, day in days.items() if day is not None)
    return (f"not judged: a date is outside the calendar ({_day(calendar.first_day)} to "
            f"{_day(calendar.last_day)}) or a hold pushes the due date past it ({shown}); "
            f"correct the date, or add the calendar year")


def _day(day: date | None) -> str:
    """A date as explanations show it in English (dd-mm-yyyy); empty for none."""
    return fmt_date(day, Lang.EN) if day is not None else ""
