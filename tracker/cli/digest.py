"""CLI for the digests: ``tracker digest preview|send|status|requeue`` and
``tracker scheduler``.

Thin wrappers over tracker.services.digests (build), tracker.services.jobs (record and send,
at most once) and tracker.services.scheduler (APScheduler). The clock is common.now_utc().
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import typer
from sqlmodel import select

from tracker.cli.common import day_option, now_utc, unit_of_work
from tracker.config import get_settings
from tracker.domain.calendar import load_calendar
from tracker.domain.periods import is_first_working_day_of_week
from tracker.errors import InputError
from tracker.services.digests import LANGUAGES, Digest, build_digests, has_office_digest
from tracker.services.jobs import TABLE, day_states, deliver, is_outcome_unknown, requeue, run_day
from tracker.services.mail import transport_from_settings
from tracker.store import db
from tracker.store.models import Office

digest_app = typer.Typer(help="Daily digests and weekly summaries by e-mail.",
                         no_args_is_help=True)

DateOption = Annotated[str, typer.Option("--date", help="The digest's date (YYYY-MM-DD or "
                                                        "DD-MM-YYYY), judged as of that day.")]


@digest_app.command("preview")
def preview(
    office: Annotated[str, typer.Option(help="Office code: an office (jashore.keshabpur, "
                                             "jashore.keshabpur@land, dhaka@btcl) for its "
                                             "officers' digest, or a district ICT office "
                                             "(jashore) for the district digest.")],
    date_: DateOption,
    lang: Annotated[str, typer.Option(help="Language: bn (default) or en.")] = "bn",
    weekly: Annotated[bool, typer.Option(help="The weekly summary instead of the daily "
                                              "digest.")] = False,
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part.")] = False,
) -> None:
    """Print the digest an office's officer (or district programmer) gets on a date."""
    if lang not in LANGUAGES:
        raise InputError("--lang must be bn or en")
    day = day_option(date_, "--date")
    with unit_of_work() as session:
        found = session.exec(select(Office).where(Office.code == office.strip().lower())).first()
        if found is None or found.id is None:
            raise InputError(f"unknown office {office!r} (see tracker office list)")
        digest: Digest | None
        if has_office_digest(found.kind, found.office_kind):  # its officers' digest
            digests = build_digests(session, as_of=day, office_ids={found.id}, weekly=weekly)
            digest = (digests.upazila_weekly if weekly else digests.upazila).get(found.id)
        else:
            digests = build_digests(session, as_of=day, district_ids={found.district_id},
                                    weekly=weekly)
            digest = (digests.district_weekly if weekly else digests.district).get(
                found.district_id)
    if digest is None:
        raise InputError(f"no digest for {office} on {day}")
    rendered = digest.render(lang)
    typer.echo(rendered.html if html else rendered.text)
    if not load_calendar().is_working_day(day):
        typer.echo(f"note: {day} is not a working day; the scheduler sends nothing then",
                   err=True)
    elif not weekly and is_first_working_day_of_week(day, load_calendar()):
        typer.echo("note: the weekly summary also goes out that day (--weekly)", err=True)


@digest_app.command("send")
def send(
    date_: DateOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be sent; "
                                                            "record and send nothing.")] = False,
) -> None:
    """Record and send the day's digests (each at most once); print sent/skipped/failed.

    A digest that cannot be built is one error line (exit 1); the others still go out."""
    settings = get_settings()
    transport = transport_from_settings(settings)
    result = run_day(db.get_engine(settings.database_url), day=day_option(date_, "--date"),
                     now=now_utc(), transport=transport, settings=settings,
                     dry_run=dry_run)
    typer.echo(f"{result.summary()} via {transport.name}")
    for failure in result.errors:
        typer.echo(f"error: {failure.line()}", err=True)
    if result.errors:
        raise typer.Exit(1)


@digest_app.command("status")
def status(date_: DateOption) -> None:
    """Digests of a date by state (sent, pending, failed, skipped) and what failed."""
    engine = db.get_engine(get_settings().database_url)
    day = day_option(date_, "--date")
    states = day_states(engine, day)
    typer.echo(f"{day}: " + (", ".join(f"{k} {v}" for k, v in sorted(states.items()))
                             or "no digests recorded"))
    unknown = 0
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(TABLE.c.kind, TABLE.c.recipient, TABLE.c.state, TABLE.c.attempts,
                      TABLE.c.next_attempt_at, TABLE.c.last_error)
            .where(TABLE.c.digest_date == day, TABLE.c.state.in_(("pending", "failed",
                                                                 "sending")))
            .order_by(TABLE.c.id))
        for kind, recipient, state, attempts, next_at, error in rows:
            retry = f", next try {next_at:%Y-%m-%d %H:%M} UTC" if next_at else ""
            typer.echo(f"  {state:<8} {kind:<16} {recipient} ({attempts} attempts{retry})"
                       f"{': ' + error if error else ''}")
            unknown += state == "failed" and is_outcome_unknown(error)
    if unknown:
        typer.echo(f"{unknown} digest(s) with outcome unknown: the server may have delivered "
                   f"them; ask the recipients, then `tracker digest requeue --date {day}` "
                   "(--to ADDRESS for one) resends deliberately.")


@digest_app.command("requeue")
def requeue_failed(
    date_: DateOption,
    to: Annotated[str | None, typer.Option("--to", help="Only the digests to this "
                                                        "address.")] = None,
) -> None:
    """Send the date's failed digests again, deliberately (outcome unknown or gave up).

    A digest whose outcome is unknown may already be in the recipient's mailbox: the
    resend keeps its Message-ID, so a server or reader can drop the duplicate."""
    settings = get_settings()
    engine = db.get_engine(settings.database_url)
    day = day_option(date_, "--date")
    now = now_utc()
    count = requeue(engine, day=day, now=now, recipient=to)
    if not count:
        typer.echo(f"{day}: no failed digests to requeue")
        return
    transport = transport_from_settings(settings)
    result = deliver(engine, transport=transport, now=now, day=day, settings=settings)
    unknown = f", outcome unknown {result.unknown}" if result.unknown else ""
    typer.echo(f"{day}: requeued {count}; sent {result.sent}, failed {result.failed}{unknown} "
               f"via {transport.name}")


def scheduler() -> None:
    """Run the digest scheduler until interrupted (Ctrl-C): daily digests at
    TRACKER_DIGEST_TIME (09:00 Asia/Dhaka) on working days, retries of failed sends."""
    from tracker.services.scheduler import build_scheduler, next_daily_run

    settings = get_settings()
    engine = db.get_engine(settings.database_url)
    db.upgrade(engine)
    sched = build_scheduler(engine, settings)
    transport = transport_from_settings(settings)
    typer.echo(f"digests daily at {settings.digest_time} {settings.digest_timezone} on "
               f"working days, via {transport.name}; next check "
               f"{next_daily_run(settings, now_utc()):%Y-%m-%d %H:%M %Z}. Ctrl-C stops.")
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        typer.echo("scheduler stopped")
