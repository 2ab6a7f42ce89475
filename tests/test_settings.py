"""Settings are typed and validated at start: a bad TRACKER_* value is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.config import (
    PROJECT_ROOT,
    AllClear,
    LogLevel,
    Settings,
    get_settings,
    listen_address,
    running_from_checkout,
)
from tracker.errors import SettingsError, TrackerError

TRACKER = Path(sys.executable).with_name("tracker")


@pytest.fixture(autouse=True)
def no_tracker_variables(settings_env: pytest.MonkeyPatch) -> None:
    """Each test starts from the defaults, whatever the calling shell exports."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") and not name.startswith("TRACKER_TEST_"):
            settings_env.delenv(name)


def _settings_with(env: pytest.MonkeyPatch, **variables: str) -> Settings:
    for name, value in variables.items():
        env.setenv(f"TRACKER_{name.upper()}", value)
    get_settings.cache_clear()
    return get_settings()


def _refusal(env: pytest.MonkeyPatch, **variables: str) -> str:
    with pytest.raises(SettingsError) as caught:
        _settings_with(env, **variables)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_are_typed() -> None:
    s = Settings()
    assert s.closing_time == "17:00" and s.closes_at == time(17, 0)
    assert s.digest_time == "09:00" and s.digests_at == time(9, 0)
    assert s.digest_zone == ZoneInfo("Asia/Dhaka") and s.digest_timezone == "Asia/Dhaka"
    assert s.digest_all_clear is AllClear.LINE and s.digest_all_clear.value == "line"
    assert s.log_level is LogLevel.INFO


def test_times_are_read_as_24_hour_clock_times(settings_env: pytest.MonkeyPatch) -> None:
    s = _settings_with(settings_env, closing_time="16:30", digest_time="8:05")
    assert s.closes_at == time(16, 30)
    # Normalised: callers that still parse the text get the two-digit form.
    assert s.digest_time == "08:05" and s.digests_at == time(8, 5)
    assert Settings.model_validate({"closing_time": time(15, 30)}).closing_time == "15:30"


def test_a_closing_time_that_is_not_hh_mm_is_refused_by_name(
        settings_env: pytest.MonkeyPatch) -> None:
    assert _refusal(settings_env, closing_time="5pm") == (
        "TRACKER_CLOSING_TIME: '5pm' is not a time (expected HH:MM, 24-hour, e.g. 17:00)")
    assert isinstance(SettingsError("x"), TrackerError)


@pytest.mark.parametrize("value", ["24:00", "17:60", "17", "17:00:00", "", "noon"])
def test_malformed_digest_times_are_refused(settings_env: pytest.MonkeyPatch,
                                            value: str) -> None:
    assert _refusal(settings_env, digest_time=value).startswith(
        f"TRACKER_DIGEST_TIME: {value!r} is not a time")


def test_all_clear_is_line_or_skip(settings_env: pytest.MonkeyPatch) -> None:
    assert _settings_with(settings_env, digest_all_clear="SKIP").digest_all_clear is AllClear.SKIP
    message = _refusal(settings_env, digest_all_clear="skipp")
    assert message.startswith("TRACKER_DIGEST_ALL_CLEAR: 'skipp' is not accepted")
    assert "'line' or 'skip'" in message


@pytest.mark.parametrize("zone", ["Asia/Dhak", "UTC+6", "../../etc/passwd"])
def test_the_digest_zone_must_be_an_iana_name(settings_env: pytest.MonkeyPatch,
                                              zone: str) -> None:
    assert _refusal(settings_env, digest_timezone=zone) == (
        f"TRACKER_DIGEST_TIMEZONE: {zone!r} is not a time zone "
        "(expected an IANA name, e.g. Asia/Dhaka)")


def test_an_iana_zone_is_accepted(settings_env: pytest.MonkeyPatch) -> None:
    assert _settings_with(settings_env, digest_timezone="Europe/London").digest_zone == \
        ZoneInfo("Europe/London")


@pytest.mark.parametrize("name", ["digest_retry_seconds", "digest_max_attempts",
                                  "digest_lease_seconds", "digest_misfire_grace_seconds",
                                  "smtp_timeout"])
def test_counts_and_durations_must_be_positive(settings_env: pytest.MonkeyPatch,
                                               name: str) -> None:
    assert _refusal(settings_env, **{name: "0"}).startswith(f"TRACKER_{name.upper()}: '0'")


