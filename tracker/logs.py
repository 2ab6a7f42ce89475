"""Logging for the tracker's processes (CLI, scheduler): one stderr handler, one format.

Modules log through ``logging.getLogger(__name__)`` and never configure anything; the entry
point calls ``configure_logging()`` once. The level (``TRACKER_LOG_LEVEL``, default INFO)
applies to the tracker's own loggers and to APScheduler's (its "job executed" lines belong
to the scheduler's story); every other library stays at WARNING so that a command's output
is not drowned in, say, Alembic's or SQLAlchemy's INFO chatter.
"""

from __future__ import annotations

import logging
import sys

from tracker.config import LogLevel, get_settings
from tracker.errors import InputError

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
#: Loggers that follow TRACKER_LOG_LEVEL; the root logger (everything else) stays at WARNING.
OWN_LOGGERS = ("tracker", "apscheduler")
HANDLER_NAME = "tracker-stderr"


def configure_logging(level: str | None = None) -> logging.Handler:
    """Send log records to stderr as "TIME LEVEL LOGGER: message" at ``level`` (default:
    the TRACKER_LOG_LEVEL setting). Idempotent: calling it again replaces the level, never
    adds a second handler. Returns the handler (tests)."""
    chosen = _level(level)
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(chosen)
    return handler


def _level(level: str | None) -> int:
    if level is None:
        return logging.getLevelNamesMapping()[get_settings().log_level]
    try:
        return logging.getLevelNamesMapping()[LogLevel(level.strip().upper())]
    except ValueError:
        names = ", ".join(member.value for member in LogLevel)
        raise InputError(f"unknown log level {level!r} (expected one of {names})") from None
