"""`tracker dashboard`: run the Streamlit dashboard (dashboard/app.py) on a port.

It listens on 127.0.0.1 (this machine only) unless ``--address`` or
TRACKER_DASHBOARD_ADDRESS says otherwise: Streamlit's own default is every interface, which
put a dashboard without TLS on the office network while the command said "localhost".
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated

import typer

from tracker.config import PROJECT_ROOT, get_settings, listen_address, running_from_checkout
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


def streamlit_command(port: int, address: str) -> list[str]:
    """The command line that serves the dashboard on ``address``:``port`` (headless: no
    browser is opened; XSRF protection stated, so no config file can turn it off)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
            "--server.address", address, "--server.headless", "true",
            "--server.enableXsrfProtection", "true", "--browser.gatherUsageStats", "false"]


def _address(given: str | None) -> str:
    """--address checked, else the setting (validated with the settings)."""
    if given is None:
        return get_settings().dashboard_address
    try:
        return listen_address(given)
    except ValueError as exc:
        raise InputError(f"bad --address {given!r}: it {exc}") from None


def _where(address: str, port: int) -> str:
    """Where the dashboard can be opened, as the startup line says it."""
    host = f"[{address}]" if ":" in address else address
    try:
        everywhere = ipaddress.ip_address(address).is_unspecified
    except ValueError:  # a host name
        everywhere = False
    if everywhere:
        return (f"every interface ({host}), port {port}: reachable from other machines, "
                "without TLS unless a proxy is in front")
    return f"http://{host}:{port}"


def dashboard(
    port: Annotated[int, typer.Option(help="TCP port to serve on.")] = 8501,
    address: Annotated[str | None, typer.Option(
        help="IP address or host name to listen on (default: TRACKER_DASHBOARD_ADDRESS, "
             "127.0.0.1: this machine only; 0.0.0.0: every interface).")] = None,
    database_url: Annotated[str | None, typer.Option(
        help="Database to show (default: TRACKER_DATABASE_URL).")] = None,
) -> None:
    """Open the web dashboard: compliance, breaches, logging and following requests."""
    if not 1 <= port <= 65535:
        raise InputError(f"bad --port {port}")
    host = _address(address)
    if not APP.is_file():
        raise InputError(f"the dashboard is missing ({APP})")
    env = dict(os.environ)
    env["TRACKER_DATABASE_URL"] = database_url or get_settings().database_url
    typer.echo(f"dashboard on {_where(host, port)} "
               f"(database {env['TRACKER_DATABASE_URL'].split('@')[-1]})", err=True)
    try:
        # The user's directory, like every other command: relative TRACKER_* paths agree.
        # app.py puts the folder holding the dashboard package on sys.path itself.
        code = subprocess.call(streamlit_command(port, host), env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
