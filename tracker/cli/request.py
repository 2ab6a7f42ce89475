"""CLI commands over the database: init, db, office, user, request, import, report, demo.

Thin wrappers: each opens one unit of work (``session_scope``) and calls tracker.services.requests /
tracker.services.reports. ``--as USER`` acts as that user with their role's scope (default: the
system, as an administrator at the shell).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from sqlmodel import Session, col, select

from tracker.domain.deadlines import Hold, due_date
from tracker.domain.localtime import moment_to_utc, parse_date, parse_moment, to_local
from tracker.domain.status import status_as_of
from tracker.errors import InputError
from tracker.services.auth import scope_for
from tracker.services.catalog import sync_all
from tracker.services.importer import import_requests
from tracker.services.offices import create_user, ensure_office, load_geography_rows
from tracker.services.reports import Period, compliance, fiscal_quarter, fiscal_year, request_frame
from tracker.services.requests import (
    NewRequest,
    RequestError,
    deadline_for,
    extend,
    log_request,
    now_utc,
    office_calendar,
    recompute_due_dates,
    transition,
    update,
)
from tracker.store import db
from tracker.store.models import CHANNELS, HoldPeriod, Office, Request, RequestEvent, Service, User

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (role scope).")]
AtOption = Annotated[str | None, typer.Option(
    "--at", help="When it happened (default now); ISO or DD-MM-YYYY HH:MM, Asia/Dhaka.")]

request_app = typer.Typer(help="Log and follow requests.", no_args_is_help=True)
import_app = typer.Typer(help="Import registers.", no_args_is_help=True)
report_app = typer.Typer(help="Compliance reports.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
office_app = typer.Typer(help="Offices.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)


def _user(session: Session, username: str | None) -> User | None:
    if username is None:
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise InputError(f"unknown user {username!r}")
    return user


def _when(text: str | None) -> datetime:
    return now_utc() if text is None else moment_to_utc(parse_moment(text))


# -- setup ----------------------------------------------------------------------------------


def init() -> None:
    """Create or upgrade the database, load the geography and the reviewed charters."""
    engine = db.get_engine()
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        added = load_geography_rows(session)
        versions = sync_all(session, now=now_utc())
    typer.echo(f"database ready ({engine.url.render_as_string(hide_password=True)}); "
               f"geography rows added: {added}; charter versions added: "
               f"{sum(versions.values())} ({', '.join(versions)})")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations (idempotent)."""
    engine = db.get_engine()
    db.upgrade(engine)
    typer.echo(f"schema at revision {db.current_revision(engine)}")


@office_app.command("list")
def office_list() -> None:
    """List offices with their go-live dates and charter versions."""
    with db.session_scope() as session:
        for office in session.exec(select(Office).order_by(col(Office.code))):
            typer.echo(f"{office.code:<32} {office.kind:<8} go-live "
                       f"{office.go_live_date or '-'}  {office.name_bn}")


@office_app.command("go-live")
def office_go_live(code: Annotated[str, typer.Argument(help="Office code.")],
                   day: Annotated[str, typer.Argument(help="Go-live date.")]) -> None:
    """Set the date from which an office's requests are measured."""
    with db.session_scope() as session:
        office = ensure_office(session, code, go_live_date=parse_date(day))
        typer.echo(f"{office.code}: measured from {office.go_live_date}")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="upazila_officer | district_programmer | admin")],
    full_name: Annotated[str, typer.Option(help="Name shown in the dashboard.")],
    office: Annotated[str | None, typer.Option(help="Office code (not for admins).")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail for digests.")] = None,
    language: Annotated[str, typer.Option(help="bn or en.")] = "bn",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          help="Password (prompted).")] = "",
) -> None:
    """Add a user (the password is stored as an argon2 hash)."""
    with db.session_scope() as session:
        user = create_user(session, username=username, full_name=full_name, role=role,
                           password=password, office_code=office, email=email,
                           language=language)
        typer.echo(f"added {user.username} ({user.role})")


# -- requests -------------------------------------------------------------------------------


