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
- median_wd_to_deliver: working days from receipt to delivery (0 = same day);
- outside_calendar: requests with a date outside the calendar (a due date typed as
  9999-12-31, a calendar file removed later...): not judged, so neither on time, late nor
  overdue (still counted as received, delivered or open): correct their dates. Last, so
  the columns before it keep their places.

Grouping (``compliance(frame, by)``): per office (its code; several offices of different
kinds can share an upazila, ``jashore.keshabpur`` and ``jashore.keshabpur@land``), per
office and service, or per office kind (ict, land, ...). Rows per office also carry the
office's kind, as the last column (after the counts, so their places stay). Filtering by
kind is ``request_frame(office_kind=...)``: in the one judged frame's SQL.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlmodel import Session

from tracker.domain.deadlines import Track
from tracker.domain.periods import Period
from tracker.domain.status import CLOSED_UNDELIVERED, Status
from tracker.errors import InputError
from tracker.services.auth import Scope
from tracker.services.queries import judged_requests

REPORT_COLUMNS = ["received", "not_measured", "delivered", "on_time", "late", "open",
                  "overdue", "rejected_withdrawn", "no_deadline", "extended_track",
                  "compliance_pct", "median_wd_to_deliver", "outside_calendar"]
#: The ratio columns; every other report column is a count.
RATIO_COLUMNS = ("compliance_pct", "median_wd_to_deliver")
#: ``compliance``'s groupings: the key columns of each ``by``.
GROUP_KEYS: dict[str, list[str]] = {
    "office": ["office_code"],
    "service": ["office_code", "service_key", "service_name_bn"],
    "kind": ["office_kind"],
}
#: The label column added (last) to groupings per office: which kind of office it is.
KIND_LABEL = "office_kind"


def request_frame(session: Session, *, scope: Scope, period: Period, as_of: date,
                  office_codes: list[str] | None = None,
                  office_kind: str | None = None) -> pd.DataFrame:
    """One row per request received in the period (up to ``as_of``), judged as of ``as_of``
    (tracker.services.queries.judged_requests: the one judged frame); ``office_kind``
    (ict, land, ...; None = every kind) keeps the offices of one kind."""
    return judged_requests(session, scope=scope, as_of=as_of, received_from=period.start,
                           received_to=period.end, office_codes=office_codes,
                           office_kind=office_kind)


def compliance_ratio(on_time: int, late: int) -> float | None:
    """Compliance %: delivered on time / delivered with a deadline (None if none)."""
    judged = on_time + late
    return 100 * on_time / judged if judged else None


def compliance_pct_column(counts: pd.DataFrame) -> pd.Series:
    """``compliance_ratio`` per row of a frame with on_time and late, one decimal."""
    judged = counts["on_time"] + counts["late"]
    return (100 * counts["on_time"] / judged.where(judged > 0)).round(1)


def compliance(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Aggregate a request frame per office (``by="office"``), per office and service
    (``"service"``) or per office kind (``"kind"``); see the module docstring."""
    if by not in GROUP_KEYS:
        raise InputError("--by must be office, service or kind")
    keys = GROUP_KEYS[by]
    labels = [KIND_LABEL] if "office_code" in keys else []
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *REPORT_COLUMNS, *labels])
    f = frame.assign(
        is_measured=frame["measured"].astype(bool),
        s=frame["status"],
    )
    m = f["is_measured"]
    parts = pd.DataFrame({
        **{k: f[k] for k in [*keys, *labels]},
        "received": 1,
        "not_measured": (~m).astype(int),
        "delivered": (m & f["is_delivered"].astype(bool)).astype(int),
        "on_time": (m & (f["s"] == Status.ON_TIME.value)).astype(int),
        "late": (m & (f["s"] == Status.LATE.value)).astype(int),
        "open": (m & f["is_open"].astype(bool)).astype(int),
        "overdue": (m & (f["s"] == Status.OVERDUE.value)).astype(int),
        "rejected_withdrawn": (m & f["s"].isin([s.value for s in CLOSED_UNDELIVERED])).astype(int),
        "no_deadline": (m & (f["s"] == Status.NO_DEADLINE.value)).astype(int),
        "extended_track": (m & (f["track"] == Track.EXTENDED)).astype(int),
        "outside_calendar": (m & (f["s"] == Status.OUTSIDE_CALENDAR.value)).astype(int),
        "wd": f["wd_to_deliver"].where(m),
    })
    grouped = parts.groupby(keys, sort=True, dropna=False)
    result = grouped[[c for c in REPORT_COLUMNS if c not in RATIO_COLUMNS]].sum()
    result["compliance_pct"] = compliance_pct_column(result)
    result["median_wd_to_deliver"] = grouped["wd"].median()
    for label in labels:  # one value per office: a label, not a key
        result[label] = grouped[label].first()
    return result.reset_index()[[*keys, *REPORT_COLUMNS, *labels]]

