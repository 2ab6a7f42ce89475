"""`tracker export apa` and `tracker complaint` end to end, on both backends."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from tests.test_cli import run
from tests.test_exports import NOW, OFFICE, build_log, table
from tracker.domain.localtime import DHAKA
from tracker.store import db


@pytest.fixture
def logged(cli_db: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = run(capsys, "init")
    assert code == 0, err
    with Session(db.get_engine()) as session:
        build_log(session)
        # A second office with requests, in another district.
        build_log(session, office="dinajpur.birganj")
    return cli_db


def _compliance_csv(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, str]]:
    code, out, err = run(capsys, "report", "compliance", "--fy", "2024-25", "--format", "csv",
                         "--as-of", "2025-06-30", *extra)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_workbook_totals_equal_the_compliance_report(logged: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    report = _compliance_csv(capsys)
    assert [r["office_code"] for r in report] == ["dinajpur.birganj", OFFICE]
    for lang in ("bn", "en"):
        out = tmp_path / f"apa-{lang}.xlsx"
        code, stdout, err = run(capsys, "export", "apa", "--fy", "2024-25", "--as-of",
                                "2025-06-30", "--lang", lang, "--out", str(out))
        assert code == 0, err
        assert "wrote" in stdout
        ws = load_workbook(out).worksheets[0]
        _, _, rows = table(ws)
        body, total = rows[:-1], rows[-1]
        assert [r[0] for r in body] == [r["office_code"] for r in report]
        # The counts, then (last on both) the office's kind.
        columns = [k for k in list(report[0])[1:] if k != "office_kind"]
        assert [r[-1] for r in body] == [r["office_kind"] for r in report] == ["ict", "ict"]
        for row, expected in zip(body, report, strict=True):
            for j, key in enumerate(columns, 2):
                want = expected[key]
                got = row[j]
                assert (got is None and want == "") or float(got) == float(want), key
        sums = {k: sum(int(r[k]) for r in report) for k in columns[:10]}
        assert [total[j] for j in range(2, 12)] == list(sums.values())
    # The CSV rendering has the same columns and values as the report.
    folder = tmp_path / "csv"
    code, _, err = run(capsys, "export", "apa", "--fy", "2024-25", "--as-of", "2025-06-30",
                       "--lang", "en", "--format", "csv", "--out", str(folder))
    assert code == 0, err
    with (folder / "summary.csv").open(encoding="utf-8-sig") as handle:
        rows_csv = list(csv.DictReader(handle))
    for csv_row, expected in zip(rows_csv, report, strict=False):
        assert {k: csv_row[k] for k in expected} == expected


def test_office_and_district_scopes(logged: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.xlsx"
    assert run(capsys, "export", "apa", "--fy", "2024-25", "--office", OFFICE, "--as-of",
               "2025-06-30", "--quarter", "q3", "--out", str(out))[0] == 0
    ws = load_workbook(out).worksheets[0]
    assert "ঝিকরগাছা" in ws.cell(1, 1).value
    assert "অর্থবছর ২০২৪-২৫, তৃতীয় প্রান্তিক" in ws.cell(1, 1).value
    _, _, rows = table(ws)
    assert [r[0] for r in rows] == [OFFICE, "মোট"]
    assert run(capsys, "export", "apa", "--fy", "2024-25", "--district", "Dinajpur",
               "--as-of", "2025-06-30", "--lang", "en", "--out", str(out))[0] == 0
    ws = load_workbook(out).worksheets[0]
    assert "Dinajpur district" in ws.cell(1, 1).value
    assert [r[0] for r in table(ws)[2]] == ["dinajpur.birganj", "Total"]


@pytest.mark.parametrize("args, message", [
    (["--fy", "2024-26"], "bad fiscal year"),
    (["--fy", "24-25"], "bad fiscal year"),
    (["--fy", "2024-25", "--quarter", "Q5"], "bad quarter"),
    (["--fy", "2024-25", "--office", "nowhere.none"], "unknown office"),
    (["--fy", "2024-25", "--district", "Atlantis"], "unknown district"),
    (["--fy", "2024-25", "--district", "Jashore", "--office", OFFICE], "not both"),
    (["--fy", "2024-25", "--lang", "fr"], "--lang"),
    (["--fy", "2024-25", "--format", "pdf"], "--format"),
])
def test_bad_export_input_is_one_line_and_exit_2(
        logged: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
        message: str) -> None:
    code, out, err = run(capsys, "export", "apa", *args, "--out", str(tmp_path / "x.xlsx"))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "x.xlsx").exists()


def test_complaint_commands(logged: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "complaint", "log", "--office", OFFICE, "--name", "করিম",
                         "--contact", "01711000000", "--received", "2025-03-27T10:00",
                         "--request", "2")
    assert code == 0, err
    assert out.startswith("complaint #5: tier 1 due 2025-05-19")  # 30 wd after 27 March
    code, out, _ = run(capsys, "complaint", "list", "--office", OFFICE, "--as-of",
                       "2025-05-20")
    assert "#5" in out and "tier 2" in out and "on_track" in out
    code, out, _ = run(capsys, "complaint", "escalate", "--as-of", "2025-05-20")
    assert code == 0 and "complaint #5 jashore.jhikargacha: tier 1 -> 2" in out
    assert "0 escalation(s)" in run(capsys, "complaint", "escalate", "--as-of",
                                    "2025-05-20")[1]
    code, out, err = run(capsys, "complaint", "resolve", "5", "--resolution", "issued",
                         "--at", "2025-05-21T12:00")
    assert code == 0, err
    assert "resolved at tier 2 (within its limit" in out
    code, out, _ = run(capsys, "complaint", "appeal", "5", "--reason", "not satisfied",
                       "--at", "2025-05-22T12:00")
    assert code == 0 and "appealed to tier 3" in out
    code, out, _ = run(capsys, "complaint", "show", "5", "--as-of", "2025-05-25")
    assert "escalated" in out and "appealed" in out and "tier 3" in out
    code, out, err = run(capsys, "complaint", "appeal", "5", "--reason", "again")
    assert code == 2 and "not resolved" in err and err.count("\n") == 1
    code, _, err = run(capsys, "complaint", "resolve", "99", "--resolution", "x")
    assert code == 2 and "no complaint #99" in err
    code, _, err = run(capsys, "complaint", "list", "--status", "nope")
    assert code == 2 and "--status" in err
    code, _, err = run(capsys, "complaint", "log", "--office", OFFICE, "--name", "x",
                       "--contact", "y", "--received",
                       datetime(2030, 1, 1, tzinfo=DHAKA).isoformat())
    assert code == 2 and "future" in err
    assert NOW  # the fixture's clock is the log's "now"


def test_export_respects_the_user_scope(logged: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.services.offices import create_user

    with Session(db.get_engine()) as session:
        create_user(session, username="dp", full_name="D P", role="district_programmer",
                    password="password123", office_code="dinajpur")
        session.commit()
    out = tmp_path / "dp.xlsx"
    code, _, err = run(capsys, "export", "apa", "--fy", "2024-25", "--as-of", "2025-06-30",
                       "--lang", "en", "--as", "dp", "--out", str(out))
    assert code == 0, err
    assert [r[0] for r in table(load_workbook(out).worksheets[0])[2]] == [
        "dinajpur.birganj", "Total"]
    code, _, err = run(capsys, "export", "apa", "--fy", "2024-25", "--office", OFFICE,
                       "--as", "dp", "--out", str(out))
    assert code == 2 and "may not read" in err