@request_app.command("log")
def request_log(
    office: Annotated[str, typer.Option(help="Office code, e.g. jashore.keshabpur.")],
    service: Annotated[str, typer.Option(help="Service, e.g. citizen-3 (see `tracker charter "
                                              "show`).")],
    channel: Annotated[str, typer.Option(help=" | ".join(CHANNELS))],
    received: Annotated[str | None, typer.Option(help="When received (default now).")] = None,
    ref: Annotated[str | None, typer.Option(help="Register number (unique per office).")] = None,
    applicant: Annotated[str | None, typer.Option(help="Applicant's name.")] = None,
    contact: Annotated[str | None, typer.Option(help="Applicant's phone/e-mail.")] = None,
    summary: Annotated[str, typer.Option(help="What was asked.")] = "",
    track: Annotated[str | None, typer.Option(help="immediate | extended (where the charter "
                                                   "allows).")] = None,
    reason: Annotated[str | None, typer.Option(help="Reason for the extended track.")] = None,
    directive_due: Annotated[str | None, typer.Option(help="Per-directive due date.")] = None,
    directive_ref: Annotated[str | None, typer.Option(help="The directive's reference.")] = None,
    as_user: AsUser = None,
) -> None:
    """Record a request; prints its id and due date."""
    with db.session_scope() as session:
        request = log_request(session, new=NewRequest(
            office_code=office, service=service, received_at=_when(received), channel=channel,
            applicant_name=applicant, applicant_contact=contact, summary=summary,
            external_ref=ref, track=track, track_reason=reason,
            directive_due=parse_date(directive_due) if directive_due else None,
            directive_ref=directive_ref), now=now_utc(), user=_user(session, as_user))
        typer.echo(f"#{request.id} due {request.due_date or 'no deadline (per directive)'}"
                   + (" (provisional)" if request.due_provisional else ""))


def _transition(action: str, request_id: int, at: str | None, reason: str | None,
                as_user: str | None, outcome: str | None = None) -> None:
    with db.session_scope() as session:
        request = transition(session, request_id=request_id, action=action, at=_when(at),
                             now=now_utc(), user=_user(session, as_user), reason=reason,
                             outcome=outcome)
        typer.echo(f"#{request.id} {request.state}; due {request.due_date or '-'}")


IdArg = Annotated[int, typer.Argument(help="Request id.")]
ReasonOpt = Annotated[str | None, typer.Option(help="Why.")]


@request_app.command("start")
def request_start(request_id: IdArg, at: AtOption = None, as_user: AsUser = None) -> None:
    """Mark a request in progress."""
    _transition("start", request_id, at, None, as_user)


@request_app.command("hold")
def request_hold(request_id: IdArg, reason: ReasonOpt = None, at: AtOption = None,
                 as_user: AsUser = None) -> None:
    """Put a request on hold (waiting for the applicant): the clock stops."""
    _transition("hold", request_id, at, reason, as_user)


@request_app.command("resume")
def request_resume(request_id: IdArg, at: AtOption = None, as_user: AsUser = None) -> None:
    """Resume a request on hold; the due date moves by the working days on hold."""
    _transition("resume", request_id, at, None, as_user)


@request_app.command("deliver")
def request_deliver(request_id: IdArg, outcome: ReasonOpt = None, at: AtOption = None,
                    as_user: AsUser = None) -> None:
    """Record delivery of the service."""
    _transition("deliver", request_id, at, None, as_user, outcome)


@request_app.command("reject")
def request_reject(request_id: IdArg, reason: ReasonOpt = None, at: AtOption = None,
                   as_user: AsUser = None) -> None:
    """Close a request as rejected (with a reason)."""
    _transition("reject", request_id, at, reason, as_user)


@request_app.command("withdraw")
def request_withdraw(request_id: IdArg, reason: ReasonOpt = None, at: AtOption = None,
                     as_user: AsUser = None) -> None:
    """Close a request withdrawn by the applicant (with a reason)."""
    _transition("withdraw", request_id, at, reason, as_user)


@request_app.command("extend")
def request_extend(request_id: IdArg,
                   due: Annotated[str, typer.Option(help="The new due date.")],
                   reason: Annotated[str, typer.Option(help="Why more time is needed.")],
                   as_user: AsUser = None) -> None:
    """Extend a "N / as needed" deadline, or set a per-directive due date."""
    with db.session_scope() as session:
        request = extend(session, request_id=request_id, new_due=parse_date(due),
                         reason=reason, now=now_utc(), user=_user(session, as_user))
        typer.echo(f"#{request.id} due {request.due_date} (extended)")


