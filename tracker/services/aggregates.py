"""Dashboard aggregates in SQL: compliance counts per office x service x month of receipt.

The overview must stay quick on a national-scale log, so nothing here loads one row per
request. The figures are those of ``tracker.services.reports.compliance`` (same definitions, same
"as of a date" judgement; a test checks they agree), computed in two parts:

- **closed requests** (delivered / rejected / withdrawn): their judgement is fixed once
  closed (GUIDE §3 rule 10: closed requests stay as judged), so they are counted once into
  an in-process ``Rollup`` per office, service and month of receipt;
- **open requests** (few, whatever the history): the same ``Rollup`` keeps one small row per
  open request and judges them as of the date on every call; the ones on hold (clock
  stopped) are judged by ``tracker.services.reports`` itself because their due date moves.

The rollup stays fresh by reading only the audit events written since its last refresh
(every change to a request writes one), so the cost of a warm overview does not grow with
the closed history, only with the number of groups and of open requests. Groups that a
period or an office's go-live date cuts through (a date range ending mid-month, the go-live
month) are recounted directly in SQL for just those months. Without a rollup, or when
judging as of a date before some closures, everything is counted directly in SQL (GROUP BY),
reading open requests through the index on state.

Requests with a date outside the calendar (tracker.domain.status) are counted as
``outside_calendar`` and not judged, as in the report: the SQL compares their receipt, due
and closing dates with the calendar's span. Whether a running hold pushes a due date past
the calendar is known only to the judged frame, so the open requests on hold take their
overdue, no_deadline and outside_calendar counts from it (``_judge_open_holds``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from tracker.domain.calendar import load_calendar
from tracker.domain.deadlines import Track
from tracker.domain.status import CLOSED_STATES as DOMAIN_CLOSED_STATES
from tracker.domain.status import RequestState, Status
from tracker.services.auth import SYSTEM, Scope
from tracker.services.queries import judged_requests, office_of_kind, open_state_filter
from tracker.services.reports import compliance_pct_column, compliance_ratio
from tracker.services.requests import TRANSITIONS
from tracker.store.models import (
    OPEN_STATES,
    District,
    Office,
    Request,
    RequestEvent,
    Service,
)

CLOSED_STATES = tuple(s.value for s in DOMAIN_CLOSED_STATES)
#: The audit actions that close a request (from the lifecycle table).
CLOSING_ACTIONS = tuple(a for a, (_, to) in TRANSITIONS.items() if to in DOMAIN_CLOSED_STATES)
#: Counted columns, as in tracker.services.reports.REPORT_COLUMNS (the median is not decomposable:
#: the Reports page shows it from tracker.services.reports).
COUNT_COLUMNS = ["received", "not_measured", "delivered", "on_time", "late", "open", "overdue",
                 "rejected_withdrawn", "no_deadline", "extended_track", "outside_calendar"]
#: The counts of open requests on hold that the judged frame gives (see the docstring).
HELD_COUNTS = ["overdue", "no_deadline", "outside_calendar"]
KEY = ["office_id", "service_id", "year", "month"]
#: Events re-read behind the watermark on every refresh: a transaction that took an event id
#: before a later one but committed after it is still picked up (ids are unique per request).
LOOKBACK_EVENTS = 5000
#: Partial groups appended by refreshes before the rollup is compacted again.
COMPACT_AFTER = 2000


# -- direct SQL counts ----------------------------------------------------------------------


def _month_parts() -> tuple[sa.ColumnElement[int], sa.ColumnElement[int]]:
    year = sa.cast(sa.extract("year", col(Request.received_date)), sa.Integer)
    month = sa.cast(sa.extract("month", col(Request.received_date)), sa.Integer)
    return year.label("year"), month.label("month")


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def calendar_span() -> tuple[date, date]:
    """The days the calendars know: every district's calendar spans the same years (the
    same files, the same forecast years around them), so the national one's span is
    theirs."""
    calendar = load_calendar()
    return calendar.first_day, calendar.last_day


def _outside_calendar(closed_by: sa.ColumnElement[bool],
                      span: tuple[date, date]) -> sa.ColumnElement[bool]:
    """SQL twin of tracker.domain.status.outside_calendar, but for a running hold (the
    judged frame judges those): a receipt, due date or closure (by the as-of date) outside
    the span. Never NULL: each comparison is guarded by the column being set."""
    first, last = span

    def unknown(column: Any) -> sa.ColumnElement[bool]:
        day = col(column)
        return (day < first) | (day > last)

    return (unknown(Request.received_date)
            | (col(Request.due_date).is_not(None) & unknown(Request.due_date))
            | (closed_by & unknown(Request.closed_date)))


def direct_counts(session: Session, *, start: date, end: date, as_of: date,
                  office_ids: frozenset[int] | None, open_only: bool = False,
                  closed_only: bool = False,
                  months: list[tuple[int, int, int]] | None = None) -> pd.DataFrame:
    """Counts per office, service, month and measured flag, straight from the request table.

    ``office_ids`` None = every office. ``open_only`` restricts to requests still open
    (uses the index on state: cost follows the open requests, not the history);
    ``closed_only`` to requests closed by ``as_of``; ``months`` to these (office_id, year,
    month) groups (used for groups a period or go-live date cuts through).
    """
    year, month = _month_parts()
    received = col(Request.received_date)
    closed_by = (col(Request.state).in_(CLOSED_STATES)
                 & (col(Request.closed_date) <= as_of))
    delivered = (col(Request.state) == RequestState.DELIVERED) & (col(Request.closed_date) <= as_of)
    has_due = col(Request.due_date).is_not(None)
    still_open = sa.not_(closed_by)
    outside = _outside_calendar(closed_by, calendar_span())
    judged = sa.not_(outside)
    # Open requests on hold are judged by the frame (_judge_open_holds): a running hold
    # moves the due date, and may move it past the calendar.
    held = still_open & (col(Request.state) == RequestState.ON_HOLD)
    measured = sa.case(
        (col(Office.go_live_date).is_(None) | (received >= col(Office.go_live_date)), 1),
        else_=0).label("measured")
    # For open requests the period is a condition inside each sum, not a WHERE range on
    # received_date: then the planner reads them through the index on state, so the cost
    # follows the number of open requests, not the size of the log.
    in_range = (received >= start) & (received <= end)

    def count(condition: sa.ColumnElement[bool] | None = None) -> sa.ColumnElement[int]:
        if open_only:
            return _flag(in_range if condition is None else condition & in_range)
        return sa.func.count() if condition is None else _flag(condition)

    query = (
        sa.select(
            col(Request.office_id), col(Request.service_id), year, month, measured,
            count().label("received"),
            count(delivered).label("delivered"),
            count(delivered & has_due & judged
                  & (col(Request.closed_date) <= col(Request.due_date))).label("on_time"),
            count(delivered & has_due & judged
                  & (col(Request.closed_date) > col(Request.due_date))).label("late"),
            count(still_open).label("open"),
            count(still_open & sa.not_(held) & has_due & judged
                  & (col(Request.due_date) < as_of)).label("overdue"),
            count(closed_by & judged & (col(Request.state) != RequestState.DELIVERED))
            .label("rejected_withdrawn"),
            count(sa.not_(has_due) & judged & (delivered | (still_open & sa.not_(held))))
            .label("no_deadline"),
            count(col(Request.track) == Track.EXTENDED).label("extended_track"),
            count(outside & sa.not_(held)).label("outside_calendar"),
        )
        .join(Office, col(Office.id) == Request.office_id)
        .group_by(col(Request.office_id), col(Request.service_id), year, month, measured)
    )
    if office_ids is not None:
        query = query.where(col(Request.office_id).in_(sorted(office_ids)))
    if open_only:
        # Only groups with requests in the period travel back (open ones can be old).
        query = query.where(open_state_filter()).having(count() > 0)
    else:
        query = query.where(in_range)
    if closed_only:
        query = query.where(closed_by)
    if months:
        spans = []
        for office_id, y, m in months:
            first = date(y, m, 1)
            last = date(y + (m == 12), m % 12 + 1, 1)
            spans.append((col(Request.office_id) == office_id) & (received >= first)
                         & (received < last))
        query = query.where(sa.or_(*spans))
    columns = [*KEY, "measured", "received", "delivered", "on_time", "late", "open", "overdue",
               "rejected_withdrawn", "no_deadline", "extended_track", "outside_calendar"]
    frame = pd.DataFrame([tuple(r) for r in session.execute(query)], columns=columns)
    if open_only:
        frame = frame[frame["received"] > 0]
    if not closed_only:
        frame = _judge_open_holds(session, frame, start=start, end=end, as_of=as_of,
                                  office_ids=office_ids, months=months)
    return frame.astype({c: "int64" for c in columns})


def _judge_open_holds(session: Session, frame: pd.DataFrame, *, start: date, end: date,
                      as_of: date, office_ids: frozenset[int] | None,
                      months: list[tuple[int, int, int]] | None) -> pd.DataFrame:
    """Add the HELD_COUNTS of open requests on hold: the judged frame judges them (their
    due date in force moves while the clock is stopped), read through the state index."""
    rows = judged_requests(session, scope=SYSTEM, as_of=as_of, received_from=start,
                           received_to=end, office_ids=office_ids,
                           states=[RequestState.ON_HOLD])
    if rows.empty:
        return frame
    if months:
        wanted = set(months)
        keep = [(o, d.year, d.month) in wanted
                for o, d in zip(rows["office_id"], rows["received_date"], strict=True)]
        rows = rows[keep]
        if rows.empty:
            return frame
    extra = pd.DataFrame({
        "office_id": rows["office_id"], "service_id": rows["service_id"],
        "year": [d.year for d in rows["received_date"]],
        "month": [d.month for d in rows["received_date"]],
        "measured": rows["measured"].astype(int),
        **{c: (rows["status"] == Status(c)).astype(int) for c in HELD_COUNTS},
    })
    extra = extra.groupby([*KEY, "measured"], as_index=False)[HELD_COUNTS].sum()
    merged = frame.merge(extra, on=[*KEY, "measured"], how="left", suffixes=("", "_hold"))
    for c in HELD_COUNTS:
        merged[c] = merged[c] + merged[f"{c}_hold"].fillna(0).astype(int)
    return merged.drop(columns=[f"{c}_hold" for c in HELD_COUNTS])


# -- the rollup of closed requests ----------------------------------------------------------


OPEN_COLUMNS = ["id", "office_id", "service_id", "received_date", "due_date", "state", "track"]


@dataclass
class Rollup:
    """The request log kept in memory in the two shapes the overview needs.

    - ``groups``: closed requests counted per office, service and month of receipt (their
      judgement never changes once closed);
    - ``open``: one small row per request open now (id, office, service, received and due
      day numbers, state, track) — few, whatever the history.

    ``refresh`` reads only the audit events written since the last call (every change to a
    request writes one) and re-reads just the requests they name. Thread-safe; one per
    database (the dashboard keeps it with ``st.cache_resource``).
    """

    engine: Engine
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    open: pd.DataFrame = field(default_factory=pd.DataFrame)
    watermark: int = 0
    max_closed: date | None = None
    #: The calendar span the closed groups were counted with (outside_calendar depends on
    #: it): a calendar reload that changes it rebuilds the rollup.
    span: tuple[date, date] | None = None
    built_at: float = 0.0
    _counted: dict[int, int] = field(default_factory=dict)  # closed request id -> event id
    _seen: set[int] = field(default_factory=set)  # event ids read, within the look-back
    _appended: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> Rollup:
        with self._lock:
            if self.built_at == 0.0 or self.span != calendar_span():
                self._build()
            else:
                self._catch_up()
        return self

    def snapshot(self) -> tuple[pd.DataFrame, pd.DataFrame, date | None]:
        """(closed groups, open requests, last closing date) of one and the same refresh."""
        with self._lock:
            return self.groups, self.open, self.max_closed

    def _snapshot_connection(self) -> sa.Connection:
        connection = self.engine.connect()
        if connection.dialect.name == "postgresql":
            # One snapshot for the watermark and the counts (no closure counted twice).
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        return connection

    def _build(self) -> None:
        year, month = _month_parts()
        span = calendar_span()
        with self._snapshot_connection() as connection, Session(bind=connection) as session:
            watermark = session.execute(sa.select(sa.func.max(col(RequestEvent.id)))).scalar()
            watermark = int(watermark or 0)
            recent = session.execute(
                sa.select(col(RequestEvent.request_id), col(RequestEvent.id),
                          col(RequestEvent.action))
                .where(col(RequestEvent.id) > watermark - LOOKBACK_EVENTS)).all()
            query = (
                sa.select(col(Request.office_id), col(Request.service_id), year, month,
                          *_closed_aggregates(span))
                .where(col(Request.state).in_(CLOSED_STATES))
                .group_by(col(Request.office_id), col(Request.service_id), year, month)
            )
            groups = pd.DataFrame([tuple(r) for r in session.execute(query)],
                                  columns=ROLLUP_COLUMNS)
            open_rows = _open_rows(session, None)
        self.groups = _typed(groups)
        self.open = open_rows
        self.watermark = watermark
        self.span = span
        self._counted = {int(r): int(e) for r, e, a in recent if a in CLOSING_ACTIONS}
        self._seen = {int(e) for _, e, _ in recent}
        self.max_closed = _max_date(self.groups["max_closed"])
        self.built_at = time.monotonic()

    def _catch_up(self) -> None:
        with Session(self.engine) as session:
            newest = session.execute(sa.select(sa.func.max(col(RequestEvent.id)))).scalar()
            if int(newest or 0) < self.watermark:  # the database was rebuilt
                self.built_at = 0.0
                self._build()
                return
            events = [(int(r), int(e), str(a)) for r, e, a in session.execute(
                sa.select(col(RequestEvent.request_id), col(RequestEvent.id),
                          col(RequestEvent.action))
                .where(col(RequestEvent.id) > self.watermark - LOOKBACK_EVENTS))
                if int(e) not in self._seen]
            closing = {r: e for r, e, a in events
                       if a in CLOSING_ACTIONS and r not in self._counted}
            if closing:
                year, month = _month_parts()
                query = (
                    sa.select(col(Request.office_id), col(Request.service_id), year, month,
                              *_closed_aggregates(self.span or calendar_span()))
                    .where(col(Request.id).in_(sorted(closing)),
                           col(Request.state).in_(CLOSED_STATES))
                    .group_by(col(Request.office_id), col(Request.service_id), year, month)
                )
                added = _typed(pd.DataFrame([tuple(r) for r in session.execute(query)],
                                            columns=ROLLUP_COLUMNS))
                # Appended as partial groups (every consumer sums them); compacted now and then.
                self.groups = pd.concat([self.groups, added], ignore_index=True)
                self._appended += len(added)
                if self._appended > COMPACT_AFTER:
                    self.groups, self._appended = _compact(self.groups), 0
                self.max_closed = _max_date(self.groups["max_closed"])
                self._counted.update(closing)
            touched = sorted({r for r, _, _ in events})
            if touched:  # logged, moved, held, closed...: re-read just these requests
                fresh = _open_rows(session, touched)
                kept = self.open[~self.open["id"].isin(touched)]
                self.open = pd.concat([kept, fresh], ignore_index=True) if len(fresh) \
                    else kept.reset_index(drop=True)
            self._seen.update(e for _, e, _ in events)
            self.watermark = max([self.watermark, int(newest or 0)])
            floor = self.watermark - LOOKBACK_EVENTS
            self._seen = {e for e in self._seen if e > floor}
            self._counted = {r: e for r, e in self._counted.items() if e > floor}


def _open_rows(session: Session, ids: list[int] | None) -> pd.DataFrame:
    """Requests open now (all of them, or those of ``ids``), with day numbers."""
    query = sa.select(*(col(getattr(Request, c)) for c in OPEN_COLUMNS))
    if ids is None:
        query = query.where(open_state_filter())
    else:
        query = query.where(col(Request.id).in_(ids), col(Request.state).in_(OPEN_STATES))
    frame = pd.DataFrame([tuple(r) for r in session.execute(query)], columns=OPEN_COLUMNS)
    frame["received_day"] = _day_numbers(frame["received_date"])
    frame["has_due"] = frame["due_date"].notna()
    frame["due_day"] = _day_numbers(frame["due_date"])
    return frame.drop(columns=["received_date", "due_date"])


def _open_counts(rows: pd.DataFrame, *, start: date, end: date, as_of: date,
                 allowed: frozenset[int] | None, go_live: dict[int, date | None]
                 ) -> pd.DataFrame:
    """Counts of the open requests held by the rollup (no query), as direct_counts does."""
    if allowed is not None:
        rows = rows[rows["office_id"].isin(allowed)]
    rows = rows[(rows["received_day"] >= _day(start)) & (rows["received_day"] <= _day(end))]
    if rows.empty:
        return pd.DataFrame()
    live = rows["office_id"].map({o: _day(g) for o, g in go_live.items() if g is not None}
                                 ).fillna(np.iinfo(np.int64).min)
    # Year and month by numpy: pandas timestamps end in 2262 (tracker.domain.status).
    months = rows["received_day"].to_numpy().astype("datetime64[D]").astype(
        "datetime64[M]").astype(np.int64)
    first, last = (_day(d) for d in calendar_span())
    received, due = rows["received_day"], rows["due_day"]
    outside = ((received < first) | (received > last)
               | (rows["has_due"] & ((due < first) | (due > last))))
    # Open requests on hold are judged by _judge_open_holds (their due date moves).
    judged = (rows["state"] != RequestState.ON_HOLD) & ~outside
    parts = pd.DataFrame({
        "office_id": rows["office_id"].to_numpy(), "service_id": rows["service_id"].to_numpy(),
        "year": months // 12 + 1970, "month": months % 12 + 1,
        "measured": (rows["received_day"] >= live).astype(int).to_numpy(),
        "received": 1, "delivered": 0, "on_time": 0, "late": 0, "open": 1,
        "overdue": (judged & rows["has_due"] & (due < _day(as_of))).astype(int).to_numpy(),
        "rejected_withdrawn": 0,
        "no_deadline": (judged & ~rows["has_due"]).astype(int).to_numpy(),
        "extended_track": (rows["track"] == Track.EXTENDED).astype(int).to_numpy(),
        "outside_calendar": ((rows["state"] != RequestState.ON_HOLD) & outside)
        .astype(int).to_numpy(),
    })
    return parts.groupby([*KEY, "measured"], as_index=False).sum()


ROLLUP_COLUMNS = [*KEY, "closed", "delivered", "on_time", "late", "rejected_withdrawn",
                  "no_deadline", "extended_track", "outside_calendar", "min_received",
                  "max_received", "max_closed"]


def _closed_aggregates(span: tuple[date, date]) -> list[Any]:
    """The closed requests' counts (all closed by any as-of date the rollup serves)."""
    delivered = col(Request.state) == RequestState.DELIVERED
    has_due = col(Request.due_date).is_not(None)
    outside = _outside_calendar(sa.true(), span)
    judged = sa.not_(outside)
    return [
        sa.func.count().label("closed"),
        _flag(delivered).label("delivered"),
        _flag(delivered & has_due & judged
              & (col(Request.closed_date) <= col(Request.due_date))),
        _flag(delivered & has_due & judged
              & (col(Request.closed_date) > col(Request.due_date))),
        _flag(judged & (col(Request.state) != RequestState.DELIVERED)),
        _flag(delivered & sa.not_(has_due) & judged),
        _flag(col(Request.track) == Track.EXTENDED),
        _flag(outside),
        sa.func.min(col(Request.received_date)),
        sa.func.max(col(Request.received_date)),
        sa.func.max(col(Request.closed_date)),
    ]


