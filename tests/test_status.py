"""Status as of a date (GUIDE §3 rule 9), scalar and vectorised."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.calendar import BangladeshCalendar
from tracker.domain.status import STATUS_CODES, Status, status_as_of, statuses_as_of

DUE = date(2025, 3, 27)  # Thursday before the Eid-ul-Fitr 2025 block


@pytest.mark.parametrize(
    ("delivered", "as_of", "status", "late"),
    [
        (None, date(2025, 3, 26), Status.ON_TRACK, 0),
        (None, DUE, Status.DUE_TODAY, 0),
        (None, date(2025, 3, 28), Status.OVERDUE, 1),  # holiday right after: first day late
        (None, date(2025, 4, 6), Status.OVERDUE, 1),  # first working day after the block
        (None, date(2025, 4, 8), Status.OVERDUE, 3),
        (date(2025, 3, 27), date(2025, 4, 8), Status.ON_TIME, 0),
        (date(2025, 3, 20), date(2025, 4, 8), Status.ON_TIME, 0),
        (date(2025, 4, 7), date(2025, 4, 8), Status.LATE, 2),
        # Delivered after the as-of date: as of then it was still open.
        (date(2025, 4, 7), date(2025, 3, 26), Status.ON_TRACK, 0),
        (date(2025, 4, 7), date(2025, 4, 6), Status.OVERDUE, 1),
    ],
)
def test_status_as_of_a_date(calendar: BangladeshCalendar, delivered: date | None,
                             as_of: date, status: Status, late: int) -> None:
    result = status_as_of(DUE, delivered, as_of, calendar)
    assert result.status is status
    assert result.working_days_late == late
    assert result.ever_breached is (status in (Status.OVERDUE, Status.LATE))


def test_no_due_date_is_never_silently_on_time(calendar: BangladeshCalendar) -> None:
    assert status_as_of(None, date(2025, 1, 5), date(2025, 2, 1), calendar).status is (
        Status.NO_DEADLINE)


dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), dates), st.one_of(st.none(), dates)),
                     min_size=1, max_size=30),
       as_of=dates)
def test_vectorised_statuses_equal_the_scalar_function(
    calendar: BangladeshCalendar, rows: list[tuple[date | None, date | None]], as_of: date
) -> None:
    due = np.array([r[0] if r[0] else "NaT" for r in rows], dtype="datetime64[D]")
    delivered = np.array([r[1] if r[1] else "NaT" for r in rows], dtype="datetime64[D]")
    codes, late = statuses_as_of(due, delivered, as_of, calendar)
    for (d, dl), code, k in zip(rows, codes, late, strict=True):
        expected = status_as_of(d, dl, as_of, calendar)
        assert STATUS_CODES[code] is expected.status
        assert k == expected.working_days_late


@settings(max_examples=100, deadline=None)
@given(due=dates, days=st.integers(1, 60))
def test_overdue_days_grow_by_one_per_working_day(
    calendar: BangladeshCalendar, due: date, days: int
) -> None:
    as_of = due + timedelta(days=days)
    if as_of.year > 2026:
        return
    late = status_as_of(due, None, as_of, calendar).working_days_late
    counted = sum(1 for i in range(1, days + 1)
                  if calendar.is_working_day(due + timedelta(days=i)))
    assert late == max(1, counted)
