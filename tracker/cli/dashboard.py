"""`tracker dashboard`: run the Streamlit dashboard (dashboard/app.py) on a port."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated

import typer

from tracker.config import PROJECT_ROOT, get_settings, running_from_checkout
from tracker.errors import InputError


def _dashboard_app() -> Path:
    """dashboard/app.py: the checkout's in a source tree, else the installed ``dashboard``
    package's (located without importing it: that would load Streamlit)."""
    if running_from_checkout():
        return PROJECT_ROOT / "dashboard" / "app.py"
    spec = find_spec("dashboard")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) / "app.py" if locations else PROJECT_ROOT / "dashboard" / "app.py"


APP = _dashboard_app()


def streamlit_command(port: int) -> list[str]:
    """The command line that serves the dashboard (headless: no browser is opened)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def dashboard(
    port: Annotated[int, typer.Option(help="TCP port to serve on.")] = 8501,
    database_url: Annotated[str | None, typer.Option(
        help="Database to show (default: TRACKER_DATABASE_URL).")] = None,
) -> None:
    """Open the web dashboard: compliance, breaches, logging and following requests."""
    if not 1 <= port <= 65535:
        raise InputError(f"bad --port {port}")
    if not APP.is_file():
        raise InputError(f"the dashboard is missing ({APP})")
    env = dict(os.environ)
    env["TRACKER_DATABASE_URL"] = database_url or get_settings().database_url
    typer.echo(f"dashboard on http://localhost:{port} "
               f"(database {env['TRACKER_DATABASE_URL'].split('@')[-1]})", err=True)
    try:
        # The user's directory, like every other command: relative TRACKER_* paths agree.
        # app.py puts the folder holding the dashboard package on sys.path itself.
        code = subprocess.call(streamlit_command(port), env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
