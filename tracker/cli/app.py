"""The ``tracker`` command line: assembles one Typer app per top-level noun, and ``main()``.

Every command lives in its noun's module (calendar.py, request.py, ...), a thin wrapper over
tracker.services / tracker.domain. Every user mistake is a TrackerError: one line on stderr
and exit code 2, no traceback (``main``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from tracker.cli import (
    calendar,
    charter,
    complaint,
    dashboard,
    db,
    demo,
    digest,
    export,
    importer,
    office,
    report,
    request,
    user,
)
from tracker.cli.common import print_error
from tracker.errors import TrackerError
from tracker.logs import configure_logging

app = typer.Typer(
    help="Citizen-charter SLA tracker: Bangladesh working days, due dates and breaches.",
    no_args_is_help=True,
    add_completion=False,
)
# Registration order is the order `tracker --help` lists the commands in.
app.add_typer(calendar.calendar_app, name="calendar")
app.add_typer(charter.charter_app, name="charter")
app.command("init")(db.init)
app.command("demo")(demo.demo)
app.command("dashboard")(dashboard.dashboard)
app.add_typer(db.db_app, name="db")
app.add_typer(office.office_app, name="office")
app.add_typer(user.user_app, name="user")
app.add_typer(request.request_app, name="request")
app.add_typer(importer.import_app, name="import")
app.add_typer(report.report_app, name="report")
app.add_typer(digest.digest_app, name="digest")
app.command("scheduler")(digest.scheduler)
app.add_typer(export.export_app, name="export")
app.add_typer(complaint.complaint_app, name="complaint")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into one clear line and exit code 2.

    Usage errors (bad option values) are reported by Typer itself, also with exit code 2.
    Settings are read lazily (by logging and inside commands): a bad setting is a
    TrackerError (SettingsError) too, so it gets the same one line.
    """
    command = typer.main.get_command(app)
    try:
        configure_logging()
        command.main(args=list(argv) if argv is not None else None, prog_name="tracker")
    except TrackerError as exc:
        print_error(exc)
        sys.exit(2)


if __name__ == "__main__":
    main()
