"""Due-date rules (GUIDE §3 rules 1-4, 8) on real cases, and the fast path vs the reference."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workalendar.core import Calendar

from tracker.domain.calendar import BangladeshCalendar
from tracker.domain.deadlines import (
    DeadlineSpec,
    Hold,
    add_months,
    due_date,
    due_dates,
    hold_working_days,
    immediate_due_dates,
)
from tracker.domain.localtime import DHAKA, parse_moment
from tracker.errors import CalendarRangeError, InputError

WD = DeadlineSpec.working_days
N_VALUES = [1, 2, 3, 5, 7, 10, 15, 30, 45, 60, 90]


def reference_add(calendar: BangladeshCalendar, day: date, n: int) -> date:
    """workalendar's own per-row loop (Calendar.add_working_days) over our calendar data."""
    result: date = Calendar.add_working_days(calendar, day, n)
    return result


@pytest.mark.parametrize(
    ("received", "n", "expected"),
    [
        # The contract example: 3 working days across the 2025 Eid-ul-Fitr block.
        ("2025-03-27T10:15", 3, "2025-04-08"),
        # A Friday receipt shares its due date with the Thursday before.
        ("2025-01-02T11:00", 3, "2025-01-07"),
        ("2025-01-03T11:00", 3, "2025-01-07"),
        # A receipt on a holiday shares its due date with the working day before.
        ("2025-12-16T10:00", 1, "2025-12-17"),
        ("2025-12-15T10:00", 1, "2025-12-17"),
        # Working Saturday 17 May 2025 counts.
        ("2025-05-15T12:00", 1, "2025-05-17"),
        ("2025-05-15T12:00", 2, "2025-05-18"),
        # The cancelled 15 Aug 2024 is a working day.
        ("2024-08-14T10:00", 1, "2024-08-15"),
        # Curfew closures 21-23 July 2024 and 5-7 Aug 2024.
        ("2024-07-18T10:00", 1, "2024-07-24"),
        ("2024-08-04T10:00", 1, "2024-08-08"),
        # Eid-ul-Azha 2025: 5-12 June closed (with the two extension days).
        ("2025-06-04T10:00", 1, "2025-06-15"),
        # Eid-ul-Fitr 2026 block with the extra day 18 Mar; 24 Mar is only optional.
        ("2026-03-17T10:00", 1, "2026-03-24"),
        # Durga Puja 2024: extension (10 Oct), weekend, Bijoya Dashami on Sunday 13 Oct.
        ("2024-10-09T10:00", 2, "2024-10-15"),
        # The time of day does not matter for working days.
        ("2025-01-02T23:59", 3, "2025-01-07"),
        # 90 working days over a year end (checked against the raw CSV independently).
        ("2024-11-03T10:00", 90, "2025-03-11"),
    ],
)
def test_working_day_due_dates_on_real_cases(
    calendar: BangladeshCalendar, received: str, n: int, expected: str
) -> None:
    result = due_date(parse_moment(received), WD(n), calendar)
    assert result.due == date.fromisoformat(expected)
    assert not result.provisional


def test_utc_timestamp_just_after_local_midnight_uses_the_dhaka_date(
    calendar: BangladeshCalendar,
) -> None:
    utc = datetime(2025, 1, 1, 18, 30, tzinfo=UTC)  # 00:30 on Thursday 2 Jan in Dhaka
    assert due_date(utc, WD(3), calendar).due == date(2025, 1, 7)
    naive = datetime(2025, 1, 1, 18, 30)  # naive means Dhaka: Wednesday 1 Jan
    assert due_date(naive, WD(3), calendar).due == date(2025, 1, 6)
    assert parse_moment("2025-01-01T18:30Z").date == date(2025, 1, 2)
    other_zone = datetime(2025, 1, 2, 0, 30, tzinfo=timezone(timedelta(hours=6)))
    assert due_date(other_zone, WD(3), calendar).due == date(2025, 1, 7)


def test_regional_closure_moves_hill_district_due_dates(calendar: BangladeshCalendar) -> None:
    from tracker.domain.calendar import load_calendar

    assert due_date(date(2025, 4, 10), WD(1), calendar).due == date(2025, 4, 13)
    assert due_date(date(2025, 4, 10), WD(1), load_calendar("Rangamati")).due == date(2025, 4, 15)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (datetime(2025, 4, 10, 16, 59), date(2025, 4, 10)),  # before 17:00
        (datetime(2025, 4, 10, 17, 0), date(2025, 4, 13)),   # at closing: next working day
        (datetime(2025, 4, 10, 7, 30), date(2025, 4, 10)),   # before opening, same day
        (datetime(2025, 3, 10, 15, 29), date(2025, 3, 10)),  # Ramadan: before 15:30
        (datetime(2025, 3, 10, 16, 0), date(2025, 3, 11)),   # Ramadan: after 15:30
        (datetime(2025, 1, 3, 10, 0), date(2025, 1, 5)),     # Friday: next working day
        (datetime(2025, 3, 27, 10, 0), date(2025, 3, 27)),   # last day before Eid block
        (datetime(2025, 3, 28, 10, 0), date(2025, 4, 6)),    # during the Eid block
        (datetime(2025, 5, 17, 12, 0), date(2025, 5, 17)),   # a working Saturday
    ],
)
def test_immediate_deadlines(calendar: BangladeshCalendar, received: datetime,
                             expected: date) -> None:
    assert due_date(received, DeadlineSpec.immediate(), calendar).due == expected