@request_app.command("update")
def request_update(
    request_id: IdArg,
    applicant: Annotated[str | None, typer.Option(help="Applicant's name.")] = None,
    contact: Annotated[str | None, typer.Option(help="Applicant's contact.")] = None,
    summary: Annotated[str | None, typer.Option(help="Summary.")] = None,
    ref: Annotated[str | None, typer.Option(help="Register number.")] = None,
    directive_ref: Annotated[str | None, typer.Option(help="Directive reference.")] = None,
    reason: ReasonOpt = None,
    as_user: AsUser = None,
) -> None:
    """Correct descriptive fields (each change is an audit event)."""
    changes = {k: v for k, v in {"applicant_name": applicant, "applicant_contact": contact,
                                 "summary": summary, "external_ref": ref,
                                 "directive_ref": directive_ref}.items() if v is not None}
    if not changes:
        raise InputError("nothing to update")
    with db.session_scope() as session:
        update(session, request_id=request_id, changes=changes, now=now_utc(),
               user=_user(session, as_user), reason=reason)
        typer.echo(f"#{request_id} updated: {', '.join(changes)}")


def _load(session: Session, request_id: int, as_user: str | None) -> tuple[Request, Office]:
    request = session.get(Request, request_id)
    if request is None:
        raise RequestError(f"no request #{request_id}")
    office = session.get(Office, request.office_id)
    assert office is not None
    scope_for(session, _user(session, as_user)).require_read(office)
    return request, office


@request_app.command("show")
def request_show(request_id: IdArg, as_of: Annotated[str | None, typer.Option(
        help="Status as of this date (default today).")] = None,
                 as_user: AsUser = None) -> None:
    """Show a request, its status as of a date and its full history."""
    with db.session_scope() as session:
        request, office = _load(session, request_id, as_user)
        service = session.get(Service, request.service_id)
        assert service is not None
        day = parse_date(as_of) if as_of else to_local(now_utc()).date
        calendar = office_calendar(session, office)
        status = status_as_of(request.due_date, request.closed_date
                              if request.state == "delivered" else None, day, calendar)
        typer.echo(f"#{request.id} {office.code} {service.category}-{service.number} "
                   f"{service.name_bn}")
        typer.echo(f"  received {to_local(request.received_at).date} via {request.channel}"
                   f"{' (backdated)' if request.backdated else ''}; ref "
                   f"{request.external_ref or '-'}")
        typer.echo(f"  deadline {service.deadline_raw} ({request.track}); due "
                   f"{request.due_date or 'none'}; state {request.state}")
        typer.echo(f"  as of {day}: {status.status.value}"
                   + (f", {status.working_days_late} working day(s) late"
                      if status.working_days_late else ""))
        for event in session.exec(select(RequestEvent).where(
                RequestEvent.request_id == request.id).order_by(col(RequestEvent.id))):
            change = (f" {event.field}: {event.old_value or '-'} -> {event.new_value}"
                      if event.field else "")
            typer.echo(f"  {to_local(event.at).date} {event.action}{change}"
                       + (f" ({event.reason})" if event.reason else ""))


@request_app.command("explain")
def request_explain(request_id: IdArg, as_user: AsUser = None) -> None:
    """Why is it due then: the days counted and skipped, holds and extensions."""
    with db.session_scope() as session:
        request, office = _load(session, request_id, as_user)
        service = session.get(Service, request.service_id)
        assert service is not None
        calendar = office_calendar(session, office)
        spec = deadline_for(service, request.track)
        holds = [Hold(h.start_date, h.end_date) for h in session.exec(
            select(HoldPeriod).where(HoldPeriod.request_id == request.id))]
        typer.echo(f"#{request.id}: {service.deadline_raw} -> {request.track} track")
        if spec is None:
            typer.echo(f"as per directive: due {request.due_date or 'not entered'} "
                       f"({request.directive_ref or 'no reference'})")
        else:
            closed_holds = [h for h in holds if h.end is not None]
            result = due_date(request.received_at, spec, calendar, holds=closed_holds, explain=True)
            typer.echo(result.explain())
        if request.extended:
            typer.echo(f"extended to {request.anchor_due_date} (see the history)")
        typer.echo(f"due date in force: {request.due_date or 'none'}; frozen with calendar "
                   f"{request.calendar_version}")


