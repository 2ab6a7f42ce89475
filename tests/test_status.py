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


# -- every request state, running holds (request_status and its vectorised twin) ----------

from tracker.domain.status import (  # noqa: E402
    RequestState,
    request_status,
    request_statuses,
)


def test_a_rejected_request_is_rejected_not_overdue(calendar: BangladeshCalendar) -> None:
    """The bug of issue 10: rejected on 06-01-2025, shown as 39 working days overdue."""
    result = request_status(state=RequestState.REJECTED, due=date(2025, 1, 2),
                            closed=date(2025, 1, 6), as_of=date(2025, 3, 1), calendar=calendar)
    assert (result.status, result.working_days_late) == (Status.REJECTED, 0)
    assert not result.status.is_open and not result.ever_breached


def test_a_rejection_after_the_as_of_date_has_not_happened_yet(
        calendar: BangladeshCalendar) -> None:
    result = request_status(state="withdrawn", due=date(2025, 1, 2), closed=date(2025, 3, 1),
                            as_of=date(2025, 1, 8), calendar=calendar)
    assert result.status is Status.OVERDUE and result.working_days_late == 4  # 5, 6, 7, 8 Jan


def test_a_running_hold_pushes_the_due_date_in_force(calendar: BangladeshCalendar) -> None:
    """On hold since Sun 05-01-2025: as of Thu 09-01 four working days (6-9) were wholly on
    hold, so the due date of Thu 09-01 moves four working days later (Wed 15-01)."""
    result = request_status(state=RequestState.ON_HOLD, due=date(2025, 1, 9), closed=None,
                            as_of=date(2025, 1, 9), calendar=calendar,
                            running_hold_start=date(2025, 1, 5))
    assert result.effective_due == date(2025, 1, 15)
    assert result.status is Status.ON_TRACK
    not_held = request_status(state=RequestState.IN_PROGRESS, due=date(2025, 1, 9),
                              closed=None, as_of=date(2025, 1, 9), calendar=calendar,
                              running_hold_start=date(2025, 1, 5))
    assert (not_held.status, not_held.effective_due) == (Status.DUE_TODAY, date(2025, 1, 9))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(list(RequestState)),
                               st.one_of(st.none(), dates), st.one_of(st.none(), dates),
                               st.one_of(st.none(), dates)),
                     min_size=1, max_size=25),
       as_of=dates)
def test_vectorised_request_statuses_equal_the_scalar_function(
    calendar: BangladeshCalendar,
    rows: list[tuple[RequestState, date | None, date | None, date | None]], as_of: date,
) -> None:
    rows = [(s, d, c if s in (RequestState.DELIVERED, RequestState.REJECTED,
                              RequestState.WITHDRAWN) else None, h) for s, d, c, h in rows]
    if any(d is not None and d.year == 2026 and d.month == 12 for _, d, _, _ in rows):
        return  # a hold can push a due date past the last known calendar day

    def arr(values: list[date | None]) -> np.ndarray:
        return np.array([v if v else "NaT" for v in values], dtype="datetime64[D]")

    judged = request_statuses(np.array([s.value for s, *_ in rows], dtype=object),
                              arr([d for _, d, _, _ in rows]), arr([c for _, _, c, _ in rows]),
                              arr([h for *_, h in rows]), as_of, calendar)
    for (state, due, closed, hold), code, late, eff in zip(
            rows, judged.codes, judged.working_days_late, judged.effective_due, strict=True):
        expected = request_status(state=state, due=due, closed=closed, as_of=as_of,
                                  calendar=calendar, running_hold_start=hold)
        assert STATUS_CODES[code] is expected.status
        assert late == expected.working_days_late
        assert (None if np.isnat(eff) else eff.astype(object)) == expected.effective_due


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from([RequestState.RECEIVED,
                                                RequestState.IN_PROGRESS,
                                                RequestState.ON_HOLD,
                                                RequestState.DELIVERED]),
                               st.one_of(st.none(), dates), st.one_of(st.none(), dates)),
                     min_size=1, max_size=20),
       as_of=dates)
def test_a_request_without_a_due_date_is_never_judged_on_time_or_overdue(
    calendar: BangladeshCalendar,
    rows: list[tuple[RequestState, date | None, date | None]], as_of: date,
) -> None:
    """"No deadline" (a per-directive request without a date, or a service whose charter
    sets no per-request limit: both are stored without a due date) is ``no_deadline`` in
    every state but rejected/withdrawn, whatever the dates: never on time, late, overdue."""
    rows = [(s, c if s is RequestState.DELIVERED else None, h) for s, c, h in rows]
    none = np.array(["NaT"] * len(rows), dtype="datetime64[D]")
    judged = request_statuses(
        np.array([s.value for s, _, _ in rows], dtype=object), none,
        np.array([c or "NaT" for _, c, _ in rows], dtype="datetime64[D]"),
        np.array([h or "NaT" for *_, h in rows], dtype="datetime64[D]"), as_of, calendar)
    for (state, closed, hold), code, late in zip(rows, judged.codes,
                                                 judged.working_days_late, strict=True):
        scalar = request_status(state=state, due=None, closed=closed, as_of=as_of,
                                calendar=calendar, running_hold_start=hold)
        assert STATUS_CODES[code] is scalar.status
        if scalar.status is not Status.OUTSIDE_CALENDAR:
            assert scalar.status is Status.NO_DEADLINE
        assert late == scalar.working_days_late == 0
        assert not scalar.ever_breached
