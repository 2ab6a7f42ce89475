"""The ``tracker`` command line: assembles one Typer app per top-level noun, and ``main()``.

Every command lives in its noun's module (calendar.py, request.py, ...), a thin wrapper over
tracker.services / tracker.domain. Every user mistake is a TrackerError or a bad option: one
line on stderr and exit code 2, no traceback (``main``). Anything else is a bug: one line
too, exit code 1, and the traceback in the log at TRACKER_LOG_LEVEL=DEBUG.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

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
from tracker.cli.common import print_error, print_unexpected, print_usage_error
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


#: Exit codes: a user's mistake (TrackerError, bad option) and an unexpected error (a bug).
EXIT_USER_ERROR = 2
EXIT_BUG = 1


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI; every failure is one line on stderr, never a traceback.

    User errors (a TrackerError, or a bad option value Click refuses) exit with code 2.
    Settings are read lazily (by logging and inside commands): a bad setting is a
    TrackerError (SettingsError) too, so it gets the same one line. Any other exception is
    a bug: one line naming it and how to see the traceback, and exit code 1.
    """
    sys.exit(run(list(argv) if argv is not None else sys.argv[1:]))


def run(args: list[str]) -> int:
    """Run one command line and return its exit code (main's body, without sys.exit)."""
    command = typer.main.get_command(app)
    # standalone_mode=False: Click's usage errors reach us (to print as one line), instead
    # of its multi-line usage box; Typer still vendors Click, hence typer._click.
    try:
        configure_logging()
        code = command.main(args=args, prog_name="tracker", standalone_mode=False)
    except NoArgsIsHelpError as exc:  # the help is already printed
        return exc.exit_code
    except UsageError as exc:
        print_usage_error(exc.format_message(), exc.ctx.command_path if exc.ctx else None)
        return EXIT_USER_ERROR
    except ClickException as exc:  # e.g. a file option Click could not open
        print_usage_error(exc.format_message(), None)
        return exc.exit_code
    except typer.Abort:  # Ctrl-D at a prompt (Ctrl-C is Exit(130), returned below)
        typer.echo("error: aborted", err=True)
        return EXIT_BUG
    except TrackerError as exc:
        print_error(exc)
        return EXIT_USER_ERROR
    except Exception as exc:  # the last resort: a bug must still be one line
        print_unexpected(exc)
        return EXIT_BUG
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    main()
