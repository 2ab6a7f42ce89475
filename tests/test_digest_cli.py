"""`tracker digest preview|send|status` and `tracker scheduler --help` end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.databases import Builder, DemoCopy, DemoSpec
from tests.test_cli import run
from tests.test_digest_support import SmtpServer, smtp_server
from tracker.config import get_settings

__all__ = ["smtp_server"]


@pytest.fixture
def demo_db(tmp_path: Path, settings_env: pytest.MonkeyPatch, demo_copy: DemoCopy) -> Path:
    url = demo_copy(DemoSpec(until=date(2024, 8, 20), builder=Builder.MIGRATIONS))
    settings_env.setenv("TRACKER_DATABASE_URL", url)
    settings_env.setenv("TRACKER_OUTBOX_DIR", str(tmp_path / "outbox"))
    settings_env.delenv("TRACKER_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    return tmp_path


def test_preview_prints_the_digest_in_bengali_or_english(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "digest", "preview", "--office", "jashore.keshabpur",
                       "--date", "20-08-2024")
    assert code == 0
    assert out.startswith("দৈনিক সারসংক্ষেপ — উপজেলা আইসিটি অফিস, কেশবপুর — ২০-০৮-২০২৪")
    code, out, _ = run(capsys, "digest", "preview", "--office", "jashore", "--date",
                       "2024-08-20", "--lang", "en")
    assert code == 0 and out.startswith("District daily digest — Jashore — 20-08-2024")
    code, out, _ = run(capsys, "digest", "preview", "--office", "jashore.keshabpur",
                       "--date", "2024-08-20", "--html")
    assert code == 0 and out.startswith("<!DOCTYPE html>")


def test_preview_of_an_unknown_office_is_one_line_and_exit_2(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "digest", "preview", "--office", "nowhere", "--date",
                       "2024-08-20")
    assert code == 2 and err.startswith("error: unknown office 'nowhere'")


def test_send_to_the_outbox_then_again_skips_everything(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 14 recipients: the officer of each of the demo's 7 offices and the programmer of
    # each of their 7 districts
    code, out, _ = run(capsys, "digest", "send", "--date", "2024-08-20", "--dry-run")
    assert (code, out) == (0, "2024-08-20: would send 14, skipped 0, failed 0 "
                              "(0 pending retry) via outbox\n")
    assert not (demo_db / "outbox").exists()
    code, out, _ = run(capsys, "digest", "send", "--date", "2024-08-20")
    assert (code, out) == (0, "2024-08-20: sent 14, skipped 0, failed 0 (0 pending retry) "
                              "via outbox\n")
    assert len(list((demo_db / "outbox").glob("*.eml"))) == 14
    code, out, _ = run(capsys, "digest", "send", "--date", "2024-08-20")
    assert out == "2024-08-20: sent 0, skipped 14, failed 0 (0 pending retry) via outbox\n"
    code, out, _ = run(capsys, "digest", "status", "--date", "2024-08-20")
    assert out == "2024-08-20: sent 14\n"
    code, out, _ = run(capsys, "digest", "send", "--date", "2025-05-16")
    assert out.startswith("2025-05-16: not a working day, no digests")


def test_send_through_smtp_reports_failures_and_status_shows_them(
        demo_db: Path, smtp_server: SmtpServer, settings_env: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings_env.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    settings_env.setenv("TRACKER_SMTP_PORT", str(smtp_server.port))
    get_settings.cache_clear()
    smtp_server.inbox.failing = True
    code, out, _ = run(capsys, "digest", "send", "--date", "2024-08-20")
    assert code == 0
    # three attempts fail (then the breaker stops the run); all 14 stay pending
    assert out == "2024-08-20: sent 0, skipped 0, failed 3 (14 pending retry) via smtp\n"
    _code, out, _ = run(capsys, "digest", "status", "--date", "2024-08-20")
    assert out.splitlines()[0] == "2024-08-20: pending 14"
    assert sum("451" in line for line in out.splitlines()) == 3


def test_scheduler_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scheduler", "--help")
    assert code == 0 and "until interrupted" in out