@request_app.command("list")
def request_list(
    office: Annotated[str | None, typer.Option(help="Only this office.")] = None,
    status: Annotated[str | None, typer.Option(help="on_track | due_today | overdue | "
                                                    "on_time | late | no_deadline")] = None,
    as_of: Annotated[str | None, typer.Option(help="As of this date (default today).")] = None,
    fy: Annotated[str | None, typer.Option(help="Fiscal year received, e.g. 2025-26.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    as_user: AsUser = None,
) -> None:
    """List requests with their status as of a date (most recent first)."""
    day = parse_date(as_of) if as_of else to_local(now_utc()).date
    period = fiscal_year(fy) if fy else Period(date(2000, 1, 1), day, "all")
    with db.session_scope() as session:
        scope = scope_for(session, _user(session, as_user))
        frame = request_frame(session, scope=scope, period=period, as_of=day,
                              office_codes=[office] if office else None)
    if status:
        frame = frame[frame["status"] == status]
    frame = frame.sort_values("id", ascending=False).head(limit)
    for row in frame.itertuples():
        late = f" +{int(row.working_days_late)}wd" if row.working_days_late else ""
        due = "-" if pd.isna(row.effective_due) else str(row.effective_due)
        typer.echo(f"#{row.id:<6} {row.office_code:<26} {row.service_key:<16} "
                   f"{row.received_date} due {due:<10} {row.state:<11} {row.status}{late}")


# -- import, report, calendar reload -------------------------------------------------------


@import_app.command("requests")
def import_requests_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX register export.")],
    as_user: AsUser = None,
) -> None:
    """Import a paper register: all rows or none; re-importing adds nothing."""
    with db.session_scope() as session:
        report = import_requests(session, path=file, now=now_utc(),
                                 user=_user(session, as_user))
    typer.echo(f"imported {report.added} request(s); {report.unchanged} already present")


@report_app.command("compliance")
def report_compliance(
    fy: Annotated[str, typer.Option(help="Fiscal year, e.g. 2024-25 (1 July - 30 June).")],
    by: Annotated[str, typer.Option(help="office | service")] = "office",
    quarter: Annotated[str | None, typer.Option(help="Q1..Q4 of the fiscal year.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Judge as of this date (default: today, "
                                                   "or the period end if earlier).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv | table")] = "table",
    as_user: AsUser = None,
) -> None:
    """Compliance per office or service: received, on time, late, open, overdue, %."""
    period = fiscal_quarter(fy, quarter) if quarter else fiscal_year(fy)
    day = parse_date(as_of) if as_of else to_local(now_utc()).date
    if fmt not in ("csv", "table"):
        raise InputError("--format must be csv or table")
    with db.session_scope() as session:
        scope = scope_for(session, _user(session, as_user))
        frame = request_frame(session, scope=scope, period=period, as_of=day)
    table = compliance(frame, by)
    if fmt == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        typer.echo(f"compliance {period.label} ({period.start} to {period.end}), as of {day}")
        typer.echo(table.to_string(index=False) if not table.empty else "(no requests)")


def calendar_reload(office: Annotated[list[str] | None, typer.Option(
        help="Only these offices (default all).")] = None) -> None:
    """After editing calendars/: move the due dates of open requests, with an event each."""
    with db.session_scope() as session:
        moved = recompute_due_dates(session, now=now_utc(), office_codes=office or None)
    for item in moved:
        typer.echo(f"#{item.request_id}: {item.old} -> {item.new}  {item.why}")
    typer.echo(f"{len(moved)} due date(s) moved")


def demo(
    until: Annotated[str | None, typer.Option(help="Last day of the synthetic log "
                                                   "(default today).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same log).")] = 1,
    reset: Annotated[bool, typer.Option(help="Drop and recreate the database first.")] = False,
) -> None:
    """Build a ready demo database: offices, charters, users and a synthetic log."""
    from sqlmodel import SQLModel

    from tracker.services.demo import DEMO_PASSWORD, build_demo

    engine = db.get_engine()
    last = parse_date(until) if until else to_local(now_utc()).date
    if reset:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        if session.exec(select(Request.id)).first() is not None:
            raise InputError("the database already has requests; use --reset for a new demo")
        result = build_demo(session, until=last, seed=seed)
    typer.echo(f"demo database: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"{result.requests} requests in {len(result.offices)} offices, "
               f"1 July 2024 to {last} (seed {seed}); {result.open_overdue} left open overdue; "
               f"{result.complaints} GRS complaints")
    typer.echo(f"demo users (password for all: {DEMO_PASSWORD} — demo only):")
    for username, role, office in result.users:
        typer.echo(f"  {username:<36} {role:<20} {office}")
    with db.session_scope(engine) as session:
        fy_start = last.year if last.month >= 7 else last.year - 1
        period = fiscal_year(f"{fy_start}-{(fy_start + 1) % 100:02d}")
        frame = request_frame(session, scope=scope_for(session, None), period=period,
                              as_of=last)
    typer.echo(f"\ncompliance {period.label} as of {last}:")
    typer.echo(compliance(frame, "office").to_string(index=False))
