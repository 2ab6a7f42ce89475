"""Status of a request as of a date (GUIDE §3 rule 9). Pure; the only place it is derived.

Open requests are ``on_track``, ``due_today`` or ``overdue``; closed ones ``on_time`` or
``late``; a request without a due date (per directive, none entered) is ``no_deadline`` —
never silently on time. Status is never stored: it always follows from the data as of a date.

Working days late: the working days after the due date up to the as-of (or delivery) date.
A request past its due date on a weekend/holiday before any further working day has passed
counts as 1 (it is already in its first day of lateness), never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from tracker.domain.calendar import BangladeshCalendar


class Status(StrEnum):
    ON_TRACK = "on_track"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"
    NO_DEADLINE = "no_deadline"

    @property
    def is_open(self) -> bool:
        return self in (Status.ON_TRACK, Status.DUE_TODAY, Status.OVERDUE)

    @property
    def breached(self) -> bool:
        return self in (Status.OVERDUE, Status.LATE)


#: Integer codes used by the vectorised path (index into STATUS_CODES).
STATUS_CODES: tuple[Status, ...] = tuple(Status)


@dataclass(frozen=True)
class RequestStatus:
    status: Status
    working_days_late: int  # 0 unless overdue or late

    @property
    def ever_breached(self) -> bool:
        return self.status.breached


def _days_late(calendar: BangladeshCalendar, due: date, until: date) -> int:
    return max(1, int(calendar.get_working_days_delta(due, until)))


def status_as_of(due: date | None, delivered: date | None, as_of: date,
                 calendar: BangladeshCalendar) -> RequestStatus:
    """Status of one request on local date ``as_of``.

    ``delivered`` is the local delivery (or closing) date; a delivery after ``as_of`` has
    not happened yet as of that date, so the request is judged as open.
    """
    if due is None:
        return RequestStatus(Status.NO_DEADLINE, 0)
    if delivered is not None and delivered <= as_of:
        if delivered <= due:
            return RequestStatus(Status.ON_TIME, 0)
        return RequestStatus(Status.LATE, _days_late(calendar, due, delivered))
    if as_of < due:
        return RequestStatus(Status.ON_TRACK, 0)
    if as_of == due:
        return RequestStatus(Status.DUE_TODAY, 0)
    return RequestStatus(Status.OVERDUE, _days_late(calendar, due, as_of))


def statuses_as_of(due: npt.ArrayLike, delivered: npt.ArrayLike, as_of: date,
                   calendar: BangladeshCalendar) -> tuple[npt.NDArray[np.int8],
                                                          npt.NDArray[np.int64]]:
    """Vectorised ``status_as_of``: (status codes into STATUS_CODES, working days late).

    ``due`` and ``delivered`` are datetime64[D] arrays; NaT means no due date / not delivered.
    """
    due_arr = np.asarray(due, dtype="datetime64[D]")
    delivered_arr = np.asarray(delivered, dtype="datetime64[D]")
    as_of64 = np.datetime64(as_of, "D")
    no_deadline = np.isnat(due_arr)
    closed = ~np.isnat(delivered_arr) & (delivered_arr <= as_of64)
    # The day a request is judged on: its delivery if closed, else as_of.
    judged = np.where(closed, delivered_arr, as_of64)
    safe_due = np.where(no_deadline, judged, due_arr)  # placeholder, masked out below
    index = calendar.index
    late_by = np.maximum(index.working_days_between(safe_due, judged), 1)

    codes = np.full(due_arr.shape, STATUS_CODES.index(Status.ON_TRACK), dtype=np.int8)
    codes[~closed & (judged == safe_due)] = STATUS_CODES.index(Status.DUE_TODAY)
    codes[~closed & (judged > safe_due)] = STATUS_CODES.index(Status.OVERDUE)
    codes[closed & (judged <= safe_due)] = STATUS_CODES.index(Status.ON_TIME)
    codes[closed & (judged > safe_due)] = STATUS_CODES.index(Status.LATE)
    codes[no_deadline] = STATUS_CODES.index(Status.NO_DEADLINE)
    breached = (judged > safe_due) & ~no_deadline
    return codes, np.where(breached, late_by, 0).astype(np.int64)
