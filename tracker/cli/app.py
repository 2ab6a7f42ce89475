"""The ``tracker`` command line: thin Typer commands over the functions in tracker/.

Every user mistake is a TrackerError: one line on stderr and exit code 2, no traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli import report as cli_apa
from tracker.cli import request as cli_log
from tracker.cli.charter import charter_app
from tracker.cli.dashboard import dashboard
from tracker.cli.digest import digest_app, scheduler
from tracker.domain.calendar import load_calendar
from tracker.domain.deadlines import DeadlineSpec, due_date
from tracker.domain.localtime import parse_date, parse_moment
from tracker.errors import InputError, TrackerError
from tracker.services import batch, calendar_text, ics

app = typer.Typer(
    help="Citizen-charter SLA tracker: Bangladesh working days, due dates and breaches.",
    no_args_is_help=True,
    add_completion=False,
)
calendar_app = typer.Typer(help="Working days, holidays and due dates.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
app.add_typer(charter_app, name="charter")

DistrictOption = Annotated[
    str | None,
    typer.Option(help="Apply this district's regional closures (e.g. Rangamati)."),
]


def _spec(working_days: int | None, immediate: bool, calendar_days: int | None,
          months: int | None) -> DeadlineSpec:
    chosen = [x for x in (working_days, calendar_days, months) if x is not None]
    if len(chosen) + int(immediate) != 1:
        raise InputError(
            "give exactly one of --working-days N, --immediate, --calendar-days N, --months N"
        )
    if immediate:
        return DeadlineSpec.immediate()
    if working_days is not None:
        return DeadlineSpec("working_days", working_days)
    if calendar_days is not None:
        return DeadlineSpec("calendar_days", calendar_days)
    assert months is not None
    return DeadlineSpec("months", months)


@calendar_app.command("due")
def calendar_due(
    received: Annotated[str | None, typer.Option(
        help="Receipt time: 2025-03-27T10:15 (Asia/Dhaka), or with an offset/Z for UTC."
    )] = None,
    working_days: Annotated[int | None, typer.Option(help="Deadline in working days.")] = None,
    immediate: Annotated[bool, typer.Option(help="Immediate deadline (same working day "
                                                 "if before closing time).")] = False,
    calendar_days: Annotated[int | None, typer.Option(help="Deadline in calendar days.")] = None,
    months: Annotated[int | None, typer.Option(help="Deadline in months.")] = None,
    file: Annotated[Path | None, typer.Option(
        help="CSV with columns received_at,working_days (empty = immediate); "
             "writes received_at,working_days,due_date to stdout in input order."
    )] = None,
    district: DistrictOption = None,
    explain: Annotated[bool, typer.Option(help="List the days counted and skipped.")] = False,
) -> None:
    """Compute a due date (or a CSV file of them)."""
    calendar = load_calendar(district)
    if file is not None:
        if received is not None:
            raise InputError("give either --file or --received, not both")
        result = batch.due_dates_csv(file, calendar)
        sys.stdout.write(result.csv_text)
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
        return
    if received is None:
        raise InputError("give --received (or --file)")
    spec = _spec(working_days, immediate, calendar_days, months)
    result_due = due_date(parse_moment(received), spec, calendar, explain=explain)
    if explain:
        typer.echo(result_due.explain())
        return
    suffix = "  (provisional: forecast holidays, no curated list)" if result_due.provisional else ""
    typer.echo(result_due.due.isoformat() + suffix)


@calendar_app.command("is-working-day")
def calendar_is_working_day(
    day: Annotated[str, typer.Argument(help="Date, YYYY-MM-DD.")],
    district: DistrictOption = None,
    bengali: Annotated[bool, typer.Option("--bn", help="Reason in Bengali.")] = False,
) -> None:
    """Print yes/no and the reason (weekend, holiday name, working Saturday...)."""
    info = load_calendar(district).day_info(parse_date(day))
    typer.echo(f"{'yes' if info.working else 'no'}: "
               f"{info.reason_bn if bengali else info.reason_en}")


@calendar_app.command("holidays")
def calendar_holidays(
    year: Annotated[int, typer.Option(help="Calendar year.")],
    district: DistrictOption = None,
    bengali: Annotated[bool, typer.Option("--bn", help="Names in Bengali.")] = False,
) -> None:
    """List the year's dates with kind, confidence and source (provisional years marked)."""
    typer.echo(calendar_text.holidays_table(load_calendar(district), year, bengali=bengali))


@calendar_app.command("ics")
def calendar_ics(
    year: Annotated[int, typer.Option(help="Calendar year.")],
    out: Annotated[Path | None, typer.Option(help="Write to this file (default stdout).")] = None,
    district: DistrictOption = None,
) -> None:
    """Write the year's office closures as iCalendar (Outlook / Google Calendar)."""
    text = ics.to_ics(load_calendar(district), year)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8", newline="")
        typer.echo(f"wrote {out}", err=True)


@calendar_app.command("check")
def calendar_check() -> None:
    """Validate every calendars/bd-YYYY.toml and print each year's version."""
    calendar = load_calendar()
    for year in calendar.curated_years:
        entry = calendar.years[year]
        closures = sum(1 for d in entry.days if d.is_closure)
        typer.echo(f"{year}: ok, {closures} closure entries, version {entry.version}")
    typer.echo(f"provisional (forecast) years: {calendar.provisional_years}")


@calendar_app.command("tour")
def calendar_tour(
    day: Annotated[str | None, typer.Option("--day", help="Also explain this date.")] = None,
) -> None:
    """A tour of the working-day engine on real 2024-2026 cases."""
    calendar = load_calendar()
    typer.echo(calendar_text.demo_text(calendar, parse_date(day) if day else date.today()))


calendar_app.command("reload")(cli_log.calendar_reload)
app.command("init")(cli_log.init)
app.command("demo")(cli_log.demo)
app.command("dashboard")(dashboard)
app.add_typer(cli_log.db_app, name="db")
app.add_typer(cli_log.office_app, name="office")
app.add_typer(cli_log.user_app, name="user")
app.add_typer(cli_log.request_app, name="request")
app.add_typer(cli_log.import_app, name="import")
app.add_typer(cli_log.report_app, name="report")
app.add_typer(digest_app, name="digest")
app.command("scheduler")(scheduler)
app.add_typer(cli_apa.export_app, name="export")
app.add_typer(cli_apa.complaint_app, name="complaint")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into one clear line and exit code 2.

    Usage errors (bad option values) are reported by Typer itself, also with exit code 2.
    """
    command = typer.main.get_command(app)
    try:
        command.main(args=list(argv) if argv is not None else None, prog_name="tracker")
    except TrackerError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
