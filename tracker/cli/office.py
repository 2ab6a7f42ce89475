"""``tracker office ...``: list offices and set the date from which each is measured.

Thin wrappers over tracker.services.offices.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import col, select

from tracker.cli.common import day_option, unit_of_work
from tracker.services.offices import ensure_office
from tracker.store.models import Office

office_app = typer.Typer(help="Offices.", no_args_is_help=True)


@office_app.command("list")
def office_list() -> None:
    """List offices with their go-live dates and charter versions."""
    with unit_of_work() as session:
        for office in session.exec(select(Office).order_by(col(Office.code))):
            typer.echo(f"{office.code:<32} {office.kind:<8} go-live "
                       f"{office.go_live_date or '-'}  {office.name_bn}")


@office_app.command("go-live")
def office_go_live(code: Annotated[str, typer.Argument(help="Office code.")],
                   day: Annotated[str, typer.Argument(help="Go-live date.")]) -> None:
    """Set the date from which an office's requests are measured."""
    with unit_of_work() as session:
        office = ensure_office(session, code, go_live_date=day_option(day, "the go-live date"))
        typer.echo(f"{office.code}: measured from {office.go_live_date}")
