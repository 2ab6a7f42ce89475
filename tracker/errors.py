"""Errors the user can act on. The CLI prints them as one line and exits non-zero."""


class TrackerError(Exception):
    """Base class: a clear, one-line, user-facing problem (never a bug)."""


class CalendarFileError(TrackerError):
    """A calendars/*.toml file is malformed; the message names the file and line."""


class CalendarRangeError(TrackerError):
    """A date falls outside every curated and forecast calendar year."""


class UnknownDistrictError(TrackerError):
    """A district name that is not in data/geo/districts.csv."""


class InputError(TrackerError):
    """A malformed date, time, number or file given by the user."""


class SettingsError(TrackerError):
    """A TRACKER_* setting is malformed; the message names the variable and what it expects."""