def test_ports_and_forecast_years_have_bounds(settings_env: pytest.MonkeyPatch) -> None:
    assert "TRACKER_SMTP_PORT: '70000'" in _refusal(settings_env, smtp_port="70000")
    settings_env.delenv("TRACKER_SMTP_PORT")
    assert "TRACKER_FORECAST_YEARS_AFTER: '-1'" in _refusal(settings_env,
                                                           forecast_years_after="-1")
    settings_env.delenv("TRACKER_FORECAST_YEARS_AFTER")
    assert _settings_with(settings_env, forecast_years_before="0").forecast_years_before == 0


def test_every_bad_variable_is_named_on_one_line(settings_env: pytest.MonkeyPatch) -> None:
    message = _refusal(settings_env, closing_time="5pm", smtp_port="abc")
    assert "TRACKER_CLOSING_TIME: '5pm'" in message and "TRACKER_SMTP_PORT: 'abc'" in message


def test_log_level_is_case_insensitive(settings_env: pytest.MonkeyPatch) -> None:
    assert _settings_with(settings_env, log_level="debug").log_level is LogLevel.DEBUG
    assert _refusal(settings_env, log_level="loud").startswith("TRACKER_LOG_LEVEL:")


def test_the_dashboard_listens_on_loopback_unless_told_otherwise(
        settings_env: pytest.MonkeyPatch) -> None:
    assert Settings().dashboard_address == "127.0.0.1"
    for raw, stored in [("0.0.0.0", "0.0.0.0"), (" 10.0.0.5 ", "10.0.0.5"), ("::", "::"),
                          ("[::1]", "::1"), ("localhost", "localhost"),
                          ("dashboard.example.org.", "dashboard.example.org.")]:
        assert _settings_with(settings_env, dashboard_address=raw).dashboard_address == (
            stored)


@pytest.mark.parametrize("value", ["", "0.0.0.0:8501", "http://10.0.0.1", "300.1.1.1",
                                   "10.0.0", "two words", "-x.example.org", "x_y.org",
                                   "a" * 64 + ".org", "127.0.0.1/8", "[::1"])
def test_a_dashboard_address_must_be_an_ip_or_host_name(settings_env: pytest.MonkeyPatch,
                                                        value: str) -> None:
    assert _refusal(settings_env, dashboard_address=value) == (
        f"TRACKER_DASHBOARD_ADDRESS: {value!r} is not an IP address or host name "
        "(e.g. 127.0.0.1 for this machine only, 0.0.0.0 for every interface)")


@given(st.ip_addresses())
def test_every_ip_address_is_a_listen_address(address: object) -> None:
    assert listen_address(str(address)) == str(address)
    if ":" in str(address):
        assert listen_address(f"[{address}]") == str(address)


_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(st.lists(_LABEL, min_size=1, max_size=4).filter(lambda labels: not labels[-1].isdigit()))
def test_every_host_name_is_a_listen_address(labels: list[str]) -> None:
    name = ".".join(labels)
    assert listen_address(name) == name


@given(st.text(max_size=40))
def test_an_accepted_address_is_one_token_streamlit_can_bind(text: str) -> None:
    """Whatever is accepted has no space, scheme, port, path or user part."""
    try:
        address = listen_address(text)
    except ValueError:
        return
    assert address and len(address) <= 253
    assert not set(address) & set(" \t\r\n/@?#[]_"), address
    assert address.count(":") == 0 or address.count(":") >= 2  # IPv6, never host:port


def test_a_checkout_keeps_its_own_folders() -> None:
    assert running_from_checkout()
    s = Settings()
    assert s.calendars_dir == PROJECT_ROOT / "calendars"
    assert s.data_dir == PROJECT_ROOT / "data"
    assert s.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    assert s.outbox_dir == PROJECT_ROOT / "var" / "outbox"


def test_the_cli_reports_bad_settings_as_one_line_and_exit_code_2(tmp_path: Path) -> None:
    """End to end: the real `tracker` command, not an in-process runner."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_CLOSING_TIME"] = "5pm"
    run = subprocess.run([str(TRACKER), "calendar", "due", "--received", "2025-03-27T10:15",
                          "--working-days", "3"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == ("error: TRACKER_CLOSING_TIME: '5pm' is not a time "
                          "(expected HH:MM, 24-hour, e.g. 17:00)\n")
    env["TRACKER_CLOSING_TIME"] = "17:00"
    good = subprocess.run([str(TRACKER), "calendar", "due", "--received", "2025-03-27T10:15",
                           "--working-days", "3"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert (good.returncode, good.stdout) == (0, "2025-04-08\n")


def test_a_bad_log_level_is_one_line_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_LOG_LEVEL"] = "loud"
    run = subprocess.run([str(TRACKER), "calendar", "due", "--received", "2025-03-27T10:15",
                          "--working-days", "3"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.startswith("error: TRACKER_LOG_LEVEL: 'LOUD' is not accepted")
    assert run.stderr.count("\n") == 1