def test_immediate_with_only_a_date_counts_as_before_closing(
    calendar: BangladeshCalendar,
) -> None:
    assert due_date(date(2025, 4, 10), DeadlineSpec.immediate(), calendar).due == date(2025, 4, 10)


def test_calendar_day_deadlines_roll_to_the_next_working_day(
    calendar: BangladeshCalendar,
) -> None:
    spec = DeadlineSpec("calendar_days", 5)
    assert due_date(date(2025, 1, 5), spec, calendar).due == date(2025, 1, 12)  # Fri -> Sun
    assert due_date(date(2025, 1, 6), spec, calendar).due == date(2025, 1, 12)
    assert due_date(date(2025, 1, 4), spec, calendar).due == date(2025, 1, 9)
    # Landing inside the Eid-ul-Fitr 2025 block.
    assert due_date(date(2025, 3, 24), DeadlineSpec("calendar_days", 7), calendar).due == (
        date(2025, 4, 6))


def test_month_deadlines_keep_the_day_of_month(calendar: BangladeshCalendar) -> None:
    spec = DeadlineSpec("months", 1)
    assert due_date(date(2025, 1, 15), spec, calendar).due == date(2025, 2, 16)  # 15 Sat -> 16
    assert due_date(date(2025, 1, 31), spec, calendar).due == date(2025, 3, 2)  # 28 Feb Fri
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


def test_holds_push_the_due_date_by_the_working_days_wholly_on_hold(
    calendar: BangladeshCalendar,
) -> None:
    received = date(2025, 1, 5)  # Sunday; 3 working days -> Wednesday 8 Jan
    assert due_date(received, WD(3), calendar).due == date(2025, 1, 8)
    # On hold Monday 6, resumed Wednesday 8: only Tuesday 7 was wholly on hold.
    resumed = due_date(received, WD(3), calendar, holds=[Hold(date(2025, 1, 6), date(2025, 1, 8))])
    assert resumed.hold_working_days == 1
    assert resumed.due == date(2025, 1, 9)
    # Resumed the same day: nothing wholly on hold.
    same_day = [Hold(date(2025, 1, 6), date(2025, 1, 6))]
    assert due_date(received, WD(3), calendar, holds=same_day).due == date(2025, 1, 8)
    # Still on hold on Thursday 9: 7, 8 and 9 are on hold -> 3 more working days.
    still = due_date(received, WD(3), calendar, holds=[Hold(date(2025, 1, 6))],
                     as_of=date(2025, 1, 9))
    assert still.hold_working_days == 3
    assert still.due == date(2025, 1, 13)
    # A hold over a weekend counts only its working days; overlaps count once.
    holds = [Hold(date(2025, 1, 8), date(2025, 1, 13)), Hold(date(2025, 1, 9), date(2025, 1, 12))]
    assert hold_working_days(holds, calendar) == 2  # 9 Jan and 12 Jan


def test_bad_holds_and_specs_are_refused(calendar: BangladeshCalendar) -> None:
    with pytest.raises(InputError, match="before it started"):
        hold_working_days([Hold(date(2025, 1, 9), date(2025, 1, 8))], calendar)
    with pytest.raises(InputError, match="as-of"):
        hold_working_days([Hold(date(2025, 1, 9))], calendar)
    with pytest.raises(InputError):
        DeadlineSpec.working_days(0)
    with pytest.raises(InputError):
        due_dates(np.array(["2025-01-01"], "datetime64[D]"), np.array([0]), calendar)


def test_explanation_lists_counted_and_skipped_days(calendar: BangladeshCalendar) -> None:
    result = due_date(parse_moment("2025-03-27T10:15"), WD(3), calendar, explain=True)
    text = result.explain()
    assert "31-03-2025 skip Eid-ul-Fitr" in text
    assert "04-04-2025 skip Friday (weekly holiday)" in text
    assert "08-04-2025 #3" in text
    assert text.splitlines()[-2] == "due 08-04-2025"
    counted = [s for s in result.steps if s.count]
    assert [s.day for s in counted] == [date(2025, 4, 6), date(2025, 4, 7), date(2025, 4, 8)]


# -- the fast path equals the per-row workalendar reference -------------------------------

dates_2024_2026 = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(dates_2024_2026, st.sampled_from(N_VALUES), st.integers(0, 12)),
        min_size=1, max_size=40,
    )
)
def test_vectorised_due_dates_equal_the_workalendar_reference(
    calendar: BangladeshCalendar, rows: list[tuple[date, int, int]]
) -> None:
    received = np.array([r[0] for r in rows], dtype="datetime64[D]")
    n = np.array([r[1] for r in rows])
    held = np.array([r[2] for r in rows])
    fast = due_dates(received, n, calendar, hold_days=held)
    for (day, k, h), got in zip(rows, fast, strict=True):
        assert got.item() == reference_add(calendar, day, k + h)


