"""``tracker user add``: add a dashboard user with a role and (for officers) an office.

A thin wrapper over tracker.services.offices.create_user (argon2-hashed password).
"""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import unit_of_work
from tracker.services.offices import create_user

user_app = typer.Typer(help="Users.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="upazila_officer | district_programmer | admin")],
    full_name: Annotated[str, typer.Option(help="Name shown in the dashboard.")],
    office: Annotated[str | None, typer.Option(help="Office code (not for admins).")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail for digests.")] = None,
    language: Annotated[str, typer.Option(help="bn or en.")] = "bn",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True,
                                          help="Password (prompted).")] = "",
) -> None:
    """Add a user (the password is stored as an argon2 hash)."""
    with unit_of_work() as session:
        user = create_user(session, username=username, full_name=full_name, role=role,
                           password=password, office_code=office, email=email,
                           language=language)
        typer.echo(f"added {user.username} ({user.role})")
