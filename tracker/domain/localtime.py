"""Asia/Dhaka local time: the only time zone any date rule uses (GUIDE §3 rule 1).

Times are stored in UTC; rules work on the Dhaka local date. A naive input means Dhaka.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from tracker.domain.bn import ascii_digits as ascii_digits  # parsing reads both digit sets
from tracker.errors import InputError

DHAKA = ZoneInfo("Asia/Dhaka")


@dataclass(frozen=True)
class LocalMoment:
    """A receipt moment in Dhaka local terms. ``time`` is None when only a date was given."""

    date: date
    time: time | None


def to_utc(value: datetime) -> datetime:
    """Aware UTC datetime for storage; a naive value is read as Dhaka local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=DHAKA)
    return value.astimezone(UTC)


def to_local(value: datetime | date) -> LocalMoment:
    """The Dhaka local date (and time) of a moment; naive datetimes are Dhaka already."""
    if isinstance(value, datetime):
        local = value if value.tzinfo is None else value.astimezone(DHAKA)
        return LocalMoment(local.date(), local.time().replace(tzinfo=None))
    return LocalMoment(value, None)


_DAY_FIRST = re.compile(
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def parse_moment(text: str) -> LocalMoment:
    """Parse a receipt moment as officers write it.

    ISO (``2025-03-27``, ``2025-03-27T10:15``, ``...+00:00`` or ``...Z`` for UTC) or the
    day-first forms of paper registers (``27-03-2025``, ``27/03/2025 10:15``), in ASCII or
    Bengali digits. A time without a zone is Asia/Dhaka. Raises InputError, never guesses.
    """
    raw = ascii_digits(text.strip())
    if not raw:
        raise InputError("empty date/time")
    day_first = _DAY_FIRST.match(raw)
    try:
        if day_first:
            d, m, y, hh, mm, ss = day_first.groups()
            day = date(int(y), int(m), int(d))
            if hh is None:
                return LocalMoment(day, None)
            return LocalMoment(day, time(int(hh), int(mm), int(ss or 0)))
        iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
        if len(iso) == 10:
            return to_local(date.fromisoformat(iso))
        return to_local(datetime.fromisoformat(iso))
    except ValueError:
        raise InputError(
            f"not a date or date-time: {text!r} (expected YYYY-MM-DD[THH:MM] or DD-MM-YYYY)"
        ) from None


def moment_to_utc(moment: LocalMoment) -> datetime:
    """A LocalMoment as an aware UTC datetime (a date alone means 00:00 Dhaka)."""
    local = datetime.combine(moment.date, moment.time or time(0, 0), tzinfo=DHAKA)
    return local.astimezone(UTC)


def parse_date(text: str) -> date:
    """Parse a date: YYYY-MM-DD or DD-MM-YYYY, ASCII or Bengali digits."""
    moment = parse_moment(text)
    if moment.time is not None:
        raise InputError(f"not a date: {text!r} (expected YYYY-MM-DD, without a time)")
    return moment.date
