"""``tracker import requests``: bring a paper register (CSV or XLSX) into the request log.

A thin wrapper over tracker.services.importer (all rows or none; re-importing adds nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import AsUser, now_utc, resolve_user, unit_of_work
from tracker.services.importer import import_requests

import_app = typer.Typer(help="Import registers.", no_args_is_help=True)


@import_app.command("requests")
def import_requests_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX register export.")],
    as_user: AsUser = None,
) -> None:
    """Import a paper register: all rows or none; re-importing adds nothing."""
    with unit_of_work() as session:
        report = import_requests(session, path=file, now=now_utc(),
                                 user=resolve_user(session, as_user))
    typer.echo(f"imported {report.added} request(s); {report.unchanged} already present")
