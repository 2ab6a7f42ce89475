"""``tracker user``: add dashboard users; read and clear the login throttle (admins only).

Thin wrappers over tracker.services.offices.create_user (argon2-hashed password) and the
login-attempt functions of tracker.services.auth. The attempt commands act as ``--as``
(default: the system, an administrator) and refuse anyone else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from tracker.cli.common import AsUser, moment_or_now, now_utc, resolve_user, unit_of_work
from tracker.domain.localtime import to_local
from tracker.services.auth import current_locks, list_attempts, scope_for, unlock
from tracker.services.offices import create_user
from tracker.store.models import LoginAttempt

user_app = typer.Typer(help="Users.", no_args_is_help=True)

#: How far back ``tracker user attempts`` looks by default.
DEFAULT_ATTEMPTS_SINCE = timedelta(hours=24)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="upazila_officer | district_programmer | admin")],
    full_name: Annotated[str, typer.Option(help="Name shown in the dashboard.")],
    office: Annotated[str | None, typer.Option(
        help="Office code (not for admins): jashore.keshabpur, habiganj.madhabpur@land "
             "(an office of another kind, loaded from its catalog) or jashore for a "
             "district programmer.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail for digests.")] = None,
    language: Annotated[str, typer.Option(help="bn or en.")] = "bn",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          help="Password (prompted).")] = "",
) -> None:
    """Add a user (the password is stored as an argon2 hash)."""
    with unit_of_work() as session:
        user = create_user(session, username=username, full_name=full_name, role=role,
                           password=password, office_code=office, email=email,
                           language=language)
        typer.echo(f"added {user.username} ({user.role})")


def _local(attempt: LoginAttempt) -> str:
    local = to_local(attempt.at)
    return f"{local.date} {local.time:%H:%M:%S}"


@user_app.command("attempts")
def user_attempts(
    username: Annotated[str | None, typer.Option(
        help="Only this name (as typed at the login, whether or not the user exists).")] = None,
    client: Annotated[str | None, typer.Option(
        help="Only this client, e.g. ip:203.0.113.7 (as listed).")] = None,
    since: Annotated[str | None, typer.Option(
        help="From this moment (default 24 hours ago); ISO or DD-MM-YYYY HH:MM, "
             "Asia/Dhaka.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many (the newest).")] = 200,
    as_user: AsUser = None,
) -> None:
    """List login attempts and unlocks, oldest first: Dhaka time, outcome, name, client."""
    start = (moment_or_now(since, "--since") if since
             else now_utc() - DEFAULT_ATTEMPTS_SINCE)
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        rows = list_attempts(session, scope=scope, since=start, username=username,
                             client=client, limit=limit)
        for row in rows:
            by = f" by {row.actor}" if row.actor else ""
            typer.echo(f"{_local(row)}  {row.outcome.value:<9} {row.username or '-'}  "
                       f"{row.client or '-'}{by}")


@user_app.command("locked")
def user_locked(as_user: AsUser = None) -> None:
    """List the accounts and clients locked out now, and until when (Asia/Dhaka)."""
    now = now_utc()
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        for lock in current_locks(session, scope=scope, now=now):
            until = to_local(lock.until)
            typer.echo(f"{lock.kind.value:<7} {lock.key}  until {until.date} "
                       f"{until.time:%H:%M:%S}  ({lock.failures} failures)")


@user_app.command("unlock")
def user_unlock(
    username: Annotated[str | None, typer.Argument(
        help="The account to unlock (its failures are cleared).")] = None,
    client: Annotated[str | None, typer.Option(
        help="Also (or only) clear this client's failures, e.g. ip:203.0.113.7.")] = None,
    as_user: AsUser = None,
) -> None:
    """Clear the failed logins of an account and/or a client (recorded, with who did it)."""
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        for row in unlock(session, scope=scope, now=now_utc(), username=username,
                          client=client):
            what = f"account {row.username}" if row.username is not None else \
                f"client {row.client}"
            typer.echo(f"unlocked {what}")
