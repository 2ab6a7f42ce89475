"""``tracker db upgrade`` and ``tracker init``: the schema, then the reference data.

Thin wrappers over tracker.store.db (Alembic), tracker.services.offices (geography) and
tracker.services.catalog (the reviewed charters).
"""

from __future__ import annotations

import typer

from tracker.cli.common import now_utc
from tracker.services.catalog import sync_all
from tracker.services.offices import load_geography_rows
from tracker.store import db as store

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def init() -> None:
    """Create or upgrade the database, load the geography and the reviewed charters."""
    engine = store.get_engine()
    store.upgrade(engine)
    with store.session_scope(engine) as session:
        added = load_geography_rows(session)
        versions = sync_all(session, now=now_utc())
    typer.echo(f"database ready ({engine.url.render_as_string(hide_password=True)}); "
               f"geography rows added: {added}; charter versions added: "
               f"{sum(versions.values())} ({', '.join(versions)})")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations (idempotent)."""
    engine = store.get_engine()
    store.upgrade(engine)
    typer.echo(f"schema at revision {store.current_revision(engine)}")
