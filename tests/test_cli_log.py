"""The request-log commands end to end through `tracker.cli.app.main`, on both backends."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.test_cli import run
from tracker.config import get_settings
from tracker.store import db


def _init(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "init")
    assert code == 0, err
    # one version per catalog under data/charters: the five upazila ICT offices, the
    # AC Land office of Madhabpur and Doail Union Parishad
    assert "charter versions added: 7" in out


def test_log_follow_and_explain_a_request(cli_db: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _init(capsys)
    code, out, err = run(capsys, "request", "log", "--office", "jashore.keshabpur",
                         "--service", "institutional-5", "--channel", "letter",
                         "--received", "২৭-০৩-২০২৫ ১০:১৫", "--ref", "2025/118",
                         "--applicant", "রহিম উদ্দিন")
    assert code == 0, err
    assert out.strip() == "#1 due 2025-04-15"  # 7 working days over Eid and 14 April
    assert run(capsys, "request", "hold", "1", "--reason", "NID copy",
               "--at", "2025-04-06T10:00")[0] == 0
    _, out, _ = run(capsys, "request", "resume", "1", "--at", "2025-04-09T10:00")
    assert out.strip() == "#1 in_progress; due 2025-04-17"  # 7 and 8 April on hold
    code, out, _ = run(capsys, "request", "deliver", "1", "--at", "2025-04-17T12:00",
                       "--outcome", "issued")
    assert code == 0 and "delivered" in out
    code, out, _ = run(capsys, "request", "show", "1", "--as-of", "2025-05-01")
    assert "as of 2025-05-01: on_time" in out and "due_moved" in out and "hold" in out
    code, out, _ = run(capsys, "request", "explain", "1")
    assert "31-03-2025 skip Eid-ul-Fitr" in out and "due date in force: 17-04-2025" in out
    code, out, _ = run(capsys, "report", "compliance", "--fy", "2024-25", "--format", "csv",
                       "--as-of", "2025-06-30")
    rows = list(csv.DictReader(out.splitlines()))
    assert rows[0]["office_code"] == "jashore.keshabpur"
    assert (rows[0]["received"], rows[0]["on_time"], rows[0]["compliance_pct"]) == (
        "1", "1", "100.0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--office", "dhaka.atlantis"], "unknown office"),
        (["--service", "citizen-42"], "unknown service"),
        (["--received", "2099-01-01T10:00"], "in the future"),
        (["--received", "31-02-2025"], "not a date"),
        (["--channel", "fax"], "unknown channel"),
    ],
)
def test_bad_log_input_is_one_line_and_writes_nothing(
    cli_db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    _init(capsys)
    base = {"--office": "jashore.keshabpur", "--service": "citizen-1",
            "--channel": "phone", "--received": "2025-03-27T10:15"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    code, _, err = run(capsys, "request", "log", *[x for kv in base.items() for x in kv])
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert run(capsys, "request", "list", "--as-of", "2025-06-30")[1] == ""


def _register(path: Path, rows: list[list[str]]) -> Path:
    header = ["office", "service", "received_at", "channel", "external_ref",
              "closed_at", "closed_as"]
    if path.suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
    return path


GOOD_ROWS = [
    ["jashore.keshabpur", "citizen-1", "02-01-2025 10:00", "in_person", "P-1",
     "02-01-2025 12:00", "delivered"],
    ["jashore.keshabpur", "institutional-5", "2025-01-05T11:00", "letter", "P-2", "", ""],
    ["lalmonirhat.patgram", "citizen-1", "২০২৫-০১-০৬", "phone", "P-1", "", ""],
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_is_all_or_nothing_and_idempotent(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    _init(capsys)
    bad = _register(tmp_path / f"bad{suffix}", [
        *GOOD_ROWS,
        ["jashore.keshabpur", "citizen-99", "2025-01-07", "phone", "P-9", "", ""],
        ["jashore.keshabpur", "citizen-1", "2025-01-07", "phone", "P-10",
         "2025-01-06T10:00", "delivered"],
        ["jashore.keshabpur", "citizen-1", "2025-01-07", "phone", "P-11", "2025-01-08",
         "lost"],
        ["jashore.keshabpur", "citizen-1", "2025-01-07", "phone", "P-1", "", ""],
    ])
    code, _, err = run(capsys, "import", "requests", str(bad))
    assert code == 2
    for row, text in ((5, "unknown service"), (6, "before the request was received"),
                      (7, "unknown status"), (8, "repeats row 2")):
        assert f"row {row}: " in err and text in err, (row, err)
    assert "nothing imported" in err
    assert run(capsys, "request", "list", "--as-of", "2025-06-30")[1] == ""

    good = _register(tmp_path / f"good{suffix}", GOOD_ROWS)
    code, out, err = run(capsys, "import", "requests", str(good))
    assert (code, out.strip()) == (0, "read 3 row(s): 3 new, 0 already present (unchanged), "
                                      "0 updated (closures and corrections applied)"), err
    code, out, _ = run(capsys, "import", "requests", str(good))
    assert out.strip() == ("read 3 row(s): 0 new, 3 already present (unchanged), "
                           "0 updated (closures and corrections applied)")
    listing = run(capsys, "request", "list", "--as-of", "2025-06-30")[1].splitlines()
    assert len(listing) == 3
    changed = _register(tmp_path / f"changed{suffix}", [
        ["jashore.keshabpur", "citizen-2", "02-01-2025 10:00", "in_person", "P-1", "", ""]])
    code, _, err = run(capsys, "import", "requests", str(changed))
    assert code == 2 and "for a different request" in err


def test_import_rejects_malformed_files(cli_db: str, capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    _init(capsys)
    missing = tmp_path / "cols.csv"
    missing.write_text("office,service\njashore.keshabpur,citizen-1\n", encoding="utf-8")
    assert "missing column" in run(capsys, "import", "requests", str(missing))[2]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "not a readable XLSX" in run(capsys, "import", "requests", str(broken))[2]
    assert "no such file" in run(capsys, "import", "requests", str(tmp_path / "x.csv"))[2]


def test_calendar_reload_reports_moved_requests(
    cli_db: str, capsys: pytest.CaptureFixture[str], calendars_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(capsys)
    run(capsys, "request", "log", "--office", "jashore.keshabpur", "--service",
        "institutional-6", "--channel", "phone", "--received", "2025-09-01T10:00")
    path = calendars_copy / "bd-2025.toml"
    path.write_text(path.read_text("utf-8") + '\n[[day]]\ndate = 2025-09-03\n'
                    'kind = "executive"\nname_en = "Flood closure"\nname_bn = "বন্যা"\n'
                    'source = "test"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_CALENDARS_DIR", str(calendars_copy))
    get_settings.cache_clear()
    code, out, _ = run(capsys, "calendar", "reload")
    assert code == 0
    assert "#1: 2025-09-04 -> 2025-09-07" in out and "Flood closure" in out
    assert out.strip().endswith("1 due date(s) moved; 0 unchanged (new calendar version "
                                "recorded); 0 left as they were")
    again = run(capsys, "calendar", "reload")[1].strip()
    assert again.startswith("0 due date(s) moved; 0 unchanged")


def test_officer_scope_applies_to_cli_reads(cli_db: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _init(capsys)
    from sqlmodel import Session

    from tracker.services.offices import create_user

    with Session(db.get_engine()) as session:
        create_user(session, username="patgram", full_name="Officer", role="upazila_officer",
                    password="patgram-pass", office_code="lalmonirhat.patgram")
        session.commit()
    run(capsys, "request", "log", "--office", "jashore.keshabpur", "--service", "citizen-1",
        "--channel", "phone", "--received", "2025-03-27T10:15")
    code, _, err = run(capsys, "request", "show", "1", "--as", "patgram")
    assert code == 2 and "may not read" in err
    assert run(capsys, "request", "list", "--as", "patgram", "--as-of", "2025-06-30")[1] == ""
    code, _, err = run(capsys, "request", "deliver", "1", "--as", "patgram")
    assert code == 2 and "may not change" in err


def test_request_list_takes_the_office_code_as_typed(cli_db: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``--office`` is matched as ``request log --office`` matches it: case and spaces aside."""
    _init(capsys)
    run(capsys, "request", "log", "--office", "jashore.keshabpur", "--service", "citizen-1",
        "--channel", "phone", "--received", "2025-03-27T10:15")
    exact = run(capsys, "request", "list", "--office", "jashore.keshabpur",
                "--as-of", "2025-06-30")[1]
    typed = run(capsys, "request", "list", "--office", " Jashore.KESHABPUR ",
                "--as-of", "2025-06-30")[1]
    assert len(exact.splitlines()) == 1 and typed == exact
