"""``tracker import requests``: bring a paper register (CSV or XLSX) into the request log.

A thin wrapper over tracker.services.importer (all rows or none; a re-import applies what
the register has gained since, or refuses it row by row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import AsUser, now_utc, resolve_user, unit_of_work
from tracker.services.importer import ImportReport, import_requests

import_app = typer.Typer(help="Import registers.", no_args_is_help=True)


@import_app.command("requests")
def import_requests_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX register export.")],
    as_user: AsUser = None,
) -> None:
    """Import a paper register: all rows or none, errors by row number. Re-importing adds
    nothing twice: closures the register has gained are applied as events, changed
    applicant details are corrected, contradictions are refused."""
    with unit_of_work() as session:
        report = import_requests(session, path=file, now=now_utc(),
                                 user=resolve_user(session, as_user))
    typer.echo(summary(report))


def summary(report: ImportReport) -> str:
    """One line: the rows read and what became of them."""
    return (f"read {report.rows} row(s): {report.added} new, {report.unchanged} already "
            f"present (unchanged), {report.updated} updated (closures and corrections "
            "applied)")
