"""What every ``tracker`` command module shares: options, the clock, users, units of work.

CLI modules import this module and never each other (GUIDE §4); app.py assembles them.
The clock is read here and nowhere else in the CLI: ``now_utc()`` for moments and
``today_in_dhaka()`` for "today" (the Asia/Dhaka local date, GUIDE §3 rule 1).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

import sqlalchemy.exc
import typer
from sqlmodel import Session, select

from tracker.domain.calendar import load_calendar
from tracker.domain.localtime import LocalMoment, moment_to_utc, parse_date, parse_moment, to_local
from tracker.domain.periods import Period, fiscal_quarter, fiscal_year
from tracker.errors import CalendarRangeError, InputError, TrackerError
from tracker.services import requests as request_service
from tracker.services.requests import MAX_ID
from tracker.store import db
from tracker.store.models import User

log = logging.getLogger(__name__)

#: What the one line for an unexpected error (a bug, not a user's mistake) tells the user.
DEBUG_HINT = "run with TRACKER_LOG_LEVEL=DEBUG for details"
MAX_ERROR_CHARS = 300  # of an unexpected error's own message, quoted in the one line

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (role scope).")]
AtOption = Annotated[str | None, typer.Option(
    "--at", help="When it happened (default now); ISO or DD-MM-YYYY HH:MM, Asia/Dhaka.")]
DistrictOption = Annotated[
    str | None,
    typer.Option(help="Apply this district's regional closures (e.g. Rangamati)."),
]


def now_utc() -> datetime:
    """The current moment (aware, UTC): the one clock, owned by the request service."""
    return request_service.now_utc()


def today_in_dhaka() -> date:
    """Today's Asia/Dhaka local date, whatever the machine's time zone."""
    return to_local(now_utc()).date


# Record ids: whole numbers from 1 to MAX_ID, checked by Click before any query runs.
RequestIdArg = Annotated[int, typer.Argument(help="Request id.", min=1, max=MAX_ID)]
ComplaintIdArg = Annotated[int, typer.Argument(help="Complaint id.", min=1, max=MAX_ID)]


def _in_calendar(day: date, option: str) -> date:
    """``day`` if the calendar covers it: every date a command takes is judged, stored or
    counted in working days, and a year like 0001 or 9999 can be none of these."""
    try:
        load_calendar().check_in_range(day)
    except CalendarRangeError as exc:
        raise InputError(f"{option}: {exc}") from None
    return day


def day_option(text: str, option: str) -> date:
    """A date option (``--due``, a go-live date...) within the calendar's years."""
    return _in_calendar(parse_date(text), option)


def day_or_today(text: str | None, option: str = "--as-of") -> date:
    """A date option (``--as-of``, ``--until``...): the date given, or today in Dhaka."""
    return day_option(text, option) if text else today_in_dhaka()


def moment_option(text: str, option: str) -> LocalMoment:
    """A moment option as written (Asia/Dhaka unless it says otherwise), its date within
    the calendar's years."""
    try:
        moment = parse_moment(text)
    except OverflowError:  # e.g. 9999-12-31T23:59Z is already year 10000 in Dhaka
        calendar = load_calendar()
        raise InputError(f"{option}: {text!r} is outside every known and forecast calendar "
                         f"year ({calendar.first_year}-{calendar.last_year})") from None
    if moment.date <= today_in_dhaka():  # a later one is refused as "in the future" by
        _in_calendar(moment.date, option)  # the writers, or by the calendar for a due date
    return moment


def moment_or_now(text: str | None, option: str = "--at") -> datetime:
    """A moment option (``--at``, ``--received``) as UTC: the moment given, or now."""
    return now_utc() if text is None else moment_to_utc(moment_option(text, option))


def fiscal_period(fy: str, quarter: str | None = None) -> Period:
    """``--fy`` (and ``--quarter``) as a period that overlaps the calendar's years."""
    try:
        period = fiscal_quarter(fy, quarter) if quarter else fiscal_year(fy)
    except ValueError:  # year 0000 or 9999-00: the label parses, the dates do not exist
        period = None
    calendar = load_calendar()
    if period is None or period.end < calendar.first_day or period.start > calendar.last_day:
        raise InputError(f"--fy {fy}: not a fiscal year of the calendar (from "
                         f"{calendar.first_year - 1}-{calendar.first_year % 100:02d} to "
                         f"{calendar.last_year}-{(calendar.last_year + 1) % 100:02d})")
    return period


def resolve_user(session: Session, username: str | None) -> User | None:
    """The user named by ``--as`` (None: the system, acting as an administrator)."""
    if username is None:
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise InputError(f"unknown user {username!r}")
    return user


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction on the configured database: commit on success, roll back on error."""
    with db.session_scope() as session:
        yield session


def _one_line(text: str) -> str:
    """``text`` on one line, cut to MAX_ERROR_CHARS (a driver's message may run to pages)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[:MAX_ERROR_CHARS] + "..."


def print_error(error: TrackerError) -> None:
    """A user's mistake as the one line on stderr the CLI promises (no traceback); printed
    as written, since a few (an import's refused rows) list their details below it."""
    typer.echo(f"error: {error}", err=True)


def print_usage_error(message: str, command_path: str | None) -> None:
    """A bad option or argument (Click's usage error) as one line, with where to look."""
    see = f" (see `{command_path} --help`)" if command_path else ""
    typer.echo(f"error: {_one_line(message)}{see}", err=True)


def print_unexpected(error: Exception) -> None:
    """An error no check foresaw: one line for the user; the traceback goes to the log at
    DEBUG, so a real bug stays visible to whoever runs it again with that level."""
    log.debug("unexpected error", exc_info=error)
    if isinstance(error, sqlalchemy.exc.DBAPIError):  # the database refused: say so first
        what = f"the database refused the operation ({type(error.orig).__name__}: {error.orig})"
    else:
        what = f"unexpected error ({type(error).__name__}: {error})"
    typer.echo(f"error: {_one_line(what)}; {DEBUG_HINT}", err=True)
