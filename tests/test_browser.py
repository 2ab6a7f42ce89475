"""A real browser on the real server: `tracker dashboard --port N` on a demo database (built
by `tracker demo`), driven by headless Chromium (Debian's, through Playwright; no browser
download) — log in, log a request, find it in the list, save a screenshot. Never skipped
under CI. The server runs in its own session and is killed as a whole process group, so no
Streamlit process outlives the test (checked after every run)."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from dashboard import i18n
from tests.databases import Builder, DemoDatabases, DemoSpec
from tracker.config import PROJECT_ROOT
from tracker.services.demo import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TRACKER = Path(sys.executable).parent / "tracker"
BN = "bn"
#: Built with `tracker demo`, the command the README's demo runs.
BROWSER_DEMO = DemoSpec(until=date(2024, 8, 31), seed=1, builder=Builder.CLI)
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- processes, read from /proc (Linux) ---------------------------------------------------


def _live_processes() -> Iterator[tuple[int, int, list[str]]]:
    """(pid, process group, argv) of every process that is not a zombie."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # it ended while we looked
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if state != "Z":
            yield int(entry.name), int(pgrp), [a.decode(errors="replace") for a in argv if a]


def _serves_port(argv: list[str], port: int) -> bool:
    pairs = itertools.pairwise(argv)
    return any(flag in ("--port", "--server.port") and value == str(port)
               for flag, value in pairs)


@dataclass
class DashboardServer:
    """`tracker dashboard` (which runs Streamlit as its child) in a session of its own."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    stopped: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def processes(self) -> list[int]:
        """Live processes of the server: its process group, or anything serving its port."""
        return sorted(pid for pid, pgrp, argv in _live_processes()
                      if pgrp == self.process.pid or _serves_port(argv, self.port))

    def stop(self) -> None:
        """SIGTERM to the whole group, then SIGKILL to whatever is left; idempotent."""
        if self.stopped:
            return
        self.stopped = True
        atexit.unregister(self.stop)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break  # nothing left in the group
            if self._wait_until_gone(STOP_TIMEOUT):
                break
        self.process.wait(timeout=STOP_TIMEOUT)  # reap the group leader

    def _wait_until_gone(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.poll()  # reap the leader as soon as it exits
            if not self.processes():
                return True
            time.sleep(0.1)
        return False


def start_dashboard(database_url: str, log: Path) -> DashboardServer:
    """Start the server and wait until it answers; stopped at exit even if nobody else does."""
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(TRACKER), "dashboard", "--port", str(port), "--database-url", database_url],
            env={**os.environ, "TRACKER_DATABASE_URL": database_url,
                 "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = DashboardServer(process, port, log)
    atexit.register(server.stop)  # an interrupted run: pytest exits without teardown
    try:
        _wait_until_healthy(server)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_healthy(server: DashboardServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the dashboard did not start:\n" + server.log.read_text()[-2000:])
        time.sleep(0.3)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           demo_databases: DemoDatabases) -> Iterator[str]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test is required under CI: {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("browser")
    url = demo_databases.copy(BROWSER_DEMO, "sqlite", folder=folder)  # the test logs one
    dashboard = start_dashboard(url, folder / "server.log")
    try:
        yield dashboard.url
    finally:
        dashboard.stop()
    assert dashboard.processes() == [], "the dashboard outlived its test"


def test_log_in_log_a_request_and_find_it_in_the_list(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("TRACKER_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(server)
            # The login page (Bengali by default).
            page.get_by_label(i18n.t("username", BN)).fill("jashore-keshabpur")
            page.get_by_label(i18n.t("password", BN)).fill(DEMO_PASSWORD)
            page.get_by_role("button", name=i18n.t("login", BN)).click()
            expect(page.get_by_role("heading", name=i18n.t("overview", BN))).to_be_visible()
            # The demo's fiscal year: figures and Altair charts.
            page.get_by_role("combobox", name=i18n.t("fiscal_year", BN)).click()
            page.get_by_role("option", name=i18n.digits("2024-25", BN)).click()
            expect(page.locator(".vega-embed").first).to_be_visible()
            expect(page.get_by_text(i18n.t("trend", BN))).to_be_visible()
            page.screenshot(path=str(shots / "dashboard-overview.png"), full_page=True)

            # Log a request.
            page.get_by_role("link", name=i18n.t("log_request", BN)).click()
            expect(page.get_by_role("heading", name=i18n.t("log_request", BN))).to_be_visible()
            expect(page.get_by_text(i18n.t("deadline", BN) + ":").first).to_be_visible()
            page.get_by_label(i18n.t("applicant", BN)).fill("ব্রাউজার পরীক্ষা")
            page.get_by_label(i18n.t("applicant", BN)).press("Tab")
            page.get_by_label(i18n.t("external_ref", BN)).fill("BROWSER/1")
            page.get_by_label(i18n.t("external_ref", BN)).press("Tab")
            page.get_by_role("button", name=i18n.t("submit_log", BN)).click()
            saved = page.get_by_text("আবেদন #")
            expect(saved).to_be_visible()
            text = saved.inner_text()
            number = text.split("#", 1)[1].split()[0]
            assert number and all(ch in "০১২৩৪৫৬৭৮৯" for ch in number), text
            page.screenshot(path=str(shots / "dashboard-logged.png"), full_page=True)

            # Find it in My requests.
            page.get_by_role("link", name=i18n.t("my_requests", BN)).click()
            expect(page.get_by_role("heading", name=i18n.t("my_requests", BN))).to_be_visible()
            page.get_by_label(i18n.t("choose_request", BN)).click()
            page.get_by_role("option", name=f"#{number}").click()
            expect(page.get_by_role("heading", name=f"#{number}")).to_be_visible()
            page.screenshot(path=str(shots / "dashboard-my-requests.png"), full_page=True)
        finally:
            browser.close()
    assert (shots / "dashboard-my-requests.png").stat().st_size > 10_000


def test_the_chromium_under_test_is_debians_not_a_download() -> None:
    reason = _unavailable()
    if reason and not os.environ.get("CI"):
        pytest.skip(reason)
    assert CHROMIUM.exists() and shutil.which("chromium") == str(CHROMIUM)


def test_a_stopped_dashboard_leaves_no_process_behind(tmp_path: Path) -> None:
    """The tracker process and its Streamlit child both go, whether the test stops the
    server or the test process exits without doing so (atexit)."""
    server = start_dashboard(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path / "stop.log")
    try:
        assert len(server.processes()) >= 2, "expected tracker and its streamlit child"
    finally:
        server.stop()
    assert server.processes() == []
    server.stop()  # a second stop (the atexit hook) is harmless


def test_an_interrupted_run_still_stops_the_dashboard(tmp_path: Path) -> None:
    """A process that starts the server and exits without stopping it: atexit does."""
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from tests.test_browser import start_dashboard
        server = start_dashboard("sqlite:///{tmp_path / 'unused.db'}",
                                 Path("{tmp_path / 'atexit.log'}"))
        print(server.process.pid, server.port, len(server.processes()), flush=True)
        sys.exit(3)  # no stop(): only atexit is left to clean up
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=START_TIMEOUT + 30)
    assert done.returncode == 3, done.stderr
    pid, port, count = (int(word) for word in done.stdout.split())
    assert count >= 2, "the server was not running with its streamlit child"
    left = [p for p, pgrp, argv in _live_processes() if pgrp == pid or _serves_port(argv, port)]
    assert left == []
