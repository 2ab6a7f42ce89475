"""``python -m tracker.store.migrations ARGS``: Alembic's own command line (heads, history,
current, upgrade, revision --autogenerate, check, ...) on the tracker's migrations and the
database of TRACKER_DATABASE_URL, without an alembic.ini. See docs/migrations.md."""

from __future__ import annotations

from collections.abc import Sequence

from alembic.config import CommandLine

from tracker.store.db import alembic_config


def main(argv: Sequence[str] | None = None) -> None:
    cli = CommandLine(prog="python -m tracker.store.migrations")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    config = alembic_config()
    config.cmd_opts = options
    cli.run_cmd(config, options)


if __name__ == "__main__":
    main()
