"""``tracker export apa``: the APA workbook (or a folder of CSVs) for a fiscal period.

A thin wrapper over tracker.services.apa (gather the report object), tracker.services.exports
(render it) and tracker.services.apa_scope (which offices the district/office options name).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import (
    AsUser,
    day_or_today,
    fiscal_period,
    now_utc,
    resolve_user,
    unit_of_work,
)
from tracker.errors import InputError
from tracker.services.apa import build_apa
from tracker.services.apa_scope import resolve_offices
from tracker.services.auth import scope_for
from tracker.services.exports import periods_of, render_apa, write_csv, write_xlsx

export_app = typer.Typer(help="APA reporting exports (workbook or CSV folder).",
                         no_args_is_help=True)


@export_app.command("apa")
def export_apa(
    fy: Annotated[str, typer.Option(help="Fiscal year, e.g. 2024-25 (1 July - 30 June).")],
    out: Annotated[Path, typer.Option(help="The .xlsx file, or a folder for --format csv.")],
    quarter: Annotated[str | None, typer.Option(
        help="Q1 Jul-Sep, Q2 Oct-Dec, Q3 Jan-Mar, Q4 Apr-Jun (default: the whole year).")
    ] = None,
    district: Annotated[str | None, typer.Option(help="Only this district's offices.")] = None,
    office: Annotated[str | None, typer.Option(help="Only this office (code).")] = None,
    office_kind: Annotated[str | None, typer.Option(
        help="Only offices of this kind: ict, land, uno, union_parishad, ... "
             "(default: every kind; the title says the kind).")] = None,
    lang: Annotated[str, typer.Option(help="bn (Bengali headers and digits) or en.")] = "bn",
    fmt: Annotated[str, typer.Option("--format", help="xlsx | csv (a folder of CSVs)")] = (
        "xlsx"),
    as_of: Annotated[str | None, typer.Option(help="Judge as of this date (default today, "
                                                   "as `tracker report compliance`).")] = None,
    as_user: AsUser = None,
) -> None:
    """Write the APA workbook: summary, services per quarter, evidence, GRS, rules."""
    fiscal_period(fy, quarter)  # --fy and --quarter: well-formed and inside the calendar
    period, _ = periods_of(fy, quarter)
    if lang not in ("bn", "en"):
        raise InputError("--lang must be bn or en")
    if fmt not in ("xlsx", "csv"):
        raise InputError("--format must be xlsx or csv")
    if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
        raise InputError(f"--out {out} should end in .xlsx (or use --format csv)")
    if fmt == "csv" and out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; --format csv writes a folder")
    day = day_or_today(as_of)
    with unit_of_work() as session:
        scope = scope_for(session, resolve_user(session, as_user))
        offices, codes, label = resolve_offices(session, scope=scope, office=office,
                                                district=district, day=min(day, period.end),
                                                office_kind=office_kind)
        report = render_apa(build_apa(session, scope=scope, fy=fy, quarter=quarter, as_of=day,
                                      offices=offices, office_codes=codes, scope_label=label,
                                      generated_at=now_utc(), office_kind=office_kind),
                            lang=lang)
    if fmt == "xlsx":
        write_xlsx(report, out)
    else:
        write_csv(report, out)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"wrote {out} ({period.label}, as of {day})")
