"""What every ``tracker`` command module shares: options, the clock, users, units of work.

CLI modules import this module and never each other (GUIDE §4); app.py assembles them.
The clock is read here and nowhere else in the CLI: ``now_utc()`` for moments and
``today_in_dhaka()`` for "today" (the Asia/Dhaka local date, GUIDE §3 rule 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

import typer
from sqlmodel import Session, select

from tracker.domain.localtime import moment_to_utc, parse_date, parse_moment, to_local
from tracker.errors import InputError, TrackerError
from tracker.services import requests as request_service
from tracker.store import db
from tracker.store.models import User

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


def day_or_today(text: str | None) -> date:
    """A date option (``--as-of``, ``--until``...): the date given, or today in Dhaka."""
    return parse_date(text) if text else today_in_dhaka()


def moment_or_now(text: str | None) -> datetime:
    """A moment option (``--at``, ``--received``) as UTC: the moment given, or now."""
    return now_utc() if text is None else moment_to_utc(parse_moment(text))


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


def print_error(error: TrackerError) -> None:
    """A user's mistake as the one line on stderr the CLI promises (no traceback)."""
    typer.echo(f"error: {error}", err=True)