def _day_numbers(values: pd.Series) -> pd.Series:
    """Dates (or SQLite's ISO text) as int64 days since 1970-01-01, for fast comparisons;
    NaT's number (the int64 minimum) for none. By numpy, never pd.to_datetime: pandas'
    timestamps end in 2262, so 9999-12-31 would silently become "no date"."""
    missing = values.isna().to_numpy(dtype=bool)
    days = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    if (~missing).any():
        days[~missing] = values[~missing].astype(str).str[:10].to_numpy().astype(
            "datetime64[D]")
    return pd.Series(days.astype("int64"), index=values.index)


def _day(value: date) -> int:
    return int(np.datetime64(value, "D").astype("int64"))


def _typed(groups: pd.DataFrame) -> pd.DataFrame:
    counts = [c for c in ROLLUP_COLUMNS if c not in ("min_received", "max_received",
                                                      "max_closed")]
    groups = groups.astype({c: "int64" for c in counts})
    for c in ("min_received", "max_received", "max_closed"):
        groups[c] = _day_numbers(groups[c]) if not groups.empty else pd.Series(dtype="int64")
    return groups


def _compact(groups: pd.DataFrame) -> pd.DataFrame:
    agg: dict[str, str] = {c: "sum" for c in ROLLUP_COLUMNS if c not in KEY}
    agg.update(min_received="min", max_received="max", max_closed="max")
    return groups.groupby(KEY, as_index=False, sort=False).agg(agg)[ROLLUP_COLUMNS]


