"""Hostile and careless input at the command line: one line, never a traceback, nothing written.

Issue 11 item 12 found 19 CLI inputs that ended in a traceback (an OverflowError for a
receipt in year 0001, a ValueError for ``--fy 0000-01`` or ``--service citizen-²``, the
driver's OverflowError for an id of 2^63...) and 4 calendar-file edits that did the same.
Each row below is one such input: the command must exit non-zero with one line on stderr
that says what is wrong (the ``words``), print no traceback, and leave every table of the
store exactly as it was (row counts and contents), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from tests.conftest import SMALL_DEMO, Backend, DemoCopy
from tests.test_cli import run
from tracker.cli import common
from tracker.config import PROJECT_ROOT, get_settings
from tracker.domain.calendar import load_calendar
from tracker.errors import InputError
from tracker.services import calendar_text
from tracker.store import db

OFFICE = "jashore.keshabpur"  # in SMALL_DEMO, with requests #1.. and complaints #1..
TWO_63 = str(2**63)
TWO_31 = str(2**31)  # one past PostgreSQL's INTEGER: ids are 32-bit there
LOG = ("request", "log", "--office", OFFICE, "--channel", "phone")
LOG_OK = (*LOG, "--service", "citizen-1", "--received", "2024-08-20T10:00")
COMPLAINT = ("complaint", "log", "--office", OFFICE, "--name", "Rahim", "--contact", "017")


@dataclass(frozen=True)
class Hostile:
    """One bad input: the command line(s), run in order, and the words each error must say."""

    commands: tuple[tuple[str, ...], ...]
    words: tuple[str, ...]


def bad(*args: str, words: tuple[str, ...] | str) -> Hostile:
    return Hostile((args,), (words,) if isinstance(words, str) else words)


def twice(*args: str, words: tuple[str, ...] | str) -> Hostile:
    """The same command twice (each must be refused: the second is where duplicates bite)."""
    return Hostile((args, args), (words,) if isinstance(words, str) else words)


#: The hostile inputs that reach the store (run on both backends, with a before/after check).
STORE_CASES = [
    # -- --service: int() accepts '²' (then fails) and '٣' (then means 3); isdigit() lies.
    pytest.param(bad(*LOG, "--service", "citizen-²", "--received", "2024-08-20T10:00",
                     words="bad service 'citizen-²'"), id="service-superscript-digit"),
    pytest.param(bad(*LOG, "--service", "citizen-١", "--received", "2024-08-20T10:00",
                     words="bad service 'citizen-١'"), id="service-arabic-indic-digit"),
    # -- ids: beyond the INTEGER columns, zero, negative
    pytest.param(bad("request", "show", TWO_63, words=("request_id", "2147483647")),
                 id="request-id-2^63"),
    pytest.param(bad("request", "show", TWO_31, words=("request_id", "2147483647")),
                 id="request-id-2^31-past-postgres-integer"),
    pytest.param(bad("request", "start", TWO_63, words=("request_id", "2147483647")),
                 id="request-start-id-2^63"),
    pytest.param(bad("request", "update", TWO_63, "--summary", "x",
                     words=("request_id", "2147483647")), id="request-update-id-2^63"),
    pytest.param(bad("request", "show", "0", words=("request_id", "greater than or equal to 1")),
                 id="request-id-0"),
    pytest.param(bad("request", "show", "--", "-1",
                     words=("request_id", "greater than or equal to 1")), id="request-id-negative"),
    pytest.param(bad("complaint", "show", TWO_63, words=("complaint_id", "2147483647")),
                 id="complaint-id-2^63"),
    pytest.param(bad("complaint", "resolve", TWO_63, "--resolution", "done",
                     words=("complaint_id", "2147483647")), id="complaint-resolve-id-2^63"),
    pytest.param(bad(*COMPLAINT, "--request", TWO_63, words=("--request", "2147483647")),
                 id="complaint-about-request-2^63"),
    # -- dates: year 0001 overflowed converting to UTC; year 9999 and 10000 likewise
    pytest.param(bad(*LOG, "--service", "citizen-1", "--received", "0001-01-01",
                     words=("--received", "0001-01-01", "outside every known")),
                 id="received-year-0001"),
    pytest.param(bad(*LOG, "--service", "citizen-1", "--received", "9999-12-31T23:59Z",
                     words=("--received", "outside every known")),
                 id="received-utc-end-of-9999"),
    pytest.param(bad(*LOG, "--service", "citizen-1", "--received", "9999-12-31T10:00",
                     words="9999-12-31"), id="received-year-9999"),
    pytest.param(bad(*COMPLAINT, "--received", "0001-01-01", words=("--received", "0001-01-01")),
                 id="complaint-received-year-0001"),
    pytest.param(bad("request", "deliver", "1", "--at", "0001-01-01T10:00",
                     words=("--at", "0001-01-01")), id="deliver-at-year-0001"),
    pytest.param(bad(*LOG_OK, "--directive-due", "0001-01-01",
                     words=("--directive-due", "outside every known")),
                 id="directive-due-year-0001"),
    pytest.param(bad("request", "extend", "1", "--due", "9999-12-31", "--reason", "x",
                     words=("--due", "9999-12-31", "outside every known")),
                 id="extend-due-year-9999"),
    pytest.param(bad("request", "list", "--as-of", "0001-01-01", words=("--as-of", "0001")),
                 id="list-as-of-year-0001"),
    pytest.param(bad("complaint", "escalate", "--as-of", "0001-01-01",
                     words=("--as-of", "0001")), id="escalate-as-of-year-0001"),
    pytest.param(bad("office", "go-live", OFFICE, "0001-01-01",
                     words=("go-live date", "0001-01-01")), id="go-live-year-0001"),
    pytest.param(bad("demo", "--until", "0001-01-01", words=("--until", "0001-01-01")),
                 id="demo-until-year-0001"),
    # -- fiscal years: 0000-01 parses as a label, but 1 July of year 0 does not exist
    pytest.param(bad("report", "compliance", "--fy", "0000-01", words="--fy 0000-01"),
                 id="report-fy-0000-01"),
    pytest.param(bad("report", "compliance", "--fy", "9999-00", words="--fy 9999-00"),
                 id="report-fy-9999-00"),
    pytest.param(bad("report", "compliance", "--fy", "0000-01", "--quarter", "Q3",
                     words="--fy 0000-01"), id="report-quarter-of-fy-0000-01"),
    pytest.param(bad("request", "list", "--fy", "0000-01", words="--fy 0000-01"),
                 id="request-list-fy-0000-01"),
    pytest.param(bad("complaint", "list", "--fy", "0000-01", words="--fy 0000-01"),
                 id="complaint-list-fy-0000-01"),
    pytest.param(bad("export", "apa", "--fy", "0000-01", "--out", "apa.xlsx",
                     words="--fy 0000-01"), id="export-fy-0000-01"),
    pytest.param(bad("request", "list", "--limit", "-1", words=("--limit", "1")),
                 id="list-limit-negative"),
    # -- an empty register number, twice: the second clashed with the first ('' == '')
    pytest.param(Hostile((("request", "update", "5", "--ref", ""),
                          ("request", "update", "6", "--ref", "")),
                         ("register number is empty",)), id="update-empty-ref-twice"),
    pytest.param(twice(*LOG_OK, "--ref", "", words="register number is empty"),
                 id="log-empty-ref-twice"),
    pytest.param(twice(*COMPLAINT, "--received", "2024-08-20T10:00", "--ref", "",
                       words="complaint reference is empty"), id="complaint-empty-ref-twice"),
]

#: Hostile inputs that never open the store (run once: no database to check).
CALENDAR_CASES = [
    pytest.param(bad("calendar", "due", "--received", "2025-01-01", "--calendar-days",
                     "1000000000", words=("--calendar-days", "3660")),
                 id="calendar-days-1e9"),
    pytest.param(bad("calendar", "due", "--received", "2025-01-01", "--months", "1000000",
                     words=("--months", "120")), id="months-1e6"),
    pytest.param(bad("calendar", "due", "--received", "2025-01-01", "--working-days",
                     "1000000000", words=("--working-days", "2500")), id="working-days-1e9"),
    pytest.param(bad("calendar", "due", "--received", "2025-01-01", "--months", "0",
                     words=("--months", "greater than or equal to 1")), id="months-0"),
    pytest.param(bad("calendar", "due", "--received", "0001-01-01", "--working-days", "3",
                     words=("--received", "0001-01-01")), id="due-received-year-0001"),
    pytest.param(bad("calendar", "due", "--received", "9999-12-31T23:59Z", "--working-days",
                     "3", words="--received"), id="due-received-utc-end-of-9999"),
    pytest.param(bad("calendar", "holidays", "--year", "-1", words="year -1 is outside"),
                 id="holidays-year--1"),
    pytest.param(bad("calendar", "holidays", "--year", "99999", words="year 99999 is outside"),
                 id="holidays-year-99999"),
    pytest.param(bad("calendar", "ics", "--year", "-1", words="year -1 is outside"),
                 id="ics-year--1"),
    pytest.param(bad("calendar", "ics", "--year", "99999", words="year 99999 is outside"),
                 id="ics-year-99999"),
    pytest.param(bad("calendar", "is-working-day", "0001-01-01", words="0001-01-01"),
                 id="is-working-day-year-0001"),
    pytest.param(bad("calendar", "tour", "--day", "0001-01-01", words=("--day", "0001-01-01")),
                 id="tour-day-year-0001"),
    pytest.param(bad("calendar", "holidays", "--year", "abc", words=("--year", "integer")),
                 id="year-not-a-number"),
    pytest.param(bad("calendar", "nosuch", words="No such command 'nosuch'"),
                 id="unknown-command"),
    pytest.param(bad("calendar", "due", "--nosuch", words="No such option: --nosuch"),
                 id="unknown-option"),
]


def assert_one_clear_line(code: int, out: str, err: str, words: tuple[str, ...]) -> None:
    assert code != 0, (out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], (word, lines[0])


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows in key order: "nothing written"."""
    engine = sa.create_engine(url)
    found: dict[str, tuple[int, str]] = {}
    try:
        with engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                rows = connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns)).all()
                found[table.name] = (len(rows),
                                     hashlib.sha256(repr(rows).encode()).hexdigest())
    finally:
        engine.dispose()
    return found