@settings(max_examples=200, deadline=None)
@given(day=dates_2024_2026, n=st.sampled_from(N_VALUES),
       hold_start=st.integers(0, 20), hold_len=st.integers(0, 15))
def test_holds_equal_adding_the_held_working_days(
    calendar: BangladeshCalendar, day: date, n: int, hold_start: int, hold_len: int
) -> None:
    start = day + timedelta(days=hold_start)
    hold = Hold(start, start + timedelta(days=hold_len))
    held = hold_working_days([hold], calendar)
    # Working days strictly between the hold's start and resume dates, counted the slow way.
    expected_held = sum(
        1 for i in range(1, hold_len) if calendar.is_working_day(start + timedelta(days=i))
    )
    assert held == expected_held
    result = due_date(day, WD(n), calendar, holds=[hold])
    assert result.due == reference_add(calendar, day, n + held)
    fast = due_dates(np.array([day], "datetime64[D]"), [n], calendar, hold_days=[held])
    assert fast[0].item() == result.due


@settings(max_examples=200, deadline=None)
@given(day=dates_2024_2026, n=st.sampled_from(N_VALUES))
def test_a_due_date_is_the_nth_working_day_strictly_after_receipt(
    calendar: BangladeshCalendar, day: date, n: int
) -> None:
    due = due_date(day, WD(n), calendar).due
    assert calendar.is_working_day(due)
    assert calendar.get_working_days_delta(day, due) == n
    later = due_date(day + timedelta(days=1), WD(n), calendar).due
    assert later >= due


@settings(max_examples=200, deadline=None)
@given(day=dates_2024_2026, minutes=st.integers(0, 24 * 60 - 1))
def test_vectorised_immediate_equals_the_scalar_rule(
    calendar: BangladeshCalendar, day: date, minutes: int
) -> None:
    received = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=DHAKA)
    before = received.time().replace(tzinfo=None) < calendar.office_closing_time(day)
    fast = immediate_due_dates(np.array([day], "datetime64[D]"), [before], calendar)
    assert fast[0].item() == due_date(received, DeadlineSpec.immediate(), calendar).due


def test_fast_path_refuses_dates_outside_the_calendar(calendar: BangladeshCalendar) -> None:
    with pytest.raises(CalendarRangeError):
        due_dates(np.array(["2040-01-01"], "datetime64[D]"), [3], calendar)
    with pytest.raises(CalendarRangeError, match="after the end"):
        due_dates(np.array(["2031-12-20"], "datetime64[D]"), [90], calendar)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30)),
       n=st.sampled_from(N_VALUES), hold_after=st.integers(0, 10),
       as_of_after=st.integers(0, 40))
def test_vectorised_open_holds_equal_the_scalar_rule(
    calendar: BangladeshCalendar, day: date, n: int, hold_after: int, as_of_after: int
) -> None:
    from tracker.domain.deadlines import due_dates_with_open_holds

    start = day + timedelta(days=hold_after)
    as_of = start + timedelta(days=as_of_after)
    scalar = due_date(day, WD(n), calendar, holds=[Hold(start)], as_of=as_of).due
    base = due_date(day, WD(n), calendar).due
    fast = due_dates_with_open_holds(np.array([base, base], "datetime64[D]"),
                                     np.array([start, "NaT"], "datetime64[D]"), as_of,
                                     calendar)
    assert fast[0].item() == scalar
    assert fast[1].item() == base  # no running hold: unchanged


def test_an_extension_or_directive_date_moves_only_with_later_holds(
    calendar: BangladeshCalendar,
) -> None:
    from tracker.domain.deadlines import due_in_force

    base = date(2025, 1, 8)
    assert due_in_force(base, 0, calendar) == base
    assert due_in_force(base, 2, calendar) == date(2025, 1, 12)  # 9, then Sunday 12
    assert due_in_force(None, 3, calendar) is None  # per directive, no date entered
    extended = date(2025, 1, 20)
    assert due_in_force(base, 2, calendar, anchor_due=extended, anchor_hold_days=2) == extended
    assert due_in_force(base, 3, calendar, anchor_due=extended,
                        anchor_hold_days=2) == date(2025, 1, 21)


def test_a_spec_holds_its_unit_as_the_enum_and_refuses_units_it_cannot_count() -> None:
    from tracker.domain.deadlines import DeadlineUnit
    from tracker.errors import InputError

    assert DeadlineSpec("working_days", 3).unit is DeadlineUnit.WORKING_DAYS
    assert DeadlineSpec("working_days", 3) == DeadlineSpec.working_days(3)
    for unit in ("hours", "per_directive", "weeks"):  # hours go through spec_for first
        with pytest.raises(InputError):
            DeadlineSpec(unit, 2)  # type: ignore[arg-type]
