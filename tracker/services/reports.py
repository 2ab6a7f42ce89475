"""Compliance reports: one computation behind the CLI report, the dashboard and the exports.

Requests are read in one query (scoped to what the user may read), then judged as of a
date with the vectorised rules of status.py — status is derived, never stored.

Definitions (per office or per service, requests received in the period):
- received: all requests received in the period (up to the as-of date);
- not_measured: received before the office's go-live date (excluded from the rest);
- delivered / on_time / late: delivered by the as-of date, judged against the due date;
- open / overdue: still open as of the date (holds still running push the due date);
- rejected_withdrawn: closed without delivery; no_deadline: per directive, no date entered;
- compliance_pct: on_time / (on_time + late) x 100, one decimal;
- median_wd_to_deliver: working days from receipt to delivery (0 = same day).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.calendar import load_calendar
from tracker.domain.deadlines import due_dates_with_open_holds
from tracker.domain.status import STATUS_CODES, Status, statuses_as_of
from tracker.errors import InputError
from tracker.services.auth import Scope
from tracker.store.models import District, HoldPeriod, Office, Request, Service

REPORT_COLUMNS = ["received", "not_measured", "delivered", "on_time", "late", "open",
                  "overdue", "rejected_withdrawn", "no_deadline", "extended_track",
                  "compliance_pct", "median_wd_to_deliver"]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


def fiscal_year(label: str) -> Period:
    """``2024-25`` (or ``2024-2025``) -> 1 July 2024 to 30 June 2025."""
    match = re.fullmatch(r"(\d{4})-(\d{2}|\d{4})", label.strip())
    if not match:
        raise InputError(f"bad fiscal year {label!r} (expected e.g. 2024-25)")
    first = int(match.group(1))
    second = int(match.group(2)) % 100
    if second != (first + 1) % 100:
        raise InputError(f"bad fiscal year {label!r}: the second year must follow the first")
    return Period(date(first, 7, 1), date(first + 1, 6, 30), f"{first}-{second:02d}")


QUARTER_MONTHS = {"Q1": (7, 9), "Q2": (10, 12), "Q3": (1, 3), "Q4": (4, 6)}


def fiscal_quarter(fy: str, quarter: str) -> Period:
    """Q1 Jul-Sep, Q2 Oct-Dec, Q3 Jan-Mar, Q4 Apr-Jun of the fiscal year."""
    year = fiscal_year(fy)
    q = quarter.strip().upper()
    if q not in QUARTER_MONTHS:
        raise InputError(f"bad quarter {quarter!r} (Q1..Q4)")
    first_month, last_month = QUARTER_MONTHS[q]
    y = year.start.year if q in ("Q1", "Q2") else year.end.year
    last_day = date(y, last_month, monthrange(y, last_month)[1])
    return Period(date(y, first_month, 1), last_day, f"{year.label} {q}")


def request_frame(session: Session, *, scope: Scope, period: Period, as_of: date,
                  office_codes: list[str] | None = None) -> pd.DataFrame:
    """One row per request received in the period (up to ``as_of``), judged as of ``as_of``.

    Columns: id, office_code, office_name_bn, district, service_key, service_name_bn,
    category, external_ref, received_date, due_date (in force, with running holds),
    closed_date, state, track, status, working_days_late, measured, wd_to_deliver, ...
    """
    end = min(period.end, as_of)
    query = (
        sa.select(*(col(c) for c in (
            Request.id, Office.code, Office.name_bn, Office.go_live_date, District.name_en,
            Service.category, Service.number, Service.name_bn, Service.responsible_officer,
            Request.external_ref, Request.received_date, Request.due_date,
            Request.closed_date, Request.state, Request.track, Request.extended,
            Request.backdated, Request.due_provisional)))
        .join(Office, col(Office.id) == Request.office_id)
        .join(District, col(District.id) == Office.district_id)
        .join(Service, col(Service.id) == Request.service_id)
        .where(col(Request.received_date) >= period.start, col(Request.received_date) <= end)
        .order_by(col(Request.id))
    )
    if scope.readable is not None:
        query = query.where(col(Request.office_id).in_(sorted(scope.readable)))
    if office_codes:
        query = query.where(col(Office.code).in_(office_codes))
    columns = ["id", "office_code", "office_name_bn", "go_live_date", "district", "category",
               "number", "service_name_bn", "responsible_officer", "external_ref",
               "received_date", "due_date", "closed_date", "state", "track", "extended",
               "backdated", "due_provisional"]
    frame = pd.DataFrame([tuple(r) for r in session.execute(query)], columns=columns)
    if frame.empty:
        return judge_frame(frame, as_of, {})
    open_holds: dict[int, date] = dict(session.exec(
        select(col(HoldPeriod.request_id), col(HoldPeriod.start_date))
        .join(Request, col(Request.id) == HoldPeriod.request_id)
        .where(col(HoldPeriod.end_date).is_(None), Request.state == "on_hold",
               Request.received_date >= period.start, Request.received_date <= end)
    ).all())
    return judge_frame(frame, as_of, open_holds)


def _to_days(series: pd.Series) -> np.ndarray:
    return np.array([np.datetime64(v, "D") if v is not None and not pd.isna(v)
                     else np.datetime64("NaT") for v in series], dtype="datetime64[D]")


def judge_frame(frame: pd.DataFrame, as_of: date, open_holds: dict[int, date]) -> pd.DataFrame:
    """Judge raw request rows as of a date: the one place statuses are derived in bulk.

    ``open_holds`` maps request id -> start date of its running hold (the clock is stopped
    through ``as_of``). Used by request_frame, the dashboard aggregates and the digests.
    """
    frame = frame.copy()
    frame["service_key"] = frame["category"].astype(str) + "-" + frame["number"].astype(str)
    frame["status"] = pd.Series(dtype=str)
    frame["working_days_late"] = pd.Series(dtype="int64")
    frame["wd_to_deliver"] = pd.Series(dtype="float64")
    frame["effective_due"] = pd.Series(dtype="object")
    frame["is_delivered"] = pd.Series(dtype=bool)
    frame["is_open"] = pd.Series(dtype=bool)
    if frame.empty:
        frame["measured"] = pd.Series(dtype=bool)
        return frame
    as_of64 = np.datetime64(as_of, "D")
    for district, rows in frame.groupby("district", sort=True):
        calendar = load_calendar(str(district))
        index = calendar.index
        received = _to_days(rows["received_date"])
        due = _to_days(rows["due_date"])
        # Holds still running stop the clock through the as-of date.
        due = due_dates_with_open_holds(_to_days(rows["due_date"]),
                                        _to_days(rows["id"].map(open_holds)), as_of, calendar)
        closed = _to_days(rows["closed_date"])
        delivered = np.where(rows["state"].to_numpy() == "delivered", closed,
                             np.datetime64("NaT"))
        codes, late = statuses_as_of(due, delivered, as_of, calendar)
        status = np.array([STATUS_CODES[c].value for c in codes], dtype=object)
        # Rejected/withdrawn (by the as-of date) are closed without delivery.
        other_closed = (np.isin(rows["state"].to_numpy(), ["rejected", "withdrawn"])
                        & ~np.isnat(closed) & (closed <= as_of64))
        status[other_closed] = rows["state"].to_numpy()[other_closed]
        late[other_closed] = 0
        frame.loc[rows.index, "status"] = status
        frame.loc[rows.index, "working_days_late"] = late
        frame.loc[rows.index, "effective_due"] = list(due.astype(object))
        done = ~np.isnat(delivered) & (delivered <= as_of64)
        wd = np.full(len(rows), np.nan)
        if done.any():
            wd[done] = index.working_days_between(received[done], delivered[done])
        frame.loc[rows.index, "wd_to_deliver"] = wd
        frame.loc[rows.index, "is_delivered"] = done
        frame.loc[rows.index, "is_open"] = ~done & ~other_closed
    go_live = frame["go_live_date"]
    frame["measured"] = go_live.isna() | (frame["received_date"] >= go_live.fillna(date.min))
    return frame


def compliance_ratio(on_time: int, late: int) -> float | None:
    """Compliance %: delivered on time / delivered with a deadline (None if none)."""
    judged = on_time + late
    return 100 * on_time / judged if judged else None


def compliance_pct_column(counts: pd.DataFrame) -> pd.Series:
    """``compliance_ratio`` per row of a frame with on_time and late, one decimal."""
    judged = counts["on_time"] + counts["late"]
    return (100 * counts["on_time"] / judged.where(judged > 0)).round(1)


def compliance(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Aggregate a request frame per office (``by="office"``) or per service."""
    if by not in ("office", "service"):
        raise InputError("--by must be office or service")
    keys = ["office_code"] if by == "office" else ["office_code", "service_key",
                                                   "service_name_bn"]
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *REPORT_COLUMNS])
    f = frame.assign(
        is_measured=frame["measured"].astype(bool),
        s=frame["status"],
    )
    m = f["is_measured"]
    parts = pd.DataFrame({
        **{k: f[k] for k in keys},
        "received": 1,
        "not_measured": (~m).astype(int),
        "delivered": (m & f["is_delivered"].astype(bool)).astype(int),
        "on_time": (m & (f["s"] == Status.ON_TIME.value)).astype(int),
        "late": (m & (f["s"] == Status.LATE.value)).astype(int),
        "open": (m & f["is_open"].astype(bool)).astype(int),
        "overdue": (m & (f["s"] == Status.OVERDUE.value)).astype(int),
        "rejected_withdrawn": (m & f["s"].isin(["rejected", "withdrawn"])).astype(int),
        "no_deadline": (m & (f["s"] == Status.NO_DEADLINE.value)).astype(int),
        "extended_track": (m & (f["track"] == "extended")).astype(int),
        "wd": f["wd_to_deliver"].where(m),
    })
    grouped = parts.groupby(keys, sort=True, dropna=False)
    result = grouped[[c for c in REPORT_COLUMNS if c not in ("compliance_pct",
                                                              "median_wd_to_deliver")]].sum()
    result["compliance_pct"] = compliance_pct_column(result)
    result["median_wd_to_deliver"] = grouped["wd"].median()
    return result.reset_index()[[*keys, *REPORT_COLUMNS]]


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame["status"].value_counts().items()}
