"""Gather the APA (বার্ষিক কর্মসম্পাদন চুক্তি) report object for a scope and fiscal period.

Every figure comes from the one judged frame (``reports.request_frame`` and
``reports.compliance``: the same computation as ``tracker report compliance``) and the GRS
frame (``complaints.complaint_frame``); this module only selects and arranges them into an
``ApaData`` (tracker.services.apa_report), which ``tracker.services.exports`` renders.

One read of the requests: the quarters are slices of the period's frame (a request is
judged on its own, so a slice holds exactly the rows a query for the quarter would).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlmodel import Session

from tracker.domain.calendar import load_calendar
from tracker.domain.offices import parse_kind
from tracker.domain.periods import Period, fiscal_year
from tracker.domain.status import Status
from tracker.services.apa_report import (
    EVIDENCE_COLUMNS,
    ApaData,
    CalendarVersions,
    OfficeInfo,
    ProvisionalWarning,
    QuarterFigures,
    RulesFacts,
    periods_of,
)
from tracker.services.apa_scope import codes_of_kind
from tracker.services.auth import Scope
from tracker.services.complaints import (
    SUMMARY_COLUMNS,
    complaint_frame,
    complaint_summary,
    tier_summary,
)
from tracker.services.reports import KIND_LABEL, REPORT_COLUMNS, compliance, request_frame

#: Columns that are ratios: empty (None) in a total of nothing, where counts are 0.
_RATIOS = frozenset({"compliance_pct", "median_wd_to_deliver", "extended_share_pct",
                     "pct_within_time"})
_BREACHED = [Status.LATE.value, Status.OVERDUE.value]


def build_apa(session: Session, *, scope: Scope, fy: str, quarter: str | None, as_of: date,
              offices: Sequence[OfficeInfo], office_codes: list[str] | None,
              scope_label: tuple[str, str], generated_at: datetime | None = None,
              office_kind: str | None = None) -> ApaData:
    """Every figure of the APA export (render it with ``exports.render_apa``).

    ``office_kind`` (ict, land, ...; None = every kind) keeps the offices of one kind: the
    requests in the judged frame's SQL; the complaints by the codes of that kind's offices
    (the GRS frame filters by code)."""
    period, quarters = periods_of(fy, quarter)
    kind = parse_kind(office_kind) if office_kind is not None else None
    frame = request_frame(session, scope=scope, period=period, as_of=as_of,
                          office_codes=office_codes, office_kind=kind)
    grs_codes = office_codes
    if kind is not None:
        of_kind = codes_of_kind(session, scope=scope, office_kind=kind)
        grs_codes = [c for c in office_codes if c in set(of_kind)] if office_codes else of_kind
    complaints = complaint_frame(session, scope=scope, period=period, as_of=as_of,
                                 office_codes=grs_codes)
    by_office = compliance(frame, "office").drop(columns=[KIND_LABEL])
    return ApaData(
        fy=fiscal_year(fy).label,
        quarter=quarters[0][0] if quarter else None, period=period, as_of=as_of,
        generated_at=generated_at, scope_label=scope_label, offices=tuple(offices),
        by_office=_with_extended_share(by_office),
        total=_total(_with_extended_share(compliance(frame.assign(office_code="__total__"),
                                                     "office").drop(columns=[KIND_LABEL])),
                     [*REPORT_COLUMNS, "extended_share_pct"]),
        quarters=_quarters(frame, quarters, as_of),
        evidence=_evidence(frame),
        grs_by_office=complaint_summary(complaints),
        grs_total=_total(complaint_summary(complaints.assign(office_code="__total__")),
                         SUMMARY_COLUMNS),
        grs_tiers=tier_summary(complaints),
        rules=_rules_facts(period, offices, frame, len(complaints)),
        warnings=_warnings(frame, period),
        office_kind=kind,
    )


def _extended_share(received: int, not_measured: int, extended: int) -> float | None:
    """Extended track / measured requests × 100, one decimal (None if nothing measured)."""
    measured = received - not_measured
    return round(100 * extended / measured, 1) if measured else None


def _with_extended_share(counts: pd.DataFrame) -> pd.DataFrame:
    shares = [_extended_share(int(r), int(n), int(e)) for r, n, e in zip(
        counts["received"], counts["not_measured"], counts["extended_track"], strict=True)]
    return counts.assign(extended_share_pct=pd.Series(shares, index=counts.index,
                                                      dtype=object))


def _total(totals: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The one total row; zeros (and no ratios) when there is nothing to total."""
    if not totals.empty:
        return totals.reset_index(drop=True)
    return pd.DataFrame([{c: None if c in _RATIOS else 0 for c in columns}], dtype=object)


def _quarters(frame: pd.DataFrame, quarters: list[tuple[str, Period]],
              as_of: date) -> tuple[QuarterFigures, ...]:
    """Per service per quarter, for the quarters that have started as of the date."""
    figures = []
    for label, q in quarters:
        if q.start > as_of:
            continue
        figures.append(QuarterFigures(label, compliance(_received_in(frame, q), "service")))
    return tuple(figures)


def _received_in(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    inside = frame["received_date"].map(lambda day: period.start <= day <= period.end)
    return frame[inside.astype(bool)]


def _evidence(frame: pd.DataFrame) -> pd.DataFrame:
    """Measured late and overdue requests, per office the most working days late first."""
    if frame.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    breached = frame[frame["measured"].astype(bool) & frame["status"].isin(_BREACHED)]
    breached = breached.sort_values(["office_code", "working_days_late", "id"],
                                    ascending=[True, False, True])
    rows = [[r["office_code"], _text(r["external_ref"]), int(r["id"]), r["service_key"],
             r["service_name_bn"], r["received_date"], _date(r["effective_due"]),
             _date(r["closed_date"] if r["is_delivered"] else None),
             int(r["working_days_late"]), r["status"], _text(r["responsible_officer"])]
            for _, r in breached.iterrows()]
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS, dtype=object)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _date(value: Any) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day: date = pd.Timestamp(value).date()  # numpy datetime64
    return day


def _calendar_versions(district: str | None, period: Period) -> CalendarVersions:
    calendar = load_calendar(district)
    years = range(period.start.year, period.end.year + 1)
    # A year the calendar lacks (a file removed later) is said so, not a KeyError: its
    # requests are reported as outside the calendar (tracker.domain.status).
    return CalendarVersions(district, tuple(
        (calendar.years[y].version, calendar.years[y].provisional) if y in calendar.years
        else (f"{y}: outside the calendar", True) for y in years))


def _rules_facts(period: Period, offices: Sequence[OfficeInfo], frame: pd.DataFrame,
                 complaints: int) -> RulesFacts:
    districts = sorted({o.district for o in offices} | set(
        frame["district"].unique() if not frame.empty else []))
    national = load_calendar()
    return RulesFacts(
        calendars=tuple(_calendar_versions(d, period) for d in districts or [None]),
        curated_years=tuple(national.curated_years),
        provisional_years=tuple(national.provisional_years), complaints=complaints)


def _warnings(frame: pd.DataFrame, period: Period) -> tuple[ProvisionalWarning, ...]:
    """A warning when the period has forecast years or forecast due dates."""
    calendar = load_calendar()
    years = tuple(y for y in range(period.start.year, period.end.year + 1)
                  if y not in calendar.years or calendar.years[y].provisional)
    provisional_due = not frame.empty and bool(frame["due_provisional"].astype(bool).any())
    return (ProvisionalWarning(years),) if years or provisional_due else ()
