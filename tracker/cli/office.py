"""``tracker office ...``: list offices and set the date from which each is measured.

Offices of every kind (ICT, land, union parishad, ...: tracker.domain.offices); the
non-ICT ones come from their catalog files (``tracker init``).

Thin wrappers over tracker.services.offices.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import col, select

from tracker.cli.common import day_option, unit_of_work
from tracker.domain.offices import parse_kind
from tracker.services.offices import ensure_office
from tracker.store.models import Office

office_app = typer.Typer(help="Offices.", no_args_is_help=True)


@office_app.command("list")
def office_list(
    kind: Annotated[str | None, typer.Option(
        help="Only offices of this kind: ict, land, uno, union_parishad, ... (as listed).")
    ] = None,
) -> None:
    """List offices: code, level (upazila/district), kind, go-live date and name."""
    with unit_of_work() as session:
        query = select(Office).order_by(col(Office.code))
        if kind is not None:
            query = query.where(Office.office_kind == parse_kind(kind))
        for office in session.exec(query):
            typer.echo(f"{office.code:<40} {office.kind:<8} {office.office_kind:<16} go-live "
                       f"{office.go_live_date or '-'}  {office.name_bn}")


@office_app.command("go-live")
def office_go_live(code: Annotated[str, typer.Argument(
                       help="Office code, e.g. jashore.keshabpur or habiganj.madhabpur@land "
                            "(an office not yet loaded must be an ICT office).")],
                   day: Annotated[str, typer.Argument(help="Go-live date.")]) -> None:
    """Set the date from which an office's requests are measured."""
    with unit_of_work() as session:
        office = ensure_office(session, code, go_live_date=day_option(day, "the go-live date"))
        typer.echo(f"{office.code}: measured from {office.go_live_date}")