def _max_date(values: pd.Series) -> date | None:
    if values.empty:
        return None
    return date(1970, 1, 1) + timedelta(days=int(values.max()))


# -- the overview ---------------------------------------------------------------------------


def office_go_live(session: Session) -> dict[int, date | None]:
    return {int(i): g for i, g in session.execute(sa.select(col(Office.id),
                                                            col(Office.go_live_date)))}


def overview_counts(session: Session, *, scope: Scope, start: date, end: date, as_of: date,
                    office_ids: frozenset[int] | None = None,
                    rollup: Rollup | None = None,
                    office_kind: str | None = None) -> pd.DataFrame:
    """Counts per office, service and month of receipt for requests received in
    [start, min(end, as_of)], judged as of ``as_of``, within the user's ``scope``.

    Columns: office_id, service_id, year, month, and COUNT_COLUMNS. ``office_ids`` narrows
    the scope further (a filter); it never widens it; so does ``office_kind`` (ict, land,
    ...; None = every kind): it becomes the ids of that kind's offices, so the SQL counts
    and the rollup are narrowed by the one office filter they already have.
    """
    allowed = _allowed(scope, _of_kind(session, office_ids, office_kind))
    end = min(end, as_of)
    if (allowed is not None and not allowed) or end < start:
        return _finish(pd.DataFrame(columns=[*KEY, "measured", *COUNT_COLUMNS[:1]]))
    if rollup is None:
        return _finish(direct_counts(session, start=start, end=end, as_of=as_of,
                                     office_ids=allowed))
    groups, open_rows, max_closed = rollup.snapshot()
    if (max_closed is not None and as_of < max_closed) or rollup.span != calendar_span():
        # Judging before some closures happened: their judgement differs; count directly.
        # So too when the calendar's span moved since the closed groups were counted.
        return _finish(direct_counts(session, start=start, end=end, as_of=as_of,
                                     office_ids=allowed))
    go_live = office_go_live(session)
    if groups.empty:
        inside = groups.assign(measured=pd.Series(dtype="int64"))
        edges: list[tuple[int, int, int]] = []
    else:
        if allowed is not None:
            groups = groups[groups["office_id"].isin(allowed)]
        # Compare day numbers (int64), vectorised: the rollup can hold many groups.
        live = groups["office_id"].map({o: _day(g) for o, g in go_live.items()
                                        if g is not None}).fillna(np.iinfo(np.int64).min)
        lo, hi = groups["min_received"], groups["max_received"]
        first, last = _day(start), _day(end)
        overlaps = (hi >= first) & (lo <= last)
        within = (lo >= first) & (hi <= last)
        all_measured = lo >= live
        none_measured = hi < live
        cut = overlaps & ~(within & (all_measured | none_measured))
        # Edges are recounted per office-month (every service), so take whole office-months.
        office_month = (groups["office_id"] * 100_000 + groups["year"] * 12 + groups["month"])
        in_edge = office_month.isin(office_month[cut])
        keep = overlaps & ~in_edge
        inside = groups[keep].assign(measured=all_measured[keep].astype(int))
        edge_rows = groups[cut]
        edges = sorted({(int(o), int(y), int(m)) for o, y, m in
                        zip(edge_rows["office_id"], edge_rows["year"], edge_rows["month"],
                            strict=True)})
    closed = inside.rename(columns={"closed": "received"}).assign(open=0, overdue=0)
    parts = [closed[[*KEY, "measured", "received", "delivered", "on_time", "late", "open",
                     "overdue", "rejected_withdrawn", "no_deadline", "extended_track",
                     "outside_calendar"]]]
    if edges:
        parts.append(direct_counts(session, start=start, end=end, as_of=as_of,
                                   office_ids=allowed, closed_only=True, months=edges))
    open_part = _open_counts(open_rows, start=start, end=end, as_of=as_of, allowed=allowed,
                             go_live=go_live)
    if not open_part.empty:
        parts.append(_judge_open_holds(session, open_part, start=start, end=end, as_of=as_of,
                                       office_ids=allowed, months=None))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _finish(pd.DataFrame(columns=[*KEY, "measured", "received"]))
    return _finish(pd.concat(parts, ignore_index=True))