@pytest.fixture
def store_url(request: pytest.FixtureRequest, demo_copy: DemoCopy,
              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """TRACKER_DATABASE_URL on a fresh copy of the small demo, on the parametrised backend;
    the working directory is the test's own (an export's --out lands there)."""
    url = demo_copy(SMALL_DEMO, request.param)
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    get_settings.cache_clear()
    db.clear_engine_cache()
    yield url
    db.clear_engine_cache()
    get_settings.cache_clear()


@pytest.mark.parametrize("store_url", [Backend.SQLITE, Backend.POSTGRESQL], indirect=True)
@pytest.mark.parametrize("case", STORE_CASES)
def test_hostile_input_is_one_line_and_writes_nothing(
    store_url: str, case: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(store_url)
    for command in case.commands:
        code, out, err = run(capsys, *command)
        assert_one_clear_line(code, out, err, case.words)
    assert snapshot(store_url) == before
    assert not list(Path.cwd().iterdir())  # no file written either (export --out)


@pytest.mark.parametrize("case", CALENDAR_CASES)
def test_hostile_calendar_input_is_one_line(
    case: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in case.commands:
        assert_one_clear_line(*run(capsys, *command), case.words)


def test_bengali_digits_still_name_a_service(
    demo_copy: DemoCopy, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The strict --service parse must keep what officers type: citizen-১ is citizen-1."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", demo_copy(SMALL_DEMO, Backend.SQLITE))
    get_settings.cache_clear()
    db.clear_engine_cache()
    try:
        code, out, err = run(capsys, *LOG, "--service", "citizen-১", "--received",
                             "২০-০৮-২০২৪ ১০:০০")
    finally:
        db.clear_engine_cache()
        get_settings.cache_clear()
    assert code == 0 and out.startswith("#") and "due 2024-08-2" in out, err


# -- calendar files edited badly: one line naming the file and line, from any command ------

CALENDAR_FILE_EDITS = [
    pytest.param("date = 2025-02-15", "date = 2025-02-15T00:00:00", "is a date-time",
                 id="datetime-as-date"),
    pytest.param('kind = "executive"', 'kind = ["executive"]', "unknown kind",
                 id="list-as-kind"),
    pytest.param('name_en = "Shab-e-Barat (moon)"', "name_en = 42", "must be text",
                 id="number-as-name"),
    pytest.param("Shab-e-Barat", "Shab-\udcff-Barat", "is not UTF-8", id="non-utf8-byte"),
]


def _broken_calendars(folder: Path, old: str, new: str) -> Path:
    """calendars/ copied into ``folder`` with one edit in bd-2025.toml (a lone surrogate
    in ``new`` stands for a raw byte: written with surrogateescape, it is that byte)."""
    target = folder / "calendars"
    target.mkdir()
    for source in (PROJECT_ROOT / "calendars").glob("bd-*.toml"):
        text = source.read_text(encoding="utf-8")
        if source.name == "bd-2025.toml":
            assert old in text
            text = text.replace(old, new, 1)
        (target / source.name).write_bytes(text.encode("utf-8", "surrogateescape"))
    return target


@pytest.mark.parametrize(("old", "new", "words"), CALENDAR_FILE_EDITS)
def test_a_broken_calendar_file_is_one_line_naming_file_and_line(
    tmp_path: Path, settings_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    old: str, new: str, words: str,
) -> None:
    folder = _broken_calendars(tmp_path, old, new)
    settings_env.setenv("TRACKER_CALENDARS_DIR", str(folder))
    for command in (("calendar", "check"),
                    ("calendar", "due", "--received", "2025-03-27T10:15", "--working-days", "3")):
        code, out, err = run(capsys, *command)
        assert_one_clear_line(code, out, err, (words, f"{folder / 'bd-2025.toml'}:"))


# -- the last resort: a bug is one line too, and its traceback is in the log at DEBUG ------


def _boom(*_: object, **__: object) -> str:
    raise RuntimeError("simulated bug")


def test_an_unexpected_error_is_one_line_with_the_debug_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(calendar_text, "check_text", _boom)
    code, out, err = run(capsys, "calendar", "check")
    assert code == 1 and out == ""
    assert err == ("error: unexpected error (RuntimeError: simulated bug); "
                   f"{common.DEBUG_HINT}\n")


def test_an_unexpected_error_keeps_its_traceback_in_the_debug_log(
    settings_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings_env.setenv("TRACKER_LOG_LEVEL", "DEBUG")
    settings_env.setattr(calendar_text, "check_text", _boom)
    code, _, _ = run(capsys, "calendar", "check")
    assert code == 1
    [record] = [r for r in caplog.records if r.exc_info and r.name == "tracker.cli.common"]
    assert record.levelno == logging.DEBUG and record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


def test_a_database_failure_is_one_line_naming_the_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def locked(*_: object, **__: object) -> str:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(calendar_text, "check_text", locked)
    code, _, err = run(capsys, "calendar", "check")
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: the database refused the operation (Exception: database "
                          "is locked)") and common.DEBUG_HINT in err


# -- the real entry point, as a user's shell runs it ---------------------------------------


def _tracker(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "tracker"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **env}, timeout=120)


@pytest.mark.parametrize("args", [
    pytest.param(("request", "show", TWO_63), id="request-id-2^63"),
    pytest.param(("calendar", "due", "--received", "2025-01-01", "--calendar-days",
                  "1000000000"), id="calendar-days-1e9"),
    pytest.param(("report", "compliance", "--fy", "0000-01"), id="fy-0000-01"),
    pytest.param(("request", "log", "--office", OFFICE, "--service", "citizen-1", "--channel",
                  "phone", "--received", "0001-01-01"), id="received-year-0001"),
])
def test_the_installed_tracker_prints_one_line(demo_copy: DemoCopy,
                                              args: tuple[str, ...]) -> None:
    url = demo_copy(SMALL_DEMO, Backend.SQLITE)
    before = snapshot(url)
    result = _tracker(*args, TRACKER_DATABASE_URL=url)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert snapshot(url) == before


def test_the_installed_tracker_reports_a_non_utf8_calendar_by_line(tmp_path: Path) -> None:
    folder = _broken_calendars(tmp_path, "Shab-e-Barat", "Shab-\udcff-Barat")
    result = _tracker("calendar", "check", TRACKER_CALENDARS_DIR=str(folder))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {folder / 'bd-2025.toml'}:20: byte 0xff")
    assert result.stderr.count("\n") == 1


# -- properties: whatever is typed, the parsers at the CLI edge answer or refuse cleanly ----

_TYPED = st.one_of(
    st.text(max_size=30),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    st.integers(min_value=-1, max_value=10_000).map(lambda y: f"{y:04d}-{(y + 1) % 100:02d}"),
)


@settings(max_examples=300, deadline=None)
@given(text=_TYPED)
def test_any_typed_moment_or_date_is_in_the_calendar_or_an_input_error(text: str) -> None:
    calendar = load_calendar()
    try:
        moment = common.moment_or_now(text, "--received")
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert moment.tzinfo is not None
    try:
        day = common.day_option(text, "--as-of")
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert calendar.first_day <= day <= calendar.last_day


@settings(max_examples=300, deadline=None)
@given(text=_TYPED, quarter=st.sampled_from([None, "Q1", "q4", "Q5", ""]))
def test_any_typed_fiscal_year_overlaps_the_calendar_or_is_an_input_error(
    text: str, quarter: str | None
) -> None:
    calendar = load_calendar()
    try:
        period = common.fiscal_period(text, quarter)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert period.start <= period.end
        assert period.end >= calendar.first_day and period.start <= calendar.last_day


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(received=_TYPED, amount=st.integers(min_value=-2**64, max_value=2**64),
       unit=st.sampled_from(["--working-days", "--calendar-days", "--months"]))
def test_calendar_due_answers_or_refuses_in_one_line_for_any_input(
    capsys: pytest.CaptureFixture[str], received: str, amount: int, unit: str
) -> None:
    code, out, err = run(capsys, "calendar", "due", "--received", received, unit, str(amount))
    if code == 0:
        assert out.strip() and err == ""
    else:  # exit 2: a user's mistake, never 1 (a bug)
        assert code == 2 and out == "" and err.startswith("error: ")
        assert err.count("\n") == 1 and "Traceback" not in err


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.integers(min_value=-2**64, max_value=2**64))
def test_calendar_holidays_answers_or_refuses_in_one_line_for_any_year(
    capsys: pytest.CaptureFixture[str], year: int
) -> None:
    code, out, err = run(capsys, "calendar", "holidays", "--year", str(year))
    calendar = load_calendar()
    if calendar.first_year <= year <= calendar.last_year:
        assert code == 0 and str(year) in out
    else:
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: ")
