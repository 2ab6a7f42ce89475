"""The APA report object: what `tracker.services.apa` gathers and `tracker.services.exports`
renders. Plain dataclasses and DataFrames, no store and no language: the gatherer decides
every figure, the renderer only chooses words, digits and layout.

It sits in its own module because the renderer may not import the gatherer (which reads
the store): "exports imports no store" is a layer contract (GUIDE §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from tracker.domain.offices import Level
from tracker.domain.periods import QUARTER_MONTHS, Period, fiscal_quarter, fiscal_year


def periods_of(fy: str, quarter: str | None) -> tuple[Period, list[tuple[str, Period]]]:
    """The export's period and the quarters it spans (one, or Q1..Q4)."""
    if quarter:
        period = fiscal_quarter(fy, quarter)
        return period, [(quarter.strip().upper(), period)]
    return fiscal_year(fy), [(q, fiscal_quarter(fy, q)) for q in QUARTER_MONTHS]


#: The evidence frame's columns: one measured late or overdue request per row.
EVIDENCE_COLUMNS = ["office_code", "reference", "request_id", "service_key", "service_name",
                    "received", "due", "delivered", "working_days_late", "status",
                    "responsible_officer"]


@dataclass(frozen=True)
class OfficeInfo:
    """An office in the export's scope, for the rules sheet."""

    code: str
    name_bn: str
    name_en: str
    district: str
    go_live: date | None
    charters: tuple[date, ...] = ()  # effective dates of its charter versions
    grs_limits: str = ""  # e.g. "30 working days / 20 working days / 60 working days"
    #: What the office is (ict, land, ...: tracker.domain.offices) and its level: several
    #: offices of different kinds can share an upazila, so rows say which one they are.
    office_kind: str = "ict"
    level: Level = "upazila"


@dataclass(frozen=True)
class QuarterFigures:
    """Compliance per service (``reports.compliance(..., "service")``) of one quarter."""

    quarter: str  # Q1..Q4
    per_service: pd.DataFrame


@dataclass(frozen=True)
class CalendarVersions:
    """The calendar versions the period's due dates were computed with, for one district
    (None: the national calendar)."""

    district: str | None
    versions: tuple[tuple[str, bool], ...]  # (version, provisional) per calendar year


@dataclass(frozen=True)
class ProvisionalWarning:
    """Some due dates may move: the period has forecast years, or due dates computed from
    a forecast (``years`` empty when only the latter)."""

    years: tuple[int, ...]


@dataclass(frozen=True)
class RulesFacts:
    """What the rules sheet states besides the offices and the fixed definitions."""

    calendars: tuple[CalendarVersions, ...]
    curated_years: tuple[int, ...]
    provisional_years: tuple[int, ...]
    complaints: int  # complaints received in the period


@dataclass(frozen=True)
class ApaData:
    """Every figure of the APA export, for one scope and period, judged as of a date.

    Frames: ``by_office``/``total`` have the compliance columns of
    ``reports.REPORT_COLUMNS`` plus ``extended_share_pct`` (``total`` is one row, zeros when
    nothing was received); ``evidence`` has EVIDENCE_COLUMNS (dates as dates, None when
missing), worst first per office;
    ``grs_by_office``/``grs_total`` the columns of ``complaints.SUMMARY_COLUMNS``;
    ``grs_tiers`` those of ``complaints.tier_summary``.
    """

    fy: str  # the fiscal year's label, "2024-25"
    quarter: str | None  # Q1..Q4, or None for the whole year
    period: Period
    as_of: date
    generated_at: datetime | None
    scope_label: tuple[str, str]  # (Bengali, English)
    offices: tuple[OfficeInfo, ...]
    by_office: pd.DataFrame
    total: pd.DataFrame
    quarters: tuple[QuarterFigures, ...]  # the quarters started as of the date
    evidence: pd.DataFrame
    grs_by_office: pd.DataFrame
    grs_total: pd.DataFrame
    grs_tiers: pd.DataFrame
    rules: RulesFacts
    warnings: tuple[ProvisionalWarning, ...] = ()
    office_kind: str | None = None  # the kind the export is filtered by (None: every kind)