def _of_kind(session: Session, office_ids: frozenset[int] | None,
             office_kind: str | None) -> frozenset[int] | None:
    """``office_ids`` narrowed to the offices of ``office_kind`` (None: unchanged)."""
    if office_kind is None:
        return office_ids
    kind = frozenset(int(i) for i in session.execute(
        sa.select(col(Office.id)).where(office_of_kind(office_kind))).scalars())
    return kind if office_ids is None else kind & office_ids


def _allowed(scope: Scope, office_ids: frozenset[int] | None) -> frozenset[int] | None:
    if scope.readable is None:
        return office_ids
    return scope.readable if office_ids is None else scope.readable & office_ids


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Split measured/not measured into compliance's columns; one row per group."""
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in [*KEY, *COUNT_COLUMNS]})
    frame = frame.fillna(0)
    measured = frame["measured"].astype(int) == 1
    out = pd.DataFrame({k: frame[k].astype("int64") for k in KEY})
    out["received"] = frame["received"].astype("int64")
    out["not_measured"] = (~measured).astype("int64") * out["received"]
    for c in COUNT_COLUMNS[2:]:
        out[c] = frame[c].astype("int64").where(measured, 0)
    return out.groupby(KEY, as_index=False, sort=True)[COUNT_COLUMNS].sum()


