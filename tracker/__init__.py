"""Citizen-charter SLA tracker for Bangladeshi government offices.

The public Python API (GUIDE §5), stable whatever the layout inside:
``tracker.load_calendar()`` and ``tracker.due_dates(received, working_days, calendar)``.
They are loaded on first use so that ``import tracker.errors`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "due_dates", "load_calendar"]

if TYPE_CHECKING:
    from tracker.domain.calendar import load_calendar
    from tracker.domain.deadlines import due_dates


def __getattr__(name: str) -> Any:
    if name == "load_calendar":
        from tracker.domain.calendar import load_calendar

        return load_calendar
    if name == "due_dates":
        from tracker.domain.deadlines import due_dates

        return due_dates
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")
