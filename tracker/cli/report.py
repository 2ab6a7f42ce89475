"""``tracker report compliance``: compliance per office or service for a fiscal period.

A thin wrapper over tracker.services.reports (the judged request frame and its rollup).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tracker.cli.common import AsUser, day_or_today, fiscal_period, resolve_user, unit_of_work
from tracker.domain.offices import parse_kind
from tracker.errors import InputError
from tracker.services.auth import scope_for
from tracker.services.exports import frame_csv
from tracker.services.reports import compliance, request_frame

report_app = typer.Typer(help="Compliance reports.", no_args_is_help=True)


@report_app.command("compliance")
def report_compliance(
    fy: Annotated[str, typer.Option(help="Fiscal year, e.g. 2024-25 (1 July - 30 June).")],
    by: Annotated[str, typer.Option(help="office | service | kind (per office kind)")] = (
        "office"),
    quarter: Annotated[str | None, typer.Option(help="Q1..Q4 of the fiscal year.")] = None,
    as_of: Annotated[str | None, typer.Option(help="Judge as of this date (default: today; "
                                                   "open requests are judged then).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv | table")] = "table",
    office_kind: Annotated[str | None, typer.Option(
        help="Only offices of this kind: ict, land, uno, union_parishad, ... "
             "(default: every kind).")] = None,
    as_user: AsUser = None,
) -> None:
    """Compliance per office, service or office kind: received, on time, late, open,
    overdue, %."""
    period = fiscal_period(fy, quarter)
    day = day_or_today(as_of)
    if fmt not in ("csv", "table"):
        raise InputError("--format must be csv or table")
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        frame = request_frame(session, scope=scope, period=period, as_of=day,
                              office_kind=office_kind)
    table = compliance(frame, by)
    if fmt == "csv":
        sys.stdout.write(frame_csv(table))  # quoted, formula-safe (exports)
    else:
        kind = f", {parse_kind(office_kind)} offices" if office_kind else ""
        typer.echo(f"compliance {period.label} ({period.start} to {period.end}){kind}, "
                   f"as of {day}")
        typer.echo(table.to_string(index=False) if not table.empty else "(no requests)")