# -- labels and summaries ------------------------------------------------------------------


def labelled(session: Session, counts: pd.DataFrame) -> pd.DataFrame:
    """Add office code/names/kind, district, division and service key/name/category."""
    office_rows = session.execute(
        sa.select(col(Office.id), col(Office.code), col(Office.name_en), col(Office.name_bn),
                  col(Office.office_kind), col(District.name_en), col(District.name_bn),
                  col(District.division_id))
        .join(District, col(District.id) == Office.district_id)).all()
    offices = pd.DataFrame([tuple(r) for r in office_rows],
                           columns=["office_id", "office_code", "office_name_en",
                                    "office_name_bn", "office_kind", "district",
                                    "district_bn", "division_id"])
    service_ids = sorted({int(s) for s in counts["service_id"]})
    services = pd.DataFrame(
        [tuple(r) for r in session.execute(
            sa.select(col(Service.id), col(Service.category), col(Service.number),
                      col(Service.name_bn)).where(col(Service.id).in_(service_ids)))]
        if service_ids else [],
        columns=["service_id", "category", "number", "service_name_bn"])
    services["service_key"] = services["category"].astype(str) + "-" + \
        services["number"].astype(str)
    out = counts.merge(offices, on="office_id", how="left").merge(services, on="service_id",
                                                                  how="left")
    out["month_start"] = [date(int(y), int(m), 1) for y, m in zip(out["year"], out["month"],
                                                                  strict=True)]
    return out


