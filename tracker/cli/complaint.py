"""``tracker complaint ...``: GRS complaints — log, resolve, appeal, escalate, list, show.

Thin wrappers over tracker.services.complaints (the only writer of complaints): each opens
one unit of work and resolves the command's arguments (office, user) to what it takes.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import (
    AsUser,
    AtOption,
    ComplaintIdArg,
    day_or_today,
    fiscal_period,
    moment_or_now,
    now_utc,
    resolve_user,
    unit_of_work,
)
from tracker.domain.localtime import to_local
from tracker.domain.periods import ALL_TIME_START, Period
from tracker.domain.status import on_time
from tracker.errors import InputError
from tracker.services.auth import scope_for
from tracker.services.complaints import (
    COMPLAINT_STATUSES,
    GRS_TITLES_EN,
    NewComplaint,
    appeal_complaint,
    complaint_frame,
    complaint_history,
    escalate_due,
    log_complaint,
    resolve_complaint,
)
from tracker.services.requests import MAX_ID, get_office
from tracker.store.models import Complaint, Office

complaint_app = typer.Typer(help="GRS complaints: log, resolve, appeal, list.",
                            no_args_is_help=True)

IdArg = ComplaintIdArg


@complaint_app.command("log")
def complaint_log(
    office: Annotated[str, typer.Option(help="Office code, e.g. jashore.keshabpur.")],
    name: Annotated[str, typer.Option(help="The complainant's name.")],
    contact: Annotated[str, typer.Option(help="The complainant's phone or e-mail.")],
    received: Annotated[str | None, typer.Option(help="When received (default now).")] = None,
    request: Annotated[int | None, typer.Option(help="The request it is about (id).", min=1,
                                                max=MAX_ID)] = None,
    ref: Annotated[str | None, typer.Option(help="GRS/register number (unique per "
                                                 "office).")] = None,
    summary: Annotated[str, typer.Option(help="What the complaint is about.")] = "",
    as_user: AsUser = None,
) -> None:
    """Record a complaint; tier 1 (the complaint officer) starts its clock."""
    with unit_of_work() as session:
        complaint = log_complaint(session, new=NewComplaint(
            office_code=office, complainant_name=name, complainant_contact=contact,
            received_at=moment_or_now(received, "--received"), summary=summary, request_id=request,
            external_ref=ref), now=now_utc(), user=resolve_user(session, as_user))
        tier1_due = complaint_history(session, complaint.id or 0)[0].new_value
        typer.echo(f"complaint #{complaint.id}: tier 1 due {tier1_due} "
                   f"(limits {complaint.tier_limits.replace(';', ' / ')})")


@complaint_app.command("resolve")
def complaint_resolve(
    complaint_id: IdArg,
    resolution: Annotated[str, typer.Option(help="What was decided.")],
    at: AtOption = None,
    as_user: AsUser = None,
) -> None:
    """Record the resolution by the tier in force on that date."""
    with unit_of_work() as session:
        step = resolve_complaint(session, complaint_id=complaint_id, at=moment_or_now(at),
                                 resolution=resolution, now=now_utc(),
                                 user=resolve_user(session, as_user))
        within = step.resolved_date is not None and on_time(step.resolved_date, step.due_date)
        typer.echo(f"complaint #{complaint_id}: resolved at tier {step.tier} "
                   f"({'within' if within else 'after'} its limit, due {step.due_date})")


@complaint_app.command("appeal")
def complaint_appeal(
    complaint_id: IdArg,
    reason: Annotated[str, typer.Option(help="Why the resolution is not accepted.")],
    at: AtOption = None,
    as_user: AsUser = None,
) -> None:
    """Appeal a resolution to the next tier (appeal officer, then the Cabinet cell)."""
    with unit_of_work() as session:
        step = appeal_complaint(session, complaint_id=complaint_id, at=moment_or_now(at),
                                reason=reason, now=now_utc(), user=resolve_user(session, as_user))
        typer.echo(f"complaint #{complaint_id}: appealed to tier {step.tier}, due "
                   f"{step.due_date}")


@complaint_app.command("escalate")
def complaint_escalate(
    as_of: Annotated[str | None, typer.Option(help="As of this date (default today).")] = None,
) -> None:
    """Record automatic escalations (tier limits passed unresolved); idempotent."""
    day = day_or_today(as_of)
    with unit_of_work() as session:
        done = escalate_due(session, as_of=day, now=now_utc())
    for e in done:
        typer.echo(f"complaint #{e.complaint_id} {e.office_code}: tier {e.from_tier} -> "
                   f"{e.to_tier}, due {e.due}")
    typer.echo(f"{len(done)} escalation(s) recorded")


@complaint_app.command("list")
def complaint_list(
    office: Annotated[str | None, typer.Option(help="Only this office.")] = None,
    status: Annotated[str | None, typer.Option(
        help=" | ".join(COMPLAINT_STATUSES))] = None,
    fy: Annotated[str | None, typer.Option(help="Fiscal year received, e.g. 2025-26.")] = None,
    as_of: Annotated[str | None, typer.Option(help="As of this date (default today).")] = None,
    as_user: AsUser = None,
) -> None:
    """List complaints with their tier and status as of a date."""
    if status and status not in COMPLAINT_STATUSES:
        raise InputError(f"--status must be one of {', '.join(COMPLAINT_STATUSES)}")
    day = day_or_today(as_of)
    period = fiscal_period(fy) if fy else Period(ALL_TIME_START, day, "all")
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        if office:
            scope.require_read(get_office(session, office))
        frame = complaint_frame(session, scope=scope, period=period, as_of=day,
                                office_codes=[office.strip().lower()] if office else None)
    if status:
        frame = frame[frame["status"] == status]
    for row in frame.itertuples():
        late = f" +{row.working_days_late}wd" if row.working_days_late else ""
        when = (f"resolved {row.resolved_date}" if row.status == "resolved"
                else f"due {row.due}")
        flag = " within time" if row.within_time else ""
        typer.echo(f"#{row.id:<5} {row.office_code:<26} {row.received_date} tier {row.tier} "
                   f"({GRS_TITLES_EN.get(row.role, row.role)}) {row.status}{late} "
                   f"{when}{flag}")
    typer.echo(f"{len(frame)} complaint(s) as of {day}")


@complaint_app.command("show")
def complaint_show(complaint_id: IdArg, as_of: Annotated[str | None, typer.Option(
        help="As of this date (default today).")] = None, as_user: AsUser = None) -> None:
    """Show a complaint's tiers as of a date and its full history."""
    day = day_or_today(as_of)
    with unit_of_work() as session:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            raise InputError(f"no complaint #{complaint_id}")
        office = session.get(Office, complaint.office_id)
        assert office is not None
        scope = scope_for(session, resolve_user(session, as_user))
        scope.require_read(office)
        frame = complaint_frame(session, scope=scope, period=Period(
            complaint.received_date, complaint.received_date, "one"), as_of=day,
            office_codes=[office.code])
        row = frame[frame["id"] == complaint_id].iloc[0]
        typer.echo(f"#{complaint_id} {office.code} received {complaint.received_date} from "
                   f"{complaint.complainant_name} ({complaint.complainant_contact})"
                   + (f" about request #{complaint.request_id}" if complaint.request_id
                      else ""))
        typer.echo(f"  limits {row['limits']}; as of {day}: {row['status']} at tier "
                   f"{row['tier']}")
        for t in row["tiers"]:
            typer.echo(f"  tier {t.tier} {GRS_TITLES_EN.get(t.role, t.role)}: {t.kind} "
                       f"{t.start}, due {t.due}, {t.status}"
                       + (f" {t.resolved}" if t.resolved else ""))
        for event in complaint_history(session, complaint_id):
            typer.echo(f"  {to_local(event.at).date} {event.action} tier {event.tier}: "
                       f"{event.old_value or '-'} -> {event.new_value or '-'}"
                       + (f" ({event.reason})" if event.reason else ""))
