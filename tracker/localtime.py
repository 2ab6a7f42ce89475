"""Asia/Dhaka local time: the only time zone any date rule uses (GUIDE §3 rule 1).

Times are stored in UTC; rules work on the Dhaka local date. A naive input means Dhaka.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

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


def parse_moment(text: str) -> LocalMoment:
    """Parse ``2025-03-27``, ``2025-03-27T10:15``, ``2025-03-27 10:15:00+00:00`` or ``...Z``.

    Raises InputError with the offending text, never guesses.
    """
    raw = text.strip()
    if not raw:
        raise InputError("empty date/time")
    iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        if len(iso) == 10:
            return to_local(date.fromisoformat(iso))
        return to_local(datetime.fromisoformat(iso))
    except ValueError:
        raise InputError(
            f"not a date or date-time: {text!r} (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None


def parse_date(text: str) -> date:
    """Parse a plain ISO date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None