def summarise(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum counts over ``keys`` and add compliance_pct (on_time / (on_time + late))."""
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *COUNT_COLUMNS, "compliance_pct"])
    result = frame.groupby(keys, as_index=False, sort=True, dropna=False)[COUNT_COLUMNS].sum()
    result["compliance_pct"] = compliance_pct_column(result)
    return result


def totals(frame: pd.DataFrame) -> dict[str, float | int | None]:
    """One line over everything: counts and compliance_pct (None when nothing delivered)."""
    sums = {c: int(frame[c].sum()) if not frame.empty else 0 for c in COUNT_COLUMNS}
    ratio = compliance_ratio(sums["on_time"], sums["late"])
    return {**sums, "compliance_pct": None if ratio is None else round(ratio, 1)}


@dataclass(frozen=True)
class Overview:
    """Everything the overview page shows, from one set of grouped counts."""

    counts: pd.DataFrame  # labelled, one row per office x service x month of receipt
    totals: dict[str, float | int | None]
    by_office: pd.DataFrame
    by_service: pd.DataFrame
    by_month: pd.DataFrame
    office_month: pd.DataFrame


def overview(session: Session, *, scope: Scope, start: date, end: date, as_of: date,
             office_ids: frozenset[int] | None = None, categories: list[str] | None = None,
             rollup: Rollup | None = None, office_kind: str | None = None) -> Overview:
    """The overview's figures for the user's scope, a period and optional filters
    (``office_kind``: ict, land, ...; None = every kind)."""
    counts = labelled(session, overview_counts(session, scope=scope, start=start, end=end,
                                               as_of=as_of, office_ids=office_ids,
                                               rollup=rollup, office_kind=office_kind))
    if categories:
        counts = counts[counts["category"].isin(categories)]
    return Overview(
        counts=counts,
        totals=totals(counts),
        # per office, not per upazila: one upazila can have several (ICT, land, ...)
        by_office=summarise(counts, ["office_code", "office_name_en", "office_name_bn",
                                     "office_kind", "district"]),
        by_service=summarise(counts, ["category", "number", "service_key",
                                      "service_name_bn"]),
        by_month=summarise(counts, ["month_start"]),
        office_month=summarise(counts, ["office_code", "office_name_bn", "month_start"]),
    )


# -- open requests (breaches) ---------------------------------------------------------------


def open_frame(session: Session, *, scope: Scope, as_of: date,
               office_ids: frozenset[int] | None = None,
               office_kind: str | None = None) -> pd.DataFrame:
    """Every request open now (whatever its age), judged as of ``as_of``: the one judged
    frame (tracker.services.queries), read through the index on state; ``office_kind``
    keeps one kind of office (None = every kind)."""
    return judged_requests(session, scope=scope, as_of=as_of, office_ids=office_ids,
                           open_only=True, office_kind=office_kind)
