"""``tracker demo``: a ready database with offices, charters, users and a synthetic log.

A thin wrapper over tracker.services.demo.build_demo; it prints the demo users and the
current fiscal year's compliance so the dashboard has something to show at once.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import SQLModel, select

from tracker.cli.common import day_or_today
from tracker.domain.periods import fiscal_year_of
from tracker.errors import InputError
from tracker.services.auth import scope_for
from tracker.services.demo import DEMO_PASSWORD, build_demo
from tracker.services.reports import compliance, request_frame
from tracker.store import db as store
from tracker.store.models import Request


def demo(
    until: Annotated[str | None, typer.Option(help="Last day of the synthetic log "
                                                   "(default today).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same log).")] = 1,
    reset: Annotated[bool, typer.Option(help="Drop and recreate the database first.")] = False,
) -> None:
    """Build a ready demo database: offices, charters, users and a synthetic log."""
    engine = store.get_engine()
    last = day_or_today(until, "--until")
    if reset:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    store.upgrade(engine)
    with store.session_scope(engine) as session:
        if session.exec(select(Request.id)).first() is not None:
            raise InputError("the database already has requests; use --reset for a new demo")
        result = build_demo(session, until=last, seed=seed)
    typer.echo(f"demo database: {engine.url.render_as_string(hide_password=True)}")
    typer.echo(f"{result.requests} requests in {len(result.offices)} offices, "
               f"1 July 2024 to {last} (seed {seed}); {result.open_overdue} left open overdue; "
               f"{result.complaints} GRS complaints")
    typer.echo(f"demo users (password for all: {DEMO_PASSWORD} — demo only):")
    for username, role, office in result.users:
        typer.echo(f"  {username:<36} {role:<20} {office}")
    with store.session_scope(engine) as session:
        period = fiscal_year_of(last)
        frame = request_frame(session, scope=scope_for(session, None), period=period,
                              as_of=last)
    typer.echo(f"\ncompliance {period.label} as of {last}:")
    typer.echo(compliance(frame, "office").to_string(index=False))
