"""A real browser on the real server: `tracker dashboard --port N` on a demo database, driven
by headless Chromium (Debian's, through Playwright; no browser download) — log in, log a
request, find it in the list, save a screenshot. Never skipped under CI."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import i18n
from tracker.services.demo import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TRACKER = Path(sys.executable).parent / "tracker"
BN = "bn"


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test is required under CI: {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'demo.db'}"
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    subprocess.run([str(TRACKER), "demo", "--reset", "--until", "2024-08-31"], env=env,
                   check=True, capture_output=True)
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [str(TRACKER), "dashboard", "--port", str(port), "--database-url", url],
        env={**env, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the dashboard did not start:\n"
                            + (folder / "server.log").read_text()[-2000:])
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server we started, and its children
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


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
