"""``tracker request ...``: log a request and follow it through its lifecycle.

Thin wrappers: each opens one unit of work and calls tracker.services.requests (the only
writer of requests and their events). ``--as USER`` acts as that user with their role's
scope (default: the system, as an administrator at the shell).
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from tracker.cli.common import (
    AsUser,
    AtOption,
    RequestIdArg,
    day_option,
    day_or_today,
    fiscal_period,
    moment_or_now,
    now_utc,
    resolve_user,
    today_in_dhaka,
    unit_of_work,
)
from tracker.domain.deadlines import DeadlineUnit
from tracker.domain.localtime import to_local
from tracker.errors import InputError
from tracker.services.auth import scope_for
from tracker.services.queries import explain_due, judged_requests, load_readable, request_detail
from tracker.services.requests import (
    NewRequest,
    extend,
    log_request,
    transition,
    update,
)
from tracker.store.models import CHANNELS, Service

request_app = typer.Typer(help="Log and follow requests.", no_args_is_help=True)


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
    with unit_of_work() as session:
        request = log_request(session, new=NewRequest(
            office_code=office, service=service, received_at=moment_or_now(received, "--received"),
            channel=channel,
            applicant_name=applicant, applicant_contact=contact, summary=summary,
            external_ref=ref, track=track, track_reason=reason,
            directive_due=day_option(directive_due, "--directive-due") if directive_due
            else None,
            directive_ref=directive_ref), now=now_utc(), user=resolve_user(session, as_user))
        logged = session.get(Service, request.service_id)
        assert logged is not None
        typer.echo(f"#{request.id} due {request.due_date or _no_due(logged)}"
                   + (" (provisional)" if request.due_provisional else ""))


def _no_due(service: Service) -> str:
    """What a request without a due date says: why there is none."""
    if service.unit == DeadlineUnit.NO_DEADLINE:
        return "no deadline (the charter sets no per-request limit)"
    return "no deadline (per directive)"


def _transition(action: str, request_id: int, at: str | None, reason: str | None,
                as_user: str | None, outcome: str | None = None) -> None:
    with unit_of_work() as session:
        request = transition(session, request_id=request_id, action=action, at=moment_or_now(at),
                             now=now_utc(), user=resolve_user(session, as_user), reason=reason,
                             outcome=outcome)
        typer.echo(f"#{request.id} {request.state}; due {request.due_date or '-'}")


IdArg = RequestIdArg
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
    with unit_of_work() as session:
        request = extend(session, request_id=request_id, new_due=day_option(due, "--due"),
                         reason=reason, now=now_utc(), user=resolve_user(session, as_user))
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
    with unit_of_work() as session:
        update(session, request_id=request_id, changes=changes, now=now_utc(),
               user=resolve_user(session, as_user), reason=reason)
        typer.echo(f"#{request_id} updated: {', '.join(changes)}")


@request_app.command("show")
def request_show(request_id: IdArg, as_of: Annotated[str | None, typer.Option(
        help="Status as of this date (default today).")] = None,
                 as_user: AsUser = None) -> None:
    """Show a request, its status as of a date and its full history."""
    day = day_or_today(as_of)
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        detail = request_detail(session, request_id=request_id, scope=scope, as_of=day)
        request, service, status = detail.request, detail.service, detail.status
        typer.echo(f"#{request.id} {detail.office.code} {service.category}-{service.number} "
                   f"{service.name_bn}")
        typer.echo(f"  received {to_local(request.received_at).date} via {request.channel}"
                   f"{' (backdated)' if request.backdated else ''}; ref "
                   f"{request.external_ref or '-'}")
        typer.echo(f"  deadline {service.deadline_raw} ({request.track}); due "
                   f"{status.effective_due or 'none'}; state {request.state}")
        typer.echo(f"  as of {day}: {status.status.value}"
                   + (f", {status.working_days_late} working day(s) late"
                      if status.working_days_late else ""))
        for event in detail.events:
            change = (f" {event.field}: {event.old_value or '-'} -> {event.new_value}"
                      if event.field else "")
            typer.echo(f"  {to_local(event.at).date} {event.action}{change}"
                       + (f" ({event.reason})" if event.reason else ""))


@request_app.command("explain")
def request_explain(request_id: IdArg, as_user: AsUser = None) -> None:
    """Why is it due then: the days counted and skipped, holds and extensions."""
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        request, office = load_readable(session, request_id=request_id, scope=scope)
        service = session.get(Service, request.service_id)
        assert service is not None
        for line in explain_due(session, request=request, office=office, service=service,
                                as_of=today_in_dhaka()):
            typer.echo(line)


@request_app.command("list")
def request_list(
    office: Annotated[str | None, typer.Option(help="Only this office.")] = None,
    status: Annotated[str | None, typer.Option(help="on_track | due_today | overdue | "
                                                    "on_time | late | no_deadline | rejected | "
                                                    "withdrawn | outside_calendar")] = None,
    as_of: Annotated[str | None, typer.Option(help="As of this date (default today).")] = None,
    fy: Annotated[str | None, typer.Option(help="Fiscal year received, e.g. 2025-26.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1)] = 50,
    office_kind: Annotated[str | None, typer.Option(
        help="Only offices of this kind: ict, land, uno, union_parishad, ... "
             "(default: every kind).")] = None,
    as_user: AsUser = None,
) -> None:
    """List requests with their status as of a date (most recent first)."""
    day = day_or_today(as_of)
    period = fiscal_period(fy) if fy else None
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        frame = judged_requests(session, scope=scope, as_of=day,
                                received_from=period.start if period else None,
                                received_to=period.end if period else None,
                                office_codes=[office] if office else None,
                                office_kind=office_kind)
    if status:
        frame = frame[frame["status"] == status]
    frame = frame.sort_values("id", ascending=False).head(limit)
    for row in frame.itertuples():
        late = f" +{int(row.working_days_late)}wd" if row.working_days_late else ""
        due = "-" if pd.isna(row.effective_due) else str(row.effective_due)
        typer.echo(f"#{row.id:<6} {row.office_code:<26} {row.service_key:<16} "
                   f"{row.received_date} due {due:<10} {row.state:<11} {row.status}{late}")
