"""Reporting periods: the APA fiscal year (1 July - 30 June), its quarters, and the
Saturday-Friday week of the weekly digests. Pure.

Q1 Jul-Sep, Q2 Oct-Dec, Q3 Jan-Mar, Q4 Apr-Jun (GUIDE §1).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.domain.calendar import BangladeshCalendar
from tracker.errors import InputError


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


#: The first day any "all time" period starts (before any office went live).
ALL_TIME_START = date(1971, 1, 1)

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


def fiscal_year_of(day: date) -> Period:
    """The fiscal year a day falls in (1 July starts a new one)."""
    first = day.year if day.month >= 7 else day.year - 1
    return fiscal_year(f"{first}-{(first + 1) % 100:02d}")


def week_start(day: date) -> date:
    """The Saturday starting the (Saturday-Friday) week of ``day``."""
    return day - timedelta(days=(day.weekday() - 5) % 7)


def is_first_working_day_of_week(day: date, calendar: BangladeshCalendar) -> bool:
    """Whether ``day`` is its week's first working day (a working Saturday counts)."""
    if not calendar.is_working_day(day):
        return False
    start = week_start(day)
    return not any(calendar.is_working_day(start + timedelta(days=k))
                   for k in range((day - start).days))
