"""The `tracker` command line: the contracts outside checks rely on, and clean errors."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from tracker.cli.app import app, main
from tracker.config import PROJECT_ROOT


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_due_prints_just_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "due", "--received", "2025-03-27T10:15",
                       "--working-days", "3")
    assert (code, out) == (0, "2025-04-08\n")


def test_due_immediate_and_district(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "calendar", "due", "--received", "2025-03-10T16:00",
               "--immediate")[1] == "2025-03-11\n"
    assert run(capsys, "calendar", "due", "--received", "2025-04-10", "--working-days", "1",
               "--district", "Rangamati")[1] == "2025-04-15\n"


def test_due_explain_lists_skipped_holidays(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "due", "--received", "2025-03-27T10:15",
                       "--working-days", "3", "--explain")
    assert code == 0
    assert "31-03-2025 skip Eid-ul-Fitr" in out and "due 08-04-2025" in out


def test_due_marks_provisional_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "due", "--received", "2027-02-01",
                       "--working-days", "3")
    assert code == 0 and "provisional" in out


def test_due_file_keeps_input_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "received_at,working_days\n"
        "2025-03-27T10:15,3\n"
        "2025-01-01T18:30Z,3\n"
        "2025-03-10T16:00,\n"
        "2024-08-14,1\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "calendar", "due", "--file", str(src))
    assert code == 0, err
    assert out == (  # CSV records end in CRLF (RFC 4180), as every export's do
        "received_at,working_days,due_date\r\n"
        "2025-03-27T10:15,3,2025-04-08\r\n"
        "2025-01-01T18:30Z,3,2025-01-07\r\n"
        "2025-03-10T16:00,,2025-03-11\r\n"
        "2024-08-14,1,2024-08-15\r\n"
    )


def test_due_file_is_all_or_nothing_with_line_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("received_at,working_days\n2025-03-27,3\n2025-02-30,3\n2025-03-27,x\n"
                   "2060-01-01,3\n", encoding="utf-8")
    code, out, err = run(capsys, "calendar", "due", "--file", str(src))
    assert code == 2 and out == ""
    assert "line 3" in err and "line 4" in err and "line 5" in err and "line 2" not in err
    assert len(err.strip().splitlines()) == 1


def test_due_file_needs_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "cols.csv"
    src.write_text("when,n\n2025-01-01,3\n", encoding="utf-8")
    code, _, err = run(capsys, "calendar", "due", "--file", str(src))
    assert code == 2 and "missing column" in err


@pytest.mark.parametrize(
    "args",
    [
        ["calendar", "due", "--received", "2025-13-01", "--working-days", "3"],
        ["calendar", "due", "--received", "2045-01-01", "--working-days", "3"],
        ["calendar", "due", "--received", "2025-01-01", "--working-days", "0"],
        ["calendar", "due", "--received", "2025-01-01", "--working-days", "3", "--district", "X"],
        ["calendar", "due", "--received", "2025-01-01"],
        ["calendar", "due", "--file", "/nonexistent/in.csv"],
        ["calendar", "is-working-day", "2025-05-32"],
        ["calendar", "holidays", "--year", "1990"],
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_is_working_day_says_yes_or_no_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "calendar", "is-working-day", "2025-05-17")[1]
    assert out.startswith("yes: Saturday declared a working day")
    out = run(capsys, "calendar", "is-working-day", "2025-05-16")[1]
    assert out.startswith("no: Friday")
    out = run(capsys, "calendar", "is-working-day", "2025-03-31", "--bn")[1]
    assert out.startswith("no: ঈদুল ফিতর")


def test_holidays_lists_kind_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "calendar", "holidays", "--year", "2025")[1]
    assert re.search(r"11-06-2025 .*executive .*Eid-ul-Azha: extra holiday.*dhakatribune", out)
    assert "17-05-2025" in out and "working_weekend" in out
    assert "PROVISIONAL" in run(capsys, "calendar", "holidays", "--year", "2028")[1]


def test_ics_is_valid_icalendar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bd-2025.ics"
    assert run(capsys, "calendar", "ics", "--year", "2025", "--out", str(target))[0] == 0
    raw = target.read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR"
    assert all(len(line) <= 75 for line in lines)
    unfolded = raw.decode("utf-8").replace("\r\n ", "")
    entries = tomllib.loads((PROJECT_ROOT / "calendars" / "bd-2025.toml").read_text("utf-8"))
    national = [d for d in entries["day"] if "districts" not in d
                and d["kind"] in ("general", "executive", "working_weekend")]
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") == len(national)
    assert "DTSTART;VALUE=DATE:20250331" in unfolded and "ঈদুল ফিতর" in unfolded


def test_check_validates_and_prints_versions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "check")
    assert code == 0 and re.search(r"2025: ok, \d+ closure entries, version bd-2025@\w+", out)


def test_calendar_tour_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "tour", "--day", "2025-05-17")
    assert code == 0 and "due 08-04-2025" in out and "17-05-2025 is a working day" in out


def _commands(command: object, prefix: str = "tracker") -> list[tuple[str, object]]:
    """Every command under ``command``. Typer vendors click: its groups are TyperGroup."""
    found: list[tuple[str, object]] = [(prefix, command)]
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            found += _commands(sub, f"{prefix} {name}")
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 40  # the walk reaches the sub-commands, not just the root
    for name, command in commands:
        assert (getattr(command, "help", None) or "").strip(), f"{name} has no help text"
        assert f"\n### {name}\n" in readme, f"{name} is not in README.md's CLI reference"


def test_the_installed_console_script_works() -> None:
    exe = Path(sys.executable).parent / "tracker"
    result = subprocess.run([str(exe), "calendar", "due", "--received", "2025-03-27T10:15",
                             "--working-days", "3"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (0, "2025-04-08\n")


def test_python_dash_m_tracker_runs_the_same_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "tracker", "calendar", "due", "--received",
                             "2025-03-27T10:15", "--working-days", "3"],
                            capture_output=True, text=True, check=False, cwd=PROJECT_ROOT)
    assert (result.returncode, result.stdout) == (0, "2025-04-08\n"), result.stderr


def test_python_dash_m_tracker_reports_errors_as_one_line() -> None:
    result = subprocess.run([sys.executable, "-m", "tracker", "calendar", "is-working-day",
                             "2025-05-32"], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
