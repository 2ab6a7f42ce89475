"""The CLI's shared helpers: one clock (today in Dhaka), one error path, no cross-imports."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.test_cli import run
from tracker.cli import common
from tracker.config import PROJECT_ROOT, get_settings
from tracker.services import requests as request_service

CLI_DIR = PROJECT_ROOT / "tracker" / "cli"
#: 19:30 UTC on 26 March is 01:30 on 27 March in Dhaka (UTC+6).
LATE_EVENING_UTC = datetime(2025, 3, 26, 19, 30, tzinfo=UTC)


def test_today_is_the_dhaka_date_not_the_utc_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_service, "now_utc", lambda: LATE_EVENING_UTC)
    assert common.now_utc() == LATE_EVENING_UTC
    assert common.today_in_dhaka() == date(2025, 3, 27)
    assert common.day_or_today(None) == date(2025, 3, 27)
    assert common.day_or_today("01-02-2025") == date(2025, 2, 1)


def test_moment_or_now_reads_dhaka_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_service, "now_utc", lambda: LATE_EVENING_UTC)
    assert common.moment_or_now(None) == LATE_EVENING_UTC
    assert common.moment_or_now("2025-03-27T10:15") == datetime(2025, 3, 27, 4, 15, tzinfo=UTC)


def test_calendar_tour_defaults_to_today_in_dhaka(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(request_service, "now_utc", lambda: LATE_EVENING_UTC)
    code, out, _ = run(capsys, "calendar", "tour")
    assert code == 0 and "27-03-2025 is a working day" in out


def test_a_bad_setting_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRACKER_SMTP_PORT", "not-a-port")
    get_settings.cache_clear()
    try:
        code, out, err = run(capsys, "digest", "status", "--date", "2025-03-27")
    finally:
        monkeypatch.delenv("TRACKER_SMTP_PORT")
        get_settings.cache_clear()
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "TRACKER_SMTP_PORT" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "tracker.cli":
                found |= {f"tracker.cli.{alias.name}" for alias in node.names}
    return found


def test_cli_modules_import_only_common_of_the_cli() -> None:
    modules = sorted(p for p in CLI_DIR.glob("*.py") if p.stem not in ("app", "__init__"))
    assert len(modules) >= 14
    for path in modules:
        cli_imports = {m for m in _imported_modules(path) if m.startswith("tracker.cli")}
        assert cli_imports <= {"tracker.cli.common"}, f"{path.name} imports {cli_imports}"
