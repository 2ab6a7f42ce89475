"""Working-day arithmetic over a precomputed index: scalar and vectorised, no I/O.

The index turns every rule into array lookups. For each day ``d`` of the covered range
``cum[d]`` is the number of working days on or before ``d``; ``working[k]`` is the k-th
working day. Then "the N-th working day strictly after r" is ``working[cum[r] + N - 1]``:
two gathers per row, independent of N. The per-row workalendar path in
tracker.domain.calendar is the reference this must equal (tests/test_workdays.py).

The rules raise CalendarRangeError for a day outside ``[first, last]`` (or a result past
``last``): nothing is counted on days the calendar does not know. Bulk readers that must
not stop on one bad row ask ``covers`` and ``reaches`` first and set such rows apart
(tracker.domain.status: "date outside the calendar").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from tracker.errors import CalendarRangeError

DateArray = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class WorkingDayIndex:
    """Working days of one calendar over ``[first, last]`` (inclusive), as arrays."""

    first: date
    is_working: BoolArray  # is_working[i] for first + i days
    cum: IntArray  # cum[i]: working days in [first, first + i]
    working: IntArray  # day offsets (from first) of the working days, ascending

    @classmethod
    def from_mask(cls, first: date, is_working: BoolArray) -> WorkingDayIndex:
        mask = np.asarray(is_working, dtype=bool)
        return cls(
            first=first,
            is_working=mask,
            cum=np.cumsum(mask, dtype=np.int64),
            working=np.flatnonzero(mask).astype(np.int64),
        )

    @property
    def last(self) -> date:
        return self.first + timedelta(days=len(self.is_working) - 1)

    # -- conversions -------------------------------------------------------------------
    def _offsets(self, days: DateArray) -> IntArray:
        """Day offsets from ``first``; raises if any day is outside the index."""
        d = np.asarray(days, dtype="datetime64[D]")
        off = (d - np.datetime64(self.first, "D")).astype(np.int64)
        if off.size and (off.min() < 0 or off.max() >= len(self.is_working)):
            bad = d.ravel()[int(np.argmax((off < 0) | (off >= len(self.is_working))))]
            raise CalendarRangeError(
                f"{bad} is outside the known calendar ({self.first} to {self.last})"
            )
        return off

    def _dates(self, offsets: IntArray) -> DateArray:
        return np.datetime64(self.first, "D") + offsets.astype("timedelta64[D]")

    def _working_at(self, positions: IntArray) -> DateArray:
        if positions.size and positions.max() >= len(self.working):
            raise CalendarRangeError(
                f"a due date falls after the end of the known calendar ({self.last})"
            )
        return self._dates(self.working[positions])

    # -- range checks (never raise) -------------------------------------------------------
    def covers(self, days: DateArray) -> BoolArray:
        """True where the day lies in ``[first, last]``; False for NaT (no day at all)."""
        d = np.asarray(days, dtype="datetime64[D]")
        inside: BoolArray = ((d >= np.datetime64(self.first, "D"))
                             & (d <= np.datetime64(self.last, "D")))  # NaT compares False
        return inside

    def reaches(self, days: DateArray, n: IntArray) -> BoolArray:
        """True where ``add_working_days(day, n)`` has an answer: the day is covered and its
        n-th working day after (n >= 0; n = 0 is the day itself) is not past ``last``."""
        d = np.asarray(days, dtype="datetime64[D]")
        n_arr = np.broadcast_to(np.asarray(n, dtype=np.int64), d.shape)
        ok = self.covers(d)
        if ok.any():
            off = (d[ok] - np.datetime64(self.first, "D")).astype(np.int64)
            ok[ok] = (self.cum[off] + n_arr[ok] - 1 < len(self.working)) | (n_arr[ok] <= 0)
        return ok

    # -- vectorised rules --------------------------------------------------------------
    def is_working_day(self, days: DateArray) -> BoolArray:
        return self.is_working[self._offsets(days)]

    def add_working_days(self, days: DateArray, n: IntArray) -> DateArray:
        """The n-th working day strictly after each day (n >= 1)."""
        n_arr = np.asarray(n, dtype=np.int64)
        if n_arr.size and n_arr.min() < 1:
            raise ValueError("working-day counts must be >= 1")
        return self._working_at(self.cum[self._offsets(days)] + n_arr - 1)

    def next_working_day_on_or_after(self, days: DateArray) -> DateArray:
        off = self._offsets(days)
        before = self.cum[off] - self.is_working[off]  # working days strictly before
        return self._working_at(before)

    def working_days_between(self, start: DateArray, end: DateArray) -> IntArray:
        """Working days in the half-open range (start, end]; 0 where end <= start."""
        a, b = self.cum[self._offsets(start)], self.cum[self._offsets(end)]
        between: IntArray = np.maximum(b - a, 0)
        return between
