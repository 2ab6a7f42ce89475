"""``tracker calendar ...``: working days, holidays, due dates, and moving open requests'
due dates after a calendar edit (``reload``).

Thin wrappers over tracker.domain.calendar / deadlines and the text views in
tracker.services (batch, calendar_text, ics); ``reload`` over tracker.services.requests.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import (
    DistrictOption,
    day_option,
    day_or_today,
    moment_option,
    now_utc,
    unit_of_work,
)
from tracker.domain.calendar import load_calendar
from tracker.domain.deadlines import DeadlineSpec, DeadlineUnit, due_date
from tracker.errors import InputError
from tracker.services import batch, calendar_text, ics
from tracker.services.requests import recompute_open_requests

calendar_app = typer.Typer(help="Working days, holidays and due dates.", no_args_is_help=True)

#: The longest deadline `calendar due` computes: ten years, about the whole calendar (curated
#: and forecast years), so a longer one could only end outside it. Click refuses more, and
#: 0 or less, before any arithmetic (a billion calendar days overflowed timedelta).
MAX_WORKING_DAYS = 2_500
MAX_CALENDAR_DAYS = 3_660
MAX_MONTHS = 120


def _spec(working_days: int | None, immediate: bool, calendar_days: int | None,
          months: int | None) -> DeadlineSpec:
    """The one deadline the options name (exactly one of them must be given)."""
    chosen = [x for x in (working_days, calendar_days, months) if x is not None]
    if len(chosen) + int(immediate) != 1:
        raise InputError(
            "give exactly one of --working-days N, --immediate, --calendar-days N, --months N"
        )
    if immediate:
        return DeadlineSpec.immediate()
    if working_days is not None:
        return DeadlineSpec.working_days(working_days)
    if calendar_days is not None:
        return DeadlineSpec(DeadlineUnit.CALENDAR_DAYS, calendar_days)
    assert months is not None
    return DeadlineSpec(DeadlineUnit.MONTHS, months)


@calendar_app.command("due")
def calendar_due(
    received: Annotated[str | None, typer.Option(
        help="Receipt time: 2025-03-27T10:15 (Asia/Dhaka), or with an offset/Z for UTC."
    )] = None,
    working_days: Annotated[int | None, typer.Option(
        help="Deadline in working days.", min=1, max=MAX_WORKING_DAYS)] = None,
    immediate: Annotated[bool, typer.Option(help="Immediate deadline (same working day "
                                                 "if before closing time).")] = False,
    calendar_days: Annotated[int | None, typer.Option(
        help="Deadline in calendar days.", min=1, max=MAX_CALENDAR_DAYS)] = None,
    months: Annotated[int | None, typer.Option(
        help="Deadline in months.", min=1, max=MAX_MONTHS)] = None,
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
    result_due = due_date(moment_option(received, "--received"), spec, calendar,
                          explain=explain)
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
    info = load_calendar(district).day_info(day_option(day, "the date"))
    typer.echo(f"{'yes' if info.working else 'no'}: "
               f"{info.reason_bn if bengali else info.reason_en}")


@calendar_app.command("holidays")
def calendar_holidays(
    year: Annotated[int, typer.Option(help="Calendar year.")],
    district: DistrictOption = None,
    bengali: Annotated[bool, typer.Option("--bn", help="Names in Bengali.")] = False,
) -> None:
    """List the year's dates with kind, confidence and source (provisional years marked)."""
    calendar = load_calendar(district)
    calendar.check_year(year)
    typer.echo(calendar_text.holidays_table(calendar, year, bengali=bengali))


@calendar_app.command("ics")
def calendar_ics(
    year: Annotated[int, typer.Option(help="Calendar year.")],
    out: Annotated[Path | None, typer.Option(help="Write to this file (default stdout).")] = None,
    district: DistrictOption = None,
) -> None:
    """Write the year's office closures as iCalendar (Outlook / Google Calendar)."""
    calendar = load_calendar(district)
    calendar.check_year(year)
    text = ics.to_ics(calendar, year)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8", newline="")
        typer.echo(f"wrote {out}", err=True)


@calendar_app.command("check")
def calendar_check() -> None:
    """Validate every calendars/bd-YYYY.toml and print each year's version."""
    typer.echo(calendar_text.check_text(load_calendar()))


@calendar_app.command("tour")
def calendar_tour(
    day: Annotated[str | None, typer.Option("--day", help="Also explain this date.")] = None,
) -> None:
    """A tour of the working-day engine on real 2024-2026 cases."""
    typer.echo(calendar_text.demo_text(load_calendar(), day_or_today(day, "--day")))


@calendar_app.command("reload")
def calendar_reload(office: Annotated[list[str] | None, typer.Option(
        help="Only these offices (default all).")] = None) -> None:
    """After editing calendars/: move the due dates of open requests, with an event each."""
    with unit_of_work() as session:
        done = recompute_open_requests(session, now=now_utc(), office_codes=office or None)
    for item in done.moved:
        typer.echo(f"#{item.request_id}: {item.old} -> {item.new}  {item.why}")
    for request_id, why in done.skipped:
        typer.echo(f"#{request_id}: left as it was: {why}")
    typer.echo(f"{len(done.moved)} due date(s) moved; {len(done.restamped)} unchanged "
               f"(new calendar version recorded); {len(done.skipped)} left as they were")
